"""`chamdiem db upgrade`: the migrations kept in the package build the schema the models
describe, on SQLite and on PostgreSQL, and can be taken down and up again."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine
from sqlmodel import SQLModel

from chamdiem.platform.db import models  # noqa: F401  (registers the tables)
from chamdiem.platform.db.engine import make_engine
from chamdiem.platform.db.migrate import current_revision, downgrade, head_revision, upgrade
from tests.platform.db.helpers import TABLES


def test_upgrade_creates_every_table_at_the_head_revision(engine: Engine) -> None:
    names = set(sa.inspect(engine).get_table_names())
    assert set(TABLES) <= names
    assert current_revision(engine) == head_revision()


def test_the_models_and_the_migrations_agree(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []


def test_upgrade_again_changes_nothing(engine: Engine) -> None:
    before, after = upgrade(engine)
    assert before == after == head_revision()


def test_downgrade_to_nothing_and_up_again(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        assert upgrade(engine) == (None, head_revision())
        downgrade(engine, "base")
        assert current_revision(engine) is None
        assert not set(TABLES) & set(sa.inspect(engine).get_table_names())
        upgrade(engine)
        assert set(TABLES) <= set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_every_sqlite_connection_has_wal_foreign_keys_and_a_busy_timeout(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'sub' / 'x.db'}")
    try:
        for _ in range(2):  # a fresh connection each time, not one configured once
            with engine.connect() as connection:
                assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
                assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
                assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
            engine.dispose()
    finally:
        engine.dispose()
    assert (tmp_path / "sub" / "x.db").exists()


def test_foreign_keys_are_enforced(engine: Engine) -> None:
    with engine.connect() as connection:
        try:
            connection.execute(
                sa.text(
                    "INSERT INTO people (code, is_head, unit_id, updated_at) "
                    "VALUES ('X', false, 999, CURRENT_TIMESTAMP)"
                )
            )
        except sa.exc.IntegrityError:
            connection.rollback()
        else:
            raise AssertionError("a person in a unit that does not exist was accepted")
