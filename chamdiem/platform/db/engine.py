"""Engines and sessions for SQLite (the embedded default) and PostgreSQL (production).

SQLite needs three settings on every connection, not once per file: WAL (readers do not block
the writer), foreign keys (off by default!) and a busy timeout (wait for a writer instead of
failing at once). They are set by a `connect` listener, so no connection can miss them.

SQLite's Python driver also starts transactions on its own, late and only before writes, so a
service that reads and then writes could see a snapshot that another writer has moved past.
We take transaction control from the driver and emit BEGIN ourselves: DEFERRED for readers,
IMMEDIATE (the write lock up front) for a session that `begin_write` marks as a writer.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

BUSY_TIMEOUT_MS = 30_000
WRITE_OPTION = "chamdiem_write"


def normalise_url(url: str) -> str:
    """`postgresql://` and `postgres://` mean PostgreSQL through psycopg 3 (SQLAlchemy would
    otherwise pick psycopg2, which we do not install)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for `url`; for a SQLite file, its folder is created when missing."""
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, **kwargs)
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def is_sqlite(engine_or_connection: Engine | Connection) -> bool:
    return engine_or_connection.dialect.name == "sqlite"


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (see _on_begin)
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA foreign_keys = ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        writing = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")


def begin_write(session: Session) -> Connection:
    """Start the session's transaction as a writer (on SQLite: take the write lock now, so
    what the service reads is still true when it writes). Call it first in a service that
    writes; if the session's transaction has already begun, it stays as it is.

    A writer waits for another writer's locks at most BUSY_TIMEOUT_MS on either database
    (SQLite's busy timeout; PostgreSQL's lock_timeout for this transaction), then fails with
    an error that `lock_wait_timed_out` recognises."""
    if session.in_transaction():
        return session.connection()
    connection = session.connection(execution_options={WRITE_OPTION: True})
    _limit_lock_wait(connection)
    return connection


def _limit_lock_wait(connection: Connection) -> None:
    """PostgreSQL waits for a lock forever unless told; SQLite has its busy timeout."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SET LOCAL lock_timeout = {int(BUSY_TIMEOUT_MS)}")


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A connection in a writer's transaction (as `begin_write` starts one for a session),
    committed at the end of the block, rolled back if it raises. For small Core writes
    that read first (on SQLite a reader's transaction cannot become a writer once another
    writer has committed)."""
    with (
        engine.connect().execution_options(**{WRITE_OPTION: True}) as connection,
        connection.begin(),
    ):
        _limit_lock_wait(connection)
        yield connection


@contextmanager
def transaction(session: Session) -> Iterator[Session]:
    """The session's work in one transaction: committed when the block ends (a `return`
    inside it ends it too), rolled back and the error raised again if it raises. A block that
    only reads commits as well: that ends the read, and the objects stay loaded
    (`open_session` does not expire them)."""
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise


@contextmanager
def writing(session: Session) -> Iterator[Connection]:
    """`transaction` begun as a writer (`begin_write`): what the block reads is still true
    when it writes. Gives the session's connection, for Core statements."""
    with transaction(session):
        yield begin_write(session)


def lock_wait_timed_out(error: BaseException) -> bool:
    """Whether `error` is a writer giving up waiting for another writer (SQLite: database
    locked or busy; PostgreSQL: lock_timeout, SQLSTATE 55P03)."""
    if not isinstance(error, OperationalError):
        return False
    cause = error.orig
    if isinstance(cause, sqlite3.OperationalError):
        text = str(cause).lower()
        return "locked" in text or "busy" in text
    return getattr(cause, "sqlstate", None) == "55P03"


def open_session(engine: Engine) -> Session:
    """A session whose objects stay readable after commit (services return them)."""
    return Session(engine, expire_on_commit=False)
