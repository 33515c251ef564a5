"""Importing a period's data from the web: a file uploaded on the import page, or records
pushed as JSON through the API. Both are checked as `chamdiem import` checks a file
(`read_cohort`, every problem with its place), plus one check of the web's own: every subject
must be a person of the user's units. Then `import_period_data` stores them, all or nothing.

The work runs as background jobs (jobs.py): checking a large workbook takes seconds. The
file is read in a child process with memory and processor-time limits (reading.py), once per
job: an import's re-check and store use what its check read.
"""

from __future__ import annotations

import csv
import re
import secrets
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from chamdiem.dsl.diagnostics import Text
from chamdiem.platform.db.engine import open_session, transaction
from chamdiem.platform.excel.catalog_keys import keyed_specs
from chamdiem.platform.excel.cohort_reader import read_cohort
from chamdiem.platform.excel.problems import DataFileError, DataProblem
from chamdiem.platform.services.errors import ServiceError
from chamdiem.platform.services.file_subjects import (
    code_problems,
    organisation_mismatches,
    read_roster,
)
from chamdiem.platform.services.imports import (
    CohortReader,
    changes_against_current,
    head_count,
    import_period_data,
)
from chamdiem.platform.services.periods import get_period, refuse_if_locked
from chamdiem.platform.services.records import encode_cohort
from chamdiem.platform.services.rules import program_for, resolve_rule_version
from chamdiem.platform.web.access import Principal, UnitTree, unit_visible
from chamdiem.platform.web.jobs import JobFailed, JobProblem, Progress

ALLOWED_SUFFIXES = (".xlsx", ".xlsm", ".csv")
CHANGED_SHOWN = 50  # people whose values a file changes, listed before it is confirmed
_UNSAFE = re.compile(r"[^\w.\- ]+")


def safe_file_name(name: str) -> str:
    """The uploaded file's own name, made harmless as a file name (no folders, no oddities)."""
    base = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1].strip()
    base = _UNSAFE.sub("_", base).strip(". ") or "du_lieu.xlsx"
    return _shortened(base, MAX_FILE_NAME_BYTES)


# File systems limit a name to 255 bytes, and a Vietnamese letter takes up to 3 of them in
# UTF-8 (more when it is written decomposed): the name is cut by bytes, keeping its suffix.
MAX_FILE_NAME_BYTES = 150


def _shortened(name: str, limit: int) -> str:
    if len(name.encode("utf-8")) <= limit:
        return name
    stem, dot, suffix = name.rpartition(".")
    if not dot or len(suffix) > 10:
        stem, suffix = name, ""
    tail = f".{suffix}" if suffix else ""
    room = limit - len(tail.encode("utf-8"))
    kept = stem.encode("utf-8")[:room].decode("utf-8", "ignore").rstrip(". ") or "du_lieu"
    return kept + tail


def new_upload_path(folder: Path, file_name: str) -> Path:
    """A fresh folder for one upload, so two uploads of the same name never meet."""
    target = folder / secrets.token_hex(12)
    target.mkdir(parents=True, exist_ok=False)
    return target / safe_file_name(file_name)


@dataclass(frozen=True)
class Checked:
    """What a valid file holds, for the user to confirm before it is stored."""

    period: str
    ruleset: str
    rule_sha256: str
    subjects: int
    item_rows: int
    per_unit: list[tuple[str, str, int]]  # unit code, unit name, subjects
    replaces: int = 0  # subjects who have current data for the period, which the file replaces
    changed_total: int = 0  # of those, the ones whose values the file changes
    changed: list[tuple[str, str]] = field(default_factory=list)  # the first CHANGED_SHOWN


def problems_of(
    error: DataFileError, translate: Mapping[str, Any] | None = None
) -> list[JobProblem]:
    """Job problems from a reader's problems: file, sheet, row and column as the user sees
    them (or, for JSON pushed through the API, the path in the JSON)."""
    found: list[JobProblem] = []
    for problem in error.problems:
        where = _where(problem)
        if translate is not None:
            where = translate.get(_key(problem), where)
        found.append(JobProblem(where, problem.message.vi, problem.field))
    return found


def _key(problem: DataProblem) -> str:
    sheet = problem.sheet or Path(problem.file).stem
    return f"{sheet}:{problem.row}"


