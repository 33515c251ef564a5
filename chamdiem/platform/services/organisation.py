"""Loading the organisation (the unit tree and the people) from a DATA workbook.

The `subjects` sheet (the same sheet that carries a period's inputs) gives the people: `code`,
`name`, `unit`, `position_group`, `is_head`, and optionally `position`, `category` (cán bộ,
công chức, viên chức) and `is_deputy` (cấp phó: with the head, the unit's manager); input
columns are ignored here. An optional `units` sheet ("Đơn vị")
gives the tree: `code`, `name`, `parent` (a unit code) and `head` (a person code). Without it a
person's `unit` cell names the unit, which is created with that name as its code.

Loading is an upsert by code, all or nothing: every problem of the file is reported with its
sheet, row and column, and then nothing is stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from pydantic import ValidationError
from sqlmodel import Session

from chamdiem.dsl.diagnostics import Text, fold
from chamdiem.platform.db.bulk import bulk_insert
from chamdiem.platform.db.engine import writing
from chamdiem.platform.db.models import (
    CATEGORIES,
    CONTROL_CHARACTERS,
    Category,
    UnitCreate,
    utc_now,
)
from chamdiem.platform.db.tables import people_t, units_t
from chamdiem.platform.excel.cells import CellError, shown, to_bool, to_text
from chamdiem.platform.excel.cohort_reader import CODE_HEADERS, SUBJECT_HEADERS, SUBJECTS_SHEET
from chamdiem.platform.excel.problems import DataProblem, ProblemLog
from chamdiem.platform.excel.tables import (
    DataSource,
    Table,
    find_header_row,
    header_key,
    is_blank,
    open_data,
    report_formula_errors,
)
from chamdiem.platform.gc_pause import gc_paused
from chamdiem.platform.limits import (
    MAX_CODE,
    MAX_PERSON_NAME,
    MAX_POSITION,
    MAX_UNIT_NAME,
)
from chamdiem.platform.services import audit
from chamdiem.platform.services.errors import too_long
from chamdiem.platform.services.files import file_sha256

UNITS_SHEET = ("units", "đơn vị", "don_vi")
PERSON_HEADERS: dict[str, tuple[str, ...]] = {
    "code": CODE_HEADERS,
    **SUBJECT_HEADERS,
    "position": ("position", "chức vụ", "vị trí việc làm"),
    "category": ("category", "phân loại", "loại cán bộ"),
    "is_deputy": ("is_deputy", "cấp phó", "phó đơn vị"),
}
UNIT_HEADERS: dict[str, tuple[str, ...]] = {
    "code": ("code", "mã", "mã đơn vị"),
    "name": ("name", "tên", "tên đơn vị"),
    "parent": ("parent", "đơn vị cấp trên", "mã đơn vị cấp trên", "cấp trên"),
    "head": ("head", "người đứng đầu", "mã người đứng đầu"),
}
_CATEGORY_WORDS: dict[str, Category] = {
    "can_bo": "can_bo",
    "cong_chuc": "cong_chuc",
    "vien_chuc": "vien_chuc",
}
CATEGORY_TEXT = Text("cán bộ, công chức, viên chức", "cán bộ, công chức, viên chức")


def parse_category(text: str) -> Category | None:
    """'Công chức', 'cong chuc', 'cong_chuc' -> 'cong_chuc'; None when not a category."""
    key = "_".join(fold(text).split())
    return _CATEGORY_WORDS.get(key)


@dataclass
class OrganisationLoad:
    """What a load changed."""

    units_created: int = 0
    units_updated: int = 0
    people_created: int = 0
    people_updated: int = 0
    file_sha256: str = ""
    unchanged: int = 0
    heads: int = 0


# ---------------------------------------------------------------- reading the sheets


@dataclass
class _Sheet:
    table: Table
    header: int  # index into table.rows
    columns: dict[str, int]


@dataclass
class _Row:
    number: int  # 1-based row in the sheet
    cells: Sequence[object]


@dataclass(slots=True)
class _Person:
    """A person as read from the subjects sheet: texts cleaned as PersonCreate cleans them
    (NFC, stripped, None when blank), the code checked as it checks it."""

    code: str
    name: str | None
    unit_code: str | None
    position: str | None
    position_group: str | None
    category: Category | None
    is_head: bool
    is_deputy: bool = False


@dataclass
class _Read:
    units: list[tuple[_Row, UnitCreate]] = field(default_factory=list)
    people: list[tuple[_Row, _Person]] = field(default_factory=list)
    units_sheet: _Sheet | None = None
    subjects_sheet: _Sheet | None = None


def _layout(
    table: Table, headers: dict[str, tuple[str, ...]], required: Sequence[str], log: ProblemLog
) -> _Sheet | None:
    known = {header_key(h): key for key, names in headers.items() for h in names}
    header = find_header_row(table.rows, known.__contains__)
    if header is None:
        wanted = " / ".join(f"'{h}'" for h in headers[required[0]])
        log.add(
            table.problem(
                None,
                None,
                required[0],
                Text(
                    f"không thấy dòng tiêu đề (cần cột {wanted})",
                    f"no header row found (column {wanted} is needed)",
                ),
            )
        )
        return None
    columns: dict[str, int] = {}
    for index, cell in enumerate(table.rows[header]):
        if not isinstance(cell, str):
            continue
        key = known.get(header_key(cell))
        if key is None:
            continue
        if key in columns:
            log.add(
                table.problem(
                    header + 1,
                    index,
                    key,
                    Text(f"cột '{cell.strip()}' bị lặp", f"column '{cell.strip()}' is repeated"),
                )
            )
            continue
        columns[key] = index
    for key in required:
        if key not in columns:
            wanted = " / ".join(f"'{h}'" for h in headers[key])
            log.add(
                table.problem(
                    header + 1, None, key, Text(f"thiếu cột {wanted}", f"missing column {wanted}")
                )
            )
    report_formula_errors(table, header, columns, log)
    return _Sheet(table, header, columns)


def _rows(sheet: _Sheet) -> list[_Row]:
    used = sorted(sheet.columns.values())
    code = sheet.columns.get("code", -1)
    rows: list[_Row] = []
    for offset, cells in enumerate(sheet.table.rows[sheet.header + 1 :]):
        cell = cells[code] if 0 <= code < len(cells) else None
        if (type(cell) is str and cell and not cell.isspace()) or any(
            c < len(cells) and not is_blank(cells[c]) for c in used
        ):
            rows.append(_Row(sheet.header + offset + 2, cells))
    return rows


def _cell(sheet: _Sheet, row: _Row, key: str) -> object:
    column = sheet.columns.get(key)
    if column is None or column >= len(row.cells):
        return ""
    return row.cells[column]


def _text(sheet: _Sheet, row: _Row, key: str) -> str | None:
    cell = _cell(sheet, row, key)
    return None if is_blank(cell) else to_text(cell)


def _texts(sheet: _Sheet, rows: Sequence[_Row], key: str) -> list[str | None]:
    """`_text` of one column for every row (plain ASCII cells without a call each)."""
    column = sheet.columns.get(key)
    if column is None:
        return [None] * len(rows)
    out: list[str | None] = []
    append = out.append
    for row in rows:
        cells = row.cells
        cell = cells[column] if column < len(cells) else ""
        if type(cell) is str and cell.isascii():
            append(cell.strip() or None)
        else:
            append(None if is_blank(cell) else to_text(cell))
    return out


_CODE_LIMIT = (Text("mã", "the code"), MAX_CODE)
_UNIT_LIMITS: dict[str, tuple[Text, int]] = {
    "code": _CODE_LIMIT,
    "name": (Text("tên đơn vị", "the unit's name"), MAX_UNIT_NAME),
    "parent": (Text("mã đơn vị cấp trên", "the parent unit's code"), MAX_CODE),
    "head": (Text("mã người đứng đầu", "the head's code"), MAX_CODE),
}
_PERSON_LIMITS: dict[str, tuple[Text, int]] = {
    "code": _CODE_LIMIT,
    "name": (Text("họ và tên", "the name"), MAX_PERSON_NAME),
    "unit": (Text("đơn vị", "the unit"), MAX_UNIT_NAME),
    "position": (Text("chức vụ", "the position"), MAX_POSITION),
    "position_group": (Text("nhóm vị trí", "the position group"), MAX_POSITION),
}


class _Reader:
    def __init__(self, log: ProblemLog, default_category: Category | None) -> None:
        self.log = log
        self.default_category = default_category

    def problem(self, sheet: _Sheet, row: _Row, key: str | None, message: Text) -> None:
        column = sheet.columns.get(key) if key is not None else None
        self.log.add(sheet.table.problem(row.number, column, key, message))

    def too_long(
        self,
        sheet: _Sheet,
        row: _Row,
        texts: dict[str, str | None],
        limits: dict[str, tuple[Text, int]],
    ) -> bool:
        """Reports each text longer than its limit (chamdiem.platform.limits); True if any."""
        found = False
        for key, text in texts.items():
            label, limit = limits[key]
            message = None if text is None else too_long(label, text, limit)
            if message is not None:
                self.problem(sheet, row, key, message)
                found = True
        return found

    def units(self, source: DataSource, read: _Read) -> None:
        table = source.table(UNITS_SHEET)
        if table is None:
            return
        sheet = _layout(table, UNIT_HEADERS, ("code", "name"), self.log)
        if sheet is None or "code" not in sheet.columns or "name" not in sheet.columns:
            return
        read.units_sheet = sheet
        seen: dict[str, int] = {}
        for row in _rows(sheet):
            code, name = _text(sheet, row, "code"), _text(sheet, row, "name")
            if code is None:
                self.problem(sheet, row, "code", Text("thiếu mã đơn vị", "missing unit code"))
                continue
            if name is None:
                self.problem(sheet, row, "name", Text("thiếu tên đơn vị", "missing unit name"))
                continue
            parent, head = _text(sheet, row, "parent"), _text(sheet, row, "head")
            texts = {"code": code, "name": name, "parent": parent, "head": head}
            if self.too_long(sheet, row, texts, _UNIT_LIMITS):
                continue
            first = seen.setdefault(code, row.number)
            if first != row.number:
                self.problem(sheet, row, "code", _duplicate(code, first, row.number))
                continue
            try:
                unit = UnitCreate(code=code, name=name, parent_code=parent, head_code=head)
            except ValidationError:
                self.problem(
                    sheet,
                    row,
                    "code",
                    Text(f"mã '{shown(code)}' không hợp lệ", f"invalid code '{shown(code)}'"),
                )
                continue
            read.units.append((row, unit))

    def people(self, source: DataSource, read: _Read) -> None:
        table = source.table(SUBJECTS_SHEET)
        if table is None:
            found = ", ".join(f"'{name}'" for name in source.sheet_names()) or "—"
            self.log.add(
                DataProblem(
                    source.display,
                    None,
                    None,
                    None,
                    None,
                    Text(
                        f"không có trang tính {SUBJECTS_SHEET[0]} (danh sách người); "
                        f"các trang có: {found}",
                        f"no sheet {SUBJECTS_SHEET[0]} (the list of people); the sheets "
                        f"found: {found}",
                    ),
                )
            )
            return
        sheet = _layout(table, PERSON_HEADERS, ("code",), self.log)
        if sheet is None or "code" not in sheet.columns:
            return
        read.subjects_sheet = sheet
        rows = _rows(sheet)
        codes, names, units, positions, groups, categories = (
            _texts(sheet, rows, key)
            for key in ("code", "name", "unit", "position", "position_group", "category")
        )
        flag_columns = {
            key: sheet.columns[key] for key in ("is_head", "is_deputy") if key in sheet.columns
        }
        parsed: dict[str, Category | None] = {}
        seen: dict[str, int] = {}
        for k, row in enumerate(rows):
            code = codes[k]
            if code is None:
                self.problem(sheet, row, "code", Text("thiếu mã", "missing code"))
                continue
            texts = {
                "code": code,
                "name": names[k],
                "unit": units[k],
                "position": positions[k],
                "position_group": groups[k],
            }
            if self.too_long(sheet, row, texts, _PERSON_LIMITS):
                continue
            first = seen.setdefault(code, row.number)
            if first != row.number:
                self.problem(sheet, row, "code", _duplicate(code, first, row.number))
                continue
            flags = {"is_head": False, "is_deputy": False}
            bad_flag = False
            for key, column in flag_columns.items():
                cell = row.cells[column] if column < len(row.cells) else ""
                if cell is True or cell is False:
                    flags[key] = cell
                elif not is_blank(cell):
                    try:
                        flags[key] = to_bool(cell)
                    except CellError as error:
                        self.problem(sheet, row, key, error.message)
                        bad_flag = True
            if bad_flag:
                continue
            category = self.default_category
            category_text = categories[k]
            if category_text is not None:
                if category_text not in parsed:
                    parsed[category_text] = parse_category(category_text)
                category = parsed[category_text]
                if category is None:
                    self.problem(
                        sheet,
                        row,
                        "category",
                        Text(
                            f"'{shown(category_text)}' không phải cán bộ, công chức hay viên chức",
                            f"'{shown(category_text)}' is not one of cán bộ, công chức, viên chức",
                        ),
                    )
                    continue
            if CONTROL_CHARACTERS.search(code):  # what PersonCreate refuses in a code
                self.problem(
                    sheet,
                    row,
                    "code",
                    Text(f"mã '{shown(code)}' không hợp lệ", f"invalid code '{shown(code)}'"),
                )
                continue
            person = _Person(
                code,
                names[k],
                units[k],
                positions[k],
                groups[k],
                category,
                flags["is_head"],
                flags["is_deputy"],
            )
            read.people.append((row, person))


def _duplicate(code: str, first: int, again: int) -> Text:
    return Text(
        f"mã '{shown(code)}' trùng: đã có ở dòng {first} và dòng {again}",
        f"duplicate code '{shown(code)}': rows {first} and {again}",
    )


# ---------------------------------------------------------------- the plan


@dataclass
class _UnitPlan:
    code: str
    name: str
    parent_code: str | None
    head_code: str | None


@gc_paused()
def load_organisation(
    session: Session,
    path: Path,
    *,
    actor: str,
    default_category: Category | None = None,
) -> OrganisationLoad:
    """Load units and people from the DATA file at `path` (upsert by code, one transaction).
    Raises DataFileError (nothing stored) when the file has problems."""
    digest = file_sha256(path)
    source = open_data(path)
    log = ProblemLog()
    reader = _Reader(log, default_category)
    read = _Read()
    reader.units(source, read)
    reader.people(source, read)
    log.raise_if_any()

    with writing(session):
        outcome = _store(session, read, reader, path, digest, actor)
        log.raise_if_any()
    return outcome


def _store(
    session: Session, read: _Read, reader: _Reader, path: Path, digest: str, actor: str
) -> OrganisationLoad:
    """Check the file against the database, then store units, people, and the links between
    them (parents, heads), with the audit entry; the caller's transaction holds it all."""
    connection = session.connection()
    outcome = OrganisationLoad(file_sha256=digest)
    plan = _plan_units(connection, read, reader)
    _check_tree(plan, read)
    _plan_heads(plan, read)
    reader.log.raise_if_any()

    now = utc_now()
    unit_ids = _store_units(connection, plan, outcome, now)
    _store_people(connection, read, plan, unit_ids, outcome, now)
    _link_units(connection, read, plan, unit_ids, now)
    outcome.heads = len(plan.heads)
    audit.record(
        session,
        actor,
        "org_load",
        "people",
        None,
        file=str(path),
        file_sha256=digest,
        units_created=outcome.units_created,
        units_updated=outcome.units_updated,
        people_created=outcome.people_created,
        people_updated=outcome.people_updated,
    )
    return outcome


