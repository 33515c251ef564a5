"""The digital approval log of result reports (the handbook's Chapter VIII.2.a: "nhật ký phê
duyệt báo cáo kết quả của cấp có thẩm quyền, hoặc chữ ký số công vụ").

The competent authority approves a *run's result report*: the results one evaluation run
stored, with the council decisions recorded for them up to the moment of approval. What was
approved is kept as the SHA-256 of the report's canonical content (`report_content`:
canonical JSON, docs/national-export.md), with who and when, in `report_approvals`, an
append-only table (the database rejects UPDATE and DELETE). `verify_approval` recomputes the
content from what the database holds now and compares: a changed result, a changed or removed
decision, a changed rule version shows as a different hash.

Approving the same content again changes nothing; a decision recorded after an approval
makes a new report, to be approved again. The approval is what the National Database push
counts its five working days from (services/national.py).

A public-service digital signature (chữ ký số công vụ, Ban Cơ yếu Chính phủ's CA) is an
extension point: a `Signer` given to `approve_run` signs the content hash and its signature is
kept beside the approval (`signature_kind`, `signature`); `verify_approval` given the same
kind's `Signer` checks it. None is built in: the signing device and its library are the
province's (a USB token through PKCS#11, a remote signing service).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Protocol

from sqlmodel import Session, col, func, select

from chamdiem.dsl.diagnostics import Text
from chamdiem.platform.db.codec import dumps, loads
from chamdiem.platform.db.engine import writing
from chamdiem.platform.db.models import (
    CouncilDecision,
    EvaluationRun,
    Period,
    Result,
    RuleVersion,
)
from chamdiem.platform.db.models.national import ReportApproval
from chamdiem.platform.services import audit
from chamdiem.platform.services.errors import FieldErrors, NotFound, ServiceError

CONTENT_FORMAT = "chamdiem-bao-cao/1"
MAX_NOTE = 2000
MAX_TITLE = 200


class Signer(Protocol):
    """A digital signature over an approval's content hash (the extension point)."""

    kind: str

    def sign(self, content_sha256: str) -> str: ...

    def verify(self, content_sha256: str, signature: str) -> bool: ...


def report_content(session: Session, run_id: int, last_decision_id: int | None) -> dict[str, Any]:
    """The canonical content of a run's result report: the run, its rule version and every
    result in code order with its latest council decision among those with an id up to
    `last_decision_id` (None: no decision)."""
    # populate_existing: what the database holds now, not what the session read before
    run = session.get(EvaluationRun, run_id, populate_existing=True)
    if run is None:
        raise NotFound(Text(f"không có lần chạy {run_id}", f"there is no run {run_id}"))
    version = session.get(RuleVersion, run.rule_version_id, populate_existing=True)
    period = session.get(Period, run.period_id, populate_existing=True)
    assert version is not None and period is not None
    decisions: dict[int, CouncilDecision] = {}
    if last_decision_id is not None:
        rows = session.exec(
            select(CouncilDecision)
            .join(Result, col(Result.id) == col(CouncilDecision.result_id))
            .where(Result.run_id == run_id, col(CouncilDecision.id) <= last_decision_id)
            .order_by(col(CouncilDecision.id))
            .execution_options(populate_existing=True)
        ).all()
        for decision in rows:  # the latest wins
            decisions[decision.result_id] = decision
    results = session.exec(
        select(Result)
        .where(Result.run_id == run_id)
        .order_by(col(Result.subject_code))
        .execution_options(populate_existing=True)
    ).all()
    return {
        "dinh_dang": CONTENT_FORMAT,
        "lan_chay": {
            "id": run.id,
            "trang_thai": run.status,
            "ky": period.code,
            "bo_tieu_chi": version.name,
            "quy_tac_sha256": version.sha256,
            "du_lieu_sha256": run.snapshot_sha256,
            "phien_ban_may": run.engine_version,
        },
        "ket_qua": [_result_content(result, decisions.get(result.id or 0)) for result in results],
    }


def _result_content(result: Result, decision: CouncilDecision | None) -> dict[str, Any]:
    return {
        "ma": result.subject_code,
        "don_vi": result.unit_code,
        "nhom_vi_tri": result.position_group,
        "dung_dau": result.is_head,
        "tong_diem": result.total,
        "muc_theo_diem": result.score_grade,
        "muc_tinh_toan": result.grade,
        "loai_tru": loads(result.vetoes_json),
        "khong_xep_loai": loads(result.not_graded_json),
        "quyet_dinh": None
        if decision is None
        else {
            "id": decision.id,
            "muc_xep_loai": decision.final_grade,
            "ly_do": decision.reason,
            "so_van_ban": decision.document_number,
            "ngay_van_ban": decision.document_date.isoformat(),
        },
    }


def content_sha256(content: dict[str, Any]) -> str:
    return hashlib.sha256(dumps(content).encode("utf-8")).hexdigest()