def _where(problem: DataProblem) -> str:
    parts = [Path(problem.file).name]
    if problem.sheet is not None:
        parts.append(f"trang {problem.sheet}")
    if problem.row is not None:
        parts.append(f"dòng {problem.row}")
    if problem.column is not None:
        parts.append(f"cột {problem.column}")
    return ", ".join(parts)


def _failed(error: DataFileError, translate: Mapping[str, Any] | None = None) -> JobFailed:
    total = len(error.problems) + error.omitted
    return JobFailed(
        f"Tệp có {total} lỗi; không lưu gì vào cơ sở dữ liệu. Hãy sửa rồi tải lên lại.",
        problems_of(error, translate),
        total,
    )


def check_file(
    session: Session,
    principal: Principal,
    tree: UnitTree,
    path: Path,
    period_code: str,
    rules: str | None,
    *,
    preview: bool = True,
    read: CohortReader = read_cohort,
) -> Checked:
    """Check a DATA file for a period as the import would, and that every subject is a
    person of the user's units. With `preview`, also what the user confirms: the file's
    agreement with the organisation and whose stored data it changes (the import itself
    checks the former again and counts the latter, so its re-check leaves both out).
    `read` reads the file. Raises ServiceError or DataFileError; stores nothing."""
    with transaction(session):
        period = get_period(session, period_code)
        refuse_if_locked(period)
        version = resolve_rule_version(session, rules or None, period)
        people = head_count(session)
    program = program_for(version)
    inputs, items = keyed_specs(program, period.start_date)
    cohort = read(path, inputs, items, head_count=people)
    with transaction(session):
        connection = session.connection()
        roster = read_roster(connection, cohort.codes)
        outside = [
            code
            for code in cohort.codes
            if code not in roster.people or not unit_visible(principal, roster.unit_id(code))
        ]
        if outside:
            raise _outside(path, outside)
        replaced: list[int] = []
        changed: list[int] = []
        if preview:
            mismatched = organisation_mismatches(path, cohort, roster)
            if mismatched is not None:
                raise mismatched
            assert period.id is not None
            replaced, changed = changes_against_current(
                connection,
                period.id,
                version.name,
                [roster.person_id(code) for code in cohort.codes],
                encode_cohort(program, cohort),
            )
    counts = Counter(roster.unit_id(code) for code in cohort.codes)
    per_unit = sorted(
        (
            (
                tree.code.get(unit_id, "—") if unit_id else "—",
                tree.name.get(unit_id, "") if unit_id else "",
                n,
            )
            for unit_id, n in counts.items()
        ),
    )
    return Checked(
        period=period.code,
        ruleset=version.name,
        rule_sha256=version.sha256,
        subjects=len(cohort),
        item_rows=sum(len(table) for table in cohort.items.values()),
        per_unit=per_unit,
        replaces=len(replaced),
        changed_total=len(changed),
        changed=[(cohort.codes[k], roster.name(cohort.codes[k])) for k in changed[:CHANGED_SHOWN]],
    )


def _outside(path: Path, codes: Sequence[str]) -> DataFileError:
    """A code that is nobody's and a code of someone in another unit get the same message:
    the user learns nothing about people outside their units."""
    return code_problems(
        path,
        codes,
        lambda code: Text(
            f"mã '{code}' không phải người thuộc các đơn vị bạn phụ trách",
            f"code '{code}' is not a person of your units",
        ),
    )


def check_work(
    engine: Engine,
    principal: Principal,
    tree: UnitTree,
    path: Path,
    period: str,
    rules: str | None,
    translate: Mapping[str, Any] | None = None,
    *,
    preview: bool = True,
    read: CohortReader = read_cohort,
) -> Checked:
    with open_session(engine) as session:
        try:
            return check_file(
                session, principal, tree, path, period, rules, preview=preview, read=read
            )
        except DataFileError as error:
            raise _failed(error, translate) from None
        except ServiceError as error:
            raise JobFailed(error.message, [JobProblem("", d.vi) for d in error.details]) from None


