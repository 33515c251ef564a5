"""What the template, the report and the evaluation form read from the database: a stored run
with its rule version and period, its results joined with the people and the latest council
decision on each, the unit tree, and the people in a scope.

`run_report` and `person_form` are the use cases: each reads, in one transaction, all that
its workbook shows and hands it over as plain data (`chamdiem.platform.report_data`) for the
renderer in `excel/` to lay out. The other functions read only and leave the session's
transaction to their caller. Rows are sorted here (by code), not by the database, whose
collations differ between SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlmodel import Session, col, select

from chamdiem.dsl.diagnostics import Text
from chamdiem.platform.db.codec import loads
from chamdiem.platform.db.engine import transaction
from chamdiem.platform.db.models import (
    EvaluationRun,
    Period,
    Person,
    Result,
    RuleVersion,
)
from chamdiem.platform.db.tables import decisions_t, people_t, results_t, units_t
from chamdiem.platform.gc_pause import gc_paused
from chamdiem.platform.report_data import (
    Decision,
    PersonForm,
    PersonLine,
    ResultLine,
    RunReport,
    StoredRun,
    UnitInfo,
    ancestors,
)
from chamdiem.platform.services.errors import NotFound, ServiceError
from chamdiem.platform.services.periods import get_period
from chamdiem.platform.services.rules import program_for
from chamdiem.platform.services.runs import complete_run
from chamdiem.platform.services.scope import Scope

# ---------------------------------------------------------------- what a workbook shows


@gc_paused()
def run_report(session: Session, run_id: int) -> RunReport:
    """What the official workbook of run `run_id` shows. Raises NotFound / ServiceError for
    an unknown or failed run."""
    with transaction(session):
        stored = load_run(session, run_id)
        lines = load_results(session, run_id)
        units = load_units(session)
    return RunReport(stored, lines, units)


def person_form(
    session: Session,
    person_code: str,
    period_code: str,
    *,
    rules: str | None = None,
    run_id: int | None = None,
) -> PersonForm:
    """What the form of `person_code` for the period shows: the result of the newest complete
    run that has one for them (`rules` or `run_id` choose when several rule sets graded
    them). Raises NotFound for an unknown person or period or no such result, ServiceError
    when the person has results under several rule sets and none was chosen."""
    with transaction(session):
        period = get_period(session, period_code)
        person = find_person(session, person_code)
        runs = runs_of_person(session, person.code, period)
        if run_id is not None:
            runs = [run for run in runs if run.id == run_id]
        if rules is not None:
            runs = [run for run in runs if rules in (run.version.name, run.version.sha256)]
        if not runs:
            raise NotFound(_no_result(person.code, period.code, rules, run_id))
        names = sorted({run.version.name for run in runs})
        if len(names) > 1:
            raise ServiceError(
                Text(
                    f"người mã {person.code} có kết quả theo {len(names)} bộ tiêu chí trong kỳ "
                    f"{period.code} ({', '.join(names)}); chọn bằng --rules",
                    f"{person.code} has results under {len(names)} rule sets in period "
                    f"{period.code} ({', '.join(names)}); choose one with --rules",
                )
            )
        stored = runs[0]
        [line] = load_results(session, stored.id, [person.code])
        units = load_units(session)
    chain = ancestors(units, line.unit_code)
    unit_names = [unit.name for unit in chain] or ([line.unit_code] if line.unit_code else [])
    return PersonForm(stored, line, unit_names)


def _no_result(code: str, period: str, rules: str | None, run_id: int | None) -> Text:
    which_vi = f" theo bộ tiêu chí {rules}" if rules else ""
    which_en = f" under rule set {rules}" if rules else ""
    if run_id is not None:
        which_vi += f" ở lần chạy số {run_id}"
        which_en += f" in run {run_id}"
    return Text(
        f"chưa có kết quả đánh giá của người mã {code} trong kỳ {period}{which_vi}; chạy "
        f"`chamdiem run --period {period}` trước",
        f"there is no evaluation result for {code} in period {period}{which_en}; run "
        f"`chamdiem run --period {period}` first",
    )


# ---------------------------------------------------------------- runs


def load_run(session: Session, run_id: int) -> StoredRun:
    """The run with its rule version (compiled) and period; a failed run has nothing to
    report."""
    run, version, period = complete_run(session, run_id, Text("lập báo cáo", "report"))
    return StoredRun(run, version, period, program_for(version))


def load_results(
    session: Session, run_id: int, codes: Iterable[str] | None = None
) -> list[ResultLine]:
    """The run's results (only these subject codes, when given), in code order."""
    statement = (
        sa.select(
            results_t.c.id,
            results_t.c.subject_code,
            people_t.c.name,
            people_t.c.position,
            results_t.c.position_group,
            results_t.c.unit_code,
            results_t.c.is_head,
            results_t.c.total,
            results_t.c.score_grade,
            results_t.c.grade,
            results_t.c.values_json,
            results_t.c.vetoes_json,
            results_t.c.flags_json,
            results_t.c.not_graded_json,
        )
        .select_from(results_t.join(people_t, people_t.c.id == results_t.c.person_id))
        .where(results_t.c.run_id == run_id)
    )
    wanted = None if codes is None else list(codes)
    if wanted is not None:
        statement = statement.where(results_t.c.subject_code.in_(wanted))
    decisions = latest_decisions(session, run_id)
    lines = [
        ResultLine(
            row[0],
            row[1],
            row[2],
            row[3],
            row[4],
            row[5],
            bool(row[6]),
            row[7],
            row[8],
            row[9],
            loads(row[10]),
            _string_list(row[11]),
            _string_list(row[12]),
            _string_list(row[13]),
            decisions.get(row[0]),
        )
        for row in session.connection().execute(statement).all()
    ]
    lines.sort(key=lambda line: line.code)
    return lines


