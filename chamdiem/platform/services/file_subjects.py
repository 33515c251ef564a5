"""A DATA file's subjects against the organisation in the database, each problem at its cell.

The input template pre-fills each person's name, unit, position group and head flag "for
matching": the import's values come from the code alone, so a mistyped or swapped code would
give one person's scores to another. A file whose name, unit, position group or head flag for a
code says otherwise than the organisation is therefore refused at that cell. Blank cells and
columns left out are not compared (a file may hold only codes and inputs).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from chamdiem.dsl.data import Cohort
from chamdiem.dsl.diagnostics import Text
from chamdiem.platform.db.tables import people_t, units_t
from chamdiem.platform.excel.cells import shown, to_text
from chamdiem.platform.excel.cohort_reader import CODE_HEADERS, SUBJECT_HEADERS, SUBJECTS_SHEET
from chamdiem.platform.excel.problems import (
    PROBLEM_LIMIT,
    DataFileError,
    DataProblem,
    column_index,
)
from chamdiem.platform.excel.tables import find_header_row, header_key, open_data

Place = tuple[str, str | None, int | None, str | None]  # file, sheet, row, column letter


def code_problems(
    path: Path, codes: Sequence[str], message: Callable[[str], Text]
) -> DataFileError:
    """The refusal of a file for `codes` of its subjects sheet, each at its cell, with
    `message` of the code as shown."""
    places = subject_cells(path, set(codes))
    problems: list[DataProblem] = []
    for code in codes[:PROBLEM_LIMIT]:
        file, sheet, row, column = places.get(code, (str(path), None, None, None))
        problems.append(DataProblem(file, sheet, row, column, "code", message(shown(code))))
    return DataFileError(problems, len(codes) - len(problems))


@dataclass(frozen=True)
class Roster:
    """The people a file names, as the organisation has them, read in one query: for finding
    each code's person and for comparing what the file says of them."""

    people: Mapping[str, Sequence[Any]]  # code -> (id, code, name, unit_id, group, is_head)
    units: Mapping[int, tuple[str, str]]  # unit id -> (code, name)

    def person_id(self, code: str) -> int:
        return int(self.people[code][0])

    def unit_id(self, code: str) -> int | None:
        unit: int | None = self.people[code][3]
        return unit

    def name(self, code: str) -> str:
        return str(self.people[code][2])

    def unknown(self, codes: Sequence[str]) -> list[str]:
        return [code for code in codes if code not in self.people]


def read_roster(connection: sa.Connection, codes: Sequence[str]) -> Roster:
    """The people with these codes (a code that is nobody's is simply not there)."""
    query = sa.select(
        people_t.c.id,
        people_t.c.code,
        people_t.c.name,
        people_t.c.unit_id,
        people_t.c.position_group,
        people_t.c.is_head,
    )
    people = {row[1]: row for row in connection.execute(of_codes(query, people_t.c.code, codes))}
    units = {
        id_: (code, name)
        for id_, code, name in connection.execute(
            sa.select(units_t.c.id, units_t.c.code, units_t.c.name)
        )
    }
    return Roster(people, units)


def organisation_mismatches(path: Path, cohort: Cohort, roster: Roster) -> DataFileError | None:
    """The refusal of a file whose subjects' names, units, position groups or head flags differ
    from the organisation's (every subject must be in `roster`)."""
    listed = {
        "name": cohort.names,
        "unit": cohort.units,
        "position_group": cohort.position_groups,
        "is_head": cohort.is_head,
    }
    if all(values is None for values in listed.values()):
        return None
    theirs = _organisation_columns(roster, cohort.codes)
    found: list[tuple[str, str, Text]] = []  # code, field, message
    for field, values in listed.items():
        if values is None:
            continue
        # Cells as pre-filled are equal to the organisation's first value: only the others
        # (written by hand, or wrong) are looked at one by one.
        accepted = theirs[field]
        for k in [k for k, (a, b) in enumerate(zip(values, accepted[0], strict=True)) if a != b]:
            if values[k] is None:
                continue
            spellings = tuple(column[k] for column in accepted)
            message = _mismatch(field, shown(cohort.codes[k]), values[k], spellings)
            if message is not None:
                found.append((cohort.codes[k], field, message))
    if not found:
        return None
    problems: list[DataProblem] = []
    for field in listed:
        codes = {code for code, of, _ in found if of == field}
        if codes:
            places = subject_cells(path, codes, SUBJECT_HEADERS[field])
            problems.extend(
                DataProblem(*places.get(code, (str(path), None, None, None)), field, message)
                for code, of, message in found
                if of == field
            )
    problems.sort(key=lambda p: (p.row or 0, column_index(p.column) if p.column else -1))
    return DataFileError(problems[:PROBLEM_LIMIT], max(0, len(problems) - PROBLEM_LIMIT))


