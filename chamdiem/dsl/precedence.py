"""How strongly each operator binds, as in grammar.lark: the one table the formatter and the
Vietnamese reading of expressions (platform/expr_words.py) put parentheses by.

Levels, weakest first: if-then-else 0, or 1, and 2, not 3, comparison 4, + - 5, * / 6,
unary minus 7, call and attribute 8, atoms 9.
"""

from __future__ import annotations

from chamdiem.dsl import syntax as s

BINARY_LEVELS: dict[str, int] = {
    "or": 1,
    "and": 2,
    "==": 4,
    "!=": 4,
    "<": 4,
    "<=": 4,
    ">": 4,
    ">=": 4,
    "+": 5,
    "-": 5,
    "*": 6,
    "/": 6,
}
CONDITIONAL = 0
NOT = 3
COMPARISON = 4
SUM = 5  # the level of band subjects, bounds and values
PRODUCT = 6
NEGATION = 7
POSTFIX = 8
ATOM = 9


def level(expr: s.Expr) -> int:
    """The binding strength of an expression's outermost operator."""
    if isinstance(expr, s.Conditional):
        return CONDITIONAL
    if isinstance(expr, s.Binary):
        return BINARY_LEVELS[expr.op]
    if isinstance(expr, s.Unary):
        return NOT if expr.op == "not" else NEGATION
    if isinstance(expr, s.Attribute | s.Call | s.Index):
        return POSTFIX
    return ATOM


def operand_levels(expr: s.Binary) -> tuple[int, int]:
    """The least level of the left and right operand that needs no parentheses: comparisons
    do not chain (both operands are sums), the others associate to the left."""
    found = BINARY_LEVELS[expr.op]
    if found == COMPARISON:
        return SUM, SUM
    return found, found + 1
