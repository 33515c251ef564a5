"""Slowing down password guessing, per account and per address.

**Per account, across addresses, with growing delays.** Failed sign-ins of one name count from
every address, within a day and until the next successful sign-in. The first `free` (5) cost
nothing; after the n-th failure (n ≥ `free`) the next attempt, from anywhere, waits
`first_delay · 2^(n − free)` seconds (30 s, 1, 2, 4, 8 minutes…) after that failure, at most
`max_delay` (15 minutes): it is refused without its password being checked. A guesser gets
some hundred tries a day on one account however many addresses they use, and its owner, who
is told how long to wait, is never locked out for longer than `max_delay`.

**Per address, with a higher limit, never against an account nobody is attacking.** After
`per_address` (100) failures from one address within 15 minutes (many names tried from one
place: spraying one password over many names), an attempt from that address is checked only
for a name with no failure in those 15 minutes; a name that has one waits until that failure
is 15 minutes old (or the address has fallen below its limit). So the right password of an
account nobody is attacking always gets in, whoever else mistypes behind the same office
address, while a sprayer gets one guess per name per 15 minutes instead of `free`.

**Counting is atomic.** An attempt is *reserved* before its password is checked: in one write
transaction that locks the failures (SQLite: the write lock of BEGIN IMMEDIATE; PostgreSQL: an
EXCLUSIVE lock of the table), the limits are read and, if the attempt may go ahead, its row is
inserted, counted as a failure from that moment. A successful sign-in then deletes the name's
rows. Parallel attempts, in any process of the service, therefore see each other: 20 wrong
passwords sent at once are 5 checks and 15 refusals. The password is checked after the
transaction has ended, so a slow hash holds no lock.

The rows are in `sign_in_failures` (shared by every process; in memory, N processes would give
a guesser N times the tries); rows older than the account window are deleted as new ones come.
Unknown names are counted like real ones, so the answers do not tell which names exist.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import sqlalchemy as sa
from sqlalchemy import Connection, Engine

from chamdiem.platform.db.engine import write_transaction
from chamdiem.platform.db.tables import sign_in_failures_t as failures

FREE_FAILURES = 5
FIRST_DELAY_SECONDS = 30.0
MAX_DELAY_SECONDS = 15 * 60.0
ACCOUNT_WINDOW_SECONDS = 24 * 3600.0
PER_ADDRESS = 100
ADDRESS_WINDOW_SECONDS = 15 * 60.0
MAX_NAME = 200  # longer names are counted by their first MAX_NAME characters


@dataclass(frozen=True)
class Wait:
    """An attempt refused unchecked: how long until one may be tried, and whether the
    account (`account`) or the address (`address`) is being slowed down."""

    seconds: int
    reason: Literal["account", "address"]

    def vietnamese(self) -> str:
        when = wait_text(self.seconds)
        if self.reason == "account":
            return (
                "Tài khoản này đã bị đăng nhập sai quá nhiều lần. "
                f"Hãy thử lại sau {when}; nếu quên mật khẩu, hãy nhờ quản trị viên đặt lại."
            )
        return (
            "Có quá nhiều lần đăng nhập sai từ địa chỉ mạng của bạn, và tài khoản này vừa bị "
            f"nhập sai. Hãy thử lại sau {when}."
        )


def wait_text(seconds: int) -> str:
    """`45 giây`, `khoảng 2 phút`."""
    if seconds < 60:
        return f"{max(1, seconds)} giây"
    return f"khoảng {math.ceil(seconds / 60)} phút"


class LoginThrottle:
    def __init__(
        self,
        engine: Engine,
        *,
        free: int = FREE_FAILURES,
        first_delay: float = FIRST_DELAY_SECONDS,
        max_delay: float = MAX_DELAY_SECONDS,
        account_window: float = ACCOUNT_WINDOW_SECONDS,
        per_address: int = PER_ADDRESS,
        address_window: float = ADDRESS_WINDOW_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._engine = engine
        self.free = max(1, free)
        self.first_delay = first_delay
        self.max_delay = max(max_delay, first_delay)
        self.account_window = max(account_window, address_window)
        self.per_address = max(1, per_address)
        self.address_window = address_window
        self._clock = clock

    def reserve(self, username: str, address: str) -> Wait | None:
        """Reserve an attempt to sign in as `username` from `address`: None when its password
        may be checked now (the attempt already counts as a failure; call `succeeded` if the
        password is right), else how long to wait (nothing is counted)."""
        name = username[:MAX_NAME]
        now = self._clock()
        with write_transaction(self._engine) as connection:
            if connection.dialect.name == "postgresql":
                # Readers of the table go on; other attempts wait until this one is counted.
                connection.exec_driver_sql(f"LOCK TABLE {failures.name} IN EXCLUSIVE MODE")
            wait = self._wait(connection, name, address, now)
            if wait is not None:
                return wait
            connection.execute(failures.delete().where(failures.c.at <= now - self.account_window))
            connection.execute(failures.insert().values(username=name, address=address, at=now))
        return None

    def succeeded(self, username: str) -> None:
        """The password was right: the name's failures (and its reserved attempt) are gone."""
        with write_transaction(self._engine) as connection:
            connection.execute(failures.delete().where(failures.c.username == username[:MAX_NAME]))

    def account_delay(self, failed: int) -> float:
        """Seconds an attempt waits after the latest of `failed` failures of its account."""
        if failed < self.free:
            return 0.0
        return min(self.max_delay, self.first_delay * 2.0 ** min(failed - self.free, 64))

    def _wait(self, connection: Connection, name: str, address: str, now: float) -> Wait | None:
        account = connection.execute(
            sa.select(sa.func.count(), sa.func.max(failures.c.at)).where(
                failures.c.username == name, failures.c.at > now - self.account_window
            )
        ).one()
        failed, latest = int(account[0]), account[1]
        if latest is not None:
            left = latest + self.account_delay(failed) - now
            if left > 0:
                return Wait(max(1, math.ceil(left)), "account")
        since = now - self.address_window
        if latest is None or latest <= since:
            return None  # nobody has been trying this name lately: the address does not matter
        # The per_address-th latest failure from the address, if there are that many.
        nth: float | None = connection.execute(
            sa.select(failures.c.at)
            .where(failures.c.address == address, failures.c.at > since)
            .order_by(failures.c.at.desc())
            .offset(self.per_address - 1)
            .limit(1)
        ).scalar()
        if nth is None:
            return None
        left = min(latest, nth) + self.address_window - now
        return Wait(max(1, math.ceil(left)), "address")
