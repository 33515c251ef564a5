"""The resolved program: what the checker learnt about a rule file, for the passes after it.

A checked file is more than "no errors": the checker has found every declared name, the type
of every expression, which calls are aggregates and which list each aggregate folds. Later
passes read these facts here instead of deriving them a second time (the compiler reads the
list of each aggregate). Expressions and calls are keyed by their position in the source,
which the frozen syntax nodes carry: no two calls start at the same offset, and no two
expressions of the same kind share a span.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from chamdiem.dsl import syntax as s
from chamdiem.dsl.catalogs import CatalogTable
from chamdiem.dsl.check.scope import Symbol
from chamdiem.dsl.check.types import Type
from chamdiem.dsl.diagnostics import Diagnostic

# What a call does: a function of single values, an aggregate over an items list (or a
# list of a needed rule set's results), a count or sum over a quota's cohort of subjects, or a
# link to a needed rule set's results.
CallKind = Literal["scalar", "aggregate", "cohort", "link"]
ExprKey = tuple[str, int, int]


def expr_key(node: s.Expr) -> ExprKey:
    return (type(node).__name__, node.span.start, node.span.end)


@dataclass(frozen=True, slots=True)
class Resolved:
    module: s.Module
    diagnostics: list[Diagnostic]
    symbols: Mapping[str, Symbol]
    types: Mapping[ExprKey, Type]
    calls: Mapping[int, CallKind]  # by the call's start offset
    folds: Mapping[int, str | None]  # aggregates: the list each folds ("members(R)" for links)
    # The rows of each catalogue (catalogs.py), part of the rule version.
    catalogs: Mapping[str, CatalogTable] = field(default_factory=dict)

    def type_of(self, node: s.Expr) -> Type | None:
        return self.types.get(expr_key(node))

    def call_kind(self, call: s.Call) -> CallKind | None:
        return self.calls.get(call.span.start)

    def folded_list(self, call: s.Call) -> str | None:
        """The list an aggregate call folds; None for other calls and cohort aggregates."""
        return self.folds.get(call.span.start)
