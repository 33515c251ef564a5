"""Explanations and quota checks for stored runs.

A run stores the explanation of its flagged subjects only; anyone else's is rebuilt from the
run's stored rules and data (`chamdiem.platform.services.verify`). Rebuilding re-evaluates the
whole run (quotas need everyone), so the last few evaluated runs are kept in memory: the next
person of the same run is explained at once. A run never changes, so nothing goes stale.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlmodel import Session

from chamdiem.dsl.explain import Decision, Explanation, explain_for_people
from chamdiem.dsl.results import Results
from chamdiem.platform.db.tables import decisions_t, results_t
from chamdiem.platform.services.verify import Reevaluated, reevaluate_run

KEEP_RUNS = 4


class EvaluationCache:
    """The latest runs re-evaluated, by database and run id (a stored run never changes; a
    process may serve, or a test suite open, more than one database)."""

    def __init__(self, size: int = KEEP_RUNS) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._runs: OrderedDict[tuple[str, int], Reevaluated] = OrderedDict()

    def get(self, session: Session, run_id: int) -> Reevaluated:
        key = (str(session.get_bind().engine.url), run_id)
        with self._lock:
            found = self._runs.get(key)
            if found is not None:
                self._runs.move_to_end(key)
                return found
        evaluated = reevaluate_run(session, run_id)
        with self._lock:
            self._runs[key] = evaluated
            while len(self._runs) > self._size:
                self._runs.popitem(last=False)
        return evaluated


_CACHE = EvaluationCache()


def explanation(session: Session, run_id: int, code: str) -> str:
    """How the subject's result came about, in Vietnamese (the stored text when the run kept
    one, else rebuilt exactly from the run)."""
    stored = (
        session.connection()
        .execute(
            sa.select(results_t.c.explanation).where(
                results_t.c.run_id == run_id, results_t.c.subject_code == code
            )
        )
        .scalar_one_or_none()
    )
    session.commit()
    if stored is not None:
        return str(stored)
    evaluated = _CACHE.get(session, run_id)
    index = evaluated.results.index_of(code)
    if index is None:
        return ""
    return evaluated.program.explain(evaluated.cohort, evaluated.results, index, "vi")


def person_decision(decisions: list[Any]) -> Decision | None:
    """The latest council decision (rows newest first, as `queries.decisions` gives them)."""
    if not decisions:
        return None
    latest = decisions[0]
    return Decision(latest.final_grade, latest.document_number, latest.reason)


def people_explanation(
    session: Session, run_id: int, code: str, decision: Decision | None = None
) -> Explanation | None:
    """The explanation a person reads (the form's table, sentences, what it would take),
    rebuilt from the run; None when the subject is not in it."""
    evaluated = _CACHE.get(session, run_id)
    index = evaluated.results.index_of(code)
    if index is None:
        return None
    return explain_for_people(
        evaluated.program,
        evaluated.cohort,
        evaluated.results,
        index,
        "vi",
        decision=decision,
        period_start=evaluated.period_start,
    )


@dataclass(frozen=True)
class QuotaWarning:
    grade: str
    limit: int
    holders: int  # subjects of the group who hold the grade once this decision is made


def quota_warnings(
    session: Session, run_id: int, code: str, final_grade: str
) -> list[QuotaWarning]:
    """The quotas that giving `final_grade` to the subject would break: per quota on that
    grade, the subject's group may hold at most `limit`, counting every subject's final grade
    (the latest council decision, else the computed grade)."""
    evaluated = _CACHE.get(session, run_id)
    program, results = evaluated.program, evaluated.results
    index = results.index_of(code)
    if index is None:
        return []
    names = [grade.name for grade in program.grades]
    if final_grade not in names:
        return []
    level = len(names) - 1 - names.index(final_grade)
    compiled = program.compiled(evaluated.period_start)
    outcomes = results.evaluation.quota_outcomes
    if not outcomes:
        return []
    finals = _final_grades(session, run_id, results)
    finals[index] = final_grade
    holders_mask = np.asarray([grade == final_grade for grade in finals], dtype=np.bool_)
    warnings: list[QuotaWarning] = []
    for quota, outcome in zip(compiled.quotas, outcomes, strict=False):
        if quota.grade_level != level:
            continue
        group = outcome.group[index]
        in_group = outcome.group == group
        limit = int(outcome.limit[index])
        holders = int(np.count_nonzero(holders_mask & in_group))
        if holders > limit:
            warnings.append(QuotaWarning(final_grade, limit, holders))
    return warnings


def _final_grades(session: Session, run_id: int, results: Results) -> list[str | None]:
    latest = (
        sa.select(decisions_t.c.result_id, sa.func.max(decisions_t.c.id).label("id"))
        .join(results_t, results_t.c.id == decisions_t.c.result_id)
        .where(results_t.c.run_id == run_id)
        .group_by(decisions_t.c.result_id)
        .subquery()
    )
    rows = session.connection().execute(
        sa.select(results_t.c.subject_code, decisions_t.c.final_grade)
        .join(decisions_t, decisions_t.c.result_id == results_t.c.id)
        .join(latest, latest.c.id == decisions_t.c.id)
    )
    decided = {code: grade for code, grade in rows}
    session.commit()
    return [
        decided.get(code, grade) for code, grade in zip(results.codes, results.grade, strict=True)
    ]
