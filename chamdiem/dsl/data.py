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


# A column of values: a sequence of typed values, integers with a decimal scale, or a NumPy
# array (numbers, booleans).
Column = Sequence[object] | ScaledColumn | npt.NDArray[np.generic]


def take_rows(column: Column, indices: Sequence[int]) -> Column:
    """The values of `column` at `indices`, keeping its kind (ScaledColumn, array, list)."""
    if isinstance(column, ScaledColumn):
        index = np.asarray(indices, dtype=np.int64)
        missing = column.missing[index] if column.missing is not None else None
        return ScaledColumn(column.units[index], column.places, missing)
    if isinstance(column, np.ndarray):
        return column[np.asarray(indices, dtype=np.int64)]
    return [column[i] for i in indices]


def as_list(column: Column) -> list[object]:
    """The values of a column as Python objects (a ScaledColumn gives Decimals and None)."""
    if isinstance(column, ScaledColumn):
        from decimal import Decimal

        missing = column.missing.tolist() if column.missing is not None else [False] * len(column)
        return [
            None if gone else Decimal(int(units)).scaleb(-column.places)
            for units, gone in zip(column.units.tolist(), missing, strict=True)
        ]
    if isinstance(column, np.ndarray):
        return list(column.tolist())
    return list(column)


@dataclass(frozen=True)
class ItemTable:
    """The rows of one `items` declaration for all subjects: `owner[k]` is the index of the
    subject that row k belongs to; `fields[name][k]` its value."""

    owner: Sequence[int] | npt.NDArray[np.int64]
    fields: Mapping[str, Column]

    def __len__(self) -> int:
        return len(self.owner)


@dataclass(frozen=True)
class Cohort:
    """The subjects evaluated together (quotas need them together)."""

    codes: Sequence[str]
    inputs: Mapping[str, Column]
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

        new_index = np.full(len(self), -1, dtype=np.int64)
        new_index[np.asarray(indices, dtype=np.int64)] = np.arange(len(indices))
        items: dict[str, ItemTable] = {}
        for name, table in self.items.items():
            owners = new_index[np.asarray(table.owner, dtype=np.int64)]
            kept = np.flatnonzero(owners >= 0)
            order = kept[np.argsort(owners[kept], kind="stable")]
            rows = order.tolist()
            items[name] = ItemTable(
                owner=owners[order],
                fields={f: take_rows(column, rows) for f, column in table.fields.items()},
            )
        return Cohort(
            codes=[self.codes[i] for i in indices],
            inputs={name: take_rows(column, indices) for name, column in self.inputs.items()},
            items=items,
            units=pick(self.units),  # type: ignore[arg-type]
            position_groups=pick(self.position_groups),  # type: ignore[arg-type]
            is_head=pick(self.is_head),  # type: ignore[arg-type]
            names=pick(self.names),  # type: ignore[arg-type]
        )
