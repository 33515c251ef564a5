"""Council decisions: the final grade set by the competent authority (hội đồng, người có thẩm
quyền), with reason, document number and date. It is stored beside the computed result, which
is never changed; a later decision on the same result takes precedence, none is erased."""

from __future__ import annotations

from datetime import date

from pydantic import ValidationError
from sqlmodel import Session, col, select

from chamdiem.dsl.diagnostics import Text
from chamdiem.platform.db.engine import begin_write
from chamdiem.platform.db.models import (
    CouncilDecision,
    DecisionCreate,
    EvaluationRun,
    Result,
    RuleVersion,
)
from chamdiem.platform.services import audit
from chamdiem.platform.services.errors import NotFound, ServiceError
from chamdiem.platform.services.rules import program_for


def record_decision(
    session: Session,
    run_id: int,
    subject_code: str,
    final_grade: str,
    reason: str,
    document_number: str,
    document_date: date,
    *,
    actor: str,
) -> CouncilDecision:
    """Record the final grade decided for a subject of a run. The grade must be one the rule
    set declares; reason and document number are required."""
    try:
        fields = DecisionCreate(
            final_grade=final_grade,
            reason=reason,
            document_number=document_number,
            document_date=document_date,
        )
    except ValidationError as error:
        missing = ", ".join(str(e["loc"][0]) for e in error.errors())
        raise ServiceError(
            Text(f"quyết định thiếu: {missing}", f"the decision lacks: {missing}")
        ) from None
    begin_write(session)
    try:
        result = session.exec(
            select(Result).where(Result.run_id == run_id, Result.subject_code == subject_code)
        ).first()
        if result is None:
            raise NotFound(
                Text(
                    f"lần chạy {run_id} không có đối tượng mã '{subject_code}'",
                    f"run {run_id} has no subject with code '{subject_code}'",
                )
            )
        run = session.get(EvaluationRun, run_id)
        assert run is not None
        version = session.get(RuleVersion, run.rule_version_id)
        assert version is not None
        grades = [grade.name for grade in program_for(version).grades]
        if fields.final_grade not in grades:
            raise ServiceError(
                Text(
                    f"mức '{fields.final_grade}' không có trong bộ tiêu chí {version.name} "
                    f"({', '.join(grades)})",
                    f"grade '{fields.final_grade}' is not one of rule set {version.name}'s "
                    f"({', '.join(grades)})",
                )
            )
        assert result.id is not None
        decision = CouncilDecision(**fields.model_dump(), result_id=result.id, decided_by=actor)
        session.add(decision)
        session.flush()
        audit.record(
            session,
            actor,
            "decision",
            "council_decisions",
            decision.id,
            run_id=run_id,
            subject=subject_code,
            computed_grade=result.grade,
            final_grade=fields.final_grade,
            document_number=fields.document_number,
            document_date=fields.document_date.isoformat(),
        )
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return decision


def latest_decision(session: Session, result_id: int) -> CouncilDecision | None:
    return session.exec(
        select(CouncilDecision)
        .where(CouncilDecision.result_id == result_id)
        .order_by(col(CouncilDecision.id).desc())
    ).first()
