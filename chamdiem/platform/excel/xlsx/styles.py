"""How cells look: the `Style` a caller asks for, the workbook's style tables built from the
styles used (written last, as xl/styles.xml), number formats, and the row heights that
12-point Times New Roman text needs."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from chamdiem.platform.excel.xlsx.cells import attr
from chamdiem.platform.excel.xlsx.package import MAIN, XML

Horizontal = Literal["left", "center", "right"]
Vertical = Literal["top", "center", "bottom"]


def line_room(width: float) -> int:
    """Characters of 12-point Times New Roman on one line of a column `width` wide
    (Vietnamese text is narrower than the digit 0 that widths are counted in)."""
    return max(int(width * 1.15), 1)


@lru_cache(maxsize=16384)  # the same labels and notes fill most rows of a report
def text_height(text: str, width: float) -> float:
    """Points of row height for `text` wrapped in a column `width` characters wide (12-point
    Times New Roman), word by word as Excel wraps it. Rows are given their height: LibreOffice
    does not fit a row to its wrapped text when it opens a file (seen: text ran over the next
    rows), and Excel does so only for rows it lays out itself."""
    per_line = line_room(width)
    lines = 0
    for part in text.split("\n"):
        lines += 1
        used = 0
        for word in part.split():
            if used and used + 1 + len(word) > per_line:
                lines += 1
                used = 0
            used += (1 if used else 0) + len(word)
            while used > per_line:  # a word longer than the line breaks inside
                lines += 1
                used -= per_line
    return 15.75 * max(lines, 1) + 3


def decimal_format(places: int) -> str:
    """The number format that shows exactly `places` decimals: 2 -> '0.00'."""
    return "0" if places <= 0 else "0." + "0" * places


@dataclass(frozen=True)
class Style:
    """How a cell looks. The font family is the workbook's; `color` and `fill` are RGB hex."""

    bold: bool = False
    italic: bool = False
    underline: bool = False
    size: float | None = None  # None: the workbook's size
    color: str | None = None
    fill: str | None = None
    border: bool = False
    horizontal: Horizontal | None = None
    vertical: Vertical | None = None
    wrap: bool = False
    number_format: str | None = None


class Styles:
    """The workbook's style tables; `index(style)` is the cell's `s` attribute."""

    def __init__(self, font: str, size: float, family: int = 1) -> None:
        self.font = font
        self.size = size
        self.family = family  # the font's family: 1 roman (Times New Roman), 2 swiss (Calibri)
        self.fonts: dict[tuple[bool, bool, bool, float, str | None], int] = {}
        self.fills: dict[str, int] = {}
        self.formats: dict[str, int] = {}
        self.xfs: dict[Style, int] = {}
        self._font((False, False, False, size, None))
        self.index(Style())

    def _font(self, key: tuple[bool, bool, bool, float, str | None]) -> int:
        return self.fonts.setdefault(key, len(self.fonts))

    def index(self, style: Style) -> int:
        found = self.xfs.get(style)
        if found is None:
            found = self.xfs[style] = len(self.xfs)
            self._font(
                (style.bold, style.italic, style.underline, style.size or self.size, style.color)
            )
            if style.fill:
                self.fills.setdefault(style.fill, len(self.fills) + 2)
            if style.number_format:
                self.formats.setdefault(style.number_format, len(self.formats) + 164)
        return found

    def xml(self) -> str:
        formats = "".join(
            f'<numFmt numFmtId="{n}" formatCode={attr(code)}/>' for code, n in self.formats.items()
        )
        fonts = []
        for bold, italic, underline, size, color in self.fonts:
            fonts.append(
                "<font>"
                + ("<b/>" if bold else "")
                + ("<i/>" if italic else "")
                + ("<u/>" if underline else "")
                + f'<sz val="{size:g}"/>'
                + (f'<color rgb="FF{color}"/>' if color else "")
                + f'<name val={attr(self.font)}/><family val="{self.family}"/><charset val="163"/>'
                + "</font>"
            )
        fills = [
            '<fill><patternFill patternType="none"/></fill>',
            '<fill><patternFill patternType="gray125"/></fill>',
            *(
                f'<fill><patternFill patternType="solid"><fgColor rgb="FF{rgb}"/>'
                '<bgColor indexed="64"/></patternFill></fill>'
                for rgb in self.fills
            ),
        ]
        thin = '<left style="thin"><color auto="1"/></left><right style="thin"><color auto="1"/>'
        thin += '</right><top style="thin"><color auto="1"/></top><bottom style="thin">'
        thin += '<color auto="1"/></bottom><diagonal/>'
        borders = (
            f"<border><left/><right/><top/><bottom/><diagonal/></border><border>{thin}</border>"
        )
        xfs = []
        for style in self.xfs:
            font = self.fonts[
                (style.bold, style.italic, style.underline, style.size or self.size, style.color)
            ]
            fill = self.fills[style.fill] if style.fill else 0
            number = self.formats[style.number_format] if style.number_format else 0
            align = ""
            if style.horizontal or style.vertical or style.wrap:
                align = (
                    "<alignment"
                    + (f' horizontal="{style.horizontal}"' if style.horizontal else "")
                    + (f' vertical="{style.vertical}"' if style.vertical else "")
                    + (' wrapText="1"' if style.wrap else "")
                    + "/>"
                )
            xfs.append(
                f'<xf numFmtId="{number}" fontId="{font}" fillId="{fill}" '
                f'borderId="{1 if style.border else 0}" xfId="0"'
                + (' applyNumberFormat="1"' if number else "")
                + (' applyFont="1"' if font else "")
                + (' applyFill="1"' if fill else "")
                + (' applyBorder="1"' if style.border else "")
                + (f' applyAlignment="1">{align}</xf>' if align else "/>")
            )
        return (
            XML
            + f'<styleSheet xmlns="{MAIN}">'
            + (f'<numFmts count="{len(self.formats)}">{formats}</numFmts>' if formats else "")
            + f'<fonts count="{len(fonts)}">{"".join(fonts)}</fonts>'
            + f'<fills count="{len(fills)}">{"".join(fills)}</fills>'
            + f'<borders count="2">{borders}</borders>'
            + '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
            + "</cellStyleXfs>"
            + f'<cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
            + '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
            + "</cellStyles></styleSheet>"
        )
