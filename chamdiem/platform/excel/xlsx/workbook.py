"""A workbook written as a stream: sheets one after the other, each straight into the zip
archive; the charts of a sheet when it closes; the styles, relationships and workbook parts
last, when every style and sheet is known."""

from __future__ import annotations

import zipfile
from pathlib import Path
from types import TracebackType

from chamdiem.platform.excel.xlsx.cells import SHEET_NAME_LIMIT, InlineTexts, SharedStrings
from chamdiem.platform.excel.xlsx.charts import anchor, chart_xml
from chamdiem.platform.excel.xlsx.package import (
    DRAWING,
    DRAWING_MAIN,
    RELS,
    XML,
    SheetRecord,
    finish,
    relationships,
)
from chamdiem.platform.excel.xlsx.sheet import Sheet, SheetOptions
from chamdiem.platform.excel.xlsx.styles import Style, Styles


class StyledWorkbook:
    """A workbook written to `path` (the caller writes to a temporary path and renames).

    with StyledWorkbook(path) as book:
        title = book.style(Style(bold=True, size=14, horizontal="center"))
        with book.sheet("Tổng hợp", SheetOptions(widths=[6, 30])) as sheet:
            sheet.merged_row("KẾT QUẢ …", title, 2)

    `family` is the font's (1 roman, 2 swiss); with `shared_strings`, texts go into one
    table (for sheets that repeat the same codes and periods on many rows) instead of into
    each cell; `compresslevel` trades the file's size for time.
    """

    def __init__(
        self,
        path: Path,
        font: str = "Times New Roman",
        size: float = 12,
        *,
        family: int = 1,
        shared_strings: bool = False,
        compresslevel: int = 3,
    ) -> None:
        self.font = font
        self.archive = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel)
        self.styles = Styles(font, size, family)
        self._sheets: list[SheetRecord] = []
        self._open: Sheet | None = None
        self._charts = 0
        self._names: set[str] = set()
        self._shared = SharedStrings() if shared_strings else None
        # text -> the end of its cell, shared by the sheets
        self.texts: dict[str, str] = self._shared if self._shared is not None else InlineTexts()

    def __enter__(self) -> StyledWorkbook:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if kind is None:
            self.close()
        else:
            self.archive.close()  # the caller removes the partial file

    def style(self, style: Style) -> int:
        return self.styles.index(style)

    def sheet(self, name: str, options: SheetOptions | None = None) -> Sheet:
        """Start the next sheet (the one before must be closed). `name` must be a valid,
        unused sheet name (see `safe_sheet_name`)."""
        if self._open is not None:
            raise RuntimeError("close the previous sheet first")
        if name.casefold() in self._names or not name or len(name) > SHEET_NAME_LIMIT:
            raise ValueError(f"bad or repeated sheet name {name!r}")
        self._names.add(name.casefold())
        options = options or SheetOptions()
        page = options.page
        self._sheets.append(SheetRecord(name, options.hidden, page.title_rows if page else None))
        number = len(self._sheets)
        stream = self.archive.open(f"xl/worksheets/sheet{number}.xml", "w", force_zip64=True)
        self._open = Sheet(stream, number, name, options, self.texts, self._sheet_closed)
        return self._open

    def _sheet_closed(self, sheet: Sheet) -> None:
        self._open = None
        n = sheet.number
        record = self._sheets[n - 1]
        record.filter_ref = sheet.filter_ref
        charts = sheet.charts
        if not charts:
            return
        anchors = []
        links = []
        for number, chart in enumerate(charts, start=1):
            self._charts += 1
            self.archive.writestr(f"xl/charts/chart{self._charts}.xml", chart_xml(chart, self.font))
            anchors.append(anchor(chart, number))
            links.append((number, "chart", f"../charts/chart{self._charts}.xml"))
        self.archive.writestr(
            f"xl/drawings/drawing{n}.xml",
            XML + f'<xdr:wsDr xmlns:xdr="{DRAWING}" xmlns:a="{DRAWING_MAIN}" '
            f'xmlns:r="{RELS}">{"".join(anchors)}</xdr:wsDr>',
        )
        self.archive.writestr(f"xl/drawings/_rels/drawing{n}.xml.rels", relationships(links))
        self.archive.writestr(
            f"xl/worksheets/_rels/sheet{n}.xml.rels",
            relationships([(1, "drawing", f"../drawings/drawing{n}.xml")]),
        )
        record.charts = len(charts)

    def close(self) -> None:
        if self._open is not None:
            self._open.close()
        finish(self.archive, self._sheets, self._charts, self.styles.xml(), self._shared)