@dataclass
class _Plan:
    """What the file asks of the units, checked against the database."""

    reader: _Reader
    existing_units: dict[str, sa.Row[*tuple[Any, ...]]]
    units: dict[str, _UnitPlan] = field(default_factory=dict)
    sheet_unit_rows: dict[str, _Row] = field(default_factory=dict)  # units sheet rows by code
    person_unit: dict[str, str | None] = field(default_factory=dict)  # person -> unit code
    parent_of: dict[str, str | None] = field(default_factory=dict)
    heads: dict[str, str] = field(default_factory=dict)  # unit code -> person code


def _plan_units(connection: sa.Connection, read: _Read, reader: _Reader) -> _Plan:
    """Units: from the units sheet, or from the people's unit cells (by code or by name)."""
    existing_units = {
        db_row.code: db_row
        for db_row in connection.execute(
            sa.select(units_t.c.id, units_t.c.code, units_t.c.name, units_t.c.parent_id)
        )
    }
    plan = _Plan(reader, existing_units)
    units_by_name: dict[str, list[str]] = {}
    for code, db_row in existing_units.items():
        units_by_name.setdefault(db_row.name, []).append(code)

    plans = plan.units
    for row, unit in read.units:
        plans[unit.code] = _UnitPlan(unit.code, unit.name, unit.parent_code, unit.head_code)
        plan.sheet_unit_rows[unit.code] = row
    for unit_plan in plans.values():
        units_by_name.setdefault(unit_plan.name, [])
        if unit_plan.code not in units_by_name[unit_plan.name]:
            units_by_name[unit_plan.name].append(unit_plan.code)

    person_unit = plan.person_unit
    subjects = read.subjects_sheet
    for row, person in read.people:
        wanted = person.unit_code
        if wanted is None:
            person_unit[person.code] = None
            continue
        if wanted in plans or wanted in existing_units:
            person_unit[person.code] = wanted
            continue
        named = units_by_name.get(wanted, [])
        if len(named) == 1:
            person_unit[person.code] = named[0]
        elif len(named) > 1:
            assert subjects is not None
            reader.problem(
                subjects,
                row,
                "unit",
                Text(
                    f"có {len(named)} đơn vị tên '{shown(wanted)}' (mã {', '.join(named)}); "
                    "hãy ghi mã đơn vị",
                    f"{len(named)} units are named '{shown(wanted)}' (codes "
                    f"{', '.join(named)}); write the unit code",
                ),
            )
        elif read.units_sheet is not None:
            assert subjects is not None
            reader.problem(
                subjects,
                row,
                "unit",
                Text(
                    f"đơn vị '{shown(wanted)}' không có trong trang tính đơn vị hay cơ sở dữ liệu",
                    f"unit '{shown(wanted)}' is neither in the units sheet nor in the database",
                ),
            )
        else:
            plans[wanted] = _UnitPlan(wanted, wanted, None, None)
            units_by_name.setdefault(wanted, []).append(wanted)
            person_unit[person.code] = wanted
    return plan


