"""Importing a period's recorded data from a DATA file (`chamdiem import FILE --period P`).

The file is validated exactly as `chamdiem eval` validates it (`read_cohort`), and every
subject must be a person of the organisation. Then, in one transaction: an import record (the
file's SHA-256, rows, who, when), one input record per subject, and the records these replace
marked as superseded (kept, not deleted). Any problem stores nothing.

- The same file again (same bytes, period and rule set, its records still current) changes
  nothing.
- A corrected file replaces the records of the subjects it lists; the others stay. The outcome
  says how many of the replaced records held other values (`changed`), so that the officer
  sees whether the correction did what was meant.
- A locked period refuses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col, func, select

from chamdiem.dsl.data import Cohort
from chamdiem.dsl.diagnostics import Text
from chamdiem.dsl.program import InputSpec, ItemsSpec
from chamdiem.platform.db.bulk import bulk_insert
from chamdiem.platform.db.engine import BUSY_TIMEOUT_MS, lock_wait_timed_out, transaction, writing
from chamdiem.platform.db.models import (
    DataImport,
    InputRecord,
    Period,
    RuleVersion,
)
from chamdiem.platform.db.tables import people_t, records_t
from chamdiem.platform.excel.catalog_keys import keyed_specs
from chamdiem.platform.excel.cohort_reader import read_cohort
from chamdiem.platform.excel.problems import DataFileError, DataProblem
from chamdiem.platform.gc_pause import gc_paused
from chamdiem.platform.services import audit
from chamdiem.platform.services.errors import Busy
from chamdiem.platform.services.file_subjects import (
    code_problems,
    organisation_mismatches,
    read_roster,
)
from chamdiem.platform.services.files import data_size, file_sha256
from chamdiem.platform.services.periods import get_period, refuse_if_locked
from chamdiem.platform.services.records import encode_cohort
from chamdiem.platform.services.rules import program_for, resolve_rule_version
from chamdiem.platform.settings import get_settings


class CohortReader(Protocol):
    """How a DATA file is read: `read_cohort` itself, or (the web service) the same in a
    child process with memory and processor-time limits (web/reading.py). `head_count`, the
    organisation's people, bounds the rows the file may hold before it is parsed."""

    def __call__(
        self,
        path: Path,
        inputs: Sequence[InputSpec],
        items: Sequence[ItemsSpec],
        *,
        head_count: int | None = None,
    ) -> Cohort: ...


def head_count(session: Session) -> int:
    """The people of the organisation: a file for it holds no more subjects than these."""
    return int(
        session.connection().execute(sa.select(sa.func.count()).select_from(people_t)).one()[0]
    )


@dataclass(frozen=True)
class ImportOutcome:
    import_id: int  # the new import, or the earlier one of the same file
    created: bool  # False: this file was imported before and is still current
    subjects: int
    item_rows: int
    replaced: int  # earlier records superseded
    changed: int  # of those, the ones whose values differ from this file's
    period: str
    ruleset: str
    rule_sha256: str


