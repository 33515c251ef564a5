"""The push to the National Database of cadres, civil servants and public employees
(NĐ 335/2025 Art 26.1.d: monthly/quarterly results and annual grades, within 5 days).

What is sent is what the competent authority approved (services/approvals.py): for each rule
set of the period, the latest approval of its newest approved run, as one message of per-person
records (docs/national-export.md). `queue_period` puts the period's messages in the outbox
(`national_outbox`; the same content twice is queued once), `push_due` sends those due through
the operator's transport (services/national_transport.py) and records each attempt: status,
attempts, the last error, the receiver's answer; a failure is tried again later, waiting
1, 2, 4 … minutes (at most 6 hours) between attempts, until CHAMDIEM_NATIONAL_MAX_ATTEMPTS or
an answer that says trying again cannot help. `outbox_status` lists every message and every
approval not yet queued with its due date: the fifth working day after the approval
(services/working_days.py), and how many working days are left.

The network is never used inside a database transaction: a message is read, sent, then its
outcome written in a transaction of its own.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from sqlmodel import Session, col, select

import chamdiem
from chamdiem.dsl.diagnostics import Text
from chamdiem.platform.db.codec import dumps, loads
from chamdiem.platform.db.engine import writing
from chamdiem.platform.db.models import EvaluationRun, Period, Person, RuleVersion, Unit, utc_now
from chamdiem.platform.db.models.national import NationalOutbox, ReportApproval
from chamdiem.platform.services import audit
from chamdiem.platform.services.approvals import (
    approvals_of_period,
    content_sha256,
    report_content,
)
from chamdiem.platform.services.errors import ServiceError
from chamdiem.platform.services.national_transport import Message, Transport
from chamdiem.platform.services.periods import get_period
from chamdiem.platform.services.rules import program_for
from chamdiem.platform.services.working_days import Calendar, load_calendar

EXPORT_FORMAT = "chamdiem-csdl-quoc-gia/1"
DUE_WORKING_DAYS = 5
VIETNAM = timezone(timedelta(hours=7))  # no daylight saving
FIRST_RETRY = timedelta(minutes=1)
LAST_RETRY = timedelta(hours=6)
KIND_WORDS = {"month": "thang", "quarter": "quy", "year": "nam"}

# The per-person fields, in the order of the workbook's columns (docs/national-export.md).
FIELDS: tuple[tuple[str, Text], ...] = (
    ("ma_cbccvc", Text("Mã CBCCVC", "Civil servant code")),
    ("ho_ten", Text("Họ và tên", "Full name")),
    ("phan_loai", Text("Phân loại", "Category")),
    ("ma_don_vi", Text("Mã đơn vị", "Unit code")),
    ("ten_don_vi", Text("Tên đơn vị", "Unit name")),
    ("chuc_vu", Text("Chức vụ", "Position")),
    ("nhom_vi_tri", Text("Nhóm vị trí việc làm", "Position group")),
    ("ky_danh_gia", Text("Kỳ đánh giá", "Period")),
    ("loai_ky", Text("Loại kỳ", "Period kind")),
    ("tu_ngay", Text("Từ ngày", "From")),
    ("den_ngay", Text("Đến ngày", "To")),
    ("bo_tieu_chi", Text("Bộ tiêu chí", "Rule set")),
    ("tong_diem", Text("Tổng điểm", "Total")),
    ("muc_tinh_toan", Text("Mức theo kết quả tính", "Computed grade")),
    ("muc_xep_loai", Text("Mức xếp loại", "Grade")),
    ("ten_muc_xep_loai", Text("Tên mức xếp loại", "Grade label")),
    ("so_quyet_dinh", Text("Số quyết định", "Decision number")),
    ("ngay_quyet_dinh", Text("Ngày quyết định", "Decision date")),
    ("khong_xep_loai", Text("Không xếp loại (lý do)", "Not graded (why)")),
    ("ma_phe_duyet", Text("Mã phê duyệt", "Approval")),
)


@dataclass(frozen=True)
class Batch:
    """One approval's message: the envelope and its per-person records."""

    approval: ReportApproval
    ruleset: str
    payload: dict[str, Any]

    @property
    def records(self) -> list[dict[str, Any]]:
        records: list[dict[str, Any]] = self.payload["ban_ghi"]
        return records

    def text(self) -> str:
        return dumps(self.payload)

    def sha256(self) -> str:
        return hashlib.sha256(self.text().encode("utf-8")).hexdigest()


