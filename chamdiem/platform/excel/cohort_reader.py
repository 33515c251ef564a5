"""Reading a DATA file (an .xlsx workbook or a folder of .csv files) into a Cohort.

The sheet (or file) `subjects` has one row per subject: `code` (or "Mã"), optional `name`,
`unit`, `position_group`, `is_head` (or their Vietnamese headers), and one column per input,
headed by the input's name or label. Each `items` declaration has its own sheet, named after
it, with `code` and the item's fields. Every problem of the file is collected before giving
up, so one run shows them all, each with its sheet, row, column and input.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import repeat
from operator import itemgetter
from pathlib import Path

import numpy as np

from chamdiem.dsl.data import Cohort, Column, ItemTable
from chamdiem.dsl.diagnostics import Text
from chamdiem.dsl.program import InputSpec, ItemsSpec
from chamdiem.platform.excel.catalog_keys import KeyedSpec, check_keys
from chamdiem.platform.excel.cell_formats import percent_formatted
from chamdiem.platform.excel.cells import (
    BOOL_SPELLINGS,
    CellError,
    Converter,
    MaybePercent,
    convert_all,
    converter_for,
    shown,
    to_bool,
    to_text,
)
from chamdiem.platform.excel.columnar import fast_column
from chamdiem.platform.excel.problems import (
    PROBLEM_LIMIT,
    DataFileError,
    DataProblem,
    ProblemLog,
)
from chamdiem.platform.excel.tables import (
    DataSource,
    Table,
    column_letter,
    find_header_row,
    first_nonblank_row,
    header_key,
    is_blank,
    open_data,
    report_formula_errors,
)
from chamdiem.platform.excel.workbook_gate import DataLimits
from chamdiem.platform.limits import MAX_NUMBER_DIGITS

__all__ = ["DataFileError", "DataProblem", "read_cohort"]

SUBJECTS_SHEET = ("subjects", "đối tượng")
CODE_HEADERS = ("code", "mã")
SUBJECT_HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("name", "họ và tên", "họ tên"),
    "unit": ("unit", "đơn vị"),
    "position_group": ("position_group", "nhóm vị trí"),
    "is_head": ("is_head", "người đứng đầu"),
}
CODE_KEY = "\0code"  # column keys of the built-in columns cannot clash with input names
_TOO_LARGE = float(10**MAX_NUMBER_DIGITS)
_SLOW = object()  # "not converted inline"
_MISSING = Text("thiếu giá trị bắt buộc", "missing required value")


def read_cohort(
    path: Path,
    inputs: Sequence[InputSpec],
    items: Sequence[ItemsSpec],
    *,
    head_count: int | None = None,
    columnar: bool = False,
) -> Cohort:
    """Read and validate DATA for a rule set with these inputs and items; `head_count` is
    the organisation's people when known (the file's sheets are limited by it, else by the
    CHAMDIEM_MAX_PEOPLE setting). With `columnar`, number, count, percent and yes/no columns
    of the common shapes come as the evaluator's columns (`ScaledColumn`, bool arrays; see
    columnar.py) instead of lists of Python values: the same values and problems.

    Raises DataFileError listing every problem (the first PROBLEM_LIMIT in file order)."""
    source = open_data(path, data_limits(inputs, items, head_count))
    log = ProblemLog(PROBLEM_LIMIT)
    source.prefetch([(spec.name, spec.label or "") for spec in items])
    subjects = _find_sheet(source, SUBJECTS_SHEET, None, log)
    if subjects is None:
        log.raise_if_any()
        raise AssertionError("unreachable: a missing subjects sheet is a problem")
    cohort = _read_subjects(subjects, inputs, log, columnar)
    tables: dict[str, ItemTable] = {}
    for spec in items:
        sheet = _find_sheet(source, (spec.name, spec.label or ""), spec, log)
        if sheet is not None:
            tables[spec.name] = _read_items(sheet, spec, cohort.codes, log, columnar)
    log.raise_if_any()
    return Cohort(
        codes=cohort.codes,
        inputs=cohort.inputs,
        items=tables,
        units=cohort.units,
        position_groups=cohort.position_groups,
        is_head=cohort.is_head,
        names=cohort.names,
    )


def data_limits(
    inputs: Sequence[InputSpec], items: Sequence[ItemsSpec], people: int | None = None
) -> DataLimits:
    """The limits of a DATA file for these declarations: which sheets hold items, and how
    wide the template's sheets are (built-in columns and a period column included)."""
    widest = max([len(inputs) + 7, *(len(spec.fields) + 2 for spec in items)])
    names = [name for spec in items for name in (spec.name, spec.label) if name]
    return DataLimits.of(people=people, item_sheets=names, template_columns=widest)


