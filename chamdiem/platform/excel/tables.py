"""Sheets as rows of cell values: an Excel workbook (read with python-calamine) or a folder of
CSV files, one file per sheet.

`Table.rows[0]` is row 1 of the sheet and `rows[r][c]` the cell in column `column_letter(c)`, so
positions in problems are the ones a user sees in Excel. Empty cells are "" (calamine's and the
csv module's spelling); workbook cells keep calamine's types (float, int, bool, str, date,
datetime), CSV cells are all text. A cell of an .xlsx sheet showing a formula error reads as ""
too; `Table.formula_errors` lists those, for the readers to refuse.

No parser sees a file before `workbook_gate` has measured it against the `DataLimits`.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path

from python_calamine import CalamineSheet, CalamineWorkbook, PasswordError

from chamdiem.dsl.diagnostics import Text
from chamdiem.platform.excel.formula_errors import formula_errors
from chamdiem.platform.excel.problems import DataFileError, DataProblem, ProblemLog
from chamdiem.platform.excel.sheet_extent import Extent
from chamdiem.platform.excel.workbook_gate import (
    DataLimits,
    check_csv,
    check_csv_size,
    check_workbook,
    extent_problem,
)

WORKBOOK_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"})
HEADER_SCAN_ROWS = 30  # how far below the top a header row is looked for (title rows above it)

_SPACES = re.compile(r"\s+")


def header_key(text: str) -> str:
    """What a header (or sheet or choice name) is compared by: NFC, case folded, surrounding
    whitespace dropped and inner runs of whitespace (also non-breaking) made one space."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip().casefold()


def column_letter(index: int) -> str:
    """0 -> 'A', 25 -> 'Z', 26 -> 'AA'."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


@dataclass
class Table:
    """One sheet. `file` is the path as shown to the user; `sheet` is None for a CSV file."""

    file: str
    sheet: str | None
    rows: Sequence[Sequence[object]]
    workbook: Path | None = field(default=None, repr=False)  # for looking up cell formats
    # (0-based row, 0-based column, what Excel shows) of each cell holding a formula error
    formula_errors: Sequence[tuple[int, int, str]] = field(default=(), repr=False)

    def problem(
        self, row: int | None, column: int | None, field_name: str | None, message: Text
    ) -> DataProblem:
        """A problem at (1-based row, 0-based column) of this table."""
        letter = column_letter(column) if column is not None else None
        return DataProblem(self.file, self.sheet, row, letter, field_name, message)


def report_formula_errors(
    table: Table, header_row: int, columns: Mapping[str, int], log: ProblemLog
) -> None:
    """Log each formula error below the header row (0-based) in one of the `columns` the
    reader uses (field -> 0-based column): such a cell reads as blank, which would silently
    mean the column's default."""
    fields = {column: name for name, column in columns.items()}
    for row, column, shows in table.formula_errors:
        if row > header_row and column in fields:
            message = Text(
                f"ô báo lỗi công thức {shows} (Excel không tính được giá trị); hãy sửa công "
                "thức hoặc nhập giá trị",
                f"the cell shows the formula error {shows} (Excel could not compute it); fix "
                "the formula or type the value",
            )
            log.add(table.problem(row + 1, column, fields[column], message))


def find_header_row(
    rows: Sequence[Sequence[object]], is_header: Callable[[str], bool]
) -> int | None:
    """Index of the first row (within the first HEADER_SCAN_ROWS) with a cell that is a known
    header; rows above it are titles."""
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        for cell in row:
            if isinstance(cell, str) and cell and is_header(header_key(cell)):
                return index
    return None


def first_nonblank_row(rows: Sequence[Sequence[object]]) -> int | None:
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        if any(not is_blank(cell) for cell in row):
            return index
    return None


def is_blank(cell: object) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


