"""Writing evaluation results: JSON lines (one `results.record(i)` per line), CSV and a
formatted Excel workbook with Vietnamese headers (see excel/xlsx/ for why not openpyxl).

Given a `Results`, every writer assembles its output per column (`jsonl_chunks`,
`result_columns`): each column's texts are made once per distinct value and the rows joined
in C, the same bytes as writing one record at a time (tests/platform/test_result_writers.py).

Files are written atomically (a temporary file in the same folder, then `os.replace`), so a
failure half way never leaves a partial results file where the old one was.
"""

from __future__ import annotations

import csv
import json
import os
import re
import secrets
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TextIO, TypeAlias

from chamdiem.dsl.diagnostics import Language, Text
from chamdiem.platform.excel.xlsx import NumberText, SheetSpec, write_xlsx

if TYPE_CHECKING:
    from chamdiem.dsl.results import Results

Format = Literal["jsonl", "csv", "xlsx"]
Record = Mapping[str, object]
Records: TypeAlias = "Iterable[Record] | Results"  # a Results is written column by column

FIXED_COLUMNS = ("code", "name", "unit", "total", "score_grade", "grade")
LIST_COLUMNS = ("vetoes", "flags")
_HEADERS: dict[str, Text] = {
    "code": Text("Mã", "Code"),
    "name": Text("Họ và tên", "Name"),
    "unit": Text("Đơn vị", "Unit"),
    "total": Text("Tổng điểm", "Total"),
    "score_grade": Text("Xếp loại theo điểm", "Grade by score"),
    "grade": Text("Xếp loại", "Grade"),
    "vetoes": Text("Lý do hạ loại", "Vetoes"),
    "flags": Text("Ghi chú", "Flags"),
}
_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def format_for(path: Path | None, requested: str | None) -> Format:
    """The requested format, else the one the file name says, else JSON lines."""
    if requested in ("jsonl", "csv", "xlsx"):
        return requested  # type: ignore[return-value]
    suffix = path.suffix.lower() if path else ""
    if suffix == ".csv":
        return "csv"
    if suffix in (".xlsx", ".xlsm"):
        return "xlsx"
    return "jsonl"


