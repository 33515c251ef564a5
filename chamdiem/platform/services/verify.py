"""Verifying a run (`chamdiem verify RUN`) and rebuilding an explanation from a stored run.

Verification re-evaluates the run from what it recorded — the stored source of its rule
version and the input records its results point to, with the subject attributes on each
result — and confirms that the data snapshot hash and every stored field of every result are
what the evaluation gives. Each difference is reported with its subject and field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from operator import attrgetter
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

import chamdiem
from chamdiem.dsl.data import Cohort
from chamdiem.dsl.diagnostics import Language, Text
from chamdiem.dsl.inputs import EvaluationError
from chamdiem.dsl.links import Links
from chamdiem.dsl.loader import Program
from chamdiem.dsl.results import Results
from chamdiem.platform.db.codec import loads
from chamdiem.platform.db.engine import transaction
from chamdiem.platform.db.models import (
    EvaluationRun,
    Period,
    RuleVersion,
)
from chamdiem.platform.db.tables import people_t, records_t, results_t
from chamdiem.platform.gc_pause import gc_paused
from chamdiem.platform.services import audit
from chamdiem.platform.services.errors import NotFound
from chamdiem.platform.services.linked_results import linked_rule_fields, load_links
from chamdiem.platform.services.records import StoredSubject, decode_cohort, snapshot_sha256
from chamdiem.platform.services.rules import program_for, version_sha256
from chamdiem.platform.services.runs import (
    RESULT_COLUMNS,
    complete_run,
    evaluate_linked,
    result_rows,
)

DIFFERENCE_LIMIT = 1000


@dataclass(frozen=True)
class Difference:
    """One way the stored run differs from its re-evaluation. `subject` is None for the run
    as a whole (its snapshot hash, its rule text, its number of subjects)."""

    subject: str | None
    field: str
    stored: str | None
    recomputed: str | None


@dataclass
class VerifyReport:
    run_id: int
    subjects: int
    differences: list[Difference] = field(default_factory=list)
    differences_total: int = 0
    engine_version: str = ""  # the version that made the run
    note: Text | None = None  # something to know that is not a difference

    @property
    def ok(self) -> bool:
        return self.differences_total == 0

    def add(self, subject: str | None, name: str, stored: object, recomputed: object) -> None:
        self.differences_total += 1
        if len(self.differences) < DIFFERENCE_LIMIT:
            self.differences.append(Difference(subject, name, _shown(stored), _shown(recomputed)))


def _shown(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value)


# The stored fields a re-evaluation gives, in the order of runs.RESULT_COLUMNS (after the
# subject's own columns and before the explanation, which is compared on its own).
_COMPARED = RESULT_COLUMNS[RESULT_COLUMNS.index("total") : RESULT_COLUMNS.index("explanation")]
_FIRST_COMPARED = RESULT_COLUMNS.index("total") - 1  # result_rows leave out the run id
_COMPARED_SLICE = slice(_FIRST_COMPARED, _FIRST_COMPARED + len(_COMPARED))
_stored_fields = attrgetter(*_COMPARED)


@dataclass
class _StoredRun:
    run: EvaluationRun
    version: RuleVersion
    period: Period
    subjects: list[StoredSubject]
    results: dict[str, sa.Row[*tuple[Any, ...]]]
    # A rule set with `needs`: the results it read (the runs recorded with it), and those
    # runs' snapshots as recorded and as they are now.
    links: Links | None = None
    linked_recorded: dict[int, str] = field(default_factory=dict)
    linked_now: dict[int, str] = field(default_factory=dict)


def _load(session: Session, run_id: int) -> _StoredRun:
    run, version, period = complete_run(session, run_id, Text("kiểm chứng", "verify"))
    # The subject's columns first, in the order of StoredSubject's fields.
    statement = sa.select(
        results_t.c.input_record_id,
        results_t.c.person_id,
        results_t.c.subject_code,
        people_t.c.name.label("person_name"),
        results_t.c.unit_code,
        results_t.c.position_group,
        results_t.c.is_head,
        records_t.c.inputs_json,
        records_t.c.items_json,
        *(results_t.c[name] for name in _COMPARED),
        results_t.c.explanation,
    )
    rows = (
        session.connection()
        .execute(
            statement.select_from(
                results_t.join(records_t, records_t.c.id == results_t.c.input_record_id).join(
                    people_t, people_t.c.id == results_t.c.person_id
                )
            ).where(results_t.c.run_id == run_id)
        )
        .all()
    )
    subjects = [StoredSubject(*row[:9]) for row in rows]
    subjects.sort(key=attrgetter("code"))
    stored = _StoredRun(run, version, period, subjects, {row.subject_code: row for row in rows})
    if version_sha256(version) != version.sha256:
        return stored  # _compare reports it; the text cannot be trusted to read links
    program = program_for(version)
    if program.header.needs:
        # The same results the run read: the runs it recorded, not today's latest.
        stored.linked_recorded = {int(k): v for k, v in loads(run.linked_runs_json).items()}
        program.bind(linked_rule_fields(session, program))
        linked = load_links(session, program, period, stored.linked_recorded)
        stored.links, stored.linked_now = linked.links, linked.runs
    return stored


def _evaluate(stored: _StoredRun) -> tuple[Program, Cohort, Results]:
    program = program_for(stored.version)
    cohort = decode_cohort(program, stored.subjects)
    results = evaluate_linked(program, cohort, stored.period, stored.links)
    return program, cohort, results


@dataclass(frozen=True)
class Reevaluated:
    """A stored run evaluated again from its stored rules and data."""

    program: Program
    cohort: Cohort
    results: Results
    period_start: date


def reevaluate_run(session: Session, run_id: int) -> Reevaluated:
    """Run `run_id` evaluated again from its stored rule version and data snapshot (read in
    one transaction; the evaluation runs after it ends). Nothing is written."""
    with transaction(session):
        stored = _load(session, run_id)
    program, cohort, results = _evaluate(stored)
    return Reevaluated(program, cohort, results, stored.period.start_date)


@gc_paused()
def verify_run(session: Session, run_id: int, *, actor: str) -> VerifyReport:
    """Re-evaluate run `run_id` from its stored rule version and data snapshot and compare.
    The verification itself is written to the audit log."""
    with transaction(session):
        stored = _load(session, run_id)
        report = _compare(stored)
        audit.record(
            session,
            actor,
            "verify",
            "evaluation_runs",
            run_id,
            ok=report.ok,
            differences=report.differences_total,
            engine_version=chamdiem.__version__,
        )
    return report


def _compare(stored: _StoredRun) -> VerifyReport:
    run, version = stored.run, stored.version
    report = VerifyReport(run.id or 0, len(stored.subjects), engine_version=run.engine_version)
    if run.engine_version != chamdiem.__version__:
        report.note = Text(
            f"lần chạy do phiên bản {run.engine_version} thực hiện; đang kiểm chứng bằng "
            f"{chamdiem.__version__}",
            f"the run was made by version {run.engine_version}; verifying with "
            f"{chamdiem.__version__}",
        )
    actual_sha = version_sha256(version)
    if actual_sha != version.sha256:
        report.add(None, "rule_version.sha256", version.sha256, actual_sha)
        return report  # the rules themselves are not the ones published: nothing to compare
    if run.subjects != len(stored.subjects):
        report.add(None, "subjects", run.subjects, len(stored.subjects))
    snapshot = snapshot_sha256(stored.subjects)
    if snapshot != run.snapshot_sha256:
        report.add(None, "snapshot_sha256", run.snapshot_sha256, snapshot)
    for linked_id, recorded in sorted(stored.linked_recorded.items()):
        now = stored.linked_now.get(linked_id)
        if now != recorded:
            report.add(None, f"linked_runs.{linked_id}.snapshot_sha256", recorded, now)
    try:
        program, cohort, results = _evaluate(stored)
    except EvaluationError as error:
        first = error.problems[0] if error.problems else None
        report.add(
            first.subject if first else None,
            "evaluation",
            "complete",
            f"failed: {first.message.en}" if first else "failed",
        )
        return report
    if len(results) != len(stored.subjects):
        missing = sorted(set(stored.results) - set(results.codes))
        for code in missing:
            report.add(code, "result", "stored", None)
    # Each result as the run would store it now, compared with what is stored as a whole;
    # only a result that differs is taken apart field by field.
    expected = result_rows(program, cohort, results, stored.subjects, "none")
    for i, (code, again) in enumerate(zip(results.codes, expected, strict=True)):
        row = stored.results[code]
        if _stored_fields(row) != again[_COMPARED_SLICE]:
            _differences(report, code, row, again, program, results, i)
        if row.explanation is not None:
            text = program.explain(cohort, results, i, "vi")
            if text != row.explanation:
                report.add(code, "explanation", _first_line_differing(row.explanation, text), "")
    return report


def _differences(
    report: VerifyReport,
    code: str,
    row: sa.Row[*tuple[Any, ...]],
    again: tuple[object, ...],
    program: Program,
    results: Results,
    i: int,
) -> None:
    """Report, field by field, how a stored result differs from its re-evaluation."""
    before = report.differences_total
    _field(report, code, "total", row.total, again[_FIRST_COMPARED])
    _field(report, code, "score_grade", row.score_grade, results.score_grade[i])
    _field(report, code, "grade", row.grade, results.grade[i])
    names = program.value_names
    values = loads(row.values_json)
    for name in names:
        _field(report, code, f"values.{name}", values.get(name), results.value_column(name)[i])
    for extra in sorted(set(values) - set(names)):
        report.add(code, f"values.{extra}", values[extra], None)
    _field(report, code, "vetoes", loads(row.vetoes_json), results.vetoes(i))
    _field(report, code, "flags", loads(row.flags_json), results.flags(i))
    _field(report, code, "not_graded", loads(row.not_graded_json), results.exclusions(i))
    if report.differences_total == before:  # equal values, written differently
        for name, stored, text in zip(
            _COMPARED, _stored_fields(row), again[_COMPARED_SLICE], strict=True
        ):
            if stored != text:
                report.add(code, name, stored, text)


def _field(report: VerifyReport, code: str, name: str, stored: object, again: object) -> None:
    if stored != again or type(stored) is not type(again):
        report.add(code, name, stored, again)


def _first_line_differing(stored: str, again: str) -> str:
    for line_stored, line_again in zip(stored.splitlines(), again.splitlines(), strict=False):
        if line_stored != line_again:
            return f"{line_stored!r} ≠ {line_again!r}"
    return "(length differs)"


def explain_result(session: Session, run_id: int, code: str, language: Language) -> str:
    """How a subject's result in a stored run came about (stored, or rebuilt from the run's
    rules and data when the run kept explanations only for flagged subjects)."""
    with transaction(session):
        stored = _load(session, run_id)
    row = stored.results.get(code)
    if row is None:
        raise NotFound(
            Text(
                f"lần chạy {run_id} không có đối tượng mã '{code}'",
                f"run {run_id} has no subject with code '{code}'",
            )
        )
    if row.explanation is not None and language == "vi":
        return str(row.explanation)
    program, cohort, results = _evaluate(stored)
    index = results.index_of(code)
    assert index is not None
    return program.explain(cohort, results, index, language)
