"""Slowing down password guessing: after 5 failed sign-ins for one user name from one
address within 15 minutes, that pair is refused until the oldest failure is 15 minutes old;
one address is refused after 30 failures over any names (spraying one password over many
names). A successful sign-in clears the pair's failures.

Kept in memory (one process serves the province's closed network); a restart forgets it,
which only gives a guesser a fresh few tries.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

WINDOW_SECONDS = 15 * 60
PER_NAME = 5
PER_ADDRESS = 30


class LoginThrottle:
    def __init__(
        self,
        per_name: int = PER_NAME,
        per_address: int = PER_ADDRESS,
        window: float = WINDOW_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_name = per_name
        self.per_address = per_address
        self.window = window
        self._clock = clock
        self._lock = threading.Lock()
        self._by_pair: dict[tuple[str, str], deque[float]] = {}
        self._by_address: dict[str, deque[float]] = {}

    def wait_seconds(self, username: str, address: str) -> int:
        """0 when a sign-in may be tried now, else how many seconds until it may."""
        now = self._clock()
        with self._lock:
            waits = [
                self._wait(self._by_pair.get((username, address)), self.per_name, now),
                self._wait(self._by_address.get(address), self.per_address, now),
            ]
        return max(waits)

    def failed(self, username: str, address: str) -> None:
        now = self._clock()
        with self._lock:
            self._by_pair.setdefault((username, address), deque()).append(now)
            self._by_address.setdefault(address, deque()).append(now)
            if len(self._by_pair) > 100_000:  # a flood of names: drop what has expired
                self._sweep(now)

    def succeeded(self, username: str, address: str) -> None:
        with self._lock:
            self._by_pair.pop((username, address), None)

    def _wait(self, times: deque[float] | None, limit: int, now: float) -> int:
        if not times:
            return 0
        while times and now - times[0] >= self.window:
            times.popleft()
        if len(times) < limit:
            return 0
        return max(1, math.ceil(self.window - (now - times[-limit])))

    def _sweep(self, now: float) -> None:
        for store in (self._by_pair, self._by_address):
            for key in [k for k, v in store.items() if not v or now - v[-1] >= self.window]:
                del store[key]  # type: ignore[arg-type]
