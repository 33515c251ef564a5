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

Modules: ints.py (limits, integer-array helpers), kernel.py (`Num` and its arithmetic),
output.py (values, text and sort keys out of a column), formatting.py (decimal text),
select.py (where, minimum, maximum, clip, concat), conversions.py (columns from input
cells) and segments.py (per-subject aggregates over item rows).
"""

from __future__ import annotations

from chamdiem.dsl.numeric.ints import BoolArray, IntArray, Scalar
from chamdiem.dsl.numeric.kernel import Num
from chamdiem.dsl.numeric.segments import Segments
from chamdiem.dsl.numeric.select import clip, concat, maximum, minimum, where

__all__ = [
    "BoolArray",
    "IntArray",
    "Num",
    "Scalar",
    "Segments",
    "clip",
    "concat",
    "maximum",
    "minimum",
    "where",
]
