"""Turning one cell into the typed value an input declares (see chamdiem/dsl/data.py).

A converter takes a non-blank cell as calamine or the csv module gives it and returns the value,
or raises CellError with a message that quotes the cell. Numbers are exact: a float from a
workbook is read through its shortest repr (0.1 is 1/10), whole floats become ints, and text
numbers take a decimal point or a Vietnamese decimal comma, but never a thousands separator
(docs/data-format.md): '2.675' and '2,675' are both 2.675, and a number with two marks
('1.234.567', '1,234.5') is refused rather than guessed.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal

from chamdiem.dsl.diagnostics import Text, fold
from chamdiem.dsl.program import InputSpec
from chamdiem.platform.excel.tables import header_key
from chamdiem.platform.limits import MAX_NUMBER_DIGITS

Number = Decimal | int
Converter = Callable[[object], object]


class CellError(Exception):
    def __init__(self, message: Text) -> None:
        super().__init__(message.en)
        self.message = message


class MaybePercent(CellError):
    """A number above 1 in a numeric cell for a `percent` input: 96 could mean 96% or 9600%.
    It is fine when the cell is formatted as a percent in Excel (then 1.5 is 150%); the reader
    looks the format up and otherwise reports `message`."""

    def __init__(self, message: Text, value: Number) -> None:
        super().__init__(message)
        self.value = value


def shown(cell: object) -> str:
    """The cell as quoted in a message."""
    text = cell if isinstance(cell, str) else str(cell)
    text = text.strip()
    return text if len(text) <= 40 else text[:39] + "…"


def from_float(value: float) -> Number:
    """A workbook number, exactly as Excel shows it: 8.5 -> Decimal('8.5'), 9.0 -> 9."""
    if math.isnan(value) or math.isinf(value):
        raise CellError(Text("ô chứa giá trị số không hợp lệ", "the cell holds an invalid number"))
    if value.is_integer():
        return int(value)
    return Decimal(repr(value))


# Floats at or beyond this size have more whole digits than a number may have.
_TOO_LARGE = float(10**MAX_NUMBER_DIGITS)


class TooManyDigits(CellError):
    """A number longer than MAX_NUMBER_DIGITS digits (see chamdiem.platform.limits)."""

    def __init__(self, cell: object) -> None:
        super().__init__(
            Text(
                f"'{shown(cell)}' có quá nhiều chữ số (một số có tối đa {MAX_NUMBER_DIGITS} "
                "chữ số)",
                f"'{shown(cell)}' has too many digits (a number has at most "
                f"{MAX_NUMBER_DIGITS} digits)",
            )
        )


def number_digits(whole: str, fraction: str | None) -> int:
    """The digits of a plain decimal that count towards MAX_NUMBER_DIGITS: all but the zeros
    before the whole part's first digit."""
    return len(whole.lstrip("0")) + (len(fraction) if fraction else 0)


def _float_number(cell: float) -> Number:
    if -_TOO_LARGE < cell < _TOO_LARGE:
        return from_float(cell)
    if math.isinf(cell) or math.isnan(cell):
        return from_float(cell)  # its own message
    raise TooManyDigits(cell)


_PLAIN_NUMBER = re.compile(r"([+-]?)(\d+)(?:([.,])(\d+))?")
_GROUPED_NUMBER = re.compile(r"[+-]?\d{1,3}(?:[.,]\d{3})+(?:[.,]\d+)?")
_PERCENT_TEXT = re.compile(r"(.*?)\s*%")


def parse_number_text(text: str) -> Number:
    """'8.5' and '8,5' -> Decimal('8.5'); '12' -> 12; '2.675' and '2,675' -> Decimal('2.675'):
    numbers have no thousands separators (docs/data-format.md), so the one mark is always the
    decimal mark. Rejects '1.234.567' or '1,234.5' (thousands separators)."""
    cleaned = text.strip().replace("\u2212", "-")
    match = _PLAIN_NUMBER.fullmatch(cleaned)
    if match is None:
        if _GROUPED_NUMBER.fullmatch(cleaned):
            raise CellError(
                Text(
                    f"'{shown(text)}' có dấu phân cách hàng nghìn; hãy bỏ dấu phân cách "
                    "hoặc nhập bằng ô số",
                    f"'{shown(text)}' has thousands separators; remove them or enter a number cell",
                )
            )
        raise CellError(
            Text(f"'{shown(text)}' không phải là số", f"'{shown(text)}' is not a number")
        )
    sign, whole, mark, fraction = match.groups()
    if number_digits(whole, fraction) > MAX_NUMBER_DIGITS:
        raise TooManyDigits(text)
    if mark is None:
        return int(sign + (whole.lstrip("0") or "0"))  # int() counts leading zeros too
    return Decimal(f"{sign}{whole.lstrip('0') or '0'}.{fraction}")


