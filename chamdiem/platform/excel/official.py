"""What official Vietnamese documents look like, shared by the input template, the run report
and the evaluation form: the national motto, titles with the period written out ("QUÝ I NĂM
2026"), grade labels, numbers with a decimal comma in running text, and the cell styles."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from chamdiem.dsl import display
from chamdiem.dsl.program import GradeSpec
from chamdiem.platform.excel.xlsx import Style, StyledWorkbook, decimal_format

NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
HEADER_FILL = "DDEBF7"
NOT_GRADED = "Không xếp loại"
# Chart colours, best grade first, as the web pages colour them (static/app.css --g0…).
_GRADE_COLORS = ("1D7A3A", "4F9D5C", "D9A21B", "C2410C", "7F1D1D")
_OTHER_GRADE_COLOR = "5B6775"
NOT_GRADED_COLOR = "9AA5B1"


def grade_colors(count: int) -> list[str]:
    """Colours for `count` grades, best first."""
    return [
        _GRADE_COLORS[k] if k < len(_GRADE_COLORS) else _OTHER_GRADE_COLOR for k in range(count)
    ]


_ROMAN = ("I", "II", "III", "IV")
_PERIOD_WORDS = (
    "hằng quý",
    "hằng năm",
    "hằng tháng",
    "hàng quý",
    "hàng năm",
    "hàng tháng",
    "quý",
    "năm",
    "tháng",
)


def roman(n: int) -> str:
    """1 -> 'I', 14 -> 'XIV' (group numbers in forms)."""
    numerals = (
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    )
    out = ""
    for value, letters in numerals:
        while n >= value:
            out += letters
            n -= value
    return out


def period_words(kind: str, start: date) -> str:
    """'quarter', 2026-01-01 -> 'quý I năm 2026'; a month -> 'tháng 3 năm 2026'; a year ->
    'năm 2026'."""
    if kind == "quarter":
        return f"quý {_ROMAN[(start.month - 1) // 3]} năm {start.year}"
    if kind == "month":
        return f"tháng {start.month} năm {start.year}"
    return f"năm {start.year}"


def vi_upper(text: str) -> str:
    return text.upper()


def _without_period_word(title: str) -> str:
    text = title.strip()
    lowered = text.lower()
    for word in _PERIOD_WORDS:
        if lowered.endswith(" " + word):
            return text[: -len(word) - 1].rstrip(" ,;-–")
    return text


def subject_title(rules_title: str) -> str:
    """'Đánh giá, xếp loại chất lượng công chức hằng quý' -> 'đánh giá, xếp loại chất lượng
    công chức' (what is evaluated, without the period word)."""
    text = _without_period_word(rules_title)
    if text.lower().startswith(("đánh giá", "xếp loại")):
        return text[0].lower() + text[1:]
    return "đánh giá, xếp loại: " + text


def result_title(rules_title: str, kind: str, start: date) -> str:
    """'KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG CÔNG CHỨC QUÝ I NĂM 2026'."""
    return vi_upper(f"kết quả {subject_title(rules_title)} {period_words(kind, start)}")


def vi_number(text: str | Decimal | int) -> str:
    """A number in running Vietnamese text: '82.15' -> '82,15', '1234.5' -> '1.234,5'
    (chamdiem.dsl.display, as the pages and the command line write it); '12.5%' -> '12,5%'."""
    if isinstance(text, str) and text.endswith("%"):
        return display.number_text(text[:-1]) + "%"
    return display.number_text(text)


def vi_date(value: date) -> str:
    return display.date_text(value)


def grade_labels(grades: Sequence[GradeSpec]) -> dict[str, str]:
    """Grade name -> what a person reads ('tot' -> 'Hoàn thành tốt nhiệm vụ')."""
    return {grade.name: grade.label or grade.name for grade in grades}


@dataclass(frozen=True)
class Looks:
    """The `s` indexes of the styles of the report's sheets, registered in one workbook."""

    plain: int
    title: int
    subtitle: int
    note: int
    header: int
    cell: int
    cell_center: int
    cell_wrap: int
    cell_bold: int
    cell_bold_center: int
    score: int
    score_bold: int
    whole: int
    whole_bold: int
    signature: int
    signature_note: int

    @classmethod
    def register(cls, book: StyledWorkbook, precision: int) -> Looks:
        score = decimal_format(precision)

        def s(**fields: object) -> int:
            return book.style(Style(**fields))  # type: ignore[arg-type]

        return cls(
            plain=s(),
            title=s(bold=True, size=14, horizontal="center", vertical="center", wrap=True),
            subtitle=s(bold=True, horizontal="center", vertical="center", wrap=True),
            note=s(italic=True, horizontal="center", vertical="center", wrap=True),
            header=s(
                bold=True,
                border=True,
                fill=HEADER_FILL,
                horizontal="center",
                vertical="center",
                wrap=True,
            ),
            cell=s(border=True, vertical="center"),
            cell_center=s(border=True, horizontal="center", vertical="center"),
            cell_wrap=s(border=True, vertical="center", wrap=True),
            cell_bold=s(border=True, bold=True, vertical="center", wrap=True),
            cell_bold_center=s(border=True, bold=True, horizontal="center", vertical="center"),
            score=s(border=True, number_format=score, vertical="center"),
            score_bold=s(border=True, bold=True, number_format=score, vertical="center"),
            whole=s(border=True, number_format="0", horizontal="center", vertical="center"),
            whole_bold=s(
                border=True, bold=True, number_format="0", horizontal="center", vertical="center"
            ),
            signature=s(bold=True, horizontal="center", vertical="center", wrap=True),
            signature_note=s(italic=True, horizontal="center", vertical="top", wrap=True),
        )
