"""How far a worksheet's XML reaches: the largest row and column that any cell or row names.

python-calamine makes a sheet one dense block from A1 to the furthest cell it finds, so a
single `<c r="XFD1048576">` makes it allocate 16,384 × 1,048,576 cells (512 GiB). This module
reads the sheet's XML as a stream of chunks, before any parser sees it, and reports the extent
that parser would build:

- a cell's own reference (`r="AB12"`, any case, leading zeros allowed), a row's number
  (`<row r="12">`), and the positions that follow from counting when they are left out (a
  `<c>` without `r` is the cell right of the one before; a `<row>` without `r` the row below);
- the `<dimension ref="A1:F30">` the sheet declares, separately.

Time is linear in the XML and memory bounded by the chunk size: a stretch of more than
`MAX_STRETCH` bytes without any tag end is refused (no spreadsheet writes one; a run of
gigabytes of blanks is how a 2 MB file holds a process for minutes).

Files as Excel, LibreOffice and openpyxl write them (every `<c>` and `<row>` with `r` as its
first attribute, no namespace prefix) are measured with a few regular-expression passes per
chunk; anything else falls back to reading every tag, which is slower but exact.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

MAX_STRETCH = 1 << 20  # bytes without a `>`; an Excel cell holds at most 32,767 characters
_HUGE = 10**10  # stands for any row or column number too long to be real

# Whitespace as one space and `'` as `"`, so that the canonical spellings are literals.
_CANON = bytes.maketrans(b"\t\n\r'", b'   "')
_LETTERS = re.compile(rb' r="([A-Za-z]+)')
_DIGITS = re.compile(rb' r="[A-Za-z]*0*([0-9]+)"')
# Spellings the quick reading does not cover: a prefixed cell or row tag, spaces around `=`.
_PREFIXED = (b":c ", b":c>", b":c/", b":row ", b":row>", b":row/")
_DIMENSION = re.compile(rb"<(?:[\w.-]+:)?dimension\b[^>]*?\sref\s*=\s*[\"']([^\"']*)[\"']")
# Only needed on the exact path: every start tag of a cell or row, with its attributes
# (attribute values may hold `>`, never `<`).
_TAG = re.compile(rb"""<(?:[\w.-]+:)?(c|row)(?=[\s/>])((?:[^>"']|"[^"]*"|'[^']*')*)>""")
_ATTR_R = re.compile(rb"""(?:^|[\s:])r\s*=\s*(["'])(.*?)\1""", re.DOTALL)
_CELL_REF = re.compile(rb"\s*([A-Za-z]*)0*([0-9]*)\s*")


class StretchTooLong(Exception):
    """The XML has a stretch of more than MAX_STRETCH bytes without a tag end."""


@dataclass
class Extent:
    """The furthest row and column (1-based; 0 for an empty sheet)."""

    rows: int = 0
    columns: int = 0

    def widen(self, rows: int, columns: int) -> None:
        self.rows = max(self.rows, rows)
        self.columns = max(self.columns, columns)


def column_number(letters: bytes) -> int:
    """b'A' -> 1, b'xfd' -> 16384; _HUGE for more letters than any sheet has."""
    if len(letters) > 6:
        return _HUGE
    number = 0
    for byte in letters.upper():
        number = number * 26 + byte - 64
    return number


def row_number(digits: bytes) -> int:
    """b'0012' -> 12; _HUGE for more digits than any sheet has (and no 4,300-digit int)."""
    digits = digits.lstrip(b"0")
    return _HUGE if len(digits) > 10 else int(digits or b"0")


def declared_extent(head: bytes) -> Extent | None:
    """The extent the sheet's `<dimension ref>` declares, if `head` holds it."""
    match = _DIMENSION.search(head)
    if match is None:
        return None
    extent = Extent()
    for ref in match.group(1).split(b":"):
        cell = _CELL_REF.fullmatch(ref)
        if cell is not None:
            extent.widen(row_number(cell.group(2)), column_number(cell.group(1)))
    return extent


def measure(
    chunks: Callable[[], Iterable[bytes]], stop: Callable[[Extent], bool] = lambda _: False
) -> tuple[Extent, Extent | None]:
    """(what the cells reach, what the dimension declares) of the sheet XML that `chunks()`
    yields; `chunks` is called again when the quick reading meets a spelling it does not
    cover. `stop(extent)` is asked after each chunk: True ends the reading early (the extent
    is already too large to matter how much larger)."""
    quick = _Quick()
    for segment in _segments(chunks(), b">"):
        if not quick.feed(segment):
            break
        if stop(quick.extent):
            return quick.extent, quick.declared
    else:
        return quick.extent, quick.declared
    exact = _Exact()
    for segment in _segments(chunks(), b"<"):
        exact.feed(segment)
        if stop(exact.extent):
            break
    return exact.extent, exact.declared


def _segments(chunks: Iterable[bytes], cut: bytes) -> Iterator[bytes]:
    """The stream in pieces that end just before (`<`) or after (`>`) a tag boundary, so that
    no tag is split; a stretch of MAX_STRETCH bytes without one is refused."""
    carry = b""
    for chunk in chunks:
        buffer = carry + chunk if carry else chunk
        at = buffer.rfind(cut)
        at = max(0, at + 1 if cut == b">" else at)
        if at > 0:
            yield buffer[:at]
        carry = buffer[at:]
        if len(carry) > MAX_STRETCH:
            raise StretchTooLong
    if carry:
        yield carry


class _Quick:
    """Canonical XML: every cell and row tag spelled `<c r="…"` / `<row r="…"`."""

    def __init__(self) -> None:
        self.extent = Extent()
        self.declared: Extent | None = None
        self._first = True

    def feed(self, segment: bytes) -> bool:
        """Measure one segment; False when it is not canonical (measure exactly instead)."""
        if self._first:
            self.declared = declared_extent(segment)
            self._first = False
        text = segment.translate(_CANON)
        starts = (
            text.count(b"<c ")
            + text.count(b"<c>")
            + text.count(b"<c/")
            + text.count(b"<row ")
            + text.count(b"<row>")
            + text.count(b"<row/")
        )
        canonical = text.count(b'<c r="') + text.count(b'<row r="')
        if starts != canonical or b" r =" in text or b" r= " in text:
            return False
        if (b":c" in text or b":row" in text) and any(odd in text for odd in _PREFIXED):
            return False
        if text.count(b':r="') != text.count(b'xmlns:r="'):
            return False  # a namespaced `r` attribute
        digits = _DIGITS.findall(text)
        if len(digits) != text.count(b' r="'):
            return False  # a reference that is not letters then digits
        if digits:
            longest = max(map(len, digits))
            rows = _HUGE if longest > 10 else max(map(int, digits))
            columns = max(map(column_number, set(_LETTERS.findall(text))), default=0)
            self.extent.widen(rows, columns)
        return True


class _Exact:
    """Any XML: every cell and row start tag, positions counted where `r` is left out."""

    def __init__(self) -> None:
        self.extent = Extent()
        self.declared: Extent | None = None
        self._first = True
        self._row = 0  # the furthest row named so far (a row without `r` is the next one)
        self._column = 0  # the column of the last cell in the current row

    def feed(self, segment: bytes) -> None:
        if self._first:
            self.declared = declared_extent(segment)
            self._first = False
        for tag in _TAG.finditer(segment):
            ref = self._reference(tag.group(2))
            if tag.group(1) == b"row":
                self._row = max(row_number(ref[1]), self._row) if ref and ref[1] else self._row + 1
                self._column = 0
                self.extent.widen(self._row, 0)
                continue
            if ref is not None and ref[0]:
                self._column = column_number(ref[0])
            else:
                self._column += 1
            row = row_number(ref[1]) if ref is not None and ref[1] else 0
            self._row = max(self._row, row, 1)
            self.extent.widen(self._row, self._column)

    @staticmethod
    def _reference(attributes: bytes) -> tuple[bytes, bytes] | None:
        """(letters, digits) of the furthest `r` among the attributes (a parser may take any
        of several), or None when there is none that reads as a reference."""
        found: tuple[bytes, bytes] | None = None
        for match in _ATTR_R.finditer(attributes):
            cell = _CELL_REF.fullmatch(match.group(2))
            if cell is None:
                continue
            letters, digits = cell.group(1), cell.group(2)
            if found is None:
                found = (letters, digits)
            else:
                found = (
                    max(found[0], letters, key=column_number),
                    max(found[1], digits, key=row_number),
                )
        return found
