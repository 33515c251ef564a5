"""Council decisions: the final grade set by the competent authority (hội đồng, người có thẩm
quyền), with reason, document number and date. It is stored beside the computed result, which
is never changed; a later decision on the same result takes precedence, none is erased."""

from __future__ import annotations

from datetime import date

from pydantic import ValidationError
from sqlmodel import Session, col, select

from chamdiem.dsl.diagnostics import Text
from chamdiem.platform.db.engine import writing
from chamdiem.platform.db.models import (
    CouncilDecision,
    DecisionCreate,
    EvaluationRun,
    Period,
    Result,
    RuleVersion,
)
from chamdiem.platform.limits import (
    MAX_DECISION_REASON,
    MAX_DOCUMENT_NUMBER,
    decision_date_range,
)
from chamdiem.platform.services import audit
from chamdiem.platform.services.errors import FieldErrors, NotFound, too_long
from chamdiem.platform.services.rules import program_for

_LABELS = {
    "final_grade": Text("mức xếp loại cuối cùng", "the final grade"),
    "reason": Text("lý do", "the reason"),
    "document_number": Text("số văn bản", "the document number"),
    "document_date": Text("ngày văn bản", "the document date"),
}


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
    set declares; reason and document number are required and not too long
    (chamdiem.platform.limits); the document's date lies within a plausible range of the
    run's period. A refusal names each field (FieldErrors)."""
    problems: dict[str, Text] = {}
    for name, text, limit in (
        ("reason", reason, MAX_DECISION_REASON),
        ("document_number", document_number, MAX_DOCUMENT_NUMBER),
    ):
        message = too_long(_LABELS[name], text, limit)
        if message is not None:
            problems[name] = message
    try:
        fields = DecisionCreate(
            final_grade=final_grade,
            reason=reason if "reason" not in problems else "x",
            document_number=document_number if "document_number" not in problems else "x",
            document_date=document_date,
        )
    except ValidationError as error:
        for item in error.errors():
            name = str(item["loc"][0])
            problems[name] = Text(
                f"{_LABELS[name].vi} không được để trống", f"{_LABELS[name].en} is required"
            )
    if problems:
        raise FieldErrors(problems)
    with writing(session):
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
        period = session.get(Period, run.period_id)
        assert period is not None
        first, last = decision_date_range(period.start_date, period.end_date)
        if not first <= fields.document_date <= last:
            raise FieldErrors(
                {
                    "document_date": Text(
                        f"ngày văn bản {fields.document_date:%d/%m/%Y} không hợp lý cho kỳ "
                        f"{period.code}: chọn ngày từ {first:%d/%m/%Y} đến {last:%d/%m/%Y}",
                        f"the document date {fields.document_date.isoformat()} is not plausible "
                        f"for period {period.code}: choose a date from {first.isoformat()} to "
                        f"{last.isoformat()}",
                    )
                }
            )
        version = session.get(RuleVersion, run.rule_version_id)
        assert version is not None
        grades = [grade.name for grade in program_for(version).grades]
        if fields.final_grade not in grades:
            shown = fields.final_grade[:40]
            raise FieldErrors(
                {
                    "final_grade": Text(
                        f"mức '{shown}' không có trong bộ tiêu chí {version.name} "
                        f"({', '.join(grades)})",
                        f"grade '{shown}' is not one of rule set {version.name}'s "
                        f"({', '.join(grades)})",
                    )
                }
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
    return decision


def latest_decision(session: Session, result_id: int) -> CouncilDecision | None:
    return session.exec(
        select(CouncilDecision)
        .where(CouncilDecision.result_id == result_id)
        .order_by(col(CouncilDecision.id).desc())
    ).first()
