"""Catalogue rows: the records of each `catalog` block, read from inline rows or from files
beside the rule file, and checked against the declared fields.

Pure Python (stdlib csv only): `chamdiem check` reads the rows without NumPy. A `.csv` file
is read here; other file kinds (`.xlsx`) need a reader registered by the platform with
`register_reader` (the dsl imports nothing from the rest of chamdiem). The rows are part of
the rule version: `fingerprint` gives the text that is hashed with the rule file.

Cells follow the data rules (docs/data-format.md): numbers without thousands separators, with
a decimal point or comma; yes/no as true/false/đúng/sai/có/không/1/0; dates as YYYY-MM-DD.
A header names a field by its name or its label (case and surrounding spaces ignored).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from chamdiem.dsl import syntax as s
from chamdiem.dsl.diagnostics import Diagnostic, Text, did_you_mean, error

CellValue = Decimal | int | bool | str | date
Rows = list[list[str]]  # a rows file as text cells, header first
Reader = Callable[[Path], Rows]
_READERS: dict[str, Reader] = {}
# The rows files given as text (a stored rule version): file name as written -> its rows.
_GIVEN: ContextVar[Mapping[str, Rows] | None] = ContextVar("catalog_rows", default=None)

_TRUE = {"true", "đúng", "có", "1", "x"}
_FALSE = {"false", "sai", "không", "0", ""}


class RowsFileError(Exception):
    """A registered reader could not read a rows file; `message` says why (E064)."""

    def __init__(self, message: Text) -> None:
        super().__init__(message.en)
        self.message = message


def register_reader(suffix: str, reader: Reader) -> None:
    """Let the platform read another kind of catalogue file (".xlsx": the first sheet's
    rows as text, header first)."""
    _READERS[suffix.lower()] = reader


@contextmanager
def given_rows(files: Mapping[str, Rows]) -> Iterator[None]:
    """While inside, the catalogues' rows files are taken from `files` (the name as written
    in the rule file -> its rows, header first) instead of being read beside the rule file:
    a published rule version compiles from what the database stores. A file not given is
    reported as not found."""
    token = _GIVEN.set(files)
    try:
        yield
    finally:
        _GIVEN.reset(token)


def read_rows_files(module: s.Module) -> dict[str, Rows]:
    """The rows files of the module's catalogues as text, read beside the rule file (by name
    as written); a file that cannot be read is left out (loading the module reports it)."""
    base = Path(module.path).parent if module.path and not module.path.startswith("<") else None
    found: dict[str, Rows] = {}
    for decl in module.declarations:
        if not isinstance(decl, s.Catalog):
            continue
        for file in decl.files:
            if file.path in found:
                continue
            try:
                found[file.path] = _read_table((base or Path.cwd()) / file.path)
            except (OSError, ValueError, UnicodeDecodeError, csv.Error, RowsFileError):
                continue
    return found


@dataclass(frozen=True)
class CatalogVersion:
    since: date | None
    source: str  # the file name as written, or "" for inline rows
    rows: dict[str, dict[str, CellValue]]  # key -> field -> value, in file order


@dataclass(frozen=True)
class CatalogTable:
    name: str
    key: str
    fields: tuple[str, ...]
    versions: tuple[CatalogVersion, ...]  # by increasing date

    def version(self, period_start: date) -> CatalogVersion:
        """The rows in force on the first day of the period (the first file before any)."""
        chosen = self.versions[0]
        for candidate in self.versions:
            if candidate.since is None or candidate.since <= period_start:
                chosen = candidate
        return chosen

    def keys(self, period_start: date) -> list[str]:
        return list(self.version(period_start).rows)

    def keys_in_every_version(self) -> set[str]:
        found = set(self.versions[0].rows) if self.versions else set()
        for version in self.versions[1:]:
            found &= set(version.rows)
        return found


Catalogs = Mapping[str, CatalogTable]


def fingerprint(catalogs: Catalogs) -> str:
    """A canonical text of every row of every catalogue (for the rule version's hash)."""
    out = io.StringIO()
    for name in sorted(catalogs):
        table = catalogs[name]
        for version in table.versions:
            since = version.since.isoformat() if version.since else "-"
            out.write(f"catalog {name} {since} {version.source}\n")
            for key, row in version.rows.items():
                cells = "\t".join(f"{f}={_text(row.get(f))}" for f in table.fields)
                out.write(f"{key}\t{cells}\n")
    return out.getvalue()


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)


# ---------------------------------------------------------------- loading


def load_catalogs(module: s.Module) -> tuple[dict[str, CatalogTable], list[Diagnostic]]:
    """The rows of every catalogue of a parsed rule file, and the problems with them. Files
    are found beside the rule file (`module.path`)."""
    base = Path(module.path).parent if module.path and not module.path.startswith("<") else None
    tables: dict[str, CatalogTable] = {}
    diagnostics: list[Diagnostic] = []
    for decl in module.declarations:
        if not isinstance(decl, s.Catalog):
            continue
        versions: list[CatalogVersion] = []
        if decl.rows is not None:
            versions.append(CatalogVersion(None, "", _inline_rows(decl, diagnostics)))
        for file in decl.files:
            rows = _file_rows(decl, file, base or Path.cwd(), diagnostics)
            if rows is not None:
                versions.append(CatalogVersion(file.since, file.path, rows))
        versions.sort(key=lambda v: v.since or date.min)
        if versions:
            tables[decl.name] = CatalogTable(
                decl.name, decl.key, tuple(f.name for f in decl.fields), tuple(versions)
            )
    return tables, diagnostics


