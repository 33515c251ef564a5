"""Evaluation runs (`chamdiem run --period P [--rules …] [--units …]`).

A run evaluates the current input records of a period with one rule version and stores the
run row and every result in one transaction, so a run is visible only once complete: a crash
or `kill -9` part-way leaves no run and no results, and running again simply makes a new run.
The data is read, and the evaluation done, before the write lock is taken.

What a run used is recorded so that it can be checked later (`verify`): the rule version (its
source is stored), each result's input record (records are never changed, only superseded),
the subject attributes the evaluation saw (on each result), the engine version, and the
SHA-256 of the canonical serialisation of all of it (the data snapshot).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

import sqlalchemy as sa
from sqlmodel import Session

import chamdiem
from chamdiem.dsl.data import Cohort
from chamdiem.dsl.diagnostics import Text
from chamdiem.dsl.inputs import EvaluationError, Problem
from chamdiem.dsl.loader import Program
from chamdiem.dsl.results import Results
from chamdiem.platform.db.bulk import bulk_insert
from chamdiem.platform.db.codec import (
    dumps,
    member,
    object_text,
    scalar_fragments,
    string_list_text,
)
from chamdiem.platform.db.engine import begin_write
from chamdiem.platform.db.models import (
    EvaluationRun,
    InputRecord,
    Period,
    Person,
    Result,
    RuleVersion,
    Unit,
    utc_now,
)
from chamdiem.platform.services import audit
from chamdiem.platform.services.errors import NotFound, ServiceError
from chamdiem.platform.services.periods import get_period
from chamdiem.platform.services.records import StoredSubject, decode_cohort, snapshot_sha256
from chamdiem.platform.services.rules import program_for, resolve_rule_version

ExplainPolicy = Literal["flagged", "all", "none"]
RESULT_COLUMNS = (
    "run_id",
    "person_id",
    "input_record_id",
    "subject_code",
    "unit_code",
    "position_group",
    "is_head",
    "total",
    "score_grade",
    "grade",
    "values_json",
    "vetoes_json",
    "flags_json",
    "not_graded_json",
    "explanation",
)


@dataclass(frozen=True)
class RunOutcome:
    run_id: int
    status: Literal["complete", "failed"]
    subjects: int
    period: str
    ruleset: str
    rule_sha256: str
    snapshot_sha256: str
    grades: dict[str, int] = field(default_factory=dict)  # final grade -> subjects
    problems: list[Problem] = field(default_factory=list)  # why a failed run failed
    problems_total: int = 0


def run_evaluation(
    session: Session,
    period_code: str,
    rules: Sequence[str] | None = None,
    units: Sequence[str] | None = None,
    *,
    actor: str,
    explain: ExplainPolicy = "flagged",
) -> list[RunOutcome]:
    """Evaluate the period with each of `rules` (default: every rule set with data in the
    period), restricted to `units` and the units below them (default: everyone). One run per
    rule set, each stored atomically. `explain` says whose explanation is stored with the
    result: the flagged subjects' (a veto, a tie at a quota, not graded: what the competent
    authority looks at), everyone's, or no one's. Any other explanation is rebuilt exactly
    from the run when asked for (`explain_result`); storing all of them costs about a
    millisecond of CPU per subject."""
    try:
        period = get_period(session, period_code)
        versions = _rule_versions(session, period, rules)
        scope_codes, scope_ids = _scope(session, units)
        session.commit()  # ends the read; nothing was written
    except BaseException:
        session.rollback()
        raise
    return [
        _run_one(session, period, version, scope_codes, scope_ids, actor, explain)
        for version in versions
    ]


def _rule_versions(
    session: Session, period: Period, rules: Sequence[str] | None
) -> list[RuleVersion]:
    if rules:
        return [resolve_rule_version(session, reference, period) for reference in rules]
    records_t = InputRecord.__table__  # type: ignore[attr-defined]
    names = sorted(
        session.connection()
        .execute(
            sa.select(records_t.c.ruleset)
            .where(records_t.c.period_id == period.id, records_t.c.superseded_by_id.is_(None))
            .distinct()
        )
        .scalars()
    )
    if not names:
        raise ServiceError(
            Text(
                f"kỳ {period.code} chưa có dữ liệu: nhập bằng `chamdiem import TỆP --period "
                f"{period.code}`",
                f"period {period.code} has no data yet: import it with `chamdiem import FILE "
                f"--period {period.code}`",
            )
        )
    return [resolve_rule_version(session, name, period) for name in names]


def _scope(session: Session, units: Sequence[str] | None) -> tuple[list[str], set[int] | None]:
    """The unit codes asked for and the ids of those units and every unit below them."""
    if not units:
        return [], None
    units_t = Unit.__table__  # type: ignore[attr-defined]
    rows = (
        session.connection()
        .execute(sa.select(units_t.c.id, units_t.c.code, units_t.c.name, units_t.c.parent_id))
        .all()
    )
    by_code = {row.code: row.id for row in rows}
    by_name: dict[str, list[int]] = {}
    for row in rows:
        by_name.setdefault(row.name, []).append(row.id)
    children: dict[int, list[int]] = {}
    for row in rows:
        if row.parent_id is not None:
            children.setdefault(row.parent_id, []).append(row.id)
    code_of = {row.id: row.code for row in rows}
    chosen: list[int] = []
    for wanted in units:
        if wanted in by_code:
            chosen.append(by_code[wanted])
        elif len(by_name.get(wanted, [])) == 1:
            chosen.append(by_name[wanted][0])
        else:
            raise NotFound(
                Text(
                    f"không có đơn vị mã hoặc tên '{wanted}'"
                    + (" (có nhiều đơn vị trùng tên; hãy ghi mã)" if by_name.get(wanted) else ""),
                    f"no unit with code or name '{wanted}'"
                    + (
                        " (several units have this name; give the code)"
                        if by_name.get(wanted)
                        else ""
                    ),
                )
            )
    ids: set[int] = set()
    stack = list(chosen)
    while stack:
        unit_id = stack.pop()
        if unit_id not in ids:
            ids.add(unit_id)
            stack.extend(children.get(unit_id, []))
    return sorted(code_of[i] for i in chosen), ids


def load_subjects(
    session: Session, period_id: int, ruleset: str, scope_ids: set[int] | None
) -> list[StoredSubject]:
    """The current records of the period and rule set, joined with the organisation, in
    code order (sorted here, not by the database, whose collations differ)."""
    records_t = InputRecord.__table__  # type: ignore[attr-defined]
    people_t = Person.__table__  # type: ignore[attr-defined]
    units_t = Unit.__table__  # type: ignore[attr-defined]
    statement = (
        sa.select(
            records_t.c.id,
            records_t.c.person_id,
            people_t.c.code,
            people_t.c.name,
            units_t.c.code.label("unit_code"),
            people_t.c.position_group,
            people_t.c.is_head,
            records_t.c.inputs_json,
            records_t.c.items_json,
            people_t.c.unit_id,
        )
        .select_from(
            records_t.join(people_t, people_t.c.id == records_t.c.person_id).outerjoin(
                units_t, units_t.c.id == people_t.c.unit_id
            )
        )
        .where(
            records_t.c.period_id == period_id,
            records_t.c.ruleset == ruleset,
            records_t.c.superseded_by_id.is_(None),
        )
    )
    subjects = [
        StoredSubject(*row[:9])
        for row in session.connection().execute(statement)
        if scope_ids is None or row.unit_id in scope_ids
    ]
    subjects.sort(key=lambda s: s.code)
    return subjects


def _run_one(
    session: Session,
    period: Period,
    version: RuleVersion,
    scope_codes: list[str],
    scope_ids: set[int] | None,
    actor: str,
    explain: ExplainPolicy,
) -> RunOutcome:
    started = utc_now()
    assert period.id is not None and version.id is not None
    try:
        subjects = load_subjects(session, period.id, version.name, scope_ids)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    if not subjects:
        where = f" ({', '.join(scope_codes)})" if scope_codes else ""
        raise ServiceError(
            Text(
                f"kỳ {period.code}{where} không có dữ liệu cho bộ tiêu chí {version.name}",
                f"period {period.code}{where} has no data for rule set {version.name}",
            )
        )
    program = program_for(version)
    cohort = decode_cohort(program, subjects)
    try:
        results = program.evaluate(cohort, period_start=period.start_date)
    except EvaluationError as error:
        snapshot = snapshot_sha256(subjects)
        return _store_failed(
            session, period, version, scope_codes, subjects, snapshot, error, started, actor
        )
    if len(results) != len(subjects):
        # `applies when` left some subjects out; they took no part in the evaluation (not in
        # quotas either), so the run's inputs are those it evaluated.
        evaluated = set(results.codes)
        subjects = [subject for subject in subjects if subject.code in evaluated]
        cohort = decode_cohort(program, subjects)
        results = program.evaluate(cohort, period_start=period.start_date)
    snapshot = snapshot_sha256(subjects)
    rows = result_rows(program, cohort, results, subjects, explain)
    grades = dict(Counter(grade or "-" for grade in results.grade))

    begin_write(session)
    try:
        run = EvaluationRun(
            rule_version_id=version.id,
            period_id=period.id,
            scope_json=dumps(scope_codes),
            snapshot_sha256=snapshot,
            engine_version=chamdiem.__version__,
            subjects=len(subjects),
            status="complete",
            run_by=actor,
            started_at=started,
            finished_at=utc_now(),
        )
        session.add(run)
        session.flush()
        assert run.id is not None
        run_id = run.id
        bulk_insert(
            session.connection(),
            Result.__table__,  # type: ignore[attr-defined]
            RESULT_COLUMNS,
            [(run_id, *row) for row in rows],
            pause_point="run",
        )
        audit.record(
            session,
            actor,
            "run",
            "evaluation_runs",
            run_id,
            period=period.code,
            ruleset=version.name,
            rule_sha256=version.sha256,
            scope=scope_codes,
            subjects=len(subjects),
            snapshot_sha256=snapshot,
            engine_version=chamdiem.__version__,
            grades=grades,
        )
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return RunOutcome(
        run_id,
        "complete",
        len(subjects),
        period.code,
        version.name,
        version.sha256,
        snapshot,
        grades,
    )


def result_rows(
    program: Program,
    cohort: Cohort,
    results: Results,
    subjects: Sequence[StoredSubject],
    explain: ExplainPolicy,
) -> list[tuple[object, ...]]:
    """The results table's rows (without the run id), in the order of `results` (which may
    hold fewer subjects than the cohort: a rule set's `applies when` selects its subjects).
    The JSON texts are what `dumps` gives, assembled from each column's value texts."""
    by_code = {subject.code: subject for subject in subjects}
    columns = [
        (member(name), scalar_fragments(results.value_column(name)))
        for name in sorted(program.value_names)
    ]
    totals = [None if total is None else str(total) for total in results.total]
    score_grades, grades = results.score_grade, results.grade
    rows: list[tuple[object, ...]] = []
    for i, code in enumerate(results.codes):
        subject = by_code[code]
        vetoes = results.vetoes(i)
        flags = results.flags(i)
        not_graded = results.exclusions(i)
        flagged = bool(vetoes or flags or not_graded)
        text = None
        if explain == "all" or (explain == "flagged" and flagged):
            text = program.explain(cohort, results, i, "vi")
        rows.append(
            (
                subject.person_id,
                subject.record_id,
                subject.code,
                subject.unit_code,
                subject.position_group,
                subject.is_head,
                totals[i],
                score_grades[i],
                grades[i],
                object_text([(name, column[i]) for name, column in columns]),
                string_list_text(vetoes),
                string_list_text(flags),
                string_list_text(not_graded),
                text,
            )
        )
    return rows


