"""Every database test runs twice: on SQLite (a file in tmp_path) and on PostgreSQL
(127.0.0.1:5432, database `test`, trust authentication), each test in a schema of its own
named after this test session; the schemas are dropped at the end. PostgreSQL being
unavailable fails the tests (it is never a reason to skip them)."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from chamdiem.platform.db.engine import make_engine, open_session
from chamdiem.platform.db.migrate import upgrade

PG_CONNINFO = "host=127.0.0.1 port=5432 dbname=test connect_timeout=10"
PG_URL = "postgresql+psycopg://127.0.0.1:5432/test"
BACKENDS = ("sqlite", "postgresql")

_counter = itertools.count(1)


def pg_admin() -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(PG_CONNINFO, autocommit=True)


@pytest.fixture(scope="session")
def pg_prefix() -> Iterator[str]:
    """This session's schema prefix; fails loudly when PostgreSQL is not there."""
    try:
        with pg_admin() as connection:
            connection.execute("SELECT 1")
    except psycopg.Error as error:
        pytest.fail(
            f"PostgreSQL on 127.0.0.1:5432 (database 'test') is not available: {error}. "
            "The database tests need it; start it (see .ci/run).",
            pytrace=False,
        )
    prefix = f"cd_{uuid.uuid4().hex[:10]}"
    yield prefix
    with pg_admin() as connection:
        schemas = connection.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE %s", (f"{prefix}%",)
        ).fetchall()
        for (schema,) in schemas:
            connection.execute(f'DROP SCHEMA "{schema}" CASCADE')


def new_database_url(
    backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> str:
    """A fresh, empty database of this backend for one test."""
    if backend == "sqlite":
        folder = tmp_path_factory.mktemp("db")
        return f"sqlite:///{folder / 'chamdiem.db'}"
    prefix = request.getfixturevalue("pg_prefix")
    schema = f"{prefix}_{next(_counter)}"
    with pg_admin() as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    return f"{PG_URL}?options=-csearch_path%3D{schema}"


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    return new_database_url(request.param, request, tmp_path_factory)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An engine on a migrated, empty database."""
    engine = make_engine(db_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with open_session(engine) as session:
        yield session
