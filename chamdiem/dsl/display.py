"""How numbers, dates, periods and grades read for a person, in Vietnamese or English.

One place for what every surface prints — web pages, Excel text cells, the command line and
explanations: Vietnamese writes `76,78` (a decimal comma), `30.000` (dots between thousands),
`14,5%`, `31/03/2026`, "Quý I/2026"; English keeps `76.78`, `30,000`, `14.5%`, `2026-03-31`,
"Q1 2026". It lives in `chamdiem.dsl` because the language's explanations need it and the
language imports nothing from the platform; the platform imports it (docs/decisions.md).

Numbers are formatted from their exact decimal text (a `Decimal`, an int or the stored text
"76.78"), never through a float, so what is printed is what was computed; when places are
asked for, rounding is half away from zero, as the engine rounds.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from chamdiem.dsl.diagnostics import Language
from chamdiem.dsl.periods import Period, PeriodError

Number = Decimal | int | float | str

_SEPARATORS: dict[str, tuple[str, str]] = {"vi": (",", "."), "en": (".", ",")}  # decimal, group


def _decimal(value: Number) -> Decimal | None:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        return Decimal(int(value))
    if isinstance(value, int):
        return Decimal(value)
    try:
        # a float through its shortest text (0.1 -> "0.1"), not its binary expansion
        found = Decimal(repr(value) if isinstance(value, float) else value.strip())
    except (InvalidOperation, ValueError):
        return None
    return found if found.is_finite() else None


def _grouped(digits: str, separator: str) -> str:
    head = len(digits) % 3 or 3
    groups = [digits[:head]] + [digits[k : k + 3] for k in range(head, len(digits), 3)]
    return separator.join(groups)


def number_text(
    value: Number | None,
    language: Language = "vi",
    *,
    places: int | None = None,
    empty: str = "",
    group: bool = True,
) -> str:
    """76.78 -> '76,78' (vi) / '76.78' (en); 12345.5 -> '12.345,5' / '12,345.5'.

    `places` rounds (half away from zero) and pads to that many decimals; without it the
    digits given are kept ('80.00' stays '80,00'). `None` gives `empty`; text that is not a
    number is returned as it is (a dash, a word). `group=False` leaves thousands ungrouped."""
    if value is None:
        return empty
    number = _decimal(value)
    if number is None:
        return str(value)
    if places is not None:
        number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = format(number, "f")
    negative = text.startswith("-")
    whole, _, fraction = text.lstrip("-").partition(".")
    decimal_mark, group_mark = _SEPARATORS[language]
    shown = _grouped(whole, group_mark) if group else whole
    if fraction:
        shown += decimal_mark + fraction
    if negative and any(ch not in "0.," for ch in shown):
        shown = "-" + shown  # never '-0'
    return shown


def count_text(n: int | None, language: Language = "vi", *, empty: str = "") -> str:
    """30000 -> '30.000' (vi) / '30,000' (en)."""
    return empty if n is None else number_text(int(n), language)


def percent_text(
    value: Number | None, language: Language = "vi", *, places: int = 1, empty: str = ""
) -> str:
    """A value in percent: 14.5 -> '14,5%' (vi) / '14.5%' (en), rounded to `places`."""
    if value is None:
        return empty
    return number_text(value, language, places=places) + "%"


def share_text(part: int, whole: int, language: Language = "vi", *, places: int = 1) -> str:
    """`part` of `whole` in percent: (29, 200) -> '14,5%'; an empty whole gives 0%."""
    if not whole:
        return percent_text(0, language, places=places)
    return percent_text(Decimal(100 * part) / Decimal(whole), language, places=places)


def fraction_percent_text(
    value: Number | None, language: Language = "vi", *, places: int = 1, empty: str = ""
) -> str:
    """A fraction shown in percent, as a `percent` input holds it: 0.145 -> '14,5%'."""
    number = None if value is None else _decimal(value)
    if number is None:
        return empty if value is None else str(value)
    return percent_text(number * 100, language, places=places)


def seconds_text(seconds: float, language: Language = "vi") -> str:
    """1.234 -> '1,2 giây' (vi) / '1.2 s' (en)."""
    text = number_text(seconds, language, places=1)
    return f"{text} giây" if language == "vi" else f"{text} s"


def date_text(value: date | None, language: Language = "vi", *, empty: str = "") -> str:
    """31/03/2026 (vi) / 2026-03-31 (en)."""
    if value is None:
        return empty
    return value.strftime("%d/%m/%Y") if language == "vi" else value.strftime("%Y-%m-%d")


def datetime_text(value: datetime | None, language: Language = "vi", *, empty: str = "") -> str:
    """31/03/2026 14:05 (vi) / 2026-03-31 14:05 (en), in the time's own zone (the platform
    converts to local time first)."""
    if value is None:
        return empty
    return f"{date_text(value.date(), language)} {value.strftime('%H:%M')}"


_ROMAN = ("I", "II", "III", "IV")
_MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def period_name(code: object, language: Language = "vi") -> str:
    """A period's name: '2026-Q1' -> 'Quý I/2026' / 'Q1 2026'; '2026-07' -> 'Tháng 7/2026' /
    'July 2026'; '2026' -> 'Năm 2026' / '2026'. A `Period` is read by its code; text that is
    not a period code is returned as it is."""
    if code is None:
        return ""
    text = code.code if isinstance(code, Period) else str(code)
    try:
        period = code if isinstance(code, Period) else Period.parse(text)
    except PeriodError:
        return text
    vi = language == "vi"
    if period.kind == "quarter":
        return (
            f"Quý {_ROMAN[period.index - 1]}/{period.year}"
            if vi
            else f"Q{period.index} {period.year}"
        )
    if period.kind == "month":
        return (
            f"Tháng {period.index}/{period.year}"
            if vi
            else f"{_MONTHS_EN[period.index - 1]} {period.year}"
        )
    return f"Năm {period.year}" if vi else f"{period.year}"


def grade_text(
    code: str | None, labels: Mapping[str, str | None], language: Language = "vi"
) -> str:
    """A grade as a person reads it: the rule set's own label ('tot' -> 'Hoàn thành tốt
    nhiệm vụ'), the code when the rule set gives none; no grade reads 'không xếp loại'."""
    if not code or code == "-":
        return "không xếp loại" if language == "vi" else "not graded"
    return labels.get(code) or code
