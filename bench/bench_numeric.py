"""Timing of the exact column kernel (chamdiem/dsl/numeric.py) against plain float64 NumPy.

Not a test: prints a table of 1M-row operation times.  Run: .venv/bin/python bench/bench_numeric.py
"""

from __future__ import annotations

import sys
import timeit
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction

import numpy as np

from chamdiem.dsl.numeric import Num, Segments, where

N = 1_000_000
SUBJECTS = 100_000


def best_ms(fn: Callable[[], object], repeat: int) -> float:
    return min(timeit.repeat(fn, number=1, repeat=repeat)) * 1e3


def main() -> None:
    rng = np.random.default_rng(2026)
    # Scores with two decimals, as the evaluator holds them: num / 100.
    a_int = rng.integers(0, 10_001, N)
    b_int = rng.integers(1, 10_001, N)
    a = Num.from_ints(a_int) * Fraction(1, 100)
    b = Num.from_ints(b_int) * Fraction(1, 100)
    fa, fb = a_int / 100.0, b_int / 100.0
    quotient, _ = a.div(b)
    fq = fa / fb
    owner = np.sort(rng.integers(0, SUBJECTS, N))
    shuffled = rng.permutation(owner)
    segments = Segments(owner, SUBJECTS)
    segments_unsorted = Segments(shuffled, SUBJECTS)
    mask = a_int > 2_000
    cond = fa > fb
    decimals = [Decimal(int(v)).scaleb(-2) for v in a_int[:N]]
    floats = fa.copy()

    rows: list[tuple[str, Callable[[], object], Callable[[], object] | None, int]] = [
        ("add a + b", lambda: a + b, lambda: fa + fb, 40),
        ("sub a - 1.5", lambda: a - Decimal("1.5"), lambda: fa - 1.5, 40),
        ("mul a * b", lambda: a * b, lambda: fa * fb, 40),
        ("mul a * 0.25", lambda: a * Decimal("0.25"), lambda: fa * 0.25, 40),
        ("div a / 3", lambda: a.div(3), lambda: fa / 3, 40),
        ("div a / b (per-row den)", lambda: a.div(b), lambda: fa / np.where(fb == 0, 1, fb), 20),
        ("round(a * b, 2)", lambda: (a * b).round_half_away(2), lambda: np.round(fa * fb, 2), 20),
        ("round(a / b, 2)", lambda: quotient.round_half_away(2), lambda: np.round(fq, 2), 20),
        ("compare a >= 90", lambda: a.ge(90), lambda: fa >= 90, 40),
        ("compare a >= b", lambda: a.ge(b), lambda: fa >= fb, 40),
        ("compare a/b >= b", lambda: quotient.ge(b), lambda: fq >= fb, 20),
        ("where(c, a, b)", lambda: where(cond, a, b), lambda: np.where(cond, fa, fb), 40),
        ("floor(a / b)", lambda: quotient.floor(), lambda: np.floor(fq), 20),
        (
            "segment sum (sorted owner)",
            lambda: segments.sum(a),
            lambda: np.bincount(owner, fa, minlength=SUBJECTS),
            10,
        ),
        (
            "segment sum, masked, unsorted",
            lambda: segments_unsorted.sum(a, mask),
            lambda: np.bincount(shuffled, np.where(mask, fa, 0.0), minlength=SUBJECTS),
            10,
        ),
        (
            "segment max",
            lambda: segments.max(a),
            lambda: np.maximum.reduceat(fa, np.searchsorted(owner, np.arange(SUBJECTS))),
            10,
        ),
        ("from_values(1M Decimals)", lambda: Num.from_values(decimals), None, 3),
        ("from_values(float64 array)", lambda: Num.from_values(floats), None, 5),
        ("to_decimals (den 100)", lambda: a.to_decimals(), None, 3),
        ("to_strings(2)", lambda: a.to_strings(2), None, 3),
    ]
    print(f"{N:,} rows (segments: {SUBJECTS:,} subjects), best of several runs, milliseconds")
    print(f"{'operation':34s} {'exact Num':>10s} {'float64':>10s} {'ratio':>7s}")
    for name, exact, approx, repeat in rows:
        t_exact = best_ms(exact, repeat)
        if approx is None:
            print(f"{name:34s} {t_exact:10.2f} {'-':>10s} {'-':>7s}")
            continue
        t_float = best_ms(approx, repeat)
        print(f"{name:34s} {t_exact:10.2f} {t_float:10.2f} {t_exact / t_float:7.2f}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
