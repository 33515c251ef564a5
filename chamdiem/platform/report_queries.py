"""What the template, the report and the evaluation form read from the database: a stored run
with its rule version and period, its results joined with the people and the latest council
decision on each, the unit tree, and the people in a scope.

Reads only; each function leaves the session's transaction to its caller. Rows are sorted
here (by code), not by the database, whose collations differ between SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, col, select

from chamdiem.dsl.diagnostics import Text
from chamdiem.dsl.loader import Program
from chamdiem.platform.db.codec import loads
from chamdiem.platform.db.models import (
    EvaluationRun,
    Period,
    Person,
    Result,
    RuleVersion,
)
from chamdiem.platform.db.tables import decisions_t, people_t, results_t, units_t
from chamdiem.platform.services.errors import NotFound
from chamdiem.platform.services.rules import program_for
from chamdiem.platform.services.runs import complete_run
from chamdiem.platform.services.scope import Scope


@dataclass(frozen=True)
class StoredRun:
    run: EvaluationRun
    version: RuleVersion
    period: Period
    program: Program

    @property
    def id(self) -> int:
        assert self.run.id is not None
        return self.run.id


@dataclass(frozen=True, slots=True)
class Decision:
    """The latest council decision on a result."""

    final_grade: str
    reason: str
    document_number: str
    document_date: date
    decided_by: str


@dataclass(slots=True)
class ResultLine:
    """One subject's stored result with what a report shows beside it."""

    result_id: int
    code: str
    name: str | None
    position: str | None
    position_group: str | None
    unit_code: str | None
    is_head: bool
    total: str | None
    score_grade: str | None
    grade: str | None
    values: dict[str, object]
    vetoes: list[str]
    flags: list[str]
    not_graded: list[str]
    decision: Decision | None

    @property
    def final_grade(self) -> str | None:
        """The grade that counts: the competent authority's when it decided, else computed."""
        return self.decision.final_grade if self.decision else self.grade


@dataclass(frozen=True, slots=True)
class UnitInfo:
    id: int
    code: str
    name: str
    parent_code: str | None


@dataclass(frozen=True, slots=True)
class PersonLine:
    code: str
    name: str | None
    unit_code: str | None
    unit_name: str | None
    position: str | None
    position_group: str | None
    is_head: bool


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


def unit_order(units: dict[str, UnitInfo], codes: Iterable[str | None]) -> list[str | None]:
    """`codes` in the order of the unit tree (depth first, children by code); codes that are
    not units (and None, people without a unit) come last."""
    children: dict[str | None, list[str]] = {}
    for unit in units.values():
        parent = unit.parent_code if unit.parent_code in units else None
        children.setdefault(parent, []).append(unit.code)
    position: dict[str, int] = {}
    stack = sorted(children.get(None, []), reverse=True)
    while stack:
        code = stack.pop()
        if code in position:
            continue
        position[code] = len(position)
        stack.extend(sorted(children.get(code, []), reverse=True))
    wanted = set(codes)
    known = sorted((c for c in wanted if c is not None and c in position), key=position.__getitem__)
    others = sorted(c for c in wanted if c is not None and c not in position)
    return [*known, *others, *([None] if None in wanted else [])]


def ancestors(units: dict[str, UnitInfo], code: str | None) -> list[UnitInfo]:
    """The unit and the units above it, the top one first."""
    chain: list[UnitInfo] = []
    seen: set[str] = set()
    while code is not None and code in units and code not in seen:
        seen.add(code)
        chain.append(units[code])
        code = units[code].parent_code
    return chain[::-1]


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