def import_work(
    engine: Engine,
    principal: Principal,
    tree: UnitTree,
    path: Path,
    period: str,
    rules: str | None,
    progress: Progress,
    translate: Mapping[str, Any] | None = None,
    read: CohortReader = read_cohort,
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Check again that the file's people are the user's (the organisation may have changed
    since the user looked) and store; the import checks the rest itself. `read` reads the
    file (for both, if it remembers what it read: reading.IsolatedReader)."""
    progress.stage("Đang kiểm tra lại tệp", 0, 2)
    check_work(engine, principal, tree, path, period, rules, translate, preview=False, read=read)
    progress.stage("Đang lưu dữ liệu", 1, 2)
    with open_session(engine) as session:
        try:
            done = import_period_data(
                session, path, period, rules or None, actor=principal.username, read=read
            )
        except DataFileError as error:
            raise _failed(error, translate) from None
        except ServiceError as error:
            raise JobFailed(error.message) from None
    result = {
        "import_id": done.import_id,
        "created": done.created,
        "subjects": done.subjects,
        "item_rows": done.item_rows,
        "replaced": done.replaced,
        "changed": done.changed,
        "period": done.period,
        "ruleset": done.ruleset,
    }
    links = [
        ("Chạy đánh giá kỳ này", f"/lan-chay/moi?ky={done.period}"),
        ("Về trang nhập dữ liệu", "/nhap-du-lieu"),
    ]
    return result, links


# ---------------------------------------------------------------- JSON records -> CSV folder


JsonValue = str | int | float | bool | Decimal | None


def _cell(value: JsonValue) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)  # the shortest text that reads back as this number
    return str(value)


def records_to_folder(
    folder: Path,
    inputs: Sequence[str],
    items: Mapping[str, Sequence[str]],
    subjects: Sequence[Mapping[str, Any]],
) -> dict[str, str]:
    """Write pushed records as a folder of CSV files the DATA reader reads (subjects.csv and
    one file per items list). Returns, for each written row, the JSON path it came from, so
    a problem is reported where the caller put the value."""
    folder.mkdir(parents=True, exist_ok=True)
    where: dict[str, str] = {}
    with (folder / "subjects.csv").open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, quoting=csv.QUOTE_ALL)
        writer.writerow(["code", *inputs])
        for i, subject in enumerate(subjects):
            values = subject.get("inputs") or {}
            writer.writerow([subject.get("code", ""), *(_cell(values.get(n)) for n in inputs)])
            where[f"subjects:{i + 2}"] = f"subjects[{i}]"
    for name, fields in items.items():
        row = 2
        with (folder / f"{name}.csv").open("w", encoding="utf-8", newline="") as stream:
            writer = csv.writer(stream, quoting=csv.QUOTE_ALL)
            writer.writerow(["code", *fields])
            for i, subject in enumerate(subjects):
                for k, item in enumerate((subject.get("items") or {}).get(name) or []):
                    writer.writerow(
                        [subject.get("code", ""), *(_cell(item.get(f)) for f in fields)]
                    )
                    where[f"{name}:{row}"] = f"subjects[{i}].items.{name}[{k}]"
                    row += 1
    return where


def unknown_names(
    inputs: Sequence[str], items: Mapping[str, Sequence[str]], subjects: Sequence[Mapping[str, Any]]
) -> list[JobProblem]:
    """Names in the pushed JSON that the rule set does not declare (a typo would otherwise
    be silently ignored and the input taken as blank)."""
    problems: list[JobProblem] = []
    known_inputs = set(inputs)
    for i, subject in enumerate(subjects):
        for name in subject.get("inputs") or {}:
            if name not in known_inputs:
                problems.append(
                    JobProblem(
                        f"subjects[{i}].inputs.{name}", f"bộ tiêu chí không có đầu vào '{name}'"
                    )
                )
        for name, rows in (subject.get("items") or {}).items():
            if name not in items:
                problems.append(
                    JobProblem(
                        f"subjects[{i}].items.{name}", f"bộ tiêu chí không có danh sách '{name}'"
                    )
                )
                continue
            for k, item in enumerate(rows or []):
                for field_name in item:
                    if field_name not in items[name]:
                        problems.append(
                            JobProblem(
                                f"subjects[{i}].items.{name}[{k}].{field_name}",
                                f"danh sách '{name}' không có trường '{field_name}'",
                            )
                        )
    return problems


def declared_names(
    engine: Engine, period: str, rules: str | None
) -> tuple[list[str], dict[str, list[str]]]:
    with open_session(engine) as session:
        try:
            with transaction(session):
                period_row = get_period(session, period)
                version = resolve_rule_version(session, rules or None, period_row)
        except ServiceError as error:
            raise JobFailed(error.message) from None
    program = program_for(version)
    return (
        [spec.name for spec in program.inputs],
        {spec.name: [f.name for f in spec.fields] for spec in program.items},
    )