def _find_sheet(
    source: DataSource, names: Sequence[str], spec: ItemsSpec | None, log: ProblemLog
) -> Table | None:
    try:
        table = source.table(names)
    except DataFileError as exc:
        for problem in exc.problems:
            log.add(problem)
        return None
    if table is None:
        found = ", ".join(f"'{source.where(name)}'" for name in source.sheet_names()) or "—"
        wanted = source.where(names[0])
        what = source.what
        if spec is None:
            vi = f"không có {what.vi} {wanted} (danh sách đối tượng); các {what.vi} có: {found}"
            en = f"no {what.en} {wanted} (the list of subjects); the {what.en}s found: {found}"
        else:
            label = f" ({spec.label})" if spec.label else ""
            vi = (
                f"không có {what.vi} {wanted} cho danh sách {spec.name}{label}; "
                f"các {what.vi} có: {found}"
            )
            en = (
                f"no {what.en} {wanted} for the items {spec.name}{label}; "
                f"the {what.en}s found: {found}"
            )
        log.add(DataProblem(source.display, None, None, None, None, Text(vi, en)))
    return table


# ---------------------------------------------------------------- layout


@dataclass
class Layout:
    """Where the header is and which column holds what."""

    header_row: int  # index into table.rows
    columns: dict[str, int]  # column key -> column index
    headers_found: str


def find_layout(
    table: Table,
    known: dict[str, str],
    describe: dict[str, str],
    log: ProblemLog,
) -> Layout | None:
    """Find the header row and map its cells to column keys (`known`: header key -> column
    key). Reports a repeated column; a missing column is the caller's to report."""
    rows = table.rows
    header = find_header_row(rows, known.__contains__)
    if header is None:
        header = first_nonblank_row(rows)
    if header is None:
        log.add(
            table.problem(
                None,
                None,
                None,
                Text("trang tính trống: không có dòng tiêu đề", "empty sheet: no header row"),
            )
        )
        return None
    columns: dict[str, int] = {}
    names: list[str] = []
    for index, cell in enumerate(rows[header]):
        if is_blank(cell):
            continue
        text = to_text(cell)
        names.append(f"{column_letter(index)} '{text}'")
        key = known.get(header_key(text))
        if key is None:
            continue
        if key in columns:
            first = column_letter(columns[key])
            log.add(
                table.problem(
                    header + 1,
                    index,
                    describe[key],
                    Text(
                        f"cột '{text}' trùng với cột {first} (cùng là {describe[key]})",
                        f"column '{text}' repeats column {first} (both are {describe[key]})",
                    ),
                )
            )
            continue
        columns[key] = index
    report_formula_errors(table, header, {describe[k]: c for k, c in columns.items()}, log)
    return Layout(header, columns, ", ".join(names[:30]) or "—")


def missing_column(
    table: Table, layout: Layout, field: str, headers: Sequence[str], log: ProblemLog
) -> None:
    accepted = " / ".join(f"'{h}'" for h in headers if h)
    log.add(
        table.problem(
            layout.header_row + 1,
            None,
            field,
            Text(
                f"thiếu cột {accepted}; các cột có: {layout.headers_found}",
                f"missing column {accepted}; the columns found: {layout.headers_found}",
            ),
        )
    )


