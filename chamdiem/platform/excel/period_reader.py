"""Reading a DATA of several periods and levels for rule sets evaluated together
(`chamdiem eval RULES_DIR DATA --period 2026`).

What is read (docs/data-format.md says it for users):

- `subjects`: one row per person and period (a `period` column: 2026-Q1, 2026-03, 2026),
  or per person (no period: the row holds for every period). The people of a rule set's
  period are those with a row in it (their own, or one of a shorter period inside it, so
  a year rule set reads everyone with a row in any quarter of the year). Input values come
  from the row of exactly that period, else from the person's row without a period;
  attributes (unit, position group, is_head, name) from the first row that has one among
  the period's own row, the rows of the periods inside it (latest first) and the row
  without a period.
- `units`: the unit tree (code, name, parent, head) and the inputs of `subject unit` rule
  sets, with the same period convention. `is_head`, when the subjects sheet leaves it
  blank, is true for the person the units sheet names as head of his unit.
- one sheet per `items` list, with the same period column.

Every cohort the graph will ask for is built up front, so that every problem of DATA is
reported in one run; `cohort_for` then hands them out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from chamdiem.dsl.data import Cohort, ItemTable
from chamdiem.dsl.diagnostics import Text
from chamdiem.dsl.graph import evaluation_order, linked_fields
from chamdiem.dsl.loader import Program
from chamdiem.dsl.organisation import Organisation
from chamdiem.dsl.periods import Period, longer
from chamdiem.dsl.program import InputSpec, ItemsSpec
from chamdiem.platform.excel.catalog_keys import check_keys
from chamdiem.platform.excel.cells import CellError, shown, to_bool
from chamdiem.platform.excel.cohort_reader import (
    CODE_HEADERS,
    CODE_KEY,
    SUBJECT_HEADERS,
    SUBJECTS_SHEET,
    data_limits,
    input_headers,
    missing_column,
)
from chamdiem.platform.excel.period_rows import (
    PERIOD,
    DedupLog,
    PeriodIds,
    PeriodIndex,
    RowSheet,
    read_rows,
)
from chamdiem.platform.excel.period_sources import Part, find_sheets, missing_sheet, open_parts
from chamdiem.platform.excel.problems import ProblemLog
from chamdiem.platform.excel.tables import header_key
from chamdiem.platform.excel.unit_tree import (
    UNIT_CODE_HEADERS,
    UNIT_HEADERS,
    UNITS_SHEET,
    UnitTree,
    build_tree,
    check_heads,
)

_MISSING = Text("thiếu giá trị bắt buộc", "missing required value")


@dataclass
class PeriodData:
    """The unit tree and the cohort of every (rule set, period) the graph will evaluate."""

    organisation: Organisation
    cohorts: dict[tuple[str, Period], Cohort] = field(default_factory=dict)

    def cohort_for(self, program: Program, period: Period) -> Cohort | None:
        return self.cohorts.get((program.header.name, period))


def stages(programs: Sequence[Program], target: Period) -> list[tuple[Program, Period]]:
    """The (rule set, period) pairs evaluate_graph evaluates for `target`, in its order.
    Raises GraphError (a rule set needed but missing, a cycle)."""
    return [
        (program, period)
        for program in evaluation_order(programs)
        if not longer(program.header.period, target.kind)
        for period in target.parts(program.header.period)
    ]


def read_period_data(
    path: Path, programs: Sequence[Program], target: Period, *, head_count: int | None = None
) -> PeriodData:
    """Read and check DATA for evaluating `programs` over `target`; `head_count` as for
    `read_cohort`. Raises DataFileError listing every problem (GraphError when the rule sets
    cannot go together)."""
    todo = stages(programs, target)
    named = {p.header.name: p for p in programs}
    for program in named.values():
        program.bind(linked_fields(program, named))
    log = DedupLog()
    parts = open_parts(
        path,
        log,
        data_limits(
            [spec for p in programs for spec in p.inputs],
            [spec for p in programs for spec in p.items],
            head_count,
        ),
    )
    persons = [p for p in named.values() if p.header.subject == "person"]
    units = [p for p in named.values() if p.header.subject == "unit"]
    needed = {program.header.name for program, _ in todo}
    reader = _Reader(parts, log)
    people = reader.subjects(persons, needed=any(p.header.name in needed for p in persons))
    tree = reader.units(units, needed=any(p.header.name in needed for p in units))
    unit_of = reader.person_units(people, tree)
    people_index = PeriodIndex(people) if people is not None else None
    if tree is not None and people_index is not None:
        check_heads(tree, set(people_index.order), log)
    if tree is not None:
        organisation = tree.organisation
    else:
        organisation = Organisation.flat([u for u in unit_of if u])
    data = PeriodData(organisation)
    builder = _CohortBuilder(reader, people, people_index, unit_of, tree, log)
    for program, period in todo:
        cohort = builder.build(program, period)
        if cohort is not None and len(cohort):
            data.cohorts[(program.header.name, period)] = cohort
    log.raise_if_any()
    return data


# ---------------------------------------------------------------- sheets


def _known(
    code_headers: Sequence[str],
    attributes: dict[str, tuple[str, ...]],
    specs: Sequence[InputSpec],
) -> tuple[dict[str, str], dict[str, str]]:
    """Header key -> column key, and column key -> how problems name the column."""
    known: dict[str, str] = {header_key(h): CODE_KEY for h in code_headers}
    describe: dict[str, str] = {CODE_KEY: "code"}
    for key, headers in attributes.items():
        describe[key] = key
        for header in headers:
            known.setdefault(header_key(header), key)
    for spec in specs:
        describe[spec.name] = spec.name
        for header in input_headers(spec):
            known.setdefault(header_key(header), spec.name)
    return known, describe


def _inputs(programs: Sequence[Program]) -> list[InputSpec]:
    seen: dict[str, InputSpec] = {}
    for program in programs:
        for spec in program.inputs:
            seen.setdefault(spec.name, spec)
    return list(seen.values())


class _Reader:
    """Finds and reads the sheets of DATA."""

    def __init__(self, parts: list[Part], log: ProblemLog) -> None:
        self.parts = parts
        self.log = log
        self.ids = PeriodIds()
        self.items: dict[tuple[str, str], RowSheet | None] = {}

    def subjects(self, programs: Sequence[Program], *, needed: bool) -> RowSheet | None:
        found = find_sheets(self.parts, SUBJECTS_SHEET, self.log)
        if not found:
            if needed:
                about = Text("danh sách đối tượng", "the list of subjects")
                self.log.add(missing_sheet(self.parts, SUBJECTS_SHEET, about))
            return None
        known, describe = _known(CODE_HEADERS, SUBJECT_HEADERS, _inputs(programs))
        return read_rows(found, known, describe, "code", self.log, self.ids, unique=True)

    def units(self, programs: Sequence[Program], *, needed: bool) -> UnitTree | None:
        found = find_sheets(self.parts, UNITS_SHEET, self.log)
        if not found:
            if needed:
                about = Text(
                    "danh sách đơn vị: mã, tên, đơn vị cấp trên, người đứng đầu",
                    "the list of units: code, name, parent, head",
                )
                self.log.add(missing_sheet(self.parts, UNITS_SHEET, about))
            return None
        known, describe = _known(UNIT_CODE_HEADERS, UNIT_HEADERS, _inputs(programs))
        sheet = read_rows(found, known, describe, "code", self.log, self.ids, unique=True)
        return build_tree(sheet, self.log)

    def person_units(self, people: RowSheet | None, tree: UnitTree | None) -> list[str | None]:
        """Each subjects row's unit as a unit code (a unit's name is accepted too); an
        unknown unit is a problem when there is a units sheet."""
        if people is None:
            return []
        raw = people.texts("unit")
        if tree is None:
            return raw
        out: list[str | None] = []
        cache: dict[str, str | None] = {}
        for row, text in enumerate(raw):
            if text is None:
                out.append(None)
                continue
            if text not in cache:
                cache[text] = tree.resolve(text)
            code = cache[text]
            if code is None:
                self.log.add(people.problem(row, "unit", "unit", tree.unknown(text)))
            out.append(code)
        return out

    def items_sheet(
        self, spec: ItemsSpec, owners: RowSheet | None, owner_kind: str
    ) -> RowSheet | None:
        """The rows of an items list, read once per subject kind; item rows must name a
        subject that has a row in the item's period."""
        key = (spec.name, owner_kind)
        if key in self.items:
            return self.items[key]
        names = (spec.name, spec.label or "")
        found = find_sheets(self.parts, names, self.log)
        sheet: RowSheet | None = None
        if not found:
            label = f" ({spec.label})" if spec.label else ""
            about = Text(f"danh sách {spec.name}{label}", f"the items {spec.name}{label}")
            self.log.add(missing_sheet(self.parts, names, about))
        else:
            known, describe = _known(CODE_HEADERS, {}, spec.fields)
            for f in spec.fields:
                describe[f.name] = f"{spec.name}.{f.name}"
            code_field = f"{spec.name}.code"
            sheet = read_rows(found, known, describe, code_field, self.log, self.ids, unique=False)
            if owners is not None:
                self._check_owners(sheet, spec, owners)
        self.items[key] = sheet
        return sheet

    def _check_owners(self, sheet: RowSheet, spec: ItemsSpec, owners: RowSheet) -> None:
        ids = self.ids
        pairs: set[tuple[str, int]] = set()
        for code, period in zip(owners.codes, owners.periods, strict=True):
            if code is None:
                continue
            pairs.add((code, ids.id_of(period)))
            while period is not None and period.kind != "year":
                period = _enclosing(period)
                pairs.add((code, ids.id_of(period)))
        codes = {code for code, _ in pairs}
        folded = {code.casefold(): code for code in codes}
        dated = owners.has_periods
        field_name = f"{spec.name}.code"
        for row, (code, pid) in enumerate(zip(sheet.codes, sheet.pids, strict=True)):
            if code is None or (code, pid) in pairs:
                continue
            if code not in codes:
                near = folded.get(code.casefold())
                hint_vi = f"; có phải '{near}'?" if near else ""
                hint_en = f"; did you mean '{near}'?" if near else ""
                message = Text(
                    f"mã '{shown(code)}' không có trong danh sách đối tượng{hint_vi}",
                    f"code '{shown(code)}' is not in the list of subjects{hint_en}",
                )
                self.log.add(sheet.problem(row, CODE_KEY, field_name, message))
            elif dated and pid >= 0:
                period = ids.periods[pid]
                message = Text(
                    f"mã '{shown(code)}' không có dòng kỳ {period} trong danh sách đối tượng",
                    f"code '{shown(code)}' has no row of period {period} in the list of subjects",
                )
                self.log.add(sheet.problem(row, PERIOD, field_name, message))


