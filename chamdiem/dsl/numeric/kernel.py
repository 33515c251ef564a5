"""The column kernel: `Num`, a column of exact rationals, and its arithmetic and comparisons
(see the package docstring for how overflow is prevented).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any, Final, TypeVar

import numpy as np
import numpy.typing as npt

from chamdiem.dsl.numeric import output
from chamdiem.dsl.numeric.ints import (
    LIMIT,
    BoolArray,
    IntArray,
    Scalar,
    exact_fraction,
    int_lcm,
    integer_array,
    is_object,
    measure,
    object_array,
    round_factors,
    scale_ints,
)
from chamdiem.dsl.rounding import round_half_away

_T = TypeVar("_T")


def shared_den(x: Num) -> int:
    """The scalar denominator of a column known to have one."""
    assert isinstance(x.den, int)
    return x.den


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
        num = integer_array(num, "num")
        if isinstance(den, np.ndarray):
            den = integer_array(den, "den")
            if den.shape != num.shape:
                raise ValueError("num and den have different lengths")
            if den.size and int(den.min()) <= 0:
                raise ValueError("denominators must be positive")
            den_bound = measure(den) if den_bound is None else den_bound
        else:
            if isinstance(den, bool) or not isinstance(den, int | np.integer):
                raise TypeError(f"den must be an int or an integer array, not {den!r}")
            den = int(den)
            if den <= 0:
                raise ValueError("denominators must be positive")
            den_bound = den
        bound = measure(num) if bound is None else bound
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
        den_fits = isinstance(self.den, int) or self.den_bound <= LIMIT
        if is_object(self.num):
            if self.bound <= LIMIT and den_fits:
                self.num = self.num.astype(np.int64)
                if isinstance(self.den, np.ndarray):
                    self.den = self.den.astype(np.int64)
        elif self.bound > LIMIT:
            self.bound = measure(self.num)
            if self.bound > LIMIT:  # holds -2**63
                self.num = self.num.astype(np.object_)
        if isinstance(self.den, np.ndarray):
            if not den_fits:
                self.den = object_array(self.den)
            if is_object(self.num) != is_object(self.den):
                self.num = object_array(self.num)
                self.den = object_array(self.den)

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
            den_bound = den if isinstance(den, int) else measure(den)
        self = cls.__new__(cls)
        self._init(num, den, bound, den_bound, const)
        return self

    # ----------------------------------------------------------------------------- constructors

    @classmethod
    def const(cls, value: Scalar, n: int) -> Num:
        """The column of length n whose rows all equal value (no copy of the value per row)."""
        c = exact_fraction(value)
        return cls._constant(c, n, c.denominator)

    @classmethod
    def _constant(cls, c: Fraction, n: int, den: int) -> Num:
        """A constant column over a chosen den (a multiple of c's, e.g. 100 to show '2.50')."""
        p = c.numerator * (den // c.denominator)
        if abs(p) <= LIMIT:
            num: IntArray = np.broadcast_to(np.int64(p), (n,))
        else:
            num = np.broadcast_to(np.array(p, dtype=np.object_), (n,))
        return cls._raw(num, den, abs(p), const=c)

    @classmethod
    def from_ints(cls, a: npt.ArrayLike) -> Num:
        """An integer column (den 1); the array is used without a copy when it is int64."""
        arr = integer_array(np.asarray(a), "values")
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
        from chamdiem.dsl.numeric.conversions import from_values  # it builds Nums

        return from_values(values)

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
        return not is_object(self.num)

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
            self.bound = measure(self.num)
            if isinstance(self.den, np.ndarray):
                self.den_bound = measure(self.den)
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
            if g > LIMIT and self.is_int64:  # g divides every |num| <= LIMIT: all are 0
                num = np.zeros(len(self), dtype=np.int64)
            else:
                num = self.num // g if g > 1 else self.num
            result = narrowed(Num._raw(num, self.den // g, measure(num)))
        else:
            g_arr = np.gcd(self.num, self.den)
            num = self.num // g_arr
            den = self.den // g_arr
            result = narrowed(Num._raw(num, den, measure(num), measure(den)))
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
        num = object_array(self.num)
        den = self.den if isinstance(self.den, int) else object_array(self.den)
        if num is self.num and den is self.den:
            return self
        return Num._raw(num, den, self.bound, self.den_bound, self._const)

    def _den_array(self) -> IntArray:
        if isinstance(self.den, np.ndarray):
            return self.den
        dtype = np.object_ if is_object(self.num) or self.den > LIMIT else np.int64
        return np.full(len(self), self.den, dtype=dtype)

    # ------------------------------------------------------------------------------ arithmetic

    def __add__(self, other: Num | Scalar) -> Num:
        return _add(self, coerce(other, len(self)), 1)

    def __radd__(self, other: Scalar) -> Num:
        return _add(coerce(other, len(self)), self, 1)

    def __sub__(self, other: Num | Scalar) -> Num:
        return _add(self, coerce(other, len(self)), -1)

    def __rsub__(self, other: Scalar) -> Num:
        return _add(coerce(other, len(self)), self, -1)

    def __mul__(self, other: Num | Scalar) -> Num:
        return _mul(self, coerce(other, len(self)))

    def __rmul__(self, other: Scalar) -> Num:
        return _mul(coerce(other, len(self)), self)

    def __neg__(self) -> Num:
        if self._const is not None:
            return Num._constant(-self._const, len(self), shared_den(self))
        return Num._raw(-self.num, self.den, self.bound, self.den_bound)

    def __pos__(self) -> Num:
        return self

    def __abs__(self) -> Num:
        if self._const is not None:
            return Num._constant(abs(self._const), len(self), shared_den(self))
        return Num._raw(np.abs(self.num), self.den, self.bound, self.den_bound)

    def div(self, other: Num | Scalar) -> tuple[Num, BoolArray]:
        """The exact quotient, and the mask of rows whose divisor is 0 (their value is 0)."""
        n = len(self)
        b = coerce(other, n)
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
            return make_result(num, den, x.bound * y.den_bound, max(1, x.den_bound * y.bound))

        return run_planned((self, b), plan, compute), zero

    # ----------------------------------------------------------------------------- comparisons

    def eq(self, other: Num | Scalar) -> BoolArray:
        return _compare(self, coerce(other, len(self)), "eq")

    def ne(self, other: Num | Scalar) -> BoolArray:
        return _compare(self, coerce(other, len(self)), "ne")

    def lt(self, other: Num | Scalar) -> BoolArray:
        return _compare(self, coerce(other, len(self)), "lt")

    def le(self, other: Num | Scalar) -> BoolArray:
        return _compare(self, coerce(other, len(self)), "le")

    def gt(self, other: Num | Scalar) -> BoolArray:
        return _compare(self, coerce(other, len(self)), "gt")

    def ge(self, other: Num | Scalar) -> BoolArray:
        return _compare(self, coerce(other, len(self)), "ge")

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
                up, divisor = round_factors(x.den, scale_up, scale_down)
                return max(x.bound * up + divisor // 2, divisor, scale_down * (x.bound + 1))
            return max(
                x.bound * scale_up + x.den_bound * scale_down,
                x.den_bound * scale_down,
                scale_down * (x.bound + 1),
            )

        def compute(x: Num) -> Num:
            if isinstance(x.den, int):
                up, divisor = round_factors(x.den, scale_up, scale_down)
                if divisor == 1:
                    return make_result(scale_ints(x.num, up * scale_down), result_den, x.bound * up)
                q_bound = (x.bound * up + divisor // 2) // divisor
                q = np.abs(x.num)
                q = scale_ints(q, up)
                q += divisor // 2
                q //= divisor
            else:
                divisors = scale_ints(x.den, scale_down)
                q_bound = x.bound * scale_up + 1
                q = scale_ints(np.abs(x.num), scale_up)
                q += divisors // 2
                q //= divisors
            q = scale_ints(q, scale_down)
            np.negative(q, out=q, where=x.num < 0)
            return make_result(q, result_den, q_bound * scale_down)

        return run_planned((self,), plan, compute)

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
                return make_result(-((-x.num) // x.den), 1, x.bound)
            return make_result(x.num // x.den, 1, x.bound)

        return run_planned((self,), plan, compute)

    def is_integer(self) -> BoolArray:
        if self._const is not None:
            return np.full(len(self), self._const.denominator == 1)
        if isinstance(self.den, int) and self.den == 1:
            return np.ones(len(self), dtype=np.bool_)
        x = self
        if x.is_int64 and x.den_bound > LIMIT:
            x = x._as_object()
        return np.asarray(x.num % x.den == 0, dtype=np.bool_)

    # ------------------------------------------------------------------------------- selection

    def take(self, indices: npt.ArrayLike) -> Num:
        """The rows at `indices` (a gather; bounds carry over)."""
        idx = np.asarray(indices, dtype=np.intp)
        if self._const is not None:
            if idx.size and (idx.min() < -len(self) or idx.max() >= len(self)):
                raise IndexError("index out of range")
            return Num._constant(self._const, int(idx.shape[0]), shared_den(self))
        den = self.den[idx] if isinstance(self.den, np.ndarray) else self.den
        return Num._raw(self.num[idx], den, self.bound, self.den_bound)

    def filter(self, mask: BoolArray) -> Num:
        """The rows where mask is True."""
        mask = np.asarray(mask, dtype=np.bool_)
        if mask.shape != self.num.shape:
            raise ValueError("mask and column have different lengths")
        return self.take(np.flatnonzero(mask))

    # ---------------------------------------------------------------------------------- output
    # Each reads the column out; output.py holds them and says what they give.

    def to_fraction(self, i: int) -> Fraction:
        return output.to_fraction(self, i)

    def to_decimal(self, i: int, max_places: int = 10) -> Decimal:
        return output.to_decimal(self, i, max_places)

    def to_decimals(self, max_places: int = 10) -> list[Decimal]:
        return output.to_decimals(self, max_places)

    def to_strings(self, places: int | None = None, max_places: int = 10) -> list[str]:
        return output.to_strings(self, places, max_places)

    def to_plain_strings(self, max_places: int = 10) -> list[str]:
        return output.to_plain_strings(self, max_places)

    def to_float(self) -> npt.NDArray[np.float64]:
        return output.to_float(self)

    def sort_key(self) -> IntArray:
        return output.sort_key(self)


# ------------------------------------------------------------------------------------ helpers


def narrowed(x: Num) -> Num:
    """x on int64 when its (exact) bounds allow it."""
    if x.is_int64 or x.bound > LIMIT or x.den_bound > LIMIT:
        return x
    den = x.den if isinstance(x.den, int) else x.den.astype(np.int64)
    result = Num._raw(x.num.astype(np.int64), den, x.bound, x.den_bound)
    result._tight = x._tight
    return result


def make_result(
    num: IntArray, den: int | IntArray, bound: int, den_bound: int | None = None
) -> Num:
    """A computed column; an object result is narrowed back to int64 when its values fit
    (after reducing per-row fractions by their gcd, which keeps chains of per-row products and
    quotients from growing), so that the slow path does not spread.  A scalar den is kept as
    it is: it says how many places the column shows."""
    result = Num._raw(num, den, bound, den_bound)
    if result.is_int64:
        return result
    result = narrowed(result._tightened())
    if result.is_int64 or isinstance(result.den, int):
        return result
    return result._reduced()


def run_planned(ops: tuple[Num, ...], plan: Callable[..., int], compute: Callable[..., _T]) -> _T:
    """compute(*ops) on int64 when plan(*ops) — the largest magnitude the int64 computation
    can reach, derived from the bounds — fits; else retry with measured bounds, then with
    gcd-reduced operands; else compute exactly in object dtype."""
    if all(op.is_int64 for op in ops):
        if plan(*ops) <= LIMIT:
            return compute(*ops)
        ops = tuple(op._tightened() for op in ops)
        if plan(*ops) <= LIMIT:
            return compute(*ops)
        ops = tuple(op._reduced() for op in ops)
        if all(op.is_int64 for op in ops) and plan(*ops) <= LIMIT:
            return compute(*ops)
    return compute(*(op._as_object() for op in ops))


def coerce(value: Num | Scalar, n: int) -> Num:
    if isinstance(value, Num):
        if len(value) != n:
            raise ValueError(f"columns of different lengths: {n} and {len(value)}")
        return value
    return Num.const(value, n)


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
            den = int_lcm(shared_den(x), shared_den(y))
            fx, fy = den // shared_den(x), den // shared_den(y)
            return max(x.bound * fx + y.bound * fy, fx, fy)

        def compute_scalar(x: Num, y: Num) -> Num:
            den = int_lcm(shared_den(x), shared_den(y))
            fx, fy = den // shared_den(x), den // shared_den(y)
            num = combine(scale_ints(x.num, fx), scale_ints(y.num, fy))
            return make_result(num, den, x.bound * fx + y.bound * fy)

        return run_planned((a, b), plan_scalar, compute_scalar)

    def plan(x: Num, y: Num) -> int:
        if x.den is y.den:
            return x.bound + y.bound
        return max(x.bound * y.den_bound + y.bound * x.den_bound, x.den_bound * y.den_bound)

    def compute(x: Num, y: Num) -> Num:
        if x.den is y.den:
            return make_result(combine(x.num, y.num), x.den, x.bound + y.bound, x.den_bound)
        num = combine(x.num * y.den, y.num * x.den)
        bound = x.bound * y.den_bound + y.bound * x.den_bound
        return make_result(num, x.den * y.den, bound, x.den_bound * y.den_bound)

    return run_planned((a, b), plan, compute)


def _add_const(a: Num, sign: int, c: Fraction) -> Num:
    """sign * a + c, for a scalar-den a: one pass (two when a's den must be scaled)."""
    if c == 0 and sign == 1:
        return a

    def factors(x: Num) -> tuple[int, int, int]:
        den = int_lcm(shared_den(x), c.denominator)
        return den, den // shared_den(x), c.numerator * (den // c.denominator)

    def plan(x: Num) -> int:
        _, fx, cc = factors(x)
        return max(x.bound * fx + abs(cc), fx, abs(cc))

    def compute(x: Num) -> Num:
        den, fx, cc = factors(x)
        scaled = scale_ints(x.num, fx)
        num = scaled + cc if sign == 1 else cc - scaled
        return make_result(num, den, x.bound * fx + abs(cc))

    return run_planned((a,), plan, compute)


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
        return make_result(x.num * y.num, den, x.bound * y.bound, x.den_bound * y.den_bound)

    return run_planned((a, b), plan, compute)


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
            den = shared_den(x) * q
            g = math.gcd(p, den)
            return p // g, den // g

        def plan_scalar(x: Num) -> int:
            fp, _ = factors(x)
            return max(x.bound * abs(fp), abs(fp))

        def compute_scalar(x: Num) -> Num:
            fp, den = factors(x)
            num = -x.num if fp == -1 else scale_ints(x.num, fp)
            return make_result(num, den, x.bound * abs(fp))

        return run_planned((a,), plan_scalar, compute_scalar)

    def plan(x: Num) -> int:
        return max(x.bound * abs(p), x.den_bound * q, abs(p), q)

    def compute(x: Num) -> Num:
        den = scale_ints(x.den, q)  # type: ignore[arg-type]
        return make_result(scale_ints(x.num, p), den, x.bound * abs(p), x.den_bound * q)

    return run_planned((a,), plan, compute)


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
            den = int_lcm(x.den, y.den)
            fx, fy = den // x.den, den // y.den
            return max(x.bound * fx, y.bound * fy, fx, fy)
        if x.den is y.den:
            return 0
        return max(x.bound * y.den_bound, y.bound * x.den_bound, x.den_bound, y.den_bound)

    def compute(x: Num, y: Num) -> BoolArray:
        if isinstance(x.den, int) and isinstance(y.den, int):
            den = int_lcm(x.den, y.den)
            left, right = scale_ints(x.num, den // x.den), scale_ints(y.num, den // y.den)
        elif x.den is y.den:
            left, right = x.num, y.num
        else:  # both denominators are positive, so cross-multiplying keeps the order
            left, right = x.num * y.den, y.num * x.den
        return np.asarray(ufunc(left, right), dtype=np.bool_)

    return run_planned((a, b), plan, compute)


def _compare_const(a: Num, op: str, c: Fraction) -> BoolArray:
    """a <op> c for a scalar-den a: num/den <op> p/q  <=>  num <op'> an integer threshold, so
    the comparison is one pass with no multiplication."""
    t = c.numerator * shared_den(a)
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
