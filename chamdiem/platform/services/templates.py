"""What the input template of a rule set is made from: the published rule set in force for
the period, the people (or units) to pre-fill, and on request the period's current data for
them — for `chamdiem template` and the web's template download alike."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from chamdiem.dsl.data import as_list
from chamdiem.dsl.diagnostics import Text
from chamdiem.dsl.loader import Program
from chamdiem.platform.db.models import RuleVersion
from chamdiem.platform.report_data import CurrentData, PeriodInfo, Prefill
from chamdiem.platform.services.errors import ServiceError
from chamdiem.platform.services.periods import get_period
from chamdiem.platform.services.records import decode_cohort
from chamdiem.platform.services.reports import load_units, people_of
from chamdiem.platform.services.rules import program_for, wrong_period_kind
from chamdiem.platform.services.runs import load_subjects
from chamdiem.platform.services.scope import Scope


def published_program(session: Session, reference: str, period: PeriodInfo | None) -> Program:
    """A published rule set by name (the version in force at the period's start, else the
    latest) or by SHA-256 prefix (6 hex digits or more)."""
    versions = session.exec(
        select(RuleVersion)
        .where(RuleVersion.name == reference)
        .order_by(col(RuleVersion.effective_from).desc(), col(RuleVersion.id).desc())
    ).all()
    if period is not None:
        start = period.start
        in_force = [
            v
            for v in versions
            if v.effective_from <= start
            and (v.effective_until is None or v.effective_until >= start)
        ]
        versions = in_force or list(versions)
    lowered = reference.lower()
    if not versions and len(lowered) >= 6 and all(c in "0123456789abcdef" for c in lowered):
        versions = session.exec(
            select(RuleVersion).where(col(RuleVersion.sha256).startswith(lowered))
        ).all()
        if len(versions) > 1:
            raise ServiceError(
                Text(
                    f"'{reference}' khớp với {len(versions)} phiên bản quy tắc; hãy viết dài hơn",
                    f"'{reference}' matches {len(versions)} rule versions; give more digits",
                )
            )
    if not versions:
        raise ServiceError(
            Text(
                f"không có tệp quy tắc hay bộ tiêu chí đã công bố '{reference}'",
                f"no rule file or published rule set '{reference}'",
            )
        )
    return program_for(versions[0])


def template_prefill(
    session: Session, subject: str, scope: Scope
) -> tuple[list[Prefill], str | None]:
    """The rows to pre-fill: the people in `scope`, or the units in it for a rule set about
    units; and the names of the units the scope was asked for by (None for everything)."""
    units = load_units(session)
    described = None
    if not scope.is_everything:
        described = ", ".join(units[w].name if w in units else w for w in scope.named)
    if subject == "unit":
        chosen = sorted(code for code in units if scope.has_code(code))
        return [
            Prefill(code, units[code].name, units[code].parent_code) for code in chosen
        ], described
    people = people_of(session, scope)
    return [
        Prefill(p.code, p.name, p.unit_code, p.unit_name, p.position, p.position_group, p.is_head)
        for p in people
    ], described


def check_period_kind(program: Program, period: PeriodInfo | None) -> None:
    """Refuse a template of a quarterly rule set for a year, and so on."""
    header = program.header
    if period is not None and header.period != period.kind:
        raise wrong_period_kind(header.name, header.period, period.code, period.kind)


def current_data(
    session: Session, program: Program, period_code: str, prefill: Sequence[Prefill], scope: Scope
) -> CurrentData:
    """The current records of the period for the rule set, of the pre-filled subjects in
    `scope`, typed as the rule set declares them (what `chamdiem import` stored, to
    correct)."""
    period = get_period(session, period_code)
    assert period.id is not None
    wanted = {subject.code for subject in prefill}
    stored = [
        s for s in load_subjects(session, period.id, program.header.name, scope) if s.code in wanted
    ]
    cohort = decode_cohort(program, stored)
    columns = {spec.name: as_list(cohort.inputs[spec.name]) for spec in program.inputs}
    inputs = {
        code: {name: values[k] for name, values in columns.items() if values[k] is not None}
        for k, code in enumerate(cohort.codes)
    }
    items: dict[str, list[tuple[str, list[object]]]] = {}
    for spec in program.items:
        table = cohort.items[spec.name]
        fields = [as_list(table.fields[f.name]) for f in spec.fields]
        items[spec.name] = [
            (cohort.codes[owner], [values[row] for values in fields])
            for row, owner in enumerate(map(int, table.owner))
        ]
    return CurrentData(period.code, inputs, items)
