"""A small province's whole year, computed by hand, through the real rule files in rules/ and
`chamdiem eval rules/ DATA --period 2026` (tests/multilevel/province.py builds the data).

The tree, three levels deep: T (the province: no row for 2026, so not graded itself)
→ S (a department) → P1, P2 (its offices). A heads S (H works in S); B heads P1 (C, D work
there); E heads P2 (F, G). Every quarter product setup (san_pham):
  "full": one product of coefficient 1, done            → a = b = c = 1   → ket_qua 70
  "half": two of coefficient 1, one done                → a = b = c = 1/2 → 70 × 1.5/3 = 35
  "late": two of coefficient 2, both done, one once late → a = b = 1,
          c = (2 × 0.75 + 2)/4 = 0.875 → 70 × 2.875/3 = 67.0833… → 67.08

cong_chuc_quy, total = chinh_tri + chuyen_mon + doi_moi + ket_qua:
  A  9+9+9 = 27 + 70 = 97          every quarter
  H  8+8+8 = 24 + 70 = 94          every quarter
  B  9+9+8 = 26 + 70 = 96          every quarter
  C  8+8+7 = 23 + 70 = 93          Q1, Q3, Q4;  Q2: 5+5+4 = 14 + 35 = 49 → khong
  D  Q1: 6+6+5 = 17 + 35 = 52;  Q2: 7+7+6 = 20 + 67.08 = 87.08;  Q3: away;
     Q4: 6+6+6 = 18 + 35 = 53
  E  10+10+10 = 30 + 70 = 100      every quarter
  F  8+8+8 = 24 + 70 = 94          Q3, Q4 only (joined in the year: 5 months)
  G  7+7+7 = 21 + 67.08 = 88.08    every quarter
The quota (20% of those at tot or better, per unit and position group, rounded down) allows
no xuat_sac in groups of fewer than five: everyone scoring 90+ is demoted to tot.

lanh_dao_quy (the heads A, B, E; d = 50% when someone managed is "khong" that quarter):
  ket_qua = 70 × (a + b + c + d + đ + e)/6, a = b = c = 1; chung from cong_chuc_quy.
  A (đ 90%, subordinates: everyone in S, P1, P2): Q2 has C khong → d = 50%.
     Q1, Q3, Q4: 70 × 5.9/6 = 68.8333… → 68.83, total 27 + 68.83 = 95.83
     Q2:         70 × 5.4/6 = 63,         total 27 + 63    = 90.00
  B (đ 80%, subordinates C, D): Q2 d = 50%.
     Q1, Q3, Q4: 70 × 5.8/6 = 67.6666… → 67.67, total 93.67
     Q2:         70 × 5.3/6 = 61.8333… → 61.83, total 87.83
  E (đ 100%, subordinates F, G — nobody fails): Q1–Q3 70 × 6/6 = 70, total 100;
     Q4 with e = 70%: 70 × 5.7/6 = 66.5, total 96.50
  Three heads in one position group: the quota keeps no xuat_sac → all tot.

cong_chuc_nam (mean of the quarters actually worked; < 6 months: not graded):
  A 97, H 94, B 96, E 100 → xuat_sac by score, tot after the quota (groups of one)
  C (93 + 49 + 93 + 93)/4 = 328/4 = 82 → tot
  D (52 + 87.08 + 53)/3 = 192.08/3 = 64.0266… → 64.03 → hoan_thanh (9 months, 3 quarters)
  F 5 months → not graded
  G 88.08 → tot

co_quan_nam (units S, P1, P2; members = people of the unit and every unit below):
  S: chung 9+9+8 = 26; nhiệm vụ 30 × (45 + 5/2)/50 = 28.5;
     Bộ chỉ số 766: 5 × (98% + 90% + 80% + 95%) = 4.9 + 4.5 + 4 + 4.75 = 18.15;
     đội ngũ: 7 graded (F is not), 6 at tot or better (D is hoan_thanh) → 20 × 6/7 =
     17.142… → 17.14; nhiem_vu 28.5 + 18.15 + 17.14 = 63.79; total 89.79 → tot
  P1 (no administrative procedures: the 766 criteria do not apply, the group is rescaled):
     chung 30; nhiệm vụ 30 × 20/20 = 30; đội ngũ B, C tot, D hoan_thanh → 20 × 2/3 = 13.33;
     nhiem_vu 70 × (30 + 13.33)/50 = 60.662 → 60.66; total 90.66 → xuat_sac
  P2: chung 15; nhiệm vụ 30 × (4 + 4/2)/10 = 18 (8 of 10 done: no veto); đội ngũ E, G tot →
     20; nhiem_vu 70 × (18 + 20)/50 = 53.2; total 68.20 → hoan_thanh

nguoi_dung_dau_nam (mean of the lanh_dao_quy quarters, capped by the unit's grade):
  A (95.83 × 3 + 90)/4 = 377.49/4 = 94.3725 → 94.37 → xuat_sac, S is tot → tot
  B (93.67 × 3 + 87.83)/4 = 368.84/4 = 92.21 → xuat_sac, P1 is xuat_sac → stays xuat_sac
  E (100 × 3 + 96.5)/4 = 396.5/4 = 99.125 → 99.13 → xuat_sac, P2 is hoan_thanh → hoan_thanh
"""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from chamdiem.cli import main
from tests.multilevel.province import csv_folders, workbook

