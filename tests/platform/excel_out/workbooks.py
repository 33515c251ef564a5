"""Reading back what the commands wrote, as a user sees it in Excel."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet


def open_book(path: Path) -> Workbook:
    return load_workbook(path)


def rows(sheet: Worksheet) -> list[tuple[object, ...]]:
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def find_row(sheet: Worksheet, column: int, value: object) -> int:
    """The 1-based number of the first row whose cell in `column` (1-based) is `value`."""
    for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        if len(row) >= column and row[column - 1] == value:
            return number
    raise AssertionError(f"no row with {value!r} in column {column} of {sheet.title}")


def header_columns(sheet: Worksheet, row: int) -> dict[str, int]:
    """Header text -> 1-based column, over the cells of one row."""
    return {
        str(cell.value): cell.column
        for cell in sheet[row]
        if cell.value is not None and isinstance(cell.column, int)
    }


def merged(sheet: Worksheet) -> set[str]:
    return {str(ref) for ref in sheet.merged_cells.ranges}


def raw_value(path: Path, sheet_title: str, ref: str) -> str:
    """The text stored in the file for a number cell (`<v>…</v>`), to compare digits without
    going through a float."""
    book = load_workbook(path, read_only=True)
    try:
        index = book.sheetnames.index(sheet_title) + 1
    finally:
        book.close()
    with zipfile.ZipFile(path) as archive:
        xml = archive.read(f"xl/worksheets/sheet{index}.xml").decode("utf-8")
    found = re.search(rf'<c r="{ref}"[^>]*><v>([^<]*)</v></c>', xml)
    assert found is not None, f"{sheet_title}!{ref} holds no number"
    return found.group(1)
