"""The stored results a rule set with `needs` reads, for a run from the database.

A yearly rule set reads the quarters' results of another (`periods(cong_chuc_quy)`), an
agency's rule set the results of its members, a head's the grade of their unit. In a run from
the database those results are the ones earlier runs stored: for each needed rule set, each
period it is read for (the run's period and the periods within it) and each subject, the result
of the latest complete run of that rule set for that period that evaluated the subject. Which
runs those were is recorded with the new run (`linked_runs`), so that `verify` reads exactly
the same results again, even after newer runs.

The values read are the stored ones: totals, criteria and groups with the rule set's places,
intermediate values as stored (exact unless they did not terminate). Grades are the computed
ones; a council decision does not change what a linked rule set reads.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import sqlalchemy as sa
from sqlmodel import Session, col, select

from chamdiem.dsl.diagnostics import Text
from chamdiem.dsl.links import RESULT_FIELDS, Links, grade_map
from chamdiem.dsl.loader import Program
from chamdiem.dsl.numeric import Num
from chamdiem.dsl.organisation import Organisation
from chamdiem.dsl.periods import Period as PeriodCode
from chamdiem.dsl.values import Data, GradeCol, TextCol
from chamdiem.platform.db.codec import loads
from chamdiem.platform.db.models import (
    Period,
    RuleVersion,
)
from chamdiem.platform.db.tables import people_t, periods_t, results_t, runs_t, units_t, versions_t
from chamdiem.platform.services.errors import ServiceError
from chamdiem.platform.services.rules import program_for


@dataclass(frozen=True)
class StoredRow:
    code: str
    unit: str | None
    total: str | None
    grade: str | None
    score_grade: str | None
    graded: bool
    values: dict[str, object]


class StoredResults:
    """One needed rule set's stored results for one period, as links.py reads them."""

    def __init__(self, rows: Sequence[StoredRow], grade_names: Sequence[str]) -> None:
        self.rows = list(rows)
        self.codes = [row.code for row in self.rows]
        self.units = [row.unit for row in self.rows]
        self.grade_names = list(grade_names)  # the needed rule set's, best first
        self._index = {code: i for i, code in enumerate(self.codes)}

    def index_of(self, code: str) -> int | None:
        return self._index.get(code)

    def field(self, name: str, grades: Sequence[str]) -> Data:
        if name == "graded":
            return np.array([row.graded for row in self.rows], dtype=np.bool_)
        if name in ("grade", "score_grade"):
            top = len(self.grade_names) - 1
            level = {g: top - k for k, g in enumerate(self.grade_names)}
            levels = np.array(
                [level.get(getattr(row, name) or "", -1) for row in self.rows], dtype=np.int64
            )
            return GradeCol(grade_map(self.grade_names, grades)[levels])
        given = [row.total if name == "total" else row.values.get(name) for row in self.rows]
        present = [v for v in given if v is not None]
        if present and all(isinstance(v, bool) for v in present):
            return np.array([v is True for v in given], dtype=np.bool_)
        if present and all(isinstance(v, str) and v in self.grade_names for v in present):
            top = len(self.grade_names) - 1
            level = {g: top - k for k, g in enumerate(self.grade_names)}
            mapped = grade_map(self.grade_names, grades)
            return GradeCol(mapped[np.array([level.get(str(v), -1) for v in given])])
        if present and not all(_is_number(v) for v in present):
            return TextCol(np.array(["" if v is None else str(v) for v in given], dtype=object))
        # A value a subject does not have (a criterion that did not apply, a subject not
        # graded) counts as 0, as it does when the results are in memory.
        num, _ = Num.from_values([Decimal(str(v)) if v is not None else 0 for v in given])
        return num


def _is_number(value: object) -> bool:
    if not isinstance(value, str):
        return False
    try:
        Decimal(value)
    except ArithmeticError:
        return False
    return True


@dataclass(frozen=True)
class LinkedInput:
    """What a run with `needs` read: the links, and the runs they came from (id -> its
    data snapshot), to be recorded with the run."""

    links: Links
    runs: dict[int, str]


def linked_rule_fields(session: Session, program: Program) -> dict[str, tuple[str, ...]]:
    """What each needed rule set offers (`Program.bind`): its latest published version's
    outputs, or the result fields alone when it has none."""
    fields: dict[str, tuple[str, ...]] = {}
    for need in program.header.needs:
        version = session.exec(
            select(RuleVersion).where(RuleVersion.name == need).order_by(col(RuleVersion.id).desc())
        ).first()
        extra = program_for(version).value_names if version is not None else ()
        fields[need] = RESULT_FIELDS + tuple(extra)
    return fields