def _check_tree(plan: _Plan, read: _Read) -> None:
    """Parents must exist, and the tree must stay a tree."""
    units_sheet = read.units_sheet
    parent_of = plan.parent_of
    id_to_code = {db_row.id: code for code, db_row in plan.existing_units.items()}
    for code, db_row in plan.existing_units.items():
        parent_of[code] = id_to_code.get(db_row.parent_id)
    for unit_plan in plan.units.values():
        if unit_plan.code in plan.sheet_unit_rows:
            parent_of[unit_plan.code] = unit_plan.parent_code
        else:
            parent_of.setdefault(unit_plan.code, None)
    for code, row in plan.sheet_unit_rows.items():
        parent = plan.units[code].parent_code
        assert units_sheet is not None
        if parent is not None and parent not in parent_of:
            plan.reader.problem(
                units_sheet,
                row,
                "parent",
                Text(
                    f"đơn vị cấp trên '{shown(parent)}' không có",
                    f"parent unit '{shown(parent)}' does not exist",
                ),
            )
        elif _in_cycle(code, parent_of):
            plan.reader.problem(
                units_sheet,
                row,
                "parent",
                Text(
                    f"đơn vị '{shown(code)}' nằm trong vòng lặp cấp trên – cấp dưới",
                    f"unit '{shown(code)}' is part of a cycle of parent units",
                ),
            )


