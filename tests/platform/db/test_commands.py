"""The platform's commands as a user runs them: messages in Vietnamese (English on request),
exit code 1 and no traceback for a user's problem."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from chamdiem.cli.database import dispatch, main, register
from chamdiem.platform.db.engine import make_engine
from chamdiem.platform.db.migrate import head_revision
from tests.platform.db.helpers import ACTOR, RULES, editable, people_copy, save, workbook


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A working folder without .env; the user named by CHAMDIEM_USER."""
    for name in ("CHAMDIEM_DATABASE_URL", "CHAMDIEM_LANG", "CHAMDIEM_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CHAMDIEM_USER", ACTOR)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.out, captured.err


def test_a_quarter_from_the_command_line(
    env: Path, db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CHAMDIEM_DATABASE_URL", db_url)
    book = str(workbook(env / "quy1.xlsx"))
    code, out, _ = run(capsys, "db", "upgrade")
    assert code == 0 and head_revision() in out
    assert run(capsys, "org", "load", book)[1].startswith("Đã nạp tổ chức")
    assert "Đã tạo kỳ 2026-Q1 (quý" in run(capsys, "period", "add", "2026-Q1")[1]
    code, out, _ = run(capsys, "rules", "publish", str(RULES))
    assert code == 0 and "Đã công bố cong_chuc_quy" in out
    code, out, _ = run(capsys, "import", book, "--period", "2026-Q1")
    assert code == 0 and "14 đối tượng, 15 dòng danh sách" in out
    code, out, _ = run(capsys, "import", book, "--period", "2026-Q1", "--lang", "en")
    assert code == 0 and "nothing changed" in out
    rows = editable()
    rows["subjects"][2][5] = 9  # A1's chinh_tri: 10 -> 9
    fixed = str(save(env / "quy1_sua.xlsx", rows))
    code, out, _ = run(capsys, "import", fixed, "--period", "2026-Q1")
    assert code == 0 and "14 bản ghi cũ được thay, trong đó 1 có giá trị khác (" in out
    code, out, _ = run(capsys, "import", book, "--period", "2026-Q1", "--lang", "en")
    assert code == 0 and "14 earlier record(s) replaced, 1 of them with other values (" in out
    code, out, _ = run(capsys, "run", "--period", "2026-Q1")
    assert code == 0 and out.startswith("Lần chạy #1: cong_chuc_quy, kỳ 2026-Q1, 14 đối tượng")
    # Grades by what a person reads, best first.
    assert re.search(
        r"xếp loại: Hoàn thành xuất sắc nhiệm vụ \d+, Hoàn thành tốt nhiệm vụ \d+, .*"
        r"Không hoàn thành nhiệm vụ \d+\.$",
        out.strip(),
    ), out
    code, out, _ = run(capsys, "verify", "1")
    assert code == 0 and "Lần chạy #1 khớp" in out

    engine = make_engine(db_url)
    try:
        with engine.begin() as connection:
            connection.execute(
                sa.text("UPDATE results SET total = '0.00' WHERE subject_code = 'A1'")
            )
            actors = set(connection.execute(sa.text("SELECT actor FROM audit_log")).scalars())
    finally:
        engine.dispose()
    assert actors == {ACTOR}
    code, _, err = run(capsys, "--lang", "en", "verify", "1")
    assert code == 1
    assert "A1: total: stored 0.00, recomputed 99.00" in err
    assert "does NOT verify: 1 difference(s)" in err

    code, _, _ = run(capsys, "period", "lock", "2026-Q1")
    assert code == 0
    code, _, err = run(capsys, "import", book, "--period", "2026-Q1")
    assert code == 1 and "kỳ 2026-Q1 đã khóa" in err


def test_a_bad_file_is_listed_cell_by_cell_and_nothing_is_stored(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CHAMDIEM_DATA_DIR", str(env / "du_lieu"))
    book = str(workbook(env / "quy1.xlsx"))
    for argv in (["db", "upgrade"], ["org", "load", book], ["period", "add", "2026-Q1"]):
        assert run(capsys, *argv)[0] == 0
    assert run(capsys, "rules", "publish", str(RULES))[0] == 0
    rows = editable(people_copy())
    rows["subjects"][2][5] = "chín"
    bad = save(env / "sai.xlsx", rows)
    code, out, err = run(capsys, "import", str(bad), "--period", "2026-Q1")
    assert code == 1 and out == ""
    assert f"{bad}:subjects:3:F: lỗi: 'chín' không phải là số (chinh_tri)" in err
    assert "Tệp có 1 lỗi; không lưu gì vào cơ sở dữ liệu." in err
    rows["subjects"][2][5] = 9
    rows["subjects"][3][0] = rows["san_pham"][3][0] = "X9"
    code, _, err = run(
        capsys, "--lang", "en", "import", str(save(env / "sai2.xlsx", rows)), "--period", "2026-Q1"
    )
    assert code == 1
    assert f"{env / 'sai2.xlsx'}:subjects:4:A: error: code 'X9' is not a person" in err
    engine = make_engine(f"sqlite:///{env / 'du_lieu' / 'chamdiem.db'}")
    try:
        with engine.connect() as connection:
            assert connection.execute(sa.text("SELECT count(*) FROM input_records")).scalar() == 0
    finally:
        engine.dispose()


def test_a_number_of_5001_digits_is_a_problem_at_its_cell(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Python refuses to read more than 4,300 digits as a number; the import once ended with
    an unexpected error."""
    monkeypatch.setenv("CHAMDIEM_DATA_DIR", str(env / "du_lieu"))
    book = str(workbook(env / "quy1.xlsx"))
    for argv in (["db", "upgrade"], ["org", "load", book], ["period", "add", "2026-Q1"]):
        assert run(capsys, *argv)[0] == 0
    assert run(capsys, "rules", "publish", str(RULES))[0] == 0
    rows = editable(people_copy())
    rows["subjects"][2][5] = "1" * 5001
    bad = save(env / "dai.xlsx", rows)
    code, out, err = run(capsys, "import", str(bad), "--period", "2026-Q1")
    assert code == 1 and out == ""
    assert (
        f"{bad}:subjects:3:F: lỗi: '{'1' * 39}…' có quá nhiều chữ số (một số có tối đa 28 chữ "
        "số) (chinh_tri)"
    ) in err
    assert "Tệp có 1 lỗi; không lưu gì vào cơ sở dữ liệu." in err
    assert "lường trước" not in err


def test_a_database_not_created_yet(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "period", "add", "2026-Q1")
    assert code == 1
    assert "chưa tạo: chạy `chamdiem db upgrade` trước" in err
    code, _, err = run(capsys, "run", "--period", "2026-Q1", "--lang", "en")
    assert code == 1 and "is not created: run `chamdiem db upgrade` first" in err


def test_a_database_that_cannot_be_reached_or_named(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CHAMDIEM_DATABASE_URL", "postgresql://127.0.0.1:1/khong_co")
    code, _, err = run(capsys, "db", "upgrade")
    assert code == 1 and "lỗi cơ sở dữ liệu" in err
    monkeypatch.setenv("CHAMDIEM_DATABASE_URL", "khong phai url")
    code, _, err = run(capsys, "db", "upgrade", "--lang", "en")
    assert code == 1 and "invalid CHAMDIEM_DATABASE_URL" in err


def test_user_errors_in_english(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CHAMDIEM_LANG", "en")
    assert run(capsys, "db", "upgrade")[0] == 0
    code, _, err = run(capsys, "period", "add", "2026-Q9")
    assert code == 1 and "invalid period code '2026-Q9'" in err
    code, _, err = run(capsys, "verify", "7")
    assert code == 1 and "there is no run 7" in err
    bad_rules = env / "sai.rules"
    bad_rules.write_text("bộ tiêu chí x\n", encoding="utf-8")
    code, _, err = run(capsys, "rules", "publish", str(bad_rules))
    assert code == 1 and "the rule file has errors; not published" in err
    assert f"{bad_rules}:" in err  # the diagnostics, with their places


def test_register_adds_the_commands_to_a_parser_whose_commands_take_a_console(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The entry point runs each command as `args.run(args, console)`; these fit that too."""
    parser = argparse.ArgumentParser(prog="chamdiem")
    register(parser.add_subparsers(dest="command"), "en")
    args = parser.parse_args(["db", "upgrade"])
    assert args.run(args, object()) == 0
    assert "Đã nâng cấp cơ sở dữ liệu" in capsys.readouterr().out
    args = parser.parse_args(["period", "add", "2026", "--lang", "en"])
    assert dispatch(args) == 0
    assert "Added period 2026 (year, 2026-01-01 – 2026-12-31)." in capsys.readouterr().out