def latest_linked_runs(session: Session, program: Program, period: Period) -> list[int]:
    """The complete runs a run of `program` for `period` reads: of each needed rule set, for
    the period and every period within it, the runs that hold someone's latest result."""
    if not program.header.needs:
        return []
    contained = _periods_within(session, period)
    candidates = (
        sa.select(results_t.c.subject_code, runs_t.c.period_id, versions_t.c.name, runs_t.c.id)
        .select_from(
            results_t.join(runs_t, runs_t.c.id == results_t.c.run_id).join(
                versions_t, versions_t.c.id == runs_t.c.rule_version_id
            )
        )
        .where(
            runs_t.c.status == "complete",
            runs_t.c.period_id.in_(contained),
            versions_t.c.name.in_(program.header.needs),
        )
    )
    latest: dict[tuple[str, int, str], int] = {}
    for code, period_id, name, run_id in session.connection().execute(candidates):
        key = (code, period_id, name)
        if run_id > latest.get(key, -1):
            latest[key] = run_id
    return sorted(set(latest.values()))


def load_links(
    session: Session, program: Program, period: Period, run_ids: Iterable[int]
) -> LinkedInput:
    """The links made of the results of `run_ids` (a subject in several of them for the
    same rule set and period: the latest run's result)."""
    ids = sorted(set(run_ids))
    runs = (
        session.connection()
        .execute(
            sa.select(
                runs_t.c.id,
                runs_t.c.snapshot_sha256,
                runs_t.c.rule_version_id,
                periods_t.c.code,
                versions_t.c.name,
            )
            .select_from(
                runs_t.join(periods_t, periods_t.c.id == runs_t.c.period_id).join(
                    versions_t, versions_t.c.id == runs_t.c.rule_version_id
                )
            )
            .where(runs_t.c.id.in_(ids), runs_t.c.status == "complete")
        )
        .all()
    )
    if len(runs) != len(ids):
        missing = sorted(set(ids) - {run.id for run in runs})
        raise ServiceError(
            Text(
                f"không còn các lần đánh giá mà lần này đọc kết quả: {missing}",
                f"the runs whose results this one read are gone: {missing}",
            )
        )
    rows: dict[tuple[str, str], dict[str, tuple[int, StoredRow]]] = {}
    grades: dict[str, tuple[int, list[str]]] = {}
    for run in runs:
        version = session.get(RuleVersion, run.rule_version_id)
        assert version is not None
        names = [g.name for g in program_for(version).grades]
        if run.id > grades.get(run.name, (-1, []))[0]:
            grades[run.name] = (run.id, names)
        table = rows.setdefault((run.name, run.code), {})
        for row in _stored_rows(session, run.id):
            if run.id > table.get(row.code, (-1, row))[0]:
                table[row.code] = (run.id, row)
    results: dict[str, dict[PeriodCode, StoredResults]] = {}
    for (name, code), table in rows.items():
        chosen = [row for _, row in sorted(table.values(), key=lambda pair: pair[1].code)]
        results.setdefault(name, {})[PeriodCode.parse(code)] = StoredResults(
            chosen, grades[name][1]
        )
    links = Links(organisation(session), PeriodCode.parse(period.code), results)
    return LinkedInput(links, {run.id: run.snapshot_sha256 for run in runs})


def _periods_within(session: Session, period: Period) -> list[int]:
    return list(
        session.connection()
        .execute(
            sa.select(periods_t.c.id).where(
                periods_t.c.start_date >= period.start_date,
                periods_t.c.end_date <= period.end_date,
            )
        )
        .scalars()
    )


def _stored_rows(session: Session, run_id: int) -> list[StoredRow]:
    statement = sa.select(
        results_t.c.subject_code,
        results_t.c.unit_code,
        results_t.c.total,
        results_t.c.grade,
        results_t.c.score_grade,
        results_t.c.flags_json,
        results_t.c.values_json,
    ).where(results_t.c.run_id == run_id)
    return [
        StoredRow(
            code=row.subject_code,
            unit=row.unit_code,
            total=row.total,
            grade=row.grade,
            score_grade=row.score_grade,
            graded="not_graded" not in loads(row.flags_json),
            values=dict(loads(row.values_json)),
        )
        for row in session.connection().execute(statement)
    ]


def organisation(session: Session) -> Organisation:
    """The unit tree as the language reads it (members, subordinates, heads)."""
    connection = session.connection()
    units = connection.execute(
        sa.select(
            units_t.c.id, units_t.c.code, units_t.c.name, units_t.c.parent_id, units_t.c.head_id
        )
    ).all()
    code_of = {row.id: row.code for row in units}
    head_ids = {row.head_id for row in units if row.head_id is not None}
    head_code = dict(
        connection.execute(
            sa.select(people_t.c.id, people_t.c.code).where(people_t.c.id.in_(head_ids))
        ).all()
    )
    return Organisation(
        [row.code for row in units],
        {row.code: code_of.get(row.parent_id) for row in units},
        {row.code: row.name for row in units},
        {row.code: head_code.get(row.head_id) for row in units},
    )