def _inline_rows(decl: s.Catalog, diagnostics: list[Diagnostic]) -> dict[str, dict[str, CellValue]]:
    rows: dict[str, dict[str, CellValue]] = {}
    for row in decl.rows or ():
        if row.key in rows:
            diagnostics.append(
                error(
                    "E060",
                    row.key_span,
                    f'mã "{row.key}" đã có ở một dòng trên của danh mục `{decl.name}`',
                    f'the key "{row.key}" is already on a row above in the catalogue `{decl.name}`',
                )
            )
            continue
        if not isinstance(row.record, s.RecordLit):
            diagnostics.append(
                error(
                    "E060",
                    row.record.span,
                    'mỗi dòng của danh mục là `"MÃ" -> {trường: giá trị, …}`',
                    'each catalogue row is `"KEY" -> {field: value, …}`',
                )
            )
            continue
        given = {k.name: k for k in row.record.fields}
        values: dict[str, CellValue] = {}
        for name, keyword in given.items():
            if decl.field(name) is None:
                diagnostics.append(
                    error(
                        "E060",
                        keyword.span,
                        f"danh mục `{decl.name}` không có trường `{name}`",
                        f"the catalogue `{decl.name}` has no field `{name}`",
                        *did_you_mean(name, [f.name for f in decl.fields]),
                    )
                )
        for field in decl.fields:
            found = given.get(field.name)
            if found is None:
                default = _literal(field.default) if field.default is not None else None
                if default is None:
                    diagnostics.append(
                        error(
                            "E060",
                            row.span,
                            f'dòng "{row.key}" thiếu trường `{field.name}` (trường không có '
                            "giá trị mặc định)",
                            f'the row "{row.key}" lacks the field `{field.name}` (it has no '
                            "default)",
                        )
                    )
                else:
                    values[field.name] = default
                continue
            value = _literal(found.value)
            problem = _problem(value, field) if value is not None else None
            if value is None or problem is not None:
                written = problem or Text("cần một giá trị viết trực tiếp", "needs a literal value")
                diagnostics.append(
                    error(
                        "E060",
                        found.value.span,
                        f'trường `{field.name}` của dòng "{row.key}": {written.vi}',
                        f'the field `{field.name}` of the row "{row.key}": {written.en}',
                    )
                )
                continue
            assert value is not None
            values[field.name] = _typed(value, field)
        rows[row.key] = values
    return rows


def _literal(node: s.Expr) -> CellValue | None:
    if isinstance(node, s.Number):
        return node.value
    if isinstance(node, s.Unary) and node.op == "-" and isinstance(node.operand, s.Number):
        return -node.operand.value
    if isinstance(node, s.Bool):
        return node.value
    if isinstance(node, s.String):
        return node.value
    if isinstance(node, s.DateLit):
        return node.value
    return None


def _typed(value: CellValue, field: s.Input) -> CellValue:
    if field.type.kind == "count" and isinstance(value, Decimal):
        return int(value)
    return value


def _problem(value: CellValue, field: s.Input) -> Text | None:
    """Why a value does not fit a field's type and range, or None."""
    kind = field.type.kind
    if kind in ("number", "count", "percent"):
        if isinstance(value, bool) or not isinstance(value, Decimal | int):
            return Text("cần một số", "a number is needed")
        if kind == "count" and (value != int(value) or value < 0):
            return Text("cần một số nguyên không âm", "a whole number ≥ 0 is needed")
        rng = field.range
        if rng is not None and not _in_range(value, rng):
            return Text(f"{value} nằm ngoài khoảng", f"{value} is outside the range")
        return None
    if kind == "bool":
        return None if isinstance(value, bool) else Text("cần đúng/sai", "true/false is needed")
    if kind == "date":
        return None if isinstance(value, date) else Text("cần một ngày", "a date is needed")
    if not isinstance(value, str):
        return Text("cần một chuỗi", "a string is needed")
    if kind == "enum" and value not in field.type.choices:
        listed = ", ".join(f'"{c}"' for c in field.type.choices)
        return Text(f"cần một trong {listed}", f"one of {listed} is needed")
    return None


def _in_range(value: Decimal | int, rng: s.RangeSpec) -> bool:
    low = _literal(rng.low) if rng.low is not None else None
    high = _literal(rng.high) if rng.high is not None else None
    if isinstance(low, Decimal) and (value < low or (value == low and rng.low_strict)):
        return False
    return not (isinstance(high, Decimal) and (value > high or (value == high and rng.high_strict)))


