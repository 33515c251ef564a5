"""What an evaluation takes: the subjects of one period as columns.

Values arrive already typed (the platform's readers turn cells into these types and report
bad cells with their positions): number and percent inputs as `Decimal`, `int` or
`Fraction` (a float is read through its shortest repr, so 0.1 means 1/10); count as `int`;
bool as `bool`; text and `one of` as `str`; date as `datetime.date`; `None` means "no value",
which takes the declared default or is an evaluation error.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ItemTable:
    """The rows of one `items` declaration for all subjects: `owner[k]` is the index of the
    subject that row k belongs to; `fields[name][k]` its value."""

    owner: Sequence[int]
    fields: Mapping[str, Sequence[object]]

    def __len__(self) -> int:
        return len(self.owner)


@dataclass(frozen=True)
class Cohort:
    """The subjects evaluated together (quotas need them together)."""

    codes: Sequence[str]
    inputs: Mapping[str, Sequence[object]]
    items: Mapping[str, ItemTable] = field(default_factory=dict)
    units: Sequence[str | None] | None = None
    position_groups: Sequence[str | None] | None = None
    is_head: Sequence[bool] | None = None
    names: Sequence[str | None] | None = None

    def __len__(self) -> int:
        return len(self.codes)
