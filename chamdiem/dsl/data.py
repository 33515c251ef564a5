"""What an evaluation takes: the subjects of one period as columns.

Values arrive already typed (the platform's readers turn cells into these types and report
bad cells with their positions): number and percent inputs as `Decimal`, `int` or
`Fraction` (a float is read through its shortest repr, so 0.1 means 1/10); count as `int`;
bool as `bool`; text and `one of` as `str`; date as `datetime.date`; `None` means "no value",
which takes the declared default or is an evaluation error. A number column may also be
a `ScaledColumn` (integers with a decimal scale) or a NumPy int64/float64 array (NaN for
"no value"), which are read without a per-value conversion.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True)
class ScaledColumn:
    """Decimals held as whole numbers of 10**-places, the way the database and bulk loaders
    keep them: value[i] = units[i] / 10**places, exactly. `missing[i]` marks "no value".
    The evaluator reads such a column without converting a value at a time."""

    units: npt.NDArray[np.int64]
    places: int
    missing: npt.NDArray[np.bool_] | None = None

    def __len__(self) -> int:
        return len(self.units)


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

    def subset(self, indices: Sequence[int]) -> Cohort:
        """The cohort of the subjects at `indices` (in that order), with their items."""

        def pick(values: Sequence[object] | None) -> list[object] | None:
            return None if values is None else [values[i] for i in indices]

        new_index = {old: new for new, old in enumerate(indices)}
        items: dict[str, ItemTable] = {}
        for name, table in self.items.items():
            rows = [k for k, owner in enumerate(table.owner) if owner in new_index]
            items[name] = ItemTable(
                owner=[new_index[table.owner[k]] for k in rows],
                fields={f: [column[k] for k in rows] for f, column in table.fields.items()},
            )
        return Cohort(
            codes=[self.codes[i] for i in indices],
            inputs={name: pick(column) or [] for name, column in self.inputs.items()},
            items=items,
            units=pick(self.units),  # type: ignore[arg-type]
            position_groups=pick(self.position_groups),  # type: ignore[arg-type]
            is_head=pick(self.is_head),  # type: ignore[arg-type]
            names=pick(self.names),  # type: ignore[arg-type]
        )
