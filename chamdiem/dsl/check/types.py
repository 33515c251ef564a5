"""The types the checker gives values and expressions, and the checker's own limits."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from chamdiem.dsl import syntax as s
from chamdiem.dsl.diagnostics import Text
from chamdiem.dsl.names import AGGREGATE_FUNCTIONS, RESULT_FIELDS, SCALAR_FUNCTIONS

ALL_FUNCTIONS = (*SCALAR_FUNCTIONS, *AGGREGATE_FUNCTIONS)
NUMBER_KINDS = ("number", "count", "percent")
MAX_ROUND_PLACES = 10

# ---------------------------------------------------------------- types

TypeKind = Literal["number", "bool", "text", "enum", "key", "date", "grade", "items", "unknown"]


@dataclass(frozen=True, slots=True)
class Type:
    """The type of a value. `unknown` follows an error already reported, and matches
    everything so that one mistake gives one message."""

    kind: TypeKind
    choices: tuple[str, ...] = ()  # enum
    items: str = ""  # the list's name, for kind "items"
    catalog: str = ""  # the catalogue's name, for kind "key" (a key of that catalogue)

    def describe(self) -> Text:
        if self.kind == "enum":
            listed = ", ".join(f'"{c}"' for c in self.choices)
            return Text(f"một lựa chọn trong {listed}", f"one of {listed}")
        if self.kind == "key":
            return Text(
                f"mã trong danh mục `{self.catalog}`", f"a key of the catalogue `{self.catalog}`"
            )
        if self.kind == "items":
            return Text(f"danh sách `{self.items}`", f"the list `{self.items}`")
        vi, en = _TYPE_WORDS[self.kind]
        return Text(vi, en)

    def is_(self, *kinds: TypeKind) -> bool:
        """True when the type is one of `kinds`, or unknown (already reported)."""
        return self.kind == "unknown" or self.kind in kinds


_TYPE_WORDS: dict[str, tuple[str, str]] = {
    "number": ("số", "a number"),
    "bool": ("đúng/sai", "true/false"),
    "text": ("văn bản", "text"),
    "date": ("ngày", "a date"),
    "grade": ("mức xếp loại", "a grade"),
    "unknown": ("giá trị", "a value"),
}

NUMBER = Type("number")
BOOL = Type("bool")
TEXT = Type("text")
DATE = Type("date")
GRADE = Type("grade")
UNKNOWN = Type("unknown")
# The type of each field every result of a needed rule set has (names.RESULT_FIELDS).
RESULT_FIELD_TYPES = dict(zip(RESULT_FIELDS, (NUMBER, GRADE, GRADE, BOOL), strict=True))


def input_type(spec: s.TypeSpec) -> Type:
    if spec.kind in NUMBER_KINDS:
        return NUMBER
    if spec.kind == "enum":
        return Type("enum", spec.choices)
    if spec.kind == "key":
        return Type("key", catalog=spec.catalog or "")
    return {"bool": BOOL, "text": TEXT, "date": DATE}[spec.kind]


def unify(a: Type, b: Type) -> Type | None:
    """The common type of two alternatives (if branches, band rows), or None."""
    if a.kind == "unknown":
        return b
    if b.kind == "unknown":
        return a
    if a.kind in ("text", "enum", "key") and b.kind in ("text", "enum", "key"):
        return a if a == b else TEXT
    return a if a.kind == b.kind and a.kind != "items" else None


# ---------------------------------------------------------------- symbols


def literal_number(node: s.Expr | None) -> Fraction | None:
    """The value of a number written out (`5`, `-2`, `25%`), or None."""
    if isinstance(node, s.Number):
        return Fraction(node.value)
    if isinstance(node, s.Unary) and node.op == "-" and isinstance(node.operand, s.Number):
        return -Fraction(node.operand.value)
    return None


def literal_type(node: s.Expr) -> Type | None:
    if literal_number(node) is not None:
        return NUMBER
    if isinstance(node, s.Bool):
        return BOOL
    if isinstance(node, s.String):
        return TEXT
    if isinstance(node, s.DateLit):
        return DATE
    return None


def in_range(value: Fraction, rng: s.RangeSpec) -> bool:
    low, high = literal_number(rng.low), literal_number(rng.high)
    if low is not None and (value < low or (value == low and rng.low_strict)):
        return False
    return not (high is not None and (value > high or (value == high and rng.high_strict)))