def column_cells(rows: Sequence[Sequence[object]], col: int) -> list[object]:
    """The cells of one column ("" where a short CSV row has none)."""
    try:
        return list(map(itemgetter(col), rows))
    except IndexError:
        return [row[col] if col < len(row) else "" for row in rows]


def _blank(cell: object) -> bool:
    return cell == "" or cell is None or (isinstance(cell, str) and cell.isspace())


def text_values(cells: list[object]) -> list[str | None]:
    """Names, units, position groups: NFC text, None where blank."""
    if set(map(type, cells)) == {str}:
        stripped = list(map(str.strip, cells))  # type: ignore[arg-type]
        return [
            (text if text.isascii() else unicodedata.normalize("NFC", text)) if text else None
            for text in stripped
        ]
    return [None if _blank(cell) else to_text(cell) for cell in cells]


def data_rows(table: Table, layout: Layout) -> tuple[list[Sequence[object]], list[int]]:
    """The rows below the header that hold something in a known column, with their numbers.
    Notes and signatures below the table (in other columns) are not data."""
    start = layout.header_row + 1
    body = table.rows[start:]
    used = sorted(layout.columns.values())
    code_col = layout.columns.get(CODE_KEY)
    code_cells = column_cells(body, code_col) if code_col is not None else [""] * len(body)
    if set(map(type, code_cells)) == {str} and all(map(str.strip, code_cells)):  # type: ignore[arg-type]
        first = start + 1  # the usual table: a code on every row
        return list(body), list(range(first, first + len(body)))
    kept: list[Sequence[object]] = []
    numbers: list[int] = []
    for offset, row in enumerate(body):
        if not _blank(code_cells[offset]) or any(c < len(row) and not _blank(row[c]) for c in used):
            kept.append(row)
            numbers.append(start + offset + 1)
    return kept, numbers


def read_codes(
    table: Table,
    layout: Layout,
    rows: list[Sequence[object]],
    numbers: list[int],
    log: ProblemLog,
    *,
    unique: bool,
    field: str,
) -> list[str | None]:
    col = layout.columns.get(CODE_KEY)
    if col is None:
        return [None] * len(rows)
    cells = column_cells(rows, col)
    if set(map(type, cells)) == {str}:
        texts: list[str] = cells  # type: ignore[assignment]
        stripped = list(map(str.strip, texts))
        plain = "" not in stripped and all(map(str.isascii, stripped))
        if plain and (not unique or len(set(stripped)) == len(stripped)):
            return list(stripped)  # the usual column: plain codes, no repeats
    codes: list[str | None] = []
    seen: dict[str, int] = {}
    for cell, number in zip(cells, numbers, strict=True):
        if isinstance(cell, str):
            code = cell.strip()
            if code and not code.isascii():
                code = unicodedata.normalize("NFC", code)
        else:
            code = "" if cell is None else to_text(cell)
        if not code:
            codes.append(None)
            log.add(table.problem(number, col, field, Text("thiếu mã", "missing code")))
            continue
        codes.append(code)
        if unique:
            first = seen.setdefault(code, number)
            if first != number:
                log.add(
                    table.problem(
                        number,
                        col,
                        field,
                        Text(
                            f"mã '{shown(code)}' trùng: đã có ở dòng {first} và dòng {number}",
                            f"duplicate code '{shown(code)}': rows {first} and {number}",
                        ),
                    )
                )
    return codes


# ---------------------------------------------------------------- columns