def _not_a(cell: object, vi_kind: str, en_kind: str) -> CellError:
    if isinstance(cell, bool):
        vi_found, en_found = "ô đúng/sai", "a true/false cell"
    elif isinstance(cell, date):
        vi_found, en_found = f"ô ngày {shown(cell)}", f"the date {shown(cell)}"
    else:
        vi_found, en_found = f"'{shown(cell)}'", f"'{shown(cell)}'"
    return CellError(
        Text(f"cần {vi_kind}, gặp {vi_found}", f"expected {en_kind}, found {en_found}")
    )


def to_number(cell: object) -> Number:
    if isinstance(cell, bool):  # before int: a bool is an int to Python
        raise _not_a(cell, "một số", "a number")
    if isinstance(cell, float):
        return _float_number(cell)
    if isinstance(cell, int):
        if cell.bit_length() > _TOO_LARGE_BITS and abs(cell) >= _TOO_LARGE_INT:
            raise TooManyDigits(_leading_digits(cell))
        return cell
    if isinstance(cell, str):
        return parse_number_text(cell)
    raise _not_a(cell, "một số", "a number")


_TOO_LARGE_INT = 10**MAX_NUMBER_DIGITS
_TOO_LARGE_BITS = _TOO_LARGE_INT.bit_length() - 1


def _leading_digits(value: int) -> str:
    """The first digits of a whole number of any size (str() refuses over 4,300 digits)."""
    drop = max(0, value.bit_length() - 200)
    return str(abs(value) >> drop)[:39] + "…" if drop else str(value)


def to_count(cell: object) -> int:
    value = to_number(cell)
    if isinstance(value, Decimal):
        if value != value.to_integral_value():
            raise CellError(
                Text(
                    f"cần số nguyên không âm (số lần), gặp '{shown(cell)}'",
                    f"expected a whole number of times (0 or more), found '{shown(cell)}'",
                )
            )
        value = int(value)
    if value < 0:
        raise CellError(
            Text(
                f"cần số nguyên không âm (số lần), gặp {value}",
                f"expected a whole number of times (0 or more), found {value}",
            )
        )
    return value


def to_percent(cell: object) -> Number:
    """A fraction: a percent-formatted cell gives 0.96 for 96%; text may be '96%' or '96,5%';
    a plain number up to 1 is a fraction already; above 1 it is ambiguous."""
    if isinstance(cell, str):
        text = cell.strip()
        match = _PERCENT_TEXT.fullmatch(text)
        if match:
            try:
                return _hundredth(parse_number_text(match.group(1)))
            except TooManyDigits:
                raise
            except CellError:
                raise CellError(
                    Text(
                        f"'{shown(cell)}' không phải tỷ lệ phần trăm",
                        f"'{shown(cell)}' is not a percent",
                    )
                ) from None
        value = parse_number_text(text)
        if not -1 <= value <= 1:
            raise CellError(_ambiguous_percent(cell, value))
        return value
    if isinstance(cell, (float, int)) and not isinstance(cell, bool):
        value = to_number(cell)
        if not -1 <= value <= 1:
            raise MaybePercent(_ambiguous_percent(cell, value), value)
        return value
    raise _not_a(cell, "tỷ lệ phần trăm", "a percent")


def _hundredth(value: Number) -> Decimal:
    """value / 100, exactly (Decimal.scaleb rounds to the context's precision)."""
    sign, digits, exponent = Decimal(value).as_tuple()
    assert isinstance(exponent, int)
    return Decimal((sign, digits, exponent - 2))


def _ambiguous_percent(cell: object, value: Number) -> Text:
    return Text(
        f"{shown(value)} không rõ là {value}% hay {value * 100}%: hãy viết '{value}%' "
        "hoặc định dạng ô là phần trăm",
        f"{shown(value)} is ambiguous ({value}% or {value * 100}%?): write '{value}%' or "
        "format the cell as a percent",
    )


_TRUE = frozenset({"true", "1", "co", "x", "dung", "yes"})
_FALSE = frozenset({"false", "0", "khong", "sai", "no"})


def to_bool(cell: object) -> bool:
    if isinstance(cell, bool):
        return cell
    if isinstance(cell, (float, int)):
        if cell == 1:
            return True
        if cell == 0:
            return False
    elif isinstance(cell, str):
        key = fold(unicodedata.normalize("NFC", cell.strip()))
        if key in _TRUE:
            return True
        if key in _FALSE:
            return False
    raise CellError(
        Text(
            f"cần có/không (có, không, x, đúng, sai, 1, 0), gặp '{shown(cell)}'",
            f"expected yes/no (true, false, x, có, không, 1, 0), found '{shown(cell)}'",
        )
    )


def to_text(cell: object) -> str:
    """The cell as text (a code, a name, a header). Never fails: a number no workbook Excel
    saved can hold (NaN, infinity: a damaged or hand-made file) reads as Python spells it."""
    if isinstance(cell, str):
        return unicodedata.normalize("NFC", cell.strip())
    if isinstance(cell, float):
        return str(from_float(cell)) if math.isfinite(cell) else str(cell)
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, datetime):
        return cell.date().isoformat() if cell.time() == datetime.min.time() else cell.isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    return str(cell)


