"""Settings of the web service, read like the others (`CHAMDIEM_…` variables or `.env`):

CHAMDIEM_SECRET_KEY       signs the CSRF tokens; when unset, a random key is made once and
                          kept in DATA_DIR/secret_key (readable by its owner only)
CHAMDIEM_COOKIE_SECURE    true behind TLS: cookies are sent over HTTPS only (a request
                          that arrives as https sets them Secure anyway)
CHAMDIEM_SESSION_HOURS    how long a sign-in lasts (12)
CHAMDIEM_MAX_UPLOAD_MB    the largest file that can be uploaded (64)
CHAMDIEM_JOB_WORKERS      imports and runs carried out at the same time (2)
CHAMDIEM_WEB_THREADS      requests doing database work at the same time (4; threads.py)
CHAMDIEM_FRAGMENT_CACHE_ENTRIES  rendered unit pages remembered until the data changes
                          (2048; 0 turns it off; fragments.py)
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

from chamdiem.platform.settings import Settings

SECRET_FILE = "secret_key"


class WebSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="CHAMDIEM_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    secret_key: str | None = None
    cookie_secure: bool = False
    session_hours: int = 12
    max_upload_mb: int = 64
    job_workers: int = 2
    web_threads: int = 4
    principal_cache_seconds: float = 5.0
    fragment_cache_entries: int = 2048  # rendered unit pages kept (0: none); fragments.py


def secret_key(settings: Settings, web: WebSettings) -> str:
    """The configured key, else the one kept in the data folder (made on first use)."""
    if web.secret_key and web.secret_key.strip():
        return web.secret_key.strip()
    path = settings.data_dir / SECRET_FILE
    try:
        text = path.read_text(encoding="ascii").strip()
        if len(text) >= 32:
            return text
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    _write_private(path, key)
    return key


def _write_private(path: Path, text: str) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as stream:
        stream.write(text + "\n")


def upload_dir(settings: Settings) -> Path:
    """Where uploaded files wait for confirmation (deleted once imported or refused)."""
    return settings.data_dir / "uploads"
