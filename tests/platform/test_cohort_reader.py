"""Reading DATA into a Cohort: typed values on good files, every problem with its exact
sheet, row and column on bad ones."""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from chamdiem.dsl.program import InputSpec, ItemsSpec
from chamdiem.platform.excel import DataFileError, DataProblem, read_cohort
from tests.platform.builders import csv_file, items, spec, xlsx

INPUTS = (
    spec("chinh_tri", low="0", high="10", label="Chính trị, đạo đức"),
    spec("chuyen_mon", low="0", high="10", label="Chuyên môn"),
    spec("ty_le", "percent", label="Tỷ lệ hoàn thành"),
    spec("ky_luat", "bool", default=False, label="Kỷ luật"),
)
SAN_PHAM = items(
    "san_pham",
    spec("he_so", low="0", low_strict=True, label="Hệ số"),
    spec("hoan_thanh", "bool"),
    spec("loi_nang", "count", default=0),
    label="Sản phẩm",
)


def where(problem: DataProblem) -> tuple[str | None, int | None, str | None, str | None]:
    return (problem.sheet, problem.row, problem.column, problem.field)


def problems_of(
    path: Path,
    inputs: Sequence[InputSpec] = INPUTS,
    item_specs: Sequence[ItemsSpec] = (SAN_PHAM,),
) -> list[DataProblem]:
    with pytest.raises(DataFileError) as caught:
        read_cohort(path, inputs, item_specs)
    return caught.value.problems


# ---------------------------------------------------------------- good files


def test_a_workbook_with_title_row_labels_and_vietnamese_headers(tmp_path: Path) -> None:
    header = [
        "Ma\u0303",  # "Mã" typed in NFD
        "HỌ VÀ TÊN",
        " Đơn vị ",
        "Nhóm vị trí",
        "Người đứng đầu",
        "chính trị,  đạo đức",  # label, other case, double space
        "chuyen_mon",
        "Tỷ lệ hoàn thành",
        "Kỷ luật",
        "Ghi chú",  # not an input: ignored
    ]
    path = xlsx(
        tmp_path / "data.xlsx",
        {
            "subjects": [
                ["Danh sách công chức, quý I/2026"],
                [],
                header,
                [1001, "Nguyễn An", "Sở Tài chính", "chuyen_vien", "x", 8.5, "9,25", 0.96, None],
                ["CC02", "Trần Bình", "Sở Tài chính", "lanh_dao", None, 7, 10, "87,5%", "có"],
                [None, None, None, None, None, None, None, None, None, "Người lập biểu"],
            ],
            "San_Pham": [
                ["code", "Hệ số", "hoan_thanh", "loi_nang"],
                [1001, 1, "x", None],
                [1001, 2.5, "không", 1],
                ["CC02", 0.5, True, 0],
            ],
        },
    )
    cohort = read_cohort(path, INPUTS, (SAN_PHAM,))
    assert list(cohort.codes) == ["1001", "CC02"]
    assert cohort.names == ["Nguyễn An", "Trần Bình"]
    assert cohort.units == ["Sở Tài chính", "Sở Tài chính"]
    assert cohort.position_groups == ["chuyen_vien", "lanh_dao"]
    assert cohort.is_head == [True, False]
    assert cohort.inputs["chinh_tri"] == [Decimal("8.5"), 7]
    assert cohort.inputs["chuyen_mon"] == [Decimal("9.25"), 10]
    assert cohort.inputs["ty_le"] == [Decimal("0.96"), Decimal("0.875")]
    assert cohort.inputs["ky_luat"] == [None, True]  # blank: the declared default applies
    table = cohort.items["san_pham"]
    assert list(table.owner) == [0, 0, 1]
    assert table.fields["he_so"] == [1, Decimal("2.5"), Decimal("0.5")]
    assert table.fields["hoan_thanh"] == [True, False, True]
    assert table.fields["loi_nang"] == [None, 1, 0]


def test_optional_columns_may_be_left_out(tmp_path: Path) -> None:
    path = xlsx(
        tmp_path / "d.xlsx",
        {
            "subjects": [["code", "chinh_tri", "chuyen_mon", "ty_le"], ["A", 1, 2, 0.5]],
            "san_pham": [["code", "he_so", "hoan_thanh"]],
        },
    )
    cohort = read_cohort(path, INPUTS, (SAN_PHAM,))
    assert cohort.units is None and cohort.names is None and cohort.is_head is None
    assert cohort.inputs["ky_luat"] == [None]
    assert len(cohort.items["san_pham"]) == 0
    assert cohort.items["san_pham"].fields["loi_nang"] == []


