"""Rendered page parts remembered until the data changes.

A unit's result page is read far more often than its data changes (a run's results never
change once it is complete; a council decision, a new run or an import does). The part of
the page that shows the unit is kept, keyed on what it was made from: the reader's scope,
the unit, the query, the unit tree object and the data stamp, the id of the latest audit-log
entry. Every change to the data writes an audit entry in the same transaction (imports,
runs, decisions, organisation loads, periods, rule versions, accounts), so a new stamp means
"something may have changed" and an entry made under an older stamp is never found again; it
ages out of the LRU. The stamp is read from the database on every request, so several
service processes over one database stay correct.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable

from markupsafe import Markup

DEFAULT_ENTRIES = 2048


class FragmentCache:
    """A bounded, thread-safe LRU of rendered HTML."""

    def __init__(self, entries: int = DEFAULT_ENTRIES) -> None:
        self._entries = entries
        self._lock = threading.Lock()
        self._html: OrderedDict[Hashable, Markup] = OrderedDict()

    def get(self, key: Hashable) -> Markup | None:
        with self._lock:
            html = self._html.get(key)
            if html is not None:
                self._html.move_to_end(key)
            return html

    def put(self, key: Hashable, html: Markup) -> None:
        if self._entries <= 0:
            return
        with self._lock:
            self._html[key] = html
            self._html.move_to_end(key)
            while len(self._html) > self._entries:
                self._html.popitem(last=False)