def write_atomically(path: Path, write: Callable[[Path], None]) -> None:
    """Call `write` with a temporary path next to `path`, then move it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp"
    # Created like any new file (permissions from the umask, unlike mkstemp's 0600), and
    # exclusively, so two runs never share a temporary file.
    os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    try:
        write(temporary)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


# ---------------------------------------------------------------- JSON lines


def write_jsonl(records: Records, stream: TextIO) -> None:
    """One JSON object per line, exactly the record, Vietnamese letters kept as they are."""
    if not isinstance(records, Iterable):
        for chunk in jsonl_chunks(records):
            stream.write(chunk)
        return
    for record in records:
        stream.write(json.dumps(record, ensure_ascii=False))
        stream.write("\n")


# The keys of `Results.record`, in order; the columns below give each one's texts.
RECORD_KEYS = (
    "code", "unit", "total", "score_grade", "grade", "values", "vetoes", "flags", "not_graded",
)  # fmt: skip
_NEEDS_ESCAPE = re.compile(r'[\x00-\x1f\\"]')
_CHUNK = 65536  # rows joined at a time


def json_texts(values: Sequence[object]) -> list[str]:
    """`json.dumps(v, ensure_ascii=False)` of each value, made once per distinct value (texts
    without a character JSON escapes are simply quoted)."""
    if not set(map(type, values)) <= {str, bool, type(None), tuple}:
        return [json.dumps(v, ensure_ascii=False) for v in values]
    texts: dict[object, str] = {}
    for value in dict.fromkeys(values):
        if isinstance(value, str) and not _NEEDS_ESCAPE.search(value):
            texts[value] = f'"{value}"'
        else:
            shown = list(value) if isinstance(value, tuple) else value
            texts[value] = json.dumps(shown, ensure_ascii=False)
    return list(map(texts.__getitem__, values))


def jsonl_chunks(results: Results) -> Iterator[str]:
    """The JSON lines of `results.records()`, byte for byte, assembled column by column."""
    n = len(results)
    if n == 0:
        return
    if tuple(results.record(0)) != RECORD_KEYS:  # a new field: written record by record
        for start in range(0, n, _CHUNK):
            stop = min(n, start + _CHUNK)
            yield "".join(
                json.dumps(results.record(i), ensure_ascii=False) + "\n" for i in range(start, stop)
            )
        return
    vetoes, flags, not_graded = results.reason_columns()
    fixed = [
        results.codes,
        results.units,
        results.total_texts,
        results.score_grade,
        results.grade,
    ]
    parts: list[Iterable[str]] = []
    for key, column in zip(RECORD_KEYS, fixed, strict=False):
        parts += [repeat(f"{', ' if parts else '{'}{json.dumps(key)}: "), json_texts(column)]
    names = list(results.value_kinds)
    for k, name in enumerate(names):
        lead = ', "values": {' if k == 0 else ", "
        parts += [repeat(f"{lead}{json.dumps(name, ensure_ascii=False)}: ")]
        parts += [json_texts(results.value_column(name))]
    closing = "}" if names else ', "values": {}'
    for key, reasons in zip(RECORD_KEYS[6:], (vetoes, flags, not_graded), strict=True):
        parts += [repeat(f"{closing}, {json.dumps(key)}: "), json_texts(reasons)]
        closing = ""
    parts.append(repeat("}\n"))
    rows = zip(*parts, strict=False)  # the repeats end with the columns
    for start in range(0, n, _CHUNK):
        block = [next(rows) for _ in range(min(_CHUNK, n - start))]
        yield "".join(map("".join, block))


def save_jsonl(path: Path, records: Records) -> None:
    def write(target: Path) -> None:
        with target.open("w", encoding="utf-8", newline="\n") as stream:
            write_jsonl(records, stream)

    write_atomically(path, write)


# ---------------------------------------------------------------- tables


def table_rows(
    records: Records, names: Sequence[str | None] | None, value_names: Sequence[str]
) -> Iterator[list[object]]:
    """One row per subject: code, name, unit, total, score_grade, grade, every value, vetoes,
    flags. `names[i]` is the i-th subject's name (results do not carry names)."""
    if not isinstance(records, Iterable):
        yield from map(list, zip(*result_columns(records, names, value_names), strict=True))
        return
    for index, record in enumerate(records):
        values = record.get("values")
        values = values if isinstance(values, Mapping) else {}
        row: list[object] = [
            record.get("code"),
            names[index] if names is not None and index < len(names) else None,
            record.get("unit"),
            record.get("total"),
            record.get("score_grade"),
            record.get("grade"),
        ]
        row.extend(values.get(name) for name in value_names)
        for key in LIST_COLUMNS:
            listed = record.get(key)
            row.append("; ".join(str(x) for x in listed) if isinstance(listed, list) else "")
        yield row


def result_columns(
    results: Results, names: Sequence[str | None] | None, value_names: Sequence[str]
) -> list[Sequence[object]]:
    """The columns of `table_rows` for `results`, each made at once."""
    n = len(results)
    if names is None:
        names = [None] * n
    elif len(names) < n:
        names = [*names, *[None] * (n - len(names))]
    vetoes, flags, _ = results.reason_columns()
    columns: list[Sequence[object]] = [
        results.codes,
        names[:n] if len(names) > n else names,
        results.units,
        results.total_texts,
        results.score_grade,
        results.grade,
    ]
    known = set(results.value_kinds)
    columns += [results.value_column(name) if name in known else [None] * n for name in value_names]
    for reasons in (vetoes, flags):
        joined = {listed: "; ".join(listed) for listed in set(reasons)}
        columns.append(list(map(joined.__getitem__, reasons)))
    return columns


def header_row(value_names: Sequence[str], language: Language | None = None) -> list[str]:
    """Column names: machine names for CSV (language None), readable headers otherwise."""
    fixed = [_HEADERS[key].in_(language) if language else key for key in FIXED_COLUMNS]
    tail = [_HEADERS[key].in_(language) if language else key for key in LIST_COLUMNS]
    return [*fixed, *value_names, *tail]


def save_csv(
    path: Path,
    records: Records,
    names: Sequence[str | None] | None,
    value_names: Sequence[str],
) -> None:
    """CSV in UTF-8 with a BOM (so Excel shows Vietnamese letters), machine column names;
    true/false as `true`/`false`, no value as an empty cell."""

    def cell(value: object) -> object:
        if value is True:
            return "true"
        if value is False:
            return "false"
        return "" if value is None else value

    def write(target: Path) -> None:
        with target.open("w", encoding="utf-8-sig", newline="") as stream:
            writer = csv.writer(stream)
            writer.writerow(header_row(value_names))
            if not isinstance(records, Iterable):
                columns = result_columns(records, names, value_names)
                cells = [_csv_cells(column) for column in columns]
                writer.writerows(zip(*cells, strict=True))
                return
            for row in table_rows(records, names, value_names):
                writer.writerow([cell(value) for value in row])

    write_atomically(path, write)


