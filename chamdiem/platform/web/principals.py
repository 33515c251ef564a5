"""Remembering, for a few seconds, who a session cookie or an API token stands for."""

from __future__ import annotations

import threading
import time

from chamdiem.platform.services.accounts import token_sha256
from chamdiem.platform.web.access import Principal


def cache_key(kind: str, secret: str) -> str:
    """'s' for a session cookie, 't' for a token; the secret itself is not kept."""
    return kind + token_sha256(secret)


class PrincipalCache:
    """Who a session cookie or token stood for, remembered a few seconds and only while the
    data stamp (the latest audit-log id) is the one it was read at: every page asks, the
    answer takes four queries, the stamp one. Every change that can alter the answer (sign
    out, an account locked, a password set, a token revoked, units changed) writes the audit
    log, in whichever process or command it is made, so it takes effect at once in every
    process of the service; the seconds bound how long a session is trusted past its expiry."""

    def __init__(self, seconds: float = 5.0) -> None:
        self.seconds = seconds
        self._lock = threading.Lock()
        self._known: dict[str, tuple[Principal, int, float]] = {}

    def get(self, key: str, stamp: int) -> Principal | None:
        with self._lock:
            found = self._known.get(key)
        if found is None or found[1] != stamp or found[2] < time.monotonic():
            return None
        return found[0]

    def put(self, key: str, principal: Principal, stamp: int) -> None:
        if self.seconds <= 0:
            return
        with self._lock:
            if len(self._known) > 10_000:
                self._known.clear()
            self._known[key] = (principal, stamp, time.monotonic() + self.seconds)
