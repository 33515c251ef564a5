"""Handlers do blocking database work, so they run in a worker thread, never on the event
loop. `in_thread` makes a plain function into a coroutine function that does that.

The workers are few (`CHAMDIEM_WEB_THREADS`, 4): Python runs one thread at a time, so forty
threads (anyio's default) only take turns at the interpreter lock with the event loop, which
then answers every request later; a short queue of requests waiting for a worker is faster.

(litestar's own `sync_to_thread=True` wraps a handler again when a second handler is
registered on the same path, in litestar 2.25, and the first then answers with an
un-awaited coroutine; an honest async function is never wrapped.)
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

import anyio.to_thread
from anyio import CapacityLimiter

P = ParamSpec("P")
T = TypeVar("T")

DEFAULT_THREADS = 4
_limiter: CapacityLimiter | None = None
_threads = DEFAULT_THREADS


def set_threads(count: int) -> None:
    """How many handlers may run at once (set by the app factory from the settings)."""
    global _threads, _limiter
    _threads = max(1, count)
    if _limiter is not None:
        _limiter.total_tokens = _threads


def _workers() -> CapacityLimiter:
    global _limiter
    if _limiter is None:
        _limiter = CapacityLimiter(_threads)
    return _limiter


def in_thread(fn: Callable[P, T]) -> Callable[P, Awaitable[T]]:
    @functools.wraps(fn)
    async def run(*args: P.args, **kwargs: P.kwargs) -> T:
        return await anyio.to_thread.run_sync(
            functools.partial(fn, *args, **kwargs), limiter=_workers()
        )

    return run
