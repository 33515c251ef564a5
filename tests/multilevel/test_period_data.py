"""Reading DATA of several periods and levels: the units sheet, the period column, rows
without a period, per-period folders, and every problem with its sheet, row and column."""

from __future__ import annotations

from pathlib import Path

import pytest

from chamdiem.cli import main
from chamdiem.dsl import Program, load_file
from chamdiem.dsl.periods import Period
from chamdiem.platform.excel import DataFileError, DataProblem
from chamdiem.platform.excel.period_cells import parse_period_cell
from chamdiem.platform.excel.period_reader import PeriodData, read_period_data
from tests.multilevel.province import (
    ITEMS_HEADER,
    SUBJECTS_HEADER,
    UNITS,
    UNITS_HEADER,
    item_rows,
    subject_rows,
    workbook,
)
from tests.platform.builders import xlsx

RULES = Path(__file__).resolve().parents[2] / "rules"
YEAR = Period(2026, "year", 1)


@pytest.fixture(scope="module")
def programs() -> list[Program]:
    return [load_file(path) for path in sorted(RULES.glob("*.rules"))]


def where(problem: DataProblem) -> tuple[str | None, int | None, str | None, str | None]:
    return (problem.sheet, problem.row, problem.column, problem.field)


def problems_of(path: Path, programs: list[Program], target: Period = YEAR) -> list[DataProblem]:
    with pytest.raises(DataFileError) as caught:
        read_period_data(path, programs, target)
    return caught.value.problems


def read(path: Path, programs: list[Program], target: Period = YEAR) -> PeriodData:
    return read_period_data(path, programs, target)


def by_name(programs: list[Program], name: str) -> Program:
    return next(p for p in programs if p.header.name == name)


# ---------------------------------------------------------------- periods


@pytest.mark.parametrize(
    ("cell", "period"),
    [
        ("2026", "2026"),
        (2026.0, "2026"),
        ("2026-Q1", "2026-Q1"),
        ("2026-q3", "2026-Q3"),
        ("Quý I/2026", "2026-Q1"),
        ("quý IV - 2026", "2026-Q4"),
        ("Q2/2026", "2026-Q2"),
        ("2026-03", "2026-03"),
        ("tháng 3/2026", "2026-03"),
        ("03/2026", "2026-03"),
        ("Năm 2026", "2026"),
    ],
)
def test_period_spellings(cell: object, period: str) -> None:
    found = parse_period_cell(cell)
    assert found is not None and found.code == period


@pytest.mark.parametrize("cell", ["Q5/2026", "2026-13", "quý 1", "26", 2026.5, True])
def test_bad_period_cells(cell: object) -> None:
    from chamdiem.platform.excel.cells import CellError

    with pytest.raises(CellError) as caught:
        parse_period_cell(cell)
    assert "kỳ" in caught.value.message.vi and "2026-Q1" in caught.value.message.vi


# ---------------------------------------------------------------- the tree and the cohorts


def test_the_tree_the_people_of_each_period_and_their_attributes(
    tmp_path: Path, programs: list[Program]
) -> None:
    data = read(workbook(tmp_path / "tinh.xlsx"), programs)
    organisation = data.organisation
    assert organisation.parents == {"T": None, "S": "T", "P1": "S", "P2": "S"}
    assert organisation.subtree("S") == ["S", "P1", "P2"]
    quarterly = by_name(programs, "cong_chuc_quy")
    q3 = data.cohort_for(quarterly, Period(2026, "quarter", 3))
    assert q3 is not None
    assert sorted(q3.codes) == ["A", "B", "C", "E", "F", "G", "H"]  # D was away, F joined
    # heads come from the units sheet's head column
    assert q3.is_head is not None
    assert {c for c, h in zip(q3.codes, q3.is_head, strict=True) if h} == {"A", "B", "E"}
    leaders = data.cohort_for(by_name(programs, "lanh_dao_quy"), Period(2026, "quarter", 1))
    assert leaders is not None and list(leaders.codes) == ["A", "B", "E"]
    annual = data.cohort_for(by_name(programs, "cong_chuc_nam"), YEAR)
    assert annual is not None and annual.units is not None
    # everyone with a row in any quarter; annual inputs from the rows of the year
    assert sorted(annual.codes) == ["A", "B", "C", "D", "E", "F", "G", "H"]
    months = dict(zip(annual.codes, annual.inputs["so_thang_cong_tac"], strict=True))
    assert months == {"A": None, "H": None, "B": None, "C": None, "D": 9, "E": None,
                      "F": 5, "G": None}  # fmt: skip
    # the annual row leaves the unit blank: it comes from the person's latest quarter
    assert dict(zip(annual.codes, annual.units, strict=True))["D"] == "P1"
    units = data.cohort_for(by_name(programs, "co_quan_nam"), YEAR)
    assert units is not None
    assert list(units.codes) == ["S", "P1", "P2"]  # T has no row for 2026
    assert list(units.units or []) == ["T", "S", "S"]  # a unit's unit is its parent
    assert list(units.names or []) == ["Sở Thử nghiệm", "Phòng Một", "Phòng Hai"]