def _csv_cells(column: Sequence[object]) -> Sequence[object]:
    """A column as `save_csv` writes its cells (true/false, no value as "")."""
    if None not in column and True not in column and False not in column:
        return column
    return [
        "true" if v is True else "false" if v is False else "" if v is None else v for v in column
    ]


@dataclass(frozen=True)
class ResultTable:
    """The results of one rule set for one period, as one sheet (or CSV file) of a
    several-table output; `title` names the sheet."""

    title: str
    records: Records
    names: Sequence[str | None] | None
    value_names: Sequence[str]
    grade_labels: Mapping[str, str | None] = field(default_factory=dict)


def _results_sheet(name: str, table: ResultTable, language: Language) -> SheetSpec:
    """One sheet of results: numbers as numbers, grades by their labels, header row and the
    code and name columns frozen, a filter over the table."""
    labels = table.grade_labels

    def shown(row: list[object]) -> list[object]:
        for column, value in enumerate(row):
            if isinstance(value, str):
                if column in (4, 5):  # score_grade, grade
                    row[column] = labels.get(value) or value
                elif _NUMBER.fullmatch(value):
                    row[column] = NumberText(value)
        return row

    headers = header_row(table.value_names, language)
    widths = [
        28.0 if i == 1 else float(max(10, min(30, len(h) + 2))) for i, h in enumerate(headers)
    ]
    return SheetSpec(
        name=name,
        header=headers,
        rows=(shown(row) for row in table_rows(table.records, table.names, table.value_names)),
        widths=widths,
        freeze=(1, 2),
        autofilter=True,
    )


def _about_sheet(about: Sequence[tuple[str, object]], language: Language) -> SheetSpec:
    return SheetSpec(
        name=Text("Thông tin", "About").in_(language),
        header=[Text("Mục", "Item").in_(language), Text("Nội dung", "Value").in_(language)],
        rows=[[key, value] for key, value in about],
        widths=(24.0, 80.0),
    )


def save_xlsx(
    path: Path,
    records: Records,
    names: Sequence[str | None] | None,
    value_names: Sequence[str],
    *,
    grade_labels: Mapping[str, str | None] | None = None,
    about: Sequence[tuple[str, object]] = (),
    language: Language = "vi",
) -> None:
    """A workbook for people: sheet "Kết quả" (one row per subject, numbers as numbers, grades
    by their labels, header row and the code and name columns frozen, a filter over the
    table) and, when `about` is given, a sheet "Thông tin" saying which rules and data
    produced it."""
    table = ResultTable("", records, names, value_names, grade_labels or {})
    sheets = [_results_sheet(Text("Kết quả", "Results").in_(language), table, language)]
    if about:
        sheets.append(_about_sheet(about, language))
    write_atomically(path, lambda target: write_xlsx(target, sheets))


_SHEET_NAME_LIMIT = 31  # Excel's
_SHEET_NAME_BANNED = re.compile(r"[\\/?*\[\]:]")


def sheet_names(titles: Sequence[str]) -> list[str]:
    """Valid, distinct Excel sheet names for `titles` (cut to 31 characters, characters
    Excel refuses replaced, repeats numbered)."""
    names: list[str] = []
    taken: set[str] = set()
    for title in titles:
        base = _SHEET_NAME_BANNED.sub("_", title).strip("'") or "_"
        name = base[:_SHEET_NAME_LIMIT]
        number = 2
        while name.casefold() in taken:
            suffix = f" ({number})"
            name = base[: _SHEET_NAME_LIMIT - len(suffix)] + suffix
            number += 1
        taken.add(name.casefold())
        names.append(name)
    return names


def save_xlsx_tables(
    path: Path,
    tables: Sequence[ResultTable],
    *,
    about: Sequence[tuple[str, object]] = (),
    language: Language = "vi",
) -> None:
    """One workbook with a results sheet per table (named by its title), then "Thông tin"."""
    names = sheet_names([table.title for table in tables])
    sheets = [
        _results_sheet(name, table, language) for name, table in zip(names, tables, strict=True)
    ]
    if about:
        sheets.append(_about_sheet(about, language))
    write_atomically(path, lambda target: write_xlsx(target, sheets))