def _last_decision_id(session: Session, run_id: int) -> int | None:
    value = session.exec(
        select(func.max(CouncilDecision.id))
        .join(Result, col(Result.id) == col(CouncilDecision.result_id))
        .where(Result.run_id == run_id)
    ).one()
    return int(value) if value is not None else None


@dataclass(frozen=True)
class Approved:
    approval: ReportApproval
    created: bool


def approve_run(
    session: Session,
    run_id: int,
    *,
    actor: str,
    title: str | None = None,
    note: str | None = None,
    signer: Signer | None = None,
) -> Approved:
    """Record the approval of run `run_id`'s result report as it stands now. The same content
    approved before is not approved twice (that approval is returned)."""
    title = " ".join(title.split()) if title else None
    note = note.strip() if note else None
    problems: dict[str, Text] = {}
    if title and len(title) > MAX_TITLE:
        problems["title"] = Text(
            f"chức vụ dài quá {MAX_TITLE} ký tự", f"the title is over {MAX_TITLE} characters"
        )
    if note and len(note) > MAX_NOTE:
        problems["note"] = Text(
            f"ghi chú dài quá {MAX_NOTE} ký tự", f"the note is over {MAX_NOTE} characters"
        )
    if problems:
        raise FieldErrors(problems)
    with writing(session):
        run = session.get(EvaluationRun, run_id)
        if run is None:
            raise NotFound(Text(f"không có lần chạy {run_id}", f"there is no run {run_id}"))
        if run.status != "complete":
            raise ServiceError(
                Text(
                    f"lần chạy {run_id} không hoàn thành: không có báo cáo để phê duyệt",
                    f"run {run_id} failed: there is no report to approve",
                )
            )
        last = _last_decision_id(session, run_id)
        content = report_content(session, run_id, last)
        digest = content_sha256(content)
        earlier = session.exec(
            select(ReportApproval)
            .where(ReportApproval.run_id == run_id, ReportApproval.content_sha256 == digest)
            .order_by(col(ReportApproval.id))
        ).first()
        if earlier is not None:
            return Approved(earlier, False)
        results = content["ket_qua"]
        approval = ReportApproval(
            run_id=run_id,
            period_id=run.period_id,
            content_format=CONTENT_FORMAT,
            content_sha256=digest,
            last_decision_id=last,
            results=len(results),
            decisions=sum(1 for item in results if item["quyet_dinh"] is not None),
            approved_by=actor,
            title=title,
            note=note,
        )
        if signer is not None:
            approval.signature_kind = signer.kind
            approval.signature = signer.sign(digest)
        session.add(approval)
        session.flush()
        audit.record(
            session,
            actor,
            "approve",
            "report_approvals",
            approval.id,
            run_id=run_id,
            period=content["lan_chay"]["ky"],
            content_sha256=digest,
            results=approval.results,
            decisions=approval.decisions,
            signed=approval.signature_kind,
        )
    return Approved(approval, True)


@dataclass(frozen=True)
class ApprovalCheck:
    approval: ReportApproval
    period: str
    recomputed_sha256: str
    signature_ok: bool | None  # None: no signature, or no signer of its kind given

    @property
    def ok(self) -> bool:
        return (
            self.recomputed_sha256 == self.approval.content_sha256
            and self.signature_ok is not False
        )


def get_approval(session: Session, approval_id: int) -> ReportApproval:
    approval = session.get(ReportApproval, approval_id)
    if approval is None:
        raise NotFound(
            Text(f"không có phê duyệt số {approval_id}", f"there is no approval {approval_id}")
        )
    return approval


def verify_approval(
    session: Session, approval_id: int, signers: dict[str, Signer] | None = None
) -> ApprovalCheck:
    """Recompute approval `approval_id`'s report content from the database and compare its
    hash (and its signature, when a signer of its kind is given)."""
    approval = get_approval(session, approval_id)
    content = report_content(session, approval.run_id, approval.last_decision_id)
    digest = content_sha256(content)
    signature_ok: bool | None = None
    if approval.signature and approval.signature_kind and signers:
        signer = signers.get(approval.signature_kind)
        if signer is not None:
            signature_ok = signer.verify(approval.content_sha256, approval.signature)
    session.commit()  # end the read
    return ApprovalCheck(approval, content["lan_chay"]["ky"], digest, signature_ok)


def approvals_of_period(session: Session, period_id: int) -> list[ReportApproval]:
    """The latest approval of each run of the period, newest run first."""
    rows = session.exec(
        select(ReportApproval)
        .where(ReportApproval.period_id == period_id)
        .order_by(col(ReportApproval.id).desc())
    ).all()
    latest: dict[int, ReportApproval] = {}
    for row in rows:
        latest.setdefault(row.run_id, row)
    return sorted(latest.values(), key=lambda row: -row.run_id)