def _store_failed(
    session: Session,
    period: Period,
    version: RuleVersion,
    scope_codes: list[str],
    subjects: Sequence[StoredSubject],
    snapshot: str,
    error: EvaluationError,
    started: datetime,
    actor: str,
) -> RunOutcome:
    """A run whose evaluation failed: recorded (with why), without results."""
    assert period.id is not None and version.id is not None
    detail = dumps(
        [
            {"subject": p.subject, "name": p.name, "vi": p.message.vi, "en": p.message.en}
            for p in error.problems[:100]
        ]
    )
    begin_write(session)
    try:
        run = EvaluationRun(
            rule_version_id=version.id,
            period_id=period.id,
            scope_json=dumps(scope_codes),
            snapshot_sha256=snapshot,
            engine_version=chamdiem.__version__,
            subjects=len(subjects),
            status="failed",
            detail=detail,
            run_by=actor,
            started_at=started,
            finished_at=utc_now(),
        )
        session.add(run)
        session.flush()
        assert run.id is not None
        audit.record(
            session,
            actor,
            "run",
            "evaluation_runs",
            run.id,
            period=period.code,
            ruleset=version.name,
            rule_sha256=version.sha256,
            status="failed",
            problems=error.total,
        )
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return RunOutcome(
        run.id,
        "failed",
        len(subjects),
        period.code,
        version.name,
        version.sha256,
        snapshot,
        problems=list(error.problems),
        problems_total=error.total,
    )
