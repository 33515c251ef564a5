"""What the web app keeps for its lifetime: settings, the database engine, background jobs,
the sign-in throttle, the unit tree cache and uploads waiting for confirmation."""

from __future__ import annotations

import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment
from litestar import Request
from sqlalchemy import Engine

from chamdiem.platform.settings import Settings
from chamdiem.platform.web.access import UnitTreeCache
from chamdiem.platform.web.config import WebSettings
from chamdiem.platform.web.fragments import FragmentCache
from chamdiem.platform.web.jobs import JobRegistry
from chamdiem.platform.web.principals import PrincipalCache
from chamdiem.platform.web.throttle import LoginThrottle

UPLOAD_KEEP_SECONDS = 6 * 3600


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
    created: float = field(default_factory=time.monotonic)


class Uploads:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: dict[str, PendingUpload] = {}

    def add(self, upload: PendingUpload) -> None:
        with self._lock:
            self._expire()
            self._pending[upload.id] = upload

    def take(self, upload_id: str, owner_id: int) -> PendingUpload | None:
        """The upload, removed from the waiting list (a confirmation is used once)."""
        with self._lock:
            upload = self._pending.get(upload_id)
            if upload is None or upload.owner_id != owner_id:
                return None
            return self._pending.pop(upload_id)

    def peek(self, upload_id: str, owner_id: int) -> PendingUpload | None:
        with self._lock:
            upload = self._pending.get(upload_id)
        return upload if upload is not None and upload.owner_id == owner_id else None

    def _expire(self) -> None:
        now = time.monotonic()
        for key in [k for k, u in self._pending.items() if now - u.created > UPLOAD_KEEP_SECONDS]:
            discard_upload(self._pending.pop(key).path)


def discard_upload(path: Path) -> None:
    """Remove an uploaded file and the folder made for it."""
    shutil.rmtree(path.parent, ignore_errors=True)


@dataclass
class WebState:
    settings: Settings
    web: WebSettings
    engine: Engine
    jobs: JobRegistry
    throttle: LoginThrottle = field(default_factory=LoginThrottle)
    units: UnitTreeCache = field(default_factory=UnitTreeCache)
    uploads: Uploads = field(default_factory=Uploads)
    owns_engine: bool = True
    principals: PrincipalCache = field(default_factory=PrincipalCache)
    templates: Environment | None = None  # the pages' Jinja environment, for page parts
    fragments: FragmentCache = field(default_factory=FragmentCache)


STATE_KEY = "chamdiem"


def web_state(request: Request[Any, Any, Any]) -> WebState:
    state: WebState = request.app.state[STATE_KEY]
    return state
