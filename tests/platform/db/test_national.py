"""The approval log of result reports and the National Database push, end to end: a run is
approved, its report hashed and verified; the period's approved results are queued in the
outbox and sent to a real HTTP server listening on 127.0.0.1 (started here, in a thread, and
recording what it receives), through the file drop, and retried after failures."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import Session

from chamdiem.platform.db.models import NationalOutbox, ReportApproval
from chamdiem.platform.services.approvals import approve_run, verify_approval
from chamdiem.platform.services.decisions import record_decision
from chamdiem.platform.services.errors import ServiceError
from chamdiem.platform.services.national import (
    outbox_status,
    period_batches,
    push_due,
    queue_period,
    retry_delay,
)
from chamdiem.platform.services.national_transport import FileDrop, Https
from chamdiem.platform.services.runs import run_evaluation
from chamdiem.platform.services.scope import Scope
from chamdiem.platform.services.working_days import set_province_day
from tests.platform.db.helpers import ACTOR, PERIOD, count, prepare

TOKEN = "bi-mat-cua-tinh"


@dataclass
class Receiver:
    """What the server was sent, and what it answers next (a list of status codes, used up
    in order; 200 when empty)."""

    requests: list[dict[str, object]] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)
    url: str = ""


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            state.requests.append(
                {
                    "path": self.path,
                    "authorization": self.headers.get("Authorization"),
                    "idempotency": self.headers.get("Idempotency-Key"),
                    "content_type": self.headers.get("Content-Type"),
                    "body": body,
                }
            )
            status = state.answers.pop(0) if state.answers else 200
            answer = json.dumps({"nhan": status < 300}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/api/ket-qua-danh-gia"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def approved_run(session: Session, folder: Path) -> tuple[int, ReportApproval]:
    prepare(session, folder)
    [run] = run_evaluation(session, PERIOD, scope=Scope.everything(), actor=ACTOR)
    record_decision(
        session, run.run_id, "K1", "xuat_sac", "Hội đồng chọn K1", "15/QĐ-SNV",
        date(2026, 4, 15), actor="chu_tich",
    )  # fmt: skip
    done = approve_run(session, run.run_id, actor="giam_doc_snv", title="Giám đốc Sở Nội vụ")
    assert done.created
    return run.run_id, done.approval


def test_an_approval_records_the_report_hash_and_verifies_later(
    session: Session, engine: Engine, tmp_path: Path
) -> None:
    run_id, approval = approved_run(session, tmp_path)
    assert approval.results == count(engine, "results") and approval.decisions == 1
    assert len(approval.content_sha256) == 64
    again = approve_run(session, run_id, actor="giam_doc_snv")
    assert not again.created and again.approval.id == approval.id
    assert approval.id is not None
    check = verify_approval(session, approval.id)
    assert check.ok and check.recomputed_sha256 == approval.content_sha256
    # A later decision makes a new report (to approve again); the first still verifies.
    record_decision(
        session, run_id, "K2", "hoan_thanh", "Xét lại", "16/QĐ-SNV", date(2026, 4, 16),
        actor="chu_tich",
    )  # fmt: skip
    assert verify_approval(session, approval.id).ok
    second = approve_run(session, run_id, actor="giam_doc_snv")
    assert second.created and second.approval.decisions == 2
    # A stored result changed behind the software's back: the approval no longer verifies.
    with engine.begin() as connection:
        connection.execute(
            sa.text("UPDATE results SET total = '12.34' WHERE run_id = :r AND subject_code = 'A1'"),
            {"r": run_id},
        )
    broken = verify_approval(session, approval.id)
    assert not broken.ok and broken.recomputed_sha256 != approval.content_sha256
    # The approval log itself cannot be changed or removed.
    with pytest.raises(sa.exc.DBAPIError), engine.begin() as connection:
        connection.execute(sa.text("UPDATE report_approvals SET approved_by = 'x'"))
    with pytest.raises(sa.exc.DBAPIError), engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM report_approvals"))
    assert count(engine, "audit_log", "action = 'approve'") == 2


def test_the_export_holds_one_record_per_person_with_the_decided_grade(
    session: Session, tmp_path: Path
) -> None:
    _, approval = approved_run(session, tmp_path)
    [batch] = period_batches(session, PERIOD)
    records = {record["ma_cbccvc"]: record for record in batch.records}
    assert batch.payload["dinh_dang"] == "chamdiem-csdl-quoc-gia/1"
    assert batch.payload["ky"] == {
        "ma": "2026-Q1", "loai": "quy", "tu_ngay": "2026-01-01", "den_ngay": "2026-03-31",
    }  # fmt: skip
    assert batch.payload["phe_duyet"]["noi_dung_sha256"] == approval.content_sha256
    k1 = records["K1"]
    assert k1["muc_tinh_toan"] == "tot" and k1["muc_xep_loai"] == "xuat_sac"
    assert k1["so_quyet_dinh"] == "15/QĐ-SNV" and k1["ngay_quyet_dinh"] == "2026-04-15"
    assert k1["ho_ten"] == "Đặng Văn Khoa" and k1["ten_don_vi"] == "Phòng Kế hoạch"
    assert records["A1"]["so_quyet_dinh"] is None
    assert batch.payload["so_ban_ghi"] == len(records) == 14


def test_nothing_is_exported_before_an_approval(session: Session, tmp_path: Path) -> None:
    prepare(session, tmp_path)
    run_evaluation(session, PERIOD, scope=Scope.everything(), actor=ACTOR)
    with pytest.raises(ServiceError) as caught:
        queue_period(session, PERIOD, actor=ACTOR)
    assert "approve" in caught.value.message.en


def test_push_to_a_real_https_endpoint_with_retries(
    session: Session, engine: Engine, tmp_path: Path, receiver: Receiver
) -> None:
    _, approval = approved_run(session, tmp_path)
    [queued] = queue_period(session, PERIOD, actor=ACTOR)
    assert queued.created and queued.outbox.status == "pending"
    [again] = queue_period(session, PERIOD, actor=ACTOR)
    assert not again.created and again.outbox.id == queued.outbox.id
    transport = Https(receiver.url, TOKEN, timeout=10)

    clock = [datetime(2026, 4, 20, 2, 0, tzinfo=UTC)]
    receiver.answers = [503, 500]
    [first] = push_due(session, transport, actor=ACTOR, max_attempts=5, now=lambda: clock[0])
    assert first.status == "pending" and first.attempts == 1
    assert first.error == "HTTP 503 Service Unavailable"
    assert first.next_attempt_at == clock[0] + timedelta(minutes=1)
    # Not due yet: nothing is sent.
    assert push_due(session, transport, actor=ACTOR, max_attempts=5, now=lambda: clock[0]) == []
    clock[0] += timedelta(minutes=1)
    [second] = push_due(session, transport, actor=ACTOR, max_attempts=5, now=lambda: clock[0])
    assert second.status == "pending" and second.attempts == 2
    assert second.next_attempt_at == clock[0] + timedelta(minutes=2)
    clock[0] += timedelta(minutes=2)
    [third] = push_due(session, transport, actor=ACTOR, max_attempts=5, now=lambda: clock[0])
    assert third.status == "sent" and third.attempts == 3

    assert len(receiver.requests) == 3
    last = receiver.requests[-1]
    assert last["authorization"] == f"Bearer {TOKEN}"
    assert last["content_type"] == "application/json; charset=utf-8"
    body = last["body"]
    assert isinstance(body, bytes)
    assert last["idempotency"] == hashlib.sha256(body).hexdigest() == queued.outbox.payload_sha256
    sent = json.loads(body)
    assert sent["phe_duyet"]["id"] == approval.id and sent["so_ban_ghi"] == 14

    row = session.get(NationalOutbox, queued.outbox.id, populate_existing=True)
    assert row is not None
    assert row.status == "sent" and row.response_status == 200 and row.last_error is None
    assert row.response_body == '{"nhan": true}' and row.destination == receiver.url
    assert push_due(session, transport, actor=ACTOR, max_attempts=5, now=lambda: clock[0]) == []
    assert count(engine, "audit_log", "action = 'national_push'") == 3
    # the token is kept nowhere
    with engine.connect() as connection:
        texts = connection.execute(sa.text("SELECT details_json FROM audit_log")).scalars().all()
    assert not any(TOKEN in text for text in texts)


def test_a_refusal_is_not_retried_and_a_dead_endpoint_is(
    session: Session, tmp_path: Path, receiver: Receiver
) -> None:
    approved_run(session, tmp_path)
    queue_period(session, PERIOD, actor=ACTOR)
    receiver.answers = [422]
    [refused] = push_due(session, Https(receiver.url, TOKEN, 10), actor=ACTOR, max_attempts=5)
    assert refused.status == "failed" and refused.error == "HTTP 422 Unprocessable Entity"
    # Sent once more on request, to a port nobody listens on: a transient error.
    dead = Https("http://127.0.0.1:9/khong-co", TOKEN, 5)
    [retried] = push_due(session, dead, actor=ACTOR, max_attempts=5, everything=True)
    assert retried.status == "pending" and retried.attempts == 2
    assert retried.error is not None and "URLError" in retried.error
    [last] = push_due(session, dead, actor=ACTOR, max_attempts=3, everything=True)
    assert last.status == "failed" and last.attempts == 3  # out of attempts


def test_the_file_drop_writes_the_payload(session: Session, tmp_path: Path) -> None:
    approved_run(session, tmp_path)
    [queued] = queue_period(session, PERIOD, actor=ACTOR)
    folder = tmp_path / "gui"
    [done] = push_due(session, FileDrop(folder), actor=ACTOR, max_attempts=3)
    assert done.status == "sent"
    [file] = list(folder.iterdir())
    assert file.name.startswith(f"chamdiem_{PERIOD}_{queued.outbox.id}_")
    assert hashlib.sha256(file.read_bytes()).hexdigest() == queued.outbox.payload_sha256


def test_the_deadline_is_five_working_days_after_the_approval(
    session: Session, engine: Engine, tmp_path: Path
) -> None:
    _, approval = approved_run(session, tmp_path)
    day = approval.approved_at.astimezone(UTC) + timedelta(hours=7)
    [line] = outbox_status(session, today=day.date())
    assert line.outbox is None and line.working_days_left == 5
    warning = outbox_status(session, today=line.due_on + timedelta(days=14))[0].warning
    assert warning is not None and "QUÁ HẠN" in warning.vi
    [queued] = queue_period(session, PERIOD, actor=ACTOR)
    assert queued.outbox.due_on == line.due_on
    [line] = outbox_status(session, today=line.due_on)
    assert line.outbox is not None and line.working_days_left == 0
    assert line.warning is not None and "sắp đến hạn" in line.warning.vi


def test_a_province_day_off_moves_the_deadline(session: Session, tmp_path: Path) -> None:
    _, approval = approved_run(session, tmp_path)
    [before] = outbox_status(session)
    # a day off on the first working day after the approval
    start = (approval.approved_at.astimezone(UTC) + timedelta(hours=7)).date()
    first = start + timedelta(days=1)
    while first.weekday() >= 5:
        first += timedelta(days=1)
    set_province_day(
        session, first, working=False, note="nghỉ theo quyết định của tỉnh", actor=ACTOR
    )
    [after] = outbox_status(session)
    assert after.due_on > before.due_on


def test_retry_delays_double_up_to_six_hours() -> None:
    assert [retry_delay(n) for n in (1, 2, 3)] == [timedelta(minutes=m) for m in (1, 2, 4)]
    assert retry_delay(30) == timedelta(hours=6)


def test_status_lists_only_the_newest_approved_run_to_export(
    session: Session, tmp_path: Path
) -> None:
    first_run, _ = approved_run(session, tmp_path)
    [second] = run_evaluation(session, PERIOD, scope=Scope.everything(), actor=ACTOR)
    approve_run(session, second.run_id, actor="giam_doc_snv")
    [line] = outbox_status(session)
    assert line.outbox is None and line.approval.run_id == second.run_id != first_run
    [queued] = queue_period(session, PERIOD, actor=ACTOR)
    assert queued.outbox.approval_id == line.approval.id
    [line] = outbox_status(session)
    assert line.outbox is not None and line.outbox.id == queued.outbox.id