class DataSource:
    """Where the sheets come from; `table` finds one by any of its accepted names."""

    what = Text("trang tính", "sheet")  # what one table is called in messages

    def __init__(self, display: str) -> None:
        self.display = display

    def sheet_names(self) -> list[str]:
        raise NotImplementedError

    def read(self, sheet_name: str) -> Table:
        raise NotImplementedError

    def where(self, sheet_name: str) -> str:
        """How to tell the user where a sheet would be (a sheet name or a CSV file name)."""
        raise NotImplementedError

    def table(self, names: Sequence[str]) -> Table | None:
        found = self.find(names)
        return None if found is None else self.read(found)

    def find(self, names: Sequence[str]) -> str | None:
        """The sheet `table(names)` reads, if there is one."""
        wanted = [header_key(name) for name in names if name]
        by_key = {header_key(name): name for name in self.sheet_names()}
        for key in wanted:
            if key in by_key:
                return by_key[key]
        return None

    def prefetch(self, tables: Sequence[Sequence[str]]) -> None:
        """Say which tables will be read next (each by its accepted names), so that a source
        may start reading them while the caller works on another."""


class WorkbookSource(DataSource):
    def __init__(
        self,
        path: Path,
        display: str,
        workbook: CalamineWorkbook,
        extents: Mapping[str, Extent] | None = None,
        limits: DataLimits | None = None,
    ) -> None:
        super().__init__(display)
        self.path = path
        self.workbook = workbook
        self.extents = extents or {}  # as workbook_gate measured them
        self.limits = limits or DataLimits.of()
        self._pending: dict[str, Future[_Parsed]] = {}

    def _refuse_if_too_long(self, sheet_name: str) -> None:
        """A sheet of people may have fewer rows than one of items (the gate let through
        every sheet that fits the larger): refuse before parsing one beyond its kind's."""
        extent = self.extents.get(sheet_name)
        if extent is None:
            return
        rows, why = self.limits.rows_for(sheet_name)
        problem = extent_problem(extent, rows, why, self.limits)
        if problem is not None:
            vi, en = problem
            raise DataFileError(
                [DataProblem(self.display, sheet_name, None, None, None, Text(vi, en))]
            )

    def sheet_names(self) -> list[str]:
        return list(self.workbook.sheet_names)

    def where(self, sheet_name: str) -> str:
        return sheet_name

    def prefetch(self, tables: Sequence[Sequence[str]]) -> None:
        """Parse these sheets in background threads (calamine and zlib release the GIL while
        they unzip and parse, so a second core reads the items while the subjects are checked).
        Each thread opens the file on its own: a workbook object is not shared."""
        for names in tables:
            name = self.find(names)
            if name is None or name in self._pending:
                continue
            try:
                self._refuse_if_too_long(name)
            except DataFileError:
                continue  # `read` says so
            self._pending[name] = _in_background(self.path, name)

    def read(self, sheet_name: str) -> Table:
        self._refuse_if_too_long(sheet_name)
        try:
            pending = self._pending.pop(sheet_name, None)
            sheet, errors = (
                pending.result()
                if pending is not None
                else _parse(self.path, sheet_name, self.workbook)
            )
            rows: Sequence[Sequence[object]] = sheet.to_python(skip_empty_area=False)
        except Exception as exc:  # calamine raises its own errors for damaged sheet XML
            message = Text(
                "không đọc được trang tính: tệp bị hỏng hoặc không phải sổ tính Excel; hãy mở "
                "bằng Excel, lưu lại thành .xlsx rồi nhập lại",
                f"cannot read the sheet (damaged file?): {exc}",
            )
            problem = DataProblem(self.display, sheet_name, None, None, None, message)
            raise DataFileError([problem]) from None
        return Table(self.display, sheet_name, rows, workbook=self.path, formula_errors=errors)


_Parsed = tuple[CalamineSheet, list[tuple[int, int, str]]]