def approval_day(approval: ReportApproval) -> date:
    """The approval's date in Vietnam."""
    return vietnam_day(approval.approved_at)


def due_on(calendar: Calendar, approval: ReportApproval) -> date:
    return calendar.add_working_days(approval_day(approval), DUE_WORKING_DAYS)


def period_batches(session: Session, period_code: str) -> list[Batch]:
    """The period's messages: per rule set, its newest approved run's latest approval, the
    report checked against the approved hash. Refused when nothing is approved."""
    period = get_period(session, period_code)
    assert period.id is not None
    newest: dict[str, tuple[ReportApproval, RuleVersion]] = {}
    for approval in approvals_of_period(session, period.id):
        run = session.get(EvaluationRun, approval.run_id)
        assert run is not None
        version = session.get(RuleVersion, run.rule_version_id)
        assert version is not None
        newest.setdefault(version.name, (approval, version))
    if not newest:
        raise ServiceError(
            Text(
                f"kỳ {period.code} chưa có báo cáo kết quả nào được phê duyệt; phê duyệt bằng "
                "`chamdiem approve LẦN_CHẠY`",
                f"period {period.code} has no approved result report; approve one with "
                "`chamdiem approve RUN`",
            )
        )
    people = {person.code: person for person in session.exec(select(Person)).all()}
    units = {unit.code: unit for unit in session.exec(select(Unit)).all()}
    batches = []
    for name in sorted(newest):
        approval, version = newest[name]
        content = report_content(session, approval.run_id, approval.last_decision_id)
        if content_sha256(content) != approval.content_sha256:
            raise ServiceError(
                Text(
                    f"báo cáo của lần chạy {approval.run_id} ({name}) không còn khớp với phê "
                    f"duyệt số {approval.id}: kiểm tra bằng `chamdiem verify-approval "
                    f"{approval.id}`; không gửi dữ liệu đã bị thay đổi",
                    f"run {approval.run_id}'s report ({name}) no longer matches approval "
                    f"{approval.id}: check with `chamdiem verify-approval {approval.id}`; data "
                    "that changed is not sent",
                )
            )
        labels = {grade.name: grade.label for grade in program_for(version).grades}
        records = [
            _record(item, period, name, approval, people, units, labels)
            for item in content["ket_qua"]
        ]
        payload = {
            "dinh_dang": EXPORT_FORMAT,
            "nguon": {"he_thong": "chamdiem", "phien_ban": chamdiem.__version__},
            "ky": {
                "ma": period.code,
                "loai": KIND_WORDS[period.kind],
                "tu_ngay": period.start_date.isoformat(),
                "den_ngay": period.end_date.isoformat(),
            },
            "bo_tieu_chi": name,
            "quy_tac_sha256": version.sha256,
            "phe_duyet": {
                "id": approval.id,
                "lan_chay": approval.run_id,
                "noi_dung_sha256": approval.content_sha256,
                "nguoi_phe_duyet": approval.approved_by,
                "chuc_vu": approval.title,
                "thoi_gian": _utc_text(approval.approved_at),
            },
            "so_ban_ghi": len(records),
            "ban_ghi": records,
        }
        batches.append(Batch(approval, name, payload))
    session.commit()  # end the read
    return batches


def _utc_text(at: datetime) -> str:
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _record(
    item: dict[str, Any],
    period: Period,
    ruleset: str,
    approval: ReportApproval,
    people: dict[str, Person],
    units: dict[str, Unit],
    labels: dict[str, str | None],
) -> dict[str, Any]:
    person = people.get(item["ma"])
    unit = units.get(item["don_vi"]) if item["don_vi"] else None
    decision = item["quyet_dinh"]
    final = decision["muc_xep_loai"] if decision else item["muc_tinh_toan"]
    return {
        "ma_cbccvc": item["ma"],
        "ho_ten": person.name if person else None,
        "phan_loai": person.category if person else None,
        "ma_don_vi": item["don_vi"],
        "ten_don_vi": unit.name if unit else None,
        "chuc_vu": person.position if person else None,
        "nhom_vi_tri": item["nhom_vi_tri"],
        "ky_danh_gia": period.code,
        "loai_ky": KIND_WORDS[period.kind],
        "tu_ngay": period.start_date.isoformat(),
        "den_ngay": period.end_date.isoformat(),
        "bo_tieu_chi": ruleset,
        "tong_diem": item["tong_diem"],
        "muc_tinh_toan": item["muc_tinh_toan"],
        "muc_xep_loai": final,
        "ten_muc_xep_loai": labels.get(final) if final else None,
        "so_quyet_dinh": decision["so_van_ban"] if decision else None,
        "ngay_quyet_dinh": decision["ngay_van_ban"] if decision else None,
        "khong_xep_loai": [str(reason) for reason in item["khong_xep_loai"]]
        if isinstance(item["khong_xep_loai"], list)
        else item["khong_xep_loai"],
        "ma_phe_duyet": approval.id,
    }