def test_a_percent_formatted_cell_above_100_percent_is_accepted(tmp_path: Path) -> None:
    path = xlsx(
        tmp_path / "d.xlsx",
        {
            "subjects": [
                ["code", "chinh_tri", "chuyen_mon", "ty_le"],
                ["A", 1, 2, 1.5],
                ["B", 1, 2, 96],
            ],
            "san_pham": [["code", "he_so", "hoan_thanh"]],
        },
        formats={("subjects", "D2"): "0%"},
    )
    found = problems_of(path)
    assert [where(p) for p in found] == [("subjects", 3, "D", "ty_le")]
    assert "'96%'" in found[0].message.vi and "định dạng ô là phần trăm" in found[0].message.vi
    path = xlsx(
        tmp_path / "e.xlsx",
        {
            "subjects": [["code", "chinh_tri", "chuyen_mon", "ty_le"], ["A", 1, 2, 1.5]],
            "san_pham": [["code", "he_so", "hoan_thanh"]],
        },
        formats={("subjects", "D2"): "0.0%"},
    )
    assert read_cohort(path, INPUTS, (SAN_PHAM,)).inputs["ty_le"] == [Decimal("1.5")]


def test_choices_and_dates(tmp_path: Path) -> None:
    inputs = (
        spec("ket_qua", "enum", choices=("Đạt", "Không đạt")),
        spec("ngay", "date"),
    )
    path = xlsx(
        tmp_path / "d.xlsx",
        {
            "subjects": [
                ["code", "ket_qua", "ngay"],
                ["A", "KHÔNG ĐẠT", date(2026, 3, 31)],
                ["B", "đạt", "15/01/2026"],
                ["C", "Tốt", "2026-02-30"],
            ]
        },
    )
    with pytest.raises(DataFileError) as caught:
        read_cohort(path, inputs, ())
    assert [where(p) for p in caught.value.problems] == [
        ("subjects", 4, "B", "ket_qua"),
        ("subjects", 4, "C", "ngay"),
    ]
    path = xlsx(
        tmp_path / "e.xlsx",
        {"subjects": [["code", "ket_qua", "ngay"], ["A", "KHÔNG ĐẠT", date(2026, 3, 31)]]},
    )
    cohort = read_cohort(path, inputs, ())
    assert cohort.inputs == {"ket_qua": ["Không đạt"], "ngay": [date(2026, 3, 31)]}


