"""Integer arrays and limits: the int64 bounds the kernel plans with, and small helpers on
arrays of int64 or Python ints.
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction
from typing import Any, Final, TypeAlias

import numpy as np
import numpy.typing as npt

IntArray: TypeAlias = npt.NDArray[Any]
"""A 1-D array of dtype int64 or of dtype object holding Python ints."""
BoolArray: TypeAlias = npt.NDArray[np.bool_]
Scalar: TypeAlias = "int | Fraction | Decimal"

LIMIT: Final = 2**63 - 1
"""Largest magnitude an int64 computation may reach (-2**63 is excluded on purpose)."""

FAST_DECIMAL_PLACES: Final = 6
"""Decimal lists with at most this many places take the fast constructor path."""

FLOAT_EXACT: Final = 2.0**49
"""|x| * 10**k below this: a float's shortest repr with k places can be found in float64."""

FLOAT_INTEGERS: Final = 2**53
"""Every integer of magnitude up to this is exact in float64 (and so are sums staying below)."""


def measure(a: IntArray) -> int:
    """The largest |a[i]|, exactly (0 for an empty array)."""
    if a.size == 0:
        return 0
    return max(int(a.max()), -int(a.min()))


def is_object(a: IntArray) -> bool:
    return a.dtype == np.object_


def int_lcm(a: int, b: int) -> int:
    return a // math.gcd(a, b) * b


def scale_ints(a: IntArray, factor: int) -> IntArray:
    """a * factor, without a pass over the data when factor is 1."""
    return a if factor == 1 else a * factor


def object_array(a: IntArray) -> IntArray:
    return a if is_object(a) else a.astype(np.object_)


def terminating_places(den: int) -> int | None:
    """The smallest k with den | 10**k, or None when 1/den has no finite decimal expansion."""
    twos = fives = 0
    while den % 2 == 0:
        den //= 2
        twos += 1
    while den % 5 == 0:
        den //= 5
        fives += 1
    return max(twos, fives) if den == 1 else None


def exact_fraction(value: Scalar) -> Fraction:
    """A scalar operand as an exact Fraction; bools and floats are refused (floats are inexact
    and must come in through `Num.from_values`, which reads them by their shortest repr)."""
    if isinstance(value, np.integer):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int | Fraction | Decimal):
        raise TypeError(f"not an exact number: {value!r}")
    if isinstance(value, Decimal) and not value.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return Fraction(value)


def integer_array(a: npt.NDArray[Any], what: str) -> IntArray:
    """a as int64, or as object holding Python ints when it does not fit int64."""
    if a.dtype == np.int64:
        return a
    if a.dtype == np.object_:
        for v in a.tolist():
            if isinstance(v, bool) or not isinstance(v, int):
                raise TypeError(f"{what} must hold integers, found {v!r}")
        return a
    if a.dtype.kind == "u" and a.size and int(a.max()) > LIMIT:
        return a.astype(np.object_)
    if a.dtype.kind in "iu":
        return a.astype(np.int64)
    if a.size == 0:
        return np.zeros(0, dtype=np.int64)
    raise TypeError(f"{what} must be an integer array, not {a.dtype}")


def round_factors(den: int, scale_up: int, scale_down: int) -> tuple[int, int]:
    """(up, divisor) with num * scale_up / (den * scale_down) == num * up / divisor, reduced."""
    divisor = den * scale_down
    g = math.gcd(scale_up, divisor)
    return scale_up // g, divisor // g


def true_div(a: int, b: int) -> float:
    try:
        return a / b
    except OverflowError:
        return math.copysign(math.inf, a)