# ---------------------------------------------------------------- the outbox


@dataclass(frozen=True)
class Queued:
    outbox: NationalOutbox
    ruleset: str
    created: bool


def queue_period(session: Session, period_code: str, *, actor: str) -> list[Queued]:
    """Put the period's approved messages into the outbox (content already there is not
    queued again)."""
    batches = period_batches(session, period_code)
    calendar = load_calendar(session)
    queued: list[Queued] = []
    with writing(session):
        for batch in batches:
            digest = batch.sha256()
            existing = session.exec(
                select(NationalOutbox).where(NationalOutbox.payload_sha256 == digest)
            ).first()
            if existing is not None:
                queued.append(Queued(existing, batch.ruleset, False))
                continue
            row = NationalOutbox(
                period_id=batch.approval.period_id,
                approval_id=batch.approval.id or 0,
                payload_json=batch.text(),
                payload_sha256=digest,
                records=len(batch.records),
                due_on=due_on(calendar, batch.approval),
                status="pending",
                created_by=actor,
            )
            session.add(row)
            session.flush()
            audit.record(
                session,
                actor,
                "national_queue",
                "national_outbox",
                row.id,
                period=batch.payload["ky"]["ma"],
                ruleset=batch.ruleset,
                approval=batch.approval.id,
                records=row.records,
                payload_sha256=digest,
                due_on=row.due_on.isoformat(),
            )
            queued.append(Queued(row, batch.ruleset, True))
    return queued


