"""Catalogue rows files in Excel (`rows from "danh_muc.xlsx"`): the dsl reads .csv itself and
asks the platform for .xlsx (`chamdiem.dsl.catalogs.register_reader`).

The workbook goes through the same gate as DATA (workbook_gate.py, via `open_data`) before
calamine parses it; its first sheet is the table, header first, every cell as text the way
the data rules read it (a number as Excel shows it, a date as YYYY-MM-DD).
"""

from __future__ import annotations

from pathlib import Path

from chamdiem.dsl.catalogs import Rows, RowsFileError, register_reader


def read_xlsx_rows(path: Path) -> Rows:
    """The first sheet of the workbook as rows of text cells. Raises FileNotFoundError, or
    RowsFileError with the reader's message."""
    from chamdiem.platform.excel.cells import to_text
    from chamdiem.platform.excel.problems import DataFileError
    from chamdiem.platform.excel.tables import open_data

    if not path.is_file():
        raise FileNotFoundError(path)
    try:
        source = open_data(path)
        names = source.sheet_names()
        if not names:
            return []
        table = source.read(names[0])
    except DataFileError as error:
        raise RowsFileError(error.problems[0].message) from None
    return [["" if cell is None else to_text(cell) for cell in row] for row in table.rows]


def register() -> None:
    """Let catalogues read .xlsx rows files (idempotent)."""
    register_reader(".xlsx", read_xlsx_rows)
