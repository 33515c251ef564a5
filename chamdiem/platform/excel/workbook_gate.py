"""Measuring an untrusted DATA file before any parser reads it.

A workbook is a zip package of XML parts, and python-calamine builds each sheet it reads as one
dense block from A1 to the furthest cell named: one cell `XFD1048576` in a 14 KB file makes it
allocate 512 GiB and the process abort. So `open_data` first measures the file here, and a file
beyond a limit is refused with a message that names the limit and the setting that raises it:

- the package (.xlsx, .xlsm): at most CHAMDIEM_MAX_ZIP_ENTRIES parts, stored or deflated, no
  two with one name; together at most CHAMDIEM_MAX_UNPACKED_MB unpacked; a part over 1 MB at
  most CHAMDIEM_MAX_ZIP_RATIO times its packed size. The declared sizes are not trusted: every
  part is unpacked here, reading at most its declared size;
- every worksheet's extent (`sheet_extent`): at most `columns` columns, `rows` rows and
  `cells` rows × columns, both what the cells name and what `<dimension>` declares;
- a CSV file: its size, its number of lines and the length of each.

The rows follow from the organisation: people × CHAMDIEM_ROWS_PER_PERSON (a sheet of people
holds one row per person and period), people × CHAMDIEM_ITEMS_PER_PERSON for a sheet of items,
plus SLACK_ROWS for titles and notes; `people` is the organisation's when it is known (an
import), else CHAMDIEM_MAX_PEOPLE. .xls files are bounded by their format (65,536 rows × 256
columns); .xlsb and .ods files cannot be measured and are refused.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from chamdiem.dsl.diagnostics import Text
from chamdiem.platform.excel.problems import DataFileError, DataProblem
from chamdiem.platform.excel.sheet_extent import Extent, StretchTooLong, measure
from chamdiem.platform.excel.xlsx_parts import DAMAGED
from chamdiem.platform.i18n import count_text
from chamdiem.platform.settings import Settings, get_settings

SLACK_ROWS = 1000  # title rows, notes, a blank line or two, a few units
SLACK_COLUMNS = 100  # beyond the template's own columns
RATIO_FROM = 1 << 20  # parts smaller than this may compress as well as they like
CSV_LINE_BYTES = 1 << 20  # a CSV line (an Excel cell holds at most 32,767 characters)
_CHUNK = 1 << 22
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, or an .xlsx encrypted by a password


@dataclass(frozen=True)
class DataLimits:
    """What one DATA file may hold. `item_sheets`: the header keys of the sheets that hold
    items (None: not known, every sheet may)."""

    people: int
    people_known: bool
    rows_per_person: int
    items_per_person: int
    columns: int
    cells: int
    unpacked_bytes: int
    entries: int
    ratio: int
    item_sheets: frozenset[str] | None = None

    @classmethod
    def of(
        cls,
        settings: Settings | None = None,
        *,
        people: int | None = None,
        item_sheets: Iterable[str] | None = None,
        template_columns: int = 0,
    ) -> DataLimits:
        """The limits from the settings (CHAMDIEM_…); `people` is the organisation's count
        when it is known, `template_columns` the widest sheet of the input template."""
        from chamdiem.platform.excel.tables import header_key

        s = settings or get_settings()
        keys = None if item_sheets is None else frozenset(header_key(n) for n in item_sheets)
        return cls(
            people=s.max_people if people is None else people,
            people_known=people is not None,
            rows_per_person=s.rows_per_person,
            items_per_person=s.items_per_person,
            columns=max(s.max_columns, template_columns + SLACK_COLUMNS),
            cells=s.max_sheet_cells,
            unpacked_bytes=s.max_unpacked_mb << 20,
            entries=s.max_zip_entries,
            ratio=s.max_zip_ratio,
            item_sheets=keys,
        )

    def rows_for(self, sheet: str | None, *, items: bool = False) -> tuple[int, Text]:
        """The rows the sheet (or CSV file) named `sheet` may have, and how that follows;
        `items`: as a sheet of items whatever its name."""
        from chamdiem.platform.excel.tables import header_key

        items = (
            items
            or self.item_sheets is None
            or (sheet is not None and header_key(sheet) in self.item_sheets)
        )
        per, setting = (
            (self.items_per_person, "CHAMDIEM_ITEMS_PER_PERSON")
            if items
            else (self.rows_per_person, "CHAMDIEM_ROWS_PER_PERSON")
        )
        rows = self.people * per + SLACK_ROWS
        vi_per = "dòng danh sách" if items else "dòng"
        en_per = "item rows" if items else "rows"
        if self.people_known:
            who = Text(
                f"tổ chức có {_vi(self.people)} người", f"the organisation's {self.people:,}"
            )
            raise_by = setting
        else:
            who = Text(f"{_vi(self.people)} người", f"{self.people:,}")
            raise_by = f"CHAMDIEM_MAX_PEOPLE hoặc {setting}"
        return rows, Text(
            f"{_vi(rows)} dòng ({who.vi} × {per} {vi_per} mỗi người + "
            f"{_vi(SLACK_ROWS)}; đặt {raise_by} để nâng)",
            f"{rows:,} rows ({who.en} people × {per} {en_per} each + {SLACK_ROWS:,}; set "
            f"{raise_by.replace(' hoặc ', ' or ')} to raise it)",
        )

    def most_rows(self) -> tuple[int, Text]:
        """The rows of the longest sheet of any kind (what a parser may be made to hold)."""
        return max(self.rows_for(None), self.rows_for(None, items=True), key=lambda r: r[0])


def _vi(n: int) -> str:
    return count_text(n, "vi")


def _mb(n: int, language: str = "en") -> str:
    """Megabytes, with one decimal under 10."""
    mb = n / (1 << 20)
    text = f"{mb:,.1f}" if mb < 10 else f"{round(mb):,}"
    if language == "vi":
        text = text.replace(",", " ").replace(".", ",").replace(" ", ".")
    return f"{text} MB"


def refused(display: str, sheet: str | None, vi: str, en: str) -> DataFileError:
    return DataFileError([DataProblem(display, sheet, None, None, None, Text(vi, en))])


# ---------------------------------------------------------------- workbooks


def check_workbook(path: Path, display: str, limits: DataLimits) -> dict[str, Extent]:
    """Measure the workbook at `path`; the extent of each worksheet by its name (none for an
    .xls file). Raises DataFileError when it is beyond a limit."""
    with path.open("rb") as stream:
        head = stream.read(8)
    if head == _OLE:
        return {}  # .xls: at most 65,536 × 256 cells; a password-protected .xlsx
    if not zipfile.is_zipfile(path):
        return {}  # not a workbook: calamine says so
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            _check_package(infos, display, limits)
            names = {info.filename for info in infos}
            if "xl/workbook.bin" in names or "content.xml" in names:
                raise refused(
                    display,
                    None,
                    "không đọc tệp .xlsb hoặc .ods vì không đo được trước khi đọc; hãy mở bằng "
                    "Excel hoặc LibreOffice và lưu thành sổ tính .xlsx",
                    "an .xlsb or .ods file cannot be measured before it is read; open it in "
                    "Excel or LibreOffice and save it as an .xlsx workbook",
                )
            try:
                sheets = _worksheets(archive)
            except DAMAGED:
                sheets = {}  # no readable workbook.xml: every part is still unpacked and measured
    except DAMAGED:
        # Never handed to a parser unmeasured: another zip reader may read what this one
        # cannot, cell references and all.
        raise refused(
            display,
            None,
            "tệp bị hỏng: không đọc được gói .xlsx (danh mục các phần của tệp); hãy mở bằng "
            "Excel hoặc LibreOffice và lưu lại",
            "the file is damaged: its .xlsx package (the list of its parts) cannot be read; "
            "open it in Excel or LibreOffice and save it again",
        ) from None
    extents: dict[str, Extent] = {}
    problems: list[DataProblem] = []
    by_part = {part: name for name, part in sheets.items()}
    for info in infos:
        sheet = by_part.get(info.filename)
        try:
            if sheet is None and not info.filename.startswith("xl/worksheets/"):
                _unpack_whole(path, info, display)
                continue
            label = sheet if sheet is not None else info.filename
            extent = _measure_sheet(path, info, label, display, limits)
        except DataFileError as exc:
            problems.extend(exc.problems)
            continue
        if sheet is not None:
            extents[sheet] = extent
    if problems:
        raise DataFileError(problems)
    return extents


def _check_package(infos: Sequence[zipfile.ZipInfo], display: str, limits: DataLimits) -> None:
    if len(infos) > limits.entries:
        raise refused(
            display,
            None,
            f"sổ tính gồm {_vi(len(infos))} phần, vượt giới hạn {_vi(limits.entries)} phần "
            "(đặt CHAMDIEM_MAX_ZIP_ENTRIES để nâng)",
            f"the workbook has {len(infos):,} parts, over the limit of {limits.entries:,} "
            "(set CHAMDIEM_MAX_ZIP_ENTRIES to raise it)",
        )
    seen: set[str] = set()
    total = 0
    for info in infos:
        if info.filename in seen:
            raise refused(
                display,
                None,
                f"sổ tính có hai phần cùng tên {info.filename} (tệp bị sửa hoặc hỏng)",
                f"the workbook has two parts named {info.filename} (altered or damaged)",
            )
        seen.add(info.filename)
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise refused(
                display,
                None,
                f"phần {info.filename} của sổ tính được nén theo cách Excel không dùng; hãy mở "
                "bằng Excel và lưu lại",
                f"the part {info.filename} is compressed in a way Excel does not use; open "
                "the file in Excel and save it again",
            )
        total += info.file_size
        if info.file_size > RATIO_FROM and info.file_size > limits.ratio * max(
            info.compress_size, 1
        ):
            ratio = info.file_size // max(info.compress_size, 1)
            raise refused(
                display,
                None,
                f"phần {info.filename} giải nén ra {_mb(info.file_size, 'vi')} từ "
                f"{_mb(info.compress_size, 'vi')} (gấp {_vi(ratio)} lần), vượt giới hạn "
                f"{limits.ratio} lần (đặt CHAMDIEM_MAX_ZIP_RATIO để nâng)",
                f"the part {info.filename} unpacks to {_mb(info.file_size)} from "
                f"{_mb(info.compress_size)} ({ratio:,} times), over the limit of "
                f"{limits.ratio} times (set CHAMDIEM_MAX_ZIP_RATIO to raise it)",
            )
    if total > limits.unpacked_bytes:
        raise refused(
            display,
            None,
            f"sổ tính giải nén ra {_mb(total, 'vi')}, vượt giới hạn "
            f"{_mb(limits.unpacked_bytes, 'vi')} (đặt CHAMDIEM_MAX_UNPACKED_MB để nâng)",
            f"the workbook unpacks to {_mb(total)}, over the limit of "
            f"{_mb(limits.unpacked_bytes)} (set CHAMDIEM_MAX_UNPACKED_MB to raise it)",
        )


def _worksheets(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its part, as workbook.xml and its relationships say."""
    from xml.etree import ElementTree

    from chamdiem.platform.excel.xlsx_parts import MAIN, sheet_part

    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    found: dict[str, str] = {}
    for element in workbook.iter(f"{MAIN}sheet"):
        name = element.get("name")
        if name is not None:
            part = sheet_part(archive, name)
            if part is not None:
                found[name] = part
    return found


