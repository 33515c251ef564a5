"""Rule sets that cannot be evaluated together: a clear message naming the files, exit 1,
never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from chamdiem.cli import main
from tests.multilevel.province import workbook

RULES = Path(__file__).resolve().parents[2] / "rules"

LINKED = """\
ruleset {name} "Vòng {name}"
  subject person
  period quarter
  effective 2026-01-01
  needs {other}
end

input x : number 0..10 "X"

let tu_kia = count(subordinates({other}))

group g "G" max 10
  criterion c "C" max 10 = x + 0 * tu_kia
end

grades
  dat "Đạt" when total >= 5
  khong "Không" otherwise
end
"""


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("CHAMDIEM_LANG", raising=False)
    monkeypatch.delenv("CHAMDIEM_DEBUG", raising=False)
    monkeypatch.chdir(tmp_path)


def test_a_cycle_between_two_rule_files_names_both(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "vong"
    folder.mkdir()
    first = folder / "vong_a.rules"
    second = folder / "vong_b.rules"
    first.write_text(LINKED.format(name="vong_a", other="vong_b"), encoding="utf-8")
    second.write_text(LINKED.format(name="vong_b", other="vong_a"), encoding="utf-8")
    data = workbook(tmp_path / "tinh.xlsx")
    assert main(["eval", str(folder), str(data), "--period", "2026"]) == 1
    err = capsys.readouterr().err
    assert err.splitlines() == [
        f"chamdiem: lỗi: vòng lặp giữa các bộ tiêu chí: vong_a → vong_b → vong_a "
        f"(các tệp: {first}, {second})"
    ]
    assert main(["--lang", "en", "eval", str(first), str(second), str(data), "--period", "2026"])
    err = capsys.readouterr().err
    assert "cycle between rule sets: vong_a → vong_b → vong_a" in err
    assert str(first) in err and str(second) in err


def test_a_rule_set_needing_one_that_is_not_given(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = workbook(tmp_path / "tinh.xlsx")
    leaders = RULES / "lanh_dao_quy.rules"
    for extra in (["--period", "2026-Q1"], []):
        assert main(["eval", str(leaders), str(data), *extra]) == 1
        err = capsys.readouterr().err
        assert f"{leaders}:" in err
        assert "cần bộ tiêu chí `cong_chuc_quy` nhưng không có tệp nào khai báo nó" in err
        assert "Traceback" not in err


def test_linked_rule_sets_need_a_period(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = workbook(tmp_path / "tinh.xlsx")
    assert main(["eval", str(RULES), str(data)]) == 2
    assert "cần --period" in capsys.readouterr().err
    assert main(["eval", str(RULES), str(data), "--period", "2026-Q5"]) == 2
    assert "--period '2026-Q5' không hợp lệ" in capsys.readouterr().err
    # The quarterly and yearly rule sets alone (rules/ also holds monthly ones).
    folder = tmp_path / "khong_thang"
    folder.mkdir()
    for path in RULES.glob("*.rules"):
        if "\n  kỳ tháng\n" not in path.read_text(encoding="utf-8"):
            (folder / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["eval", str(folder), str(data), "--period", "2026-03"]) == 2
    assert "không bộ tiêu chí nào đánh giá theo kỳ 2026-03" in capsys.readouterr().err


def test_an_evaluation_problem_says_which_rule_set_and_period(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A division by zero that the rules do not guard fails the evaluation of one stage
    (here co_quan_nam, after the quarters went well): the message names that stage."""
    folder = tmp_path / "rules"
    folder.mkdir()
    for path in RULES.glob("*.rules"):
        text = path.read_text(encoding="utf-8")
        if path.name == "co_quan_nam.rules":
            text = text.replace(
                "ratio(nv_dung_han + nv_tre_han, nv_giao, if_zero: 1)",
                "(nv_dung_han + nv_tre_han) / (nv_giao - 20)",
            )
        (folder / path.name).write_text(text, encoding="utf-8")
    data = workbook(tmp_path / "tinh.xlsx")
    assert main(["eval", str(folder), str(data), "--period", "2026"]) == 1
    err = capsys.readouterr().err
    assert "co_quan_nam 2026: P1: lỗi: `ty_le_hoan_thanh`: chia cho 0" in err  # 20 tasks
    assert "Không đánh giá được co_quan_nam 2026: 1 lỗi; không ghi kết quả." in err