def _string_list(text: str) -> list[str]:
    return [] if text == "[]" else [str(item) for item in loads(text)]


def latest_decisions(session: Session, run_id: int) -> dict[int, Decision]:
    """Result id -> the latest council decision on it (a later one takes precedence)."""
    statement = (
        sa.select(
            decisions_t.c.result_id,
            decisions_t.c.final_grade,
            decisions_t.c.reason,
            decisions_t.c.document_number,
            decisions_t.c.document_date,
            decisions_t.c.decided_by,
        )
        .select_from(decisions_t.join(results_t, results_t.c.id == decisions_t.c.result_id))
        .where(results_t.c.run_id == run_id)
        .order_by(decisions_t.c.id)
    )
    return {
        row[0]: Decision(row[1], row[2], row[3], row[4], row[5])
        for row in session.connection().execute(statement)
    }


def runs_of_person(session: Session, person_code: str, period: Period) -> list[StoredRun]:
    """The complete runs of the period that have a result for this person, newest first."""
    statement = (
        select(EvaluationRun)
        .join(Result, col(Result.run_id) == col(EvaluationRun.id))
        .where(
            EvaluationRun.period_id == period.id,
            EvaluationRun.status == "complete",
            Result.subject_code == person_code,
        )
        .order_by(col(EvaluationRun.id).desc())
    )
    runs: list[StoredRun] = []
    for run in session.exec(statement).all():
        version = session.get(RuleVersion, run.rule_version_id)
        assert version is not None
        runs.append(StoredRun(run, version, period, program_for(version)))
    return runs


# ---------------------------------------------------------------- the organisation


def load_units(session: Session) -> dict[str, UnitInfo]:
    """Every unit by code."""
    rows = (
        session.connection()
        .execute(sa.select(units_t.c.id, units_t.c.code, units_t.c.name, units_t.c.parent_id))
        .all()
    )
    code_of = {row.id: row.code for row in rows}
    return {
        row.code: UnitInfo(row.id, row.code, row.name, code_of.get(row.parent_id)) for row in rows
    }


def people_of(session: Session, scope: Scope) -> list[PersonLine]:
    """The people in `scope`, in code order."""
    statement = (
        sa.select(
            people_t.c.code,
            people_t.c.name,
            units_t.c.code,
            units_t.c.name,
            people_t.c.position,
            people_t.c.position_group,
            people_t.c.is_head,
        )
        .select_from(people_t.outerjoin(units_t, units_t.c.id == people_t.c.unit_id))
        .where(scope.unit_id_filter(people_t.c.unit_id))
    )
    people = [
        PersonLine(row[0], row[1], row[2], row[3], row[4], row[5], bool(row[6]))
        for row in session.connection().execute(statement)
    ]
    people.sort(key=lambda person: person.code)
    return people


def find_person(session: Session, code: str) -> Person:
    person = session.exec(select(Person).where(Person.code == code.strip())).first()
    if person is None:
        raise NotFound(
            Text(f"không có người mã '{code}' trong tổ chức", f"no person with code '{code}'")
        )
    return person
