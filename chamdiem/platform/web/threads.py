"""Handlers do blocking database work, so they run in a worker thread, never on the event
loop. `in_thread` makes a plain function into a coroutine function that does that.

(litestar's own `sync_to_thread=True` wraps a handler again when a second handler is
registered on the same path, in litestar 2.25, and the first then answers with an
un-awaited coroutine; an honest async function is never wrapped.)
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

import anyio.to_thread

P = ParamSpec("P")
T = TypeVar("T")


def in_thread(fn: Callable[P, T]) -> Callable[P, Awaitable[T]]:
    @functools.wraps(fn)
    async def run(*args: P.args, **kwargs: P.kwargs) -> T:
        return await anyio.to_thread.run_sync(functools.partial(fn, *args, **kwargs))

    return run
