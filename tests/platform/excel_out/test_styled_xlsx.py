"""The streaming writer of official-looking workbooks, read back with openpyxl and calamine."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from chamdiem.platform.excel.xlsx import (
    BarChart,
    BarSeries,
    NumberText,
    PageSetup,
    SheetOptions,
    Style,
    StyledWorkbook,
    Validation,
    number_text,
    safe_sheet_name,
    sheet_ref,
    text_height,
)
from tests.platform.excel_out.workbooks import merged, open_book, raw_value


def _book(path: Path) -> Path:
    with StyledWorkbook(path) as book:
        title = book.style(Style(bold=True, size=14, horizontal="center"))
        head = book.style(Style(bold=True, border=True, fill="DDEBF7", wrap=True))
        score = book.style(Style(border=True, number_format="0.00"))
        options = SheetOptions(
            widths=(6, 30, 12),
            freeze=(3, 1),
            page=PageSetup(title_rows=(3, 3)),
        )
        with book.sheet("Tổng hợp", options) as sheet:
            sheet.merged_row("KẾT QUẢ", title, 3, height=30)
            sheet.blank()
            sheet.row(["STT", "Đơn vị", "Điểm"], head)
            sheet.row([1, "Phòng 'A' & <B>", NumberText("82.15")], score)
            sheet.row([2, " lề trái\ncó xuống dòng", Decimal("90.10")], score)
            sheet.row([3, "ký tự lạ \x07 bỏ đi", None], score)
            sheet.validate(Validation("C4:C100", "decimal", "0", "100", "between", error="0–100"))
            sheet.link(4, 1, "Đơn vị 1", "Phòng A")
            sheet.chart(
                BarChart(
                    "Điểm",
                    sheet_ref("Tổng hợp", "$B$4:$B$6"),
                    [BarSeries(sheet_ref("Tổng hợp", "$C$3"), sheet_ref("Tổng hợp", "$C$4:$C$6"))],
                    (4, 1),
                    (10, 15),
                )
            )
        with book.sheet("Đơn vị 1") as sheet:
            sheet.row(["trang thứ hai"])
        with book.sheet("Ẩn", SheetOptions(hidden=True)) as sheet:
            sheet.row(["không thấy"])
    return path


def test_what_was_written_is_what_excel_reads(tmp_path: Path) -> None:
    path = _book(tmp_path / "book.xlsx")
    book = open_book(path)
    assert book.sheetnames == ["Tổng hợp", "Đơn vị 1", "Ẩn"]
    assert book["Ẩn"].sheet_state == "hidden"
    sheet = book["Tổng hợp"]
    assert "A1:C1" in merged(sheet)
    assert sheet["A1"].value == "KẾT QUẢ" and sheet["A1"].font.b and sheet["A1"].font.sz == 14
    assert {sheet[ref].font.name for ref in ("A1", "B3", "C4", "A6")} == {"Times New Roman"}
    assert sheet["B3"].fill.fgColor.rgb == "FFDDEBF7" and sheet["B3"].alignment.wrap_text
    assert sheet["B4"].value == "Phòng 'A' & <B>"
    assert sheet["B5"].value == " lề trái\ncó xuống dòng"
    assert sheet["B6"].value == "ký tự lạ  bỏ đi"
    assert sheet["C4"].number_format == "0.00" and sheet["C4"].border.left.style == "thin"
    assert sheet["C6"].value is None and sheet["C6"].border.bottom.style == "thin"
    assert raw_value(path, "Tổng hợp", "C4") == "82.15"
    assert raw_value(path, "Tổng hợp", "C5") == "90.10"
    assert sheet.freeze_panes == "B4"
    assert sheet.print_title_rows == "$3:$3"
    assert (sheet.page_setup.orientation, sheet.page_setup.paperSize) == ("landscape", 9)
    fit = sheet.sheet_properties.pageSetUpPr
    assert sheet.page_setup.fitToWidth == 1 and fit is not None and fit.fitToPage
    assert sheet.column_dimensions["B"].width == 30
    [rule] = sheet.data_validations.dataValidation
    assert (str(rule.sqref), rule.type, rule.formula1, rule.formula2) == (
        "C4:C100",
        "decimal",
        "0",
        "100",
    )
    assert sheet["B4"].hyperlink.location == "'Đơn vị 1'!A1"
    [chart] = sheet._charts  # type: ignore[attr-defined]
    assert chart.tagname == "barChart" and len(chart.series) == 1
    # calamine (what `chamdiem import` reads with) sees the same cells.
    rows = CalamineWorkbook.from_path(path).get_sheet_by_name("Tổng hợp").to_python()
    assert rows[3] == [1.0, "Phòng 'A' & <B>", 82.15]


def test_sheet_names_are_made_valid_and_distinct() -> None:
    taken: set[str] = {"tổng hợp"}
    assert safe_sheet_name("Tổng hợp", taken) == "Tổng hợp (2)"
    long = "Phòng Tổng hợp – Văn phòng Ủy ban nhân dân tỉnh"
    first = safe_sheet_name(long, taken)
    second = safe_sheet_name(long, taken)
    assert len(first) == 31 and len(second) == 31 and first != second
    assert safe_sheet_name("a/b:c?[d]", taken) == "a-b-c--d-"
    assert safe_sheet_name("   ", taken) == "Trang"


def test_only_decimal_digits_become_number_cells() -> None:
    assert type(number_text("82.15")) is NumberText
    assert type(number_text("-3")) is NumberText
    assert number_text("1e5") == "1e5" and type(number_text("1e5")) is str
    assert number_text(None) is None


def test_a_sheet_must_be_closed_before_the_next(tmp_path: Path) -> None:
    with StyledWorkbook(tmp_path / "x.xlsx") as book:
        first = book.sheet("Một")
        with pytest.raises(RuntimeError):
            book.sheet("Hai")
        first.close()
        with pytest.raises(ValueError):
            book.sheet("một")  # the same name to Excel
    assert open_book(tmp_path / "x.xlsx").sheetnames == ["Một"]


def test_text_height_counts_the_lines_a_word_wrap_makes() -> None:
    one = text_height("Hoàn thành", 16)
    assert text_height("", 16) == one
    assert text_height("Hoàn thành xuất sắc nhiệm vụ", 16) == 2 * 15.75 + 3
    assert text_height("một\nhai\nba", 40) == 3 * 15.75 + 3
    assert text_height("x" * 50, 10) == 5 * 15.75 + 3  # a word longer than the line breaks