def open_workbook(path: Path) -> CalamineWorkbook:
    """The workbook, of the kind its name says or else of the kind its content is: an .xlsx
    saved under a .xls name (as some download and mail programs do) opens as what it is."""
    try:
        return CalamineWorkbook.from_path(path)
    except PasswordError:
        raise
    except Exception:
        with path.open("rb") as stream:
            try:
                return CalamineWorkbook.from_filelike(stream)
            except Exception:
                pass
        raise  # what the name's kind of workbook found wrong: the more precise message


def _parse(path: Path, name: str, workbook: CalamineWorkbook | None = None) -> _Parsed:
    """The sheet as calamine parses it, and the cells that hold formula errors (which
    calamine reads as blank), looked up on a second thread meanwhile (both unzip with the
    GIL released)."""
    errors: list[tuple[int, int, str]] = []
    scan = threading.Thread(target=lambda: errors.extend(formula_errors(path, name)))
    scan.start()
    try:
        sheet = (workbook or open_workbook(path)).get_sheet_by_name(name)
    finally:
        scan.join()
    return sheet, errors


def _in_background(path: Path, name: str) -> Future[_Parsed]:
    """The sheet, parsed on a daemon thread (a command that gives up early does not wait for
    it to end)."""
    future: Future[_Parsed] = Future()

    def parse() -> None:
        try:
            future.set_result(_parse(path, name))
        except BaseException as exc:  # handed to whoever reads the sheet
            future.set_exception(exc)

    threading.Thread(target=parse, name=f"chamdiem-sheet-{name}", daemon=True).start()
    return future


class CsvSource(DataSource):
    """A folder of CSV files (sheet name = file name without `.csv`), or one CSV file that is
    the subjects sheet."""

    what = Text("tệp", "file")

    def __init__(
        self, display: str, files: dict[str, Path], limits: DataLimits | None = None
    ) -> None:
        super().__init__(display)
        self.files = files
        self.limits = limits or DataLimits.of()

    def sheet_names(self) -> list[str]:
        return list(self.files)

    def where(self, sheet_name: str) -> str:
        return f"{sheet_name}.csv"

    def read(self, sheet_name: str) -> Table:
        path = self.files[sheet_name]
        return read_csv(path, str(path), self.limits, sheet_name)


def open_data(path: Path, limits: DataLimits | None = None) -> DataSource:
    """Open DATA: a workbook, a folder of CSV files or one CSV file. Raises DataFileError when
    it is none of these, or beyond the `limits` (default: from the settings, the organisation
    not known)."""
    display = str(path)
    limits = limits or DataLimits.of()

    def fail(vi: str, en: str) -> DataFileError:
        return DataFileError([DataProblem(display, None, None, None, None, Text(vi, en))])

    if path.is_dir():
        files = {
            unicodedata.normalize("NFC", child.stem): child
            for child in sorted(path.iterdir())
            if child.is_file() and child.suffix.lower() == ".csv"
        }
        if not files:
            raise fail(
                "thư mục không có tệp .csv nào (cần ít nhất subjects.csv)",
                "the folder has no .csv files (subjects.csv is needed)",
            )
        return CsvSource(display, files, limits)
    if not path.exists():
        raise fail("không tìm thấy tệp hoặc thư mục dữ liệu", "data file or folder not found")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return CsvSource(display, {"subjects": path}, limits)
    if suffix not in WORKBOOK_SUFFIXES:
        raise fail(
            f"không đọc được tệp đuôi '{path.suffix}': dữ liệu phải là sổ tính Excel (.xlsx) "
            "hoặc thư mục các tệp .csv",
            f"cannot read a '{path.suffix}' file: data must be an Excel workbook (.xlsx) "
            "or a folder of .csv files",
        )
    try:
        extents = check_workbook(path, display, limits)  # before any parser sees it
    except OSError as exc:
        raise fail(
            f"không đọc được tệp: {exc.strerror}", f"cannot read the file: {exc.strerror}"
        ) from None
    try:
        workbook = open_workbook(path)
    except PasswordError:
        raise fail(
            "sổ tính được đặt mật khẩu mở tệp nên chương trình không đọc được; hãy mở bằng "
            "Excel, bỏ mật khẩu (Tệp > Thông tin > Bảo vệ Sổ làm việc > Mã hóa bằng Mật khẩu, "
            "xóa mật khẩu), lưu lại rồi nhập tệp đó",
            "the workbook is protected by a password to open, so it cannot be read; open it in "
            "Excel, remove the password (File > Info > Protect Workbook > Encrypt with "
            "Password, clear it), save, and import that file",
        ) from None
    except Exception as exc:  # ZipError, XmlError, … for files that are not workbooks
        raise fail(
            # calamine's own words ("invalid Zip archive…") are English: only in English
            f"tệp không phải sổ tính Excel hợp lệ (hỏng, hoặc là loại tệp khác bị đổi đuôi "
            f"thành {path.suffix}); hãy mở bằng Excel, lưu lại thành .xlsx rồi nhập lại",
            f"not a valid Excel workbook (damaged, or another kind of file renamed to "
            f"{path.suffix}): {exc}",
        ) from None
    return WorkbookSource(path, display, workbook, extents, limits)