def convert_column(
    table: Table,
    rows: list[Sequence[object]],
    numbers: list[int],
    col: int,
    spec: InputSpec,
    field: str,
    log: ProblemLog,
) -> list[object]:
    """One input's column, typed; blank cells are None (the declared default applies)."""
    convert: Converter = converter_for(spec)
    values: list[object] = [None] * len(rows)
    problems: list[DataProblem] = []
    count = 0
    maybe: list[tuple[int, MaybePercent]] = []
    check_range = spec.kind in ("number", "count", "percent") and (
        spec.low is not None or spec.high is not None
    )
    required = not spec.has_default

    def report(k: int, message: Text) -> None:
        nonlocal count
        count += 1
        if len(problems) < PROBLEM_LIMIT:
            problems.append(table.problem(numbers[k], col, field, message))

    # The common, valid cells (a float from a workbook, a choice spelled as declared) are
    # converted inline, since a call per cell costs more than the conversion; everything
    # else, and every problem, goes through `convert`.
    cells = column_cells(rows, col)
    whole = convert_all(cells, spec)
    if whole is not None and _all_in_range(whole, spec):
        return whole
    kind = spec.kind
    number_kind = kind in ("number", "percent")
    # NaN, ±inf and numbers of more digits than a number may have go through `convert`.
    low, high = (-1.0, 1.0) if kind == "percent" else (-_TOO_LARGE, _TOO_LARGE)
    exact = {choice: choice for choice in spec.choices} if kind == "enum" else {}
    whole_numbers = kind in ("number", "count")  # "12" in a CSV file; a percent needs care
    for k, cell in enumerate(cells):
        value: object = _SLOW
        if isinstance(cell, float):
            if number_kind and low <= cell <= high and -_TOO_LARGE < cell < _TOO_LARGE:
                value = int(cell) if cell.is_integer() else Decimal(repr(cell))
            elif kind == "count" and 0 <= cell < _TOO_LARGE and cell.is_integer():
                value = int(cell)
        elif isinstance(cell, str):
            if cell == "" or cell.isspace():
                if required:
                    report(k, _MISSING)
                continue
            if kind == "text":
                text = cell.strip()
                value = text if text.isascii() else unicodedata.normalize("NFC", text)
            elif cell in exact:
                value = cell
            elif (
                whole_numbers
                and cell.isdigit()
                and cell.isascii()
                and len(cell) <= MAX_NUMBER_DIGITS
            ):
                value = int(cell)
            elif kind == "bool":
                value = BOOL_SPELLINGS.get(cell, _SLOW)
        elif cell is None:
            if required:
                report(k, _MISSING)
            continue
        elif kind == "bool" and isinstance(cell, bool):
            value = cell
        if value is _SLOW:
            try:
                value = convert(cell)
            except MaybePercent as exc:
                maybe.append((k, exc))
                continue
            except CellError as exc:
                report(k, exc.message)
                continue
        if check_range and not spec.in_range(value):  # type: ignore[arg-type]
            report(k, _out_of_range(spec, value))
            continue
        values[k] = value
    if maybe:
        percent_cells: set[tuple[int, int]] = set()
        if table.workbook is not None and table.sheet is not None:
            wanted = [(numbers[k], col) for k, _ in maybe]
            percent_cells = percent_formatted(table.workbook, table.sheet, wanted)
        for k, pending in maybe:
            if (numbers[k], col) not in percent_cells:
                report(k, pending.message)
            elif check_range and not spec.in_range(pending.value):
                report(k, _out_of_range(spec, pending.value))
            else:
                values[k] = pending.value
    log.add_counted(problems, count)
    return values


def input_column(
    table: Table,
    rows: list[Sequence[object]],
    numbers: list[int],
    col: int,
    spec: InputSpec,
    field: str,
    log: ProblemLog,
    columnar: bool,
) -> Column:
    """`convert_column`, or with `columnar` the column converted at once by columnar.py
    when every cell has a common, valid shape (blank cells of a required input are
    reported as `convert_column` reports them). A `KeyedSpec` (`key of C`) has each value
    checked against the catalogue's keys."""
    values = _input_column(table, rows, numbers, col, spec, field, log, columnar)
    if isinstance(spec, KeyedSpec) and isinstance(values, list):

        def report(found: list[tuple[int, Text]], count: int) -> None:
            problems = [table.problem(numbers[k], col, field, message) for k, message in found]
            log.add_counted(problems, count)

        check_keys(values, spec, spec.keys, report)
    return values


