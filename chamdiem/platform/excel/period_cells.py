"""Reading a period from a cell or a folder name: `2026`, `2026-Q1`, `2026-03`, and the ways
people write them in Vietnamese offices (`Quý I/2026`, `Q1/2026`, `tháng 3/2026`, `3/2026`).

Excel turns a typed `2026-03` or `3/2026` into a date (1 March 2026); a date on the first day
of a month is read as that month. Anything else is a CellError quoting the cell.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime

from chamdiem.dsl.diagnostics import Text, fold
from chamdiem.dsl.periods import Period, PeriodError
from chamdiem.platform.excel.cells import CellError, shown

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
# after folding (no diacritics, lower case): "quy i/2026", "q1-2026", "quy 1 nam 2026"
_QUARTER = re.compile(r"(?:quy|q)\s*([1-4]|iv|i{1,3})\s*(?:[/.-]|\s|nam)\s*(\d{4})")
_MONTH = re.compile(r"(?:thang\s*)?(0?[1-9]|1[0-2])\s*(?:[/.-]|\s|nam)\s*(\d{4})")
_YEAR = re.compile(r"(?:nam\s*)?(\d{4})")
_FIRST_YEAR, _LAST_YEAR = 1900, 2200

PERIOD_HELP = Text(
    "viết 2026 (năm), 2026-Q1 hoặc Quý I/2026 (quý), 2026-03 hoặc 3/2026 (tháng)",
    "write 2026 (a year), 2026-Q1 or Quý I/2026 (a quarter), 2026-03 or 3/2026 (a month)",
)


def _invalid(cell: object) -> CellError:
    return CellError(
        Text(
            f"kỳ '{shown(cell)}' không hợp lệ; {PERIOD_HELP.vi}",
            f"invalid period '{shown(cell)}'; {PERIOD_HELP.en}",
        )
    )


def _year(text: str, cell: object) -> int:
    year = int(text)
    if not _FIRST_YEAR <= year <= _LAST_YEAR:
        raise _invalid(cell)
    return year


def parse_period_text(text: str) -> Period:
    """A period written as text; raises CellError."""
    cleaned = unicodedata.normalize("NFC", text).strip()
    try:
        return Period.parse(cleaned)
    except PeriodError:
        pass
    key = " ".join(fold(cleaned).split())
    quarter = _QUARTER.fullmatch(key)
    if quarter:
        number, year = quarter.groups()
        index = _ROMAN.get(number) or int(number)
        return Period(_year(year, text), "quarter", index)
    month = _MONTH.fullmatch(key)
    if month:
        return Period(_year(month.group(2), text), "month", int(month.group(1)))
    year_only = _YEAR.fullmatch(key)
    if year_only:
        return Period(_year(year_only.group(1), text), "year", 1)
    raise _invalid(text)


def parse_period_cell(cell: object) -> Period | None:
    """The period of a non-blank cell, None for a blank one; raises CellError."""
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        return None
    if isinstance(cell, str):
        return parse_period_text(cell)
    if isinstance(cell, bool):
        raise _invalid(cell)
    if isinstance(cell, (int, float)):
        if float(cell).is_integer():
            return Period(_year(str(int(cell)), cell), "year", 1)
        raise _invalid(cell)
    if isinstance(cell, (date, datetime)):
        day = cell.date() if isinstance(cell, datetime) else cell
        if day.day == 1:
            return Period(day.year, "month", day.month)
    raise _invalid(cell)
