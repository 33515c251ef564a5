"""Slowing down password guessing: after 5 failed sign-ins for one user name from one
address within 15 minutes, that pair is refused until the oldest failure is 15 minutes old;
one address is refused after 30 failures over any names (spraying one password over many
names). A successful sign-in clears the pair's failures.

The failures are rows of `sign_in_failures`, so that every process of the service counts
the same ones (in memory, N processes would give a guesser N times the tries). Rows older
than the window are deleted as new failures come in.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy import Connection, Engine

from chamdiem.platform.db.engine import write_transaction
from chamdiem.platform.db.tables import sign_in_failures_t as failures

WINDOW_SECONDS = 15 * 60
PER_NAME = 5
PER_ADDRESS = 30


class LoginThrottle:
    def __init__(
        self,
        engine: Engine,
        per_name: int = PER_NAME,
        per_address: int = PER_ADDRESS,
        window: float = WINDOW_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._engine = engine
        self.per_name = per_name
        self.per_address = per_address
        self.window = window
        self._clock = clock

    def wait_seconds(self, username: str, address: str) -> int:
        """0 when a sign-in may be tried now, else how many seconds until it may."""
        now = self._clock()
        since = now - self.window
        with self._engine.connect() as connection:
            pair = self._nth_latest(
                connection,
                (failures.c.username == username, failures.c.address == address),
                self.per_name,
                since,
            )
            spray = self._nth_latest(
                connection, (failures.c.address == address,), self.per_address, since
            )
        return max(self._wait(at, now) for at in (pair, spray))

    def failed(self, username: str, address: str) -> None:
        now = self._clock()
        with write_transaction(self._engine) as connection:
            connection.execute(failures.delete().where(failures.c.at <= now - self.window))
            connection.execute(failures.insert().values(username=username, address=address, at=now))

    def succeeded(self, username: str, address: str) -> None:
        with write_transaction(self._engine) as connection:
            connection.execute(
                failures.delete().where(
                    failures.c.username == username, failures.c.address == address
                )
            )

    @staticmethod
    def _nth_latest(
        connection: Connection, where: tuple[sa.ColumnElement[bool], ...], n: int, since: float
    ) -> float | None:
        """The time of the n-th latest failure within the window, if there are n."""
        at: float | None = connection.execute(
            sa.select(failures.c.at)
            .where(*where, failures.c.at > since)
            .order_by(failures.c.at.desc())
            .offset(n - 1)
            .limit(1)
        ).scalar()
        return at

    def _wait(self, nth_latest: float | None, now: float) -> int:
        if nth_latest is None:
            return 0
        return max(1, math.ceil(self.window - (now - nth_latest)))
