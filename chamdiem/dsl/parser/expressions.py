"""Expression building: lark trees of formulas into the expression nodes of syntax.py
(`ExprBuilder`, which tree.py's `Builder` extends to whole items), and the small helpers both
read lark trees with.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import cast

from lark import Token, Tree

from chamdiem.dsl.diagnostics import Diagnostic, Text, error
from chamdiem.dsl.parser.lexer import date_value, number_value, string_value
from chamdiem.dsl.parser.spans import token_span, tree_span
from chamdiem.dsl.syntax import (
    Attribute,
    Band,
    BandOp,
    BandRow,
    Binary,
    BinaryOp,
    Bool,
    Call,
    Conditional,
    DateLit,
    Expr,
    Index,
    Keyword,
    ListLit,
    Name,
    NotApplicable,
    Number,
    RecordLit,
    Span,
    String,
    Unary,
)

Child = Tree[Token] | Token | None


def child_nodes(tree: Tree[Token]) -> list[Child]:
    return cast("list[Child]", list(tree.children))


def as_token(child: Child) -> Token:
    if not isinstance(child, Token):
        raise TypeError(f"expected a token, found {child!r}")
    return child


def as_tree(child: Child) -> Tree[Token]:
    if not isinstance(child, Tree):
        raise TypeError(f"expected a tree, found {child!r}")
    return child


_BINARY_OPS: dict[str, BinaryOp] = {
    "PLUS": "+",
    "MINUS": "-",
    "STAR": "*",
    "SLASH": "/",
    "EQEQ": "==",
    "NE": "!=",
    "LT": "<",
    "LE": "<=",
    "GT": ">",
    "GE": ">=",
    "AND": "and",
    "OR": "or",
}
_BAND_OPS: dict[str, BandOp] = {"GE": ">=", "GT": ">", "LE": "<=", "LT": "<"}
# Keywords that also serve as names: `total`, `grade` in expressions, `unit` as a grouping
# key or a test given, `max`/`count` as functions. Their English spelling is the name.
_KEYWORD_NAMES = {
    "TOTAL": "total",
    "GRADE": "grade",
    "UNIT": "unit",
    "MAX": "max",
    "COUNT_TYPE": "count",
}


def name_of(token: Token) -> str:
    return _KEYWORD_NAMES.get(token.type, str(token))


class ExprBuilder:
    """Builds expression nodes from lark trees, and reports what the grammar cannot say
    (argument order)."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        self._expressions: dict[str, Callable[[Tree[Token]], Expr]] = {
            "conditional": self._conditional,
            "binary": self._binary,
            "unary": self._unary,
            "attribute": self._attribute,
            "index": self._index,
            "call": self._call,
            "number": self._number_atom,
            "string": self._string_atom,
            "date": self._date_atom,
            "boolean": self._boolean,
            "not_applicable": lambda t: NotApplicable(tree_span(t)),
            "name": self._name_atom,
            "list": self._list,
            "record": self._record,
            "band": self._band,
        }

    def report(self, code: str, span: Span, vi: str, en: str, *hints: Text) -> None:
        self.diagnostics.append(error(code, span, vi, en, *hints))

    # ------------------------------------------------------------ expressions

    def expr(self, child: Child) -> Expr:
        if isinstance(child, Tree):
            return self._expressions[str(child.data)](child)
        raise TypeError(f"expected an expression, found {child!r}")

    def _conditional(self, tree: Tree[Token]) -> Expr:
        condition, then, otherwise = child_nodes(tree)
        return Conditional(
            self.expr(condition), self.expr(then), self.expr(otherwise), tree_span(tree)
        )

    def _binary(self, tree: Tree[Token]) -> Expr:
        # Operators associate to the left, so `a + b + … + z` nests down the left side:
        # walk that spine in a loop, so that a long sum does not exhaust Python's stack.
        spine = [tree]
        while True:
            left = child_nodes(spine[-1])[0]
            if not (isinstance(left, Tree) and left.data == "binary"):
                break
            spine.append(left)
        result = self.expr(left)
        for node in reversed(spine):
            _left, op, right = child_nodes(node)
            op_token = as_token(op)
            result = Binary(
                _BINARY_OPS[op_token.type],
                result,
                self.expr(right),
                tree_span(node),
                token_span(op_token),
            )
        return result

    def _unary(self, tree: Tree[Token]) -> Expr:
        op, operand = child_nodes(tree)
        return Unary(
            "-" if as_token(op).type == "MINUS" else "not", self.expr(operand), tree_span(tree)
        )

    def _attribute(self, tree: Tree[Token]) -> Expr:
        target, attr = child_nodes(tree)
        (name,) = child_nodes(as_tree(attr))
        name_token = as_token(name)
        return Attribute(
            self.expr(target), name_of(name_token), tree_span(tree), token_span(name_token)
        )

    def _index(self, tree: Tree[Token]) -> Expr:
        target, key = child_nodes(tree)
        return Index(self.expr(target), self.expr(key), tree_span(tree))

    def _call(self, tree: Tree[Token]) -> Expr:
        callee, arg_list = child_nodes(tree)
        (function,) = child_nodes(as_tree(callee))
        function_token = as_token(function)
        args: list[Expr] = []
        named: list[Keyword] = []
        where: Expr | None = None
        arg_nodes = [] if arg_list is None else child_nodes(as_tree(arg_list))
        for node in arg_nodes:
            arg = as_tree(node)
            if arg.data == "keyword_arg":
                named.append(self._keyword(arg))
                continue
            if named:
                self.report(
                    "P011",
                    tree_span(arg),
                    "đối số theo vị trí phải đứng trước các đối số có tên (`tên: giá trị`)",
                    "positional arguments come before named ones (`name: value`)",
                )
            if where is not None:
                self.report(
                    "P011",
                    tree_span(arg),
                    "`với` (where) phải đứng sau đối số theo vị trí cuối cùng",
                    "`where` must follow the last positional argument",
                )
            if arg.data == "where_arg":
                value, _where, condition = child_nodes(arg)
                args.append(self.expr(value))
                where = self.expr(condition)
            else:
                args.append(self.expr(arg))
        return Call(
            name_of(function_token),
            tuple(args),
            tuple(named),
            where,
            tree_span(tree),
            token_span(function_token),
        )

    def _keyword(self, tree: Tree[Token]) -> Keyword:
        name, value = child_nodes(tree)
        return Keyword(str(as_token(name)), self.expr(value), tree_span(tree))

    def _number_atom(self, tree: Tree[Token]) -> Expr:
        (token,) = child_nodes(tree)
        return self._number(as_token(token))

    def _string_atom(self, tree: Tree[Token]) -> Expr:
        (token,) = child_nodes(tree)
        return String(string_value(str(as_token(token))), tree_span(tree))

    def _date_atom(self, tree: Tree[Token]) -> Expr:
        (token,) = child_nodes(tree)
        return DateLit(self._date(as_token(token)), tree_span(tree))

    def _boolean(self, tree: Tree[Token]) -> Expr:
        (token,) = child_nodes(tree)
        return Bool(as_token(token).type == "TRUE", tree_span(tree))

    def _name_atom(self, tree: Tree[Token]) -> Expr:
        (token,) = child_nodes(tree)
        return self._name_token(as_token(token))

    def _list(self, tree: Tree[Token]) -> Expr:
        items = [self.expr(child) for child in child_nodes(tree) if child is not None]
        return ListLit(tuple(items), tree_span(tree))

    def _record(self, tree: Tree[Token]) -> Expr:
        fields = []
        for child in child_nodes(tree):
            if child is None:
                continue
            attr, value = child_nodes(as_tree(child))
            (name,) = child_nodes(as_tree(attr))
            fields.append(
                Keyword(name_of(as_token(name)), self.expr(value), tree_span(as_tree(child)))
            )
        return RecordLit(tuple(fields), tree_span(tree))

    def _band(self, tree: Tree[Token]) -> Expr:
        subject, *rows, otherwise = child_nodes(tree)
        band_rows: list[BandRow] = []
        for child in rows:
            row = as_tree(child)
            kids = child_nodes(row)
            if row.data == "band_compare":
                op, bound, value = kids
                band_rows.append(
                    BandRow(
                        _BAND_OPS[as_token(op).type],
                        self.expr(bound),
                        None,
                        self.expr(value),
                        tree_span(row),
                    )
                )
            else:
                low, high, value = kids
                band_rows.append(
                    BandRow(
                        "..",
                        self.expr(low),
                        self.expr(high),
                        self.expr(value),
                        tree_span(row),
                    )
                )
        default = None
        if otherwise is not None:
            (value,) = child_nodes(as_tree(otherwise))
            default = self.expr(value)
        return Band(self.expr(subject), tuple(band_rows), default, tree_span(tree))

    # ------------------------------------------------------------ literals

    def _name_token(self, token: Token) -> Name:
        return Name(name_of(token), token_span(token))

    def _number(self, token: Token) -> Number:
        text = str(token)
        value = number_value(text)  # None was reported by check_literal (P006)
        return Number(
            value if value is not None else Decimal(0),
            text,
            text.endswith("%"),
            token_span(token),
        )

    def _date(self, token: Token) -> date:
        value = date_value(str(token))  # None was reported by check_literal (P005)
        return value if value is not None else date.min