RULES = Path(__file__).resolve().parents[2] / "rules"

# (rule set, period, code) -> (total, score grade, grade)
EXPECTED: dict[tuple[str, str, str], tuple[str | None, str | None, str | None]] = {}
for _q in ("2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"):
    EXPECTED[("cong_chuc_quy", _q, "A")] = ("97.00", "xuat_sac", "tot")
    EXPECTED[("cong_chuc_quy", _q, "H")] = ("94.00", "xuat_sac", "tot")
    EXPECTED[("cong_chuc_quy", _q, "B")] = ("96.00", "xuat_sac", "tot")
    EXPECTED[("cong_chuc_quy", _q, "E")] = ("100.00", "xuat_sac", "tot")
    EXPECTED[("cong_chuc_quy", _q, "G")] = ("88.08", "tot", "tot")
    EXPECTED[("cong_chuc_quy", _q, "C")] = ("93.00", "xuat_sac", "tot")
    EXPECTED[("lanh_dao_quy", _q, "A")] = ("95.83", "xuat_sac", "tot")
    EXPECTED[("lanh_dao_quy", _q, "B")] = ("93.67", "xuat_sac", "tot")
    EXPECTED[("lanh_dao_quy", _q, "E")] = ("100.00", "xuat_sac", "tot")
EXPECTED.update(
    {
        ("cong_chuc_quy", "2026-Q2", "C"): ("49.00", "khong", "khong"),
        ("cong_chuc_quy", "2026-Q1", "D"): ("52.00", "hoan_thanh", "hoan_thanh"),
        ("cong_chuc_quy", "2026-Q2", "D"): ("87.08", "tot", "tot"),
        ("cong_chuc_quy", "2026-Q4", "D"): ("53.00", "hoan_thanh", "hoan_thanh"),
        ("cong_chuc_quy", "2026-Q3", "F"): ("94.00", "xuat_sac", "tot"),
        ("cong_chuc_quy", "2026-Q4", "F"): ("94.00", "xuat_sac", "tot"),
        ("lanh_dao_quy", "2026-Q2", "A"): ("90.00", "xuat_sac", "tot"),
        ("lanh_dao_quy", "2026-Q2", "B"): ("87.83", "tot", "tot"),
        ("lanh_dao_quy", "2026-Q4", "E"): ("96.50", "xuat_sac", "tot"),
        ("cong_chuc_nam", "2026", "A"): ("97.00", "xuat_sac", "tot"),
        ("cong_chuc_nam", "2026", "H"): ("94.00", "xuat_sac", "tot"),
        ("cong_chuc_nam", "2026", "B"): ("96.00", "xuat_sac", "tot"),
        ("cong_chuc_nam", "2026", "C"): ("82.00", "tot", "tot"),
        ("cong_chuc_nam", "2026", "D"): ("64.03", "hoan_thanh", "hoan_thanh"),
        ("cong_chuc_nam", "2026", "E"): ("100.00", "xuat_sac", "tot"),
        ("cong_chuc_nam", "2026", "F"): (None, None, None),
        ("cong_chuc_nam", "2026", "G"): ("88.08", "tot", "tot"),
        ("co_quan_nam", "2026", "S"): ("89.79", "tot", "tot"),
        ("co_quan_nam", "2026", "P1"): ("90.66", "xuat_sac", "xuat_sac"),
        ("co_quan_nam", "2026", "P2"): ("68.20", "hoan_thanh", "hoan_thanh"),
        ("nguoi_dung_dau_nam", "2026", "A"): ("94.37", "xuat_sac", "tot"),
        ("nguoi_dung_dau_nam", "2026", "B"): ("92.21", "xuat_sac", "xuat_sac"),
        ("nguoi_dung_dau_nam", "2026", "E"): ("99.13", "xuat_sac", "hoan_thanh"),
    }
)


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("CHAMDIEM_LANG", raising=False)
    monkeypatch.delenv("CHAMDIEM_DEBUG", raising=False)
    monkeypatch.chdir(tmp_path)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def records(out: str) -> dict[tuple[str, str, str], dict[str, object]]:
    found: dict[tuple[str, str, str], dict[str, object]] = {}
    for line in out.splitlines():
        record = json.loads(line)
        key = (str(record["ruleset"]), str(record["period"]), str(record["code"]))
        assert key not in found
        found[key] = record
    return found


