"""`chamdiem calendar`, `approve`, `verify-approval` and `national export/push/status` as a
user runs them, the push going to a real HTTP server on 127.0.0.1 (test_national's)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from chamdiem.cli import main
from chamdiem.platform.db.engine import make_engine
from tests.platform.db.helpers import ACTOR, RULES, workbook
from tests.platform.db.test_national import TOKEN, Receiver, receiver  # noqa: F401 (fixture)


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in ("CHAMDIEM_DATABASE_URL", "CHAMDIEM_LANG", "CHAMDIEM_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    for name in ("TRANSPORT", "URL", "TOKEN", "DROP_DIR"):
        monkeypatch.delenv(f"CHAMDIEM_NATIONAL_{name}", raising=False)
    monkeypatch.setenv("CHAMDIEM_USER", ACTOR)
    monkeypatch.setenv("CHAMDIEM_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.out, captured.err


def test_the_calendar_commands(
    env: Path, db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CHAMDIEM_DATABASE_URL", db_url)
    assert run(capsys, "db", "upgrade")[0] == 0
    code, out, err = run(capsys, "calendar", "show", "2026")
    assert code == 0 and "16/02/2026  Thứ Hai" in out and "Tết Nguyên đán" in out
    assert "22/08/2026  Thứ Bảy   làm việc" in out and "đối chiếu" in err
    assert run(capsys, "calendar", "add", "12/02/2026", "7")[1] == "02/03/2026 (Thứ Hai)\n"
    code, out, _ = run(capsys, "calendar", "set", "2026-02-27", "--off", "--note", "QĐ 12/UBND")
    assert code == 0 and "27/02/2026 là ngày nghỉ của tỉnh" in out
    assert run(capsys, "calendar", "add", "12/02/2026", "7")[1] == "03/03/2026 (Thứ Ba)\n"
    assert run(capsys, "calendar", "between", "2026-02-12", "2026-03-03")[1] == "7\n"
    assert "của tỉnh: QĐ 12/UBND" in run(capsys, "calendar", "show", "2026")[1]
    assert run(capsys, "calendar", "unset", "27/02/2026")[0] == 0
    assert run(capsys, "calendar", "add", "12/02/2026", "7", "--lang", "en")[1] == (
        "2026-03-02 (Monday)\n"
    )
    code, _, err = run(capsys, "calendar", "add", "31/02/2026", "7")
    assert code == 1 and "ngày không hợp lệ" in err
    code, _, err = run(capsys, "calendar", "add", "2030-12-20", "10")
    assert code == 0 and "chưa có ngày Tết và Giỗ Tổ của năm 2031" in err


def test_approve_export_push_and_status(
    env: Path,
    db_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    receiver: Receiver,  # noqa: F811
) -> None:
    monkeypatch.setenv("CHAMDIEM_DATABASE_URL", db_url)
    book = str(workbook(env / "quy1.xlsx"))
    for argv in (
        ("db", "upgrade"),
        ("org", "load", book),
        ("period", "add", "2026-Q1"),
        ("rules", "publish", str(RULES)),
        ("import", book, "--period", "2026-Q1"),
        ("run", "--period", "2026-Q1"),
    ):
        assert run(capsys, *argv)[0] == 0, argv
    code, _, err = run(capsys, "national", "export", "--period", "2026-Q1")
    assert code == 1 and "chưa có báo cáo kết quả nào được phê duyệt" in err
    code, out, _ = run(capsys, "approve", "1", "--title", "Giám đốc Sở")
    assert code == 0 and out.startswith("Phê duyệt số 1: báo cáo lần chạy #1 (14 kết quả")
    code, out, _ = run(capsys, "verify-approval", "1")
    assert code == 0 and "Phê duyệt số 1 khớp" in out

    code, out, _ = run(capsys, "national", "export", "--period", "2026-Q1")
    assert code == 0 and "Bản tin #1 (cong_chuc_quy, kỳ 2026-Q1): 14 người, mới đưa" in out
    folder = env / "data" / "quoc_gia"
    [json_file] = folder.glob("*.json")
    [xlsx_file] = folder.glob("*.xlsx")
    assert json.loads(json_file.read_bytes())["so_ban_ghi"] == 14
    book = load_workbook(xlsx_file, read_only=True)  # read-only keeps the file open: close it
    try:
        rows = list(book["ket_qua"].iter_rows(values_only=True))
    finally:
        book.close()
    assert rows[0][:2] == ("Mã CBCCVC", "Họ và tên") and len(rows) == 15
    assert "đã có trong hàng đợi" in run(capsys, "national", "export", "--period", "2026-Q1")[1]

    monkeypatch.setenv("CHAMDIEM_NATIONAL_TRANSPORT", "https")
    monkeypatch.setenv("CHAMDIEM_NATIONAL_URL", receiver.url)
    monkeypatch.setenv("CHAMDIEM_NATIONAL_TOKEN", TOKEN)
    receiver.answers = [502]
    code, _, err = run(capsys, "national", "push")
    assert code == 1 and "HTTP 502" in err and "lần thử 1" in err
    code, out, _ = run(capsys, "national", "status")
    assert "bản tin #1: chờ gửi, 14 người, 1 lần thử (HTTP 502 Bad Gateway)" in out
    code, out, _ = run(capsys, "national", "push", "--all")
    assert code == 0 and f"đã gửi tới {receiver.url} (lần thử 2)" in out
    assert len(receiver.requests) == 2
    assert receiver.requests[-1]["authorization"] == f"Bearer {TOKEN}"
    code, out, _ = run(capsys, "national", "status", "--lang", "en")
    assert code == 0 and "message #1: sent, 14 people, 2 attempt(s)" in out

    monkeypatch.setenv("CHAMDIEM_NATIONAL_URL", "http://example.org/api")
    code, _, err = run(capsys, "national", "push")
    assert code == 1 and "phải dùng https" in err

    # A result changed behind the software's back: the approval no longer verifies.
    engine = make_engine(db_url)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text("UPDATE results SET grade = 'sua_trai_phep' WHERE id = 1"))
    finally:
        engine.dispose()
    code, _, err = run(capsys, "verify-approval", "1")
    assert code == 1 and "KHÔNG khớp" in err
