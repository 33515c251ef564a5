"""Two imports of the same period at once: the second waits for the first to be stored and
then does its own work against what the first left (a no-op for the same file, a correction
for another one), or, when it cannot have the database in time, is refused with a clear
message. Never an unexpected error, never anything partial."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from chamdiem.platform.db import engine as db_engine
from chamdiem.platform.db.engine import make_engine, open_session
from chamdiem.platform.services import imports
from chamdiem.platform.services.errors import Busy
from chamdiem.platform.services.imports import ImportOutcome, import_period_data
from tests.platform.db.helpers import (
    ACTOR,
    PERIOD,
    count,
    counts,
    people_copy,
    prepare,
    workbook,
)

WAIT = 60


class Held:
    """Makes the first import that reaches its bulk insert (holding the write lock) wait
    until the test releases it."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.inside = threading.Event()
        self.release = threading.Event()
        real = imports.bulk_insert
        first = threading.Lock()

        def held(*args: Any, **kwargs: Any) -> int:
            if first.acquire(blocking=False):
                self.inside.set()
                assert self.release.wait(WAIT)
            return real(*args, **kwargs)

        monkeypatch.setattr(imports, "bulk_insert", held)


def in_thread(engine: Engine, book: Path) -> tuple[threading.Thread, dict[str, Any]]:
    """Import `book` in a thread of its own, with a session of its own."""
    outcome: dict[str, Any] = {}

    def work() -> None:
        with open_session(engine) as session:
            try:
                outcome["done"] = import_period_data(session, book, PERIOD, actor=ACTOR)
            except BaseException as error:  # handed to the test
                outcome["error"] = error

    thread = threading.Thread(target=work)
    thread.start()
    return thread, outcome


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> Held:
    return Held(monkeypatch)


def test_the_same_file_twice_at_once_is_stored_once(
    session: Session, engine: Engine, tmp_path: Path, held: Held
) -> None:
    book = prepare(session, tmp_path, data=False)
    first, first_outcome = in_thread(engine, book)
    assert held.inside.wait(WAIT)
    second, second_outcome = in_thread(engine, book)
    second.join(1.0)  # it waits for the first one's write lock
    held.release.set()
    first.join(WAIT)
    second.join(WAIT)
    assert "error" not in first_outcome, first_outcome
    assert "error" not in second_outcome, second_outcome
    done: ImportOutcome = first_outcome["done"]
    again: ImportOutcome = second_outcome["done"]
    assert done.created and not again.created and again.import_id == done.import_id
    assert count(engine, "data_imports") == 1 and count(engine, "input_records") == 14


def test_a_correction_imported_while_the_first_file_is_stored_supersedes_it(
    session: Session, engine: Engine, tmp_path: Path, held: Held
) -> None:
    book = prepare(session, tmp_path, data=False)
    fixes = [p for p in people_copy() if p.code == "A1"]
    fixes[0].scores = (9, 9, 9)
    correction = workbook(tmp_path / "sua.xlsx", fixes)
    first, first_outcome = in_thread(engine, book)
    assert held.inside.wait(WAIT)
    second, second_outcome = in_thread(engine, correction)
    second.join(1.0)
    held.release.set()
    first.join(WAIT)
    second.join(WAIT)
    assert "error" not in first_outcome and "error" not in second_outcome
    assert second_outcome["done"].replaced == 1
    assert count(engine, "input_records") == 15
    assert count(engine, "input_records", "superseded_by_id IS NULL") == 14


def test_an_import_that_cannot_have_the_database_in_time_is_refused_clearly(
    session: Session,
    engine: Engine,
    db_url: str,
    tmp_path: Path,
    held: Held,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    book = prepare(session, tmp_path, data=False)
    fixes = [p for p in people_copy() if p.code == "A1"]
    correction = workbook(tmp_path / "sua.xlsx", fixes)
    first, first_outcome = in_thread(engine, book)
    assert held.inside.wait(WAIT)
    before = counts(engine)
    monkeypatch.setattr(db_engine, "BUSY_TIMEOUT_MS", 300)  # for connections made from now
    impatient = make_engine(db_url)
    try:
        with open_session(impatient) as other, pytest.raises(Busy) as refused:
            import_period_data(other, correction, PERIOD, actor=ACTOR)
    finally:
        impatient.dispose()
        held.release.set()
        first.join(WAIT)
    assert "cơ sở dữ liệu đang bận" in refused.value.message.vi
    assert f"kỳ {PERIOD}" in refused.value.message.vi and "sua.xlsx" in refused.value.message.vi
    assert "error" not in first_outcome and first_outcome["done"].created
    after = counts(engine)
    assert after["data_imports"] == before["data_imports"] + 1  # the first one's only
    assert count(engine, "input_records") == 14
