"""Our one .xlsx writer, streaming, for official-looking workbooks (styles, merged cells,
validation, print setup, bar charts) and for plain data sheets alike.

    cells       numbers kept as decimal text, texts safe for XML, sheet names, references
    package     namespaces, content types, relationships, the workbook part
    styles      `Style` and the workbook's style tables; row heights for wrapped text
    charts      bar charts and their drawing
    sheet       one worksheet written row by row
    workbook    `StyledWorkbook`: sheets in order, then the package
    data_sheets result tables and the demo's input sheets on the same writer

Why not openpyxl: it builds an object per cell and, even in write-only mode, took 49 s for a
30,000-person report of 15 columns (about 100 µs a cell); writing each row's XML directly takes
about a second. openpyxl is what the tests read the workbooks back with (docs/decisions.md).
"""

from chamdiem.platform.excel.xlsx.cells import (
    LAST_ROW,
    SHEET_NAME_LIMIT,
    NumberText,
    absolute,
    number_text,
    safe_sheet_name,
    sheet_ref,
)
from chamdiem.platform.excel.xlsx.charts import BarChart, BarSeries
from chamdiem.platform.excel.xlsx.data_sheets import SheetSpec, write_workbook, write_xlsx
from chamdiem.platform.excel.xlsx.sheet import PageSetup, Sheet, SheetOptions, Validation
from chamdiem.platform.excel.xlsx.styles import Style, decimal_format, line_room, text_height
from chamdiem.platform.excel.xlsx.workbook import StyledWorkbook

__all__ = [
    "LAST_ROW",
    "SHEET_NAME_LIMIT",
    "BarChart",
    "BarSeries",
    "NumberText",
    "PageSetup",
    "Sheet",
    "SheetOptions",
    "SheetSpec",
    "Style",
    "StyledWorkbook",
    "Validation",
    "absolute",
    "decimal_format",
    "line_room",
    "number_text",
    "safe_sheet_name",
    "sheet_ref",
    "text_height",
    "write_workbook",
    "write_xlsx",
]
