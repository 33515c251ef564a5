"""How a message of the national outbox leaves: a plug-in chosen by the operator.

    CHAMDIEM_NATIONAL_TRANSPORT   file (default): a JSON file dropped into a folder, for a
                                  system that collects it (or a person who uploads it);
                                  https: POST to CHAMDIEM_NATIONAL_URL with
                                  `Authorization: Bearer CHAMDIEM_NATIONAL_TOKEN`;
                                  or `package.module:factory`, a callable given the settings
                                  that returns a `Transport` (the province's own connector)
    CHAMDIEM_NATIONAL_DROP_DIR    the folder of `file` (DATA_DIR/quoc_gia/gui)
    CHAMDIEM_NATIONAL_URL         the endpoint of `https`; plain http only to this machine
    CHAMDIEM_NATIONAL_TOKEN       the bearer token of `https` (never written to the outbox
                                  or the audit log)
    CHAMDIEM_NATIONAL_TIMEOUT_SECONDS   one request's time limit (30)
    CHAMDIEM_NATIONAL_MAX_ATTEMPTS      attempts before a message is marked failed (12)

A transport answers each message with a `Delivery`: sent, or not with the reason, and whether
trying again could help (`permanent`: a 4xx other than 408 and 429 will not get better).
Every request carries `Idempotency-Key: <the payload's SHA-256>` so that the receiver can
drop a message it has already taken (a push interrupted after sending and before recording).
"""

from __future__ import annotations

import importlib
import ipaddress
import os
import secrets
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from pydantic import Field, SecretStr

from chamdiem.dsl.diagnostics import Text
from chamdiem.platform.services.errors import ServiceError
from chamdiem.platform.settings import Settings

MAX_RESPONSE_KEPT = 4000


class NationalSettings(Settings):
    national_transport: str = "file"
    national_drop_dir: Path | None = None
    national_url: str | None = None
    national_token: SecretStr | None = None
    national_timeout_seconds: float = Field(default=30, gt=0)
    national_max_attempts: int = Field(default=12, gt=0)

    def drop_dir(self) -> Path:
        return self.national_drop_dir or self.data_dir / "quoc_gia" / "gui"


@dataclass(frozen=True)
class Message:
    outbox_id: int
    period: str
    payload: bytes  # canonical JSON, UTF-8
    sha256: str


@dataclass(frozen=True)
class Delivery:
    ok: bool
    status: int | None = None
    body: str | None = None
    error: str | None = None
    permanent: bool = False


class Transport(Protocol):
    name: str
    destination: str  # shown in the outbox (a folder, a URL without credentials)

    def send(self, message: Message) -> Delivery: ...


class FileDrop:
    """Each message as `chamdiem_PERIOD_ID_SHA12.json` in a folder, written atomically (a
    reader never sees half a file)."""

    name = "file"

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.destination = str(folder)

    def send(self, message: Message) -> Delivery:
        name = f"chamdiem_{message.period}_{message.outbox_id}_{message.sha256[:12]}.json"
        target = self.folder / name
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            temporary = self.folder / f".{name}.{secrets.token_hex(4)}.tmp"
            temporary.write_bytes(message.payload)
            os.replace(temporary, target)
        except OSError as error:
            return Delivery(False, error=f"{type(error).__name__}: {error}")
        return Delivery(True, body=str(target))


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Https:
    """POST the payload as JSON with a bearer token; 2xx is sent."""

    name = "https"

    def __init__(self, url: str, token: str | None, timeout: float) -> None:
        parsed = urllib.parse.urlsplit(url)
        if parsed.scheme not in ("https", "http") or not parsed.hostname:
            raise ServiceError(
                Text(
                    f"CHAMDIEM_NATIONAL_URL không hợp lệ: {url!r}",
                    f"invalid CHAMDIEM_NATIONAL_URL: {url!r}",
                )
            )
        if parsed.scheme == "http" and not _loopback(parsed.hostname):
            raise ServiceError(
                Text(
                    "CHAMDIEM_NATIONAL_URL phải dùng https (http chỉ dùng được tới chính máy này)",
                    "CHAMDIEM_NATIONAL_URL must use https (http only to this machine)",
                )
            )
        if parsed.username or parsed.password:
            raise ServiceError(
                Text(
                    "không ghi tên và mật khẩu trong CHAMDIEM_NATIONAL_URL; dùng "
                    "CHAMDIEM_NATIONAL_TOKEN",
                    "put no user or password in CHAMDIEM_NATIONAL_URL; use CHAMDIEM_NATIONAL_TOKEN",
                )
            )
        self.url = url
        self.token = token
        self.timeout = timeout
        self.destination = url

    def send(self, message: Message) -> Delivery:
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Accept": "application/json",
            "Idempotency-Key": message.sha256,
            "X-Chamdiem-Outbox-Id": str(message.outbox_id),
            "User-Agent": "chamdiem",
        }
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.url, data=message.payload, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                body = response.read(MAX_RESPONSE_KEPT).decode("utf-8", "replace")
                return Delivery(True, status=response.status, body=body)
        except urllib.error.HTTPError as error:
            body = error.read(MAX_RESPONSE_KEPT).decode("utf-8", "replace")
            permanent = 400 <= error.code < 500 and error.code not in (408, 429)
            return Delivery(
                False,
                status=error.code,
                body=body,
                error=f"HTTP {error.code} {error.reason}",
                permanent=permanent,
            )
        except (urllib.error.URLError, OSError, TimeoutError) as error:
            reason = getattr(error, "reason", error)
            return Delivery(False, error=f"{type(error).__name__}: {reason}")


def transport_from_settings(settings: NationalSettings) -> Transport:
    choice = settings.national_transport.strip()
    if choice == "file":
        return FileDrop(settings.drop_dir())
    if choice == "https":
        if not settings.national_url:
            raise ServiceError(
                Text(
                    "CHAMDIEM_NATIONAL_TRANSPORT=https cần CHAMDIEM_NATIONAL_URL",
                    "CHAMDIEM_NATIONAL_TRANSPORT=https needs CHAMDIEM_NATIONAL_URL",
                )
            )
        token = settings.national_token.get_secret_value() if settings.national_token else None
        return Https(settings.national_url, token, settings.national_timeout_seconds)
    module_name, _, attribute = choice.partition(":")
    if not module_name or not attribute:
        raise ServiceError(
            Text(
                f"CHAMDIEM_NATIONAL_TRANSPORT không hợp lệ: {choice!r} (file, https hoặc "
                "gói.mô_đun:hàm)",
                f"invalid CHAMDIEM_NATIONAL_TRANSPORT: {choice!r} (file, https or "
                "package.module:factory)",
            )
        )
    try:
        factory = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as error:
        raise ServiceError(
            Text(
                f"không nạp được CHAMDIEM_NATIONAL_TRANSPORT {choice!r}: {error}",
                f"cannot load CHAMDIEM_NATIONAL_TRANSPORT {choice!r}: {error}",
            )
        ) from None
    transport: Transport = factory(settings)
    return transport