class _Lying(Exception):
    """A part unpacks to more (or less) than its declared size."""


class _NulByte(Exception):
    """An XML part holds a NUL byte: no XML may (calamine reads it, PostgreSQL cannot store
    it in text)."""


def _nul(display: str, sheet: str | None, info: zipfile.ZipInfo) -> DataFileError:
    return refused(
        display,
        sheet,
        f"phần {info.filename} của sổ tính chứa ký tự NUL, không có trong tệp Excel thật "
        "(tệp bị sửa hoặc hỏng)",
        f"the part {info.filename} holds a NUL character, which no real Excel file has "
        "(altered or damaged file)",
    )


def _unpacked(path: Path, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The part unpacked from its raw bytes in chunks, never more than its declared size
    (zipfile would cut it there; another reader might not)."""
    with path.open("rb") as stream:
        stream.seek(info.header_offset)
        header = stream.read(30)
        if len(header) < 30 or header[:4] != b"PK\x03\x04":
            raise _Lying
        name_length, extra_length = struct.unpack("<HH", header[26:30])
        stream.seek(info.header_offset + 30 + name_length + extra_length)
        inflate = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
        xml = info.filename.endswith((".xml", ".rels"))
        left, produced = info.compress_size, 0
        while left > 0:
            data = stream.read(min(_CHUNK, left))
            if not data:
                raise _Lying
            left -= len(data)
            while data:
                if inflate is None:
                    out, data = data, b""
                else:
                    out = inflate.decompress(data, _CHUNK)
                    data = inflate.unconsumed_tail
                produced += len(out)
                if produced > info.file_size:
                    raise _Lying
                if xml and b"\0" in out:
                    raise _NulByte
                if out:
                    yield out
        if inflate is not None:
            out = inflate.flush()
            produced += len(out)
            if xml and b"\0" in out:
                raise _NulByte
            if out:
                yield out
        if produced != info.file_size:
            raise _Lying


def _unpack_whole(path: Path, info: zipfile.ZipInfo, display: str) -> None:
    try:
        for _ in _unpacked(path, info):
            pass
    except (_Lying, zlib.error):
        raise _lying(display, None, info) from None
    except _NulByte:
        raise _nul(display, None, info) from None


def _lying(display: str, sheet: str | None, info: zipfile.ZipInfo) -> DataFileError:
    return refused(
        display,
        sheet,
        f"phần {info.filename} của sổ tính giải nén ra khác kích thước nó khai (tệp bị "
        "sửa hoặc hỏng)",
        f"the part {info.filename} does not unpack to the size it declares (altered or "
        "damaged file)",
    )


def _measure_sheet(
    path: Path, info: zipfile.ZipInfo, sheet: str, display: str, limits: DataLimits
) -> Extent:
    most_rows, why_rows = limits.most_rows()

    def too_far(extent: Extent) -> bool:
        return (
            extent.columns > limits.columns
            or extent.rows > most_rows
            or extent.rows * extent.columns > limits.cells
        )

    try:
        extent, declared = measure(lambda: _unpacked(path, info), too_far)
    except (_Lying, zlib.error):
        raise _lying(display, sheet, info) from None
    except _NulByte:
        raise _nul(display, sheet, info) from None
    except StretchTooLong:
        raise refused(
            display,
            sheet,
            "trang tính có đoạn dài hơn 1 MB không có thẻ XML nào (tệp bị sửa hoặc hỏng)",
            "the sheet has a stretch of more than 1 MB without any XML tag (altered or "
            "damaged file)",
        ) from None
    for what, reach in (("có ô tới", extent), ("khai báo vùng dữ liệu tới", declared)):
        if reach is not None:
            problem = extent_problem(reach, most_rows, why_rows, limits, what)
            if problem is not None:
                raise refused(display, sheet, *problem)
    return extent


def extent_problem(
    extent: Extent, rows: int, why_rows: Text, limits: DataLimits, what: str = "có ô tới"
) -> tuple[str, str] | None:
    """(vi, en) of what is beyond a limit in a sheet reaching `extent`, or None."""
    from chamdiem.platform.excel.tables import column_letter

    corner = f"{column_letter(max(extent.columns, 1) - 1)}{extent.rows}"
    if extent.columns > 16384 or extent.rows > 1 << 20:
        corner = "ngoài mọi trang tính Excel"
    reach_vi = f"{corner} ({_vi(extent.columns)} cột, {_vi(extent.rows)} dòng)"
    reach_en = f"{corner} ({extent.columns:,} columns, {extent.rows:,} rows)"
    en_what = "has a cell at" if what == "có ô tới" else "declares its data to reach"
    if extent.columns > limits.columns:
        return (
            f"trang tính {what} {reach_vi}, vượt giới hạn {_vi(limits.columns)} cột (đặt "
            "CHAMDIEM_MAX_COLUMNS để nâng)",
            f"the sheet {en_what} {reach_en}, over the limit of {limits.columns:,} columns "
            "(set CHAMDIEM_MAX_COLUMNS to raise it)",
        )
    if extent.rows > rows:
        return (
            f"trang tính {what} {reach_vi}, vượt giới hạn {why_rows.vi}",
            f"the sheet {en_what} {reach_en}, over the limit of {why_rows.en}",
        )
    if extent.rows * extent.columns > limits.cells:
        cells = extent.rows * extent.columns
        return (
            f"trang tính {what} {reach_vi}, tức {_vi(cells)} ô, vượt giới hạn "
            f"{_vi(limits.cells)} ô một trang (đặt CHAMDIEM_MAX_SHEET_CELLS để nâng)",
            f"the sheet {en_what} {reach_en}, {cells:,} cells, over the limit of "
            f"{limits.cells:,} cells a sheet (set CHAMDIEM_MAX_SHEET_CELLS to raise it)",
        )
    return None


# ---------------------------------------------------------------- CSV


def check_csv(text: str, display: str, name: str | None, limits: DataLimits) -> None:
    """Refuse a CSV file's text beyond a limit: its lines as the rows of the sheet `name`,
    and each line's length."""
    lines = text.count("\n") + 1
    rows, why = limits.rows_for(name)
    if lines > rows:
        raise refused(
            display,
            None,
            f"tệp có {_vi(lines)} dòng, vượt giới hạn {why.vi}",
            f"the file has {lines:,} lines, over the limit of {why.en}",
        )
    start = 0
    for _ in range(lines):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        if end - start > CSV_LINE_BYTES:
            line = text.count("\n", 0, start) + 1
            raise DataFileError(
                [
                    DataProblem(
                        display,
                        None,
                        line,
                        None,
                        None,
                        Text(
                            f"dòng dài hơn {_vi(CSV_LINE_BYTES)} ký tự (tệp bị sửa hoặc hỏng)",
                            f"the line is longer than {CSV_LINE_BYTES:,} characters (altered "
                            "or damaged file)",
                        ),
                    )
                ]
            )
        start = end + 1


def check_csv_size(size: int, display: str, limits: DataLimits) -> None:
    if size > limits.unpacked_bytes:
        raise refused(
            display,
            None,
            f"tệp CSV {_mb(size, 'vi')}, vượt giới hạn {_mb(limits.unpacked_bytes, 'vi')} (đặt "
            "CHAMDIEM_MAX_UNPACKED_MB để nâng)",
            f"the CSV file is {_mb(size)}, over the limit of {_mb(limits.unpacked_bytes)} "
            "(set CHAMDIEM_MAX_UNPACKED_MB to raise it)",
        )
