"""The language's rounding of one exact number: half away from zero, on the fraction itself.

`round(x, n)`, a rule set's `precision`, `expect round(X, n) = V` in tests and the range
analysis all round this way; numeric.py rounds whole columns by the same rule and uses this
function for a constant column. It never goes through Decimal or float, whose limited digits
would round 0.005 − 10⁻³¹ up to 0.01 instead of down to 0.
"""

from __future__ import annotations

from fractions import Fraction


def round_half_away(value: Fraction, places: int) -> Fraction:
    """`value` rounded half away from zero to `places` decimals (places may be negative)."""
    scaled = abs(value) * Fraction(10) ** places
    q, r = divmod(scaled.numerator, scaled.denominator)
    if 2 * r >= scaled.denominator:
        q += 1
    result = Fraction(q) / Fraction(10) ** places
    return -result if value < 0 else result
