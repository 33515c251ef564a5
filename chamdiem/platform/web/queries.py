"""What the pages and the API read, each query already limited to the asking user's scope
(`access.unit_filter` / `access.result_filter` in its WHERE clause), so that nothing outside it
is read at all. Reads only: every change goes through `chamdiem.platform.services`."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from chamdiem.dsl.diagnostics import Text, fold
from chamdiem.platform.db.codec import loads
from chamdiem.platform.db.models import (
    RuleVersion,
)
from chamdiem.platform.db.tables import (
    audit_t,
    decisions_t,
    imports_t,
    people_t,
    periods_t,
    results_t,
    runs_t,
    versions_t,
)
from chamdiem.platform.limits import MAX_SEARCH
from chamdiem.platform.services.errors import ServiceError, too_long
from chamdiem.platform.services.rules import program_for
from chamdiem.platform.web.access import (
    Principal,
    UnitTree,
    not_found,
    person_visible,
    result_filter,
    result_visible,
    unit_filter,
    unit_visible,
)

PAGE_SIZE = 200


def _conn(session: Session) -> sa.Connection:
    return session.connection()


_STAMP = sa.select(sa.func.max(audit_t.c.id))


def data_stamp(session: Session) -> int:
    """The id of the latest audit-log entry: it changes with every change to the data (see
    fragments.py)."""
    return int(_conn(session).execute(_STAMP).scalar() or 0)


# ---------------------------------------------------------------- periods and rules


def periods(session: Session) -> list[Any]:
    return list(
        _conn(session)
        .execute(sa.select(periods_t).order_by(periods_t.c.start_date.desc(), periods_t.c.code))
        .all()
    )


def rule_versions(session: Session) -> list[Any]:
    return list(
        _conn(session)
        .execute(
            sa.select(
                versions_t.c.id,
                versions_t.c.sha256,
                versions_t.c.name,
                versions_t.c.title,
                versions_t.c.subject,
                versions_t.c.period_kind,
                versions_t.c.effective_from,
                versions_t.c.effective_until,
                versions_t.c.published_by,
                versions_t.c.published_at,
                versions_t.c.git_commit,
                versions_t.c.file_path,
            ).order_by(versions_t.c.name, versions_t.c.id.desc())
        )
        .all()
    )


def rule_version(session: Session, version_id: int) -> RuleVersion:
    version = session.get(RuleVersion, version_id)
    if version is None:
        raise not_found()
    return version


def _grades(session: Session, version_id: int) -> list[tuple[str, str]]:
    """A rule version's grades, best first, with their labels. A version never changes, so
    they are kept by its SHA-256 (compiling, even cached, would be the page's largest cost)."""
    sha = (
        _conn(session)
        .execute(sa.select(versions_t.c.sha256).where(versions_t.c.id == version_id))
        .scalar_one_or_none()
    )
    if sha is None:
        return []
    found = _GRADES.get(sha)
    if found is not None:
        return found
    # One thread compiles; the others wait for it rather than compile the same rules too.
    with _COMPILING:
        found = _GRADES.get(sha)
        if found is None:
            version = session.get(RuleVersion, version_id)
            assert version is not None
            try:
                program = program_for(version)
            except ServiceError:
                return []
            found = [(grade.name, grade.label or grade.name) for grade in program.grades]
            _GRADES[sha] = found
    return found


_GRADES: dict[str, list[tuple[str, str]]] = {}
_COMPILING = threading.Lock()


def warm_grades(session: Session, runs_back: int = 50) -> int:
    """Compile, before the process takes requests, the rule versions of the latest runs
    (the pages read them first): otherwise the first readers of a fresh process wait for the
    compile, seconds on a busy machine. How many versions were compiled."""
    latest = (
        sa.select(runs_t.c.rule_version_id)
        .where(runs_t.c.status == "complete")
        .order_by(runs_t.c.id.desc())
        .limit(runs_back)
        .subquery()
    )
    version_ids = _conn(session).execute(sa.select(latest.c.rule_version_id).distinct()).scalars()
    return sum(1 for version_id in list(version_ids) if _grades(session, version_id))


def grade_labels(session: Session, version_id: int) -> dict[str, str]:
    """Grade name -> label of a rule version ('xuat_sac' -> 'Hoàn thành xuất sắc nhiệm vụ')."""
    return dict(_grades(session, version_id))


def grade_order(session: Session, version_id: int) -> list[str]:
    return [name for name, _ in _grades(session, version_id)]


# ---------------------------------------------------------------- runs


@dataclass(frozen=True)
class RunRow:
    id: int
    period: str
    period_id: int
    ruleset: str
    rule_version_id: int
    rule_sha256: str
    status: str
    subjects: int  # the subjects the user may see
    run_by: str
    started_at: datetime
    finished_at: datetime
    scope: list[str]
    detail: str | None
    ruleset_title: str = ""  # the rule file's title, what a person reads instead of the name


def _run_columns() -> list[Any]:
    return [
        runs_t.c.id,
        periods_t.c.code.label("period"),
        runs_t.c.period_id,
        versions_t.c.name.label("ruleset"),
        runs_t.c.rule_version_id,
        versions_t.c.sha256.label("rule_sha256"),
        runs_t.c.status,
        runs_t.c.subjects,
        runs_t.c.run_by,
        runs_t.c.started_at,
        runs_t.c.finished_at,
        runs_t.c.scope_json,
        runs_t.c.detail,
        versions_t.c.title.label("ruleset_title"),
    ]


def _runs_from() -> Any:
    return runs_t.join(periods_t, periods_t.c.id == runs_t.c.period_id).join(
        versions_t, versions_t.c.id == runs_t.c.rule_version_id
    )


def _run_visible_clause(principal: Principal) -> sa.ColumnElement[bool]:
    """A run is visible to a scoped user when it has a result in their scope, or when they
    started it themselves (a failed run has no results)."""
    if principal.whole_province:
        return sa.true()
    has_result = sa.exists(
        sa.select(sa.literal(1))
        .select_from(results_t)
        .where(
            results_t.c.run_id == runs_t.c.id,
            result_filter(principal, results_t.c.unit_code, results_t.c.person_id),
        )
    )
    if not principal.permissions:
        return sa.false()
    return sa.or_(has_result, runs_t.c.run_by == principal.username)


def runs(
    session: Session,
    principal: Principal,
    *,
    period_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[RunRow]:
    from chamdiem.platform.web.access import Action

    if Action.READ_ORG not in principal.permissions:
        return []
    statement = (
        sa.select(*_run_columns())
        .select_from(_runs_from())
        .where(_run_visible_clause(principal))
        .order_by(runs_t.c.id.desc())
        .limit(limit)
        .offset(offset)
    )
    if period_id is not None:
        statement = statement.where(runs_t.c.period_id == period_id)
    rows = _conn(session).execute(statement).all()
    counts = _visible_counts(session, principal, [row.id for row in rows])
    return [_run_row(row, counts) for row in rows]


def _visible_counts(session: Session, principal: Principal, run_ids: list[int]) -> dict[int, int]:
    if principal.whole_province or not run_ids:
        return {}
    statement = (
        sa.select(results_t.c.run_id, sa.func.count())
        .where(
            results_t.c.run_id.in_(run_ids),
            result_filter(principal, results_t.c.unit_code, results_t.c.person_id),
        )
        .group_by(results_t.c.run_id)
    )
    found = {run_id: int(n) for run_id, n in _conn(session).execute(statement)}
    return {run_id: found.get(run_id, 0) for run_id in run_ids}


def _run_row(row: Any, counts: dict[int, int]) -> RunRow:
    return RunRow(
        id=row.id,
        period=row.period,
        period_id=row.period_id,
        ruleset=row.ruleset,
        rule_version_id=row.rule_version_id,
        rule_sha256=row.rule_sha256,
        status=row.status,
        subjects=counts.get(row.id, row.subjects),
        run_by=row.run_by,
        started_at=row.started_at,
        finished_at=row.finished_at,
        scope=list(loads(row.scope_json)),
        detail=row.detail,
        ruleset_title=row.ruleset_title or row.ruleset,
    )


def run(session: Session, principal: Principal, run_id: int) -> RunRow:
    """A run the user may see; 404 otherwise (whether or not it exists)."""
    from chamdiem.platform.web.access import Action

    if Action.READ_ORG not in principal.permissions:
        raise not_found()
    row = (
        _conn(session)
        .execute(
            sa.select(*_run_columns())
            .select_from(_runs_from())
            .where(runs_t.c.id == run_id, _run_visible_clause(principal))
        )
        .first()
    )
    if row is None:
        raise not_found()
    return _run_row(row, _visible_counts(session, principal, [run_id]))


@dataclass(frozen=True)
class ResultRow:
    id: int
    run_id: int
    code: str
    name: str | None
    unit_code: str | None
    position_group: str | None
    is_head: bool
    total: str | None
    score_grade: str | None
    grade: str | None
    vetoes: list[str]
    flags: list[str]
    not_graded: list[str]
    final_grade: str | None  # the latest council decision, if any


def _result_columns() -> list[Any]:
    latest = (
        sa.select(decisions_t.c.final_grade)
        .where(decisions_t.c.result_id == results_t.c.id)
        .order_by(decisions_t.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    return [
        results_t.c.id,
        results_t.c.run_id,
        results_t.c.subject_code,
        people_t.c.name,
        results_t.c.unit_code,
        results_t.c.position_group,
        results_t.c.is_head,
        results_t.c.total,
        results_t.c.score_grade,
        results_t.c.grade,
        results_t.c.vetoes_json,
        results_t.c.flags_json,
        results_t.c.not_graded_json,
        latest.label("final_grade"),
    ]


def _result_row(row: Any) -> ResultRow:
    return ResultRow(
        id=row.id,
        run_id=row.run_id,
        code=row.subject_code,
        name=row.name,
        unit_code=row.unit_code,
        position_group=row.position_group,
        is_head=bool(row.is_head),
        total=row.total,
        score_grade=row.score_grade,
        grade=row.grade,
        vetoes=_strings(row.vetoes_json),
        flags=_strings(row.flags_json),
        not_graded=_strings(row.not_graded_json),
        final_grade=row.final_grade,
    )


def _strings(text: str) -> list[str]:
    """A stored list of strings; most are empty, and those need no JSON decoding."""
    return [] if text == "[]" else list(loads(text))


def _by_code(row: ResultRow) -> str:
    return row.code


def run_results(
    session: Session,
    principal: Principal,
    run_id: int,
    *,
    unit_code: str | None = None,
    unit_codes: Sequence[str] | None = None,
    search: str | None = None,
    limit: int | None = PAGE_SIZE,
    offset: int = 0,
) -> tuple[list[ResultRow], int]:
    """The run's results in the user's scope (one unit's, or those of several units, when
    asked), in code order, and how many there are in all."""
    where = [
        results_t.c.run_id == run_id,
        result_filter(principal, results_t.c.unit_code, results_t.c.person_id),
    ]
    if unit_code:
        where.append(results_t.c.unit_code == unit_code)
    if unit_codes is not None:
        where.append(results_t.c.unit_code.in_(sorted(unit_codes)))
    statement = (
        sa.select(*_result_columns())
        .select_from(results_t.join(people_t, people_t.c.id == results_t.c.person_id))
        .where(*where)
    )
    # Sorted here, not by the database: an ORDER BY on the code leads SQLite to walk the
    # whole run through the (run, code) index instead of the unit's few rows.
    rows = sorted((_result_row(row) for row in _conn(session).execute(statement)), key=_by_code)
    if search and search.strip():
        wanted = fold(search.strip())
        rows = [r for r in rows if wanted in fold(r.code) or wanted in fold(r.name or "")]
    total = len(rows)
    if limit is not None:
        rows = rows[offset : offset + limit]
    return rows, total


def result(session: Session, principal: Principal, run_id: int, code: str) -> ResultRow:
    row = (
        _conn(session)
        .execute(
            sa.select(*_result_columns(), results_t.c.person_id)
            .select_from(results_t.join(people_t, people_t.c.id == results_t.c.person_id))
            .where(results_t.c.run_id == run_id, results_t.c.subject_code == code)
        )
        .first()
    )
    if row is None or not result_visible(principal, row.unit_code, row.person_id):
        raise not_found()
    return _result_row(row)


def result_codes(session: Session, principal: Principal, run_id: int, unit_code: str) -> set[str]:
    """The codes of the people the run evaluated in the unit."""
    statement = sa.select(results_t.c.subject_code).where(
        results_t.c.run_id == run_id,
        results_t.c.unit_code == unit_code,
        result_filter(principal, results_t.c.unit_code, results_t.c.person_id),
    )
    return set(_conn(session).execute(statement).scalars())


def hidden_results(session: Session, principal: Principal, run_id: int) -> int:
    """How many results of the run the user may not see (0: they may have the whole run)."""
    if principal.whole_province:
        return 0
    count = _conn(session).execute(
        sa.select(sa.func.count())
        .select_from(results_t)
        .where(
            results_t.c.run_id == run_id,
            sa.not_(result_filter(principal, results_t.c.unit_code, results_t.c.person_id)),
        )
    )
    return int(count.scalar_one())


def result_values(session: Session, result_id: int) -> dict[str, Any]:
    text = (
        _conn(session)
        .execute(sa.select(results_t.c.values_json).where(results_t.c.id == result_id))
        .scalar_one()
    )
    values: dict[str, Any] = loads(text)
    return values


def grade_distribution(
    session: Session, principal: Principal, run_id: int
) -> dict[str | None, Counter[str]]:
    """Per unit code, how many results of the run ended with each grade (final decisions
    not counted: this is what the rules gave)."""
    statement = (
        sa.select(results_t.c.unit_code, results_t.c.grade, sa.func.count())
        .where(
            results_t.c.run_id == run_id,
            result_filter(principal, results_t.c.unit_code, results_t.c.person_id),
        )
        .group_by(results_t.c.unit_code, results_t.c.grade)
    )
    found: dict[str | None, Counter[str]] = {}
    for unit_code, grade, n in _conn(session).execute(statement):
        found.setdefault(unit_code, Counter())[grade or "-"] += int(n)
    return found


@dataclass(frozen=True)
class GradeCount:
    """How many results of a unit share a position group, a score grade, a grade, whether a
    veto applied and whether they tie at a quota's limit."""

    position_group: str | None
    score_grade: str | None
    grade: str | None
    vetoed: bool
    tie_at_quota: bool
    count: int


def unit_grade_counts(
    session: Session, principal: Principal, run_id: int, unit_code: str
) -> list[GradeCount]:
    """The results of one unit in a run, counted (for its chart and its quota situation)."""
    vetoed = results_t.c.vetoes_json != "[]"
    tie = results_t.c.flags_json.like('%"tie_at_quota"%')
    statement = (
        sa.select(
            results_t.c.position_group,
            results_t.c.score_grade,
            results_t.c.grade,
            vetoed,
            tie,
            sa.func.count(),
        )
        .where(
            results_t.c.run_id == run_id,
            results_t.c.unit_code == unit_code,
            result_filter(principal, results_t.c.unit_code, results_t.c.person_id),
        )
        .group_by(
            results_t.c.position_group, results_t.c.score_grade, results_t.c.grade, vetoed, tie
        )
    )
    return [
        GradeCount(group, score, grade, bool(v), bool(t), int(n))
        for group, score, grade, v, t, n in _conn(session).execute(statement)
    ]


def decisions(session: Session, result_id: int) -> list[Any]:
    return list(
        _conn(session)
        .execute(
            sa.select(decisions_t)
            .where(decisions_t.c.result_id == result_id)
            .order_by(decisions_t.c.id.desc())
        )
        .all()
    )


# ---------------------------------------------------------------- units and people


def visible_units(tree: UnitTree, principal: Principal) -> list[int]:
    """The units the user may see, in tree order (each after its parent)."""
    order: list[int] = []

    def walk(unit_id: int) -> None:
        order.append(unit_id)
        for child in tree.children.get(unit_id, []):
            walk(child)

    for root in tree.roots():
        walk(root)
    return [unit_id for unit_id in order if unit_visible(principal, unit_id)]


def unit_by_code(tree: UnitTree, principal: Principal, code: str) -> int:
    unit_id = tree.by_code.get(code)
    if unit_id is None or not unit_visible(principal, unit_id):
        raise not_found()
    return unit_id


def people_counts(session: Session, principal: Principal) -> dict[int, int]:
    statement = (
        sa.select(people_t.c.unit_id, sa.func.count())
        .where(unit_filter(principal, people_t.c.unit_id))
        .group_by(people_t.c.unit_id)
    )
    return {unit_id: int(n) for unit_id, n in _conn(session).execute(statement) if unit_id}


def people_of_unit(session: Session, principal: Principal, unit_id: int) -> list[Any]:
    statement = (
        sa.select(people_t)
        .where(
            people_t.c.unit_id == unit_id,
            unit_filter(principal, people_t.c.unit_id, people_t.c.id),
        )
        .order_by(people_t.c.code)
    )
    return list(_conn(session).execute(statement).all())


def person_by_code(session: Session, principal: Principal, code: str) -> Any:
    row = _conn(session).execute(sa.select(people_t).where(people_t.c.code == code)).first()
    if row is None or not person_visible(principal, row.id, row.unit_id):
        raise not_found()
    return row


def search_too_long(term: str) -> Text:
    """The message for a search term longer than MAX_SEARCH characters."""
    message = too_long(Text("từ khóa tìm kiếm", "the search term"), term, MAX_SEARCH)
    assert message is not None
    return message


def search_people(
    session: Session, principal: Principal, text: str, limit: int = 100
) -> tuple[list[Any], int]:
    """People in scope whose code or name contains `text` (case and diacritics ignored)."""
    wanted = fold(text.strip())
    if not wanted:
        return [], 0
    statement = (
        sa.select(people_t.c.code, people_t.c.name, people_t.c.unit_id, people_t.c.position)
        .where(unit_filter(principal, people_t.c.unit_id, people_t.c.id))
        .order_by(people_t.c.code)
    )
    found = [
        row
        for row in _conn(session).execute(statement)
        if wanted in fold(row.code) or wanted in fold(row.name or "")
    ]
    return found[:limit], len(found)


@dataclass(frozen=True)
class HistoryRow:
    run_id: int
    period: str
    period_start: Any
    ruleset: str
    rule_version_id: int
    total: str | None
    grade: str | None
    final_grade: str | None
    unit_code: str | None
    latest: bool  # the latest run of its period and rule set that evaluated the person
    ruleset_title: str = ""


def person_history(session: Session, principal: Principal, person_id: int) -> list[HistoryRow]:
    """Every result of the person the user may see, newest period first."""
    columns = _result_columns()
    statement = (
        sa.select(
            *columns,
            periods_t.c.code.label("period"),
            periods_t.c.start_date,
            versions_t.c.name.label("ruleset"),
            versions_t.c.title.label("ruleset_title"),
            runs_t.c.rule_version_id,
        )
        .select_from(
            results_t.join(people_t, people_t.c.id == results_t.c.person_id)
            .join(runs_t, runs_t.c.id == results_t.c.run_id)
            .join(periods_t, periods_t.c.id == runs_t.c.period_id)
            .join(versions_t, versions_t.c.id == runs_t.c.rule_version_id)
        )
        .where(
            results_t.c.person_id == person_id,
            result_filter(principal, results_t.c.unit_code, results_t.c.person_id),
        )
        .order_by(periods_t.c.start_date.desc(), versions_t.c.name, results_t.c.run_id.desc())
    )
    rows: list[HistoryRow] = []
    seen: set[tuple[str, str]] = set()
    for row in _conn(session).execute(statement):
        key = (row.period, row.ruleset)
        rows.append(
            HistoryRow(
                run_id=row.run_id,
                period=row.period,
                period_start=row.start_date,
                ruleset=row.ruleset,
                rule_version_id=row.rule_version_id,
                total=row.total,
                grade=row.grade,
                final_grade=row.final_grade,
                unit_code=row.unit_code,
                latest=key not in seen,
                ruleset_title=row.ruleset_title or row.ruleset,
            )
        )
        seen.add(key)
    return rows


def latest_runs_for_unit(
    session: Session, principal: Principal, unit_code: str, period_id: int | None
) -> list[RunRow]:
    """For each rule set, the latest complete run (of the period, or of the latest period
    that has one) with results in this unit."""
    return latest_runs_for_units(session, principal, [unit_code], period_id)


def latest_runs_for_units(
    session: Session, principal: Principal, unit_codes: Sequence[str], period_id: int | None
) -> list[RunRow]:
    """For each rule set, the latest complete run (of the period, or of the latest period
    that has one) with results in any of these units."""
    statement = (
        sa.select(sa.func.max(runs_t.c.id))
        .select_from(
            runs_t.join(results_t, results_t.c.run_id == runs_t.c.id).join(
                versions_t, versions_t.c.id == runs_t.c.rule_version_id
            )
        )
        .where(runs_t.c.status == "complete", results_t.c.unit_code.in_(sorted(unit_codes)))
        .group_by(runs_t.c.period_id, versions_t.c.name)
    )
    if period_id is not None:
        statement = statement.where(runs_t.c.period_id == period_id)
    run_ids = sorted(_conn(session).execute(statement).scalars(), reverse=True)
    found = [run(session, principal, run_id) for run_id in run_ids]
    if period_id is None and found:
        newest = max(found, key=lambda r: r.id).period_id
        found = [r for r in found if r.period_id == newest]
    return found


# ---------------------------------------------------------------- imports and audit


def imports(session: Session, principal: Principal, limit: int = 20) -> list[Any]:
    """Recent imports: all for whole-province readers, one's own for the others."""
    statement = (
        sa.select(imports_t, periods_t.c.code.label("period"))
        .select_from(imports_t.join(periods_t, periods_t.c.id == imports_t.c.period_id))
        .order_by(imports_t.c.id.desc())
        .limit(limit)
    )
    if not principal.whole_province:
        statement = statement.where(imports_t.c.imported_by == principal.username)
    return list(_conn(session).execute(statement).all())


def audit_entries(
    session: Session, *, action: str | None = None, limit: int = 100, offset: int = 0
) -> tuple[list[Any], int]:
    where = [audit_t.c.action == action] if action else []
    total = (
        _conn(session)
        .execute(sa.select(sa.func.count()).select_from(audit_t).where(*where))
        .scalar_one()
    )
    rows = (
        _conn(session)
        .execute(
            sa.select(audit_t)
            .where(*where)
            .order_by(audit_t.c.id.desc())
            .limit(limit)
            .offset(offset)
        )
        .all()
    )
    return list(rows), int(total)


def audit_actions(session: Session) -> list[str]:
    return sorted(_conn(session).execute(sa.select(audit_t.c.action).distinct()).scalars().all())
