"""The database fixtures of tests/platform/db (every database test runs on SQLite and on
PostgreSQL), and a stored quarter with a run to report on."""

from __future__ import annotations

from tests.platform.db.conftest import db_url, engine, pg_prefix, session

__all__ = ["db_url", "engine", "pg_prefix", "session"]
