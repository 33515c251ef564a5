"""Turning a cohort's typed values into columns, with defaults and range checks.

The platform's readers already report bad cells with their positions; this module checks
again what the language promises for every caller of the API: a required input with no
value, or a value outside its declared range, is an error naming the subject and input.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from chamdiem.dsl.data import Column, ScaledColumn, as_list
from chamdiem.dsl.diagnostics import Text
from chamdiem.dsl.numeric import Num
from chamdiem.dsl.program import InputSpec
from chamdiem.dsl.values import BoolArray, Data, DateCol, TextCol, Val, constant


@dataclass(frozen=True)
class Problem:
    """One reason a cohort cannot be evaluated."""

    subject: str  # the subject's code
    name: str  # the input, item field or value concerned
    message: Text


MAX_PROBLEMS = 1000


class EvaluationError(Exception):
    """Raised when evaluation cannot give every subject a result; nothing is returned."""

    def __init__(self, problems: list[Problem], total: int | None = None) -> None:
        self.problems = problems
        self.total = total if total is not None else len(problems)
        first = problems[0] if problems else None
        super().__init__(
            f"{self.total} problem(s); first: {first.subject} {first.name}: {first.message.en}"
            if first
            else "evaluation failed"
        )


class ProblemList:
    """Problems found so far. With `once_per_subject`, only the first problem of each subject
    is kept: an undefined value spreads to every value computed from it, and the first one
    (in declaration order) is where it arose."""

    def __init__(self, n: int | None = None, once_per_subject: bool = False) -> None:
        self.items: list[Problem] = []
        self.total = 0
        self._reported = np.zeros(n or 0, dtype=np.bool_) if once_per_subject else None

    def add_rows(self, mask: BoolArray, codes: Sequence[str], name: str, message: Text) -> None:
        if self._reported is not None:
            mask = mask & ~self._reported
            self._reported |= mask
        rows = np.flatnonzero(mask)
        self.total += len(rows)
        room = MAX_PROBLEMS - len(self.items)
        for row in rows[: max(room, 0)]:
            self.items.append(Problem(str(codes[row]), name, message))

    def raise_if_any(self) -> None:
        if self.total:
            raise EvaluationError(self.items, self.total)


def _missing_mask(values: Column) -> BoolArray:
    if isinstance(values, ScaledColumn):
        if values.missing is not None:
            return values.missing
        return np.zeros(len(values), dtype=np.bool_)
    if isinstance(values, np.ndarray) and values.dtype != object:
        if values.dtype.kind == "f":
            return np.isnan(values)
        return np.zeros(len(values), dtype=np.bool_)
    return np.fromiter((v is None for v in values), dtype=np.bool_, count=len(values))


def column(
    spec: InputSpec,
    values: Column | None,
    n: int,
    owners: Sequence[str],
    problems: ProblemList,
    label: str,
) -> Val:
    """The column of one input (or item field) for n rows; `owners[i]` names row i's
    subject in problems; `label` names the input in problems."""
    if values is None:
        values = [None] * n
    if len(values) != n:
        raise ValueError(f"input {label!r} has {len(values)} values for {n} rows")
    missing = _missing_mask(values)
    if missing.any() and not spec.has_default:
        problems.add_rows(
            missing,
            owners,
            label,
            Text(
                f"thiếu giá trị của `{label}` (không có giá trị mặc định)",
                f"no value for `{label}` (it has no default)",
            ),
        )
    data = _convert(spec, values, missing)
    if missing.any() and spec.has_default:
        from chamdiem.dsl.values import select

        data = select(missing, constant(spec.default, n), data)
    if spec.kind in ("number", "count", "percent"):
        _check_range(spec, data, missing, owners, problems, label)
    return Val(data)


def _convert(spec: InputSpec, values: Column, missing: BoolArray) -> Data:
    kind = spec.kind
    if kind in ("number", "count", "percent"):
        if isinstance(values, ScaledColumn):
            units = np.where(missing, 0, values.units) if missing.any() else values.units
            return Num(np.asarray(units, dtype=np.int64), 10**values.places)
        num, _ = Num.from_values(values)
        return num
    if isinstance(values, np.ndarray) and values.dtype == np.bool_ and kind == "bool":
        return np.asarray(values, dtype=np.bool_)
    values = as_list(values)
    if kind == "bool":
        return np.fromiter((bool(v) for v in values), dtype=np.bool_, count=len(values))
    if kind == "date":
        days = np.fromiter(
            (v.toordinal() if isinstance(v, date) else 0 for v in values),
            dtype=np.int64,
            count=len(values),
        )
        return DateCol(days)
    text = np.empty(len(values), dtype=object)
    text[:] = ["" if v is None else str(v) for v in values]
    return TextCol(text)


def _check_range(
    spec: InputSpec,
    data: Data,
    missing: BoolArray,
    owners: Sequence[str],
    problems: ProblemList,
    label: str,
) -> None:
    assert isinstance(data, Num)
    n = len(data)
    bad = np.zeros(n, dtype=np.bool_)
    if spec.kind == "count":
        bad |= data.lt(Num.const(0, n)) | ~data.is_integer()
    if spec.low is not None:
        low = Num.const(spec.low, n)
        bad |= data.le(low) if spec.low_strict else data.lt(low)
    if spec.high is not None:
        high = Num.const(spec.high, n)
        bad |= data.ge(high) if spec.high_strict else data.gt(high)
    bad &= ~missing
    if bad.any():
        allowed = spec.range_text() or ("số nguyên ≥ 0" if spec.kind == "count" else "")
        allowed_en = spec.range_text() or ("a whole number ≥ 0" if spec.kind == "count" else "")
        problems.add_rows(
            bad,
            owners,
            label,
            Text(
                f"giá trị của `{label}` nằm ngoài miền cho phép ({allowed})",
                f"value of `{label}` is outside its declared range ({allowed_en})",
            ),
        )