def test_rows_without_a_period_hold_for_every_period(
    tmp_path: Path, programs: list[Program]
) -> None:
    """A sheet without a period column is one period's data, whatever period is asked; in
    a sheet with one, a row without a period gives values to the person's other rows."""
    path = xlsx(
        tmp_path / "mot_ky.xlsx",
        {
            "subjects": [
                ["Mã", "Đơn vị", "chinh_tri", "chuyen_mon", "doi_moi"],
                ["X1", "Sở A", 9, 9, 8],
                ["X2", "Sở A", 7, 7, 7],
            ],
            "san_pham": [["Mã", "he_so", "hoan_thanh"], ["X1", 1, "x"], ["X2", 2, "x"]],
        },
    )
    quarterly = [by_name(programs, "cong_chuc_quy")]
    data = read(path, quarterly, Period(2026, "quarter", 2))
    cohort = data.cohort_for(quarterly[0], Period(2026, "quarter", 2))
    assert cohort is not None and list(cohort.codes) == ["X1", "X2"]
    assert list(cohort.items["san_pham"].owner) == [0, 1]

    mixed = xlsx(
        tmp_path / "chung.xlsx",
        {
            "subjects": [
                ["Mã", "Đơn vị", "Kỳ", "chinh_tri", "chuyen_mon", "doi_moi"],
                ["X1", "Sở A", "", 9, "", ""],  # shared by every period of X1
                ["X1", "", "2026-Q1", "", 8, 8],
                ["X1", "", "2026-Q2", 5, 7, 7],
            ],
            "san_pham": [["Mã", "Kỳ", "he_so", "hoan_thanh"], ["X1", "", 1, "x"]],
        },
    )
    data = read(mixed, quarterly, YEAR)
    q1 = data.cohort_for(quarterly[0], Period(2026, "quarter", 1))
    q2 = data.cohort_for(quarterly[0], Period(2026, "quarter", 2))
    assert q1 is not None and q2 is not None
    assert data.cohort_for(quarterly[0], Period(2026, "quarter", 3)) is None  # no row
    assert [q1.inputs[n][0] for n in ("chinh_tri", "chuyen_mon", "doi_moi")] == [9, 8, 8]
    assert [q2.inputs[n][0] for n in ("chinh_tri", "chuyen_mon", "doi_moi")] == [5, 7, 7]
    assert list(q2.units or []) == ["Sở A"]
    assert len(q1.items["san_pham"]) == len(q2.items["san_pham"]) == 1


def test_an_explicit_is_head_column_wins(tmp_path: Path, programs: list[Program]) -> None:
    header = [*SUBJECTS_HEADER, "Người đứng đầu"]
    rows = [[*row, "không" if row[0] == "E" else ""] for row in subject_rows()]
    path = xlsx(
        tmp_path / "tinh.xlsx",
        {"subjects": [header, *rows], "units": [UNITS_HEADER, *UNITS],
         "san_pham": [ITEMS_HEADER, *item_rows()]},
    )  # fmt: skip
    data = read(path, programs)
    leaders = data.cohort_for(by_name(programs, "lanh_dao_quy"), Period(2026, "quarter", 1))
    assert leaders is not None and list(leaders.codes) == ["A", "B"]


def test_a_head_with_a_blank_unit_belongs_to_the_unit_he_heads(
    tmp_path: Path, programs: list[Program]
) -> None:
    rows = [[*row[:2], "" if row[0] == "E" else row[2], *row[3:]] for row in subject_rows()]
    path = xlsx(
        tmp_path / "tinh.xlsx",
        {"subjects": [SUBJECTS_HEADER, *rows], "units": [UNITS_HEADER, *UNITS],
         "san_pham": [ITEMS_HEADER, *item_rows()]},
    )  # fmt: skip
    data = read(path, programs)
    heads = data.cohort_for(by_name(programs, "nguoi_dung_dau_nam"), YEAR)
    assert heads is not None
    assert dict(zip(heads.codes, heads.units or [], strict=True)) == {"A": "S", "B": "P1",
                                                                      "E": "P2"}  # fmt: skip


# ---------------------------------------------------------------- problems


def test_a_bad_units_sheet_gives_every_problem_at_its_cell(
    tmp_path: Path, programs: list[Program]
) -> None:
    bad: list[list[object]] = [
        *UNITS[:3],  # rows 2-4: T, S, P1
        [UNITS[3][0], UNITS[3][1], "Sở Không Có", *UNITS[3][3:]],  # row 5: unknown parent
        ["X", "Phòng X", "Y", "", "", *[""] * 11],  # rows 6-7: X → Y → X
        ["Y", "Phòng Y", "X", "", "", *[""] * 11],
        UNITS[2],  # row 8: P1 again in 2026
        ["Z", "Phòng Z", "S", "KHONG_CO", "", *[""] * 11],  # row 9: a head who is nobody
    ]
    problems = problems_of(workbook(tmp_path / "tinh.xlsx", units=bad), programs)
    assert [where(p) for p in problems] == [
        ("units", 5, "C", "parent"),
        ("units", 6, "C", "parent"),
        ("units", 8, "A", "code"),
        ("units", 9, "D", "head"),
    ]
    messages = [p.message.vi for p in problems]
    assert messages[0] == "đơn vị 'Sở Không Có' không có trong trang units"
    assert messages[1] == "cây đơn vị có vòng lặp: X → Y → X"
    assert messages[2] == "mã 'P1' trùng trong kỳ 2026: đã có ở dòng 4"
    assert messages[3] == "người đứng đầu 'KHONG_CO' không có trong danh sách đối tượng"


