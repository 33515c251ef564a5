"""Inserting many rows inside the caller's transaction: SQLAlchemy Core executemany on SQLite,
COPY on PostgreSQL (about five times faster than batched INSERTs for a province's rows).

Either way nothing is committed here: the rows become visible with the caller's commit, or
never (a crash, a kill -9, an exception rolls them back with everything else).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

CHUNK = 20_000

# A test hook: with CHAMDIEM_TEST_PAUSE_AT=<point> the process writes CHAMDIEM_TEST_PAUSE_FILE
# and sleeps when half the rows of that bulk insert are written (the test then kills it).
PAUSE_AT_ENV = "CHAMDIEM_TEST_PAUSE_AT"
PAUSE_FILE_ENV = "CHAMDIEM_TEST_PAUSE_FILE"


def _pause_if_asked(point: str | None) -> None:
    if point is None or os.environ.get(PAUSE_AT_ENV) != point:
        return
    marker = os.environ.get(PAUSE_FILE_ENV)
    if marker:
        Path(marker).write_text(str(os.getpid()), encoding="utf-8")
    time.sleep(3600)


def bulk_insert(
    connection: Connection,
    table: sa.Table,
    columns: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    pause_point: str | None = None,
) -> int:
    """Insert `rows` (tuples in the order of `columns`) into `table`; returns the count."""
    if not rows:
        return 0
    if not connection.in_transaction():
        # COPY goes to the driver directly: make sure it runs inside SQLAlchemy's transaction,
        # which the caller commits or rolls back.
        connection.begin()
    if connection.dialect.name == "postgresql":
        _copy(connection, table, columns, rows, pause_point)
    else:
        _executemany(connection, table, columns, rows, pause_point)
    return len(rows)


def _executemany(
    connection: Connection,
    table: sa.Table,
    columns: Sequence[str],
    rows: Sequence[Sequence[object]],
    pause_point: str | None,
) -> None:
    """The driver's executemany with the columns' own conversions (dates and times as
    SQLAlchemy stores them), without building a dict per row."""
    dialect = connection.dialect
    if dialect.paramstyle != "qmark":  # not sqlite3: let SQLAlchemy do it
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            connection.execute(table.insert(), [dict(zip(columns, r, strict=True)) for r in chunk])
        return
    quote = dialect.identifier_preparer.quote
    names = ", ".join(quote(column) for column in columns)
    marks = ", ".join("?" for _ in columns)
    statement = f"INSERT INTO {quote(table.name)} ({names}) VALUES ({marks})"
    processors = [
        (index, processor)
        for index, column in enumerate(columns)
        if (processor := table.c[column].type.bind_processor(dialect)) is not None
    ]
    half = len(rows) // 2
    paused = False
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        if processors:
            chunk = _processed(chunk, processors)
        connection.exec_driver_sql(statement, list(chunk))
        if not paused and start + len(chunk) >= half:
            paused = True
            _pause_if_asked(pause_point)


def _processed(
    rows: Sequence[Sequence[object]], processors: Sequence[tuple[int, Callable[[Any], Any]]]
) -> list[tuple[object, ...]]:
    """Rows with the columns' conversions applied; a value that repeats the one above (the
    same time stamp on every row) is converted once."""
    converted = []
    last: dict[int, tuple[object, object]] = {}
    for row in rows:
        values = list(row)
        for index, processor in processors:
            value = values[index]
            done = last.get(index)
            if done is not None and done[0] is value:
                values[index] = done[1]
            else:
                values[index] = out = processor(value)
                last[index] = (value, out)
        converted.append(tuple(values))
    return converted


def _copy(
    connection: Connection,
    table: sa.Table,
    columns: Sequence[str],
    rows: Sequence[Sequence[object]],
    pause_point: str | None,
) -> None:
    quote = connection.dialect.identifier_preparer.quote
    names = ", ".join(quote(column) for column in columns)
    statement = f"COPY {quote(table.name)} ({names}) FROM STDIN"
    driver = connection.connection.driver_connection
    assert driver is not None
    half = len(rows) // 2
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        for index, row in enumerate(rows):
            copy.write_row(row)
            if index == half:
                _pause_if_asked(pause_point)


def reserve_ids(connection: Connection, table: sa.Table, count: int) -> list[int]:
    """`count` new primary keys for `table`, for rows that other rows in the same bulk load
    refer to (COPY cannot return the keys it made). On PostgreSQL from the table's sequence;
    on SQLite after the largest key, which is safe because the caller holds the write lock."""
    if count == 0:
        return []
    if connection.dialect.name == "postgresql":
        result = connection.execute(
            sa.text(
                "SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)"
            ),
            {"table": table.name, "n": count},
        )
        return [int(value) for value in result.scalars()]
    largest = connection.execute(sa.select(sa.func.max(table.c.id))).scalar()
    first = int(largest or 0) + 1
    return list(range(first, first + count))
