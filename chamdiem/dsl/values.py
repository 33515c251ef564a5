"""Column values the evaluator passes between compiled expressions.

Every expression yields a `Val`: a column of one type (exact numbers, booleans, text,
dates or grades) for all subjects — or all item rows — at once, plus an optional error
mask. The mask marks rows whose value is undefined (a division by zero, the mean of an
empty list); it travels through operations and conditionals, so that `if b == 0 then 0
else a / b` is not an error, and becomes an evaluation error naming the subject only when
an undefined value reaches a result.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from chamdiem.dsl.diagnostics import Text
from chamdiem.dsl.numeric import Num
from chamdiem.dsl.numeric import where as num_where

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]
ObjArray = npt.NDArray[np.object_]


@dataclass(slots=True)
class TextCol:
    values: ObjArray  # str per row ('' when absent)


@dataclass(slots=True)
class DateCol:
    days: IntArray  # proleptic Gregorian ordinal


@dataclass(slots=True)
class GradeCol:
    level: IntArray  # higher is better: the best grade has level len(grades) - 1


Data = Num | BoolArray | TextCol | DateCol | GradeCol


@dataclass(slots=True)
class Val:
    data: Data
    err: BoolArray | None = None
    cause: Text | None = None


def merge_errors(*vals: Val) -> tuple[BoolArray | None, Text | None]:
    """The union of the operands' error masks and the first cause."""
    err: BoolArray | None = None
    cause: Text | None = None
    for v in vals:
        if v.err is not None:
            err = v.err if err is None else (err | v.err)
            cause = cause or v.cause
    return err, cause


def masked_error(err: BoolArray | None, mask: BoolArray) -> BoolArray | None:
    """Only the rows selected by `mask` keep their error."""
    if err is None:
        return None
    out = err & mask
    return out if out.any() else None


def constant(value: object, n: int) -> Data:
    """A column of n copies of a constant (a grade level is passed as a GradeCol)."""
    if isinstance(value, bool):
        return np.full(n, value, dtype=np.bool_)
    if isinstance(value, int | Decimal | Fraction):
        return Num.const(value, n)
    if isinstance(value, str):
        return TextCol(np.full(n, value, dtype=object))
    if isinstance(value, date):
        return DateCol(np.full(n, value.toordinal(), dtype=np.int64))
    raise TypeError(f"no column for constant {value!r}")


def select(cond: BoolArray, a: Data, b: Data) -> Data:
    """Row-wise `cond ? a : b` for two columns of the same type."""
    if isinstance(a, Num) and isinstance(b, Num):
        return num_where(cond, a, b)
    if isinstance(a, TextCol) and isinstance(b, TextCol):
        return TextCol(np.where(cond, a.values, b.values))
    if isinstance(a, DateCol) and isinstance(b, DateCol):
        return DateCol(np.where(cond, a.days, b.days))
    if isinstance(a, GradeCol) and isinstance(b, GradeCol):
        return GradeCol(np.where(cond, a.level, b.level))
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray):
        return np.where(cond, a, b)
    raise TypeError(f"cannot select between {type(a).__name__} and {type(b).__name__}")


def select_val(cond: Val, a: Val, b: Val) -> Val:
    mask = as_bool(cond.data)
    data = select(mask, a.data, b.data)
    parts = [
        cond.err,
        masked_error(a.err, mask),
        masked_error(b.err, ~mask),
    ]
    err: BoolArray | None = None
    for part in parts:
        if part is not None:
            err = part if err is None else err | part
    return Val(data, err, cond.cause or a.cause or b.cause if err is not None else None)


def _length(data: Data) -> int:
    if isinstance(data, TextCol):
        return len(data.values)
    if isinstance(data, DateCol):
        return len(data.days)
    if isinstance(data, GradeCol):
        return len(data.level)
    return len(data)


def is_empty(data: Data) -> bool:
    """A column of no rows (the fields of an empty linked list, whose type no row shows):
    it reads as an empty column of whatever type is wanted."""
    return _length(data) == 0


def as_bool(data: Data) -> BoolArray:
    if isinstance(data, np.ndarray) and data.dtype == np.bool_:
        return data
    if is_empty(data):
        return np.zeros(0, dtype=np.bool_)
    raise TypeError(f"expected a boolean column, got {type(data).__name__}")


def as_num(data: Data) -> Num:
    if isinstance(data, Num):
        return data
    if is_empty(data):
        return Num.const(0, 0)
    raise TypeError(f"expected a number column, got {type(data).__name__}")


def take(data: Data, index: IntArray) -> Data:
    """Rows `index` of a column (broadcasting subject values to item rows, say)."""
    if isinstance(data, Num):
        return data.take(index)
    if isinstance(data, TextCol):
        return TextCol(data.values[index])
    if isinstance(data, DateCol):
        return DateCol(data.days[index])
    if isinstance(data, GradeCol):
        return GradeCol(data.level[index])
    return data[index]


def compare(op: str, a: Data, b: Data) -> BoolArray:
    """`== != < <= > >=` between two columns of one type."""
    if isinstance(a, Num) and isinstance(b, Num):
        method = {"==": a.eq, "!=": a.ne, "<": a.lt, "<=": a.le, ">": a.gt, ">=": a.ge}[op]
        return method(b)
    left: npt.NDArray[np.generic]
    right: npt.NDArray[np.generic]
    if isinstance(a, GradeCol) and isinstance(b, GradeCol):
        left, right = a.level, b.level
    elif isinstance(a, DateCol) and isinstance(b, DateCol):
        left, right = a.days, b.days
    elif isinstance(a, TextCol) and isinstance(b, TextCol):
        left, right = a.values, b.values
    elif isinstance(a, np.ndarray) and isinstance(b, np.ndarray):
        left, right = a, b
    elif is_empty(a) or is_empty(b):
        return np.zeros(0, dtype=np.bool_)
    else:
        raise TypeError(f"cannot compare {type(a).__name__} with {type(b).__name__}")
    if op == "==":
        result = left == right
    elif op == "!=":
        result = left != right
    elif op == "<":
        result = left < right
    elif op == "<=":
        result = left <= right
    elif op == ">":
        result = left > right
    else:
        result = left >= right
    return np.asarray(result, dtype=np.bool_)
