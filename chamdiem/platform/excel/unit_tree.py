"""The `units` sheet: the unit tree (code, name, parent, head) and the units' own inputs.

One row per unit, or one per unit and period when units have inputs per period; the tree
columns may then be left blank on all but one row of a unit, and must agree where they are
filled. A parent or a person's unit may be written as the unit's code or as its name (when
no other unit has that name). Every problem (an unknown parent, a cycle, a repeated code,
a head who is not in the subjects sheet) is reported at its cell.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from chamdiem.dsl.diagnostics import Text
from chamdiem.dsl.organisation import Organisation, OrganisationError
from chamdiem.dsl.periods import Period
from chamdiem.platform.excel.cells import shown
from chamdiem.platform.excel.period_rows import PeriodIndex, RowSheet
from chamdiem.platform.excel.problems import DataProblem, ProblemLog
from chamdiem.platform.excel.tables import header_key

UNITS_SHEET = ("units", "đơn vị", "danh sách đơn vị")
UNIT_CODE_HEADERS = ("code", "mã", "mã đơn vị")
UNIT_HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("name", "tên đơn vị", "tên"),
    "parent": ("parent", "đơn vị cấp trên", "mã đơn vị cấp trên", "cấp trên"),
    "head": ("head", "người đứng đầu", "mã người đứng đầu"),
}


@dataclass
class UnitTree:
    """The units as read, the tree they make, and where each unit's rows are."""

    sheet: RowSheet
    index: PeriodIndex
    organisation: Organisation
    names: dict[str, str] = field(default_factory=dict)
    by_name: dict[str, str | None] = field(default_factory=dict)  # name key -> code (None:
    # several units have that name)
    heads: list[str | None] = field(default_factory=list)  # per row of the sheet

    def resolve(self, text: str) -> str | None:
        """The code of the unit written as `text` (its code, or its name if unique)."""
        if text in self.organisation.parents:
            return text
        found = self.by_name.get(header_key(text))
        if found is not None:
            return found
        folded = {header_key(code): code for code in self.organisation.codes}
        return folded.get(header_key(text))

    def unknown(self, text: str) -> Text:
        """What to say of a unit that is not in the sheet, with close codes or names."""
        candidates = [*self.organisation.codes, *self.names.values()]
        close = difflib.get_close_matches(text, candidates, n=3, cutoff=0.6)
        hint_vi = f"; gần giống: {', '.join(close)}" if close else ""
        hint_en = f"; close: {', '.join(close)}" if close else ""
        return Text(
            f"đơn vị '{shown(text)}' không có trong trang units{hint_vi}",
            f"unit '{shown(text)}' is not in the units sheet{hint_en}",
        )

    def parent(self, code: str) -> str | None:
        return self.organisation.parents.get(code)

    def head_for(self, unit: str, period: Period) -> str | None:
        """The unit's head in `period`: on the unit's row of that period, else of a period
        containing it (the year's row for a quarter), else of the latest period inside it,
        else on a row without a period."""
        ids, pids = self.sheet.ids, self.sheet.pids
        target = ids.id_of(period)
        best: tuple[int, int] | None = None
        head: str | None = None
        for row in self.index.by_code.get(unit, ()):
            if not self.heads[row]:
                continue
            pid = pids[row]
            if pid == target:
                rank = (0, 0)
            elif ids.within(target, pid):
                rank = (1, ids.periods[pid].months)
            elif ids.within(pid, target):
                rank = (2, -ids.start(pid))
            elif pid < 0:
                rank = (3, 0)
            else:
                continue
            if best is None or rank < best:
                best, head = rank, self.heads[row]
        return head

    def head_rows(self) -> Iterable[tuple[int, str]]:
        for row, head in enumerate(self.heads):
            if head:
                yield row, head


def build_tree(sheet: RowSheet, log: ProblemLog) -> UnitTree:
    """The tree of the units sheet; problems go to `log` (the tree is then still usable for
    reading the rest of DATA: a bad parent is left out, a cycle is cut)."""
    index = PeriodIndex(sheet)
    names_column = sheet.texts("name")
    names: dict[str, str] = {}
    by_name: dict[str, str | None] = {}
    for code, name in zip(sheet.codes, names_column, strict=True):
        if code is None or not name or code in names:
            continue
        names[code] = name
        key = header_key(name)
        by_name[key] = code if key not in by_name or by_name[key] == code else None
    codes = index.order
    known = set(codes)
    flat = Organisation(list(codes), {c: None for c in codes})
    tree = UnitTree(sheet, index, flat, names, by_name, sheet.texts("head"))
    parents: dict[str, str | None] = {c: None for c in codes}
    parent_row: dict[str, int] = {}
    for row, raw in enumerate(sheet.texts("parent")):
        code = sheet.codes[row]
        if code is None or raw is None:
            continue
        parent = tree.resolve(raw)
        if parent is None or parent not in known:
            log.add(sheet.problem(row, "parent", "parent", tree.unknown(raw)))
            continue
        if code in parent_row and parents[code] != parent:
            first = sheet.where(parent_row[code])
            log.add(
                sheet.problem(
                    row,
                    "parent",
                    "parent",
                    Text(
                        f"đơn vị cấp trên của '{shown(code)}' là '{parent}' nhưng dòng {first} "
                        f"ghi '{parents[code]}'",
                        f"the parent of '{shown(code)}' is '{parent}' here but "
                        f"'{parents[code]}' on row {first}",
                    ),
                )
            )
            continue
        parents[code] = parent
        parent_row.setdefault(code, row)
    _cut_cycles(sheet, codes, parents, parent_row, log)
    try:
        tree.organisation = Organisation(list(codes), parents, names)
    except OrganisationError as exc:  # not expected after the checks above
        where = sheet.blocks[0].table if sheet.blocks else None
        file = where.file if where is not None else ""
        log.add(DataProblem(file, None, None, None, None, Text(str(exc), str(exc))))
    return tree


def _cut_cycles(
    sheet: RowSheet,
    codes: Sequence[str],
    parents: dict[str, str | None],
    parent_row: dict[str, int],
    log: ProblemLog,
) -> None:
    """Report each cycle of parents once, at the row of its first unit, and cut it."""
    done: set[str] = set()
    for start in codes:
        path: list[str] = []
        on_path: set[str] = set()
        current: str | None = start
        while current is not None and current not in done and current not in on_path:
            path.append(current)
            on_path.add(current)
            current = parents.get(current)
        if current is not None and current in on_path:
            cycle = path[path.index(current) :]
            first = min(cycle, key=lambda unit: parent_row[unit])
            chain = " → ".join([*cycle[cycle.index(first) :], *cycle[: cycle.index(first)], first])
            log.add(
                sheet.problem(
                    parent_row[first],
                    "parent",
                    "parent",
                    Text(
                        f"cây đơn vị có vòng lặp: {chain}",
                        f"the unit tree has a cycle: {chain}",
                    ),
                )
            )
            parents[first] = None
        done.update(path)


def check_heads(tree: UnitTree, people: set[str], log: ProblemLog) -> None:
    """Each head must be a person of the subjects sheet."""
    for row, head in tree.head_rows():
        if head not in people:
            log.add(
                tree.sheet.problem(
                    row,
                    "head",
                    "head",
                    Text(
                        f"người đứng đầu '{shown(head)}' không có trong danh sách đối tượng",
                        f"the head '{shown(head)}' is not in the list of subjects",
                    ),
                )
            )