def _read_table(path: Path) -> Rows:
    reader = _READERS.get(path.suffix.lower())
    if reader is not None:
        return reader(path)
    if path.suffix.lower() != ".csv":
        raise ValueError(path.suffix)
    text = path.read_text(encoding="utf-8-sig")
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    return [row for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _file_rows(
    decl: s.Catalog, file: s.CatalogFile, base: Path, diagnostics: list[Diagnostic]
) -> dict[str, dict[str, CellValue]] | None:
    def report(vi: str, en: str, *hints: Text) -> None:
        diagnostics.append(error("E064", file.span, vi, en, *hints))

    path = base / file.path
    given = _GIVEN.get()
    try:
        if given is None:
            table = _read_table(path)
        elif file.path in given:
            table = [list(row) for row in given[file.path]]
        else:
            raise FileNotFoundError(file.path)
    except FileNotFoundError:
        report(
            f'không tìm thấy tệp dữ liệu "{file.path}" của danh mục `{decl.name}` (tìm ở {path})',
            f'the rows file "{file.path}" of the catalogue `{decl.name}` is not found ({path})',
        )
        return None
    except ValueError:
        report(
            f'"{file.path}": chỉ đọc được tệp .csv (và .xlsx khi chạy qua chamdiem)',
            f'"{file.path}": only .csv files (and .xlsx through chamdiem) can be read',
        )
        return None
    except RowsFileError as exc:
        report(
            f'không đọc được "{file.path}": {exc.message.vi}',
            f'cannot read "{file.path}": {exc.message.en}',
        )
        return None
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        report(
            f'không đọc được "{file.path}" ({type(exc).__name__})',
            f'cannot read "{file.path}" ({type(exc).__name__})',
        )
        return None
    table = [row for row in table if any(cell.strip() for cell in row)]
    if not table:
        report(f'tệp "{file.path}" không có dòng nào', f'the file "{file.path}" has no rows')
        return None
    header = [_header(cell) for cell in table[0]]
    names: dict[str, str] = {decl.key.lower(): decl.key}
    for field in decl.fields:
        names[field.name.lower()] = field.name
        if field.label:
            names[_header(field.label)] = field.name
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = names.get(cell)
        if name is not None and name not in columns:
            columns[name] = index
    missing = [n for n in (decl.key, *(f.name for f in decl.fields if f.default is None))]
    missing = [n for n in missing if n not in columns]
    if missing:
        listed = ", ".join(missing)
        report(
            f'tệp "{file.path}" thiếu cột: {listed} (dòng tiêu đề: {", ".join(table[0])})',
            f'the file "{file.path}" lacks the columns: {listed} (header: {", ".join(table[0])})',
        )
        return None
    rows: dict[str, dict[str, CellValue]] = {}
    problems: list[str] = []
    for line, cells in enumerate(table[1:], start=2):
        key = _cell(cells, columns[decl.key])
        if not key:
            problems.append(f"dòng {line}: thiếu mã")
            continue
        if key in rows:
            problems.append(f'dòng {line}: mã "{key}" trùng với một dòng trên')
            continue
        values: dict[str, CellValue] = {}
        for field in decl.fields:
            raw = _cell(cells, columns[field.name]) if field.name in columns else ""
            if raw == "" and field.default is not None:
                default = _literal(field.default)
                if default is not None:
                    values[field.name] = _typed(default, field)
                    continue
            value = _cell_value(raw, field)
            problem = _problem(value, field) if value is not None else None
            if value is None or problem is not None:
                why = problem.vi if problem is not None else "không đọc được"
                problems.append(f'dòng {line}, cột {field.name}: "{raw}" — {why}')
                continue
            values[field.name] = _typed(value, field)
        rows[key] = values
    if problems:
        shown = "; ".join(problems[:5]) + (
            f" (và {len(problems) - 5} lỗi khác)" if len(problems) > 5 else ""
        )
        report(
            f'dữ liệu của danh mục `{decl.name}` trong "{file.path}" có lỗi: {shown}',
            f'the rows of the catalogue `{decl.name}` in "{file.path}" have problems: {shown}',
        )
        return None
    return rows


def _cell(cells: Sequence[str], index: int) -> str:
    return cells[index].strip() if index < len(cells) else ""


def _header(cell: str) -> str:
    return " ".join(cell.split()).lower()


def _cell_value(raw: str, field: s.Input) -> CellValue | None:
    kind = field.type.kind
    if kind in ("number", "count", "percent"):
        text = raw.replace(" ", "")
        percent = text.endswith("%")
        text = text.rstrip("%")
        if text.count(",") == 1 and "." not in text:
            text = text.replace(",", ".")
        try:
            value = Decimal(text)
        except InvalidOperation:
            return None
        if not value.is_finite():
            return None
        return value / 100 if percent else value
    if kind == "bool":
        lowered = raw.lower()
        return True if lowered in _TRUE else False if lowered in _FALSE else None
    if kind == "date":
        try:
            return date.fromisoformat(raw)
        except ValueError:
            return None
    return raw
