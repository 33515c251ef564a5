"""What a rule change would do before it is published: both versions on the same stored
data, the grade-transition matrix overall and per unit, and every person whose grade
changes with the criteria that moved them."""

from __future__ import annotations

from collections import Counter

from sqlmodel import Session

from chamdiem.dsl.loader import Program
from chamdiem.dsl.results import Results
from chamdiem.platform.report_data import CriterionMove, Impact, Move
from chamdiem.platform.services.periods import get_period
from chamdiem.platform.services.records import decode_cohort
from chamdiem.platform.services.runs import load_subjects
from chamdiem.platform.services.scope import Scope

NOT_GRADED = "—"


def compare(old: Program, old_results: Results, new: Program, new_results: Results) -> Impact:
    """Compare two evaluations of the same people (matched by code)."""
    grades = [g.name for g in new.grades]
    grades += [g.name for g in old.grades if g.name not in grades]
    labels = {g.name: g.label or g.name for g in old.grades}
    labels.update({g.name: g.label or g.name for g in new.grades})
    impact = Impact([*grades, NOT_GRADED], labels=labels)
    new_index = {code: i for i, code in enumerate(new_results.codes)}
    old_codes = set(old_results.codes)
    impact.only_new = sorted(c for c in new_results.codes if c not in old_codes)
    criteria_old = [n for n, kind in old.value_kinds.items() if kind != "let"]
    criteria_new = [n for n, kind in new.value_kinds.items() if kind != "let"]
    names = criteria_new + [n for n in criteria_old if n not in criteria_new]
    old_columns = {n: old_results.value_column(n) for n in criteria_old}
    new_columns = {n: new_results.value_column(n) for n in criteria_new}
    for i, code in enumerate(old_results.codes):
        j = new_index.get(code)
        if j is None:
            impact.only_old.append(code)
            continue
        impact.people += 1
        before = old_results.grade[i] or NOT_GRADED
        after = new_results.grade[j] or NOT_GRADED
        unit = str(new_results.units[j] or "")
        impact.overall[(before, after)] += 1
        impact.per_unit.setdefault(unit, Counter())[(before, after)] += 1
        old_total, new_total = old_results.total[i], new_results.total[j]
        if old_total != new_total:
            impact.totals_changed += 1
        if before == after:
            continue
        moved = []
        for name in names:
            a = old_columns[name][i] if name in old_columns else None
            b = new_columns[name][j] if name in new_columns else None
            if _differs(a, b):
                moved.append(CriterionMove(name, _text(a), _text(b)))
        impact.moves.append(
            Move(
                code,
                new_results.names[j],
                unit,
                before,
                after,
                None if old_total is None else str(old_total),
                None if new_total is None else str(new_total),
                tuple(moved),
            )
        )
    impact.moves.sort(key=lambda m: (m.unit or "", m.code))
    return impact


def _differs(a: object, b: object) -> bool:
    from decimal import Decimal, InvalidOperation

    if isinstance(a, str) and isinstance(b, str):
        try:
            return Decimal(a) != Decimal(b)
        except InvalidOperation:
            return a != b
    return a != b


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def impact_for_period(
    session: Session,
    old: Program,
    new: Program,
    period_code: str,
    scope: Scope,
) -> Impact:
    """Evaluate both versions on the period's stored data (the records of the new version's
    rule set) of the people in `scope`, and compare them."""
    period = get_period(session, period_code)
    assert period.id is not None
    subjects = load_subjects(session, period.id, new.header.name, scope)
    start = period.start_date
    old_results = old.evaluate(decode_cohort(old, subjects), start)
    new_results = new.evaluate(decode_cohort(new, subjects), start)
    return compare(old, old_results, new, new_results)
