"""A DATA file's subjects against the organisation in the database, each problem at its cell.

The input template pre-fills each person's name, unit, position group and head flag "for
matching": the import's values come from the code alone, so a mistyped or swapped code would
give one person's scores to another. A file whose name, unit, position group or head flag for a
code says otherwise than the organisation is therefore refused at that cell. Blank cells and
columns left out are not compared (a file may hold only codes and inputs).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
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


def organisation_mismatches(
    connection: sa.Connection, path: Path, cohort: Cohort
) -> DataFileError | None:
    """The refusal of a file whose subjects' names, units, position groups or head flags differ
    from the organisation's (every subject must be a person already)."""
    listed = {
        "name": cohort.names,
        "unit": cohort.units,
        "position_group": cohort.position_groups,
        "is_head": cohort.is_head,
    }
    if all(values is None for values in listed.values()):
        return None
    known = _people(connection, cohort.codes)
    found: list[tuple[str, str, Text]] = []  # code, field, message
    for field, values in listed.items():
        if values is None:
            continue
        for code, value in zip(cohort.codes, values, strict=True):
            if value is None:
                continue
            message = _mismatch(field, shown(code), value, known[code])
            if message is not None:
                found.append((code, field, message))
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


def _mismatch(field: str, code: str, value: object, person: Mapping[str, object]) -> Text | None:
    if field == "is_head":
        if value == person["is_head"]:
            return None
        vi = "là người đứng đầu" if person["is_head"] else "không phải người đứng đầu"
        en = "is the head of the unit" if person["is_head"] else "is not the head of the unit"
        return Text(
            f"trong tổ chức, người mã '{code}' {vi}, tệp ghi khác; {_FIX.vi}",
            f"in the organisation, the person with code '{code}' {en}; the file says otherwise; "
            f"{_FIX.en}",
        )
    assert isinstance(value, str)
    accepted = person[field]
    if not isinstance(accepted, tuple):
        accepted = (accepted,)
    if value in accepted or any(  # as pre-filled; else as written by hand
        isinstance(a, str) and header_key(a) == header_key(value) for a in accepted
    ):
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


def _people(connection: sa.Connection, codes: Sequence[str]) -> dict[str, dict[str, object]]:
    """What the organisation says of each person: name, unit (its code and its name, either
    may be written), position group, head flag."""
    query = sa.select(
        people_t.c.code,
        people_t.c.name,
        units_t.c.code,
        units_t.c.name,
        people_t.c.position_group,
        people_t.c.is_head,
    ).select_from(people_t.outerjoin(units_t, people_t.c.unit_id == units_t.c.id))
    return {
        code: {
            "name": name,
            "unit": (unit_code, unit_name),
            "position_group": group,
            "is_head": bool(head),
        }
        for code, name, unit_code, unit_name, group, head in connection.execute(
            of_codes(query, people_t.c.code, codes)
        )
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
