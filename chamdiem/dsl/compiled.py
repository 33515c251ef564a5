"""What the compiler makes: a rule set's column functions (`CompiledRules`, with its
criteria, vetoes and quotas), the scope an expression is compiled for, the values of literals and
params, and the small helpers the column functions share.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

from chamdiem.dsl import syntax as s
from chamdiem.dsl.diagnostics import Text
from chamdiem.dsl.frames import Frame, SubjectFrame
from chamdiem.dsl.names import LINK_FUNCTIONS
from chamdiem.dsl.numeric import Num
from chamdiem.dsl.values import Val, as_num

Fn = Callable[[Frame], Val]
SubjectFn = Callable[[SubjectFrame], Val]


@dataclass(frozen=True)
class Scope:
    """Where an expression is evaluated: per subject, per row of an items list, or over the
    subjects of a quota group (where `count(COND)` counts the group's members)."""

    kind: Literal["subject", "items", "quota"]
    items: str | None = None
    local: bool = False  # in a `let` of the items block: bare names are the item's fields


SUBJECT = Scope("subject")
QUOTA = Scope("quota")


@dataclass
class CompiledCriterion:
    decl: s.Criterion
    group: s.Group
    max: Decimal


@dataclass
class CompiledVeto:
    decl: s.Veto
    when: SubjectFn
    cap: SubjectFn


@dataclass
class CompiledQuota:
    decl: s.Quota
    grade_level: int
    demote_level: int
    share: SubjectFn
    count: SubjectFn
    per: list[SubjectFn]
    rank: list[tuple[SubjectFn, bool]]


@dataclass
class CompiledRules:
    precision: int
    scale: Decimal
    grade_names: list[str]  # best first
    named: dict[str, SubjectFn] = field(default_factory=dict)
    grade_conditions: list[SubjectFn | None] = field(default_factory=list)
    vetoes: list[CompiledVeto] = field(default_factory=list)
    exclusions: list[tuple[s.Exclusion, SubjectFn]] = field(default_factory=list)
    quotas: list[CompiledQuota] = field(default_factory=list)
    applies: SubjectFn | None = None
    # Aggregates over another rule set's results, by source position: the list they read
    # and their `where`, so that explanations can name the rows that counted.
    link_aggregates: dict[int, tuple[str, Fn | None]] = field(default_factory=dict)

    def level(self, grade: str) -> int:
        """Grades are ordered: the best has the highest level."""
        return len(self.grade_names) - 1 - self.grade_names.index(grade)


def literal_value(node: s.Expr) -> object:
    """The Python value of a literal (a number, bool, string, date, or a negated number)."""
    if isinstance(node, s.Number):
        return node.value
    if isinstance(node, s.Bool):
        return node.value
    if isinstance(node, s.String):
        return node.value
    if isinstance(node, s.DateLit):
        return node.value
    if isinstance(node, s.Unary) and node.op == "-":
        inner = literal_value(node.operand)
        if isinstance(inner, Decimal):
            return -inner
    raise ValueError("not a literal")


def param_value(param: s.Param, period_start: date) -> object:
    """The value in force on the first day of the period."""
    chosen = param.values[0]
    for candidate in param.values:
        if candidate.since is None or candidate.since <= period_start:
            chosen = candidate
    return literal_value(chosen.value)


def link_key(node: s.Expr) -> tuple[str, str] | None:
    """(function, ruleset) when `node` is `members(R)`, `periods(R)`, … with R a name."""
    if (
        isinstance(node, s.Call)
        and node.function in LINK_FUNCTIONS
        and len(node.args) == 1
        and isinstance(node.args[0], s.Name)
    ):
        return node.function, node.args[0].name
    return None


def subject_frame(frame: Frame) -> SubjectFrame:
    if isinstance(frame, SubjectFrame):
        return frame
    raise TypeError("a subject-level value was read outside a subject frame")


def map_num(v: Val, op: Callable[[Num], Num]) -> Val:
    return Val(op(as_num(v.data)), v.err, v.cause)


def division_by_zero(line: int) -> Text:
    return Text(f"chia cho 0 (dòng {line})", f"division by zero (line {line})")
