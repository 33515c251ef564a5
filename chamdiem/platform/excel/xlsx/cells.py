"""What goes into a cell and a reference: numbers kept as decimal text, texts made safe for
XML (and Excel's length limit), attribute values, sheet names and cell references."""

from __future__ import annotations

import re
from xml.sax.saxutils import escape, quoteattr

from chamdiem.platform.excel.tables import column_letter

ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # not allowed in XML 1.0
_NUMBER = re.compile(r"-?\d+(\.\d+)?")
MAX_CELL_TEXT = 32767  # Excel's limit
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")
SHEET_NAME_LIMIT = 31
LAST_ROW = 1_048_576
TEXT_CACHE = 200_000  # distinct texts kept escaped (names repeat little, labels a lot)

__all__ = ["column_letter"]  # re-exported: the one way to spell a column


class NumberText(str):
    """A number already written as decimal text ('82.15'): goes into the cell as a number,
    digit for digit (never through a binary float)."""

    __slots__ = ()


def number_text(value: str | None) -> NumberText | str | None:
    """A stored decimal string as a number cell; anything that is not plain decimal digits
    stays text (so nothing odd can reach the XML as a number)."""
    if value is None:
        return None
    return NumberText(value) if _NUMBER.fullmatch(value) else value


def text(value: object) -> str:
    """`value` as XML character data: characters XML forbids dropped, cut to Excel's limit."""
    shown = str(value)
    if len(shown) > MAX_CELL_TEXT:
        shown = shown[: MAX_CELL_TEXT - 1] + "…"
    return escape(ILLEGAL.sub("", shown))


def _string(value: str) -> str:
    """`<t>` holding `value`, keeping its leading and trailing spaces."""
    body = text(value)
    space = ' xml:space="preserve"' if body[:1].isspace() or body[-1:].isspace() else ""
    return f"<t{space}>{body}</t>"


def inline(value: str) -> str:
    """The end of a text cell's start tag and its inline string: ' t="inlineStr"><is>…</is>'."""
    return f' t="inlineStr"><is>{_string(value)}</is>'


def attr(value: str) -> str:
    """`value` as a quoted XML attribute value."""
    return quoteattr(ILLEGAL.sub("", value), {"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})


class InlineTexts(dict[str, str]):
    """Text -> the end of its cell (`inline`), kept because the same labels fill most rows;
    emptied when it holds more than TEXT_CACHE texts."""

    def __missing__(self, value: str) -> str:
        if len(self) >= TEXT_CACHE:
            self.clear()
        body = self[value] = inline(value)
        return body


class SharedStrings(dict[str, str]):
    """Text cells as indexes into one table of distinct strings (sharedStrings.xml): a sheet
    that repeats codes and periods on every row is then several times smaller and faster to
    read."""

    def __missing__(self, value: str) -> str:
        body = self[value] = f' t="s"><v>{len(self)}</v>'
        return body

    def table(self) -> str:
        """The table's <si> entries, in index order."""
        return "".join(f"<si>{_string(value)}</si>" for value in self)


def sheet_ref(sheet: str, ref: str) -> str:
    """'Tổng hợp', '$B$5:$B$9' -> "'Tổng hợp'!$B$5:$B$9" (quoted as formulas need)."""
    return "'" + sheet.replace("'", "''") + "'!" + ref


def absolute(col: int, row: int) -> str:
    """(0-based column, 1-based row) -> '$B$5'."""
    return f"${column_letter(col)}${row}"


def safe_sheet_name(wanted: str, taken: set[str]) -> str:
    """A sheet name Excel accepts (no []:*?/\\, at most 31 characters, not blank) that differs,
    ignoring case, from every name in `taken`; the name is added to `taken`."""
    base = _SHEET_NAME_BAD.sub("-", ILLEGAL.sub("", wanted)).strip().strip("'") or "Trang"
    name = base[:SHEET_NAME_LIMIT]
    number = 2
    while name.casefold() in taken:
        suffix = f" ({number})"
        name = base[: SHEET_NAME_LIMIT - len(suffix)] + suffix
        number += 1
    taken.add(name.casefold())
    return name
