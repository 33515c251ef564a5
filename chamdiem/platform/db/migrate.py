"""Running the migrations kept in the package (`chamdiem db upgrade`), without an alembic.ini."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.engine import Connection

from chamdiem.dsl.diagnostics import Text

SCRIPT_LOCATION = "chamdiem.platform.db:migrations"


def alembic_config(connection: Connection | None = None, url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def not_created(where: str = "") -> Text:
    """The message for a database `chamdiem db upgrade` has not made yet (`where` names it)."""
    name = f"{where} " if where else ""
    return Text(
        f"cơ sở dữ liệu {name}chưa tạo: chạy `chamdiem db upgrade` trước",
        f"the database {name}is not created: run `chamdiem db upgrade` first",
    )


def schema_problem(engine: Engine, where: str = "") -> Text | None:
    """Why the database cannot be used as it is (not made, or older than this version's
    schema), or None when it is at the latest migration."""
    current = current_revision(engine)
    if current is None:
        return not_created(where)
    if current == head_revision():
        return None
    name = f"{where} " if where else ""
    return Text(
        f"cơ sở dữ liệu {name}cũ: chạy `chamdiem db upgrade` trước",
        f"the database {name}is out of date: run `chamdiem db upgrade` first",
    )


def upgrade(engine: Engine, revision: str = "head") -> tuple[str | None, str | None]:
    """Bring the database to `revision` in one transaction; returns (before, after)."""
    before = current_revision(engine)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)
    return before, current_revision(engine)


def downgrade(engine: Engine, revision: str) -> None:
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), revision)
