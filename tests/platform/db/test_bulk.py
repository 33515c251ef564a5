"""Bulk loading: the same rows arrive on both databases (COPY on PostgreSQL), inside the
caller's transaction."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy import Engine

from chamdiem.platform.db.bulk import bulk_insert, reserve_ids
from chamdiem.platform.db.models import Unit


def test_rows_with_awkward_text_arrive_unchanged_and_only_on_commit(engine: Engine) -> None:
    table = Unit.__table__  # type: ignore[attr-defined]
    when = datetime(2026, 4, 1, 8, 30, tzinfo=UTC)
    awkward = ["Phòng\tTổng hợp", "tab\\n backslash", 'quote " and , comma', "dòng\nmới", "∅"]
    rows = [(f"U{i}", name, when) for i, name in enumerate(awkward)]
    with engine.connect() as connection:
        assert bulk_insert(connection, table, ("code", "name", "updated_at"), rows) == 5
        connection.rollback()
        assert connection.execute(sa.text("SELECT count(*) FROM units")).scalar_one() == 0
    with engine.begin() as connection:
        bulk_insert(connection, table, ("code", "name", "updated_at"), rows)
    with engine.connect() as connection:
        found = connection.execute(sa.text("SELECT code, name FROM units ORDER BY id")).all()
    assert [tuple(row) for row in found] == [(code, name) for code, name, _ in rows]


def test_reserved_ids_are_new_and_usable(engine: Engine) -> None:
    table = Unit.__table__  # type: ignore[attr-defined]
    when = datetime(2026, 4, 1, tzinfo=UTC)
    with engine.begin() as connection:
        connection.execute(table.insert(), [{"code": "A", "name": "A", "updated_at": when}])
        ids = reserve_ids(connection, table, 3)
        assert len(set(ids)) == 3
        existing = connection.execute(sa.text("SELECT id FROM units")).scalars().all()
        assert not set(ids) & set(existing)
        bulk_insert(
            connection,
            table,
            ("id", "code", "name", "updated_at"),
            [(i, f"R{i}", "r", when) for i in ids],
        )
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM units")).scalar_one() == 4
