"""Settings of the web service, read like the others (`CHAMDIEM_…` variables or `.env`):

CHAMDIEM_SECRET_KEY       signs the CSRF tokens; when unset, a random key is made once and
                          kept in DATA_DIR/secret_key (readable by its owner only)
CHAMDIEM_COOKIE_SECURE    true behind TLS: cookies are sent over HTTPS only (a request
                          that arrives as https sets them Secure anyway)
CHAMDIEM_SESSION_HOURS    how long a sign-in lasts (12)
CHAMDIEM_MAX_UPLOAD_MB    the largest file that can be uploaded (64)
CHAMDIEM_WEB_WORKERS      processes serving requests (`chamdiem serve --workers`; default: one
                          per processor core, at most 4). They share everything through the
                          database: jobs, uploads, sign-in failures (db/models/web.py)
CHAMDIEM_JOB_WORKERS      imports and runs carried out at the same time, per process (2)
CHAMDIEM_WEB_THREADS      requests doing database work at the same time, per process (4;
                          threads.py)
CHAMDIEM_FRAGMENT_CACHE_ENTRIES  rendered unit pages remembered until the data changes
                          (2048; 0 turns it off; fragments.py)
CHAMDIEM_SIGN_IN_FREE_FAILURES   failed sign-ins of one account (from any address) before
                          it must wait between attempts (5; throttle.py)
CHAMDIEM_SIGN_IN_FIRST_DELAY_SECONDS  the first wait (30), doubled at every further failure
CHAMDIEM_SIGN_IN_MAX_DELAY_SECONDS    the longest wait (900)
CHAMDIEM_SIGN_IN_ADDRESS_FAILURES     failures from one address in 15 minutes after which
                          only names nobody has just failed on are checked from it (100)
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

from chamdiem.dsl.diagnostics import Text
from chamdiem.platform.services.errors import ServiceError
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
    web_workers: int | None = None  # None: default_workers()
    job_workers: int = 2
    web_threads: int = 4
    principal_cache_seconds: float = 5.0
    fragment_cache_entries: int = 2048  # rendered unit pages kept (0: none); fragments.py
    sign_in_free_failures: int = 5  # throttle.py
    sign_in_first_delay_seconds: float = 30.0
    sign_in_max_delay_seconds: float = 900.0
    sign_in_address_failures: int = 100


MAX_DEFAULT_WORKERS = 4


def default_workers() -> int:
    """One process per core, at most 4: each holds its own database connections (a
    PostgreSQL server allows 100 by default) and its own caches."""
    return max(1, min(os.cpu_count() or 1, MAX_DEFAULT_WORKERS))


def secret_key(settings: Settings, web: WebSettings) -> str:
    """The configured key, else the one kept in the data folder (made on first use: by
    exactly one process, so that every process of the service signs with the same key)."""
    if web.secret_key and web.secret_key.strip():
        return web.secret_key.strip()
    path = settings.data_dir / SECRET_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        with contextlib.suppress(FileExistsError):  # another process made it just now
            _create_private(path, secrets.token_urlsafe(48))
    text = path.read_text(encoding="ascii").strip()
    if len(text) < 32:
        raise ServiceError(
            Text(
                f"{path}: khóa bí mật quá ngắn (cần ít nhất 32 ký tự); xóa tệp này để tạo khóa "
                "mới, hoặc đặt CHAMDIEM_SECRET_KEY",
                f"{path}: the secret key is too short (32 characters at least); delete the file "
                "to have a new one made, or set CHAMDIEM_SECRET_KEY",
            )
        )
    return text


def _create_private(path: Path, text: str) -> None:
    """Write a new file readable by its owner only, whole or not at all: it is written
    under a temporary name and linked to `path`, which fails if `path` exists."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as stream:
            stream.write(text + "\n")
        os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def upload_dir(settings: Settings) -> Path:
    """Where uploaded files wait for confirmation (deleted once imported or refused)."""
    return settings.data_dir / "uploads"
