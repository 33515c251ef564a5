"""Pausing Python's cyclic garbage collector while a province's data is built.

Reading a workbook, decoding 100,000 stored records or assembling their results creates
millions of lists, dicts and tuples that all stay alive; each few hundred allocations the
collector walks the young objects, and every so often all of them, to find none garbage. On a
100,000-person quarter that is a third of the time of a run. Reference counting still frees
everything as usual; only cycles wait for the collector to be back on.

Pauses nest and may overlap across threads (the web service imports while it serves): the
collector is switched off by the first and on again by the last, and only if it was on.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_active = 0
_was_enabled = False


@contextmanager
def gc_paused() -> Iterator[None]:
    global _active, _was_enabled
    with _lock:
        if _active == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _active += 1
    try:
        yield
    finally:
        with _lock:
            _active -= 1
            if _active == 0 and _was_enabled:
                gc.enable()
