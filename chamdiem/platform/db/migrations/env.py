"""Alembic's environment for chamdiem's migrations, run programmatically (no alembic.ini):
`chamdiem.platform.db.migrate.upgrade(engine)` passes an open connection in
`config.attributes["connection"]`; without one, the URL in the config's `sqlalchemy.url` is
used through our engine factory, so SQLite gets its pragmas either way."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import chamdiem.platform.db.models  # noqa: F401  (registers the tables)
from chamdiem.platform.db.engine import make_engine

target_metadata = SQLModel.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no database connection or URL given to the migrations")
    engine = make_engine(url)
    try:
        with engine.begin() as new_connection:
            _run(new_connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise RuntimeError("chamdiem's migrations run online only (chamdiem db upgrade)")
run_migrations_online()
