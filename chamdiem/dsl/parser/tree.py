"""Tree building: lark trees into the frozen nodes of syntax.py, and the items into a Module."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from itertools import pairwise
from typing import Literal, cast

from lark import Token, Tree

from chamdiem.dsl import keywords
from chamdiem.dsl.diagnostics import Diagnostic, Text, error
from chamdiem.dsl.parser.lexer import date_value, number_value, string_value
from chamdiem.dsl.parser.spans import int_or_zero, token_span, tree_span
from chamdiem.dsl.periods import Period, PeriodError
from chamdiem.dsl.syntax import (
    Attribute,
    Band,
    BandOp,
    BandRow,
    Binary,
    BinaryOp,
    Bool,
    Call,
    Catalog,
    CatalogFile,
    CatalogRow,
    Conditional,
    Criterion,
    DateLit,
    Declaration,
    Exclusion,
    Expectation,
    Expr,
    Given,
    Grade,
    Grades,
    Group,
    GroupKind,
    HeaderClause,
    HeaderKey,
    Index,
    Input,
    Items,
    Keyword,
    Let,
    ListLit,
    Name,
    NotApplicable,
    Number,
    Param,
    ParamValue,
    Quota,
    RangeSpec,
    RankKey,
    RecordLit,
    Ruleset,
    Span,
    String,
    Test,
    TestSubject,
    Total,
    TypeKind,
    TypeSpec,
    Unary,
    Veto,
)

# ---------------------------------------------------------------- assembling the module


def assemble(
    items: list[Ruleset | Declaration], diagnostics: list[Diagnostic]
) -> tuple[Ruleset | None, list[Declaration]]:
    ruleset: Ruleset | None = None
    declarations: list[Declaration] = []
    for item in items:
        if not isinstance(item, Ruleset):
            declarations.append(item)
        elif ruleset is None:
            ruleset = item
        else:
            diagnostics.append(
                error(
                    "P008",
                    item.name_span,
                    "mỗi tệp chỉ có một khai báo `bộ tiêu chí`",
                    "a file holds exactly one `ruleset` header",
                    Text(
                        f"khai báo đầu tiên là `{ruleset.name}` (dòng {ruleset.span.line})",
                        f"the first one is `{ruleset.name}` (line {ruleset.span.line})",
                    ),
                )
            )
    return ruleset, declarations


# ---------------------------------------------------------------- lark tree -> syntax tree

_Child = Tree[Token] | Token | None


def _children(tree: Tree[Token]) -> list[_Child]:
    return cast("list[_Child]", list(tree.children))


def _tok(child: _Child) -> Token:
    if not isinstance(child, Token):
        raise TypeError(f"expected a token, found {child!r}")
    return child


def _tree(child: _Child) -> Tree[Token]:
    if not isinstance(child, Tree):
        raise TypeError(f"expected a tree, found {child!r}")
    return child


def _label(child: _Child) -> str | None:
    return None if child is None else string_value(str(_tok(child)))


_TYPE_KINDS = {
    terminal: cast(TypeKind, kind)
    for kind, terminal in keywords.TYPE_TERMINALS.items()
    if kind not in ("enum", "key")  # `one of` is followed by its choices: a rule of its own
}
_GROUP_KINDS: dict[str, GroupKind] = {"GROUP": "group", "BONUS": "bonus", "PENALTY": "penalty"}
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


def _name_of(token: Token) -> str:
    return _KEYWORD_NAMES.get(token.type, str(token))


class Builder:
    """Builds syntax nodes from the lark tree of one item. Reports what the grammar cannot
    say (argument order, whole-number precision, repeated header clauses)."""

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

    # ------------------------------------------------------------ items

    def item(self, tree: Tree[Token]) -> Ruleset | Declaration:
        (node,) = _children(tree)
        node = _tree(node)
        builders: dict[str, Callable[[Tree[Token]], Ruleset | Declaration]] = {
            "ruleset": self._ruleset,
            "input_decl": self._input_decl,
            "items_decl": self._items_decl,
            "catalog_decl": self._catalog_decl,
            "param_decl": self._param_decl,
            "let_decl": self._let_decl,
            "group_decl": self._group_decl,
            "total_decl": self._total_decl,
            "grades_decl": self._grades_decl,
            "veto_decl": self._veto_decl,
            "exclude_decl": self._exclude_decl,
            "quota_decl": self._quota_decl,
            "test_decl": self._test_decl,
        }
        return builders[str(node.data)](node)

    def _ruleset(self, tree: Tree[Token]) -> Ruleset:
        name, title, *clause_trees = _children(tree)
        clauses: list[HeaderClause] = []
        seen: dict[HeaderKey, HeaderClause] = {}
        for child in clause_trees:
            clause = self._clause(_tree(child))
            earlier = seen.get(clause.key)
            if earlier is not None:
                self.report(
                    "P009",
                    clause.span,
                    f"mục `{clause.key}` của bộ tiêu chí đã khai báo ở dòng {earlier.span.line}",
                    f"the ruleset's `{clause.key}` is already given on line {earlier.span.line}",
                )
            seen[clause.key] = clause
            clauses.append(clause)
        name_token = _tok(name)
        return Ruleset(
            str(name_token),
            string_value(str(_tok(title))),
            tuple(clauses),
            tree_span(tree),
            token_span(name_token),
        )

    def _clause(self, tree: Tree[Token]) -> HeaderClause:
        kind = str(tree.data)
        kids = _children(tree)
        span = tree_span(tree)
        if kind == "clause_subject":
            return HeaderClause("subject", str(_tok(kids[0]).type).lower(), span)
        if kind == "clause_period":
            return HeaderClause("period", str(_tok(kids[0]).type).lower(), span)
        if kind in ("clause_effective", "clause_until"):
            key: HeaderKey = "effective" if kind == "clause_effective" else "until"
            return HeaderClause(key, self._date(_tok(kids[0])), span)
        if kind == "clause_basis":
            return HeaderClause("basis", string_value(str(_tok(kids[0]))), span)
        if kind == "clause_precision":
            token = _tok(kids[0])
            if not str(token).isdigit():
                self.report(
                    "P010",
                    token_span(token),
                    f"`làm tròn` cần một số nguyên chữ số thập phân, không phải `{token}`",
                    f"`precision` needs a whole number of decimal places, not `{token}`",
                )
                return HeaderClause("precision", 2, span)
            return HeaderClause("precision", int(str(token)), span)
        if kind == "clause_scale":
            return HeaderClause("scale", self._number(_tok(kids[0])).value, span)
        if kind == "clause_applies":
            return HeaderClause("applies", self.expr(kids[0]), span)
        names = tuple(str(_tok(child)) for child in kids)
        return HeaderClause("needs", names, span)

    def _input_decl(self, tree: Tree[Token]) -> Input:
        (field_tree,) = _children(tree)
        return self._field(_tree(field_tree), tree_span(tree))

    def _field(self, tree: Tree[Token], span: Span | None = None) -> Input:
        name, type_tree, range_tree, default, label = _children(tree)
        name_token = _tok(name)
        return Input(
            str(name_token),
            self._type(_tree(type_tree)),
            None if range_tree is None else self._range(_tree(range_tree)),
            None if default is None else self.expr(default),
            _label(label),
            span or tree_span(tree),
            token_span(name_token),
        )

    def _type(self, tree: Tree[Token]) -> TypeSpec:
        kids = _children(tree)
        if tree.data == "enum_type":
            choices = tuple(string_value(str(_tok(child))) for child in kids)
            return TypeSpec("enum", choices, tree_span(tree))
        if tree.data == "key_type":
            return TypeSpec("key", (), tree_span(tree), str(_tok(kids[0])))
        return TypeSpec(_TYPE_KINDS[_tok(kids[0]).type], (), tree_span(tree))

    def _range(self, tree: Tree[Token]) -> RangeSpec:
        kids = _children(tree)
        span = tree_span(tree)
        if tree.data == "range_between":
            low = self._signed_number(_tree(kids[0]))
            high = self._signed_number(_tree(kids[1]))
            return RangeSpec(low, False, high, False, span)
        op = _tok(kids[0]).type
        bound = self._signed_number(_tree(kids[1]))
        if op in ("GT", "GE"):
            return RangeSpec(bound, op == "GT", None, False, span)
        return RangeSpec(None, False, bound, op == "LT", span)

    def _signed_number(self, tree: Tree[Token]) -> Number:
        minus, number = _children(tree)
        literal = self._number(_tok(number))
        if minus is None:
            return literal
        return Number(-literal.value, "-" + literal.text, literal.percent, tree_span(tree))

    def _items_decl(self, tree: Tree[Token]) -> Items:
        name, label, *members = _children(tree)
        name_token = _tok(name)
        trees = [_tree(child) for child in members]
        return Items(
            str(name_token),
            _label(label),
            tuple(self._field(child) for child in trees if child.data == "field"),
            tree_span(tree),
            token_span(name_token),
            tuple(self._let_decl(child) for child in trees if child.data == "let_decl"),
        )

    def _catalog_decl(self, tree: Tree[Token]) -> Catalog:
        name, label, key, *rest = _children(tree)
        rows_tree = rest.pop() if rest and _tree(rest[-1]).data != "field" else None
        name_token, key_token = _tok(name), _tok(key)
        files: list[CatalogFile] = []
        rows: list[CatalogRow] | None = None
        if rows_tree is not None:
            rows_node = _tree(rows_tree)
            if rows_node.data == "rows_files":
                for child in _children(rows_node):
                    file_tree = _tree(child)
                    path, since = _children(file_tree)
                    files.append(
                        CatalogFile(
                            string_value(str(_tok(path))),
                            None if since is None else self._date(_tok(since)),
                            tree_span(file_tree),
                        )
                    )
                if len(files) > 1:
                    for file in files:
                        if file.since is None:
                            self.report(
                                "P012",
                                file.span,
                                "danh mục có nhiều tệp dữ liệu: mỗi tệp cần `từ NGÀY`",
                                "a catalogue with several files needs `from DATE` after each",
                            )
            else:
                rows = []
                for child in _children(rows_node):
                    row_tree = _tree(child)
                    row_key, record = _children(row_tree)
                    key_tok = _tok(row_key)
                    rows.append(
                        CatalogRow(
                            string_value(str(key_tok)),
                            self.expr(record),
                            tree_span(row_tree),
                            token_span(key_tok),
                        )
                    )
        return Catalog(
            str(name_token),
            _label(label),
            str(key_token),
            tuple(self._field(_tree(child)) for child in rest),
            tuple(files),
            None if rows is None else tuple(rows),
            tree_span(tree),
            token_span(name_token),
            token_span(key_token),
        )

    def _param_decl(self, tree: Tree[Token]) -> Param:
        name, *value_trees, label = _children(tree)
        name_token = _tok(name)
        values: list[ParamValue] = []
        for child in value_trees:
            value_tree = _tree(child)
            expr, since = _children(value_tree)
            values.append(
                ParamValue(
                    self.expr(expr),
                    None if since is None else self._date(_tok(since)),
                    tree_span(value_tree),
                )
            )
        if len(values) > 1:
            for value in values:
                if value.since is None:
                    self.report(
                        "P012",
                        value.span,
                        "tham số có nhiều giá trị: mỗi giá trị cần `từ NGÀY`",
                        "a param with several values needs `from DATE` after each value",
                    )
        return Param(
            str(name_token),
            tuple(values),
            _label(label),
            tree_span(tree),
            token_span(name_token),
        )

    def _let_decl(self, tree: Tree[Token]) -> Let:
        name, expr = _children(tree)
        name_token = _tok(name)
        return Let(str(name_token), self.expr(expr), tree_span(tree), token_span(name_token))

    def _group_decl(self, tree: Tree[Token]) -> Group:
        kind, name, label, _max, maximum, rescale, *criteria = _children(tree)
        name_token = _tok(name)
        return Group(
            _GROUP_KINDS[_tok(kind).type],
            str(name_token),
            _label(label),
            self._number(_tok(maximum)),
            rescale is not None,
            tuple(self._criterion(_tree(child)) for child in criteria),
            tree_span(tree),
            token_span(name_token),
        )

    def _criterion(self, tree: Tree[Token]) -> Criterion:
        name, label, _max, maximum, applies, expr = _children(tree)
        name_token = _tok(name)
        return Criterion(
            str(name_token),
            _label(label),
            self._number(_tok(maximum)),
            None if applies is None else self.expr(applies),
            self.expr(expr),
            tree_span(tree),
            token_span(name_token),
        )

    def _total_decl(self, tree: Tree[Token]) -> Total:
        _total, expr = _children(tree)
        return Total(self.expr(expr), tree_span(tree))

    def _grades_decl(self, tree: Tree[Token]) -> Grades:
        grades: list[Grade] = []
        for child in _children(tree):
            row = _tree(child)
            kids = _children(row)
            name_token = _tok(kids[0])
            when = self.expr(kids[2]) if row.data == "grade_when" else None
            grades.append(
                Grade(
                    str(name_token),
                    _label(kids[1]),
                    when,
                    tree_span(row),
                    token_span(name_token),
                )
            )
        return Grades(tuple(grades), tree_span(tree))

    def _veto_decl(self, tree: Tree[Token]) -> Veto:
        reason, when, _grade, cap = _children(tree)
        return Veto(
            string_value(str(_tok(reason))),
            self.expr(when),
            self.expr(cap),
            tree_span(tree),
        )

    def _exclude_decl(self, tree: Tree[Token]) -> Exclusion:
        reason, when = _children(tree)
        return Exclusion(string_value(str(_tok(reason))), self.expr(when), tree_span(tree))

    def _quota_decl(self, tree: Tree[Token]) -> Quota:
        grade, share, count, per, rank, demote, rounding = _children(tree)
        keys: tuple[Name, ...] = ()
        if per is not None:
            keys = tuple(
                self._name_token(_tok(_children(_tree(key))[0])) for key in _children(_tree(per))
            )
        ranks: list[RankKey] = []
        if rank is not None:
            for child in _children(_tree(rank)):
                key_tree = _tree(child)
                expr, order = _children(key_tree)
                descending = order is None or _tok(order).type == "DESC"
                ranks.append(RankKey(self.expr(expr), descending, tree_span(key_tree)))
        mode: Literal["down", "nearest"] = "down"
        if rounding is not None and _tok(_children(_tree(rounding))[0]).type == "ROUND_NEAREST":
            mode = "nearest"
        return Quota(
            self._name_token(_tok(grade)),
            self.expr(share),
            self.expr(count),
            keys,
            tuple(ranks),
            self._name_token(_tok(demote)),
            mode,
            tree_span(tree),
        )

    def _test_decl(self, tree: Tree[Token]) -> Test:
        name, *parts = _children(tree)
        givens: list[Given] = []
        subjects: list[TestSubject] = []
        expects: list[Expectation] = []
        period: str | None = None
        period_span: Span | None = None
        for child in parts:
            if child is None:  # no `period` line
                continue
            part = _tree(child)
            if part.data == "test_period":
                period, period_span = self._test_period(part)
            elif part.data == "given_line":
                givens.extend(self._given_line(part))
            elif part.data == "test_subject":
                subject_name, *lines = _children(part)
                subject_token = _tok(subject_name)
                subject_givens = [g for line in lines for g in self._given_line(_tree(line))]
                subjects.append(
                    TestSubject(
                        str(subject_token),
                        tuple(subject_givens),
                        tree_span(part),
                        token_span(subject_token),
                    )
                )
            else:
                expects.extend(self._expect_line(part))
        return Test(
            string_value(str(_tok(name))),
            tuple(givens),
            tuple(subjects),
            tuple(expects),
            tree_span(tree),
            period,
            period_span,
        )

    def _test_period(self, tree: Tree[Token]) -> tuple[str | None, Span]:
        """`period 2026-07` (`kỳ 2026-Q3`, `kỳ 2026`): the period's code, or None after
        reporting a period written wrongly."""
        tokens = [_tok(child) for child in _children(tree) if child is not None]
        span = token_span(tokens[0]).to(token_span(tokens[-1]))
        text = "".join(str(token) for token in tokens)
        apart = any(int_or_zero(a.end_pos) != int_or_zero(b.start_pos) for a, b in pairwise(tokens))
        if not apart:
            try:
                return Period.parse(text).code, span
            except PeriodError:
                pass
        self.report(
            "P014",
            span,
            f"kỳ không hợp lệ: `{text}`; viết năm (2026), quý (2026-Q3) hoặc tháng (2026-07), "
            "không có dấu cách",
            f"invalid period `{text}`; write a year (2026), a quarter (2026-Q3) or a month "
            "(2026-07), without spaces",
        )
        return None, span

    def _given_line(self, tree: Tree[Token]) -> list[Given]:
        givens: list[Given] = []
        for child in _children(tree):
            given = _tree(child)
            if given.data == "given_link":
                # `given subordinates(cong_chuc_quy) = [...]`: stand-in results of a rule set
                # this one needs, so that its tests run without the other rule set's data.
                function, ruleset, value = _children(given)
                function_token, ruleset_token = _tok(function), _tok(ruleset)
                givens.append(
                    Given(
                        f"{function_token}({ruleset_token})",
                        self.expr(value),
                        tree_span(given),
                        token_span(function_token).to(token_span(ruleset_token)),
                    )
                )
                continue
            name, value = _children(given)
            name_token = _tok(name)
            givens.append(
                Given(
                    _name_of(name_token),
                    self.expr(value),
                    tree_span(given),
                    token_span(name_token),
                )
            )
        return givens

    def _expect_line(self, tree: Tree[Token]) -> list[Expectation]:
        subject, *items = _children(tree)
        who = None if subject is None else str(_tok(subject))
        expectations: list[Expectation] = []
        for child in items:
            item = _tree(child)
            kids = _children(item)
            name_token = _tok(kids[0])
            span = tree_span(item)
            if item.data == "expect_flag":
                expectations.append(
                    Expectation(who, str(name_token), None, True, span, token_span(name_token))
                )
            elif item.data == "expect_rounded":
                # `expect round(r, 2) = 0.83`: the value rounded as the author's sheet does
                _, target, places, value, within = kids
                target_token, places_token = _tok(target), _tok(places)
                if str(name_token) != "round" or not str(places_token).isdigit():
                    self.report(
                        "P015",
                        span,
                        "trong `kỳ vọng` chỉ viết được một tên hoặc `round(TÊN, N)` "
                        "(N là số chữ số thập phân)",
                        "`expect` takes a name or `round(NAME, N)` (N decimal places)",
                    )
                expectations.append(
                    Expectation(
                        who,
                        _name_of(target_token),
                        self.expr(value),
                        False,
                        span,
                        token_span(target_token),
                        None if within is None else self.expr(within),
                        int(str(places_token)) if str(places_token).isdigit() else 0,
                    )
                )
            else:
                within = kids[2] if len(kids) > 2 else None
                expectations.append(
                    Expectation(
                        who,
                        _name_of(name_token),
                        self.expr(kids[1]),
                        False,
                        span,
                        token_span(name_token),
                        None if within is None else self.expr(within),
                    )
                )
        return expectations

    # ------------------------------------------------------------ expressions

    def expr(self, child: _Child) -> Expr:
        if isinstance(child, Tree):
            return self._expressions[str(child.data)](child)
        raise TypeError(f"expected an expression, found {child!r}")

    def _conditional(self, tree: Tree[Token]) -> Expr:
        condition, then, otherwise = _children(tree)
        return Conditional(
            self.expr(condition), self.expr(then), self.expr(otherwise), tree_span(tree)
        )

    def _binary(self, tree: Tree[Token]) -> Expr:
        # Operators associate to the left, so `a + b + … + z` nests down the left side:
        # walk that spine in a loop, so that a long sum does not exhaust Python's stack.
        spine = [tree]
        while True:
            left = _children(spine[-1])[0]
            if not (isinstance(left, Tree) and left.data == "binary"):
                break
            spine.append(left)
        result = self.expr(left)
        for node in reversed(spine):
            _left, op, right = _children(node)
            op_token = _tok(op)
            result = Binary(
                _BINARY_OPS[op_token.type],
                result,
                self.expr(right),
                tree_span(node),
                token_span(op_token),
            )
        return result

    def _unary(self, tree: Tree[Token]) -> Expr:
        op, operand = _children(tree)
        return Unary(
            "-" if _tok(op).type == "MINUS" else "not", self.expr(operand), tree_span(tree)
        )

    def _attribute(self, tree: Tree[Token]) -> Expr:
        target, attr = _children(tree)
        (name,) = _children(_tree(attr))
        name_token = _tok(name)
        return Attribute(
            self.expr(target), _name_of(name_token), tree_span(tree), token_span(name_token)
        )

    def _index(self, tree: Tree[Token]) -> Expr:
        target, key = _children(tree)
        return Index(self.expr(target), self.expr(key), tree_span(tree))

    def _call(self, tree: Tree[Token]) -> Expr:
        callee, arg_list = _children(tree)
        (function,) = _children(_tree(callee))
        function_token = _tok(function)
        args: list[Expr] = []
        named: list[Keyword] = []
        where: Expr | None = None
        arg_nodes = [] if arg_list is None else _children(_tree(arg_list))
        for node in arg_nodes:
            arg = _tree(node)
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
                value, _where, condition = _children(arg)
                args.append(self.expr(value))
                where = self.expr(condition)
            else:
                args.append(self.expr(arg))
        return Call(
            _name_of(function_token),
            tuple(args),
            tuple(named),
            where,
            tree_span(tree),
            token_span(function_token),
        )

    def _keyword(self, tree: Tree[Token]) -> Keyword:
        name, value = _children(tree)
        return Keyword(str(_tok(name)), self.expr(value), tree_span(tree))

    def _number_atom(self, tree: Tree[Token]) -> Expr:
        (token,) = _children(tree)
        return self._number(_tok(token))

    def _string_atom(self, tree: Tree[Token]) -> Expr:
        (token,) = _children(tree)
        return String(string_value(str(_tok(token))), tree_span(tree))

    def _date_atom(self, tree: Tree[Token]) -> Expr:
        (token,) = _children(tree)
        return DateLit(self._date(_tok(token)), tree_span(tree))

    def _boolean(self, tree: Tree[Token]) -> Expr:
        (token,) = _children(tree)
        return Bool(_tok(token).type == "TRUE", tree_span(tree))

    def _name_atom(self, tree: Tree[Token]) -> Expr:
        (token,) = _children(tree)
        return self._name_token(_tok(token))

    def _list(self, tree: Tree[Token]) -> Expr:
        items = [self.expr(child) for child in _children(tree) if child is not None]
        return ListLit(tuple(items), tree_span(tree))

    def _record(self, tree: Tree[Token]) -> Expr:
        fields = []
        for child in _children(tree):
            if child is None:
                continue
            attr, value = _children(_tree(child))
            (name,) = _children(_tree(attr))
            fields.append(Keyword(_name_of(_tok(name)), self.expr(value), tree_span(_tree(child))))
        return RecordLit(tuple(fields), tree_span(tree))

    def _band(self, tree: Tree[Token]) -> Expr:
        subject, *rows, otherwise = _children(tree)
        band_rows: list[BandRow] = []
        for child in rows:
            row = _tree(child)
            kids = _children(row)
            if row.data == "band_compare":
                op, bound, value = kids
                band_rows.append(
                    BandRow(
                        _BAND_OPS[_tok(op).type],
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
            (value,) = _children(_tree(otherwise))
            default = self.expr(value)
        return Band(self.expr(subject), tuple(band_rows), default, tree_span(tree))

    # ------------------------------------------------------------ literals

    def _name_token(self, token: Token) -> Name:
        return Name(_name_of(token), token_span(token))

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