def test_a_units_sheet_without_periods(tmp_path: Path, programs: list[Program]) -> None:
    """Without a period column every unit is graded in every period: the province's row
    then lacks the inputs of co_quan_nam; a code may appear once."""
    rows = [[*row[:4], "", *row[5:]] for row in UNITS]
    problems = problems_of(workbook(tmp_path / "tinh.xlsx", units=[*rows, rows[1]]), programs)
    assert [(where(p), p.message.en) for p in problems] == [
        (("units", 2, column, name), "missing required value")
        for column, name in zip("FGHIJ", UNITS_HEADER[5:10], strict=True)
    ] + [(("units", 6, "A", "code"), "duplicate code 'S': already on row 3")]


def test_problems_of_the_subjects_and_items_sheets(tmp_path: Path, programs: list[Program]) -> None:
    subjects = subject_rows()
    subjects[0] = [*subjects[0][:2], "P9", *subjects[0][3:]]  # row 2: unknown unit
    subjects[1] = [*subjects[1][:4], "Quý V/2026", *subjects[1][5:]]  # row 3: bad period
    # row 4 is B in Q1, a head: his own input in lanh_dao_quy is required of heads only
    assert subjects[2][0] == "B"
    subjects[2] = [*subjects[2][:8], "", *subjects[2][9:]]
    items = item_rows()
    items.append(["ZZ", "2026-Q1", 1, "x", 0])  # an unknown code
    # H's products of Q1 (row 3) lose their subject row with the bad period: reported too
    assert items[1][:2] == ["H", "2026-Q1"]
    items.append(["D", "2026-Q3", 1, "x", 0])  # D has no row in Q3
    path = xlsx(
        tmp_path / "tinh.xlsx",
        {
            "subjects": [SUBJECTS_HEADER, *subjects],
            "units": [UNITS_HEADER, *UNITS],
            "san_pham": [ITEMS_HEADER, *items],
        },
    )
    problems = problems_of(path, programs)
    assert [where(p) for p in problems] == [
        ("subjects", 2, "C", "unit"),
        ("subjects", 3, "E", "period"),
        ("subjects", 4, "I", "ty_le_ke_hoach_dung_han"),
        ("san_pham", 3, "B", "san_pham.code"),
        ("san_pham", len(items), "A", "san_pham.code"),
        ("san_pham", len(items) + 1, "B", "san_pham.code"),
    ]
    assert problems[2].message.en == "missing required value"
    assert problems[5].message.vi == "mã 'D' không có dòng kỳ 2026-Q3 trong danh sách đối tượng"


def test_unit_rule_sets_need_a_units_sheet(tmp_path: Path, programs: list[Program]) -> None:
    path = xlsx(
        tmp_path / "tinh.xlsx",
        {"subjects": [SUBJECTS_HEADER, *subject_rows()], "san_pham": [ITEMS_HEADER, *item_rows()]},
    )
    problems = problems_of(path, programs)
    assert len(problems) == 1
    assert problems[0].message.en.startswith("no sheet units (the list of units")
    # a quarter needs no unit rule set, so no units sheet either
    assert read(path, programs, Period(2026, "quarter", 1)).organisation.parents == {
        "S": None,
        "P1": None,
        "P2": None,
    }


def test_a_period_folder_that_is_not_a_period(tmp_path: Path, programs: list[Program]) -> None:
    from tests.multilevel.province import csv_folders

    folder = csv_folders(tmp_path / "du_lieu")
    (folder / "2026-Q1").rename(folder / "quy 1")
    problems = problems_of(folder, programs)
    assert problems[0].file.endswith("quy 1")
    assert "không mang tên một kỳ" in problems[0].message.vi


def test_the_command_line_lists_every_problem_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CHAMDIEM_LANG", raising=False)
    bad: list[list[object]] = [*UNITS, ["X", "Phòng X", "X", "", "", *[""] * 11]]
    path = workbook(tmp_path / "tinh.xlsx", units=bad)
    assert main(["eval", str(RULES), str(path), "--period", "2026"]) == 1
    err = capsys.readouterr().err
    assert f"{path}:units:6:C: lỗi: cây đơn vị có vòng lặp: X → X (parent)" in err
    assert "Dữ liệu có 1 lỗi; chưa đánh giá, không ghi kết quả." in err
    assert "Traceback" not in err
