"""Item rows grouped by subject, for exact per-subject aggregates (sum, count, min, max,
any, all) without a Python loop over subjects.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from chamdiem.dsl.numeric.ints import (
    FLOAT_INTEGERS,
    LIMIT,
    BoolArray,
    IntArray,
    is_object,
    measure,
    object_array,
)
from chamdiem.dsl.numeric.kernel import Num, make_result, shared_den
from chamdiem.dsl.numeric.select import where


class Segments:
    """Item rows grouped by the subject that owns them, for exact per-subject aggregates.

    Built once per item table from `owner` (the subject index of each item row, in any order)
    and the number of subjects `n`."""

    __slots__ = ("_counts", "_max_count", "_nonempty", "_order", "_owner", "_starts", "n")

    def __init__(self, owner: npt.ArrayLike, n: int) -> None:
        arr = np.asarray(owner)
        if arr.ndim != 1:
            raise ValueError("owner must be one-dimensional")
        if arr.size == 0:
            arr = np.zeros(0, dtype=np.int64)
        elif arr.dtype.kind not in "iu":
            raise TypeError("owner must hold subject indices")
        arr = arr.astype(np.int64, copy=False)
        if arr.size and (int(arr.min()) < 0 or int(arr.max()) >= n):
            raise ValueError(f"owner indices must lie in [0, {n})")
        self.n = n
        self._owner = arr
        self._counts = np.bincount(arr, minlength=n).astype(np.int64)
        self._max_count = int(self._counts.max()) if n else 0
        self._nonempty = np.flatnonzero(self._counts)
        self._starts = (np.cumsum(self._counts) - self._counts)[self._nonempty]
        in_order = arr.size < 2 or bool(np.all(arr[1:] >= arr[:-1]))
        self._order: IntArray | None = None if in_order else np.argsort(arr, kind="stable")

    def __len__(self) -> int:
        """The number of item rows."""
        return int(self._owner.shape[0])

    def _sorted(self, a: npt.NDArray[Any]) -> npt.NDArray[Any]:
        """Item-row values regrouped so that each subject's rows are contiguous."""
        return a if self._order is None else a[self._order]

    def _check(self, values: Num | None, mask: BoolArray | None) -> BoolArray | None:
        if values is not None and len(values) != len(self):
            raise ValueError("values and owner have different lengths")
        if mask is None:
            return None
        mask = np.asarray(mask, dtype=np.bool_)
        if mask.shape != self._owner.shape:
            raise ValueError("mask and owner have different lengths")
        return mask

    def count(self, mask: BoolArray | None = None) -> npt.NDArray[np.int64]:
        """Item rows per subject (those where mask holds)."""
        mask = self._check(None, mask)
        if mask is None:
            return self._counts.copy()
        return np.bincount(self._owner[mask], minlength=self.n).astype(np.int64)

    def any(self, mask: BoolArray) -> BoolArray:
        """Whether some item row of each subject satisfies mask (False with no items)."""
        return np.asarray(self.count(mask) > 0, dtype=np.bool_)

    def all(self, mask: BoolArray) -> BoolArray:
        """Whether every item row of each subject satisfies mask (True with no items)."""
        checked = self._check(None, mask)
        assert checked is not None
        return np.asarray(self.count(~checked) == 0, dtype=np.bool_)

    def broadcast_num(self, subject_values: Num) -> Num:
        """A subject-level column repeated onto the item rows."""
        if len(subject_values) != self.n:
            raise ValueError("subject column has the wrong length")
        return subject_values.take(self._owner)

    def broadcast(self, array: npt.NDArray[Any]) -> npt.NDArray[Any]:
        """A subject-level array repeated onto the item rows."""
        arr = np.asarray(array)
        if arr.shape[0] != self.n:
            raise ValueError("subject array has the wrong length")
        return np.asarray(arr[self._owner])

    def sum(self, values: Num, mask: BoolArray | None = None) -> Num:
        """Exact per-subject sums (rows where mask is False excluded; no rows sum to 0)."""
        mask = self._check(values, mask)
        if values._const is not None:
            return Num.from_ints(self.count(mask)) * values._const
        if isinstance(values.den, int):
            return self._sum_scalar_den(values, mask)
        return self._sum_array_den(values, mask)

    def _scatter(self, sums: IntArray, fill: int = 0) -> IntArray:
        """Per-nonempty-subject results spread to all n subjects (fill for the empty ones)."""
        if len(self._nonempty) == self.n:
            return sums
        out = np.full(self.n, fill, dtype=sums.dtype)
        out[self._nonempty] = sums
        return out

    def _segment_sums(self, terms: IntArray) -> IntArray:
        if len(terms) == 0:
            return np.zeros(self.n, dtype=terms.dtype)
        return self._scatter(np.add.reduceat(self._sorted(terms), self._starts))

    def _sum_scalar_den(self, values: Num, mask: BoolArray | None) -> Num:
        terms = values.num if mask is None else values.num * mask
        bound = self._max_count * values.bound
        if values.is_int64 and bound > LIMIT:
            bound = self._max_count * values._tightened().bound
        if bound > LIMIT:
            terms = object_array(terms)
        elif self._order is not None and bound <= FLOAT_INTEGERS:
            # Unsorted owners: a float64 bincount avoids regrouping the rows, and is exact here
            # because every term and every partial sum is an integer of magnitude at most
            # `bound` <= 2**53, where float64 represents integers exactly.
            sums = np.bincount(self._owner, terms.astype(np.float64), minlength=self.n)
            return Num._raw(sums.astype(np.int64), values.den, bound)
        return make_result(self._segment_sums(terms), values.den, bound)

    def _sum_array_den(self, values: Num, mask: BoolArray | None) -> Num:
        num, den = values.num, values.den
        assert isinstance(den, np.ndarray)
        if mask is not None:
            num, den = num * mask, np.where(mask, den, 1)
        if len(num) == 0:
            return Num.const(0, self.n)
        # Each subject's common denominator: the lcm of its rows' denominators.  np.lcm wraps
        # silently on int64 overflow, so its result is only used once checked to be a positive
        # multiple of every row's den (any such common multiple gives exact sums); else the
        # lcm is computed on Python ints.
        sorted_den = self._sorted(den)
        counts = self._counts[self._nonempty]
        lcms = np.lcm.reduceat(sorted_den, self._starts)
        if not is_object(lcms):
            multiples = np.repeat(lcms, counts) % sorted_den
            if not (bool((lcms > 0).all()) and not bool(multiples.any())):
                lcms = np.lcm.reduceat(object_array(sorted_den), self._starts)
        lcm_bound = measure(lcms)
        if is_object(lcms) and lcm_bound <= LIMIT and values.is_int64:
            lcms = lcms.astype(np.int64)
        row_lcm = np.repeat(lcms, counts)
        bound = self._max_count * values.bound * lcm_bound
        sorted_num = self._sorted(num)
        if bound > LIMIT or is_object(row_lcm):
            sorted_num, row_lcm = object_array(sorted_num), object_array(row_lcm)
        terms = sorted_num * (row_lcm // sorted_den)
        sums = self._scatter(np.add.reduceat(terms, self._starts))
        dens = self._scatter(lcms, fill=1)
        if is_object(sums) != is_object(dens):
            sums, dens = object_array(sums), object_array(dens)
        return make_result(sums, dens, bound, max(lcm_bound, 1))

    def min(self, values: Num, mask: BoolArray | None = None) -> tuple[Num, BoolArray]:
        """Per-subject minimum, and the mask of subjects with no (unmasked) rows (value 0)."""
        return self._extreme(values, mask, largest=False)

    def max(self, values: Num, mask: BoolArray | None = None) -> tuple[Num, BoolArray]:
        """Per-subject maximum, and the mask of subjects with no (unmasked) rows (value 0)."""
        return self._extreme(values, mask, largest=True)

    def _extreme(
        self, values: Num, mask: BoolArray | None, *, largest: bool
    ) -> tuple[Num, BoolArray]:
        mask = self._check(values, mask)
        counts = self.count(mask)
        empty = counts == 0
        nonempty = np.flatnonzero(counts)
        if values._const is not None:
            return where(empty, 0, Num._constant(values._const, self.n, shared_den(values))), empty
        if isinstance(values.den, int):
            kept = self._sorted(values.num)
            if mask is not None:
                kept = kept[self._sorted(mask)]
            starts = (np.cumsum(counts) - counts)[nonempty]
            found = np.zeros(self.n, dtype=kept.dtype)
            if len(kept):
                reduce = np.maximum if largest else np.minimum
                found[nonempty] = reduce.reduceat(kept, starts)
            return make_result(found, values.den, values.bound), empty
        # Array den: order each subject's rows by an exact key; its first/last row is the min/max.
        rows = np.arange(len(values)) if mask is None else np.flatnonzero(mask)
        key = values.sort_key()[rows]
        rows = rows[np.lexsort((key, self._owner[rows]))]
        ends = np.cumsum(counts)[nonempty]
        picked = rows[ends - 1] if largest else rows[ends - counts[nonempty]]
        part = values.take(picked)
        num = np.zeros(self.n, dtype=part.num.dtype)
        num[nonempty] = part.num
        den = np.ones(self.n, dtype=part.num.dtype)
        den[nonempty] = part.den
        return make_result(num, den, values.bound, max(values.den_bound, 1)), empty