def outcome(record: dict[str, object]) -> tuple[object, object, object]:
    return record["total"], record["score_grade"], record["grade"]


def test_the_year_at_every_level_matches_the_hand_calculation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = workbook(tmp_path / "tinh.xlsx")
    code, out, err = run(capsys, "eval", str(RULES), str(data), "--period", "2026")
    assert code == 0, err
    got = records(out)
    assert {key: outcome(record) for key, record in got.items()} == EXPECTED

    # the leader whose subordinate failed: d = 50% in that quarter only
    def value(ruleset: str, period: str, who: str, name: str) -> object:
        values = got[(ruleset, period, who)]["values"]
        assert isinstance(values, dict)
        return values[name]

    assert value("lanh_dao_quy", "2026-Q2", "B", "d") == "0.5"
    assert value("lanh_dao_quy", "2026-Q2", "B", "so_cap_duoi_khong_hoan_thanh") == "1"
    assert value("lanh_dao_quy", "2026-Q1", "B", "d") == "1"
    assert value("lanh_dao_quy", "2026-Q2", "A", "d") == "0.5"  # C is two levels below A
    assert value("lanh_dao_quy", "2026-Q2", "A", "so_cap_duoi_khong_hoan_thanh") == "1"
    assert value("lanh_dao_quy", "2026-Q2", "E", "d") == "1"
    # the annual mean of the quarters actually worked
    assert value("cong_chuc_nam", "2026", "D", "so_quy") == "3"
    assert value("cong_chuc_nam", "2026", "D", "diem_trung_binh") == "64.0266666667"
    # 5 months worked: not graded, and not counted in the units' staff ratio
    assert got[("cong_chuc_nam", "2026", "F")]["not_graded"] == ["Công tác dưới 6 tháng trong năm"]
    assert value("co_quan_nam", "2026", "S", "so_xep_loai") == "7"
    assert value("co_quan_nam", "2026", "S", "t_doi_ngu") == "17.14"
    assert value("co_quan_nam", "2026", "P1", "t_dung_han") is None  # not applicable
    assert value("co_quan_nam", "2026", "P1", "nhiem_vu") == "60.66"
    # heads capped by their unit: E by P2's hoan_thanh; B's unit is xuat_sac, so no cap
    assert got[("nguoi_dung_dau_nam", "2026", "E")]["unit"] == "P2"
    # the province itself has no row for 2026: not graded as a unit
    assert ("co_quan_nam", "2026", "T") not in got


