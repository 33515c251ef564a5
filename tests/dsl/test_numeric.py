"""The exact column kernel against Python's Fraction, row by row."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from decimal import Decimal, localcontext
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chamdiem.dsl.numeric import Num, Segments, clip, concat, maximum, minimum, where

INT64_MAX = 2**63 - 1
Pair = tuple[Num, list[Fraction], Num, list[Fraction]]
ItemTable = tuple[Segments, list[int], int, Num, list[Fraction], list[bool]]
PROPERTY = settings(max_examples=200, deadline=None)


# ---------------------------------------------------------------------------- references


def values_of(x: Num) -> list[Fraction]:
    return [x.to_fraction(i) for i in range(len(x))]


def round_ref(v: Fraction, places: int) -> Fraction:
    """Half away from zero, written independently of the kernel (floor of |v| * 10**p + 1/2)."""
    scale = Fraction(10) ** places
    r = math.floor(abs(v) * scale + Fraction(1, 2)) / scale
    return r if v >= 0 else -r


def fixed_ref(v: Fraction, places: int) -> str:
    """The spreadsheet-style string of v rounded to `places` decimals."""
    scaled = round_ref(v, places) * 10**places
    assert scaled.denominator == 1
    whole, fraction = divmod(abs(scaled.numerator), 10**places)
    sign = "-" if scaled < 0 else ""
    return f"{sign}{whole}.{fraction:0{places}d}" if places else f"{sign}{whole}"


def int_array(values: Sequence[int]) -> np.ndarray:
    """int64 when every value fits, else object (as a caller would hand them over)."""
    if all(-(2**63) <= v <= INT64_MAX for v in values):
        return np.array(values, dtype=np.int64)
    return np.array(values, dtype=np.object_)


# ---------------------------------------------------------------------------- strategies

EDGE_INTS = [0, 1, -1, 7, 10**18, -(10**18), 2**62, -(2**62), 2**62 + 1]
EDGE_INTS += [INT64_MAX, -INT64_MAX, -(2**63), 2**63, 2**64 + 3, -(3**50)]
small_ints = st.integers(-(10**6), 10**6)
numerators = st.one_of(
    small_ints, small_ints, st.integers(-(2**65), 2**65), st.sampled_from(EDGE_INTS)
)
denominators = st.one_of(
    st.integers(1, 1000),
    st.integers(1, 10**7),
    st.sampled_from([1, 3, 7, 100, 2**31 - 1, 10**18, 2**62, INT64_MAX, 2**63, 10**30]),
)
fractions = st.builds(Fraction, numerators, denominators)
decimals = st.integers(0, 8).flatmap(
    lambda p: st.decimals(
        min_value=-(10**12), max_value=10**12, places=p, allow_nan=False, allow_infinity=False
    )
)
cells = st.one_of(
    st.none(),
    decimals,
    small_ints,
    st.builds(Fraction, small_ints, st.integers(1, 50)),
    st.floats(min_value=-1e9, max_value=1e9, allow_nan=False),
    decimals.map(str),
)


def cell_value(v: object) -> Fraction:
    if v is None:
        return Fraction(0)
    if isinstance(v, float):
        return Fraction(Decimal(repr(v)))
    if isinstance(v, str):
        return Fraction(Decimal(v))
    assert isinstance(v, int | Fraction | Decimal)
    return Fraction(v)


@st.composite
def columns(draw: st.DrawFn, n: int) -> tuple[Num, list[Fraction]]:
    """A column of length n built one of the ways the evaluator builds them, with its values."""
    kind = draw(st.sampled_from(["scaled", "scalar", "per_row", "const", "cells", "zeros"]))
    if kind == "const":
        c = draw(fractions)
        return Num.const(c, n), [c] * n
    if kind == "cells":
        raw = draw(st.lists(cells, min_size=n, max_size=n))
        x, missing = Num.from_values(raw)
        assert missing.tolist() == [v is None for v in raw]
        return x, [cell_value(v) for v in raw]
    nums = draw(st.lists(numerators, min_size=n, max_size=n))
    if kind == "zeros":
        nums = [0 if draw(st.booleans()) else v for v in nums]
    if kind in ("scaled", "zeros"):
        den = 10 ** draw(st.integers(0, 6))
        return Num(int_array(nums), den), [Fraction(v, den) for v in nums]
    if kind == "scalar":
        den = draw(denominators)
        return Num(int_array(nums), den), [Fraction(v, den) for v in nums]
    dens = draw(st.lists(denominators, min_size=n, max_size=n))
    return Num(int_array(nums), int_array(dens)), [
        Fraction(v, d) for v, d in zip(nums, dens, strict=True)
    ]


@st.composite
def column_pairs(draw: st.DrawFn) -> Pair:
    n = draw(st.integers(0, 8))
    a, va = draw(columns(n))
    b, vb = draw(columns(n))
    return a, va, b, vb


@st.composite
def single_columns(draw: st.DrawFn) -> tuple[Num, list[Fraction]]:
    return draw(columns(draw(st.integers(0, 8))))


def assert_column(x: Num, expected: Sequence[Fraction]) -> None:
    assert len(x) == len(expected)
    assert values_of(x) == list(expected)
    # The kernel's invariants: positive denominators, bounds that really bound, int64 never
    # holding a value that negation could overflow, array den sharing num's dtype.
    dens = [x.den] * len(x) if isinstance(x.den, int) else [int(d) for d in x.den]
    assert all(d > 0 for d in dens)
    assert all(abs(int(v)) <= x.bound for v in x.num)
    assert all(d <= x.den_bound for d in dens)
    if x.is_int64:
        assert x.num.dtype == np.int64
        assert all(abs(int(v)) <= INT64_MAX for v in x.num)
    if isinstance(x.den, np.ndarray):
        assert x.den.dtype == x.num.dtype


# -------------------------------------------------------------------------- classic cases


def test_point_one_plus_point_two_is_point_three() -> None:
    for cells_ in ([0.1], [Decimal("0.1")], ["0.1"]):
        a, _ = Num.from_values(cells_)
        b, _ = Num.from_values([Decimal("0.2")])
        assert (a + b).eq(Decimal("0.3")).tolist() == [True]
        assert (a + b).to_decimals() == [Decimal("0.3")]


def test_floats_read_as_their_shortest_repr() -> None:
    x, _ = Num.from_values(np.array([0.1, 2.675, -0.3, 1e-7, 123456.789]))
    assert values_of(x) == [
        Fraction(1, 10),
        Fraction(2675, 1000),
        Fraction(-3, 10),
        Fraction(1, 10**7),
        Fraction(123456789, 1000),
    ]


def test_thirty_times_seven_over_ten_is_twenty_one() -> None:
    x = Num.const(30, 2) * 7
    q, zero = x.div(10)
    assert not zero.any()
    assert q.eq(21).all()
    assert q.is_integer().all()


def test_division_then_multiplication_by_three_gives_back_x() -> None:
    cells_ = [Decimal(v).scaleb(-2) for v in range(-5000, 5000, 7)]
    x, _ = Num.from_values(cells_)
    third, zero = x.div(3)
    assert not zero.any()
    assert isinstance(third.den, int)  # dividing by a constant keeps one shared denominator
    back = third * 3
    assert back.eq(x).all()
    assert values_of(back) == [Fraction(c) for c in cells_]


def test_points_adding_up_to_ninety_reach_ninety() -> None:
    items = [Decimal("24.28"), Decimal("39.77"), Decimal("25.95")]
    assert sum(float(v) for v in items) != 90.0  # what a float evaluator would see
    x, _ = Num.from_values(items)
    totals = Segments(np.zeros(3, dtype=np.int64), 1).sum(x)
    assert totals.ge(90).tolist() == [True]
    assert totals.eq(Decimal("90.00")).tolist() == [True]
    assert totals.to_strings(2) == ["90.00"]


def test_round_half_away_from_zero() -> None:
    x, _ = Num.from_values([2.675, Decimal("-2.675"), Decimal("0.125"), Decimal("-0.125")])
    r = x.round_half_away(2)
    assert r.den == 100
    assert r.to_strings(2) == ["2.68", "-2.68", "0.13", "-0.13"]
    assert x.to_strings(2) == ["2.68", "-2.68", "0.13", "-0.13"]
    assert x.round_half_away(0).to_strings(0) == ["3", "-3", "0", "0"]


def test_rounding_a_repeating_fraction() -> None:
    x, _ = Num.from_ints(np.array([2, -2, 1, 5])).div(3)
    assert x.round_half_away(2).to_strings(2) == ["0.67", "-0.67", "0.33", "1.67"]
    assert x.round_half_away(-1).to_strings() == ["0", "0", "0", "0"]
    big = Num.from_ints(np.array([15, -25, 149]))
    assert big.round_half_away(-1).to_strings() == ["20", "-30", "150"]


def test_column_scale_is_kept_in_decimal_output() -> None:
    x, _ = Num.from_values([Decimal("12.5"), Decimal("7.25"), Decimal("-0.05")])
    assert x.den == 100
    assert [str(d) for d in x.to_decimals()] == ["12.50", "7.25", "-0.05"]
    assert x.to_strings() == ["12.50", "7.25", "-0.05"]
    assert str(x.to_decimal(0)) == "12.50"


def test_non_terminating_values_are_rounded_in_decimal_output() -> None:
    x, _ = Num.from_ints(np.array([2, 1, 6, -1])).div(Num.from_ints(np.array([3, 4, 3, 8])))
    assert [str(d) for d in x.to_decimals()] == ["0.6666666667", "0.25", "2", "-0.125"]
    assert [str(d) for d in x.to_decimals(max_places=2)] == ["0.67", "0.25", "2", "-0.13"]
    assert x.to_strings(3) == ["0.667", "0.250", "2.000", "-0.125"]


def test_common_columns_stay_on_int64_with_a_shared_denominator() -> None:
    rng = np.random.default_rng(3)
    a = Num.from_ints(rng.integers(0, 10_001, 1000)) * Fraction(1, 100)
    b = Num.from_ints(rng.integers(1, 10_001, 1000)) * Fraction(1, 100)
    weighted = (a * Decimal("0.25") + b * 3 - 1).round_half_away(2)
    seg = Segments(rng.integers(0, 50, 1000), 50)
    for x in (a + b, a - b, a * b, weighted, where(a.ge(b), a, b), clip(a, 10, 90)):
        assert x.is_int64
        assert isinstance(x.den, int)
    assert weighted.den == 100
    assert seg.sum(weighted).is_int64
    assert seg.sum(weighted).den == 100
    ratio, _ = a.div(b)
    assert ratio.is_int64
    assert ratio.round_half_away(2).is_int64


def test_division_by_zero_is_reported_per_row() -> None:
    a = Num.from_ints(np.array([1, 2, 3]))
    b, _ = Num.from_values([Decimal("0.5"), Decimal(0), Decimal("-2")])
    q, zero = a.div(b)
    assert zero.tolist() == [False, True, False]
    assert values_of(q) == [Fraction(2), Fraction(0), Fraction(-3, 2)]
    q, zero = a.div(0)
    assert zero.all()
    assert values_of(q) == [0, 0, 0]


# ---------------------------------------------------------------------------- constructors


def test_from_values_handles_missing_and_mixed_cells() -> None:
    x, missing = Num.from_values([None, 3, Fraction(1, 3), "2.5", 0.1, Decimal("-1.125")])
    assert missing.tolist() == [True, False, False, False, False, False]
    expected = [0, 3, Fraction(1, 3), Fraction(5, 2), Fraction(1, 10), Fraction(-9, 8)]
    assert values_of(x) == expected
    assert isinstance(x.den, int)


def test_from_values_rejects_what_is_not_a_number() -> None:
    with pytest.raises(ValueError, match="row 1"):
        Num.from_values([Decimal(1), "abc"])
    with pytest.raises(TypeError, match="row 0"):
        Num.from_values([True, Decimal(1)])
    with pytest.raises(ValueError, match="row 0"):
        Num.from_values([Decimal("NaN")])
    with pytest.raises(ValueError):
        Num.from_values(np.array([1.0, math.inf]))
    with pytest.raises(TypeError):
        Num.const(True, 3)


def test_nan_in_a_float_array_is_missing() -> None:
    x, missing = Num.from_values(np.array([1.5, math.nan]))
    assert missing.tolist() == [False, True]
    assert values_of(x) == [Fraction(3, 2), 0]


def test_huge_and_long_inputs_stay_exact() -> None:
    cells_ = [Decimal("0.1234567891234"), 10**30, -(2**70), Decimal("1E+25"), 1e20, 0.1 + 0.2]
    x, _ = Num.from_values(cells_)
    assert values_of(x) == [cell_value(c) for c in cells_]
    assert not x.is_int64


@given(st.lists(st.one_of(decimals, st.none()), max_size=20))
@PROPERTY
def test_from_values_on_decimal_lists(raw: list[Decimal | None]) -> None:
    x, missing = Num.from_values(raw)
    assert missing.tolist() == [v is None for v in raw]
    assert_column(x, [cell_value(v) for v in raw])
    # One shared decimal scale: the fewest places that hold every value.
    places = 0
    for v in raw:
        while v is not None and (v * 10**places) % 1:
            places += 1
    assert x.den == 10**places


@given(
    st.lists(
        st.floats(allow_nan=True, allow_infinity=False, width=64)
        | st.floats(-1000, 1000).map(lambda f: round(f, 2)),
        max_size=20,
    )
)
@PROPERTY
def test_from_values_on_float_arrays_matches_repr(raw: list[float]) -> None:
    x, missing = Num.from_values(np.array(raw, dtype=np.float64))
    assert missing.tolist() == [math.isnan(v) for v in raw]
    assert values_of(x) == [0 if math.isnan(v) else Fraction(Decimal(repr(v))) for v in raw]


@given(st.lists(cells, max_size=12))
@PROPERTY
def test_from_values_on_mixed_cells(raw: list[object]) -> None:
    x, missing = Num.from_values(raw)
    assert missing.tolist() == [v is None for v in raw]
    assert_column(x, [cell_value(v) for v in raw])


def test_from_values_on_arrays_and_int_lists() -> None:
    x, missing = Num.from_values(np.array([3, -4], dtype=np.int32))
    assert values_of(x) == [3, -4]
    assert not missing.any()
    x, missing = Num.from_values(np.array([Decimal("1.5"), None], dtype=np.object_))
    assert values_of(x) == [Fraction(3, 2), 0]
    assert missing.tolist() == [False, True]
    x, missing = Num.from_values([5, None, 2**70])
    assert values_of(x) == [5, 0, 2**70]
    assert missing.tolist() == [False, True, False]
    # A large whole float next to a six-place one: the shared scale outgrows int64.
    x, _ = Num.from_values(np.array([1e15, 0.000001]))
    assert values_of(x) == [10**15, Fraction(1, 10**6)]
    x, missing = Num.from_values([math.nan, 2.5, Decimal(1)])
    assert values_of(x) == [0, Fraction(5, 2), 1]
    assert missing.tolist() == [True, False, False]
    with pytest.raises(ValueError, match="row 0"):
        Num.from_values([math.inf, Decimal(1)])
    with pytest.raises(TypeError, match="row 1"):
        Num.from_values([Decimal(1), object()])
    with pytest.raises(TypeError):
        Num.from_ints(np.array([1.5]))
    assert len(concat([])) == 0


def test_from_ints_and_constructor_checks() -> None:
    x = Num.from_ints(np.array([1, -(2**63)], dtype=np.int64))
    assert not x.is_int64  # -2**63 cannot be negated in int64
    assert values_of(-x) == [-1, 2**63]
    assert Num.from_ints(np.array([3], dtype=np.uint64)).is_int64
    assert not Num.from_ints(np.array([2**64 - 1], dtype=np.uint64)).is_int64
    with pytest.raises(ValueError):
        Num(np.array([1, 2]), np.array([1, 0]))
    with pytest.raises(ValueError):
        Num(np.array([1, 2]), -5)
    with pytest.raises(ValueError):
        Num(np.array([1, 2]), np.array([1]))
    with pytest.raises(ValueError):
        Num.const(1, 3) + Num.const(1, 4)


# ------------------------------------------------------------------------------- overflow


def test_sums_near_int64_limit_do_not_wrap() -> None:
    x = Num.from_ints(np.array([INT64_MAX, -INT64_MAX, 2**62]))
    assert values_of(x + x) == [2 * INT64_MAX, -2 * INT64_MAX, 2**63]
    assert values_of(x + 1) == [2**63, -INT64_MAX + 1, 2**62 + 1]
    assert values_of(x - (-1)) == [2**63, -INT64_MAX + 1, 2**62 + 1]
    assert values_of(x * x) == [INT64_MAX**2, INT64_MAX**2, 2**124]
    assert (x + 1).gt(INT64_MAX).tolist() == [True, False, False]
    half = x * Fraction(1, 2)
    assert values_of(half + half) == values_of(x)


def test_comparisons_near_int64_limit() -> None:
    a = Num.from_ints(np.array([INT64_MAX, INT64_MAX - 1, -INT64_MAX]))
    b = Num(np.array([INT64_MAX - 1, INT64_MAX, 1]), np.array([INT64_MAX, INT64_MAX, 2**62]))
    # a / 1 vs b: cross-multiplication would overflow int64.
    assert a.gt(b).tolist() == [True, True, False]
    assert a.lt(Fraction(2**63, 1)).tolist() == [True, True, True]
    assert a.ge(Fraction(-(2**64), 3)).tolist() == [True, True, False]
    assert a.ge(-(2**64)).tolist() == [True, True, True]


def test_chains_of_products_and_quotients_stay_exact() -> None:
    rng = np.random.default_rng(7)
    base = rng.integers(-(10**9), 10**9, 50)
    factors = rng.integers(1, 10**9, (40, 50))
    x = Num.from_ints(base) * Fraction(1, 100)
    ref = [Fraction(int(v), 100) for v in base]
    for step, row in enumerate(factors):
        f = Num(row.astype(np.int64), 1000 + step)
        if step % 2:
            x, _ = x.div(f)
            ref = [r / Fraction(int(v), 1000 + step) for r, v in zip(ref, row, strict=True)]
        else:
            x = x * f
            ref = [r * Fraction(int(v), 1000 + step) for r, v in zip(ref, row, strict=True)]
        assert_column(x, ref)
    assert not x.is_int64  # the values really outgrew int64


def test_object_results_return_to_int64_when_they_fit() -> None:
    big = Num.from_ints(np.array([2**62 - 1, 3, -(2**61)]))
    square = big * big
    assert not square.is_int64
    back, _ = square.div(big)
    assert back.is_int64
    assert values_of(back) == values_of(big)


@given(st.lists(st.sampled_from(EDGE_INTS), min_size=1, max_size=8), st.integers(0, 3))
@PROPERTY
def test_edge_values_through_every_operation(nums: list[int], shift: int) -> None:
    x = Num(int_array(nums), 10**shift)
    ref = [Fraction(v, 10**shift) for v in nums]
    y = x.take(list(reversed(range(len(x)))))
    rev = list(reversed(ref))
    assert_column(x + y, [a + b for a, b in zip(ref, rev, strict=True)])
    assert_column(x - y, [a - b for a, b in zip(ref, rev, strict=True)])
    assert_column(x * y, [a * b for a, b in zip(ref, rev, strict=True)])
    assert_column(-x, [-a for a in ref])
    assert_column(abs(x), [abs(a) for a in ref])
    q, zero = x.div(y)
    assert_column(q, [a / b if b else Fraction(0) for a, b in zip(ref, rev, strict=True)])
    assert zero.tolist() == [b == 0 for b in rev]
    assert x.lt(y).tolist() == [a < b for a, b in zip(ref, rev, strict=True)]
    assert_column(x.round_half_away(1), [round_ref(a, 1) for a in ref])


# ------------------------------------------------------------------------ property tests

ARITHMETIC: dict[str, Callable[[Fraction, Fraction], Fraction]] = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
}


@given(column_pairs())
@PROPERTY
def test_arithmetic_matches_fractions(
    pair: Pair,
) -> None:
    a, va, b, vb = pair
    assert_column(a + b, [x + y for x, y in zip(va, vb, strict=True)])
    assert_column(a - b, [x - y for x, y in zip(va, vb, strict=True)])
    assert_column(a * b, [x * y for x, y in zip(va, vb, strict=True)])
    assert_column(-a, [-x for x in va])
    assert_column(abs(b), [abs(y) for y in vb])
    q, zero = a.div(b)
    assert zero.tolist() == [y == 0 for y in vb]
    expected = [x / y if y else Fraction(0) for x, y in zip(va, vb, strict=True)]
    assert_column(q, expected)
    # Operands sharing one denominator array (a quotient with itself).
    assert_column(q + q, [2 * v for v in expected])
    assert_column(q - q, [Fraction(0)] * len(q))
    assert q.le(q).all()
    assert not q.lt(q).any()


@given(column_pairs(), st.sampled_from([Fraction(0), Fraction(3), Fraction(-1, 4), Fraction(7, 3)]))
@PROPERTY
def test_scalar_operands_match_fractions(pair: Pair, c: Fraction) -> None:
    a, va, _, _ = pair
    assert_column(a + c, [x + c for x in va])
    assert_column(c - a, [c - x for x in va])
    assert_column(a - c, [x - c for x in va])
    assert_column(c * a, [c * x for x in va])
    q, zero = a.div(c)
    assert zero.tolist() == [c == 0] * len(a)
    assert_column(q, [x / c if c else Fraction(0) for x in va])
    assert a.ge(c).tolist() == [x >= c for x in va]
    assert a.eq(c).tolist() == [x == c for x in va]


@given(column_pairs())
@PROPERTY
def test_comparisons_match_fractions(
    pair: Pair,
) -> None:
    a, va, b, vb = pair
    rows = list(zip(va, vb, strict=True))
    assert a.eq(b).tolist() == [x == y for x, y in rows]
    assert a.ne(b).tolist() == [x != y for x, y in rows]
    assert a.lt(b).tolist() == [x < y for x, y in rows]
    assert a.le(b).tolist() == [x <= y for x, y in rows]
    assert a.gt(b).tolist() == [x > y for x, y in rows]
    assert a.ge(b).tolist() == [x >= y for x, y in rows]
    assert b.lt(a).tolist() == [y < x for x, y in rows]


@given(column_pairs(), st.data())
@PROPERTY
def test_selection_matches_fractions(pair: Pair, data: st.DataObject) -> None:
    a, va, b, vb = pair
    n = len(a)
    cond = np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=np.bool_)
    rows = list(zip(cond.tolist(), va, vb, strict=True))
    assert_column(where(cond, a, b), [x if c else y for c, x, y in rows])
    assert_column(minimum(a, b), [min(x, y) for _, x, y in rows])
    assert_column(maximum(a, b), [max(x, y) for _, x, y in rows])
    lo, hi = Fraction(-5, 2), Fraction(10)
    assert_column(clip(a, lo, hi), [min(max(x, lo), hi) for x in va])
    assert_column(where(cond, a, Fraction(1, 3)), [x if c else Fraction(1, 3) for c, x, _ in rows])
    idx = data.draw(st.lists(st.integers(0, max(n - 1, 0)), max_size=10)) if n else []
    assert_column(a.take(idx), [va[i] for i in idx])
    assert_column(a.filter(cond), [x for c, x, _ in rows if c])
    assert_column(concat([a, b, a.filter(cond)]), va + vb + [x for c, x, _ in rows if c])


@given(single_columns(), st.integers(-3, 8))
@PROPERTY
def test_rounding_matches_fractions(col: tuple[Num, list[Fraction]], places: int) -> None:
    x, vx = col
    r = x.round_half_away(places)
    assert_column(r, [round_ref(v, places) for v in vx])
    assert r.den == 10 ** max(places, 0)
    assert_column(x.floor(), [Fraction(math.floor(v)) for v in vx])
    assert_column(x.ceil(), [Fraction(math.ceil(v)) for v in vx])
    assert x.is_integer().tolist() == [v.denominator == 1 for v in vx]


@given(single_columns(), st.integers(0, 6))
@PROPERTY
def test_output_matches_fractions(col: tuple[Num, list[Fraction]], places: int) -> None:
    x, vx = col
    assert x.to_strings(places) == [fixed_ref(v, places) for v in vx]
    decimals_ = x.to_decimals(max_places=places)
    assert [Fraction(d) for d in decimals_] == [round_ref(v, places) for v in vx]
    assert [str(d) for d in decimals_] == x.to_strings(max_places=places)
    assert all("E" not in s for s in x.to_strings(max_places=places))
    if isinstance(x.den, int) and x.den in (1, 10, 100, 1000):
        shown = round(math.log10(x.den))
        if shown <= places:  # exact, with exactly the column's places
            assert all(d.as_tuple().exponent == -shown for d in decimals_)
    if len(x):
        assert x.to_decimal(len(x) - 1, places) == decimals_[-1]
    for f, v in zip(x.to_float().tolist(), vx, strict=True):
        assert f == pytest.approx(float(v), rel=1e-12)


@given(single_columns())
@PROPERTY
def test_sort_key_orders_exactly(col: tuple[Num, list[Fraction]]) -> None:
    x, vx = col
    key = x.sort_key().tolist()
    for i, vi in enumerate(vx):
        for j, vj in enumerate(vx):
            assert (key[i] < key[j]) == (vi < vj)
            assert (key[i] == key[j]) == (vi == vj)


def test_sort_key_separates_values_floats_cannot() -> None:
    # Distinct values whose float64 images coincide: the float pre-sort must be repaired.
    near = [Fraction(10**17 + k, 3 + k % 2) for k in range(6)]
    x = Num(
        np.array([v.numerator for v in near], dtype=np.int64),
        np.array([v.denominator for v in near], dtype=np.int64),
    )
    key = x.sort_key()
    assert np.argsort(key, kind="stable").tolist() == sorted(range(6), key=near.__getitem__)


# -------------------------------------------------------------------------------- segments


@st.composite
def item_tables(
    draw: st.DrawFn,
) -> tuple[Segments, list[int], int, Num, list[Fraction], list[bool]]:
    subjects = draw(st.integers(0, 5))
    size = draw(st.integers(0, 12)) if subjects else 0
    owner = draw(st.lists(st.integers(0, max(subjects - 1, 0)), min_size=size, max_size=size))
    if draw(st.booleans()):
        owner.sort()
    values, refs = draw(columns(size))
    mask = draw(st.lists(st.booleans(), min_size=size, max_size=size))
    return Segments(np.array(owner, dtype=np.int64), subjects), owner, subjects, values, refs, mask


@given(item_tables(), st.booleans())
@PROPERTY
def test_segments_match_fractions(table: ItemTable, masked: bool) -> None:
    seg, owner, subjects, values, refs, mask_list = table
    mask = np.array(mask_list, dtype=np.bool_) if masked else None
    keep = mask_list if masked else [True] * len(owner)
    groups: list[list[Fraction]] = [[] for _ in range(subjects)]
    flags: list[list[bool]] = [[] for _ in range(subjects)]
    for o, v, k in zip(owner, refs, keep, strict=True):
        flags[o].append(k)
        if k:
            groups[o].append(v)
    assert_column(seg.sum(values, mask), [sum(g, Fraction(0)) for g in groups])
    assert seg.count(mask).tolist() == [len(g) for g in groups]
    lo, empty = seg.min(values, mask)
    assert empty.tolist() == [not g for g in groups]
    assert_column(lo, [min(g) if g else Fraction(0) for g in groups])
    hi, empty = seg.max(values, mask)
    assert empty.tolist() == [not g for g in groups]
    assert_column(hi, [max(g) if g else Fraction(0) for g in groups])
    m = np.array(mask_list, dtype=np.bool_)
    assert seg.any(m).tolist() == [any(f) for f in flags_all(owner, mask_list, subjects)]
    assert seg.all(m).tolist() == [all(f) for f in flags_all(owner, mask_list, subjects)]
    subject_values = Num.from_ints(np.arange(subjects) * 3) * Fraction(1, 7)
    assert_column(seg.broadcast_num(subject_values), [Fraction(3 * o, 7) for o in owner])
    assert seg.broadcast(np.arange(subjects) * 2).tolist() == [2 * o for o in owner]


def flags_all(owner: list[int], mask: list[bool], subjects: int) -> list[list[bool]]:
    out: list[list[bool]] = [[] for _ in range(subjects)]
    for o, k in zip(owner, mask, strict=True):
        out[o].append(k)
    return out


def test_segment_sums_near_int64_limit_are_exact() -> None:
    values = Num.from_ints(np.array([INT64_MAX, INT64_MAX, 5, -INT64_MAX, -INT64_MAX]))
    seg = Segments(np.array([1, 1, 0, 2, 2]), 4)
    total = seg.sum(values)
    assert values_of(total) == [5, 2 * INT64_MAX, -2 * INT64_MAX, 0]
    only_first = seg.sum(values, np.array([True, False, True, True, False]))
    assert values_of(only_first) == [5, INT64_MAX, -INT64_MAX, 0]


def test_segment_sums_beyond_float_precision_with_unsorted_owners() -> None:
    values = Num.from_ints(np.array([2**52 + 1, 5, 2**52 + 2, -3]))
    seg = Segments(np.array([1, 0, 1, 0]), 2)
    assert float(2**52 + 1) + float(2**52 + 2) != 2**53 + 3
    assert values_of(seg.sum(values)) == [2, 2**53 + 3]
    small = Num.from_ints(np.array([7, 5, -2, 1]))
    assert values_of(seg.sum(small, np.array([True, True, False, False]))) == [5, 7]


def test_segment_sums_of_per_row_fractions() -> None:
    values, _ = Num.from_ints(np.array([1, 1, 1, 2, 7])).div(
        Num.from_ints(np.array([3, 6, 2, 5, 1]))
    )
    seg = Segments(np.array([0, 0, 0, 2, 2]), 3)
    assert values_of(seg.sum(values)) == [Fraction(1), Fraction(0), Fraction(37, 5)]
    lo, empty = seg.min(values)
    assert values_of(lo) == [Fraction(1, 6), 0, Fraction(2, 5)]
    assert empty.tolist() == [False, True, False]


def test_segment_sums_whose_common_denominator_outgrows_int64() -> None:
    primes = [2**31 - 1, 2**31 - 19, 2**31 - 61, 2**31 - 69]
    values = Num(np.array([1, -1, 2, 3, 5]), np.array([*primes, 7]))
    seg = Segments(np.array([0, 0, 0, 0, 1]), 2)
    expected = [Fraction(1, primes[0]) - Fraction(1, primes[1]) + Fraction(2, primes[2])]
    expected[0] += Fraction(3, primes[3])
    assert values_of(seg.sum(values)) == [expected[0], Fraction(5, 7)]


def test_segments_reject_bad_owners() -> None:
    with pytest.raises(ValueError):
        Segments(np.array([0, 3]), 3)
    with pytest.raises(ValueError):
        Segments(np.array([-1]), 3)
    seg = Segments(np.array([0, 1]), 2)
    with pytest.raises(ValueError):
        seg.sum(Num.const(1, 3))


@given(single_columns(), st.integers(0, 10))
@PROPERTY
def test_plain_strings_are_the_normalized_decimals(
    col: tuple[Num, list[Fraction]], places: int
) -> None:
    x, _ = col
    expected = []
    with localcontext(prec=200):  # normalize() rounds to the context's precision
        for d in x.to_decimals(max_places=places):
            text = format(d.normalize(), "f")
            expected.append("0" if text in ("-0", "") else text)
    assert x.to_plain_strings(places) == expected


def test_plain_strings_drop_trailing_zeros_only() -> None:
    x, _ = Num.from_values([Decimal("12.50"), Decimal("100"), Decimal("0"), Decimal("-0.05")])
    assert x.to_plain_strings() == ["12.5", "100", "0", "-0.05"]


def test_long_columns_format_each_distinct_value_once_with_the_same_digits() -> None:
    from chamdiem.dsl.numeric.formatting import format_each as _format_each
    from chamdiem.dsl.numeric.formatting import format_scaled as _format_scaled

    rng = np.random.default_rng(7)
    scaled = rng.integers(-3000, 3000, 5000).astype(np.int64)
    places = rng.integers(0, 4, 5000).astype(np.int64)
    assert _format_scaled(scaled, 2) == _format_each(scaled, 2)
    assert _format_scaled(scaled, places) == _format_each(scaled, places)
    x = Num.from_ints(scaled) * Fraction(1, 7)
    assert x.to_strings(2) == [fixed_ref(Fraction(int(v), 7), 2) for v in scaled]
    for den in (7, 8, 1):
        y = Num.from_ints(scaled) * Fraction(1, den)
        with localcontext(prec=50):
            expected = [format(d.normalize(), "f") for d in y.to_decimals(4)]
        assert y.to_plain_strings(4) == ["0" if t == "-0" else t for t in expected]