# ---------------------------------------------------------------- CSV


def read_csv(
    path: Path, display: str, limits: DataLimits | None = None, name: str | None = None
) -> Table:
    """A CSV file as a Table: UTF-8 (with or without BOM) or UTF-16 with BOM; the delimiter is
    the one of `,`, `;`, tab that splits the rows most consistently (Excel in a Vietnamese
    locale saves `;`). `name` is the sheet it stands for (its rows are limited as that
    sheet's)."""
    limits = limits or DataLimits.of()

    def fail(vi: str, en: str, row: int | None = None) -> DataFileError:
        return DataFileError([DataProblem(display, None, row, None, None, Text(vi, en))])

    try:
        check_csv_size(path.stat().st_size, display, limits)
        raw = path.read_bytes()
    except OSError as exc:
        raise fail(
            f"không đọc được tệp: {exc.strerror}", f"cannot read the file: {exc.strerror}"
        ) from None
    try:
        if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            text = raw.decode("utf-16")
        else:
            text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise fail(
            "tệp không phải mã UTF-8; hãy lưu lại bằng Excel với kiểu 'CSV UTF-8'",
            "the file is not UTF-8; save it again from Excel as 'CSV UTF-8'",
            row=line,
        ) from None
    check_csv(text, display, name, limits)
    nul = text.find("\0")
    if nul >= 0:  # PostgreSQL stores no text holding one (a load ended in an unexpected error)
        raise fail(
            "tệp có ký tự NUL (mã 0), không phải tệp văn bản CSV; hãy lưu lại bằng Excel với "
            "kiểu 'CSV UTF-8'",
            "the file holds a NUL character (code 0): it is not a CSV text file; save it "
            "again from Excel as 'CSV UTF-8'",
            row=text.count("\n", 0, nul) + 1,
        )
    delimiter = _sniff_delimiter(text)
    try:
        rows: Sequence[Sequence[object]] = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error as exc:
        raise fail(f"tệp CSV sai cấu trúc: {exc}", f"malformed CSV file: {exc}") from None
    return Table(display, None, rows)


def _sniff_delimiter(text: str) -> str:
    """The delimiter whose rows most often have the same number (> 1) of cells; a decimal
    comma inside a `;` file splits some rows unevenly under `,` and so loses."""
    sample = text[:65536].splitlines()[:50]
    best, best_key = ",", (False, 0.0, 0)
    for delimiter in (",", ";", "\t"):
        try:
            widths = [len(row) for row in csv.reader(sample, delimiter=delimiter) if row]
        except csv.Error:
            continue
        if not widths:
            continue
        width, times = Counter(widths).most_common(1)[0]
        key = (width > 1, times / len(widths), width)
        if key > best_key:
            best, best_key = delimiter, key
    return best
