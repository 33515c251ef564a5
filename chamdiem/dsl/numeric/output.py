"""Reading a column out: exact fractions and Decimals, decimal strings, floats for charts,
sort keys. `Num` (kernel.py) offers each as a method.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from itertools import repeat
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from chamdiem.dsl.numeric.formatting import (
    FORMAT_DISTINCT_FROM,
    decimals_from_scaled,
    format_scaled,
    plain_strings,
)
from chamdiem.dsl.numeric.ints import LIMIT, IntArray, is_object, terminating_places, true_div

if TYPE_CHECKING:
    from chamdiem.dsl.numeric.kernel import Num


def to_fraction(x: Num, i: int) -> Fraction:
    den = x.den if isinstance(x.den, int) else int(x.den[i])
    return Fraction(int(x.num[i]), den)


def to_decimal(x: Num, i: int, max_places: int = 10) -> Decimal:
    """Row i as a Decimal, the same as `to_decimals(max_places)[i]`."""
    return x.take([i]).to_decimals(max_places)[0]


def to_decimals(x: Num, max_places: int = 10) -> list[Decimal]:
    """All rows as Decimals.  A column with den 10**k (k <= max_places; more generally a
    den dividing 10**k) gives exact values with exactly k places ('12.50' for den 100);
    otherwise each row is rounded half away from zero to max_places decimals and trailing
    zeros are dropped, so a value that terminates within max_places stays exact."""
    scaled, places = scaled_decimal(x, max_places)
    return decimals_from_scaled(scaled, places)


def to_strings(x: Num, places: int | None = None, max_places: int = 10) -> list[str]:
    """Rows as plain decimal strings (never exponent notation): rounded half away from zero
    to exactly `places` decimals, or, with places None, the digits of `to_decimals`."""
    if places is None:
        scaled, shown = scaled_decimal(x, max_places)
        return format_scaled(scaled, shown)
    rounded = x.round_half_away(places)
    return format_scaled(rounded.num, max(places, 0))


def to_plain_strings(x: Num, max_places: int = 10) -> list[str]:
    """The digits of `to_decimals` without trailing zeros or exponent ('12.5', '100',
    '0'): what `format(d.normalize(), 'f')` gives for each of them, vectorised."""
    scaled, places = scaled_decimal(x, max_places)
    if len(scaled) > FORMAT_DISTINCT_FROM and not is_object(scaled):
        # Each distinct value once. With places per row, scaled * 10**(max_places -
        # places) is the value in units of 10**-max_places: one key per value.
        key = scaled if isinstance(places, int) else scaled * 10 ** (max_places - places)
        _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
        texts = plain_strings(scaled[first], places if isinstance(places, int) else places[first])
        return [texts[i] for i in inverse.tolist()]
    return plain_strings(scaled, places)


def to_float(x: Num) -> npt.NDArray[np.float64]:
    """Approximate float64 values (for charts only: never compute with them)."""
    if x.is_int64 and x.den_bound <= LIMIT:
        den = x.den if isinstance(x.den, int) else x.den.astype(np.float64)
        return np.asarray(x.num.astype(np.float64) / den, dtype=np.float64)
    nums = x.num.tolist()
    dens = repeat(x.den) if isinstance(x.den, int) else x.den.tolist()
    return np.array([true_div(a, b) for a, b in zip(nums, dens, strict=False)])


def scaled_decimal(x: Num, max_places: int) -> tuple[IntArray, int | IntArray]:
    """(m, k) with value == m / 10**k exactly, or rounded to max_places (see to_decimals);
    k is one int for the column or one per row."""
    if max_places < 0:
        raise ValueError("max_places must be >= 0")
    if isinstance(x.den, int):
        k = terminating_places(x.den)
        if k is not None and k <= max_places:
            return (x * x.const(10**k, len(x))).num, k
    rounded = x.round_half_away(max_places).num
    shown = np.full(len(x), max_places, dtype=np.int64)
    for _ in range(max_places):
        # Drop one trailing zero where there is one (0 itself ends with no places).
        can = np.asarray(rounded % 10 == 0, dtype=np.bool_) & (shown > 0)
        if not can.any():
            break
        rounded = np.where(can, rounded // 10, rounded)
        shown -= can
    return rounded, shown


def sort_key(x: Num) -> IntArray:
    """An int64 array ordering the rows exactly like their values (equal values, equal
    keys), for np.lexsort / np.argsort: num itself for a scalar den, ranks otherwise."""
    if isinstance(x.den, int) and x.is_int64:
        return x.num
    if len(x) == 0:
        return np.zeros(0, dtype=np.int64)
    order = exact_argsort(x)
    ordered = x.take(order)
    step = ordered.take(np.arange(1, len(x))).ne(ordered.take(np.arange(len(x) - 1)))
    ranks = np.empty(len(x), dtype=np.int64)
    ranks[order] = np.concatenate(([0], np.cumsum(step, dtype=np.int64)))
    return ranks


def exact_argsort(x: Num) -> IntArray:
    if isinstance(x.den, int):  # object dtype: Python ints compare exactly
        return np.argsort(x.num, kind="stable")
    # Sort by the float approximation, then prove the order exactly: if every adjacent
    # pair is in order, the whole sequence is.  Floats of distinct close values may tie or
    # (beyond 2**53) swap; only then pay for an exact Python sort.
    order = np.argsort(x.to_float(), kind="stable")
    ordered = x.take(order)
    pairs_in_order = ordered.take(np.arange(len(x) - 1)).le(ordered.take(np.arange(1, len(x))))
    if bool(pairs_in_order.all()):
        return order
    keys = [x.to_fraction(i) for i in range(len(x))]
    return np.array(sorted(range(len(x)), key=keys.__getitem__), dtype=np.intp)