def test_a_folder_of_csv_files_with_semicolons_and_decimal_commas(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    csv_file(
        folder / "subjects.csv",
        [
            ["Danh sách; quý I"],
            [
                "Mã",
                "Họ và tên",
                "Chi\u0301nh tri\u0323, đa\u0323o đư\u0301c",
                "chuyen_mon",
                "ty_le",
            ],
            ["A", "An", "8,5", "9", "96%"],
            ["B", "Bình", "7", "10,0", "0,5"],
        ],
        delimiter=";",
        encoding="utf-8-sig",
    )
    csv_file(folder / "san_pham.csv", [["code", "he_so", "hoan_thanh"], ["B", "1,5", "đúng"]])
    cohort = read_cohort(folder, INPUTS, (SAN_PHAM,))
    assert list(cohort.codes) == ["A", "B"]
    assert cohort.inputs["chinh_tri"] == [Decimal("8.5"), 7]
    assert cohort.inputs["chuyen_mon"] == [9, Decimal("10.0")]
    assert cohort.inputs["ty_le"] == [Decimal("0.96"), Decimal("0.5")]
    assert list(cohort.items["san_pham"].owner) == [1]
    assert cohort.items["san_pham"].fields["he_so"] == [Decimal("1.5")]


# ---------------------------------------------------------------- bad files


def bad_workbook(tmp_path: Path) -> Path:
    return xlsx(
        tmp_path / "bad.xlsx",
        {
            "subjects": [
                ["code", "name", "unit", "chinh_tri", "Tỷ lệ hoàn thành", "ky_luat"],
                ["A1", "An", "U1", 8, 0.5, "x"],
                ["A2", "Bình", "U1", "tám", 0.5, None],
                ["A3", "Chi", "U1", 12, 0.5, None],
                ["A1", "Dũng", "U2", 7, 0.5, None],
                ["A5", "Em", "U2", None, 0.5, None],
                ["A6", "Giang", "U2", 5, 96, None],
                ["A7", "Hà", "U2", 5, 1.5, None],
                ["A8", "Hải", "U2", "1.234,5", 0.5, "có lẽ"],
            ],
            "san_pham": [
                ["code", "he_so", "hoan_thanh"],
                ["A1", 1, "x"],
                ["ZZ9", 1, "x"],
                ["a1", 1, "x"],
                ["A2", 0, "x"],
                [None, 2, "x"],
                ["A3", 1, None],
            ],
        },
        formats={("subjects", "E8"): "0%"},
    )


def test_every_problem_of_a_bad_workbook_with_its_place(tmp_path: Path) -> None:
    found = problems_of(bad_workbook(tmp_path))
    assert [where(p) for p in found] == [
        ("subjects", 1, None, "chuyen_mon"),  # missing column
        ("subjects", 3, "D", "chinh_tri"),  # text in a number
        ("subjects", 4, "D", "chinh_tri"),  # out of range
        ("subjects", 5, "A", "code"),  # duplicate code
        ("subjects", 6, "D", "chinh_tri"),  # missing required value
        ("subjects", 7, "E", "ty_le"),  # 96 in a plain cell
        ("subjects", 9, "D", "chinh_tri"),  # 1.234,5: a thousands separator
        ("subjects", 9, "F", "ky_luat"),  # not a yes/no
        ("san_pham", 3, "A", "san_pham.code"),  # not a subject
        ("san_pham", 4, "A", "san_pham.code"),  # not a subject (case differs)
        ("san_pham", 5, "B", "san_pham.he_so"),  # out of range > 0
        ("san_pham", 6, "A", "san_pham.code"),  # no code
        ("san_pham", 7, "C", "san_pham.hoan_thanh"),  # missing required value
    ]
    messages = [p.message.vi for p in found]
    assert messages[0] == (
        "thiếu cột 'chuyen_mon' / 'Chuyên môn'; các cột có: A 'code', B 'name', C 'unit', "
        "D 'chinh_tri', E 'Tỷ lệ hoàn thành', F 'ky_luat'"
    )
    assert messages[1] == "'tám' không phải là số"
    assert messages[2] == "giá trị 12 nằm ngoài khoảng 0..10"
    assert messages[3] == "mã 'A1' trùng: đã có ở dòng 2 và dòng 5"
    assert messages[4] == "thiếu giá trị bắt buộc"
    assert "phân cách hàng nghìn" in messages[6]
    assert messages[8] == "mã 'ZZ9' không có trong danh sách đối tượng"
    assert messages[9] == "mã 'a1' không có trong danh sách đối tượng; có phải 'A1'?"
    assert messages[10] == "giá trị 0 nằm ngoài khoảng > 0"
    assert messages[11] == "thiếu mã"
    path = str(tmp_path / "bad.xlsx")
    assert found[1].render("vi") == f"{path}:subjects:3:D: lỗi: 'tám' không phải là số (chinh_tri)"
    assert found[1].render("en") == (
        f"{path}:subjects:3:D: error: 'tám' is not a number (chinh_tri)"
    )


def test_a_cell_showing_a_formula_error_is_refused_even_where_blank_means_default(
    tmp_path: Path,
) -> None:
    """calamine reads #DIV/0! as a blank cell; a blank count would silently be its default 0."""
    path = xlsx(
        tmp_path / "d.xlsx",
        {
            "subjects": [
                ["code", "chinh_tri", "chuyen_mon", "ghi_chu"],
                ["A1", 8, 9],
                ["A2", 7, 9],
            ],
            "san_pham": [
                ["code", "he_so", "hoan_thanh", "loi_nang"],
                ["A1", 1, "có", 0],
                ["A2", 1, "có", 2],
            ],
        },
        errors={
            ("subjects", "C3"): "#VALUE!",  # a required number
            ("subjects", "D2"): "#REF!",  # a column no input reads: no matter
            ("san_pham", "D2"): "#DIV/0!",  # an optional count, default 0
        },
    )
    found = problems_of(path, (INPUTS[0], INPUTS[1], INPUTS[3]))
    assert [where(p) for p in found] == [
        ("subjects", 3, "C", "chuyen_mon"),
        ("san_pham", 2, "D", "san_pham.loi_nang"),
    ]
    assert found[1].render("vi") == (
        f"{path}:san_pham:2:D: lỗi: ô báo lỗi công thức #DIV/0! (Excel không tính được giá "
        "trị); hãy sửa công thức hoặc nhập giá trị (san_pham.loi_nang)"
    )
    assert "the formula error #VALUE!" in found[0].render("en")


def test_problems_in_csv_files_name_the_file_row_and_column(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    csv_file(
        folder / "subjects.csv",
        [["code", "chinh_tri", "chuyen_mon", "ty_le"], ["A", "8,5", "x", "96"], ["A", 1, 2, 0]],
    )
    csv_file(folder / "san_pham.csv", [["code", "he_so", "hoan_thanh"], ["B", "1", "x"]])
    found = problems_of(folder)
    subjects, items_file = str(folder / "subjects.csv"), str(folder / "san_pham.csv")
    assert [p.location() for p in found] == [
        f"{subjects}:2:C",
        f"{subjects}:2:D",
        f"{subjects}:3:A",
        f"{items_file}:2:A",
    ]
    assert "96%" in found[1].message.vi


def test_a_duplicate_header_is_reported(tmp_path: Path) -> None:
    path = xlsx(
        tmp_path / "d.xlsx",
        {
            "subjects": [
                ["code", "chinh_tri", "Chính trị, đạo đức", "chuyen_mon", "ty_le"],
                ["A", 1, 1, 2, 0.5],
            ],
            "san_pham": [["code", "he_so", "hoan_thanh"]],
        },
    )
    found = problems_of(path)
    assert [where(p) for p in found] == [("subjects", 1, "C", "chinh_tri")]
    assert found[0].message.vi == ("cột 'Chính trị, đạo đức' trùng với cột B (cùng là chinh_tri)")


def test_a_missing_items_sheet_is_reported(tmp_path: Path) -> None:
    path = xlsx(
        tmp_path / "d.xlsx",
        {"subjects": [["code", "chinh_tri", "chuyen_mon", "ty_le"], ["A", 1, 2, 0.5]]},
    )
    found = problems_of(path)
    assert [where(p) for p in found] == [(None, None, None, None)]
    assert found[0].message.vi == (
        "không có trang tính san_pham cho danh sách san_pham (Sản phẩm); "
        "các trang tính có: 'subjects'"
    )


def test_a_number_of_5001_digits_is_a_problem_at_its_cell(tmp_path: Path) -> None:
    """Python refuses to turn more than 4,300 digits into a number; such a cell once ended the
    whole import with an unexpected error."""
    huge = "1" * 5001
    folder = tmp_path / "data"
    folder.mkdir()
    csv_file(
        folder / "subjects.csv",
        [["code", "chinh_tri", "chuyen_mon"], ["A", huge, "9"], ["B", "8", "0" * 30 + "9"]],
    )
    csv_file(
        folder / "san_pham.csv",
        [["code", "he_so", "hoan_thanh", "loi_nang"], ["A", "1", "x", huge], ["B", "1", "x", "0"]],
    )
    found = problems_of(folder, INPUTS[:2])
    assert [(p.location(), p.field) for p in found] == [
        (f"{folder / 'subjects.csv'}:2:B", "chinh_tri"),
        (f"{folder / 'san_pham.csv'}:2:D", "san_pham.loi_nang"),
    ]
    assert all("có quá nhiều chữ số (một số có tối đa 28 chữ số)" in p.message.vi for p in found)
    path = xlsx(
        tmp_path / "d.xlsx",
        {
            "subjects": [
                ["code", "chinh_tri", "chuyen_mon", "ty_le"],
                ["A", huge, 9, "1," + "0" * 40 + "%"],
                ["B", 8, 1e300, 0.5],
            ],
            "san_pham": [["code", "he_so", "hoan_thanh"], ["A", "0," + "1" * 40, "x"]],
        },
    )
    found = problems_of(path, INPUTS[:3])
    assert [where(p) for p in found] == [
        ("subjects", 2, "B", "chinh_tri"),
        ("subjects", 2, "D", "ty_le"),
        ("subjects", 3, "C", "chuyen_mon"),
        ("san_pham", 2, "B", "san_pham.he_so"),
    ]
    assert all("quá nhiều chữ số" in p.message.vi for p in found)
    assert found[0].message.vi.startswith("'" + "1" * 39 + "…'")


def test_the_problem_list_is_capped_and_counts_the_rest(tmp_path: Path) -> None:
    rows: list[list[object]] = [["code", "chinh_tri", "chuyen_mon", "ty_le"]]
    rows += [[f"C{i}", "?", 20, 0.5] for i in range(300)]
    path = xlsx(tmp_path / "d.xlsx", {"subjects": rows, "san_pham": [["code", "he_so"]]})
    with pytest.raises(DataFileError) as caught:
        read_cohort(path, INPUTS, (SAN_PHAM,))
    error = caught.value
    assert len(error.problems) == 200
    assert error.omitted == 600 + 1 - 200  # two bad cells a row, and the missing column
    assert [where(p) for p in error.problems[:3]] == [
        ("subjects", 2, "B", "chinh_tri"),
        ("subjects", 2, "C", "chuyen_mon"),
        ("subjects", 3, "B", "chinh_tri"),
    ]
    assert where(error.problems[-1]) == ("subjects", 101, "C", "chuyen_mon")
    assert error.render("vi").splitlines()[-1] == "… và 401 lỗi khác không liệt kê"


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("renamed.xlsx", b"code,name\nA,An\n", "không phải sổ tính Excel hợp lệ"),
        ("notes.txt", b"hello", "không đọc được tệp đuôi '.txt'"),
    ],
)
def test_files_that_are_not_workbooks(
    tmp_path: Path, name: str, content: bytes, words: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    found = problems_of(path)
    assert len(found) == 1
    assert found[0].file == str(path) and where(found[0]) == (None, None, None, None)
    assert words in found[0].message.vi


def test_a_damaged_workbook(tmp_path: Path) -> None:
    good = xlsx(tmp_path / "good.xlsx", {"subjects": [["code"], ["A"]]})
    damaged = tmp_path / "damaged.xlsx"
    damaged.write_bytes(good.read_bytes()[:600])
    found = problems_of(damaged)
    assert len(found) == 1 and "không phải sổ tính Excel hợp lệ" in found[0].message.vi
    # A zip that is not a workbook at all.
    other = tmp_path / "other.xlsx"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("readme.txt", "hello")
    found = problems_of(other)
    assert len(found) == 1 and "không phải sổ tính Excel hợp lệ" in found[0].message.vi


def test_a_workbook_under_another_kind_of_name_is_read_as_what_it_is(tmp_path: Path) -> None:
    """Some mail and download programs save an .xlsx as .xls; Excel opens it, so do we."""
    good = xlsx(
        tmp_path / "d.xlsx",
        {
            "subjects": [["code", "chinh_tri", "chuyen_mon", "ty_le"], ["A", 8, 9, 0.5]],
            "san_pham": [["code", "he_so", "hoan_thanh"], ["A", 1, "có"]],
        },
    )
    renamed = good.rename(tmp_path / "d.xls")
    cohort = read_cohort(renamed, INPUTS, (SAN_PHAM,))
    assert cohort.codes == ["A"] and cohort.inputs["chuyen_mon"] == [9]


def test_a_workbook_with_a_password_to_open(tmp_path: Path) -> None:
    """fixtures/mat_khau.xlsx: a two-sheet workbook encrypted with the password "matkhau" by
    msoffcrypto-tool 6.1 (as Excel's "Encrypt with Password" does)."""
    found = problems_of(Path(__file__).parent / "fixtures" / "mat_khau.xlsx")
    assert len(found) == 1 and where(found[0]) == (None, None, None, None)
    assert found[0].message.vi.startswith("sổ tính được đặt mật khẩu mở tệp")
    assert "remove the password" in found[0].message.en


def test_folders_without_subjects(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    found = problems_of(empty)
    assert [p.message.vi for p in found] == [
        "thư mục không có tệp .csv nào (cần ít nhất subjects.csv)"
    ]
    folder = tmp_path / "data"
    folder.mkdir()
    csv_file(folder / "nhan_su.csv", [["code"], ["A"]])
    found = problems_of(folder)
    assert [p.message.vi for p in found] == [
        "không có tệp subjects.csv (danh sách đối tượng); các tệp có: 'nhan_su.csv'"
    ]
    found = problems_of(tmp_path / "missing.xlsx")
    assert [p.message.vi for p in found] == ["không tìm thấy tệp hoặc thư mục dữ liệu"]


def test_a_csv_file_that_is_not_utf8(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "subjects.csv").write_bytes("code,name\nA,An\nB,Trâ\u0300n\n".encode("cp1258"))
    found = problems_of(folder, item_specs=())
    assert [(p.file, p.row) for p in found] == [(str(folder / "subjects.csv"), 3)]
    assert "CSV UTF-8" in found[0].message.vi
