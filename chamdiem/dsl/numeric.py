"""Exact vectorised numbers: the column kernel the evaluator computes with.

A `Num` is a column of exact rationals, value[i] = num[i] / den[i]:

* `num` is a 1-D NumPy array, dtype int64 in the common case, or dtype object holding Python
  ints when int64 could overflow (exact, slower, rare);
* `den` is a positive Python int shared by all rows (decimals with a fixed scale such as 100,
  constants such as 1/4) or a 1-D array of positive denominators (after dividing by a per-row
  value); an array `den` always has the same dtype as `num`.

Overflow is prevented without scanning the data on every operation: each `Num` carries `bound`
(an upper bound of |num|) and `den_bound` (of den), and each operation first derives, in pure
Python integer arithmetic, how large the int64 values it is about to compute can get.  Only
when that exceeds int64 does it measure the real maxima, reduce fractions by their gcd, and as a
last resort compute in object dtype.  Nothing ever wraps around: int64 arrays also never hold
-2**63, so negation and abs are always safe.

Arrays held by a `Num` are treated as immutable: operations never modify their inputs, and a
result may share arrays with its operands.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from decimal import MAX_EMAX, MIN_EMIN, Context, Decimal, Inexact, InvalidOperation
from fractions import Fraction
from itertools import repeat
from typing import Any, Final, TypeAlias, TypeVar

import numpy as np
import numpy.typing as npt

from chamdiem.dsl.rounding import round_half_away

IntArray: TypeAlias = npt.NDArray[Any]
"""A 1-D array of dtype int64 or of dtype object holding Python ints."""
BoolArray: TypeAlias = npt.NDArray[np.bool_]
Scalar: TypeAlias = "int | Fraction | Decimal"

_LIMIT: Final = 2**63 - 1
"""Largest magnitude an int64 computation may reach (-2**63 is excluded on purpose)."""

_FAST_DECIMAL_PLACES: Final = 6
"""Decimal lists with at most this many places take the fast constructor path."""

_FLOAT_EXACT: Final = 2.0**49
"""|x| * 10**k below this: a float's shortest repr with k places can be found in float64."""

_FLOAT_INTEGERS: Final = 2**53
"""Every integer of magnitude up to this is exact in float64 (and so are sums staying below)."""

_T = TypeVar("_T")


def _measure(a: IntArray) -> int:
    """The largest |a[i]|, exactly (0 for an empty array)."""
    if a.size == 0:
        return 0
    return max(int(a.max()), -int(a.min()))


def _is_object(a: IntArray) -> bool:
    return a.dtype == np.object_


def _lcm(a: int, b: int) -> int:
    return a // math.gcd(a, b) * b


def _scaled(a: IntArray, factor: int) -> IntArray:
    """a * factor, without a pass over the data when factor is 1."""
    return a if factor == 1 else a * factor


def _sden(x: Num) -> int:
    """The scalar denominator of a column known to have one."""
    assert isinstance(x.den, int)
    return x.den


def _as_object(a: IntArray) -> IntArray:
    return a if _is_object(a) else a.astype(np.object_)


def _terminating_places(den: int) -> int | None:
    """The smallest k with den | 10**k, or None when 1/den has no finite decimal expansion."""
    twos = fives = 0
    while den % 2 == 0:
        den //= 2
        twos += 1
    while den % 5 == 0:
        den //= 5
        fives += 1
    return max(twos, fives) if den == 1 else None


def _fraction(value: Scalar) -> Fraction:
    """A scalar operand as an exact Fraction; bools and floats are refused (floats are inexact
    and must come in through `Num.from_values`, which reads them by their shortest repr)."""
    if isinstance(value, np.integer):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int | Fraction | Decimal):
        raise TypeError(f"not an exact number: {value!r}")
    if isinstance(value, Decimal) and not value.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return Fraction(value)


