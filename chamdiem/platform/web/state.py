"""What the web app keeps for its lifetime: settings, the database engine, the caches of
this process (unit tree, principals, rendered pages), and the handles on what every process
of the service shares through the database (background jobs, the sign-in throttle, uploads
waiting for confirmation)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from jinja2 import Environment
from litestar import Request
from sqlalchemy import Connection, Engine

from chamdiem.platform.db.engine import write_transaction
from chamdiem.platform.db.models import utc_now
from chamdiem.platform.db.tables import web_uploads_t
from chamdiem.platform.settings import Settings
from chamdiem.platform.web.access import UnitTreeCache
from chamdiem.platform.web.config import WebSettings
from chamdiem.platform.web.fragments import FragmentCache
from chamdiem.platform.web.jobs import JobRegistry
from chamdiem.platform.web.principals import PrincipalCache
from chamdiem.platform.web.throttle import LoginThrottle

UPLOAD_KEEP = timedelta(hours=6)


@dataclass
class PendingUpload:
    """A validated DATA file waiting for the user to confirm the import."""

    id: str
    owner_id: int
    path: Path
    file_name: str
    period: str
    rules: str | None
    subjects: int


class Uploads:
    """Uploads waiting for confirmation, in the database (`web_uploads`): the confirmation
    may reach another of the service's processes than the upload did."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(self, upload: PendingUpload) -> None:
        now = utc_now()
        with write_transaction(self._engine) as connection:
            expired = connection.execute(
                sa.select(web_uploads_t.c.id, web_uploads_t.c.path).where(
                    web_uploads_t.c.created_at < now - UPLOAD_KEEP
                )
            ).all()
            if expired:
                connection.execute(
                    web_uploads_t.delete().where(web_uploads_t.c.id.in_([r.id for r in expired]))
                )
            connection.execute(
                web_uploads_t.insert().values(
                    id=upload.id,
                    owner_id=upload.owner_id,
                    path=str(upload.path),
                    file_name=upload.file_name,
                    period=upload.period,
                    rules=upload.rules,
                    subjects=upload.subjects,
                    created_at=now,
                )
            )
        for row in expired:
            discard_upload(Path(row.path))

    def take(self, upload_id: str, owner_id: int) -> PendingUpload | None:
        """The upload, removed from the waiting list (a confirmation is used once: of two
        processes taking it at once, one gets it)."""
        with write_transaction(self._engine) as connection:
            upload = self._read(connection, upload_id, owner_id)
            if upload is None:
                return None
            deleted = connection.execute(
                web_uploads_t.delete().where(web_uploads_t.c.id == upload_id)
            )
            return upload if deleted.rowcount == 1 else None

    def peek(self, upload_id: str, owner_id: int) -> PendingUpload | None:
        with self._engine.connect() as connection:
            return self._read(connection, upload_id, owner_id)

    @staticmethod
    def _read(connection: Connection, upload_id: str, owner_id: int) -> PendingUpload | None:
        row = connection.execute(
            sa.select(web_uploads_t).where(
                web_uploads_t.c.id == upload_id, web_uploads_t.c.owner_id == owner_id
            )
        ).first()
        if row is None:
            return None
        return PendingUpload(
            row.id, row.owner_id, Path(row.path), row.file_name, row.period, row.rules, row.subjects
        )


def discard_upload(path: Path) -> None:
    """Remove an uploaded file and the folder made for it."""
    shutil.rmtree(path.parent, ignore_errors=True)


@dataclass
class WebState:
    settings: Settings
    web: WebSettings
    engine: Engine
    jobs: JobRegistry
    throttle: LoginThrottle
    uploads: Uploads
    units: UnitTreeCache = field(default_factory=UnitTreeCache)
    owns_engine: bool = True
    principals: PrincipalCache = field(default_factory=PrincipalCache)
    templates: Environment | None = None  # the pages' Jinja environment, for page parts
    fragments: FragmentCache = field(default_factory=FragmentCache)


STATE_KEY = "chamdiem"


def web_state(request: Request[Any, Any, Any]) -> WebState:
    state: WebState = request.app.state[STATE_KEY]
    return state