def _plan_heads(plan: _Plan, read: _Read) -> None:
    """One head per unit: the units sheet's head column, else the person marked is_head."""
    subjects = read.subjects_sheet
    heads = plan.heads
    head_rows: dict[str, int] = {}
    for row, person in read.people:
        unit_code = plan.person_unit.get(person.code)
        if not person.is_head or unit_code is None:
            continue
        first = heads.setdefault(unit_code, person.code)
        if first != person.code and plan.units.get(unit_code, _NO_PLAN).head_code is None:
            assert subjects is not None
            plan.reader.problem(
                subjects,
                row,
                "is_head",
                Text(
                    f"đơn vị '{shown(unit_code)}' đã có người đứng đầu {first} "
                    f"(dòng {head_rows[unit_code]})",
                    f"unit '{shown(unit_code)}' already has a head, {first} "
                    f"(row {head_rows[unit_code]})",
                ),
            )
        head_rows.setdefault(unit_code, row.number)


def _store_units(
    connection: sa.Connection, plan: _Plan, outcome: OrganisationLoad, now: datetime
) -> dict[str, int]:
    """Units, without parents and heads (they may refer to rows not written yet); gives every
    unit's id by code."""
    existing_units = plan.existing_units
    new_units = [unit for code, unit in plan.units.items() if code not in existing_units]
    bulk_insert(
        connection,
        units_t,
        ("code", "name", "updated_at"),
        [(unit.code, unit.name, now) for unit in new_units],
    )
    outcome.units_created = len(new_units)
    changed_names = [
        {"b_id": existing_units[code].id, "b_name": unit.name, "b_now": now}
        for code, unit in plan.units.items()
        if code in existing_units and existing_units[code].name != unit.name
    ]
    if changed_names:
        connection.execute(
            sa.update(units_t)
            .where(units_t.c.id == sa.bindparam("b_id"))
            .values(name=sa.bindparam("b_name"), updated_at=sa.bindparam("b_now")),
            changed_names,
        )
    outcome.units_updated = len(changed_names)
    return {row.code: row.id for row in connection.execute(sa.select(units_t.c.id, units_t.c.code))}


