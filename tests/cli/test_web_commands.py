"""`user add`, `user token` and the database problems every command reports the same way:
a message on stderr and exit code 1, never a traceback."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from chamdiem.cli import main
from chamdiem.cli import web as web_commands

PASSWORD = "mot mat khau dai 123\n"


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("CHAMDIEM_DATABASE_URL", "CHAMDIEM_LANG", "CHAMDIEM_DATA_DIR", "CHAMDIEM_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CHAMDIEM_USER", "tester")
    monkeypatch.chdir(tmp_path)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.out, captured.err


def test_accounts_and_tokens(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "db", "upgrade")[0] == 0
    add = ("user", "add", "qt", "--role", "admin", "--password-stdin")
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD * 2))
    assert run(capsys, *add) == (
        0,
        "Đã tạo tài khoản qt (quản trị hệ thống; toàn tỉnh).\n",
        "",
    )
    assert run(capsys, *add, "--lang", "en") == (
        1,
        "",
        "chamdiem: error: user name 'qt' is taken already\n",
    )
    code, out, err = run(capsys, "user", "token", "qt", "--lang", "en")
    assert code == 0 and err == ""
    assert out.startswith("API token of qt (shown this once):\n") and len(out.splitlines()) == 2
    assert run(capsys, "user", "token", "ai_do") == (
        1,
        "",
        "chamdiem: lỗi: không có người dùng 'ai_do'\n",
    )
    assert web_commands.main(["user", "token", "ai_do", "--lang", "en"]) == 1
    assert capsys.readouterr().err == "chamdiem: error: there is no user 'ai_do'\n"


def test_passwords_that_differ_or_are_missing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = iter(["mot mat khau", "mat khau khac"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    assert run(capsys, "user", "add", "qt", "--role", "admin") == (
        1,
        "",
        "chamdiem: lỗi: hai lần nhập mật khẩu khác nhau\n",
    )

    def no_input(prompt: str) -> str:
        raise EOFError

    monkeypatch.setattr("getpass.getpass", no_input)
    assert run(capsys, "user", "add", "qt", "--role", "admin", "--lang", "en") == (
        1,
        "",
        "chamdiem: error: no password given\n",
    )


def test_a_database_not_created_yet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "user", "token", "qt") == (
        1,
        "",
        "chamdiem: lỗi: cơ sở dữ liệu chưa tạo: chạy `chamdiem db upgrade` trước\n",
    )
    folder = tmp_path.resolve() / "data"
    shown = f"sqlite:///{folder}/chamdiem.db"
    for argv in (["history", "A1"], ["report", "1", "-o", "r.xlsx"], ["period", "add", "2026"]):
        code, out, err = run(capsys, *argv, "--lang", "en")
        assert (code, out) == (1, "")
        assert err.startswith(
            f"chamdiem: error: the database {shown} is not created: run `chamdiem db upgrade` "
            f"first; the data folder is {folder} (CHAMDIEM_DATA_DIR; a relative path is taken "
            f"from the project folder {tmp_path.resolve()}: "
        )
        assert "set CHAMDIEM_DATA_DIR to an absolute path" in err


@pytest.mark.parametrize(
    "argv", [["history", "A1"], ["period", "add", "2026"], ["report", "1", "-o", "r.xlsx"]]
)
def test_a_database_that_cannot_be_reached(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CHAMDIEM_DATABASE_URL", "postgresql://127.0.0.1:1/khong_co")
    code, out, err = run(capsys, *argv)
    assert code == 1 and out == ""
    assert err.startswith(
        "chamdiem: lỗi: lỗi cơ sở dữ liệu (không kết nối được, bị khóa hoặc thiếu quyền?): "
    )


def test_a_database_url_that_cannot_be_read(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CHAMDIEM_DATABASE_URL", "khong phai url")
    for argv in (["history", "A1"], ["report", "1", "-o", "r.xlsx"], ["db", "upgrade"]):
        code, _, err = run(capsys, *argv, "--lang", "en")
        assert code == 1 and err.startswith("chamdiem: error: invalid CHAMDIEM_DATABASE_URL (")
    code, _, err = run(capsys, "user", "token", "qt")
    assert code == 1 and err.startswith("chamdiem: lỗi: không mở được cơ sở dữ liệu: ")