def _input_column(
    table: Table,
    rows: list[Sequence[object]],
    numbers: list[int],
    col: int,
    spec: InputSpec,
    field: str,
    log: ProblemLog,
    columnar: bool,
) -> Column:
    if columnar:
        fast = fast_column(column_cells(rows, col), spec)
        if fast is not None:
            values, blank = fast
            if not spec.has_default and blank.any():
                missing = np.flatnonzero(blank).tolist()
                problems = [table.problem(numbers[k], col, field, _MISSING) for k in missing]
                log.add_counted(problems[:PROBLEM_LIMIT], len(problems))
            return values
    return convert_column(table, rows, numbers, col, spec, field, log)


def _all_in_range(values: list[object], spec: InputSpec) -> bool:
    """Whether every value of a converted column lies in the declared range (a range is an
    interval, so its least and greatest values tell)."""
    if spec.kind not in ("number", "count", "percent") or not values:
        return True
    if spec.low is None and spec.high is None:
        return True
    numbers: list[Decimal | int] = values  # type: ignore[assignment]
    return spec.in_range(min(numbers)) and spec.in_range(max(numbers))


def _out_of_range(spec: InputSpec, value: object) -> Text:
    shown_value = _plain(value)
    if spec.kind == "percent" and isinstance(value, (Decimal, int)):
        shown_value = f"{_plain(Decimal(value) * 100)}% ({shown_value})"
    declared = spec.range_text() or "≥ 0"
    return Text(
        f"giá trị {shown_value} nằm ngoài khoảng {declared}",
        f"the value {shown_value} is outside the range {declared}",
    )