_FIX = Text(
    "kiểm tra lại mã; nếu tổ chức trong cơ sở dữ liệu đã cũ, nạp lại bằng `chamdiem org load`",
    "check the code; if the organisation in the database is out of date, load it again with "
    "`chamdiem org load`",
)


def _mismatch(field: str, code: str, value: object, accepted: tuple[object, ...]) -> Text | None:
    """What is wrong with a subject's `value` for `field` that is not `accepted[0]`, the
    organisation's (a unit may also be written by its name, `accepted[1]`)."""
    if field == "is_head":
        if value == accepted[0]:
            return None
        vi = "là người đứng đầu" if accepted[0] else "không phải người đứng đầu"
        en = "is the head of the unit" if accepted[0] else "is not the head of the unit"
        return Text(
            f"trong tổ chức, người mã '{code}' {vi}, tệp ghi khác; {_FIX.vi}",
            f"in the organisation, the person with code '{code}' {en}; the file says otherwise; "
            f"{_FIX.en}",
        )
    assert isinstance(value, str)
    key = header_key(value)  # case and spacing of a value written by hand do not matter
    if any(isinstance(a, str) and header_key(a) == key for a in accepted):
        return None
    ours = shown(str(accepted[0] or "—"))
    what = {
        "name": ("là của", "belongs to"),
        "unit": ("thuộc đơn vị", "is in unit"),
        "position_group": ("thuộc nhóm vị trí", "is in position group"),
    }[field]
    return Text(
        f"trong tổ chức, mã '{code}' {what[0]} '{ours}', tệp ghi '{shown(value)}'; {_FIX.vi}",
        f"in the organisation, code '{code}' {what[1]} '{ours}', the file says "
        f"'{shown(value)}'; {_FIX.en}",
    )


def _organisation_columns(
    roster: Roster, codes: Sequence[str]
) -> dict[str, tuple[list[object], ...]]:
    """What the organisation says of each of `codes`, per field as columns in the order of
    `codes`: the value as the template pre-fills it, then other accepted spellings (a unit's
    name for its code)."""
    people = [roster.people[code] for code in codes]
    no_unit = ("", "")
    units = [roster.units.get(person[3], no_unit) if person[3] else no_unit for person in people]
    return {
        "name": ([person[2] for person in people],),
        "unit": ([unit[0] for unit in units], [unit[1] for unit in units]),
        "position_group": ([person[4] for person in people],),
        "is_head": ([bool(person[5]) for person in people],),
    }


IN_LIST_LIMIT = 5000  # more codes than this: read every person instead of listing them


def of_codes(
    query: sa.Select[Any], column: sa.ColumnElement[str], codes: Sequence[str]
) -> sa.Select[Any]:
    """`query` limited to these codes: by a list for a unit's file, by no filter at all for a
    province's (PostgreSQL takes at most 65,535 parameters in a statement, SQLite 250,000)."""
    if len(codes) > IN_LIST_LIMIT:
        return query
    return query.where(column.in_(sorted(set(codes))))


def subject_cells(
    path: Path, codes: set[str], field_headers: Sequence[str] = CODE_HEADERS
) -> dict[str, Place]:
    """Where each of `codes` sits in the subjects sheet: its row, and the column of the field
    with these headers (the code's own column by default)."""
    source = open_data(path)
    table = source.table(SUBJECTS_SHEET)
    if table is None:
        return {}
    code_keys = {header_key(h) for h in CODE_HEADERS}
    field_keys = {header_key(h) for h in field_headers}
    header = find_header_row(table.rows, code_keys.__contains__)
    if header is None:
        return {}

    def column_of(keys: set[str]) -> int | None:
        return next(
            (
                index
                for index, cell in enumerate(table.rows[header])
                if isinstance(cell, str) and header_key(cell) in keys
            ),
            None,
        )

    code_column, field_column = column_of(code_keys), column_of(field_keys)
    if code_column is None or field_column is None:
        return {}
    found: dict[str, Place] = {}
    for offset, row in enumerate(table.rows[header + 1 :]):
        if code_column < len(row):
            code = to_text(row[code_column])
            if code in codes and code not in found:
                problem = table.problem(header + offset + 2, field_column, None, Text("", ""))
                found[code] = (problem.file, problem.sheet, problem.row, problem.column)
    return found
