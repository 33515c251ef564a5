"""The unit tree: which units lie under which, who belongs where, who heads what.

Multi-level rules read it: `members(R)` are the people of a unit and of every unit below
it; `subordinates(R)` the people of a person's unit and of every unit below it, except the
person; `unit_result(R)` the result of the person's own unit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


class OrganisationError(ValueError):
    """The unit tree is inconsistent (a parent that does not exist, a cycle)."""


@dataclass
class Organisation:
    codes: list[str]
    parents: dict[str, str | None]
    names: dict[str, str] = field(default_factory=dict)
    heads: dict[str, str | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        known = set(self.codes)
        for unit, parent in self.parents.items():
            if parent is not None and parent not in known:
                raise OrganisationError(
                    f"đơn vị {unit}: đơn vị cấp trên {parent} không có trong danh sách / "
                    f"unit {unit}: parent {parent} is not a known unit"
                )
        self._children: dict[str, list[str]] = {code: [] for code in self.codes}
        for unit in self.codes:
            parent = self.parents.get(unit)
            if parent is not None:
                self._children[parent].append(unit)
        for unit in self.codes:
            self._check_no_cycle(unit)
        self._subtrees: dict[str, list[str]] = {}

    def _check_no_cycle(self, unit: str) -> None:
        seen = [unit]
        current = self.parents.get(unit)
        while current is not None:
            if current in seen:
                chain = " → ".join([*seen, current])
                raise OrganisationError(
                    f"cây đơn vị có vòng lặp: {chain} / the unit tree has a cycle: {chain}"
                )
            seen.append(current)
            current = self.parents.get(current)

    @classmethod
    def flat(cls, units: Sequence[str | None]) -> Organisation:
        """Units with no tree information: each unit stands alone."""
        codes = sorted({u for u in units if u})
        return cls(codes, {c: None for c in codes})

    def subtree(self, unit: str) -> list[str]:
        """The unit and every unit below it."""
        found = self._subtrees.get(unit)
        if found is None:
            found = [unit]
            for child in self._children.get(unit, []):
                found.extend(self.subtree(child))
            self._subtrees[unit] = found
        return found

    def depth(self, unit: str) -> int:
        depth = 0
        current = self.parents.get(unit)
        while current is not None:
            depth += 1
            current = self.parents.get(current)
        return depth