@gc_paused()
def import_period_data(
    session: Session,
    path: Path,
    period_code: str,
    rules: str | None = None,
    *,
    actor: str,
    max_bytes: int | None = None,
    read: CohortReader = read_cohort,
) -> ImportOutcome:
    """Validate and store the DATA file at `path` for a period (see the module's docstring).
    Raises ServiceError (period, rules) or DataFileError (the file), storing nothing. A file
    larger than `max_bytes` (default: the CHAMDIEM_MAX_IMPORT_MB setting) is refused before
    it is read; `read` reads it."""
    _refuse_if_too_large(path, max_bytes)
    # 1. What to read the file against (a read; the file is read outside any transaction).
    with transaction(session):
        period = get_period(session, period_code)
        refuse_if_locked(period)
        version = resolve_rule_version(session, rules, period)
        digest = file_sha256(path)
        earlier = _same_file(session, digest, period, version)
        people = head_count(session)
    if earlier is not None:
        return _outcome(earlier, False, period, version)
    program = program_for(version)
    inputs, items = keyed_specs(program, period.start_date)
    cohort = read(path, inputs, items, head_count=people)
    encoded = encode_cohort(program, cohort)
    item_rows = sum(len(table) for table in cohort.items.values())

    # 2. Store, holding the write lock; what was checked is checked again under it. Another
    # import of the period holding the lock is waited for (then this one sees what it
    # stored); one that holds it too long makes this one give up, storing nothing.
    try:
        with writing(session) as connection:
            period = get_period(session, period.code, for_update=True)
            refuse_if_locked(period)
            earlier = _same_file(session, digest, period, version)
            if earlier is not None:
                return _outcome(earlier, False, period, version)
            roster = read_roster(connection, cohort.codes)
            unknown = roster.unknown(cohort.codes)
            if unknown:
                raise _unknown_people(path, unknown, _nobody(connection))
            mismatched = organisation_mismatches(path, cohort, roster)
            if mismatched is not None:
                raise mismatched
            assert period.id is not None and version.id is not None
            subject_ids = [roster.person_id(code) for code in cohort.codes]
            replaced, changed = changes_against_current(
                connection, period.id, version.name, subject_ids, encoded
            )
            batch = DataImport(
                period_id=period.id,
                rule_version_id=version.id,
                ruleset=version.name,
                file_name=str(path),
                file_sha256=digest,
                subjects=len(cohort),
                item_rows=item_rows,
                replaced=len(replaced),
                imported_by=actor,
            )
            session.add(batch)
            session.flush()
            assert batch.id is not None
            if replaced:
                connection.execute(
                    sa.update(records_t)
                    .where(records_t.c.id == sa.bindparam("b_id"))
                    .values(superseded_by_id=batch.id),
                    [{"b_id": record_id} for record_id in replaced],
                )
            batch_id, period_id, ruleset = batch.id, period.id, version.name
            bulk_insert(
                connection,
                records_t,
                ("import_id", "period_id", "person_id", "ruleset", "inputs_json", "items_json"),
                [
                    (batch_id, period_id, person_id, ruleset, inputs, items)
                    for person_id, (inputs, items) in zip(subject_ids, encoded, strict=True)
                ],
                pause_point="import",
            )
            audit.record(
                session,
                actor,
                "import",
                "data_imports",
                batch.id,
                file=str(path),
                file_sha256=digest,
                period=period.code,
                ruleset=version.name,
                rule_sha256=version.sha256,
                subjects=len(cohort),
                item_rows=item_rows,
                replaced=len(replaced),
                changed=len(changed),
            )
    except OperationalError as error:
        if lock_wait_timed_out(error):
            raise _busy(period.code, path) from None
        raise
    return _outcome(batch, True, period, version, changed=len(changed))


def changes_against_current(
    connection: sa.Connection,
    period_id: int,
    ruleset: str,
    person_ids: Sequence[int],
    encoded: Sequence[tuple[str, str]],
) -> tuple[list[int], list[int]]:
    """For a file's subjects (`person_ids`, with their `encode_cohort` texts): the current
    records of the period and rule set it would supersede, and the indexes (into
    `person_ids`) of the subjects whose stored values differ from the file's. The texts are
    canonical, so equal values are equal texts."""
    current = {
        person_id: (record_id, (inputs, items))
        for record_id, person_id, inputs, items in connection.execute(
            sa.select(
                records_t.c.id,
                records_t.c.person_id,
                records_t.c.inputs_json,
                records_t.c.items_json,
            ).where(
                records_t.c.period_id == period_id,
                records_t.c.ruleset == ruleset,
                records_t.c.superseded_by_id.is_(None),
            )
        )
    }
    replaced: list[int] = []
    changed: list[int] = []
    for index, (person_id, texts) in enumerate(zip(person_ids, encoded, strict=True)):
        found = current.get(person_id)
        if found is not None:
            replaced.append(found[0])
            if found[1] != texts:
                changed.append(index)
    return replaced, changed


