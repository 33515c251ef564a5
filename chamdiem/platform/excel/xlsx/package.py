"""The package around the sheets of an .xlsx file: namespaces, content types, relationships
and the workbook part. Every writer in this package ends a workbook with `finish`."""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from chamdiem.platform.excel.xlsx.cells import SharedStrings, attr, sheet_ref, text

XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DRAWING = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
DRAWING_MAIN = "http://schemas.openxmlformats.org/drawingml/2006/main"
CHART = "http://schemas.openxmlformats.org/drawingml/2006/chart"
_CONTENT_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
_OFFICE = "application/vnd.openxmlformats-officedocument."
WORKBOOK_TYPE = _OFFICE + "spreadsheetml.sheet.main+xml"
STYLES_TYPE = _OFFICE + "spreadsheetml.styles+xml"
SHEET_TYPE = _OFFICE + "spreadsheetml.worksheet+xml"
SHARED_STRINGS_TYPE = _OFFICE + "spreadsheetml.sharedStrings+xml"
DRAWING_TYPE = _OFFICE + "drawing+xml"
CHART_TYPE = _OFFICE + "drawingml.chart+xml"


@dataclass
class SheetRecord:
    """What the workbook part says about a sheet written earlier."""

    name: str
    hidden: bool = False
    title_rows: tuple[int, int] | None = None  # printed on every page
    filter_ref: str | None = None  # '$A$1:$W$30001', the range under an autofilter
    charts: int = 0  # charts of this sheet (their drawing is sheet-numbered)


def relationships(links: Iterable[tuple[int, str, str]]) -> str:
    """A relationships part: (rId number, relationship type after RELS/, target)."""
    body = "".join(
        f'<Relationship Id="rId{n}" Type="{RELS}/{kind}" Target="{target}"/>'
        for n, kind, target in links
    )
    return XML + f'<Relationships xmlns="{PACKAGE_RELS}">{body}</Relationships>'


def content_types(overrides: Iterable[tuple[str, str]]) -> str:
    """The [Content_Types].xml part: the workbook and styles, then (part name, type) pairs."""
    parts = [
        XML,
        f'<Types xmlns="{_CONTENT_TYPES}">',
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>',
        '<Default Extension="xml" ContentType="application/xml"/>',
        f'<Override PartName="/xl/workbook.xml" ContentType="{WORKBOOK_TYPE}"/>',
        f'<Override PartName="/xl/styles.xml" ContentType="{STYLES_TYPE}"/>',
    ]
    parts.extend(f'<Override PartName="{part}" ContentType="{kind}"/>' for part, kind in overrides)
    parts.append("</Types>")
    return "".join(parts)


def workbook_xml(sheets: Sequence[SheetRecord]) -> str:
    """xl/workbook.xml: the sheets in order, their print titles and filter ranges."""
    entries = "".join(
        f'<sheet name={attr(record.name)} sheetId="{n}"'
        + (' state="hidden"' if record.hidden else "")
        + f' r:id="rId{n}"/>'
        for n, record in enumerate(sheets, start=1)
    )
    names: list[str] = []
    for n, record in enumerate(sheets):
        if record.title_rows:
            first, last = record.title_rows
            names.append(
                f'<definedName name="_xlnm.Print_Titles" localSheetId="{n}">'
                f"{text(sheet_ref(record.name, f'${first}:${last}'))}</definedName>"
            )
        if record.filter_ref:
            names.append(
                f'<definedName name="_xlnm._FilterDatabase" localSheetId="{n}" hidden="1">'
                f"{text(sheet_ref(record.name, record.filter_ref))}</definedName>"
            )
    return (
        XML + f'<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><bookViews>'
        '<workbookView activeTab="0"/></bookViews>'
        f"<sheets>{entries}</sheets>"
        + (f"<definedNames>{''.join(names)}</definedNames>" if names else "")
        + '<calcPr calcId="191029"/></workbook>'
    )


def finish(
    archive: zipfile.ZipFile,
    sheets: Sequence[SheetRecord],
    charts: int,
    styles: str,
    shared_strings: SharedStrings | None = None,
) -> None:
    """Write the package's parts once every sheet is in the archive, and close it."""
    overrides: list[tuple[str, str]] = []
    for n, record in enumerate(sheets, start=1):
        overrides.append((f"/xl/worksheets/sheet{n}.xml", SHEET_TYPE))
        if record.charts:
            overrides.append((f"/xl/drawings/drawing{n}.xml", DRAWING_TYPE))
    overrides.extend((f"/xl/charts/chart{n}.xml", CHART_TYPE) for n in range(1, charts + 1))
    count = len(sheets)
    links = [(n, "worksheet", f"worksheets/sheet{n}.xml") for n in range(1, count + 1)]
    links.append((count + 1, "styles", "styles.xml"))
    if shared_strings is not None:
        overrides.append(("/xl/sharedStrings.xml", SHARED_STRINGS_TYPE))
        links.append((count + 2, "sharedStrings", "sharedStrings.xml"))
        count_attrs = f'count="{len(shared_strings)}" uniqueCount="{len(shared_strings)}"'
        archive.writestr(
            "xl/sharedStrings.xml",
            XML + f'<sst xmlns="{MAIN}" {count_attrs}>{shared_strings.table()}</sst>',
        )
    archive.writestr("[Content_Types].xml", content_types(overrides))
    archive.writestr("_rels/.rels", relationships([(1, "officeDocument", "xl/workbook.xml")]))
    archive.writestr("xl/workbook.xml", workbook_xml(sheets))
    archive.writestr("xl/_rels/workbook.xml.rels", relationships(links))
    archive.writestr("xl/styles.xml", styles)
    archive.close()
