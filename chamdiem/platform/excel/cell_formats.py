"""Which cells of an .xlsx sheet are formatted as percents.

calamine gives a percent cell's value (0.96 for 96%) but not its format. A `percent` input
needs the format only for numbers above 1 (150% or a mistyped 96?), which are rare, so the
reader asks here for just those cells, reading the workbook's XML directly; a file whose
format cannot be found reads as "not a percent" and the number is reported as ambiguous.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable
from pathlib import Path
from xml.etree import ElementTree

from chamdiem.platform.excel.tables import column_letter
from chamdiem.platform.excel.xlsx_parts import DAMAGED, MAIN, sheet_part

_BUILTIN_PERCENT_FORMATS = frozenset({9, 10})  # "0%" and "0.00%"
_QUOTED = re.compile(r'"[^"]*"|\\.')


def is_percent_format(code: str) -> bool:
    """A number format code shows a percent if it has `%` outside quotes and escapes."""
    return "%" in _QUOTED.sub("", code)


def percent_formatted(
    path: Path, sheet: str, cells: Iterable[tuple[int, int]]
) -> set[tuple[int, int]]:
    """The cells among `cells` (1-based row, 0-based column) of `sheet` with a percent format."""
    wanted = {f"{column_letter(column)}{row}": (row, column) for row, column in cells}
    if not wanted:
        return set()
    try:
        with zipfile.ZipFile(path) as archive:
            percent_styles = _percent_styles(archive)
            if not percent_styles:
                return set()
            part = sheet_part(archive, sheet)
            if part is None:
                return set()
            found: set[tuple[int, int]] = set()
            with archive.open(part) as stream:
                for _, element in ElementTree.iterparse(stream):
                    if element.tag == f"{MAIN}c":
                        cell = wanted.get(element.get("r", ""))
                        if cell is not None and int(element.get("s", "0")) in percent_styles:
                            found.add(cell)
                    elif element.tag == f"{MAIN}row":
                        element.clear()
            return found
    except DAMAGED:
        return set()


def _percent_styles(archive: zipfile.ZipFile) -> set[int]:
    """Indexes of the cell styles (cellXfs) whose number format is a percent."""
    styles = ElementTree.fromstring(archive.read("xl/styles.xml"))
    percent_ids = set(_BUILTIN_PERCENT_FORMATS)
    for fmt in styles.iter(f"{MAIN}numFmt"):
        if is_percent_format(fmt.get("formatCode", "")):
            percent_ids.add(int(fmt.get("numFmtId", "-1")))
    cell_xfs = styles.find(f"{MAIN}cellXfs")
    if cell_xfs is None:
        return set()
    return {
        index
        for index, xf in enumerate(cell_xfs.findall(f"{MAIN}xf"))
        if int(xf.get("numFmtId", "0")) in percent_ids
    }