def _store_people(
    connection: sa.Connection,
    read: _Read,
    plan: _Plan,
    unit_ids: dict[str, int],
    outcome: OrganisationLoad,
    now: datetime,
) -> None:
    """People: insert the new, update the changed."""
    existing_people = {
        db_row.code: db_row
        for db_row in connection.execute(
            sa.select(
                people_t.c.id,
                people_t.c.code,
                people_t.c.name,
                people_t.c.unit_id,
                people_t.c.position,
                people_t.c.position_group,
                people_t.c.category,
                people_t.c.is_head,
                people_t.c.is_deputy,
            )
        )
    }
    columns = (
        "code",
        "name",
        "unit_id",
        "position",
        "position_group",
        "category",
        "is_head",
        "is_deputy",
    )
    inserts: list[tuple[object, ...]] = []
    updates: list[dict[str, object]] = []
    for _row, person in read.people:
        unit_code = plan.person_unit.get(person.code)
        values = (
            person.code,
            person.name,
            unit_ids[unit_code] if unit_code is not None else None,
            person.position,
            person.position_group,
            person.category,
            person.is_head,
            person.is_deputy,
        )
        old = existing_people.get(person.code)
        if old is None:
            inserts.append((*values, now))
        elif tuple(old[1:]) != values:
            updates.append(
                {"b_id": old.id, "b_now": now}
                | {f"b_{name}": value for name, value in zip(columns[1:], values[1:], strict=True)}
            )
        else:
            outcome.unchanged += 1
    bulk_insert(connection, people_t, (*columns, "updated_at"), inserts)
    if updates:
        connection.execute(
            sa.update(people_t)
            .where(people_t.c.id == sa.bindparam("b_id"))
            .values(
                {name: sa.bindparam(f"b_{name}") for name in columns[1:]}
                | {"updated_at": sa.bindparam("b_now")}
            ),
            updates,
        )
    outcome.people_created, outcome.people_updated = len(inserts), len(updates)