def test_one_folder_per_period_gives_the_same_year(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = csv_folders(tmp_path / "du_lieu")
    assert (data / "2026-Q3" / "subjects.csv").exists() and (data / "units.csv").exists()
    code, out, err = run(capsys, "eval", str(RULES), str(data), "--period", "2026")
    assert code == 0, err
    assert {key: outcome(record) for key, record in records(out).items()} == EXPECTED


def test_a_quarter_evaluates_only_that_quarters_rule_sets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = workbook(tmp_path / "tinh.xlsx")
    code, out, err = run(capsys, "eval", str(RULES), str(data), "--period", "2026-Q2")
    assert code == 0, err
    got = records(out)
    assert {(ruleset, period) for ruleset, period, _ in got} == {
        ("cong_chuc_quy", "2026-Q2"),
        ("lanh_dao_quy", "2026-Q2"),
    }
    assert {key: outcome(r) for key, r in got.items()} == {
        key: value for key, value in EXPECTED.items() if key[1] == "2026-Q2"
    }


def test_explain_shows_every_level_of_a_head(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = workbook(tmp_path / "tinh.xlsx")
    code, out, err = run(
        capsys, "eval", str(RULES), str(data), "--period", "2026", "--explain", "E"
    )
    assert code == 0, err
    titles = [line for line in out.splitlines() if line.startswith("== ")]
    assert [t.split(" — ")[-1] for t in titles] == [
        "2026-Q1 ==",
        "2026-Q2 ==",
        "2026-Q3 ==",
        "2026-Q4 ==",
        "2026 ==",
        "2026-Q1 ==",
        "2026-Q2 ==",
        "2026-Q3 ==",
        "2026-Q4 ==",
        "2026 ==",
    ]
    head = out[out.index("== nguoi_dung_dau_nam") :]
    # the quarters used, and the unit grade that capped him
    assert "2026-Q4 (96.50, tot)" in head
    assert "unit_result(co_quan_nam).mức = hoan_thanh" in head
    assert head.rstrip().endswith("hoan_thanh «Hoàn thành nhiệm vụ»")


def test_explain_of_a_code_in_no_result(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = workbook(tmp_path / "tinh.xlsx")
    code, _, err = run(capsys, "eval", str(RULES), str(data), "--period", "2026", "--explain", "p1")
    assert code == 1
    assert "không có đối tượng mã 'p1'" in err and "P1" in err


def test_results_as_a_workbook_with_a_sheet_per_rule_set_and_period(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = workbook(tmp_path / "tinh.xlsx")
    out = tmp_path / "ket_qua.xlsx"
    code, _, err = run(
        capsys, "eval", str(RULES), str(data), "--period", "2026", "--out", str(out), "--verbose"
    )
    assert code == 0, err
    book = openpyxl.load_workbook(out, read_only=True)  # holds the file open: closed below
    names = book.sheetnames
    assert names[:5] == [
        "cong_chuc_quy 2026-Q1",
        "cong_chuc_quy 2026-Q2",
        "cong_chuc_quy 2026-Q3",
        "cong_chuc_quy 2026-Q4",
        "cong_chuc_nam 2026",
    ]
    assert len(names) == 12 and names[-1] == "Thông tin"
    rows = [list(r) for r in book["nguoi_dung_dau_nam 2026"].iter_rows(values_only=True)]
    book.close()
    by_code = {row[0]: row for row in rows[1:]}
    assert by_code["E"][3] == 99.13 and by_code["E"][5] == "Hoàn thành nhiệm vụ"
    assert by_code["E"][1] == "Trưởng phòng Em"
    # --verbose: a timing line per stage
    stages = [line for line in err.splitlines() if line.startswith("  ")]
    assert len(stages) == 11 and all(line.rstrip().endswith("giây") for line in stages)


def test_results_as_csv_files_per_rule_set_and_period(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = workbook(tmp_path / "tinh.xlsx")
    out = tmp_path / "ket_qua"
    code, _, err = run(
        capsys, "eval", str(RULES), str(data), "--period", "2026", "--format", "csv", "--out",
        str(out),
    )  # fmt: skip
    assert code == 0, err
    files = sorted(p.name for p in out.iterdir())
    assert len(files) == 11 and "co_quan_nam_2026.csv" in files
    text = (out / "co_quan_nam_2026.csv").read_text(encoding="utf-8-sig").splitlines()
    assert text[0].startswith("code,name,unit,total,score_grade,grade")
    assert text[2].startswith("P1,Phòng Một,S,90.66,xuat_sac,xuat_sac")


def test_the_single_file_form_still_evaluates_one_period(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`eval RULES DATA` of one rule file that needs nothing reads DATA as before: a
    workbook without a period column."""
    from tests.platform.builders import xlsx

    data = xlsx(
        tmp_path / "quy.xlsx",
        {
            "subjects": [
                ["Mã", "Đơn vị", "chinh_tri", "chuyen_mon", "doi_moi"],
                ["X1", "Sở A", 9, 9, 8],
            ],
            "san_pham": [["Mã", "he_so", "hoan_thanh"], ["X1", 1, "x"]],
        },
    )
    code, out, err = run(capsys, "eval", str(RULES / "cong_chuc_quy.rules"), str(data))
    assert code == 0, err
    record = json.loads(out)
    assert "ruleset" not in record
    assert (record["code"], record["total"], record["grade"]) == ("X1", "96.00", "tot")
