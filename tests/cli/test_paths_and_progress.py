"""Where the commands look for the data folder (from any folder inside the project), what a
command says while it works (only on a terminal or with --progress), and the word for an
error in each language."""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import pytest

from chamdiem.cli import main
from chamdiem.cli.console import Console, Progress
from chamdiem.dsl.diagnostics import Text
from chamdiem.platform.settings import Settings, project_folder
from tests.cli.test_cli import BAD_RULES, GOOD_ROWS, RULES, data, write


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("CHAMDIEM_DATABASE_URL", "CHAMDIEM_LANG", "CHAMDIEM_DATA_DIR", "CHAMDIEM_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CHAMDIEM_USER", "tester")
    monkeypatch.chdir(tmp_path)


# ---------------------------------------------------------------- the data folder


def test_the_database_is_found_from_a_folder_below_the_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "upgrade"]) == 0
    below = tmp_path / "rules" / "thu"
    below.mkdir(parents=True)
    monkeypatch.chdir(below)
    assert project_folder() == tmp_path.resolve()
    assert Settings().data_dir == tmp_path.resolve() / "data"
    assert main(["period", "add", "2026-Q1"]) == 0
    assert "Đã tạo kỳ 2026-Q1" in capsys.readouterr().out
    assert not (below / "data").exists()


def test_a_relative_data_folder_in_dotenv_is_taken_from_the_dotenv_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / ".env").write_text("CHAMDIEM_DATA_DIR=kho\nCHAMDIEM_LANG=en\n", "utf-8")
    below = tmp_path / "a" / "b"
    below.mkdir(parents=True)
    monkeypatch.chdir(below)
    assert Settings().data_dir == tmp_path.resolve() / "kho"
    assert main(["db", "upgrade"]) == 0
    assert (tmp_path / "kho" / "chamdiem.db").is_file()
    assert capsys.readouterr().out.startswith("Upgraded the database")  # .env's language


def test_an_absolute_data_folder_is_used_as_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHAMDIEM_DATA_DIR", str(tmp_path / "noi_khac"))
    (tmp_path / ".env").write_text("CHAMDIEM_DATA_DIR=kho\n", "utf-8")
    assert Settings().data_dir == tmp_path / "noi_khac"


def test_a_database_not_found_says_where_the_data_folder_was_looked_for(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", "--period", "2026-Q1"]) == 1
    err = capsys.readouterr().err
    assert "chưa tạo: chạy `chamdiem db upgrade` trước" in err
    assert f"thư mục dữ liệu là {tmp_path.resolve() / 'data'} (CHAMDIEM_DATA_DIR;" in err
    assert "có tệp .env hoặc data/chamdiem.db" in err


# ---------------------------------------------------------------- the demo twice


def test_the_demo_twice_starts_from_a_new_demo_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from sqlmodel import func, select

    from chamdiem.platform.db.engine import make_engine, open_session
    from chamdiem.platform.db.models import EvaluationRun, Person

    monkeypatch.setenv("CHAMDIEM_DATA_DIR", str(tmp_path / "store"))
    assert main(["demo", "--people", "2000"]) == 0
    assert "được thay bằng một cơ sở dữ liệu mới" not in capsys.readouterr().out
    assert main(["demo", "--people", "2100", "--seed", "7"]) == 0
    out = capsys.readouterr().out
    database = tmp_path / "store" / "demo" / "chamdiem.db"
    assert f"Cơ sở dữ liệu mẫu {database} của lần chạy trước được thay" in out
    assert "chamdiem serve --demo" in out
    engine = make_engine(f"sqlite:///{database}")
    try:
        with open_session(engine) as session:
            assert session.exec(select(func.count()).select_from(Person)).one() == 2100
            assert session.exec(select(func.count()).select_from(EvaluationRun)).one() == 1
    finally:
        engine.dispose()
    assert not (tmp_path / "store" / "chamdiem.db").exists()  # the configured one: untouched


# ---------------------------------------------------------------- progress


def test_no_progress_on_a_pipe(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "mini.rules", RULES)
    data(tmp_path / "data.xlsx", GOOD_ROWS)
    assert main(["eval", "mini.rules", "data.xlsx", "--out", "r.jsonl"]) == 0
    assert "Đang" not in capsys.readouterr().err


def test_progress_when_asked_one_line_per_step(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path / "mini.rules", RULES)
    data(tmp_path / "data.xlsx", GOOD_ROWS)
    assert main(["eval", "mini.rules", "data.xlsx", "--out", "r.jsonl", "--progress"]) == 0
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.splitlines()
    assert lines[:3] == ["Đang đọc dữ liệu…", "Đang đánh giá…", "Đang ghi kết quả…"]
    assert "\r" not in err  # not a terminal: nothing redrawn


def test_progress_on_a_terminal_is_redrawn_and_wiped(monkeypatch: pytest.MonkeyPatch) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    monkeypatch.setattr(Progress, "TICK", 0.01)
    progress = Progress.for_args(argparse.Namespace(), Console("en"))
    with progress.step(Text("Đang đánh giá", "Evaluating")):
        import time

        time.sleep(0.05)
    shown = terminal.getvalue()
    assert shown.startswith("\r\x1b[KEvaluating… 0.0 s")
    assert shown.count("Evaluating…") >= 2  # redrawn as time passes
    assert shown.endswith("\r\x1b[K")  # and wiped at the end
    monkeypatch.setattr(Progress, "TICK", 60.0)  # drawn once, then an error wipes it
    console = Console("vi")
    with Progress.for_args(argparse.Namespace(), console).step(Text("Đang đọc", "Reading")):
        console.error("data.xlsx", Text("hỏng", "broken"))
    shown = terminal.getvalue()[len(shown) :]
    assert shown == "\r\x1b[KĐang đọc… 0,0 giây\r\x1b[Kdata.xlsx: lỗi: hỏng\n"


# ---------------------------------------------------------------- one word for an error


def test_check_says_loi_in_vietnamese_and_error_in_english(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path / "bad.rules", BAD_RULES)
    assert main(["check", "bad.rules"]) == 1
    err = capsys.readouterr().err
    assert ": lỗi: " in err and ": error: " not in err
    assert main(["check", "--lang", "en", "bad.rules"]) == 1
    err = capsys.readouterr().err
    assert ": error: " in err and "lỗi" not in err
