"""`key of C` in DATA (design §8): a key not in the catalogue in force on the period's first
day is a problem at its cell, with the nearest known keys, in the one-period reader (both
paths) and the several-period reader; catalogue rows files in Excel are read through the
platform."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from chamdiem.cli.entry import main
from chamdiem.dsl import load_file
from chamdiem.dsl.periods import Period
from chamdiem.platform.excel import DataFileError, read_cohort
from chamdiem.platform.excel.catalog_keys import keyed_specs, unknown_key
from chamdiem.platform.excel.catalog_rows import register
from chamdiem.platform.excel.period_reader import read_period_data
from tests.platform.builders import csv_file, xlsx

RULES = """\
ruleset kpi "KPI"
  subject person
  period quarter
  effective 2026-01-01
end

catalog san_pham "Danh mục sản phẩm" key ma
  ten   : text
  he_so : number > 0 "Hệ số"
  rows from "dm.csv" from 2026-01-01, "dm_q2.xlsx" from 2026-04-01
end

input chinh : key of san_pham "Sản phẩm chính"

items nhiem_vu "Nhiệm vụ"
  ma       : key of san_pham
  so_luong : count > 0
  let quy_doi = so_luong * san_pham[ma].he_so
end

let tong = sum(nhiem_vu.quy_doi) + san_pham[chinh].he_so

group g "G" max 100
  criterion c "C" max 100 = min(tong, 100)
end

grades
  tot "Tốt" when total >= 5
  kem "Kém" otherwise
end
"""


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    register()
    folder = tmp_path / "rules"
    folder.mkdir()
    csv_file(folder / "dm.csv", [["ma", "ten", "Hệ số"], ["A", "Báo cáo", "1.5"], ["B", "Tờ", "2"]])
    keys: list[list[object]] = [
        ["ma", "ten", "Hệ số"],
        ["A", "Báo cáo", 1.5],
        ["B", "Tờ", 2],
        ["SP-100", "Mới", 4],
    ]
    xlsx(folder / "dm_q2.xlsx", {"Danh mục": keys})
    path = folder / "kpi.rules"
    path.write_text(RULES, encoding="utf-8")
    return path


def problems(error: pytest.ExceptionInfo[DataFileError]) -> dict[tuple[object, ...], str]:
    return {(p.sheet, p.row, p.column, p.field): p.message.en for p in error.value.problems}


@pytest.mark.parametrize("columnar", [False, True])
def test_an_unknown_key_is_a_problem_at_its_cell(
    rules: Path, tmp_path: Path, columnar: bool
) -> None:
    program = load_file(rules)
    book = xlsx(
        tmp_path / "data.xlsx",
        {
            "subjects": [["code", "chinh"], ["P1", "A"], ["P2", "a"], ["P3", "SP-100"]],
            "nhiem_vu": [["code", "ma", "so_luong"], ["P1", "B", 1], ["P2", "BB", 2]],
        },
    )
    inputs, items = keyed_specs(program)  # the keys in force on 2026-01-01
    with pytest.raises(DataFileError) as caught:
        read_cohort(book, inputs, items, columnar=columnar)
    assert problems(caught) == {
        ("subjects", 3, "B", "chinh"): "the key 'a' is not in the catalogue san_pham; "
        "the nearest keys: 'A'",
        ("subjects", 4, "B", "chinh"): "the key 'SP-100' is not in the catalogue san_pham "
        "(its keys: 'A', 'B')",
        ("nhiem_vu", 3, "B", "nhiem_vu.ma"): "the key 'BB' is not in the catalogue san_pham; "
        "the nearest keys: 'B'",
    }
    # From 1 April the catalogue has SP-100: only the misspelt keys are left.
    inputs, items = keyed_specs(program, date(2026, 4, 1))
    with pytest.raises(DataFileError) as caught:
        read_cohort(book, inputs, items, columnar=columnar)
    assert sorted(problems(caught)) == [
        ("nhiem_vu", 3, "B", "nhiem_vu.ma"),
        ("subjects", 3, "B", "chinh"),
    ]


def test_known_keys_read_and_evaluate(rules: Path, tmp_path: Path) -> None:
    program = load_file(rules)
    book = xlsx(
        tmp_path / "data.xlsx",
        {
            "subjects": [["code", "chinh"], ["P1", "A"]],
            "nhiem_vu": [["code", "ma", "so_luong"], ["P1", "B", 3]],
        },
    )
    cohort = read_cohort(book, *keyed_specs(program), columnar=True)
    assert program.evaluate(cohort).total == [Decimal("7.50")]


def test_the_several_period_reader_checks_each_period_with_its_catalogue(
    rules: Path, tmp_path: Path
) -> None:
    program = load_file(rules)
    book = xlsx(
        tmp_path / "data.xlsx",
        {
            "subjects": [
                ["code", "period", "chinh"],
                ["P1", "2026-Q1", "SP-100"],
                ["P1", "2026-Q2", "SP-100"],
            ],
            "nhiem_vu": [
                ["code", "period", "ma", "so_luong"],
                ["P1", "2026-Q1", "A", 1],
                ["P1", "2026-Q2", "SP-10", 1],
            ],
        },
    )
    with pytest.raises(DataFileError) as caught:
        read_period_data(book, [program], Period(2026, "year", 1))
    assert problems(caught) == {
        ("subjects", 2, "C", "chinh"): "the key 'SP-100' is not in the catalogue san_pham "
        "(its keys: 'A', 'B')",
        ("nhiem_vu", 3, "C", "nhiem_vu.ma"): "the key 'SP-10' is not in the catalogue "
        "san_pham; the nearest keys: 'SP-100'",
    }


def test_the_nearest_keys_of_a_large_catalogue() -> None:
    keys = [f"SP{n:04d}" for n in range(3000)]
    message = unknown_key("SP12345", "san_pham", keys)
    assert message.en == (
        "the key 'SP12345' is not in the catalogue san_pham; "
        "the nearest keys: 'SP2345', 'SP1345', 'SP1245'"
    )
    assert unknown_key("sp0042", "san_pham", keys, near=False).en == (
        "the key 'sp0042' is not in the catalogue san_pham; the nearest keys: 'SP0042'"
    )
    assert unknown_key("???", "san_pham", keys).en == (
        "the key '???' is not in the catalogue san_pham"
    )


def test_check_and_eval_read_an_excel_rows_file(
    rules: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    csv_file(data / "subjects.csv", [["code", "chinh"], ["P1", "SP-100"], ["P2", "Z"]])
    csv_file(data / "nhiem_vu.csv", [["code", "ma", "so_luong"], ["P1", "A", "1"]])
    assert main(["check", str(rules), "--lang", "en"]) == 0
    code = main(["eval", str(rules), str(data), "--period", "2026-Q2", "--lang", "en"])
    out = capsys.readouterr()
    assert code != 0
    assert "subjects.csv:3:B: error: the key 'Z' is not in the catalogue san_pham" in out.err
    assert "SP-100" not in out.err.split("subjects.csv:3")[0]