def _enclosing(period: Period) -> Period:
    """The quarter of a month, the year of a quarter."""
    if period.kind == "month":
        return Period(period.year, "quarter", (period.index - 1) // 3 + 1)
    return Period(period.year, "year", 1)


# ---------------------------------------------------------------- cohorts


@dataclass
class _Subject:
    code: str
    exact: int  # row of exactly the period, -1 when none
    shared: int  # row without a period, -1 when none
    attributes: list[int]  # rows that may say its attributes, most telling first


class _CohortBuilder:
    def __init__(
        self,
        reader: _Reader,
        people: RowSheet | None,
        people_index: PeriodIndex | None,
        unit_of: list[str | None],
        tree: UnitTree | None,
        log: ProblemLog,
    ) -> None:
        self.reader = reader
        self.people = people
        self.people_index = people_index
        self.unit_of = unit_of
        self.tree = tree
        self.log = log
        self._explicit_heads: list[bool | None] | None = None
        self._head_units: dict[Period, dict[str, str]] = {}
        self._text_columns: dict[str, list[str | None]] = {}
        self._attributes: dict[tuple[str, Period], tuple[list[_Subject], Cohort]] = {}
        self._item_rows: dict[int, dict[int, list[int]]] = {}

    def build(self, program: Program, period: Period) -> Cohort | None:
        if program.header.subject == "unit":
            if self.tree is None:
                return None
            return self._cohort(program, period, self.tree.sheet, self.tree.index)
        if self.people is None or self.people_index is None:
            return None
        return self._cohort(program, period, self.people, self.people_index)

    def _cohort(
        self, program: Program, period: Period, sheet: RowSheet, index: PeriodIndex
    ) -> Cohort:
        subjects, attributes = self._subjects(program.header.subject, period, index)
        # The cohort is cut to those `applies when` selects before inputs are checked, so that
        # an input only leaders need is not required of everyone.
        chosen = program.applicable(attributes, period.start)
        if chosen is not None:
            subjects = [subjects[i] for i in chosen]
            attributes = attributes.subset(chosen)
        inputs = {
            spec.name: self._input(program, period, sheet, subjects, spec)
            for spec in program.inputs
        }
        items = {
            spec.name: self._items(program, spec, period, subjects, sheet) for spec in program.items
        }
        return Cohort(
            codes=attributes.codes,
            inputs=inputs,
            items=items,
            units=attributes.units,
            position_groups=attributes.position_groups,
            is_head=attributes.is_head,
            names=attributes.names,
        )

    def _subjects(
        self, kind: str, period: Period, index: PeriodIndex
    ) -> tuple[list[_Subject], Cohort]:
        """The subjects of a period and their attributes (the same for every rule set of
        that kind and period)."""
        key = (kind, period)
        found = self._attributes.get(key)
        if found is None:
            subjects = [_Subject(code, *index.rows(code, period)) for code in index.members(period)]
            if kind == "unit":
                attributes = self._unit_attributes(subjects)
            else:
                attributes = self._person_attributes(subjects, period)
            found = self._attributes[key] = (subjects, attributes)
        return found

    # ------------------------------------------------------------ attributes

    def _unit_attributes(self, subjects: list[_Subject]) -> Cohort:
        assert self.tree is not None
        codes = [s.code for s in subjects]
        return Cohort(
            codes=codes,
            inputs={},
            units=[self.tree.parent(code) for code in codes],
            names=[self.tree.names.get(code) for code in codes],
        )

    def _person_attributes(self, subjects: list[_Subject], period: Period) -> Cohort:
        assert self.people is not None
        groups = self._texts("position_group")
        names = self._texts("name")
        explicit = self._heads()
        head_units = self._heads_in(period)
        codes: list[str] = []
        units: list[str | None] = []
        out_groups: list[str | None] = []
        out_names: list[str | None] = []
        heads: list[bool] = []
        for subject in subjects:
            rows = subject.attributes
            unit = _first(self.unit_of, rows)
            if unit is None:
                unit = head_units.get(subject.code)  # a head whose unit is left blank
            head = next((explicit[r] for r in rows if explicit[r] is not None), None)
            if head is None:
                head = (
                    self.tree is not None
                    and unit is not None
                    and (self.tree.head_for(unit, period) == subject.code)
                )
            codes.append(subject.code)
            units.append(unit)
            out_groups.append(_first(groups, rows))
            out_names.append(_first(names, rows))
            heads.append(head)
        return Cohort(
            codes=codes,
            inputs={},
            units=units,
            position_groups=out_groups,
            is_head=heads,
            names=out_names,
        )

    def _texts(self, key: str) -> list[str | None]:
        assert self.people is not None
        found = self._text_columns.get(key)
        if found is None:
            found = self._text_columns[key] = self.people.texts(key)
        return found

    def _heads(self) -> list[bool | None]:
        """The subjects sheet's own is_head cells (None where blank)."""
        if self._explicit_heads is None:
            assert self.people is not None
            flags: list[bool | None] = []
            for row, cell in enumerate(self.people.raw("is_head")):
                if cell is None or (isinstance(cell, str) and not cell.strip()):
                    flags.append(None)
                    continue
                try:
                    flags.append(to_bool(cell))
                except CellError as error:
                    flags.append(None)
                    self.log.add(self.people.problem(row, "is_head", "is_head", error.message))
            self._explicit_heads = flags
        return self._explicit_heads

    def _heads_in(self, period: Period) -> dict[str, str]:
        """head's code -> the unit he heads in `period` (the first, should he head two)."""
        found = self._head_units.get(period)
        if found is None:
            found = {}
            if self.tree is not None:
                for unit in self.tree.organisation.codes:
                    head = self.tree.head_for(unit, period)
                    if head is not None:
                        found.setdefault(head, unit)
            self._head_units[period] = found
        return found

    # ------------------------------------------------------------ values

    def _input(
        self,
        program: Program,
        period: Period,
        sheet: RowSheet,
        subjects: list[_Subject],
        spec: InputSpec,
    ) -> list[object]:
        column = sheet.converted(spec, self.log)
        values: list[object] = []
        where: list[int] = []  # the row each value comes from
        for subject in subjects:
            value = column[subject.exact] if subject.exact >= 0 else None
            row = subject.exact
            if value is None and subject.shared >= 0:
                value = column[subject.shared]
                row = subject.shared
            if value is None and not spec.has_default:
                self._missing(program, period, sheet, subject, spec)
            values.append(value)
            where.append(row)
        self._check_keys(program, period, sheet, spec, spec.name, values, where)
        return values

    def _check_keys(
        self,
        program: Program,
        period: Period,
        sheet: RowSheet,
        spec: InputSpec,
        name: str,
        values: list[object],
        where: list[int],
    ) -> None:
        """A `key of C` value must be a key of C in force on the period's first day."""
        if spec.catalog is None:
            return
        keys = program.catalog_keys(spec.catalog, period.start)

        def report(found: list[tuple[int, Text]], count: int) -> None:
            problems = [sheet.problem(where[k], spec.name, name, message) for k, message in found]
            self.log.add_counted(problems, count)

        check_keys(values, spec, keys, report)

    def _missing(
        self,
        program: Program,
        period: Period,
        sheet: RowSheet,
        subject: _Subject,
        spec: InputSpec,
    ) -> None:
        row = subject.exact if subject.exact >= 0 else subject.shared
        if row >= 0:
            block = sheet.block_of(row)
            if spec.name not in block.layout.columns:
                headers = input_headers(spec)
                missing_column(block.table, block.layout, spec.name, headers, self.log)
            else:
                self.log.add(sheet.problem(row, spec.name, spec.name, _MISSING))
            return
        latest = subject.attributes[0]
        name = program.header.name
        self.log.add(
            sheet.problem(
                latest,
                PERIOD,
                spec.name,
                Text(
                    f"mã '{shown(subject.code)}' không có dòng kỳ {period} (hoặc dòng không ghi "
                    f"kỳ) để lấy giá trị bắt buộc `{spec.name}` của bộ tiêu chí {name}",
                    f"code '{shown(subject.code)}' has no row of period {period} (nor a row "
                    f"without a period) to give the required `{spec.name}` of rule set {name}",
                ),
            )
        )

    def _items(
        self,
        program: Program,
        spec: ItemsSpec,
        period: Period,
        subjects: list[_Subject],
        owners: RowSheet,
    ) -> ItemTable:
        empty = ItemTable(owner=[], fields={f.name: [] for f in spec.fields})
        sheet = self.reader.items_sheet(spec, owners, program.header.subject)
        if sheet is None:
            return empty
        position = {subject.code: k for k, subject in enumerate(subjects)}
        by_period = self._item_rows.get(id(sheet))
        if by_period is None:
            by_period = self._item_rows[id(sheet)] = {}
            for row, pid in enumerate(sheet.pids):
                by_period.setdefault(pid, []).append(row)
        candidates = by_period.get(sheet.ids.id_of(period), [])
        if -1 in by_period:
            candidates = sorted([*candidates, *by_period[-1]])
        codes = sheet.codes
        rows = [row for row in candidates if codes[row] in position]
        owner = [position[codes[row] or ""] for row in rows]
        fields: dict[str, list[object]] = {}
        for item_field in spec.fields:
            column = sheet.converted(item_field, self.log)
            values = [column[row] for row in rows]
            if not item_field.has_default:
                name = f"{spec.name}.{item_field.name}"
                for row, value in zip(rows, values, strict=True):
                    if value is not None:
                        continue
                    block = sheet.block_of(row)
                    if item_field.name in block.layout.columns:
                        self.log.add(sheet.problem(row, item_field.name, name, _MISSING))
                    else:
                        headers = input_headers(item_field)
                        missing_column(block.table, block.layout, name, headers, self.log)
            name = f"{spec.name}.{item_field.name}"
            self._check_keys(program, period, sheet, item_field, name, values, rows)
            fields[item_field.name] = values
        return ItemTable(owner=owner, fields=fields)


def _first(column: list[str | None], rows: list[int]) -> str | None:
    for row in rows:
        value = column[row]
        if value is not None:
            return value
    return None
