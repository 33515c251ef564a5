"""One kind of sheet (subjects, units, an items list) read from every part of a several-period
DATA, as one list of rows that know their code, their period and their place.

A row's period is its `period` (Kỳ) cell, or the period of the folder its file is in. A
row without one holds values for every period. Typed input columns are converted once,
for every row, with the declared type and range: a value that is there must be valid
whichever period reads it. Whether a value is required is decided later, for the rows a
rule set actually reads (see period_reader.py).

The cell readers (`find_layout`, `convert_column`, …) are those of cohort_reader.py, so a
problem reads the same in a one-period and a several-period file.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from chamdiem.dsl.diagnostics import Text
from chamdiem.dsl.periods import Period
from chamdiem.dsl.program import InputSpec
from chamdiem.platform.excel.cells import CellError, shown
from chamdiem.platform.excel.cohort_reader import (
    CODE_HEADERS,
    CODE_KEY,
    Layout,
    column_cells,
    convert_column,
    data_rows,
    find_layout,
    missing_column,
    read_codes,
    text_values,
)
from chamdiem.platform.excel.period_cells import parse_period_cell
from chamdiem.platform.excel.period_sources import Found
from chamdiem.platform.excel.problems import DataProblem, ProblemLog
from chamdiem.platform.excel.tables import Table, header_key

PERIOD = "\0period"  # column key of the period column
PERIOD_HEADERS = ("period", "kỳ", "kỳ đánh giá")


class DedupLog(ProblemLog):
    """A ProblemLog that keeps one copy of a problem reported twice (two rule sets reading
    the same column, two periods reading the same row)."""

    def __init__(self) -> None:
        super().__init__()
        self._seen: set[tuple[object, ...]] = set()

    def _fresh(self, problem: DataProblem) -> bool:
        key = (
            problem.file,
            problem.sheet,
            problem.row,
            problem.column,
            problem.field,
            problem.message.en,
        )
        if key in self._seen:
            return False
        self._seen.add(key)
        return True

    def add(self, problem: DataProblem) -> None:
        if self._fresh(problem):
            super().add(problem)

    def add_counted(self, problems: Iterable[DataProblem], count: int) -> None:
        listed = list(problems)
        fresh = [p for p in listed if self._fresh(p)]
        super().add_counted(fresh, count - (len(listed) - len(fresh)))


class PeriodIds:
    """The distinct periods of DATA as small integers (-1: no period), so that the many
    "does this row's period lie in that one" questions are table look-ups."""

    def __init__(self) -> None:
        self.periods: list[Period] = []
        self._ids: dict[Period, int] = {}
        self._within: dict[tuple[int, int], bool] = {}

    def id_of(self, period: Period | None) -> int:
        if period is None:
            return -1
        found = self._ids.get(period)
        if found is None:
            found = self._ids[period] = len(self.periods)
            self.periods.append(period)
        return found

    def within(self, inner: int, outer: int) -> bool:
        """Whether period `inner` lies in period `outer` (False for "no period")."""
        if inner < 0 or outer < 0:
            return False
        key = (inner, outer)
        found = self._within.get(key)
        if found is None:
            found = self._within[key] = self.periods[outer].contains(self.periods[inner])
        return found

    def start(self, pid: int) -> int:
        return self.periods[pid].start.toordinal()


@dataclass
class Block:
    """The rows of one sheet or file below its header."""

    table: Table
    layout: Layout
    rows: list[Sequence[object]]
    numbers: list[int]  # sheet row number of each row

    def problem(self, local: int | None, key: str | None, name: str, message: Text) -> DataProblem:
        number = self.numbers[local] if local is not None else self.layout.header_row + 1
        column = self.layout.columns.get(key) if key is not None else None
        return self.table.problem(number, column, name, message)


@dataclass
class RowSheet:
    """Rows of one kind of sheet across the parts of DATA, in file order."""

    blocks: list[Block] = field(default_factory=list)
    block: list[int] = field(default_factory=list)  # logical row -> index into blocks
    local: list[int] = field(default_factory=list)  # logical row -> index into block.rows
    codes: list[str | None] = field(default_factory=list)
    periods: list[Period | None] = field(default_factory=list)
    pids: list[int] = field(default_factory=list)  # the periods as PeriodIds
    ids: PeriodIds = field(default_factory=PeriodIds)
    _converted: dict[InputSpec, list[object]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.codes)

    @property
    def has_periods(self) -> bool:
        """Whether any row says its period (else every row holds for every period)."""
        return any(pid >= 0 for pid in self.pids)

    def has_column(self, key: str) -> bool:
        return any(key in block.layout.columns for block in self.blocks)

    def block_of(self, row: int) -> Block:
        return self.blocks[self.block[row]]

    def problem(self, row: int, key: str | None, name: str, message: Text) -> DataProblem:
        return self.block_of(row).problem(self.local[row], key, name, message)

    def where(self, row: int) -> str:
        """`dòng 12` / `row 12`, with the file or sheet when the sheet spans several."""
        block = self.block_of(row)
        number = block.numbers[self.local[row]]
        if len(self.blocks) > 1:
            place = block.table.sheet or block.table.file
            return f"{place}:{number}"
        return str(number)

    def raw(self, key: str) -> list[object]:
        """The cells of a column in every row ("" where a block lacks the column)."""
        out: list[object] = []
        for block in self.blocks:
            col = block.layout.columns.get(key)
            out.extend(column_cells(block.rows, col) if col is not None else [""] * len(block.rows))
        return out

    def texts(self, key: str) -> list[str | None]:
        """A text column (names, units, position groups), None where blank or absent."""
        out: list[str | None] = []
        for block in self.blocks:
            col = block.layout.columns.get(key)
            if col is None:
                out.extend([None] * len(block.rows))
            else:
                out.extend(text_values(column_cells(block.rows, col)))
        return out

    def converted(self, spec: InputSpec, log: ProblemLog) -> list[object]:
        """One input's typed values in every row (None where blank or absent); bad cells are
        problems in `log`, reported once however many rule sets read the column."""
        relaxed = replace(spec, label=None, line=0, has_default=True)
        found = self._converted.get(relaxed)
        if found is None:
            found = []
            for block in self.blocks:
                col = block.layout.columns.get(spec.name)
                if col is None:
                    found.extend([None] * len(block.rows))
                else:
                    found.extend(_convert_filled(block, col, relaxed, log))
            self._converted[relaxed] = found
        return found


def _convert_filled(block: Block, col: int, spec: InputSpec, log: ProblemLog) -> list[object]:
    """A column converted cell by cell only where it is filled: a several-period sheet
    leaves quarterly columns blank on annual rows and the other way round, and a column
    of one type throughout converts at C speed."""
    cells = column_cells(block.rows, col)
    if "" not in cells and None not in cells:
        return convert_column(block.table, block.rows, block.numbers, col, spec, spec.name, log)
    filled = [k for k, cell in enumerate(cells) if cell != "" and cell is not None]
    rows = [block.rows[k] for k in filled]
    numbers = [block.numbers[k] for k in filled]
    values = convert_column(block.table, rows, numbers, col, spec, spec.name, log)
    out: list[object] = [None] * len(cells)
    for k, value in zip(filled, values, strict=True):
        out[k] = value
    return out


def read_rows(
    found: Sequence[Found],
    known: dict[str, str],
    describe: dict[str, str],
    code_field: str,
    log: ProblemLog,
    ids: PeriodIds,
    *,
    unique: bool,
) -> RowSheet:
    """The rows of the sheets `found` (one per part). `known` maps header keys to column keys
    (the period column is added); `unique`: a code may appear once per period."""
    known = dict(known)
    for header in PERIOD_HEADERS:
        known.setdefault(header_key(header), PERIOD)
    describe = {**describe, PERIOD: "period"}
    sheet = RowSheet(ids=ids)
    for part in found:
        layout = find_layout(part.table, known, describe, log)
        if layout is None:
            continue
        if CODE_KEY not in layout.columns:
            missing_column(part.table, layout, code_field, CODE_HEADERS, log)
        rows, numbers = data_rows(part.table, layout)
        block = Block(part.table, layout, rows, numbers)
        codes = read_codes(part.table, layout, rows, numbers, log, unique=False, field=code_field)
        periods, pids = _periods(block, part.period, ids, log)
        sheet.block.extend([len(sheet.blocks)] * len(rows))
        sheet.local.extend(range(len(rows)))
        sheet.codes.extend(codes)
        sheet.periods.extend(periods)
        sheet.pids.extend(pids)
        sheet.blocks.append(block)
    if unique:
        _check_unique(sheet, code_field, log)
    return sheet


def _periods(
    block: Block, folder: Period | None, ids: PeriodIds, log: ProblemLog
) -> tuple[list[Period | None], list[int]]:
    """Each row's period (and its id): its period cell, else the folder's."""
    col = block.layout.columns.get(PERIOD)
    if col is None:
        return [folder] * len(block.rows), [ids.id_of(folder)] * len(block.rows)
    periods: list[Period | None] = []
    pids: list[int] = []
    cache: dict[tuple[type, object], tuple[Period | None, int]] = {}
    default = (folder, ids.id_of(folder))
    for local, cell in enumerate(column_cells(block.rows, col)):
        key = (type(cell), cell)
        found = cache.get(key)
        if found is None:
            found = _period_of(block, local, cell, folder, ids, log)
            if found is None:
                found = default  # a problem: reported, and the row takes the folder's
            elif found[0] is None or found[0] == folder or folder is None:
                cache[key] = found  # rows differing from the folder are each reported
        if found[0] is None:
            found = default
        periods.append(found[0])
        pids.append(found[1])
    return periods, pids


def _period_of(
    block: Block, local: int, cell: object, folder: Period | None, ids: PeriodIds, log: ProblemLog
) -> tuple[Period | None, int] | None:
    """The period of one cell and its id; None after reporting a bad cell."""
    try:
        period = parse_period_cell(cell)
    except CellError as exc:
        log.add(block.problem(local, PERIOD, "period", exc.message))
        return None
    if folder is not None and period is not None and period != folder:
        log.add(
            block.problem(
                local,
                PERIOD,
                "period",
                Text(
                    f"kỳ '{shown(cell)}' khác với kỳ của thư mục ({folder})",
                    f"period '{shown(cell)}' differs from the folder's period ({folder})",
                ),
            )
        )
    return period, ids.id_of(period)


def _check_unique(sheet: RowSheet, code_field: str, log: ProblemLog) -> None:
    """A code appears at most once per period (and once without a period)."""
    seen: dict[tuple[str, Period | None], int] = {}
    for row, (code, period) in enumerate(zip(sheet.codes, sheet.periods, strict=True)):
        if code is None:
            continue
        first = seen.setdefault((code, period), row)
        if first == row:
            continue
        where = sheet.where(first)
        if period is None:
            vi = f"mã '{shown(code)}' trùng: đã có ở dòng {where}"
            en = f"duplicate code '{shown(code)}': already on row {where}"
        else:
            vi = f"mã '{shown(code)}' trùng trong kỳ {period}: đã có ở dòng {where}"
            en = f"duplicate code '{shown(code)}' in period {period}: already on row {where}"
        log.add(sheet.problem(row, CODE_KEY, code_field, Text(vi, en)))


class PeriodIndex:
    """Which rows of a RowSheet a period reads."""

    def __init__(self, sheet: RowSheet) -> None:
        self.sheet = sheet
        self.by_code: dict[str, list[int]] = {}
        for row, code in enumerate(sheet.codes):
            if code is not None:
                self.by_code.setdefault(code, []).append(row)
        self.order = list(self.by_code)  # codes in order of first appearance
        self._rows: dict[Period, dict[str, tuple[int, int, list[int]]]] = {}

    def members(self, period: Period) -> list[str]:
        """The codes with a row in `period` (its own, or one of a shorter period inside it);
        every code when no row says its period."""
        if not self.sheet.has_periods:
            return list(self.order)
        ids, pids = self.sheet.ids, self.sheet.pids
        target = ids.id_of(period)
        return [
            code
            for code, rows in self.by_code.items()
            if any(ids.within(pids[row], target) for row in rows)
        ]

    def rows(self, code: str, period: Period) -> tuple[int, int, list[int]]:
        """(the row of exactly this period, the row without a period, the rows that may say
        the subject's attributes, most telling first), -1 where there is none. Attributes
        come from its own row, the rows of shorter periods inside it (latest first), the
        rows without a period."""
        cache = self._rows.setdefault(period, {})
        found = cache.get(code)
        if found is None:
            found = cache[code] = self._find(code, period)
        return found

    def _find(self, code: str, period: Period) -> tuple[int, int, list[int]]:
        ids, pids = self.sheet.ids, self.sheet.pids
        target = ids.id_of(period)
        exact = shared = -1
        own: list[int] = []
        inside: list[tuple[int, int]] = []
        blank: list[int] = []
        for row in self.by_code.get(code, ()):
            pid = pids[row]
            if pid == target:
                own.append(row)
                if exact < 0:
                    exact = row
            elif pid < 0:
                blank.append(row)
                if shared < 0:
                    shared = row
            elif ids.within(pid, target):
                inside.append((-ids.start(pid), -row))
        later = [-row for _, row in sorted(inside)]
        return exact, shared, [*own, *later, *blank]
