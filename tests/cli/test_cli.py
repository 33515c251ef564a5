"""The command line end to end through main(argv): what a user sees, and the exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from chamdiem.cli import main
from tests.platform.builders import xlsx

RULES = """\
ruleset mini "Bộ tiêu chí thử"
  subject person
  period quarter
  effective 2026-01-01
  precision 2
end

input a : number 0..10 "Điểm A"
input b : number 0..10 "Điểm B"
input ky_luat : bool = false "Kỷ luật"

group chung "Chung" max 20
  criterion c_a "Nội dung A" max 10 = a
  criterion c_b "Nội dung B" max 10 = b
end

grades
  tot "Tốt" when total >= 15
  dat "Đạt" when total >= 10
  khong "Không đạt" otherwise
end

veto "Bị kỷ luật" when ky_luat: grade at most khong

test "đủ điểm"
  given a = 9, b = 8
  expect total = 17, grade = tot
end
"""

FAILING_TEST = """
test "sai kỳ vọng"
  given a = 1, b = 2
  expect total = 99
end
"""

BAD_RULES = RULES.replace("= a\n", "= aa\n")


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("CHAMDIEM_LANG", raising=False)
    monkeypatch.delenv("CHAMDIEM_DEBUG", raising=False)
    monkeypatch.chdir(tmp_path)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def data(path: Path, rows: list[list[object]]) -> Path:
    return xlsx(path, {"subjects": [["Mã", "Họ và tên", "Đơn vị", "Điểm A", "b"], *rows]})


GOOD_ROWS: list[list[object]] = [
    ["CC01", "Nguyễn An", "Sở A", 9, 8],
    ["CC02", "Trần Bình", "Sở A", 5, 6.5],
    ["CC03", "Lê Chi", "Sở B", 2, 3],
]


# ---------------------------------------------------------------- check


def test_check_a_good_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "mini.rules", RULES)
    assert main(["check", "mini.rules"]) == 0
    out, err = capsys.readouterr()
    assert out == "Đã kiểm tra 1 tệp: 0 lỗi, 0 cảnh báo.\n"
    assert err == ""


def test_check_reports_errors_with_file_line_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "rules"
    folder.mkdir()
    write(folder / "good.rules", RULES)
    # Another rule set: a folder is checked as one set, where a name declared twice is an error.
    write(folder / "bad.rules", BAD_RULES.replace("ruleset mini ", "ruleset mini_sai "))
    assert main(["check", "rules"]) == 1
    out, err = capsys.readouterr()
    line = BAD_RULES.splitlines().index('  criterion c_a "Nội dung A" max 10 = aa') + 1
    column = BAD_RULES.splitlines()[line - 1].index("aa") + 1
    errors = [text for text in err.splitlines() if ": lỗi: " in text]
    assert len(errors) == 1
    assert errors[0].startswith(f"rules/bad.rules:{line}:{column}: lỗi: ")
    assert "aa" in errors[0]
    assert out.startswith("Đã kiểm tra 2 tệp: 1 lỗi")


def test_check_a_missing_path(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "nowhere.rules"]) == 1
    _, err = capsys.readouterr()
    assert err == "nowhere.rules: lỗi: không tìm thấy tệp hoặc thư mục\n"


def test_check_in_english(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "mini.rules", RULES)
    assert main(["--lang", "en", "check", "mini.rules"]) == 0
    assert capsys.readouterr().out == "Checked 1 file(s): 0 error(s), 0 warning(s).\n"
    assert main(["check", "mini.rules", "--lang=en"]) == 0
    assert capsys.readouterr().out.startswith("Checked 1 file(s)")


def test_language_from_the_environment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / "mini.rules", RULES)
    monkeypatch.setenv("CHAMDIEM_LANG", "en")
    assert main(["check", "mini.rules"]) == 0
    assert capsys.readouterr().out.startswith("Checked 1 file(s)")


# ---------------------------------------------------------------- test


def test_test_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "mini.rules", RULES)
    assert main(["test", "mini.rules"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[-1] == "1 đạt, 0 không đạt"
    assert main(["test", "--lang", "en", "mini.rules"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "1 passed, 0 failed"


def test_test_failures_show_name_place_expected_and_actual(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "rules"
    folder.mkdir()
    write(folder / "a.rules", RULES + FAILING_TEST)
    write(folder / "b.rules", BAD_RULES)
    assert main(["test", "rules"]) == 1
    out, err = capsys.readouterr()
    lines = out.splitlines()
    test_line = (RULES + FAILING_TEST).splitlines().index('test "sai kỳ vọng"') + 1
    assert f"KHÔNG ĐẠT rules/a.rules:{test_line}: sai kỳ vọng" in lines
    failure = lines[lines.index(f"KHÔNG ĐẠT rules/a.rules:{test_line}: sai kỳ vọng") + 1]
    assert "99" in failure and "3" in failure  # expected 99, actual 1 + 2
    assert "KHÔNG ĐẠT rules/b.rules: tệp có lỗi nên không chạy được kiểm thử" in lines
    assert "rules/b.rules:" in err and ": lỗi: " in err  # its diagnostics
    assert lines[-1] == "1 đạt, 2 không đạt"


# ---------------------------------------------------------------- eval


def test_eval_prints_json_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "mini.rules", RULES)
    data(tmp_path / "data.xlsx", GOOD_ROWS)
    assert main(["eval", "mini.rules", "data.xlsx"]) == 0
    out, err = capsys.readouterr()
    records = [json.loads(line) for line in out.splitlines()]
    assert [(r["code"], r["unit"], r["total"], r["grade"]) for r in records] == [
        ("CC01", "Sở A", "17.00", "tot"),
        ("CC02", "Sở A", "11.50", "dat"),
        ("CC03", "Sở B", "5.00", "khong"),
    ]
    assert records[1]["values"]["c_b"] == "6.50"
    assert "Sở A" in out  # not \u escapes
    assert err == ""


def test_eval_writes_csv_and_xlsx(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "mini.rules", RULES)
    data(tmp_path / "data.xlsx", GOOD_ROWS)
    assert main(["eval", "mini.rules", "data.xlsx", "--out", "out/r.csv"]) == 0
    text = (tmp_path / "out" / "r.csv").read_text(encoding="utf-8-sig").splitlines()
    assert text[0].startswith("code,name,unit,total,score_grade,grade,")
    assert text[1].startswith("CC01,Nguyễn An,Sở A,17.00,tot,tot,")
    assert main(["eval", "mini.rules", "data.xlsx", "--format", "xlsx", "--out", "r.bin"]) == 0
    with (tmp_path / "r.bin").open("rb") as stream:
        sheet = openpyxl.load_workbook(stream).worksheets[0]
    assert sheet["A2"].value == "CC01" and sheet["F2"].value == "Tốt"
    assert main(["eval", "mini.rules", "data.xlsx", "--out", "r.jsonl"]) == 0
    assert len((tmp_path / "r.jsonl").read_text(encoding="utf-8").splitlines()) == 3
    capsys.readouterr()
    assert main(["eval", "mini.rules", "data.xlsx", "--format", "csv"]) == 2
    assert "--format csv cần --out" in capsys.readouterr().err


def test_eval_with_bad_data_lists_every_problem_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path / "mini.rules", RULES)
    data(tmp_path / "data.xlsx", [["CC01", "An", "Sở A", "chín", 8], ["CC01", "Bình", "", 5, 11]])
    (tmp_path / "old.jsonl").write_text("old results\n", encoding="utf-8")
    for out in ("new.jsonl", "old.jsonl", "new.xlsx"):
        assert main(["eval", "mini.rules", "data.xlsx", "--out", out]) == 1
    _, err = capsys.readouterr()
    assert err.splitlines()[:4] == [
        "data.xlsx:subjects:2:D: lỗi: 'chín' không phải là số (a)",
        "data.xlsx:subjects:3:A: lỗi: mã 'CC01' trùng: đã có ở dòng 2 và dòng 3 (code)",
        "data.xlsx:subjects:3:E: lỗi: giá trị 11 nằm ngoài khoảng 0..10 (b)",
        "Dữ liệu có 3 lỗi; chưa đánh giá, không ghi kết quả.",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.xlsx", "mini.rules", "old.jsonl"]
    assert (tmp_path / "old.jsonl").read_text(encoding="utf-8") == "old results\n"
    assert main(["eval", "mini.rules", "data.xlsx", "--lang", "en"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines()[0] == (
        "data.xlsx:subjects:2:D: error: 'chín' is not a number (a)"
    )


def test_eval_with_a_number_of_5001_digits_names_its_cell(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path / "mini.rules", RULES)
    data(
        tmp_path / "data.xlsx",
        [["CC01", "An", "Sở A", "9" * 5001, 8], ["CC02", "Bình", "", 5, 1e30]],
    )
    folder = tmp_path / "csv"
    folder.mkdir()
    write(folder / "subjects.csv", f"code,a,b\nCC01,{'1' * 5001},2\n")
    assert main(["eval", "mini.rules", "data.xlsx", "--out", "r.jsonl"]) == 1
    assert main(["eval", "mini.rules", "csv"]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and "Traceback" not in captured.err
    assert captured.err.splitlines() == [
        f"data.xlsx:subjects:2:D: lỗi: '{'9' * 39}…' có quá nhiều chữ số (một số có tối đa 28 "
        "chữ số) (a)",
        "data.xlsx:subjects:3:E: lỗi: '1e+30' có quá nhiều chữ số (một số có tối đa 28 chữ số) (b)",
        "Dữ liệu có 2 lỗi; chưa đánh giá, không ghi kết quả.",
        f"csv/subjects.csv:2:B: lỗi: '{'1' * 39}…' có quá nhiều chữ số (một số có tối đa 28 "
        "chữ số) (a)",
        "Dữ liệu có 1 lỗi; chưa đánh giá, không ghi kết quả.",
    ]
    assert not (tmp_path / "r.jsonl").exists()


def test_eval_with_a_file_that_is_not_a_workbook(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path / "mini.rules", RULES)
    write(tmp_path / "data.xlsx", "Mã,a,b\nCC01,1,2\n")
    assert main(["eval", "mini.rules", "data.xlsx", "--out", "r.jsonl"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("data.xlsx: lỗi: tệp không phải sổ tính Excel hợp lệ")
    assert not (tmp_path / "r.jsonl").exists()


def test_eval_with_bad_rules(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "bad.rules", BAD_RULES)
    data(tmp_path / "data.xlsx", GOOD_ROWS)
    assert main(["eval", "bad.rules", "data.xlsx", "--out", "r.jsonl"]) == 1
    out, err = capsys.readouterr()
    assert out == "" and "bad.rules:" in err and ": lỗi: " in err
    assert not (tmp_path / "r.jsonl").exists()


def test_eval_division_by_zero_names_the_subject(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = RULES.replace("= b\n", "= 10 / b\n").split('test "đủ điểm"')[0]
    write(tmp_path / "div.rules", rules)
    data(tmp_path / "data.xlsx", [["CC01", "An", "Sở A", 1, 2], ["CC02", "Bình", "Sở A", 1, 0]])
    assert main(["eval", "div.rules", "data.xlsx"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    problems = [line for line in err.splitlines() if "CC0" in line]
    assert problems and all(line.startswith("data.xlsx: CC02: lỗi: ") for line in problems)
    assert "chia cho 0" in problems[0]


def test_eval_explain(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "mini.rules", RULES)
    data(tmp_path / "data.xlsx", GOOD_ROWS)
    assert main(["eval", "mini.rules", "data.xlsx", "--explain", "CC02"]) == 0
    out = capsys.readouterr().out
    assert "CC02" in out and "11.5" in out.replace(",", ".")
    assert not out.lstrip().startswith("{")  # the explanation, not JSON lines
    # the form's table and sentences first, the developer trace after them for the checker
    people, checker = out.split("--- Cho người kiểm tra ---")
    assert "Tiêu chí | Tối đa | Điểm" in people and "nên được mức" in people
    assert ": =" in checker and ": =" not in people
    assert main(["eval", "mini.rules", "data.xlsx", "--explain", "CC2"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(
        "--explain: lỗi: không có đối tượng mã 'CC2' trong dữ liệu; mã gần giống:"
    )
    assert "CC02" in err


# ---------------------------------------------------------------- usage and failures


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert main(["frobnicate"]) == 2
    assert main(["eval", "only-rules.rules"]) == 2
    err = capsys.readouterr().err
    assert "chamdiem: lỗi cách dùng:" in err
    assert main(["--help"]) == 0
    assert "check" in capsys.readouterr().out


def test_an_unexpected_failure_is_one_line_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / "mini.rules", RULES)
    data(tmp_path / "data.xlsx", GOOD_ROWS)

    def broken(*args: object, **options: object) -> None:
        raise RuntimeError("something inside broke")

    monkeypatch.setattr("chamdiem.platform.excel.read_cohort", broken)
    assert main(["eval", "mini.rules", "data.xlsx"]) == 3
    err = capsys.readouterr().err
    assert err == (
        "chamdiem: lỗi không mong đợi (RuntimeError: something inside broke); "
        "chạy lại với CHAMDIEM_DEBUG=1 để xem chi tiết\n"
    )
    monkeypatch.setenv("CHAMDIEM_DEBUG", "1")
    assert main(["eval", "mini.rules", "data.xlsx"]) == 3
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):")
    assert "RuntimeError: something inside broke" in err


# ---------------------------------------------------------------- demo


def test_demo_generates_evaluates_and_summarises(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHAMDIEM_DATA_DIR", str(tmp_path / "store"))
    assert main(["demo", "--people", "2000"]) == 0
    out = capsys.readouterr().out
    demo = tmp_path / "store" / "demo"
    jsonl = demo / "ket_qua_cong_chuc_quy.jsonl"
    assert len(jsonl.read_text(encoding="utf-8").splitlines()) == 2000
    assert (demo / "ket_qua_cong_chuc_quy.xlsx").exists()
    assert "Kết quả xếp loại (2.000 người):" in out
    assert "Hoàn thành tốt nhiệm vụ" in out
    assert str(jsonl) in out
    assert "Ví dụ giải thích cho" in out
    # The closing lines: how to see it on the web, then the accounts to sign in with.
    assert "chamdiem serve" in out.splitlines()[-8]


def test_the_demo_accounts_sign_in_with_the_passwords_it_prints(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from chamdiem.platform.db.engine import make_engine, open_session
    from chamdiem.platform.services.accounts import authenticate

    monkeypatch.setenv("CHAMDIEM_DATA_DIR", str(tmp_path / "store"))
    printed: list[dict[str, str]] = []
    for _ in range(2):  # a second demo gives the same accounts new passwords
        assert main(["demo", "--people", "2000"]) == 0
        lines = capsys.readouterr().out.splitlines()[-7:]
        printed.append(dict(line.split()[:2] for line in lines))
    staff = {"quantri", "tccb.snv", "thanhtra", "chinhsach"}
    # Beside the staff: a civil servant, their manager and their body's leader (by code).
    assert staff < set(printed[0]) and len(printed[0]) == 7
    engine = make_engine(f"sqlite:///{tmp_path / 'store' / 'demo' / 'chamdiem.db'}")
    try:
        with open_session(engine) as session:
            for username, password in printed[1].items():
                assert authenticate(session, username, password) is not None
                assert authenticate(session, username, printed[0][username]) is None
    finally:
        engine.dispose()


def test_demo_with_too_few_people(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHAMDIEM_DATA_DIR", str(tmp_path / "store"))
    assert main(["demo", "--people", "10"]) == 1
    assert "--people: lỗi: không tạo được dữ liệu mẫu" in capsys.readouterr().err
