"""Tree building: lark trees into the frozen nodes of syntax.py, and the items into a Module.

`Builder` builds each item; the expressions in it are built by expressions.py's `ExprBuilder`.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise
from typing import Literal, cast

from lark import Token, Tree

from chamdiem.dsl import keywords
from chamdiem.dsl.diagnostics import Diagnostic, Text, error
from chamdiem.dsl.parser.expressions import (
    Child,
    ExprBuilder,
    as_token,
    as_tree,
    child_nodes,
    name_of,
)
from chamdiem.dsl.parser.lexer import string_value
from chamdiem.dsl.parser.spans import int_or_zero, token_span, tree_span
from chamdiem.dsl.periods import Period, PeriodError
from chamdiem.dsl.syntax import (
    Catalog,
    CatalogFile,
    CatalogRow,
    Criterion,
    Declaration,
    Exclusion,
    Expectation,
    Given,
    Grade,
    Grades,
    Group,
    GroupKind,
    HeaderClause,
    HeaderKey,
    Input,
    Items,
    Let,
    Name,
    Number,
    Param,
    ParamValue,
    Quota,
    RangeSpec,
    RankKey,
    Ruleset,
    Span,
    Test,
    TestSubject,
    Total,
    TypeKind,
    TypeSpec,
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


def _label(child: Child) -> str | None:
    return None if child is None else string_value(str(as_token(child)))


_TYPE_KINDS = {
    terminal: cast(TypeKind, kind)
    for kind, terminal in keywords.TYPE_TERMINALS.items()
    if kind not in ("enum", "key")  # `one of` is followed by its choices: a rule of its own
}
_GROUP_KINDS: dict[str, GroupKind] = {"GROUP": "group", "BONUS": "bonus", "PENALTY": "penalty"}


class Builder(ExprBuilder):
    """Builds syntax nodes from the lark tree of one item. Reports what the grammar cannot
    say (argument order, whole-number precision, repeated header clauses)."""

    # ------------------------------------------------------------ items

    def item(self, tree: Tree[Token]) -> Ruleset | Declaration:
        (node,) = child_nodes(tree)
        node = as_tree(node)
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
        name, title, *clause_trees = child_nodes(tree)
        clauses: list[HeaderClause] = []
        seen: dict[HeaderKey, HeaderClause] = {}
        for child in clause_trees:
            clause = self._clause(as_tree(child))
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
        name_token = as_token(name)
        return Ruleset(
            str(name_token),
            string_value(str(as_token(title))),
            tuple(clauses),
            tree_span(tree),
            token_span(name_token),
        )

    def _clause(self, tree: Tree[Token]) -> HeaderClause:
        kind = str(tree.data)
        kids = child_nodes(tree)
        span = tree_span(tree)
        if kind == "clause_subject":
            return HeaderClause("subject", str(as_token(kids[0]).type).lower(), span)
        if kind == "clause_period":
            return HeaderClause("period", str(as_token(kids[0]).type).lower(), span)
        if kind in ("clause_effective", "clause_until"):
            key: HeaderKey = "effective" if kind == "clause_effective" else "until"
            return HeaderClause(key, self._date(as_token(kids[0])), span)
        if kind == "clause_basis":
            return HeaderClause("basis", string_value(str(as_token(kids[0]))), span)
        if kind == "clause_precision":
            token = as_token(kids[0])
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
            return HeaderClause("scale", self._number(as_token(kids[0])).value, span)
        if kind == "clause_applies":
            return HeaderClause("applies", self.expr(kids[0]), span)
        names = tuple(str(as_token(child)) for child in kids)
        return HeaderClause("needs", names, span)

    def _input_decl(self, tree: Tree[Token]) -> Input:
        (field_tree,) = child_nodes(tree)
        return self._field(as_tree(field_tree), tree_span(tree))

    def _field(self, tree: Tree[Token], span: Span | None = None) -> Input:
        name, type_tree, range_tree, default, label = child_nodes(tree)
        name_token = as_token(name)
        return Input(
            str(name_token),
            self._type(as_tree(type_tree)),
            None if range_tree is None else self._range(as_tree(range_tree)),
            None if default is None else self.expr(default),
            _label(label),
            span or tree_span(tree),
            token_span(name_token),
        )

    def _type(self, tree: Tree[Token]) -> TypeSpec:
        kids = child_nodes(tree)
        if tree.data == "enum_type":
            choices = tuple(string_value(str(as_token(child))) for child in kids)
            return TypeSpec("enum", choices, tree_span(tree))
        if tree.data == "key_type":
            return TypeSpec("key", (), tree_span(tree), str(as_token(kids[0])))
        return TypeSpec(_TYPE_KINDS[as_token(kids[0]).type], (), tree_span(tree))

    def _range(self, tree: Tree[Token]) -> RangeSpec:
        kids = child_nodes(tree)
        span = tree_span(tree)
        if tree.data == "range_between":
            low = self._signed_number(as_tree(kids[0]))
            high = self._signed_number(as_tree(kids[1]))
            return RangeSpec(low, False, high, False, span)
        op = as_token(kids[0]).type
        bound = self._signed_number(as_tree(kids[1]))
        if op in ("GT", "GE"):
            return RangeSpec(bound, op == "GT", None, False, span)
        return RangeSpec(None, False, bound, op == "LT", span)

    def _signed_number(self, tree: Tree[Token]) -> Number:
        minus, number = child_nodes(tree)
        literal = self._number(as_token(number))
        if minus is None:
            return literal
        return Number(-literal.value, "-" + literal.text, literal.percent, tree_span(tree))

    def _items_decl(self, tree: Tree[Token]) -> Items:
        name, label, *members = child_nodes(tree)
        name_token = as_token(name)
        trees = [as_tree(child) for child in members]
        return Items(
            str(name_token),
            _label(label),
            tuple(self._field(child) for child in trees if child.data == "field"),
            tree_span(tree),
            token_span(name_token),
            tuple(self._let_decl(child) for child in trees if child.data == "let_decl"),
        )

    def _catalog_decl(self, tree: Tree[Token]) -> Catalog:
        name, label, key, *rest = child_nodes(tree)
        rows_tree = rest.pop() if rest and as_tree(rest[-1]).data != "field" else None
        name_token, key_token = as_token(name), as_token(key)
        files: list[CatalogFile] = []
        rows: list[CatalogRow] | None = None
        if rows_tree is not None:
            rows_node = as_tree(rows_tree)
            if rows_node.data == "rows_files":
                for child in child_nodes(rows_node):
                    file_tree = as_tree(child)
                    path, since = child_nodes(file_tree)
                    files.append(
                        CatalogFile(
                            string_value(str(as_token(path))),
                            None if since is None else self._date(as_token(since)),
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
                for child in child_nodes(rows_node):
                    row_tree = as_tree(child)
                    row_key, record = child_nodes(row_tree)
                    key_tok = as_token(row_key)
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
            tuple(self._field(as_tree(child)) for child in rest),
            tuple(files),
            None if rows is None else tuple(rows),
            tree_span(tree),
            token_span(name_token),
            token_span(key_token),
        )

    def _param_decl(self, tree: Tree[Token]) -> Param:
        name, *value_trees, label = child_nodes(tree)
        name_token = as_token(name)
        values: list[ParamValue] = []
        for child in value_trees:
            value_tree = as_tree(child)
            expr, since = child_nodes(value_tree)
            values.append(
                ParamValue(
                    self.expr(expr),
                    None if since is None else self._date(as_token(since)),
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
        name, expr = child_nodes(tree)
        name_token = as_token(name)
        return Let(str(name_token), self.expr(expr), tree_span(tree), token_span(name_token))

    def _group_decl(self, tree: Tree[Token]) -> Group:
        kind, name, label, _max, maximum, rescale, *criteria = child_nodes(tree)
        name_token = as_token(name)
        return Group(
            _GROUP_KINDS[as_token(kind).type],
            str(name_token),
            _label(label),
            self._number(as_token(maximum)),
            rescale is not None,
            tuple(self._criterion(as_tree(child)) for child in criteria),
            tree_span(tree),
            token_span(name_token),
        )

    def _criterion(self, tree: Tree[Token]) -> Criterion:
        name, label, _max, maximum, applies, expr = child_nodes(tree)
        name_token = as_token(name)
        return Criterion(
            str(name_token),
            _label(label),
            self._number(as_token(maximum)),
            None if applies is None else self.expr(applies),
            self.expr(expr),
            tree_span(tree),
            token_span(name_token),
        )

    def _total_decl(self, tree: Tree[Token]) -> Total:
        _total, expr = child_nodes(tree)
        return Total(self.expr(expr), tree_span(tree))

    def _grades_decl(self, tree: Tree[Token]) -> Grades:
        grades: list[Grade] = []
        for child in child_nodes(tree):
            row = as_tree(child)
            kids = child_nodes(row)
            name_token = as_token(kids[0])
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
        reason, when, _grade, cap = child_nodes(tree)
        return Veto(
            string_value(str(as_token(reason))),
            self.expr(when),
            self.expr(cap),
            tree_span(tree),
        )

    def _exclude_decl(self, tree: Tree[Token]) -> Exclusion:
        reason, when = child_nodes(tree)
        return Exclusion(string_value(str(as_token(reason))), self.expr(when), tree_span(tree))

    def _quota_decl(self, tree: Tree[Token]) -> Quota:
        grade, share, count, per, rank, demote, rounding = child_nodes(tree)
        keys: tuple[Name, ...] = ()
        if per is not None:
            keys = tuple(
                self._name_token(as_token(child_nodes(as_tree(key))[0]))
                for key in child_nodes(as_tree(per))
            )
        ranks: list[RankKey] = []
        if rank is not None:
            for child in child_nodes(as_tree(rank)):
                key_tree = as_tree(child)
                expr, order = child_nodes(key_tree)
                descending = order is None or as_token(order).type == "DESC"
                ranks.append(RankKey(self.expr(expr), descending, tree_span(key_tree)))
        mode: Literal["down", "nearest"] = "down"
        if (
            rounding is not None
            and as_token(child_nodes(as_tree(rounding))[0]).type == "ROUND_NEAREST"
        ):
            mode = "nearest"
        return Quota(
            self._name_token(as_token(grade)),
            self.expr(share),
            self.expr(count),
            keys,
            tuple(ranks),
            self._name_token(as_token(demote)),
            mode,
            tree_span(tree),
        )

    def _test_decl(self, tree: Tree[Token]) -> Test:
        name, *parts = child_nodes(tree)
        givens: list[Given] = []
        subjects: list[TestSubject] = []
        expects: list[Expectation] = []
        period: str | None = None
        period_span: Span | None = None
        for child in parts:
            if child is None:  # no `period` line
                continue
            part = as_tree(child)
            if part.data == "test_period":
                period, period_span = self._test_period(part)
            elif part.data == "given_line":
                givens.extend(self._given_line(part))
            elif part.data == "test_subject":
                subject_name, *lines = child_nodes(part)
                subject_token = as_token(subject_name)
                subject_givens = [g for line in lines for g in self._given_line(as_tree(line))]
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
            string_value(str(as_token(name))),
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
        tokens = [as_token(child) for child in child_nodes(tree) if child is not None]
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
        for child in child_nodes(tree):
            given = as_tree(child)
            if given.data == "given_link":
                # `given subordinates(cong_chuc_quy) = [...]`: stand-in results of a rule set
                # this one needs, so that its tests run without the other rule set's data.
                function, ruleset, value = child_nodes(given)
                function_token, ruleset_token = as_token(function), as_token(ruleset)
                givens.append(
                    Given(
                        f"{function_token}({ruleset_token})",
                        self.expr(value),
                        tree_span(given),
                        token_span(function_token).to(token_span(ruleset_token)),
                    )
                )
                continue
            name, value = child_nodes(given)
            name_token = as_token(name)
            givens.append(
                Given(
                    name_of(name_token),
                    self.expr(value),
                    tree_span(given),
                    token_span(name_token),
                )
            )
        return givens

    def _expect_line(self, tree: Tree[Token]) -> list[Expectation]:
        subject, *items = child_nodes(tree)
        who = None if subject is None else str(as_token(subject))
        expectations: list[Expectation] = []
        for child in items:
            item = as_tree(child)
            kids = child_nodes(item)
            name_token = as_token(kids[0])
            span = tree_span(item)
            if item.data == "expect_flag":
                expectations.append(
                    Expectation(who, str(name_token), None, True, span, token_span(name_token))
                )
            elif item.data == "expect_rounded":
                # `expect round(r, 2) = 0.83`: the value rounded as the author's sheet does
                _, target, places, value, within = kids
                target_token, places_token = as_token(target), as_token(places)
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
                        name_of(target_token),
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
                        name_of(name_token),
                        self.expr(kids[1]),
                        False,
                        span,
                        token_span(name_token),
                        None if within is None else self.expr(within),
                    )
                )
        return expectations