def _plain(value: object) -> str:
    if isinstance(value, Decimal):
        text = format(value, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    return str(value)


# ---------------------------------------------------------------- subjects


@dataclass
class _Subjects:
    codes: list[str]
    inputs: dict[str, Column]
    units: list[str | None] | None
    position_groups: list[str | None] | None
    is_head: list[bool] | None
    names: list[str | None] | None


def input_headers(spec: InputSpec) -> tuple[str, ...]:
    return (spec.name, spec.label) if spec.label else (spec.name,)


def _read_subjects(
    table: Table, inputs: Sequence[InputSpec], log: ProblemLog, columnar: bool = False
) -> _Subjects:
    known: dict[str, str] = {}
    describe: dict[str, str] = {CODE_KEY: "code"}
    for header in CODE_HEADERS:
        known[header_key(header)] = CODE_KEY
    for key, headers in SUBJECT_HEADERS.items():
        describe[key] = key
        for header in headers:
            known.setdefault(header_key(header), key)
    for spec in inputs:
        describe[spec.name] = spec.name
        for header in input_headers(spec):
            known.setdefault(header_key(header), spec.name)
    layout = find_layout(table, known, describe, log)
    if layout is None:
        return _Subjects([], {spec.name: [] for spec in inputs}, None, None, None, None)
    if CODE_KEY not in layout.columns:
        missing_column(table, layout, "code", CODE_HEADERS, log)
    for spec in inputs:
        if spec.name not in layout.columns and not spec.has_default:
            missing_column(table, layout, spec.name, input_headers(spec), log)
    rows, numbers = data_rows(table, layout)
    codes = read_codes(table, layout, rows, numbers, log, unique=True, field="code")
    columns: dict[str, Column] = {}
    for spec in inputs:
        col = layout.columns.get(spec.name)
        if col is None:
            columns[spec.name] = [None] * len(rows)
        else:
            columns[spec.name] = input_column(
                table, rows, numbers, col, spec, spec.name, log, columnar
            )

    def text_column(key: str) -> list[str | None] | None:
        col = layout.columns.get(key)
        if col is None:
            return None
        return text_values(column_cells(rows, col))

    return _Subjects(
        codes=[code or "" for code in codes],
        inputs=columns,
        units=text_column("unit"),
        position_groups=text_column("position_group"),
        is_head=_head_column(table, layout, rows, numbers, log),
        names=text_column("name"),
    )


def _head_column(
    table: Table, layout: Layout, rows: list[Sequence[object]], numbers: list[int], log: ProblemLog
) -> list[bool] | None:
    col = layout.columns.get("is_head")
    if col is None:
        return None
    cells = column_cells(rows, col)
    if set(map(type, cells)) == {bool}:  # the usual column: true/false cells
        return cells  # type: ignore[return-value]
    flags: list[bool] = []
    for row, number in zip(rows, numbers, strict=True):
        cell = row[col] if col < len(row) else ""
        if is_blank(cell):
            flags.append(False)
            continue
        try:
            flags.append(to_bool(cell))
        except CellError as error:
            flags.append(False)
            log.add(table.problem(number, col, "is_head", error.message))
    return flags


# ---------------------------------------------------------------- items


def _read_items(
    table: Table,
    spec: ItemsSpec,
    subject_codes: Sequence[str],
    log: ProblemLog,
    columnar: bool = False,
) -> ItemTable:
    known: dict[str, str] = {header_key(header): CODE_KEY for header in CODE_HEADERS}
    describe: dict[str, str] = {CODE_KEY: "code"}
    for item_field in spec.fields:
        describe[item_field.name] = f"{spec.name}.{item_field.name}"
        for header in input_headers(item_field):
            known.setdefault(header_key(header), item_field.name)
    empty = ItemTable(owner=[], fields={f.name: [] for f in spec.fields})
    layout = find_layout(table, known, describe, log)
    if layout is None:
        return empty
    code_field = f"{spec.name}.code"
    if CODE_KEY not in layout.columns:
        missing_column(table, layout, code_field, CODE_HEADERS, log)
    for item_field in spec.fields:
        if item_field.name not in layout.columns and not item_field.has_default:
            missing_column(table, layout, describe[item_field.name], input_headers(item_field), log)
    rows, numbers = data_rows(table, layout)
    codes = read_codes(table, layout, rows, numbers, log, unique=False, field=code_field)
    index: dict[str | None, int] = {code: k for k, code in enumerate(subject_codes)}
    owner: list[int] = list(map(index.get, codes, repeat(-1)))  # None: no subject
    if subject_codes and -1 in owner:
        _unknown_codes(table, layout, codes, numbers, owner, subject_codes, code_field, log)
    fields: dict[str, Column] = {}
    for item_field in spec.fields:
        col = layout.columns.get(item_field.name)
        name = describe[item_field.name]
        if col is None:
            fields[item_field.name] = [None] * len(rows)
        else:
            fields[item_field.name] = input_column(
                table, rows, numbers, col, item_field, name, log, columnar
            )
    return ItemTable(owner=owner, fields=fields)


def _unknown_codes(
    table: Table,
    layout: Layout,
    codes: list[str | None],
    numbers: list[int],
    owner: list[int],
    subject_codes: Sequence[str],
    field: str,
    log: ProblemLog,
) -> None:
    """Report item rows whose code is not a subject's (suggesting one that differs only in
    case)."""
    folded = {code.casefold(): code for code in subject_codes}
    code_col = layout.columns.get(CODE_KEY)
    for code, number, k in zip(codes, numbers, owner, strict=True):
        if k >= 0 or code is None:
            continue
        near = folded.get(code.casefold())
        hint_vi = f"; có phải '{near}'?" if near else ""
        hint_en = f"; did you mean '{near}'?" if near else ""
        log.add(
            table.problem(
                number,
                code_col,
                field,
                Text(
                    f"mã '{shown(code)}' không có trong danh sách đối tượng{hint_vi}",
                    f"code '{shown(code)}' is not in the list of subjects{hint_en}",
                ),
            )
        )
