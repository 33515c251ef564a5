"""Interval arithmetic over exact fractions, for the checker's range warnings.

An `Interval` is a non-empty set of numbers between two ends; an end may be unbounded (None)
or open. Every operation returns a superset of the true set of results (sound), and keeps
ends open only where it is sure, so "0 is not in the divisor" is trusted and "the formula can
reach 12" may be an over-estimate (the checker tracks that separately). `RealSet` is a finite
union of intervals, used to decide which band rows and grades can still be reached under
first-hit order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

Bound = Fraction | None
Number = Decimal | int | Fraction


def to_fraction(value: Decimal | int | Fraction) -> Fraction:
    return value if isinstance(value, Fraction) else Fraction(value)


# Extended reals for the products at the corners: +inf and -inf are the strings below.
_Ext = Fraction | str
_POS = "+inf"
_NEG = "-inf"


def _ext_lo(iv: Interval) -> _Ext:
    return _NEG if iv.lo is None else iv.lo


def _ext_hi(iv: Interval) -> _Ext:
    return _POS if iv.hi is None else iv.hi


def _ext_key(value: _Ext) -> tuple[int, Fraction]:
    if value == _NEG:
        return (-1, Fraction(0))
    if value == _POS:
        return (1, Fraction(0))
    assert isinstance(value, Fraction)
    return (0, value)


def _ext_sign(value: _Ext) -> int:
    if isinstance(value, str):
        return 1 if value == _POS else -1
    return (value > 0) - (value < 0)


def _ext_mul(a: _Ext, b: _Ext) -> _Ext:
    """Product where 0 times an infinite end is 0 (the limit over a closed zero)."""
    if isinstance(a, Fraction) and isinstance(b, Fraction):
        return a * b
    sign = _ext_sign(a) * _ext_sign(b)
    if sign == 0:
        return Fraction(0)
    return _POS if sign > 0 else _NEG


@dataclass(frozen=True, slots=True)
class Interval:
    """The numbers between `lo` and `hi`; None means unbounded on that side."""

    lo: Bound
    hi: Bound
    lo_open: bool = False
    hi_open: bool = False

    # -------------------------------------------------------------- construction

    @staticmethod
    def point(value: Decimal | int | Fraction) -> Interval:
        v = to_fraction(value)
        return Interval(v, v)

    @staticmethod
    def closed(
        lo: Decimal | int | Fraction | None, hi: Decimal | int | Fraction | None
    ) -> Interval:
        return Interval(
            None if lo is None else to_fraction(lo), None if hi is None else to_fraction(hi)
        )

    @staticmethod
    def everything() -> Interval:
        return Interval(None, None)

    @staticmethod
    def make(lo: Bound, hi: Bound, lo_open: bool = False, hi_open: bool = False) -> Interval | None:
        """The interval, or None when it is empty."""
        if lo is None:
            lo_open = False
        if hi is None:
            hi_open = False
        if lo is not None and hi is not None and (lo > hi or (lo == hi and (lo_open or hi_open))):
            return None
        return Interval(lo, hi, lo_open, hi_open)

    # -------------------------------------------------------------- questions

    @property
    def bounded(self) -> bool:
        return self.lo is not None and self.hi is not None

    @property
    def unbounded_both(self) -> bool:
        return self.lo is None and self.hi is None

    def contains(self, value: Decimal | int | Fraction) -> bool:
        v = to_fraction(value)
        if self.lo is not None and (v < self.lo or (v == self.lo and self.lo_open)):
            return False
        return not (self.hi is not None and (v > self.hi or (v == self.hi and self.hi_open)))

    def is_point(self) -> bool:
        return self.lo is not None and self.lo == self.hi

    # -------------------------------------------------------------- arithmetic

    def __neg__(self) -> Interval:
        return Interval(
            None if self.hi is None else -self.hi,
            None if self.lo is None else -self.lo,
            self.hi_open,
            self.lo_open,
        )

    def __add__(self, other: Interval) -> Interval:
        lo = None if self.lo is None or other.lo is None else self.lo + other.lo
        hi = None if self.hi is None or other.hi is None else self.hi + other.hi
        return Interval(
            lo,
            hi,
            lo is not None and (self.lo_open or other.lo_open),
            hi is not None and (self.hi_open or other.hi_open),
        )

    def __sub__(self, other: Interval) -> Interval:
        return self + (-other)

    def __mul__(self, other: Interval) -> Interval:
        corners: list[tuple[_Ext, bool]] = []
        for a, a_open in ((_ext_lo(self), self.lo_open), (_ext_hi(self), self.hi_open)):
            for b, b_open in ((_ext_lo(other), other.lo_open), (_ext_hi(other), other.hi_open)):
                product = _ext_mul(a, b)
                closed_zero = (a == 0 and not a_open) or (b == 0 and not b_open)
                corners.append((product, (a_open or b_open) and not closed_zero))
        return _from_corners(corners)

    def reciprocal(self) -> Interval:
        """1/x over the non-zero members (dividing by zero is an evaluation error, not a
        value); everything when zero lies strictly inside."""
        lo, hi = self.lo, self.hi
        if lo is not None and hi is not None and lo == hi == 0:
            return Interval.everything()
        if lo is not None and lo >= 0:
            # (0 or lo, hi]: 1/x runs from 1/hi to +inf (lo = 0) or 1/lo.
            new_lo = Fraction(0) if hi is None else 1 / hi
            new_lo_open = hi is None or self.hi_open
            if lo == 0:
                return Interval(new_lo, None, new_lo_open, False)
            return Interval(new_lo, 1 / lo, new_lo_open, self.lo_open)
        if hi is not None and hi <= 0:
            return -((-self).reciprocal())
        return Interval.everything()

    def __truediv__(self, other: Interval) -> Interval:
        return self * other.reciprocal()

    def hull(self, other: Interval) -> Interval:
        """The smallest interval holding both."""
        lo, lo_open = _pick_lo(self, other, smaller=True)
        hi, hi_open = _pick_hi(self, other, larger=True)
        return Interval(lo, hi, lo_open, hi_open)

    def minimum(self, other: Interval) -> Interval:
        """The values of min(a, b)."""
        lo, lo_open = _pick_lo(self, other, smaller=True)
        hi, hi_open = _pick_hi(self, other, larger=False)
        return Interval(lo, hi, lo_open, hi_open)

    def maximum(self, other: Interval) -> Interval:
        lo, lo_open = _pick_lo(self, other, smaller=False)
        hi, hi_open = _pick_hi(self, other, larger=True)
        return Interval(lo, hi, lo_open, hi_open)

    def clamp(self, low: Interval, high: Interval) -> Interval:
        return self.maximum(low).minimum(high)

    def intersect(self, other: Interval) -> Interval | None:
        lo, lo_open = _pick_lo(self, other, smaller=False)
        hi, hi_open = _pick_hi(self, other, larger=False)
        return Interval.make(lo, hi, lo_open, hi_open)

    def monotone(self, f: Callable[[Fraction], Fraction]) -> Interval:
        """The image under a non-decreasing step function (floor, ceil, rounding): the ends
        become closed because a step function can reach an open end's value."""
        return Interval(
            None if self.lo is None else f(self.lo), None if self.hi is None else f(self.hi)
        )

    def absolute(self) -> Interval:
        if self.lo is not None and self.lo >= 0:
            return self
        if self.hi is not None and self.hi <= 0:
            return -self
        top = None if self.lo is None or self.hi is None else max(-self.lo, self.hi)
        return Interval(Fraction(0), top)