def retry_delay(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt: 1, 2, 4 … minutes, at most 6 hours."""
    delay: timedelta = FIRST_RETRY * 2 ** min(max(attempts - 1, 0), 20)
    return min(delay, LAST_RETRY)


@dataclass(frozen=True)
class Pushed:
    outbox_id: int
    period: str
    status: str
    attempts: int
    error: str | None
    next_attempt_at: datetime | None


def push_due(
    session: Session,
    transport: Transport,
    *,
    actor: str,
    max_attempts: int,
    now: Callable[[], datetime] = utc_now,
    everything: bool = False,
    only: Sequence[int] = (),
) -> list[Pushed]:
    """Send the messages that are due (pending, their next attempt's time come); with
    `everything`, every pending message now and failed ones once more; `only` limits it to
    those outbox ids."""
    moment = now()
    statement = select(NationalOutbox.id).order_by(col(NationalOutbox.id))
    if everything:
        statement = statement.where(col(NationalOutbox.status).in_(("pending", "failed")))
    else:
        statement = statement.where(
            NationalOutbox.status == "pending",
            (col(NationalOutbox.next_attempt_at).is_(None))
            | (col(NationalOutbox.next_attempt_at) <= moment),
        )
    if only:
        statement = statement.where(col(NationalOutbox.id).in_(list(only)))
    ids = [row for row in session.exec(statement).all() if row is not None]
    session.commit()
    outcomes = []
    for outbox_id in ids:
        row = session.get(NationalOutbox, outbox_id, populate_existing=True)
        assert row is not None and row.id is not None
        period = session.get(Period, row.period_id)
        assert period is not None
        message = Message(row.id, period.code, row.payload_json.encode("utf-8"), row.payload_sha256)
        session.commit()
        delivery = transport.send(message)  # outside any transaction
        with writing(session):
            row = session.get(
                NationalOutbox, outbox_id, populate_existing=True, with_for_update=True
            )
            assert row is not None
            if row.status == "sent":  # another pusher got there first
                continue
            row.attempts += 1
            row.transport = transport.name
            row.destination = transport.destination
            row.response_status = delivery.status
            row.response_body = delivery.body
            if delivery.ok:
                row.status = "sent"
                row.sent_at = now()
                row.last_error = None
                row.next_attempt_at = None
            else:
                row.last_error = delivery.error
                give_up = delivery.permanent or row.attempts >= max_attempts
                row.status = "failed" if give_up else "pending"
                row.next_attempt_at = None if give_up else now() + retry_delay(row.attempts)
            session.add(row)
            audit.record(
                session,
                actor,
                "national_push",
                "national_outbox",
                row.id,
                period=period.code,
                status=row.status,
                attempt=row.attempts,
                transport=transport.name,
                destination=transport.destination,
                response_status=delivery.status,
                error=delivery.error,
            )
            outcomes.append(
                Pushed(
                    outbox_id,
                    period.code,
                    row.status,
                    row.attempts,
                    row.last_error,
                    row.next_attempt_at,
                )
            )
    return outcomes


# ---------------------------------------------------------------- status and deadlines


@dataclass(frozen=True)
class OutboxLine:
    """One message (or an approval with none yet: `outbox` None) and its deadline."""

    period: str
    ruleset: str
    approval: ReportApproval
    outbox: NationalOutbox | None
    due_on: date
    working_days_left: int  # negative: overdue by that many

    @property
    def sent(self) -> bool:
        return self.outbox is not None and self.outbox.status == "sent"

    @property
    def warning(self) -> Text | None:
        if self.outbox is not None and self.outbox.sent_at is not None:
            sent_day = vietnam_day(self.outbox.sent_at)
            if sent_day > self.due_on:
                return Text(
                    f"đã gửi muộn (hạn {self.due_on:%d/%m/%Y})",
                    f"sent late (due {self.due_on.isoformat()})",
                )
            return None
        if self.working_days_left < 0:
            return Text(
                f"QUÁ HẠN {-self.working_days_left} ngày làm việc (hạn {self.due_on:%d/%m/%Y})",
                f"OVERDUE by {-self.working_days_left} working day(s) (due "
                f"{self.due_on.isoformat()})",
            )
        if self.working_days_left <= 1:
            return Text(
                f"sắp đến hạn: còn {self.working_days_left} ngày làm việc (hạn "
                f"{self.due_on:%d/%m/%Y})",
                f"due soon: {self.working_days_left} working day(s) left (due "
                f"{self.due_on.isoformat()})",
            )
        return None


def vietnam_day(at: datetime) -> date:
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(VIETNAM).date()


def today_in_vietnam() -> date:
    return datetime.now(VIETNAM).date()


def outbox_status(session: Session, today: date | None = None) -> list[OutboxLine]:
    """Every outbox message, and every approval still to export (per period and rule set, the
    newest approved run's latest approval), each with its due date and the working days left."""
    today = today or today_in_vietnam()
    calendar = load_calendar(session)
    lines: list[OutboxLine] = []
    queued_approvals: set[int] = set()
    periods = {period.id: period for period in session.exec(select(Period)).all()}
    names = {
        run.id: version.name
        for run, version in session.exec(
            select(EvaluationRun, RuleVersion).where(
                EvaluationRun.rule_version_id == RuleVersion.id
            )
        ).all()
    }
    rows = session.exec(select(NationalOutbox).order_by(col(NationalOutbox.id))).all()
    for row in rows:
        approval = session.get(ReportApproval, row.approval_id)
        assert approval is not None
        queued_approvals.add(row.approval_id)
        period = periods[row.period_id]
        lines.append(
            OutboxLine(
                period.code,
                names.get(approval.run_id, "?"),
                approval,
                row,
                row.due_on,
                calendar.working_days_between(today, row.due_on),
            )
        )
    # What is still to export: per period and rule set, the newest approved run's latest
    # approval (what `national export` would send), when no message holds it yet.
    latest: dict[tuple[int, str], ReportApproval] = {}
    for approval in session.exec(select(ReportApproval).order_by(col(ReportApproval.id))).all():
        key = (approval.period_id, names.get(approval.run_id, "?"))
        if key not in latest or approval.run_id >= latest[key].run_id:
            latest[key] = approval
    for approval in latest.values():
        if approval.id in queued_approvals:
            continue
        due = due_on(calendar, approval)
        lines.append(
            OutboxLine(
                periods[approval.period_id].code,
                names.get(approval.run_id, "?"),
                approval,
                None,
                due,
                calendar.working_days_between(today, due),
            )
        )
    session.commit()
    return lines


def payload_of(row: NationalOutbox) -> dict[str, Any]:
    value: dict[str, Any] = loads(row.payload_json)
    return value
