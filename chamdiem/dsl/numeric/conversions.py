"""Columns from input cells: Decimals, ints, Fractions, floats (by their shortest repr),
decimal strings and None, onto one shared decimal scale where possible.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Context, Decimal, Inexact, InvalidOperation
from fractions import Fraction
from itertools import repeat
from typing import Any

import numpy as np
import numpy.typing as npt

from chamdiem.dsl.numeric.ints import (
    FAST_DECIMAL_PLACES,
    FLOAT_EXACT,
    LIMIT,
    BoolArray,
    int_lcm,
    measure,
    terminating_places,
)
from chamdiem.dsl.numeric.kernel import Num


def from_values(values: Sequence[object] | npt.NDArray[Any]) -> tuple[Num, BoolArray]:
    if isinstance(values, np.ndarray):
        if values.ndim != 1:
            raise ValueError("a column is one-dimensional")
        kind = values.dtype.kind
        if kind in "iu":
            return Num.from_ints(values), np.zeros(len(values), dtype=np.bool_)
        if kind == "f":
            return _from_floats(values.astype(np.float64, copy=False))
        values = values.tolist()
    n = len(values)
    kinds = set(map(type, values))
    missing = type(None) in kinds
    kinds.discard(type(None))
    mask = (
        np.fromiter((v is None for v in values), dtype=np.bool_, count=n)
        if missing
        else np.zeros(n, dtype=np.bool_)
    )
    if kinds <= {Decimal}:
        cells = [Decimal(0) if v is None else v for v in values] if missing else values
        fast = _from_decimals_fast(cells)  # type: ignore[arg-type]
        if fast is not None:
            return fast, mask
    elif kinds <= {int}:
        ints = [0 if v is None else v for v in values] if missing else values
        try:
            return Num.from_ints(np.array(ints, dtype=np.int64)), mask
        except OverflowError:
            return Num(np.array(ints, dtype=np.object_)), mask
    elif kinds <= {float}:
        floats = np.array([math.nan if v is None else v for v in values], dtype=np.float64)
        return _from_floats(floats)
    # NaN floats are missing too, as in a float array.
    nan = np.fromiter((isinstance(v, float | np.floating) and v != v for v in values), np.bool_, n)
    return _from_cells(list(values)), mask | nan


def _from_decimals_fast(values: Sequence[Decimal]) -> Num | None:
    """Decimals with at most 6 places, scaled by 10**6 to int64 with two Decimal operations
    per value; None (take the general path) when a value has more places or does not fit.

    `to_integral_exact` raises the context's Inexact flag when a scaled value is not an
    integer, and the multiplication raises it when a value has more than 28 digits, so one
    look at the flag after the loop proves every row exact."""
    ctx = Context(prec=28, traps=[InvalidOperation])
    scale = Decimal(f"1E+{FAST_DECIMAL_PLACES}")
    try:
        scaled = map(ctx.to_integral_exact, map(ctx.multiply, values, repeat(scale)))
        m = np.fromiter(map(int, scaled), dtype=np.int64, count=len(values))
    except (OverflowError, ValueError, InvalidOperation):  # too large, infinite or NaN
        return None
    if ctx.flags[Inexact] or (m.size and int(m.min()) == -(2**63)):
        return None
    # The smallest decimal scale that holds every value exactly.
    g = int(np.gcd.reduce(m)) if m.size else 0
    places = FAST_DECIMAL_PLACES
    while places > 0 and g % 10 == 0:
        g //= 10
        places -= 1
    if places < FAST_DECIMAL_PLACES:
        m = m // 10 ** (FAST_DECIMAL_PLACES - places)
    return Num._raw(m, 10**places, measure(m))


def _from_floats(x: npt.NDArray[np.float64]) -> tuple[Num, BoolArray]:
    """Floats read as the decimal of their shortest repr (0.1 means 1/10), vectorised.

    For a row x and k places: if |x| * 10**k < 2**49, at most one k-place decimal m / 10**k
    lies within x's rounding interval, round(x * 10**k) finds it, and m / 10**k == x (one
    correctly rounded division) proves that it round-trips.  The smallest such k gives the
    shortest repr.  Rows that need more digits (1e20, 0.1 + 0.2) go through Decimal(repr(x))."""
    mask = np.isnan(x)
    if np.isinf(x).any():
        raise ValueError("infinite values are not numbers")
    x = np.where(mask, 0.0, x)
    n = len(x)
    scaled = np.zeros(n, dtype=np.int64)
    places = np.zeros(n, dtype=np.int64)
    small = np.abs(x) < FLOAT_EXACT  # larger floats can only take the slow path
    todo = np.flatnonzero(small)
    rest = x[small]
    for k in range(16):
        if todo.size == 0:
            break
        p = 10.0**k
        s = rest * p
        r = np.round(s)
        ok = (np.abs(s) < FLOAT_EXACT) & (r / p == rest)
        hit = todo[ok]
        scaled[hit] = r[ok].astype(np.int64)
        places[hit] = k
        todo, rest = todo[~ok], rest[~ok]
    slow: list[tuple[int, int, int]] = []
    for i in sorted(todo.tolist() + np.flatnonzero(~small).tolist()):
        sign, digits, exponent = Decimal(repr(float(x[i]))).as_tuple()
        coefficient = int("".join(map(str, digits))) * (-1 if sign else 1)
        assert isinstance(exponent, int)
        if exponent > 0:
            coefficient *= 10**exponent
        slow.append((i, coefficient, max(-exponent, 0)))
    k_max = max([int(places.max()) if n else 0] + [k for _, _, k in slow])
    if slow:
        obj = scaled.astype(np.object_)
        for i, coefficient, k in slow:
            obj[i] = coefficient
            places[i] = k
        num = obj * np.array([10**j for j in range(k_max + 1)], dtype=np.object_)[k_max - places]
        return Num(num, 10**k_max), mask
    shift = k_max - places
    if n and measure(scaled) * 10 ** int(shift.max()) > LIMIT:
        powers = np.array([10**j for j in range(k_max + 1)], dtype=np.object_)
        return Num(scaled.astype(np.object_) * powers[shift], 10**k_max), mask
    num = scaled * (10**shift) if k_max else scaled
    return Num._raw(num, 10**k_max, measure(num)), mask


def _cell_ratio(i: int, v: object) -> tuple[int, int]:
    """One input cell as (numerator, denominator > 0); None reads as 0."""
    if v is None:
        return 0, 1
    if isinstance(v, bool | np.bool_):
        raise TypeError(f"row {i}: a truth value is not a number: {v!r}")
    if isinstance(v, int | np.integer):
        return int(v), 1
    if isinstance(v, Fraction):
        return v.numerator, v.denominator
    if isinstance(v, float | np.floating):
        if math.isnan(v):
            return 0, 1
        if math.isinf(v):
            raise ValueError(f"row {i}: infinite values are not numbers")
        return Decimal(repr(float(v))).as_integer_ratio()
    if isinstance(v, str):
        try:
            d = Decimal(v.strip())
        except InvalidOperation:
            raise ValueError(f"row {i}: not a decimal number: {v!r}") from None
        v = d
    if isinstance(v, Decimal):
        if not v.is_finite():
            raise ValueError(f"row {i}: not a finite number: {v!r}")
        return v.as_integer_ratio()
    raise TypeError(f"row {i}: not a number: {v!r}")


def _from_cells(values: Sequence[object]) -> Num:
    """The general (per-row) constructor for mixed cell types and Fractions."""
    ratios = [_cell_ratio(i, v) for i, v in enumerate(values)]
    den = 1
    for d in {d for _, d in ratios}:
        den = int_lcm(den, d)
    k = terminating_places(den)
    if k is not None:
        den = 10**k  # a decimal scale, so that outputs read as decimals
    if den <= 2**62:
        return Num(np.array([p * (den // d) for p, d in ratios], dtype=np.object_), den)
    nums = np.array([p for p, _ in ratios], dtype=np.object_)
    return Num(nums, np.array([d for _, d in ratios], dtype=np.object_))