def _from_corners(corners: list[tuple[_Ext, bool]]) -> Interval:
    keys = [_ext_key(value) for value, _ in corners]
    low_key, high_key = min(keys), max(keys)
    low_open = all(o for (v, o), k in zip(corners, keys, strict=True) if k == low_key)
    high_open = all(o for (v, o), k in zip(corners, keys, strict=True) if k == high_key)
    lo = low_key[1] if low_key[0] == 0 else None
    hi = high_key[1] if high_key[0] == 0 else None
    return Interval(lo, hi, lo is not None and low_open, hi is not None and high_open)


def _pick_lo(a: Interval, b: Interval, smaller: bool) -> tuple[Bound, bool]:
    """The lower end of min(a, b)/hull (smaller=True) or of max(a, b)/intersection."""
    if a.lo is None or b.lo is None:
        if smaller:
            return None, False
        if a.lo is None and b.lo is None:
            return None, False
        return (b.lo, b.lo_open) if a.lo is None else (a.lo, a.lo_open)
    if a.lo == b.lo:
        # The smaller side reaches the end if either does; the larger side only if both do.
        return a.lo, (a.lo_open and b.lo_open) if smaller else (a.lo_open or b.lo_open)
    chosen = a if (a.lo < b.lo) == smaller else b
    return chosen.lo, chosen.lo_open


