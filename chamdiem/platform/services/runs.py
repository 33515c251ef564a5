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
from itertools import repeat
from operator import attrgetter
from typing import Literal

import sqlalchemy as sa
from sqlmodel import Session

import chamdiem
from chamdiem.dsl.data import Cohort
from chamdiem.dsl.diagnostics import Text
from chamdiem.dsl.inputs import EvaluationError, Problem
from chamdiem.dsl.links import LinkError, Links
from chamdiem.dsl.loader import Program
from chamdiem.dsl.results import Results
from chamdiem.platform.db.bulk import bulk_insert
from chamdiem.platform.db.codec import (
    dumps,
    member,
    scalar_fragments,
    string_list_text,
)
from chamdiem.platform.db.engine import transaction, writing
from chamdiem.platform.db.models import (
    EvaluationRun,
    Period,
    Result,
    RuleVersion,
    utc_now,
)
from chamdiem.platform.db.tables import people_t, records_t, units_t
from chamdiem.platform.gc_pause import gc_paused
from chamdiem.platform.services import audit
from chamdiem.platform.services.errors import NotFound, ServiceError
from chamdiem.platform.services.linked_results import (
    LinkedInput,
    latest_linked_runs,
    linked_rule_fields,
    load_links,
)
from chamdiem.platform.services.periods import get_period
from chamdiem.platform.services.records import StoredSubject, decode_cohort, snapshot_sha256
from chamdiem.platform.services.rules import program_for, resolve_rule_version
from chamdiem.platform.services.scope import Scope

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
    # The rule set's grades, best first: (name, what a person reads)
    grade_names: list[tuple[str, str]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # why a failed run failed
    problems_total: int = 0


@gc_paused()
def run_evaluation(
    session: Session,
    period_code: str,
    rules: Sequence[str] | None = None,
    *,
    scope: Scope,
    actor: str,
    explain: ExplainPolicy = "flagged",
) -> list[RunOutcome]:
    """Evaluate the period with each of `rules` (default: every rule set with data in the
    period), of the people in `scope` (an empty scope is refused: there is no one to
    evaluate). One run per rule set, each stored atomically. `explain` says whose
    explanation is stored with the result: the flagged subjects' (a veto, a tie at a quota,
    not graded: what the competent authority looks at), everyone's, or no one's. Any other
    explanation is rebuilt exactly from the run when asked for (`explain_result`); storing
    all of them costs about a millisecond of CPU per subject."""
    if scope.is_nothing:
        raise ServiceError(
            Text(
                "không có đơn vị nào trong phạm vi, nên không có ai để đánh giá",
                "no unit is in scope, so there is no one to evaluate",
            )
        )
    with transaction(session):
        period = get_period(session, period_code)
        versions = _rule_versions(session, period, rules)
    return [_run_one(session, period, version, scope, actor, explain) for version in versions]


def _rule_versions(
    session: Session, period: Period, rules: Sequence[str] | None
) -> list[RuleVersion]:
    if rules:
        return [resolve_rule_version(session, reference, period) for reference in rules]
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


def load_subjects(
    session: Session, period_id: int, ruleset: str, scope: Scope
) -> list[StoredSubject]:
    """The current records of the period and rule set of the people in `scope`, joined with
    the organisation, in code order (sorted here, not by the database, whose collations differ)."""
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
    rows = session.connection().execute(statement).all()
    subjects = [StoredSubject(*row[:9]) for row in rows if scope.has_unit(row[9])]
    subjects.sort(key=attrgetter("code"))
    return subjects


def _run_one(
    session: Session,
    period: Period,
    version: RuleVersion,
    scope: Scope,
    actor: str,
    explain: ExplainPolicy,
) -> RunOutcome:
    """One rule version over the period: read, evaluate (outside any transaction), record."""
    started = utc_now()
    read = _read(session, period, version, scope)
    evaluated = _evaluate(read, period, explain)
    return _record(session, period, version, scope, read, evaluated, started, actor)


@dataclass(frozen=True)
class _Read:
    """What a run reads: the rules, the subjects' current records, what it links to."""

    program: Program
    subjects: list[StoredSubject]
    linked: LinkedInput | None


def _read(session: Session, period: Period, version: RuleVersion, scope: Scope) -> _Read:
    assert period.id is not None
    with transaction(session):
        subjects = load_subjects(session, period.id, version.name, scope)
    if not subjects:
        where = f" ({', '.join(scope.named)})" if scope.named else ""
        raise ServiceError(
            Text(
                f"kỳ {period.code}{where} không có dữ liệu cho bộ tiêu chí {version.name}",
                f"period {period.code}{where} has no data for rule set {version.name}",
            )
        )
    program = program_for(version)
    return _Read(program, subjects, linked_input(session, program, period))


@dataclass(frozen=True)
class _Evaluated:
    """What the evaluation gave: the subjects it took part on and their snapshot, and either
    the result rows and grade counts or the error that stopped it."""

    subjects: list[StoredSubject]
    snapshot: str
    rows: list[tuple[object, ...]] = field(default_factory=list)
    grades: dict[str, int] = field(default_factory=dict)
    error: EvaluationError | None = None


def _evaluate(read: _Read, period: Period, explain: ExplainPolicy) -> _Evaluated:
    program, subjects = read.program, read.subjects
    links = read.linked.links if read.linked is not None else None
    cohort = decode_cohort(program, subjects)
    try:
        results = evaluate_linked(program, cohort, period, links)
    except EvaluationError as error:
        return _Evaluated(subjects, snapshot_sha256(subjects), error=error)
    if len(results) != len(subjects):
        # `applies when` left some subjects out; they took no part in the evaluation (not in
        # quotas either), so the run's inputs are those it evaluated.
        evaluated = set(results.codes)
        subjects = [subject for subject in subjects if subject.code in evaluated]
        cohort = decode_cohort(program, subjects)
        results = evaluate_linked(program, cohort, period, links)
    rows = result_rows(program, cohort, results, subjects, explain)
    grades = dict(Counter(grade or "-" for grade in results.grade))
    return _Evaluated(subjects, snapshot_sha256(subjects), rows, grades)


def _record(
    session: Session,
    period: Period,
    version: RuleVersion,
    scope: Scope,
    read: _Read,
    evaluated: _Evaluated,
    started: datetime,
    actor: str,
) -> RunOutcome:
    """The run's row, its results and its audit entry, in one transaction. A failed run is
    recorded with why (its first 100 problems) and without results."""
    assert period.id is not None and version.id is not None
    error, snapshot = evaluated.error, evaluated.snapshot
    linked_runs = read.linked.runs if read.linked is not None else {}
    with writing(session):
        run = EvaluationRun(
            rule_version_id=version.id,
            period_id=period.id,
            scope_json=dumps(list(scope.named)),
            snapshot_sha256=snapshot,
            engine_version=chamdiem.__version__,
            subjects=len(evaluated.subjects),
            status="complete" if error is None else "failed",
            run_by=actor,
            started_at=started,
            finished_at=utc_now(),
        )
        if error is None:
            run.linked_runs_json = dumps({str(k): v for k, v in sorted(linked_runs.items())})
        else:
            run.detail = _failure_detail(error)
        session.add(run)
        session.flush()
        assert run.id is not None
        run_id = run.id
        if error is None:
            bulk_insert(
                session.connection(),
                Result.__table__,  # type: ignore[attr-defined]
                RESULT_COLUMNS,
                [(run_id, *row) for row in evaluated.rows],
                pause_point="run",
            )
        what: dict[str, object] = {
            "period": period.code,
            "ruleset": version.name,
            "rule_sha256": version.sha256,
        }
        if error is None:
            what |= {
                "scope": list(scope.named),
                "subjects": len(evaluated.subjects),
                "snapshot_sha256": snapshot,
                "engine_version": chamdiem.__version__,
                "grades": evaluated.grades,
                "linked_runs": sorted(linked_runs),
            }
        else:
            what |= {"status": "failed", "problems": error.total}
        audit.record(session, actor, "run", "evaluation_runs", run_id, **what)
    common = (len(evaluated.subjects), period.code, version.name, version.sha256, snapshot)
    if error is not None:
        return RunOutcome(
            run_id,
            "failed",
            *common,
            problems=list(error.problems),
            problems_total=error.total,
        )
    return RunOutcome(
        run_id,
        "complete",
        *common,
        evaluated.grades,
        grade_names=[(grade.name, grade.label or grade.name) for grade in read.program.grades],
    )


def _failure_detail(error: EvaluationError) -> str:
    return dumps(
        [
            {"subject": p.subject, "name": p.name, "vi": p.message.vi, "en": p.message.en}
            for p in error.problems[:100]
        ]
    )


def complete_run(
    session: Session, run_id: int, purpose: Text
) -> tuple[EvaluationRun, RuleVersion, Period]:
    """Run `run_id` with its rule version and period; refused when there is no such run or
    when it failed (it has no results to `purpose`: "lập báo cáo", "kiểm chứng", …)."""
    run = session.get(EvaluationRun, run_id)
    if run is None:
        raise NotFound(Text(f"không có lần chạy số {run_id}", f"there is no run {run_id}"))
    if run.status != "complete":
        raise ServiceError(
            Text(
                f"lần chạy {run_id} không thành công nên không có kết quả để {purpose.vi}",
                f"run {run_id} failed, so it has no results to {purpose.en}",
            )
        )
    version = session.get(RuleVersion, run.rule_version_id)
    period = session.get(Period, run.period_id)
    assert version is not None and period is not None
    return run, version, period


def linked_input(session: Session, program: Program, period: Period) -> LinkedInput | None:
    """For a rule set with `needs`, the stored results it reads (the latest of each subject
    in each period concerned); None for one without."""
    if not program.header.needs:
        return None
    with transaction(session):
        program.bind(linked_rule_fields(session, program))
        run_ids = latest_linked_runs(session, program, period)
        if not run_ids:
            needs = ", ".join(program.header.needs)
            raise ServiceError(
                Text(
                    f"bộ tiêu chí {program.header.name} đọc kết quả của {needs}, nhưng kỳ "
                    f"{period.code} (và các kỳ trong đó) chưa có lần đánh giá nào của chúng: "
                    f"chạy các kỳ đó trước",
                    f"rule set {program.header.name} reads the results of {needs}, but "
                    f"{period.code} (and the periods within it) has no run of them yet: run "
                    f"those first",
                )
            )
        linked = load_links(session, program, period, run_ids)
    return linked


def evaluate_linked(
    program: Program, cohort: Cohort, period: Period, links: Links | None
) -> Results:
    """Evaluate, saying in the user's words when a needed result is missing."""
    try:
        return program.evaluate(cohort, period_start=period.start_date, links=links)
    except LinkError as error:
        vi, _, en = str(error).partition(" / ")
        raise ServiceError(Text(vi, en or vi)) from None


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
    ordered = [by_code[code] for code in results.codes]
    # Per value, each subject's `"name":value`; per subject, the members joined in name order.
    members = [
        list(map((member(name)).__add__, scalar_fragments(results.value_column(name))))
        for name in sorted(program.value_names)
    ]
    joined = map(",".join, zip(*members, strict=True)) if members else repeat("", len(ordered))
    values = ["{" + text + "}" for text in joined]
    # A total's text as str(Decimal) writes it, as runs always stored it (the same digits;
    # exponent notation only below 1E-6, possible with precision 7 and more).
    totals = (
        results.total_texts
        if results.precision <= 6
        else [None if total is None else str(total) for total in results.total]
    )
    vetoes, flags, not_graded = results.reason_columns()
    list_texts = {reasons: string_list_text(reasons) for reasons in {*vetoes, *flags, *not_graded}}
    explanations: list[str | None] = [None] * len(ordered)
    for i in range(len(ordered)):
        if explain == "all" or (explain == "flagged" and (vetoes[i] or flags[i] or not_graded[i])):
            explanations[i] = program.explain(cohort, results, i, "vi")
    return list(
        zip(
            [subject.person_id for subject in ordered],
            [subject.record_id for subject in ordered],
            [subject.code for subject in ordered],
            [subject.unit_code for subject in ordered],
            [subject.position_group for subject in ordered],
            [subject.is_head for subject in ordered],
            totals,
            results.score_grade,
            results.grade,
            values,
            map(list_texts.__getitem__, vetoes),
            map(list_texts.__getitem__, flags),
            map(list_texts.__getitem__, not_graded),
            explanations,
            strict=True,
        )
    )
