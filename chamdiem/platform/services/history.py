"""A person's grades across periods, each with the rule version (and git commit) that
produced it and any council decision: what an auditor or the person may ask to see."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session, select

from chamdiem.dsl.diagnostics import Text
from chamdiem.platform.db.models import (
    EvaluationRun,
    Period,
    Person,
    Result,
    RuleVersion,
)
from chamdiem.platform.services.decisions import latest_decision
from chamdiem.platform.services.errors import NotFound, ServiceError
from chamdiem.platform.services.rules import program_for


@dataclass(frozen=True)
class HistoryRow:
    period: str
    period_start: str
    ruleset: str
    ruleset_title: str
    run_id: int
    version_sha256: str
    git_commit: str | None
    git_path: str | None
    git_author: str | None
    total: str | None
    score_grade: str | None
    grade: str | None
    decision_grade: str | None
    decision_document: str | None
    # What a person reads for each grade of the rule version ('tot' -> 'Hoàn thành tốt nhiệm
    # vụ'); the renderers format the row (chamdiem.dsl.display).
    grade_labels: dict[str, str] = field(default_factory=dict)


def person_history(session: Session, person_code: str) -> list[HistoryRow]:
    """The latest complete run of each (period, rule set) that graded the person, oldest
    period first."""
    person = session.exec(select(Person).where(Person.code == person_code)).first()
    if person is None:
        raise NotFound(
            Text(
                f"không có người nào mã {person_code}",
                f"no person with code {person_code}",
            )
        )
    rows = session.exec(
        select(Result, EvaluationRun, RuleVersion, Period)
        .join(EvaluationRun, EvaluationRun.id == Result.run_id)  # type: ignore[arg-type]
        .join(RuleVersion, RuleVersion.id == EvaluationRun.rule_version_id)  # type: ignore[arg-type]
        .join(Period, Period.id == EvaluationRun.period_id)  # type: ignore[arg-type]
        .where(Result.person_id == person.id, EvaluationRun.status == "complete")
    ).all()
    latest: dict[tuple[int, str], tuple[Result, EvaluationRun, RuleVersion, Period]] = {}
    for result, run, version, period in rows:
        key = (period.id or 0, version.name)
        kept = latest.get(key)
        if kept is None or (run.id or 0) > (kept[1].id or 0):
            latest[key] = (result, run, version, period)
    labels: dict[int, dict[str, str]] = {}
    history = []
    for result, run, version, period in sorted(
        latest.values(), key=lambda r: (r[3].start_date, r[3].end_date, r[2].name)
    ):
        decision = latest_decision(session, result.id or 0)
        history.append(
            HistoryRow(
                period=period.code,
                period_start=period.start_date.isoformat(),
                ruleset=version.name,
                ruleset_title=version.title,
                run_id=run.id or 0,
                version_sha256=version.sha256,
                git_commit=version.git_commit,
                git_path=version.git_path,
                git_author=version.git_author,
                total=result.total,
                score_grade=result.score_grade,
                grade=result.grade,
                decision_grade=decision.final_grade if decision else None,
                decision_document=decision.document_number if decision else None,
                grade_labels=labels.setdefault(version.id or 0, _grade_labels(version)),
            )
        )
    return history


def _grade_labels(version: RuleVersion) -> dict[str, str]:
    """A rule version's grade labels; none (the codes are shown) when it does not compile."""
    try:
        grades = program_for(version).grades
    except ServiceError:
        return {}
    return {grade.name: grade.label or grade.name for grade in grades}