def _pick_hi(a: Interval, b: Interval, larger: bool) -> tuple[Bound, bool]:
    if a.hi is None or b.hi is None:
        if larger:
            return None, False
        if a.hi is None and b.hi is None:
            return None, False
        return (b.hi, b.hi_open) if a.hi is None else (a.hi, a.hi_open)
    if a.hi == b.hi:
        return a.hi, (a.hi_open and b.hi_open) if larger else (a.hi_open or b.hi_open)
    chosen = a if (a.hi > b.hi) == larger else b
    return chosen.hi, chosen.hi_open


# ---------------------------------------------------------------- sets of numbers


@dataclass(frozen=True, slots=True)
class RealSet:
    """A finite union of disjoint intervals, sorted; empty when `parts` is empty."""

    parts: tuple[Interval, ...]

    @staticmethod
    def empty() -> RealSet:
        return RealSet(())

    @staticmethod
    def everything() -> RealSet:
        return RealSet((Interval.everything(),))

    @staticmethod
    def of(interval: Interval | None) -> RealSet:
        return RealSet(() if interval is None else (interval,))

    @staticmethod
    def compare(op: str, value: Fraction) -> RealSet:
        """The numbers x with `x OP value` for OP in >= > <= < == !=."""
        if op == ">=":
            return RealSet.of(Interval(value, None))
        if op == ">":
            return RealSet.of(Interval(value, None, lo_open=True))
        if op == "<=":
            return RealSet.of(Interval(None, value))
        if op == "<":
            return RealSet.of(Interval(None, value, hi_open=True))
        if op == "==":
            return RealSet.of(Interval(value, value))
        if op == "!=":
            return RealSet.compare("==", value).complement()
        raise ValueError(op)

    @property
    def is_empty(self) -> bool:
        return not self.parts

    def hull(self) -> Interval | None:
        if not self.parts:
            return None
        first, last = self.parts[0], self.parts[-1]
        return Interval(first.lo, last.hi, first.lo_open, last.hi_open)

    def union(self, other: RealSet) -> RealSet:
        return _normalise([*self.parts, *other.parts])

    def intersect(self, other: RealSet) -> RealSet:
        pieces: list[Interval] = []
        for a in self.parts:
            for b in other.parts:
                both = a.intersect(b)
                if both is not None:
                    pieces.append(both)
        return _normalise(pieces)

    def complement(self) -> RealSet:
        result = RealSet.everything()
        for part in self.parts:
            outside: list[Interval] = []
            if part.lo is not None:
                outside.append(Interval(None, part.lo, hi_open=not part.lo_open))
            if part.hi is not None:
                outside.append(Interval(part.hi, None, lo_open=not part.hi_open))
            result = result.intersect(RealSet(tuple(outside)))
        return result

    def minus(self, other: RealSet) -> RealSet:
        return self.intersect(other.complement())


def _lo_key(iv: Interval) -> tuple[int, Fraction, int]:
    if iv.lo is None:
        return (0, Fraction(0), 0)
    return (1, iv.lo, 1 if iv.lo_open else 0)


def _normalise(pieces: list[Interval]) -> RealSet:
    """Sort and merge overlapping or touching intervals."""
    merged: list[Interval] = []
    for iv in sorted(pieces, key=_lo_key):
        if merged:
            last = merged[-1]
            touches = (
                last.hi is None
                or iv.lo is None
                or iv.lo < last.hi
                or (iv.lo == last.hi and not (iv.lo_open and last.hi_open))
            )
            if touches:
                merged[-1] = last.hull(iv)
                continue
        merged.append(iv)
    return RealSet(tuple(merged))


# ---------------------------------------------------------------- display


def format_number(value: Fraction) -> str:
    """A fraction as the decimal a policy officer would write: 20, 12.5, or 23.33… when it
    does not end."""
    denominator = value.denominator
    places = 0
    for prime in (2, 5):
        count = 0
        while denominator % prime == 0:
            denominator //= prime
            count += 1
        places = max(places, count)
    ends = denominator == 1
    if not ends:
        places = 2
    scaled = abs(round(value * 10**places))
    digits = str(scaled).rjust(places + 1, "0")
    text = digits[: len(digits) - places] + ("." + digits[-places:] if places else "")
    sign = "-" if value < 0 else ""
    return f"{sign}{text}" if ends else f"{sign}{text}…"


def format_interval(iv: Interval) -> str:
    """`[0; 10]`, `(0; +∞)`: brackets say whether an end belongs to the interval."""
    lo = "-∞" if iv.lo is None else format_number(iv.lo)
    hi = "+∞" if iv.hi is None else format_number(iv.hi)
    opening = "(" if iv.lo_open or iv.lo is None else "["
    closing = ")" if iv.hi_open or iv.hi is None else "]"
    return f"{opening}{lo}; {hi}{closing}"