class Num:
    """A column of exact rationals (see the module docstring)."""

    __slots__ = ("_const", "_reduced_cache", "_tight", "bound", "den", "den_bound", "num")

    num: IntArray
    den: int | IntArray
    bound: int
    den_bound: int
    _const: Fraction | None
    _tight: bool
    _reduced_cache: Num | None

    def __init__(
        self,
        num: IntArray,
        den: int | IntArray = 1,
        *,
        bound: int | None = None,
        den_bound: int | None = None,
    ) -> None:
        """Build a column from numerators and a denominator (a positive int or an array of
        positive ints).  Bounds, when given, must be upper bounds of |num| and den."""
        num = np.asarray(num)
        if num.ndim != 1:
            raise ValueError("a Num column is one-dimensional")
        num = _integer_array(num, "num")
        if isinstance(den, np.ndarray):
            den = _integer_array(den, "den")
            if den.shape != num.shape:
                raise ValueError("num and den have different lengths")
            if den.size and int(den.min()) <= 0:
                raise ValueError("denominators must be positive")
            den_bound = _measure(den) if den_bound is None else den_bound
        else:
            if isinstance(den, bool) or not isinstance(den, int | np.integer):
                raise TypeError(f"den must be an int or an integer array, not {den!r}")
            den = int(den)
            if den <= 0:
                raise ValueError("denominators must be positive")
            den_bound = den
        bound = _measure(num) if bound is None else bound
        self._init(num, den, bound, den_bound, None)
        self._fix_dtypes()

    def _init(
        self,
        num: IntArray,
        den: int | IntArray,
        bound: int,
        den_bound: int,
        const: Fraction | None,
    ) -> None:
        self.num = num
        self.den = den
        self.bound = bound
        self.den_bound = den_bound
        self._const = const
        self._tight = False
        self._reduced_cache = None

    def _fix_dtypes(self) -> None:
        """int64 exactly when every value fits (-2**63 excluded); an array den shares num's
        dtype."""
        den_fits = isinstance(self.den, int) or self.den_bound <= _LIMIT
        if _is_object(self.num):
            if self.bound <= _LIMIT and den_fits:
                self.num = self.num.astype(np.int64)
                if isinstance(self.den, np.ndarray):
                    self.den = self.den.astype(np.int64)
        elif self.bound > _LIMIT:
            self.bound = _measure(self.num)
            if self.bound > _LIMIT:  # holds -2**63
                self.num = self.num.astype(np.object_)
        if isinstance(self.den, np.ndarray):
            if not den_fits:
                self.den = _as_object(self.den)
            if _is_object(self.num) != _is_object(self.den):
                self.num = _as_object(self.num)
                self.den = _as_object(self.den)

    @classmethod
    def _raw(
        cls,
        num: IntArray,
        den: int | IntArray,
        bound: int,
        den_bound: int | None = None,
        const: Fraction | None = None,
    ) -> Num:
        """A Num from trusted parts (no validation, no pass over the data)."""
        if den_bound is None:
            den_bound = den if isinstance(den, int) else _measure(den)
        self = cls.__new__(cls)
        self._init(num, den, bound, den_bound, const)
        return self

    # ----------------------------------------------------------------------------- constructors

    @classmethod
    def const(cls, value: Scalar, n: int) -> Num:
        """The column of length n whose rows all equal value (no copy of the value per row)."""
        c = _fraction(value)
        return cls._constant(c, n, c.denominator)

    @classmethod
    def _constant(cls, c: Fraction, n: int, den: int) -> Num:
        """A constant column over a chosen den (a multiple of c's, e.g. 100 to show '2.50')."""
        p = c.numerator * (den // c.denominator)
        if abs(p) <= _LIMIT:
            num: IntArray = np.broadcast_to(np.int64(p), (n,))
        else:
            num = np.broadcast_to(np.array(p, dtype=np.object_), (n,))
        return cls._raw(num, den, abs(p), const=c)

    @classmethod
    def from_ints(cls, a: npt.ArrayLike) -> Num:
        """An integer column (den 1); the array is used without a copy when it is int64."""
        arr = _integer_array(np.asarray(a), "values")
        if arr.ndim != 1:
            raise ValueError("a Num column is one-dimensional")
        return cls(arr, 1)

    @classmethod
    def from_values(cls, values: Sequence[object] | npt.NDArray[Any]) -> tuple[Num, BoolArray]:
        """A column from input cells, and the mask of missing ones (None, or a float NaN),
        whose value is 0.

        Accepts Decimal, int, Fraction, float (read through its shortest repr, so 0.1 means
        1/10), decimal strings and None.  The column gets a shared decimal scale 10**k (times
        the lcm of any non-decimal Fraction denominators) so that den is a scalar."""
        return _from_values(values)

    # ---------------------------------------------------------------------------------- basics

    def __len__(self) -> int:
        return int(self.num.shape[0])

    def __repr__(self) -> str:
        shown = ", ".join(str(self.to_fraction(i)) for i in range(min(len(self), 6)))
        more = ", …" if len(self) > 6 else ""
        return f"Num([{shown}{more}], n={len(self)})"

    @property
    def is_int64(self) -> bool:
        """True on the fast path (int64 arrays), False on the exact object fallback."""
        return not _is_object(self.num)

    @property
    def scalar_den(self) -> bool:
        return not isinstance(self.den, np.ndarray)

    def const_value(self) -> Fraction | None:
        """The value of every row when the column is known to be constant, else None."""
        return self._const

    def _detect_const(self) -> Fraction | None:
        """Like const_value, but also spots a scalar-den column whose rows happen to be equal
        (one pass); used where a constant operand keeps the result's den scalar."""
        if self._const is not None:
            return self._const
        if isinstance(self.den, int) and self.is_int64 and len(self):
            lo = int(self.num.min())
            if lo == int(self.num.max()):
                return Fraction(lo, self.den)
        return None

    def _tightened(self) -> Num:
        """Replace the derived bounds by the measured maxima (valid forever: Nums are
        immutable, so this only sharpens metadata)."""
        if not self._tight and self._const is None:
            self.bound = _measure(self.num)
            if isinstance(self.den, np.ndarray):
                self.den_bound = _measure(self.den)
            self._tight = True
        return self

    def _reduced(self) -> Num:
        """The same values with num and den divided by their gcd (per row for an array den,
        over the whole column for a scalar den); an array den whose rows agree becomes
        scalar."""
        if self._const is not None:
            return self
        if self._reduced_cache is not None:
            return self._reduced_cache
        if isinstance(self.den, int):
            g = math.gcd(self.den, int(np.gcd.reduce(self.num))) if len(self) else self.den
            if g > _LIMIT and self.is_int64:  # g divides every |num| <= _LIMIT: all are 0
                num = np.zeros(len(self), dtype=np.int64)
            else:
                num = self.num // g if g > 1 else self.num
            result = _narrowed(Num._raw(num, self.den // g, _measure(num)))
        else:
            g_arr = np.gcd(self.num, self.den)
            num = self.num // g_arr
            den = self.den // g_arr
            result = _narrowed(Num._raw(num, den, _measure(num), _measure(den)))
            if isinstance(result.den, np.ndarray) and len(result):
                d0 = int(result.den[0])
                if d0 == int(result.den.min()) == int(result.den.max()):
                    result = Num._raw(result.num, d0, result.bound)
        result._tight = True
        self._reduced_cache = result
        return result

    def _as_object(self) -> Num:
        # Both num and an array den must hold Python ints: a column whose den went to object
        # dtype while its num stayed int64 would otherwise meet a huge scalar den of the
        # other operand in int64 arithmetic (OverflowError).
        num = _as_object(self.num)
        den = self.den if isinstance(self.den, int) else _as_object(self.den)
        if num is self.num and den is self.den:
            return self
        return Num._raw(num, den, self.bound, self.den_bound, self._const)

    def _den_array(self) -> IntArray:
        if isinstance(self.den, np.ndarray):
            return self.den
        dtype = np.object_ if _is_object(self.num) or self.den > _LIMIT else np.int64
        return np.full(len(self), self.den, dtype=dtype)

    # ------------------------------------------------------------------------------ arithmetic

    def __add__(self, other: Num | Scalar) -> Num:
        return _add(self, _coerce(other, len(self)), 1)

    def __radd__(self, other: Scalar) -> Num:
        return _add(_coerce(other, len(self)), self, 1)

    def __sub__(self, other: Num | Scalar) -> Num:
        return _add(self, _coerce(other, len(self)), -1)

    def __rsub__(self, other: Scalar) -> Num:
        return _add(_coerce(other, len(self)), self, -1)

    def __mul__(self, other: Num | Scalar) -> Num:
        return _mul(self, _coerce(other, len(self)))

    def __rmul__(self, other: Scalar) -> Num:
        return _mul(_coerce(other, len(self)), self)

    def __neg__(self) -> Num:
        if self._const is not None:
            return Num._constant(-self._const, len(self), _sden(self))
        return Num._raw(-self.num, self.den, self.bound, self.den_bound)

    def __pos__(self) -> Num:
        return self

    def __abs__(self) -> Num:
        if self._const is not None:
            return Num._constant(abs(self._const), len(self), _sden(self))
        return Num._raw(np.abs(self.num), self.den, self.bound, self.den_bound)

    def div(self, other: Num | Scalar) -> tuple[Num, BoolArray]:
        """The exact quotient, and the mask of rows whose divisor is 0 (their value is 0)."""
        n = len(self)
        b = _coerce(other, n)
        c = b._detect_const()
        if c is not None:
            if c == 0:
                return Num.const(0, n), np.ones(n, dtype=np.bool_)
            return _mul(self, Num.const(1 / c, n)), np.zeros(n, dtype=np.bool_)
        zero = b.num == 0
        any_zero = bool(zero.any())

        def plan(x: Num, y: Num) -> int:
            return max(x.bound * y.den_bound, x.den_bound * y.bound, x.den_bound, y.den_bound)

        def compute(x: Num, y: Num) -> Num:
            # x / y = (xn * yd) / (xd * yn), with the sign moved to the numerator.
            num = x.num * y.den if not (isinstance(y.den, int) and y.den == 1) else x.num
            num = np.where(y.num < 0, -num, num)
            den = np.abs(y.num)
            if not (isinstance(x.den, int) and x.den == 1):
                den = den * x.den
            if any_zero:
                num[zero] = 0
                den[zero] = 1
            return _result(num, den, x.bound * y.den_bound, max(1, x.den_bound * y.bound))

        return _run((self, b), plan, compute), zero

    # ----------------------------------------------------------------------------- comparisons

    def eq(self, other: Num | Scalar) -> BoolArray:
        return _compare(self, _coerce(other, len(self)), "eq")

    def ne(self, other: Num | Scalar) -> BoolArray:
        return _compare(self, _coerce(other, len(self)), "ne")

    def lt(self, other: Num | Scalar) -> BoolArray:
        return _compare(self, _coerce(other, len(self)), "lt")

    def le(self, other: Num | Scalar) -> BoolArray:
        return _compare(self, _coerce(other, len(self)), "le")

    def gt(self, other: Num | Scalar) -> BoolArray:
        return _compare(self, _coerce(other, len(self)), "gt")

    def ge(self, other: Num | Scalar) -> BoolArray:
        return _compare(self, _coerce(other, len(self)), "ge")

    # -------------------------------------------------------------------------------- rounding

    def round_half_away(self, places: int) -> Num:
        """Rounded half away from zero to `places` decimals: den becomes 10**places (or 1 when
        places is negative, e.g. -1 rounds to tens)."""
        n = len(self)
        if self._const is not None:
            return Num._constant(round_half_away(self._const, places), n, 10 ** max(places, 0))
        scale_up, scale_down = (10**places, 1) if places >= 0 else (1, 10**-places)
        result_den = 10**places if places >= 0 else 1

        # value * 10**places = num * scale_up / (den * scale_down), rounded to an integer q;
        # the result is q / 10**places (or q * scale_down when places < 0).
        def plan(x: Num) -> int:
            if isinstance(x.den, int):
                up, divisor = _round_factors(x.den, scale_up, scale_down)
                return max(x.bound * up + divisor // 2, divisor, scale_down * (x.bound + 1))
            return max(
                x.bound * scale_up + x.den_bound * scale_down,
                x.den_bound * scale_down,
                scale_down * (x.bound + 1),
            )

        def compute(x: Num) -> Num:
            if isinstance(x.den, int):
                up, divisor = _round_factors(x.den, scale_up, scale_down)
                if divisor == 1:
                    return _result(_scaled(x.num, up * scale_down), result_den, x.bound * up)
                q_bound = (x.bound * up + divisor // 2) // divisor
                q = np.abs(x.num)
                q = _scaled(q, up)
                q += divisor // 2
                q //= divisor
            else:
                divisors = _scaled(x.den, scale_down)
                q_bound = x.bound * scale_up + 1
                q = _scaled(np.abs(x.num), scale_up)
                q += divisors // 2
                q //= divisors
            q = _scaled(q, scale_down)
            np.negative(q, out=q, where=x.num < 0)
            return _result(q, result_den, q_bound * scale_down)

        return _run((self,), plan, compute)

    def floor(self) -> Num:
        """The largest integer <= each value (den 1)."""
        return self._integer_part(ceil=False)

    def ceil(self) -> Num:
        """The smallest integer >= each value (den 1)."""
        return self._integer_part(ceil=True)

    def _integer_part(self, *, ceil: bool) -> Num:
        if self._const is not None:
            c = self._const
            return Num.const(math.ceil(c) if ceil else math.floor(c), len(self))
        if isinstance(self.den, int) and self.den == 1:
            return self

        def plan(x: Num) -> int:
            return max(x.bound, x.den_bound)

        def compute(x: Num) -> Num:
            # For d >= 1 and n != 0, |floor(n/d)| and |ceil(n/d)| are at most |n|.
            if ceil:
                return _result(-((-x.num) // x.den), 1, x.bound)
            return _result(x.num // x.den, 1, x.bound)

        return _run((self,), plan, compute)

    def is_integer(self) -> BoolArray:
        if self._const is not None:
            return np.full(len(self), self._const.denominator == 1)
        if isinstance(self.den, int) and self.den == 1:
            return np.ones(len(self), dtype=np.bool_)
        x = self
        if x.is_int64 and x.den_bound > _LIMIT:
            x = x._as_object()
        return np.asarray(x.num % x.den == 0, dtype=np.bool_)

    # ------------------------------------------------------------------------------- selection

    def take(self, indices: npt.ArrayLike) -> Num:
        """The rows at `indices` (a gather; bounds carry over)."""
        idx = np.asarray(indices, dtype=np.intp)
        if self._const is not None:
            if idx.size and (idx.min() < -len(self) or idx.max() >= len(self)):
                raise IndexError("index out of range")
            return Num._constant(self._const, int(idx.shape[0]), _sden(self))
        den = self.den[idx] if isinstance(self.den, np.ndarray) else self.den
        return Num._raw(self.num[idx], den, self.bound, self.den_bound)

    def filter(self, mask: BoolArray) -> Num:
        """The rows where mask is True."""
        mask = np.asarray(mask, dtype=np.bool_)
        if mask.shape != self.num.shape:
            raise ValueError("mask and column have different lengths")
        return self.take(np.flatnonzero(mask))

    # ---------------------------------------------------------------------------------- output

    def to_fraction(self, i: int) -> Fraction:
        den = self.den if isinstance(self.den, int) else int(self.den[i])
        return Fraction(int(self.num[i]), den)

    def to_decimal(self, i: int, max_places: int = 10) -> Decimal:
        """Row i as a Decimal, the same as `to_decimals(max_places)[i]`."""
        return self.take([i]).to_decimals(max_places)[0]

    def to_decimals(self, max_places: int = 10) -> list[Decimal]:
        """All rows as Decimals.  A column with den 10**k (k <= max_places; more generally a
        den dividing 10**k) gives exact values with exactly k places ('12.50' for den 100);
        otherwise each row is rounded half away from zero to max_places decimals and trailing
        zeros are dropped, so a value that terminates within max_places stays exact."""
        scaled, places = self._scaled_decimal(max_places)
        return _decimals_from_scaled(scaled, places)

    def to_strings(self, places: int | None = None, max_places: int = 10) -> list[str]:
        """Rows as plain decimal strings (never exponent notation): rounded half away from zero
        to exactly `places` decimals, or, with places None, the digits of `to_decimals`."""
        if places is None:
            scaled, shown = self._scaled_decimal(max_places)
            return _format_scaled(scaled, shown)
        rounded = self.round_half_away(places)
        return _format_scaled(rounded.num, max(places, 0))

    def to_plain_strings(self, max_places: int = 10) -> list[str]:
        """The digits of `to_decimals` without trailing zeros or exponent ('12.5', '100',
        '0'): what `format(d.normalize(), 'f')` gives for each of them, vectorised."""
        scaled, places = self._scaled_decimal(max_places)
        if len(scaled) > _FORMAT_DISTINCT_FROM and not _is_object(scaled):
            # Each distinct value once. With places per row, scaled * 10**(max_places -
            # places) is the value in units of 10**-max_places: one key per value.
            key = scaled if isinstance(places, int) else scaled * 10 ** (max_places - places)
            _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
            texts = _plain_strings(
                scaled[first], places if isinstance(places, int) else places[first]
            )
            return [texts[i] for i in inverse.tolist()]
        return _plain_strings(scaled, places)

    def to_float(self) -> npt.NDArray[np.float64]:
        """Approximate float64 values (for charts only: never compute with them)."""
        if self.is_int64 and self.den_bound <= _LIMIT:
            den = self.den if isinstance(self.den, int) else self.den.astype(np.float64)
            return np.asarray(self.num.astype(np.float64) / den, dtype=np.float64)
        nums = self.num.tolist()
        dens = repeat(self.den) if isinstance(self.den, int) else self.den.tolist()
        return np.array([_true_div(a, b) for a, b in zip(nums, dens, strict=False)])

    def _scaled_decimal(self, max_places: int) -> tuple[IntArray, int | IntArray]:
        """(m, k) with value == m / 10**k exactly, or rounded to max_places (see to_decimals);
        k is one int for the column or one per row."""
        if max_places < 0:
            raise ValueError("max_places must be >= 0")
        if isinstance(self.den, int):
            k = _terminating_places(self.den)
            if k is not None and k <= max_places:
                return (self * Num.const(10**k, len(self))).num, k
        rounded = self.round_half_away(max_places).num
        shown = np.full(len(self), max_places, dtype=np.int64)
        for _ in range(max_places):
            # Drop one trailing zero where there is one (0 itself ends with no places).
            can = np.asarray(rounded % 10 == 0, dtype=np.bool_) & (shown > 0)
            if not can.any():
                break
            rounded = np.where(can, rounded // 10, rounded)
            shown -= can
        return rounded, shown

    def sort_key(self) -> IntArray:
        """An int64 array ordering the rows exactly like their values (equal values, equal
        keys), for np.lexsort / np.argsort: num itself for a scalar den, ranks otherwise."""
        if isinstance(self.den, int) and self.is_int64:
            return self.num
        if len(self) == 0:
            return np.zeros(0, dtype=np.int64)
        order = self._exact_argsort()
        ordered = self.take(order)
        step = ordered.take(np.arange(1, len(self))).ne(ordered.take(np.arange(len(self) - 1)))
        ranks = np.empty(len(self), dtype=np.int64)
        ranks[order] = np.concatenate(([0], np.cumsum(step, dtype=np.int64)))
        return ranks

    def _exact_argsort(self) -> IntArray:
        if isinstance(self.den, int):  # object dtype: Python ints compare exactly
            return np.argsort(self.num, kind="stable")
        # Sort by the float approximation, then prove the order exactly: if every adjacent
        # pair is in order, the whole sequence is.  Floats of distinct close values may tie or
        # (beyond 2**53) swap; only then pay for an exact Python sort.
        order = np.argsort(self.to_float(), kind="stable")
        ordered = self.take(order)
        pairs_in_order = ordered.take(np.arange(len(self) - 1)).le(
            ordered.take(np.arange(1, len(self)))
        )
        if bool(pairs_in_order.all()):
            return order
        keys = [self.to_fraction(i) for i in range(len(self))]
        return np.array(sorted(range(len(self)), key=keys.__getitem__), dtype=np.intp)


# ------------------------------------------------------------------------------------ helpers


def _integer_array(a: npt.NDArray[Any], what: str) -> IntArray:
    """a as int64, or as object holding Python ints when it does not fit int64."""
    if a.dtype == np.int64:
        return a
    if a.dtype == np.object_:
        for v in a.tolist():
            if isinstance(v, bool) or not isinstance(v, int):
                raise TypeError(f"{what} must hold integers, found {v!r}")
        return a
    if a.dtype.kind == "u" and a.size and int(a.max()) > _LIMIT:
        return a.astype(np.object_)
    if a.dtype.kind in "iu":
        return a.astype(np.int64)
    if a.size == 0:
        return np.zeros(0, dtype=np.int64)
    raise TypeError(f"{what} must be an integer array, not {a.dtype}")


def _narrowed(x: Num) -> Num:
    """x on int64 when its (exact) bounds allow it."""
    if x.is_int64 or x.bound > _LIMIT or x.den_bound > _LIMIT:
        return x
    den = x.den if isinstance(x.den, int) else x.den.astype(np.int64)
    result = Num._raw(x.num.astype(np.int64), den, x.bound, x.den_bound)
    result._tight = x._tight
    return result


def _result(num: IntArray, den: int | IntArray, bound: int, den_bound: int | None = None) -> Num:
    """A computed column; an object result is narrowed back to int64 when its values fit
    (after reducing per-row fractions by their gcd, which keeps chains of per-row products and
    quotients from growing), so that the slow path does not spread.  A scalar den is kept as
    it is: it says how many places the column shows."""
    result = Num._raw(num, den, bound, den_bound)
    if result.is_int64:
        return result
    result = _narrowed(result._tightened())
    if result.is_int64 or isinstance(result.den, int):
        return result
    return result._reduced()


def _run(ops: tuple[Num, ...], plan: Callable[..., int], compute: Callable[..., _T]) -> _T:
    """compute(*ops) on int64 when plan(*ops) — the largest magnitude the int64 computation
    can reach, derived from the bounds — fits; else retry with measured bounds, then with
    gcd-reduced operands; else compute exactly in object dtype."""
    if all(op.is_int64 for op in ops):
        if plan(*ops) <= _LIMIT:
            return compute(*ops)
        ops = tuple(op._tightened() for op in ops)
        if plan(*ops) <= _LIMIT:
            return compute(*ops)
        ops = tuple(op._reduced() for op in ops)
        if all(op.is_int64 for op in ops) and plan(*ops) <= _LIMIT:
            return compute(*ops)
    return compute(*(op._as_object() for op in ops))


def _coerce(value: Num | Scalar, n: int) -> Num:
    if isinstance(value, Num):
        if len(value) != n:
            raise ValueError(f"columns of different lengths: {n} and {len(value)}")
        return value
    return Num.const(value, n)


def _round_factors(den: int, scale_up: int, scale_down: int) -> tuple[int, int]:
    """(up, divisor) with num * scale_up / (den * scale_down) == num * up / divisor, reduced."""
    divisor = den * scale_down
    g = math.gcd(scale_up, divisor)
    return scale_up // g, divisor // g


def _true_div(a: int, b: int) -> float:
    try:
        return a / b
    except OverflowError:
        return math.copysign(math.inf, a)


def _add(a: Num, b: Num, sign: int) -> Num:
    """a + b (sign 1) or a - b (sign -1)."""
    n = len(a)
    ca, cb = a._const, b._const
    if ca is not None and cb is not None:
        return Num.const(ca + sign * cb, n)
    if cb is not None and isinstance(a.den, int):
        return _add_const(a, 1, sign * cb)
    if ca is not None and isinstance(b.den, int):
        return _add_const(b, sign, ca)
    combine = np.add if sign == 1 else np.subtract

    if isinstance(a.den, int) and isinstance(b.den, int):

        def plan_scalar(x: Num, y: Num) -> int:
            den = _lcm(_sden(x), _sden(y))
            fx, fy = den // _sden(x), den // _sden(y)
            return max(x.bound * fx + y.bound * fy, fx, fy)

        def compute_scalar(x: Num, y: Num) -> Num:
            den = _lcm(_sden(x), _sden(y))
            fx, fy = den // _sden(x), den // _sden(y)
            num = combine(_scaled(x.num, fx), _scaled(y.num, fy))
            return _result(num, den, x.bound * fx + y.bound * fy)

        return _run((a, b), plan_scalar, compute_scalar)

    def plan(x: Num, y: Num) -> int:
        if x.den is y.den:
            return x.bound + y.bound
        return max(x.bound * y.den_bound + y.bound * x.den_bound, x.den_bound * y.den_bound)

    def compute(x: Num, y: Num) -> Num:
        if x.den is y.den:
            return _result(combine(x.num, y.num), x.den, x.bound + y.bound, x.den_bound)
        num = combine(x.num * y.den, y.num * x.den)
        bound = x.bound * y.den_bound + y.bound * x.den_bound
        return _result(num, x.den * y.den, bound, x.den_bound * y.den_bound)

    return _run((a, b), plan, compute)


def _add_const(a: Num, sign: int, c: Fraction) -> Num:
    """sign * a + c, for a scalar-den a: one pass (two when a's den must be scaled)."""
    if c == 0 and sign == 1:
        return a

    def factors(x: Num) -> tuple[int, int, int]:
        den = _lcm(_sden(x), c.denominator)
        return den, den // _sden(x), c.numerator * (den // c.denominator)

    def plan(x: Num) -> int:
        _, fx, cc = factors(x)
        return max(x.bound * fx + abs(cc), fx, abs(cc))

    def compute(x: Num) -> Num:
        den, fx, cc = factors(x)
        scaled = _scaled(x.num, fx)
        num = scaled + cc if sign == 1 else cc - scaled
        return _result(num, den, x.bound * fx + abs(cc))

    return _run((a,), plan, compute)


def _mul(a: Num, b: Num) -> Num:
    n = len(a)
    ca, cb = a._const, b._const
    if ca is not None and cb is not None:
        return Num.const(ca * cb, n)
    if cb is not None:
        return _mul_const(a, cb)
    if ca is not None:
        return _mul_const(b, ca)

    def plan(x: Num, y: Num) -> int:
        if isinstance(x.den, int) and isinstance(y.den, int):
            return x.bound * y.bound
        return max(x.bound * y.bound, x.den_bound * y.den_bound)

    def compute(x: Num, y: Num) -> Num:
        den = x.den * y.den
        return _result(x.num * y.num, den, x.bound * y.bound, x.den_bound * y.den_bound)

    return _run((a, b), plan, compute)


def _mul_const(a: Num, c: Fraction) -> Num:
    n = len(a)
    p, q = c.numerator, c.denominator
    if p == 0:
        return Num.const(0, n)
    if c == 1:
        return a

    if isinstance(a.den, int):
        # num * p / (den * q), with the common factor of p and den * q cancelled up front.
        def factors(x: Num) -> tuple[int, int]:
            den = _sden(x) * q
            g = math.gcd(p, den)
            return p // g, den // g

        def plan_scalar(x: Num) -> int:
            fp, _ = factors(x)
            return max(x.bound * abs(fp), abs(fp))

        def compute_scalar(x: Num) -> Num:
            fp, den = factors(x)
            num = -x.num if fp == -1 else _scaled(x.num, fp)
            return _result(num, den, x.bound * abs(fp))

        return _run((a,), plan_scalar, compute_scalar)

    def plan(x: Num) -> int:
        return max(x.bound * abs(p), x.den_bound * q, abs(p), q)

    def compute(x: Num) -> Num:
        return _result(_scaled(x.num, p), _scaled(x.den, q), x.bound * abs(p), x.den_bound * q)  # type: ignore[arg-type]

    return _run((a,), plan, compute)


_COMPARE: Final[dict[str, Callable[[Any, Any], Any]]] = {
    "eq": np.equal,
    "ne": np.not_equal,
    "lt": np.less,
    "le": np.less_equal,
    "gt": np.greater,
    "ge": np.greater_equal,
}
_SWAPPED: Final = {"eq": "eq", "ne": "ne", "lt": "gt", "le": "ge", "gt": "lt", "ge": "le"}


def _compare(a: Num, b: Num, op: str) -> BoolArray:
    n = len(a)
    ca, cb = a._const, b._const
    if ca is not None and cb is not None:
        holds = {"eq": ca == cb, "ne": ca != cb, "lt": ca < cb}
        holds |= {"le": ca <= cb, "gt": ca > cb, "ge": ca >= cb}
        return np.full(n, holds[op], dtype=np.bool_)
    if cb is not None and isinstance(a.den, int):
        return _compare_const(a, op, cb)
    if ca is not None and isinstance(b.den, int):
        return _compare_const(b, _SWAPPED[op], ca)
    ufunc = _COMPARE[op]

    def plan(x: Num, y: Num) -> int:
        if isinstance(x.den, int) and isinstance(y.den, int):
            den = _lcm(x.den, y.den)
            fx, fy = den // x.den, den // y.den
            return max(x.bound * fx, y.bound * fy, fx, fy)
        if x.den is y.den:
            return 0
        return max(x.bound * y.den_bound, y.bound * x.den_bound, x.den_bound, y.den_bound)

    def compute(x: Num, y: Num) -> BoolArray:
        if isinstance(x.den, int) and isinstance(y.den, int):
            den = _lcm(x.den, y.den)
            left, right = _scaled(x.num, den // x.den), _scaled(y.num, den // y.den)
        elif x.den is y.den:
            left, right = x.num, y.num
        else:  # both denominators are positive, so cross-multiplying keeps the order
            left, right = x.num * y.den, y.num * x.den
        return np.asarray(ufunc(left, right), dtype=np.bool_)

    return _run((a, b), plan, compute)


def _compare_const(a: Num, op: str, c: Fraction) -> BoolArray:
    """a <op> c for a scalar-den a: num/den <op> p/q  <=>  num <op'> an integer threshold, so
    the comparison is one pass with no multiplication."""
    t = c.numerator * _sden(a)
    q = c.denominator
    lo, hi = t // q, -(-t // q)  # floor and ceiling of num's threshold t / q
    if op in ("eq", "ne"):
        if lo != hi:  # the constant is not a multiple of 1/den: never equal
            return np.full(len(a), op == "ne", dtype=np.bool_)
        threshold = lo
    else:
        threshold = hi if op in ("ge", "lt") else lo
    if threshold > a.bound or threshold < -a.bound:
        # Every |num| is at most a.bound, so the outcome is the same for all rows (and the
        # threshold may not even fit int64).
        above = threshold > a.bound
        holds = {"eq": False, "ne": True, "lt": above, "le": above, "gt": not above}
        holds["ge"] = not above
        return np.full(len(a), holds[op], dtype=np.bool_)
    return np.asarray(_COMPARE[op](a.num, threshold), dtype=np.bool_)


# -------------------------------------------------------------------- element-wise selection


def where(cond: BoolArray, a: Num | Scalar, b: Num | Scalar) -> Num:
    """a where cond holds, else b."""
    cond = np.asarray(cond, dtype=np.bool_)
    n = int(cond.shape[0])
    x, y = _coerce(a, n), _coerce(b, n)
    if x._const is not None and x._const == y._const:
        return x
    if isinstance(x.den, int) and isinstance(y.den, int):
        den = _lcm(x.den, y.den)
        fx, fy = den // x.den, den // y.den
        bound = max(x.bound * fx, y.bound * fy)
        if x.is_int64 and y.is_int64 and max(bound, fx, fy) <= _LIMIT:
            # A constant operand enters np.where as a scalar, not as an array.
            left = _scaled(x.num, fx) if x._const is None else int(x._const * den)
            right = _scaled(y.num, fy) if y._const is None else int(y._const * den)
            return Num._raw(np.where(cond, left, right), den, bound)
    # Per-row denominators: pick num and den together, no multiplication needed.
    if not (x.is_int64 and y.is_int64 and x.den_bound <= _LIMIT and y.den_bound <= _LIMIT):
        x, y = x._as_object(), y._as_object()
    num = np.where(cond, x.num, y.num)
    dens = np.where(cond, x._den_array(), y._den_array())
    return _result(num, dens, max(x.bound, y.bound), max(x.den_bound, y.den_bound))


def minimum(a: Num, b: Num | Scalar) -> Num:
    b = _coerce(b, len(a))
    return where(a.le(b), a, b)


def maximum(a: Num, b: Num | Scalar) -> Num:
    b = _coerce(b, len(a))
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
        return Num._constant(first, total, math.lcm(*(_sden(p) for p in parts)))
    if all(isinstance(p.den, int) for p in parts):
        den = 1
        for p in parts:
            den = _lcm(den, _sden(p))
        factors = [den // _sden(p) for p in parts]
        bound = max(p.bound * f for p, f in zip(parts, factors, strict=True))
        if all(p.is_int64 for p in parts) and max(bound, *factors) <= _LIMIT:
            num = np.concatenate([_scaled(p.num, f) for p, f in zip(parts, factors, strict=True)])
            return Num._raw(num, den, bound)
    as_object = not all(p.is_int64 and p.den_bound <= _LIMIT for p in parts)
    nums = [_as_object(p.num) if as_object else p.num for p in parts]
    dens = [_as_object(p._den_array()) if as_object else p._den_array() for p in parts]
    return _result(
        np.concatenate(nums),
        np.concatenate(dens),
        max(p.bound for p in parts),
        max(p.den_bound for p in parts),
    )


# --------------------------------------------------------------------------------- from_values


def _from_values(values: Sequence[object] | npt.NDArray[Any]) -> tuple[Num, BoolArray]:
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
    scale = Decimal(f"1E+{_FAST_DECIMAL_PLACES}")
    try:
        scaled = map(ctx.to_integral_exact, map(ctx.multiply, values, repeat(scale)))
        m = np.fromiter(map(int, scaled), dtype=np.int64, count=len(values))
    except (OverflowError, ValueError, InvalidOperation):  # too large, infinite or NaN
        return None
    if ctx.flags[Inexact] or (m.size and int(m.min()) == -(2**63)):
        return None
    # The smallest decimal scale that holds every value exactly.
    g = int(np.gcd.reduce(m)) if m.size else 0
    places = _FAST_DECIMAL_PLACES
    while places > 0 and g % 10 == 0:
        g //= 10
        places -= 1
    if places < _FAST_DECIMAL_PLACES:
        m = m // 10 ** (_FAST_DECIMAL_PLACES - places)
    return Num._raw(m, 10**places, _measure(m))


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
    small = np.abs(x) < _FLOAT_EXACT  # larger floats can only take the slow path
    todo = np.flatnonzero(small)
    rest = x[small]
    for k in range(16):
        if todo.size == 0:
            break
        p = 10.0**k
        s = rest * p
        r = np.round(s)
        ok = (np.abs(s) < _FLOAT_EXACT) & (r / p == rest)
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
    if n and _measure(scaled) * 10 ** int(shift.max()) > _LIMIT:
        powers = np.array([10**j for j in range(k_max + 1)], dtype=np.object_)
        return Num(scaled.astype(np.object_) * powers[shift], 10**k_max), mask
    num = scaled * (10**shift) if k_max else scaled
    return Num._raw(num, 10**k_max, _measure(num)), mask


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
        den = _lcm(den, d)
    k = _terminating_places(den)
    if k is not None:
        den = 10**k  # a decimal scale, so that outputs read as decimals
    if den <= 2**62:
        return Num(np.array([p * (den // d) for p, d in ratios], dtype=np.object_), den)
    nums = np.array([p for p, _ in ratios], dtype=np.object_)
    return Num(nums, np.array([d for _, d in ratios], dtype=np.object_))


# ---------------------------------------------------------------------------------- formatting


def _decimals_from_scaled(scaled: IntArray, places: int | IntArray) -> list[Decimal]:
    """Decimal(scaled[i]) * 10**-places[i], exactly, keeping exactly `places` digits."""
    ints = scaled.tolist()
    digits = len(str(_measure(scaled))) + 2
    ctx = Context(
        prec=max(28, digits), Emax=MAX_EMAX, Emin=MIN_EMIN, traps=[InvalidOperation, Inexact]
    )
    quanta = [Decimal((0, (1,), -k)) for k in range(int(np.max(places, initial=0)) + 1)]
    if isinstance(places, int):
        return list(map(ctx.multiply, map(Decimal, ints), repeat(quanta[places])))
    return list(map(ctx.multiply, map(Decimal, ints), map(quanta.__getitem__, places.tolist())))


def _plain_strings(scaled: IntArray, places: int | IntArray) -> list[str]:
    """scaled / 10**places without trailing zeros."""
    shown = np.array(np.broadcast_to(np.asarray(places, dtype=np.int64), scaled.shape))
    for _ in range(int(shown.max(initial=0))):
        can = np.asarray(scaled % 10 == 0, dtype=np.bool_) & (shown > 0)
        if not can.any():
            break
        scaled = np.where(can, scaled // 10, scaled)
        shown -= can
    return _format_scaled(scaled, shown)


def _format_scaled(scaled: IntArray, places: int | IntArray) -> list[str]:
    """'-12.50'-style strings of scaled / 10**places, vectorised with NumPy string ops; a
    long column (which repeats few values: scores) formats each distinct value once."""
    long = len(scaled) > _FORMAT_DISTINCT_FROM
    if long and isinstance(places, int) and not _is_object(scaled):
        values, inverse = np.unique(scaled, return_inverse=True)
        texts = _format_each(values, places)
        return [texts[i] for i in inverse.tolist()]
    return _format_each(scaled, places)


_FORMAT_DISTINCT_FROM = 256


def _format_each(scaled: IntArray, places: int | IntArray) -> list[str]:
    if len(scaled) == 0:
        return []
    magnitude = np.abs(scaled)
    if _is_object(magnitude):
        digits = np.array([str(v) for v in magnitude.tolist()], dtype=np.str_)
    else:
        digits = magnitude.astype(np.str_)
    if isinstance(places, int) and places == 0:
        body = digits
    else:
        padded = np.strings.zfill(digits, places + 1)
        length = np.strings.str_len(padded)
        whole = np.strings.slice(padded, 0, length - places)
        fraction = np.strings.slice(padded, length - places, length)
        point: Any = "." if isinstance(places, int) else np.where(places > 0, ".", "")
        body = np.strings.add(np.strings.add(whole, point), fraction)
    negative = np.asarray(scaled < 0, dtype=np.bool_)
    if negative.any():
        body = np.where(negative, np.strings.add("-", body), body)
    return [str(s) for s in body.tolist()]


# ----------------------------------------------------------------------------- item aggregates


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
        if values.is_int64 and bound > _LIMIT:
            bound = self._max_count * values._tightened().bound
        if bound > _LIMIT:
            terms = _as_object(terms)
        elif self._order is not None and bound <= _FLOAT_INTEGERS:
            # Unsorted owners: a float64 bincount avoids regrouping the rows, and is exact here
            # because every term and every partial sum is an integer of magnitude at most
            # `bound` <= 2**53, where float64 represents integers exactly.
            sums = np.bincount(self._owner, terms.astype(np.float64), minlength=self.n)
            return Num._raw(sums.astype(np.int64), values.den, bound)
        return _result(self._segment_sums(terms), values.den, bound)

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
        if not _is_object(lcms):
            multiples = np.repeat(lcms, counts) % sorted_den
            if not (bool((lcms > 0).all()) and not bool(multiples.any())):
                lcms = np.lcm.reduceat(_as_object(sorted_den), self._starts)
        lcm_bound = _measure(lcms)
        if _is_object(lcms) and lcm_bound <= _LIMIT and values.is_int64:
            lcms = lcms.astype(np.int64)
        row_lcm = np.repeat(lcms, counts)
        bound = self._max_count * values.bound * lcm_bound
        sorted_num = self._sorted(num)
        if bound > _LIMIT or _is_object(row_lcm):
            sorted_num, row_lcm = _as_object(sorted_num), _as_object(row_lcm)
        terms = sorted_num * (row_lcm // sorted_den)
        sums = self._scatter(np.add.reduceat(terms, self._starts))
        dens = self._scatter(lcms, fill=1)
        if _is_object(sums) != _is_object(dens):
            sums, dens = _as_object(sums), _as_object(dens)
        return _result(sums, dens, bound, max(lcm_bound, 1))

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
            return where(empty, 0, Num._constant(values._const, self.n, _sden(values))), empty
        if isinstance(values.den, int):
            kept = self._sorted(values.num)
            if mask is not None:
                kept = kept[self._sorted(mask)]
            starts = (np.cumsum(counts) - counts)[nonempty]
            found = np.zeros(self.n, dtype=kept.dtype)
            if len(kept):
                reduce = np.maximum if largest else np.minimum
                found[nonempty] = reduce.reduceat(kept, starts)
            return _result(found, values.den, values.bound), empty
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
        return _result(num, den, values.bound, max(values.den_bound, 1)), empty
