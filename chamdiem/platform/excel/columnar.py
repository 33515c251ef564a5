"""Whole columns of cells to the evaluator's columns with NumPy, no Python call per cell.

`fast_column` takes the cells of one input's column (as `Table.rows` hold them: text from a
CSV file; floats, booleans and text from a workbook) and gives what the evaluator reads
without converting a value at a time: a `ScaledColumn` (whole numbers of 10**-places) for
number, count and percent inputs, a NumPy bool array for yes/no inputs. It answers only
when every cell has one of the common, valid shapes, and its values are then exactly those
of the per-cell converters in cells.py; otherwise it answers None and the reader converts
that column cell by cell, so that every problem keeps its row, column and message.

The shapes taken:

- text numbers `-?d+` and `-?d+[.,]d+` in ASCII digits, at most 18 digits (an int64), the
  one mark always the decimal mark (numbers have no thousands separators: `2.675` and
  `2,675` are 2.675); for a percent also with a `%` right after (96% and 96,5% are 0.96
  and 0.965); for a count digits only;
- workbook numbers (floats) below 10**8 in size with at most 6 decimals as Excel shows them
  (the shortest repr), or whole numbers below 2**53;
- yes/no in the usual spellings (`BOOL_SPELLINGS`) or workbook booleans, none blank;
- blank cells ("") among numbers, which are missing values: a problem at each when the
  input has no default (the same problem as cell by cell).
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import numpy.typing as npt

from chamdiem.dsl.data import Column, ScaledColumn
from chamdiem.dsl.program import InputSpec
from chamdiem.platform.excel.cells import BOOL_SPELLINGS

Units = npt.NDArray[np.int64]
Mask = npt.NDArray[np.bool_]

_MAX_DIGITS = 18  # every int64 of 18 digits, scaled, stays an int64
_MAX_TEXT = 24
_MAX_FLOAT_PLACES = 6
_FLOAT_LIMIT = 1e8  # |x|·10**6 < 10**14: x·10**p is rounded to the nearest whole number right
_WHOLE_FLOAT_LIMIT = float(2**53)
_DIGIT_POWERS = 10 ** np.arange(_MAX_DIGITS + 1, dtype=np.int64)
_ZERO, _NINE, _MINUS, _POINT, _COMMA, _PERCENT = (ord(c) for c in "09-.,%")


def fast_column(cells: list[object], spec: InputSpec) -> tuple[Column, Mask] | None:
    """The column converted at once, and the mask of its blank cells (missing values); None
    when any cell needs converting on its own."""
    kind = spec.kind
    if kind not in ("number", "count", "percent", "bool") or not cells:
        return None
    kinds = set(map(type, cells))
    blank = np.zeros(len(cells), dtype=np.bool_)
    if str in kinds and len(kinds) > 1:  # blank cells among workbook numbers or booleans
        is_text = np.fromiter(map(str.__instancecheck__, cells), dtype=np.bool_, count=len(cells))
        if any(cells[k] for k in np.flatnonzero(is_text).tolist()):
            return None
        blank = is_text
        cells = [cells[k] for k in np.flatnonzero(~is_text).tolist()]
        kinds.discard(str)
    if kinds == {str}:
        texts: list[str] = cells  # type: ignore[assignment]
        if kind == "bool":
            return _bools_from_text(texts)
        matrix = _text_matrix(texts)
        if matrix is None:
            return None
        chars, length = matrix
        blank = length == 0
        if blank.any():
            chars, length = chars[~blank], length[~blank]
        parsed = _numbers_from_text(chars, length, kind)
    elif kinds == {bool}:
        if kind != "bool" or blank.any():
            return None
        return np.array(cells, dtype=np.bool_), blank
    elif kinds and kinds <= {float, int} and kind != "bool":
        parsed = _numbers_from_floats(cells, kind)
    elif not kinds:  # every cell blank
        parsed = (np.zeros(0, dtype=np.int64), 0)
    else:
        return None
    if parsed is None:
        return None
    units, places = parsed
    if not _in_range(units, places, spec):
        return None
    spread: Units = _spread(units, blank, 0)  # type: ignore[assignment]
    column = ScaledColumn(spread, places, blank if blank.any() else None)
    return column, blank


def _spread(values: npt.NDArray[np.generic], blank: Mask, fill: object) -> npt.NDArray[np.generic]:
    """The values of the non-blank cells put back among the blank ones."""
    if not blank.any():
        return values
    out = np.full(len(blank), fill, dtype=values.dtype)
    out[~blank] = values
    return out


def _in_range(units: Units, places: int, spec: InputSpec) -> bool:
    """Whether every value lies in the declared range (an interval: its ends tell)."""
    if len(units) == 0 or (spec.low is None and spec.high is None):
        return True
    low, high = (Decimal(int(x)).scaleb(-places) for x in (units.min(), units.max()))
    return spec.in_range(low) and spec.in_range(high)


def _bools_from_text(texts: list[str]) -> tuple[Column, Mask] | None:
    """Yes/no texts as a bool array; None with a blank among them (a bool array has no
    "missing": the cells give the declared default)."""
    if not set(texts) <= BOOL_SPELLINGS.keys():
        return None
    values = np.fromiter(map(BOOL_SPELLINGS.__getitem__, texts), dtype=np.bool_, count=len(texts))
    return values, np.zeros(len(texts), dtype=np.bool_)


def _text_matrix(texts: list[str]) -> tuple[npt.NDArray[np.uint8], Units] | None:
    """The texts as one row of ASCII bytes each (padded with zeros), and their lengths;
    None when one is not ASCII, holds a line break or a NUL, or is long."""
    try:
        raw = "\n".join(texts).encode("ascii")
    except UnicodeEncodeError:
        return None
    data = np.frombuffer(raw, dtype=np.uint8)
    breaks = np.flatnonzero(data == ord("\n"))
    if len(breaks) != len(texts) - 1 or (data == 0).any():
        return None
    starts = np.concatenate(([0], breaks + 1)).astype(np.int64)
    length = np.concatenate((breaks, [len(data)])).astype(np.int64) - starts
    width = int(length.max(initial=0))
    if width > _MAX_TEXT:
        return None
    column = np.arange(width)
    inside = column < length[:, None]
    at = np.minimum(starts[:, None] + column, max(len(data) - 1, 0))
    chars = np.where(inside, data[at] if len(data) else 0, 0).astype(np.uint8)
    return chars, length


def _numbers_from_text(
    chars: npt.NDArray[np.uint8], length: Units, kind: str
) -> tuple[Units, int] | None:
    """Text numbers (rows of ASCII bytes) as whole numbers of 10**-places, or None when
    one is not of a simple shape (see the module's docstring)."""
    n, width = chars.shape
    if n == 0:
        return np.zeros(0, dtype=np.int64), 0
    column = np.arange(width)
    end = length.copy()
    percent = np.zeros(n, dtype=np.bool_)
    if kind == "percent":
        last = chars[np.arange(n), np.maximum(length - 1, 0)]
        percent = last == _PERCENT
        end -= percent
    negative = chars[:, 0] == _MINUS
    if kind == "count" and negative.any():
        return None
    start = negative.astype(np.int64)
    inside = (column >= start[:, None]) & (column < end[:, None])
    digit = (chars >= _ZERO) & (chars <= _NINE) & inside
    mark = ((chars == _POINT) | (chars == _COMMA)) & inside
    marks = mark.sum(axis=1)
    if kind == "count" and marks.any():
        return None
    if not ((digit | mark) == inside).all() or (marks > 1).any():
        return None
    at = np.where(marks > 0, mark.argmax(axis=1), end)  # where the fraction starts
    whole = at - start
    fraction = np.where(marks > 0, end - at - 1, 0)
    digits = whole + fraction
    if (whole < 1).any() or ((marks > 0) & (fraction < 1)).any() or (digits > _MAX_DIGITS).any():
        return None
    # Each digit weighs 10**(the digits after it in its text).
    after = np.cumsum(digit[:, ::-1], axis=1)[:, ::-1] - digit
    values = (chars.astype(np.int64) - _ZERO) * _DIGIT_POWERS[np.minimum(after, _MAX_DIGITS)]
    units = np.where(digit, values, 0).sum(axis=1)
    if kind == "percent":
        plain = ~percent
        if (plain & (units > _DIGIT_POWERS[np.minimum(fraction, _MAX_DIGITS)])).any():
            return None  # a plain number beyond 1 is ambiguous: the cells say so
        fraction = fraction + 2 * percent
    places = int(fraction.max())
    if places > _MAX_DIGITS or int((digits + places - fraction).max()) > _MAX_DIGITS:
        return None
    units = units * _DIGIT_POWERS[places - fraction]
    return np.where(negative, -units, units), places


def _numbers_from_floats(cells: list[object], kind: str) -> tuple[Units, int] | None:
    """Workbook numbers as whole numbers of 10**-places, each exactly the decimal Excel shows
    (the shortest repr), or None when one is not simple (see the module's docstring)."""
    x = np.array(cells, dtype=np.float64)
    if not np.isfinite(x).all():
        return None
    if kind == "percent" and (np.abs(x) > 1).any():
        return None  # perhaps a percent-formatted cell: the cells look it up
    whole = x == np.floor(x)
    if whole.all():
        if (np.abs(x) >= _WHOLE_FLOAT_LIMIT).any() or (kind == "count" and (x < 0).any()):
            return None
        return x.astype(np.int64), 0
    if kind == "count" or (np.abs(x) >= _FLOAT_LIMIT).any():
        return None
    for places in range(1, _MAX_FLOAT_PLACES + 1):
        # k / 10**p is the double nearest to the decimal k·10**-p (both exact in a double,
        # the division correctly rounded), so equality says that decimal reads back as x;
        # at the fewest places that do, it is the decimal repr(x) gives.
        scale = float(10**places)
        units = np.rint(x * scale)
        if (units / scale == x).all():
            return units.astype(np.int64), places
    return None
