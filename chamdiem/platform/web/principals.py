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
    """Who a session cookie or token stood for, remembered a few seconds: every page asks,
    and the answer takes four queries. Signing out forgets the cookie at once; a change to an
    account on the accounts page forgets everyone; a change made elsewhere (the command line)
    is seen within `seconds`."""

    def __init__(self, seconds: float = 5.0) -> None:
        self.seconds = seconds
        self._lock = threading.Lock()
        self._known: dict[str, tuple[Principal, float]] = {}

    def get(self, key: str) -> Principal | None:
        with self._lock:
            found = self._known.get(key)
        if found is None or found[1] < time.monotonic():
            return None
        return found[0]

    def put(self, key: str, principal: Principal) -> None:
        if self.seconds <= 0:
            return
        with self._lock:
            if len(self._known) > 10_000:
                self._known.clear()
            self._known[key] = (principal, time.monotonic() + self.seconds)

    def forget(self, key: str) -> None:
        with self._lock:
            self._known.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._known.clear()
