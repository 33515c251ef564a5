"""Evaluation frames: where compiled expressions find their columns.

A `SubjectFrame` holds one cohort's inputs and subject attributes and memoises named
values (lets, criteria, groups, total) so each is computed once however often it is
referenced. An `ItemFrame` holds the rows of one `items` list; subject values referenced
inside an aggregate are broadcast to its rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from chamdiem.dsl.numeric import Segments
from chamdiem.dsl.values import BoolArray, Data, GradeCol, IntArray, Val, constant, take

if TYPE_CHECKING:
    from chamdiem.dsl.compile import CompiledRules
    from chamdiem.dsl.links import Links


class Frame:
    """What both kinds of frame offer a compiled expression."""

    n: int

    def __init__(self, n: int) -> None:
        self.n = n
        self._consts: dict[int, Val] = {}

    def const(self, key: int, value: object) -> Val:
        found = self._consts.get(key)
        if found is None:
            data: Data = value if isinstance(value, GradeCol) else constant(value, self.n)
            if isinstance(data, GradeCol) and len(data.level) != self.n:
                data = GradeCol(np.full(self.n, data.level[0], dtype=np.int64))
            found = self._consts[key] = Val(data)
        return found


class SubjectFrame(Frame):
    def __init__(
        self,
        rules: CompiledRules,
        n: int,
        inputs: dict[str, Val],
        attributes: dict[str, Callable[[], Data]],
        items: dict[str, ItemFrame],
        codes: Sequence[str],
        units: Sequence[str | None],
        links: Links | None = None,
    ) -> None:
        super().__init__(n)
        self.rules = rules
        self.inputs = inputs
        self.codes = codes
        self.units = units
        self.links = links
        self.linked_frames: dict[str, ItemFrame] = {}
        self._attribute_makers = attributes
        self._attributes: dict[str, Data] = {}
        self.items = items
        self.values: dict[str, Val] = {}
        self.applicable: dict[str, BoolArray] = {}
        # Set while quotas run: the grade before the quota and the quota's groups.
        self.grade: GradeCol | None = None
        self.score_grade: GradeCol | None = None
        self.quota_groups: IntArray | None = None
        self.quota_group_count = 0

    def attribute(self, name: str) -> Data:
        """A subject attribute (code, unit, position_group, is_head), built on first use."""
        found = self._attributes.get(name)
        if found is None:
            found = self._attributes[name] = self._attribute_makers[name]()
        return found

    def linked_items(self, key: str, build: Callable[[SubjectFrame], ItemFrame]) -> ItemFrame:
        """The rows of another rule set's results that `members(R)` etc. read, built once."""
        found = self.linked_frames.get(key)
        if found is None:
            found = self.linked_frames[key] = build(self)
        return found

    def get(self, name: str) -> Val:
        found = self.values.get(name)
        if found is None:
            found = self.values[name] = self.rules.named[name](self)
        return found


class ItemFrame(Frame):
    def __init__(
        self,
        parent: SubjectFrame | None,
        owner: IntArray,
        n_subjects: int,
        fields: dict[str, Val],
    ) -> None:
        super().__init__(len(owner))
        self.parent = parent
        self.owner = owner
        self.segments = Segments(owner, n_subjects)
        self.fields = fields
        self._broadcast: dict[int, Val] = {}
        # For rows read from another rule set's results: who or which period each row is.
        self.labels: list[str] | None = None

    def broadcast(self, key: int, subject_value: Callable[[SubjectFrame], Val]) -> Val:
        """A subject-level value repeated on each of the subject's item rows."""
        found = self._broadcast.get(key)
        if found is None:
            assert self.parent is not None
            v = subject_value(self.parent)
            err = v.err[self.owner] if v.err is not None else None
            found = self._broadcast[key] = Val(take(v.data, self.owner), err, v.cause)
        return found