def _link_units(
    connection: sa.Connection, read: _Read, plan: _Plan, unit_ids: dict[str, int], now: datetime
) -> None:
    """Parents and heads, now that every unit and person has its key."""
    person_ids = {
        code: id_ for id_, code in connection.execute(sa.select(people_t.c.id, people_t.c.code))
    }
    heads = plan.heads
    for unit_plan in plan.units.values():
        if unit_plan.head_code is not None:
            heads[unit_plan.code] = unit_plan.head_code
    for code, row in plan.sheet_unit_rows.items():
        head = plan.units[code].head_code
        if head is not None and head not in person_ids:
            assert read.units_sheet is not None
            plan.reader.problem(
                read.units_sheet,
                row,
                "head",
                Text(
                    f"người đứng đầu '{shown(head)}' không có trong danh sách người",
                    f"head '{shown(head)}' is not among the people",
                ),
            )
    plan.reader.log.raise_if_any()
    parents: list[dict[str, object]] = []
    for code in plan.units:
        parent = plan.parent_of.get(code)
        parent_id = unit_ids[parent] if parent else None
        parents.append({"b_id": unit_ids[code], "b_parent": parent_id, "b_now": now})
    if parents:
        connection.execute(
            sa.update(units_t)
            .where(units_t.c.id == sa.bindparam("b_id"))
            .values(parent_id=sa.bindparam("b_parent"), updated_at=sa.bindparam("b_now")),
            parents,
        )
    # A unit's head is set when the file names one; a file that covers only part of a unit
    # does not clear it.
    head_links = [
        {"b_id": unit_ids[code], "b_head": person_ids[head]} for code, head in heads.items()
    ]
    if head_links:
        connection.execute(
            sa.update(units_t)
            .where(units_t.c.id == sa.bindparam("b_id"))
            .values(head_id=sa.bindparam("b_head")),
            head_links,
        )


_NO_PLAN = _UnitPlan("", "", None, None)


def _in_cycle(code: str, parent_of: dict[str, str | None]) -> bool:
    seen = {code}
    current = parent_of.get(code)
    while current is not None:
        if current in seen:
            return True
        seen.add(current)
        current = parent_of.get(current)
    return False


__all__ = ["CATEGORIES", "OrganisationLoad", "load_organisation", "parse_category"]
