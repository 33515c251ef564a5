"""A worksheet written as a stream: the sheet's head (views, frozen panes, column widths),
its rows in order straight into the zip archive, and after the rows what the sheet's XML puts
there (filter, merged cells, validations, links, print setup, drawing)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from types import TracebackType
from typing import IO

from chamdiem.platform.excel.xlsx.cells import (
    NumberText,
    attr,
    column_letter,
    inline,
    sheet_ref,
    text,
)
from chamdiem.platform.excel.xlsx.charts import BarChart
from chamdiem.platform.excel.xlsx.package import MAIN, RELS, XML


@dataclass(frozen=True)
class PageSetup:
    """Print settings: A4 (paper 9), landscape or portrait, scaled to the page width (and to
    one page tall, for a form whose signatures must not go onto a page of their own), rows
    repeated at the top of each page (1-based, inclusive), a page-number footer."""

    landscape: bool = True
    fit_width: bool = True
    fit_height: bool = False
    title_rows: tuple[int, int] | None = None
    center: bool = True
    footer: str | None = "Trang &P/&N"  # centred; &P page, &N pages
    margins: tuple[float, float, float, float] = (0.5, 0.4, 0.6, 0.6)  # left right top bottom


@dataclass(frozen=True)
class SheetOptions:
    widths: Sequence[float] = ()
    freeze: tuple[int, int] | None = None  # (rows, columns) kept in view
    page: PageSetup | None = None
    hidden: bool = False
    gridlines: bool = True
    row_height: float | None = 15.75  # the default row's, in points (12-point text)


@dataclass(frozen=True)
class Validation:
    """A data-validation rule over `ref` ('D7:D1048576'); `kind` is Excel's type (decimal,
    whole, list, date, textLength, custom)."""

    ref: str
    kind: str
    formula1: str
    formula2: str | None = None
    operator: str | None = None  # between, greaterThanOrEqual, …; None for list and custom
    prompt_title: str = ""
    prompt: str = ""
    error_title: str = ""
    error: str = ""


_STYLE_ATTRS: dict[int, str] = {}


def _style_attr(index: int) -> str:
    found = _STYLE_ATTRS.get(index)
    if found is None:
        found = _STYLE_ATTRS[index] = f' s="{index}"' if index else ""
    return found


class Sheet:
    """One worksheet being written: call `row` for each row in order, then `close` (or use
    it as a context manager)."""

    def __init__(
        self,
        stream: IO[bytes],
        number: int,
        name: str,
        options: SheetOptions,
        texts: dict[str, str],
        closed: Callable[[Sheet], None],
    ) -> None:
        self.number = number
        self.name = name
        self.options = options
        self.next_row = 1
        self._merges: list[str] = []
        self._validations: list[Validation] = []
        self.charts: list[BarChart] = []
        self._links: list[tuple[str, str, str]] = []
        self._last_styles: Sequence[int] | None = None
        self._last_attrs: list[str] = []
        self._letters = [column_letter(i) for i in range(max(len(options.widths), 64))]
        self._filter: str | None = None
        self.filter_ref: str | None = None  # the filter's range, for the workbook part
        self._texts = texts  # text -> the end of its cell (inline or shared), the workbook's
        self._closed_callback = closed
        self._stream = stream
        self._buffer: list[str] = []
        self._closed = False
        self._stream.write(self._head().encode("utf-8"))

    def __enter__(self) -> Sheet:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def _head(self) -> str:
        options = self.options
        page = options.page
        parts = [XML, f'<worksheet xmlns="{MAIN}" xmlns:r="{RELS}">']
        if page and (page.fit_width or page.fit_height):
            parts.append('<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>')
        grid = "" if options.gridlines else ' showGridLines="0"'
        parts.append(f'<sheetViews><sheetView workbookViewId="0"{grid}>')
        if options.freeze and options.freeze != (0, 0):
            rows, columns = options.freeze
            top_left = f"{column_letter(columns)}{rows + 1}"
            pane = "bottomRight" if rows and columns else ("bottomLeft" if rows else "topRight")
            split = (f' xSplit="{columns}"' if columns else "") + (
                f' ySplit="{rows}"' if rows else ""
            )
            parts.append(
                f'<pane{split} topLeftCell="{top_left}" activePane="{pane}" state="frozen"/>'
                f'<selection pane="{pane}" activeCell="{top_left}" sqref="{top_left}"/>'
            )
        parts.append("</sheetView></sheetViews>")
        if options.row_height is not None:
            parts.append(f'<sheetFormatPr defaultRowHeight="{options.row_height:g}"/>')
        if options.widths:
            cols = "".join(
                f'<col min="{i}" max="{i}" width="{w:g}" customWidth="1"/>'
                for i, w in enumerate(options.widths, start=1)
            )
            parts.append(f"<cols>{cols}</cols>")
        parts.append("<sheetData>")
        return "".join(parts)

    def letter(self, col: int) -> str:
        while col >= len(self._letters):
            self._letters.append(column_letter(len(self._letters)))
        return self._letters[col]

    def row(
        self,
        values: Sequence[object],
        styles: int | Sequence[int] = 0,
        *,
        height: float | None = None,
        hidden: bool = False,
        first_col: int = 0,
    ) -> int:
        """Write the next row (`values` from column `first_col`); returns its number. A cell
        without a value is still written when it has a style (a bordered blank)."""
        number = self.next_row
        self.next_row += 1
        row = str(number)
        count = len(values)
        while first_col + count > len(self._letters):
            self._letters.append(column_letter(len(self._letters)))
        letters = self._letters[first_col : first_col + count]
        if isinstance(styles, int):
            style_attrs = [_style_attr(styles)] * count
        elif styles is self._last_styles:  # the same list for every row of a table
            style_attrs = self._last_attrs
        else:
            style_attrs = [_style_attr(index) for index in styles]
            self._last_styles, self._last_attrs = styles, style_attrs
        cells: list[str] = []
        add = cells.append
        texts = self._texts
        for letter, style, value in zip(letters, style_attrs, values, strict=True):
            kind = type(value)
            if kind is str:
                if value:
                    add(f'<c r="{letter}{row}"{style}{texts[value]}</c>')  # type: ignore[index]
                elif style:
                    add(f'<c r="{letter}{row}"{style}/>')
            elif kind is NumberText or kind is int:
                add(f'<c r="{letter}{row}"{style}><v>{value}</v></c>')
            elif value is None:
                if style:
                    add(f'<c r="{letter}{row}"{style}/>')
            elif kind is bool:
                add(f'<c r="{letter}{row}"{style} t="b"><v>{1 if value else 0}</v></c>')
            elif isinstance(value, Decimal):
                add(f'<c r="{letter}{row}"{style}><v>{format(value, "f")}</v></c>')
            elif isinstance(value, int):
                add(f'<c r="{letter}{row}"{style}><v>{int(value)}</v></c>')
            elif kind is float:
                add(f'<c r="{letter}{row}"{style}><v>{value!r}</v></c>')
            else:
                add(f'<c r="{letter}{row}"{style}{inline(str(value))}</c>')
        attributes = f' r="{number}"'
        if height is not None:
            attributes += f' ht="{height:g}" customHeight="1"'
        if hidden:
            attributes += ' hidden="1"'
        self._buffer.append(f"<row{attributes}>{''.join(cells)}</row>")
        if len(self._buffer) >= 1000:
            self._flush()
        return number

    def blank(self, count: int = 1) -> None:
        """Leave rows empty."""
        self.next_row += count

    def merge(self, first_row: int, first_col: int, last_row: int, last_col: int) -> None:
        """Merge a block (1-based rows, 0-based columns)."""
        if (first_row, first_col) != (last_row, last_col):
            self._merges.append(
                f"{self.letter(first_col)}{first_row}:{self.letter(last_col)}{last_row}"
            )

    def merged_row(
        self, value: object, style: int, width: int, *, height: float | None = None
    ) -> int:
        """A row whose first `width` cells are one merged cell holding `value`."""
        number = self.row([value, *[None] * (width - 1)], style, height=height)
        self.merge(number, 0, number, width - 1)
        return number

    def validate(self, validation: Validation) -> None:
        self._validations.append(validation)

    def chart(self, chart: BarChart) -> None:
        self.charts.append(chart)

    def link(self, row: int, col: int, sheet: str, shown: str) -> None:
        """Make cell (1-based row, 0-based column) a link to cell A1 of another sheet."""
        self._links.append((f"{self.letter(col)}{row}", sheet_ref(sheet, "A1"), shown))

    def autofilter(self, columns: int) -> None:
        """A filter over the first `columns` columns, from row 1 to the last row written."""
        letter = self.letter(max(columns, 1) - 1)
        last_row = max(self.next_row - 1, 1)
        self._filter = f"A1:{letter}{last_row}"
        self.filter_ref = f"$A$1:${letter}${last_row}"

    def _flush(self) -> None:
        if self._buffer:
            self._stream.write("".join(self._buffer).encode("utf-8"))
            self._buffer.clear()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._flush()
        tail = ["</sheetData>"]
        if self._filter:
            tail.append(f'<autoFilter ref="{self._filter}"/>')
        if self._merges:
            merges = "".join(f'<mergeCell ref="{ref}"/>' for ref in self._merges)
            tail.append(f'<mergeCells count="{len(self._merges)}">{merges}</mergeCells>')
        if self._validations:
            tail.append(_validations_xml(self._validations))
        if self._links:
            links = "".join(
                f'<hyperlink ref="{ref}" location={attr(target)} display={attr(shown)}/>'
                for ref, target, shown in self._links
            )
            tail.append(f"<hyperlinks>{links}</hyperlinks>")
        page = self.options.page
        if page is not None:
            left, right, top, bottom = page.margins
            if page.center:
                tail.append('<printOptions horizontalCentered="1"/>')
            tail.append(
                f'<pageMargins left="{left}" right="{right}" top="{top}" bottom="{bottom}" '
                'header="0.3" footer="0.3"/>'
            )
            orientation = "landscape" if page.landscape else "portrait"
            fit = (
                f' fitToWidth="{int(page.fit_width)}" fitToHeight="{int(page.fit_height)}"'
                if page.fit_width or page.fit_height
                else ""
            )
            tail.append(f'<pageSetup paperSize="9" orientation="{orientation}"{fit}/>')
            if page.footer:
                footer = text("&C" + page.footer)  # &C: centred
                tail.append(f"<headerFooter><oddFooter>{footer}</oddFooter></headerFooter>")
        if self.charts:
            tail.append('<drawing r:id="rId1"/>')
        tail.append("</worksheet>")
        self._stream.write("".join(tail).encode("utf-8"))
        self._stream.close()
        self._closed_callback(self)


def _validations_xml(validations: Sequence[Validation]) -> str:
    parts = [f'<dataValidations count="{len(validations)}">']
    for v in validations:
        attributes = f'type="{v.kind}"'
        if v.operator:
            attributes += f' operator="{v.operator}"'
        attributes += ' allowBlank="1" showInputMessage="1" showErrorMessage="1"'
        # Excel's limits: titles 32 characters, messages 255.
        if v.prompt_title:
            attributes += f" promptTitle={attr(v.prompt_title[:32])}"
        if v.prompt:
            attributes += f" prompt={attr(v.prompt[:255])}"
        if v.error_title:
            attributes += f" errorTitle={attr(v.error_title[:32])}"
        if v.error:
            attributes += f" error={attr(v.error[:225])}"
        formulas = f"<formula1>{text(v.formula1)}</formula1>"
        if v.formula2 is not None:
            formulas += f"<formula2>{text(v.formula2)}</formula2>"
        parts.append(f'<dataValidation {attributes} sqref="{v.ref}">{formulas}</dataValidation>')
    parts.append("</dataValidations>")
    return "".join(parts)