_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_VN_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def to_date(cell: object) -> date:
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    if isinstance(cell, str):
        text = cell.strip()
        iso = _ISO_DATE.fullmatch(text)
        vn = _VN_DATE.fullmatch(text)
        if iso or vn:
            if iso:
                year, month, day = (int(part) for part in iso.groups())
            else:
                assert vn is not None
                day, month, year = (int(part) for part in vn.groups())
            try:
                return date(year, month, day)
            except ValueError:
                raise CellError(
                    Text(
                        f"ngày '{shown(cell)}' không có thật", f"'{shown(cell)}' is not a real date"
                    )
                ) from None
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        raise CellError(
            Text(
                f"cần ngày (YYYY-MM-DD hoặc DD/MM/YYYY), gặp số {shown(cell)}; "
                "ô chưa định dạng ngày?",
                f"expected a date (YYYY-MM-DD or DD/MM/YYYY), found the number {shown(cell)}; "
                "is the cell formatted as a date?",
            )
        )
    raise CellError(
        Text(
            f"cần ngày (YYYY-MM-DD hoặc DD/MM/YYYY), gặp '{shown(cell)}'",
            f"expected a date (YYYY-MM-DD or DD/MM/YYYY), found '{shown(cell)}'",
        )
    )


def enum_converter(choices: tuple[str, ...]) -> Converter:
    """Matches a choice after NFC and case folding; gives back the declared spelling."""
    by_key = {header_key(choice): choice for choice in choices}
    listed = ", ".join(f'"{choice}"' for choice in choices)

    def convert(cell: object) -> str:
        found = by_key.get(header_key(to_text(cell)))
        if found is None:
            raise CellError(
                Text(
                    f"'{shown(cell)}' không phải một trong các lựa chọn: {listed}",
                    f"'{shown(cell)}' is not one of the choices: {listed}",
                )
            )
        return found

    return convert


_CONVERTERS: dict[str, Converter] = {
    "number": to_number,
    "count": to_count,
    "percent": to_percent,
    "bool": to_bool,
    "text": to_text,
    "date": to_date,
}


def converter_for(spec: InputSpec) -> Converter:
    if spec.kind == "enum":
        return enum_converter(spec.choices)
    return _CONVERTERS[spec.kind]


# ---------------------------------------------------------------- whole columns

# A decimal in a CSV file with a point (a comma goes cell by cell).
_POINT_DECIMAL = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
# The usual spellings of yes and no, exactly as typed or exported (others go cell by cell).
BOOL_SPELLINGS: dict[str, bool] = {
    "TRUE": True, "FALSE": False, "true": True, "false": False, "x": True, "X": True,
    "1": True, "0": False, "có": True, "không": False, "đúng": True, "sai": False,
}  # fmt: skip


def convert_all(cells: list[object], spec: InputSpec) -> list[object] | None:
    """The whole column converted at C speed when every cell is of the one common, valid
    shape (all floats, all booleans, all plain text …); None when any cell is not, and then
    the reader goes cell by cell and reports each problem. Ranges are the reader's to check."""
    if not cells:
        return []
    kinds = set(map(type, cells))
    kind = spec.kind
    if kinds == {float}:
        floats: list[float] = cells  # type: ignore[assignment]
        low, high = min(floats), max(floats)
        # min and max skip a NaN that is not first ([0.0, nan]); the sum is NaN with any.
        total = sum(floats)
        if not (low > -_TOO_LARGE and high < _TOO_LARGE) or total != total:
            return None
        if kind == "number" or (kind == "percent" and low >= -1 and high <= 1):
            # Each distinct number converted once (a column has few); 0.0 and -0.0 share a
            # key and a value.
            exact = {x: int(x) if x.is_integer() else Decimal(repr(x)) for x in set(floats)}
            return list(map(exact.__getitem__, floats))
        if kind == "count" and low >= 0 and all(map(float.is_integer, floats)):
            return list(map(int, floats))
        return None
    if kinds == {bool}:
        return list(cells) if kind == "bool" else None
    if kinds != {str}:
        return None
    texts: list[str] = cells  # type: ignore[assignment]
    if kind == "enum":
        return list(texts) if set(texts) <= set(spec.choices) else None
    if kind == "text":
        stripped = list(map(str.strip, texts))
        if "" in stripped:
            return None
        return [t if t.isascii() else unicodedata.normalize("NFC", t) for t in stripped]
    if kind in ("number", "count") and max(map(len, texts)) > MAX_NUMBER_DIGITS:
        return None  # perhaps too many digits: each cell is looked at on its own
    if (
        kind in ("number", "count")
        and all(map(str.isdigit, texts))
        and all(map(str.isascii, texts))
    ):
        return list(map(int, texts))
    if kind == "number" and all(map(_POINT_DECIMAL.fullmatch, texts)):
        return [Decimal(t) if "." in t else int(t) for t in texts]
    if kind == "bool" and set(texts) <= BOOL_SPELLINGS.keys():
        return [BOOL_SPELLINGS[t] for t in texts]
    return None