def _refuse_if_too_large(path: Path, max_bytes: int | None) -> None:
    """A file larger than the limit would hold gigabytes of memory while it is read (a
    province of 100,000 people is about 26 MB): refused with its size and the limit."""
    limit = max_bytes if max_bytes is not None else get_settings().max_import_mb * _MB
    size = data_size(path)
    if size <= limit:
        return
    have, most = _megabytes(size), _megabytes(limit)
    message = Text(
        f"tệp nặng {have.replace('.', ',')} MB, vượt giới hạn nhập {most.replace('.', ',')} MB "
        "(CHAMDIEM_MAX_IMPORT_MB); hãy tách thành nhiều tệp (theo đơn vị) hoặc nâng giới hạn; "
        "chưa đọc và chưa lưu gì",
        f"the file is {have} MB, over the import limit of {most} MB (CHAMDIEM_MAX_IMPORT_MB); "
        "split it into several files (by unit) or raise the limit; nothing was read or stored",
    )
    raise DataFileError([DataProblem(str(path), None, None, None, None, message)])


_MB = 1024 * 1024


def _megabytes(size: int) -> str:
    return f"{size / _MB:.1f}".removesuffix(".0")


def _busy(period_code: str, path: Path) -> Busy:
    seconds = BUSY_TIMEOUT_MS // 1000
    return Busy(
        Text(
            f"cơ sở dữ liệu đang bận: một thao tác ghi khác (một lần nhập khác cho kỳ "
            f"{period_code}, một lần chạy đánh giá, …) chưa xong sau {seconds} giây; chưa lưu "
            f"gì từ {path.name}, hãy nhập lại sau ít phút",
            f"the database is busy: another write (another import for period {period_code}, "
            f"an evaluation run, …) has not finished after {seconds} seconds; nothing from "
            f"{path.name} was stored, import it again in a few minutes",
        )
    )


def _outcome(
    batch: DataImport, created: bool, period: Period, version: RuleVersion, *, changed: int = 0
) -> ImportOutcome:
    assert batch.id is not None
    return ImportOutcome(
        import_id=batch.id,
        created=created,
        subjects=batch.subjects,
        item_rows=batch.item_rows,
        replaced=batch.replaced if created else 0,
        changed=changed,
        period=period.code,
        ruleset=version.name,
        rule_sha256=version.sha256,
    )


def _same_file(
    session: Session, digest: str, period: Period, version: RuleVersion
) -> DataImport | None:
    """An earlier import of these bytes for this period and rule set whose records are all
    still current (importing it again would change nothing)."""
    earlier = session.exec(
        select(DataImport)
        .where(
            DataImport.file_sha256 == digest,
            DataImport.period_id == period.id,
            DataImport.ruleset == version.name,
        )
        .order_by(col(DataImport.id).desc())
    ).first()
    if earlier is None:
        return None
    superseded = session.exec(
        select(func.count())
        .select_from(InputRecord)
        .where(InputRecord.import_id == earlier.id, col(InputRecord.superseded_by_id).is_not(None))
    ).one()
    return earlier if superseded == 0 else None


def _nobody(connection: sa.Connection) -> bool:
    """No person loaded at all (the organisation is still to be loaded)."""
    return connection.execute(sa.select(people_t.c.id).limit(1)).first() is None


def _unknown_people(path: Path, codes: Sequence[str], empty: bool) -> DataFileError:
    """Each unknown code at its cell of the subjects sheet."""
    hint = Text(
        "; chưa nạp danh sách người: chạy `chamdiem org load` trước" if empty else "",
        "; no people loaded yet: run `chamdiem org load` first" if empty else "",
    )
    return code_problems(
        path,
        codes,
        lambda code: Text(
            f"mã '{code}' không có trong danh sách người của tổ chức{hint.vi}",
            f"code '{code}' is not a person of the organisation{hint.en}",
        ),
    )
