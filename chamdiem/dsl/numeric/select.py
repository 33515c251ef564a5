"""Element-wise selection between columns: where, minimum, maximum, clip, and concat."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from chamdiem.dsl.numeric.ints import (
    LIMIT,
    BoolArray,
    Scalar,
    int_lcm,
    object_array,
    scale_ints,
)
from chamdiem.dsl.numeric.kernel import Num, coerce, make_result, shared_den


def where(cond: BoolArray, a: Num | Scalar, b: Num | Scalar) -> Num:
    """a where cond holds, else b."""
    cond = np.asarray(cond, dtype=np.bool_)
    n = int(cond.shape[0])
    x, y = coerce(a, n), coerce(b, n)
    if x._const is not None and x._const == y._const:
        return x
    if isinstance(x.den, int) and isinstance(y.den, int):
        den = int_lcm(x.den, y.den)
        fx, fy = den // x.den, den // y.den
        bound = max(x.bound * fx, y.bound * fy)
        if x.is_int64 and y.is_int64 and max(bound, fx, fy) <= LIMIT:
            # A constant operand enters np.where as a scalar, not as an array.
            left = scale_ints(x.num, fx) if x._const is None else int(x._const * den)
            right = scale_ints(y.num, fy) if y._const is None else int(y._const * den)
            return Num._raw(np.where(cond, left, right), den, bound)
    # Per-row denominators: pick num and den together, no multiplication needed.
    if not (x.is_int64 and y.is_int64 and x.den_bound <= LIMIT and y.den_bound <= LIMIT):
        x, y = x._as_object(), y._as_object()
    num = np.where(cond, x.num, y.num)
    dens = np.where(cond, x._den_array(), y._den_array())
    return make_result(num, dens, max(x.bound, y.bound), max(x.den_bound, y.den_bound))


def minimum(a: Num, b: Num | Scalar) -> Num:
    b = coerce(b, len(a))
    return where(a.le(b), a, b)


def maximum(a: Num, b: Num | Scalar) -> Num:
    b = coerce(b, len(a))
    return where(a.ge(b), a, b)


def clip(x: Num, lo: Num | Scalar, hi: Num | Scalar) -> Num:
    """x limited to [lo, hi] (max with lo first, then min with hi)."""
    return minimum(maximum(x, lo), hi)


def concat(parts: Sequence[Num]) -> Num:
    """The rows of all parts, in order."""
    if not parts:
        return Num._raw(np.zeros(0, dtype=np.int64), 1, 0)
    total = sum(len(p) for p in parts)
    first = parts[0]._const
    if first is not None and all(p._const == first for p in parts):
        return Num._constant(first, total, math.lcm(*(shared_den(p) for p in parts)))
    if all(isinstance(p.den, int) for p in parts):
        den = 1
        for p in parts:
            den = int_lcm(den, shared_den(p))
        factors = [den // shared_den(p) for p in parts]
        bound = max(p.bound * f for p, f in zip(parts, factors, strict=True))
        if all(p.is_int64 for p in parts) and max(bound, *factors) <= LIMIT:
            num = np.concatenate(
                [scale_ints(p.num, f) for p, f in zip(parts, factors, strict=True)]
            )
            return Num._raw(num, den, bound)
    as_object = not all(p.is_int64 and p.den_bound <= LIMIT for p in parts)
    nums = [object_array(p.num) if as_object else p.num for p in parts]
    dens = [object_array(p._den_array()) if as_object else p._den_array() for p in parts]
    return make_result(
        np.concatenate(nums),
        np.concatenate(dens),
        max(p.bound for p in parts),
        max(p.den_bound for p in parts),
    )
