"""From a checked syntax tree to column functions.

Each expression becomes a closure `Frame -> Val` that computes its value for every subject
(or every item row) at once; named values (lets, criteria, groups, total) become entries of
`CompiledRules.named`, evaluated lazily and memoised by the frame. The checker has already
rejected unknown names and type errors, so the compiler only translates.

What the compiler makes is declared in compiled.py (and re-exported here); calls and
aggregates are compiled by compile_calls.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

import numpy as np

from chamdiem.dsl import compile_calls
from chamdiem.dsl import syntax as s
from chamdiem.dsl.compiled import (
    QUOTA,
    SUBJECT,
    CompiledQuota,
    CompiledRules,
    CompiledVeto,
    Fn,
    Scope,
    SubjectFn,
    division_by_zero,
    link_key,
    literal_value,
    map_num,
    param_value,
    subject_frame,
)
from chamdiem.dsl.diagnostics import Text
from chamdiem.dsl.frames import Frame, ItemFrame, SubjectFrame
from chamdiem.dsl.links import LinkError, field_data, record_rows
from chamdiem.dsl.names import BUILTIN_ATTRIBUTES, RECORD_LINKS, RESULT_FIELDS, canonical
from chamdiem.dsl.numeric import Num, maximum, minimum
from chamdiem.dsl.numeric import where as num_where
from chamdiem.dsl.values import (
    Data,
    DateCol,
    GradeCol,
    TextCol,
    Val,
    as_bool,
    as_num,
    compare,
    constant,
    merge_errors,
    select,
    select_val,
    take,
)

if TYPE_CHECKING:
    from chamdiem.dsl.check.resolved import Resolved

__all__ = [
    "CompiledQuota",
    "CompiledRules",
    "CompiledVeto",
    "Compiler",
    "Scope",
    "link_key",
    "literal_value",
    "param_value",
    "referenced_names",
]


class Compiler:
    def __init__(
        self,
        resolved: Resolved,
        precision: int,
        scale: Decimal,
        period_start: date,
        linked_fields: dict[str, tuple[str, ...]] | None = None,
    ):
        module = resolved.module
        self.module = module
        self.resolved = resolved  # what the checker found (the list each aggregate folds)
        self.period_start = period_start
        # For each needed rule set, the outputs its rows offer (total, grade, values…).
        self.linked_fields = linked_fields or {}
        decls = module.declarations
        self.inputs = {d.name: d for d in decls if isinstance(d, s.Input)}
        self.items = {d.name: d for d in decls if isinstance(d, s.Items)}
        self.params = {d.name: d for d in decls if isinstance(d, s.Param)}
        self.lets = {d.name: d for d in decls if isinstance(d, s.Let)}
        self.groups = [d for d in decls if isinstance(d, s.Group)]
        self.criteria = {c.name: c for g in self.groups for c in g.criteria}
        grades = next((d for d in decls if isinstance(d, s.Grades)), None)
        self.grades = list(grades.grades) if grades else []
        self.rules = CompiledRules(precision, scale, [g.name for g in self.grades])
        self._next_key = 0
        self.catalogs = {d.name: d for d in decls if isinstance(d, s.Catalog)}
        self._item_lets: dict[tuple[str, str], Fn] = {}
        self._catalog_columns: dict[tuple[str, str], tuple[dict[str, int], Data]] = {}

    # ------------------------------------------------------------ declarations

    def compile(self) -> CompiledRules:
        rules = self.rules
        for let in self.lets.values():
            rules.named[let.name] = self._named_expr(let.expr)
        for group in self.groups:
            for criterion in group.criteria:
                rules.named[criterion.name] = self._criterion(criterion, group)
            rules.named[group.name] = self._group(group)
        total = next((d for d in self.module.declarations if isinstance(d, s.Total)), None)
        rules.named["total"] = self._total(total)
        for grade in self.grades:
            rules.grade_conditions.append(
                self._subject(grade.when) if grade.when is not None else None
            )
        for decl in self.module.declarations:
            if isinstance(decl, s.Veto):
                rules.vetoes.append(
                    CompiledVeto(decl, self._subject(decl.when), self._subject(decl.cap))
                )
            elif isinstance(decl, s.Exclusion):
                rules.exclusions.append((decl, self._subject(decl.when)))
            elif isinstance(decl, s.Quota):
                rules.quotas.append(self._quota(decl))
        applies = self.module.ruleset.get("applies") if self.module.ruleset else None
        if applies is not None:
            rules.applies = self._subject(applies.value)  # type: ignore[arg-type]
        return rules

    def _named_expr(self, expr: s.Expr) -> SubjectFn:
        fn = self.expr(expr, SUBJECT)
        return lambda frame: fn(frame)

    def _subject(self, expr: s.Expr, scope: Scope = SUBJECT) -> SubjectFn:
        fn = self.expr(expr, scope)
        return lambda frame: fn(frame)

    def _criterion(self, criterion: s.Criterion, group: s.Group) -> SubjectFn:
        fn = self.expr(criterion.expr, SUBJECT)
        applies = self.expr(criterion.applies_when, SUBJECT) if criterion.applies_when else None
        precision = self.rules.precision
        top = criterion.max.value
        name = criterion.name

        def run(frame: SubjectFrame) -> Val:
            v = fn(frame)
            value = as_num(v.data).round_half_away(precision)
            value = minimum(maximum(value, Num.const(0, frame.n)), Num.const(top, frame.n))
            if applies is None:
                return Val(value, v.err, v.cause)
            a = applies(frame)
            mask = as_bool(a.data)
            frame.applicable[name] = mask
            value = num_where(mask, value, Num.const(0, frame.n))
            err, cause = merge_errors(a)
            if v.err is not None:
                inner = v.err & mask
                err = inner if err is None else err | inner
                cause = cause or v.cause
            return Val(value, err, cause)

        return run

    def _group(self, group: s.Group) -> SubjectFn:
        precision = self.rules.precision
        names = [c.name for c in group.criteria]
        maxima = [c.max.value for c in group.criteria]
        top = group.max.value
        rescale = group.rescale
        conditional = [c.applies_when is not None for c in group.criteria]

        def run(frame: SubjectFrame) -> Val:
            parts = [frame.get(name) for name in names]
            total = Num.const(0, frame.n)
            for part in parts:
                total = total + as_num(part.data)
            err, cause = merge_errors(*parts)
            if rescale and any(conditional):
                applicable_max = Num.const(0, frame.n)
                for name, cmax, cond in zip(names, maxima, conditional, strict=True):
                    piece = Num.const(cmax, frame.n)
                    if cond:
                        piece = num_where(frame.applicable[name], piece, Num.const(0, frame.n))
                    applicable_max = applicable_max + piece
                scaled, none_applicable = (total * Num.const(top, frame.n)).div(applicable_max)
                total = scaled.round_half_away(precision)
                any_applicable = ~none_applicable
                frame.applicable[group.name] = any_applicable
            total = minimum(maximum(total, Num.const(0, frame.n)), Num.const(top, frame.n))
            return Val(total, err, cause)

        return run

    def _total(self, total: s.Total | None) -> SubjectFn:
        precision = self.rules.precision
        scale = self.rules.scale
        if total is not None:
            fn = self.expr(total.expr, SUBJECT)

            def explicit(frame: SubjectFrame) -> Val:
                v = fn(frame)
                value = as_num(v.data).round_half_away(precision)
                value = minimum(maximum(value, Num.const(0, frame.n)), Num.const(scale, frame.n))
                return Val(value, v.err, v.cause)

            return explicit
        signed = [(g.name, -1 if g.kind == "penalty" else 1) for g in self.groups]

        def default(frame: SubjectFrame) -> Val:
            parts = [frame.get(name) for name, _ in signed]
            value = Num.const(0, frame.n)
            for (_, sign), part in zip(signed, parts, strict=True):
                num = as_num(part.data)
                value = value + num if sign > 0 else value - num
            value = minimum(maximum(value, Num.const(0, frame.n)), Num.const(scale, frame.n))
            err, cause = merge_errors(*parts)
            return Val(value.round_half_away(precision), err, cause)

        return default

    def _quota(self, quota: s.Quota) -> CompiledQuota:
        return CompiledQuota(
            decl=quota,
            grade_level=self.rules.level(quota.grade.name),
            demote_level=self.rules.level(quota.demote_to.name),
            share=self._subject(quota.share),
            count=self._subject(quota.count, QUOTA),
            per=[self._subject(key) for key in quota.per],
            rank=[(self._subject(key.expr, QUOTA), key.descending) for key in quota.rank],
        )

    # ------------------------------------------------ expressions (calls: compile_calls.py)

    def _key(self) -> int:
        self._next_key += 1
        return self._next_key

    def _const(self, value: object) -> Fn:
        key = self._key()
        return lambda frame: frame.const(key, value)

    def expr(self, node: s.Expr, scope: Scope) -> Fn:
        if isinstance(node, s.Number | s.Bool | s.String | s.DateLit):
            return self._const(literal_value(node))
        if isinstance(node, s.Name):
            return self._name(node.name, scope)
        if isinstance(node, s.Attribute):
            return self._attribute(node, scope)
        if isinstance(node, s.Unary):
            return self._unary(node, scope)
        if isinstance(node, s.Binary):
            return self._binary(node, scope)
        if isinstance(node, s.Conditional):
            cond = self.expr(node.condition, scope)
            then = self.expr(node.then, scope)
            otherwise = self.expr(node.otherwise, scope)
            return lambda frame: select_val(cond(frame), then(frame), otherwise(frame))
        if isinstance(node, s.Band):
            return self._band(node, scope)
        if isinstance(node, s.Call):
            return compile_calls.call(self, node, scope)
        raise ValueError(f"cannot compile {type(node).__name__} at line {node.span.line}")

    def _name(self, raw: str, scope: Scope) -> Fn:
        if scope.local and scope.items is not None:
            items = self.items[scope.items]
            if any(f.name == raw for f in items.fields) or any(x.name == raw for x in items.lets):
                return self._item_value(scope.items, raw)
        name = canonical(raw)
        if scope.kind == "items" and scope.items is not None and "(" in scope.items:
            ruleset = scope.items[scope.items.index("(") + 1 : -1]
            if name in self.linked_fields.get(ruleset, RESULT_FIELDS) or not self._declared(name):
                # a name this file does not declare is one of R's outputs (docs §11)
                return self._field(name)
        if scope.kind == "items":
            subject_fn = self._name(raw, SUBJECT)
            key = self._key()

            def broadcast(frame: Frame) -> Val:
                assert isinstance(frame, ItemFrame)
                return frame.broadcast(key, lambda parent: subject_fn(parent))

            return broadcast
        if name in BUILTIN_ATTRIBUTES:
            return lambda frame: Val(subject_frame(frame).attribute(name))
        if name in self.inputs:
            return lambda frame: subject_frame(frame).inputs[name]
        if name in self.params:
            return self._const(param_value(self.params[name], self.period_start))
        if name in self.rules.grade_names:
            level = self.rules.level(name)
            return self._const(GradeCol(np.array([level], dtype=np.int64)))
        if name == "grade":
            return lambda frame: Val(_current_grade(subject_frame(frame)))
        if name == "score_grade":
            return lambda frame: Val(_score_grade(subject_frame(frame)))
        # lets, criteria, groups, total
        return lambda frame: subject_frame(frame).get(name)

    def _declared(self, name: str) -> bool:
        """Whether this file gives `name` a meaning (so it is not a linked row's field)."""
        return (
            name in BUILTIN_ATTRIBUTES
            or name in self.inputs
            or name in self.items
            or name in self.params
            or name in self.lets
            or name in self.criteria
            or name in self.rules.grade_names
            or any(g.name == name for g in self.groups)
            or name in ("grade", "score_grade", "total")
        )

    @staticmethod
    def _field(field_name: str) -> Fn:
        def item_field(frame: Frame) -> Val:
            assert isinstance(frame, ItemFrame)
            return frame.fields[field_name]

        return item_field

    def _item_value(self, items: str, name: str) -> Fn:
        """A field of the items list, or one of its lets (computed once per frame)."""
        let = next((x for x in self.items[items].lets if x.name == name), None)
        if let is None:
            return self._field(name)
        key = (items, name)
        compiled = self._item_lets.get(key)
        if compiled is None:
            compiled = self._item_lets[key] = self.expr(let.expr, Scope("items", items, True))

        def item_let(frame: Frame) -> Val:
            assert isinstance(frame, ItemFrame)
            found = frame.fields.get(name)
            if found is None:
                found = frame.fields[name] = compiled(frame)
            return found

        return item_let

    def _catalog_column(self, catalog: str, field_name: str) -> tuple[dict[str, int], Data]:
        """The keys of a catalogue in force for the period, and one field's column."""
        found = self._catalog_columns.get((catalog, field_name))
        if found is not None:
            return found
        decl = self.catalogs[catalog]
        spec = decl.field(field_name)
        assert spec is not None
        table = self.resolved.catalogs.get(catalog)
        rows = table.version(self.period_start).rows if table is not None else {}
        positions = {key: i for i, key in enumerate(rows)}
        values = [row[field_name] for row in rows.values()]
        data = _column(spec.type.kind, values)
        found = self._catalog_columns[(catalog, field_name)] = (positions, data)
        return found

    def _catalog_lookup(
        self, catalog: str, field_name: str, key_fn: Fn, default_fn: Fn | None, line: int
    ) -> Fn:
        positions, column = self._catalog_column(catalog, field_name)

        def lookup(frame: Frame) -> Val:
            key = key_fn(frame)
            keys = key.data.values if isinstance(key.data, TextCol) else np.zeros(0, object)
            found = np.fromiter(
                (positions.get(str(k), -1) for k in keys), dtype=np.int64, count=len(keys)
            )
            missing = found < 0
            if not missing.any():
                return Val(take(column, found), key.err, key.cause)
            data = take(column, np.where(missing, 0, found)) if positions else None
            if default_fn is not None:
                fallback = default_fn(frame)
                chosen = fallback.data if data is None else select(missing, fallback.data, data)
                err, cause = merge_errors(key)
                if fallback.err is not None:
                    extra = fallback.err & missing
                    err = extra if err is None else err | extra
                    cause = cause or fallback.cause
                return Val(chosen, err, cause)
            shown = next(str(k) for k, m in zip(keys, missing, strict=True) if m)
            cause = Text(
                f'mã "{shown}" không có trong danh mục `{catalog}` (dòng {line})',
                f'the key "{shown}" is not in the catalogue `{catalog}` (line {line})',
            )
            if data is None:
                data = constant(_zero(column), len(keys))
            err = missing if key.err is None else missing | key.err
            return Val(data, err, cause)

        return lookup

    def _attribute(self, node: s.Attribute, scope: Scope) -> Fn:
        target = node.target
        if isinstance(target, s.Index) and isinstance(target.target, s.Name):
            key_fn = self.expr(target.key, scope)
            return self._catalog_lookup(target.target.name, node.name, key_fn, None, node.span.line)
        if (
            isinstance(target, s.Call)
            and target.function == "lookup"
            and isinstance(target.args[0], s.Name)
        ):
            key_fn = self.expr(target.args[1], scope)
            default = next(k for k in target.keywords if k.name == "default")
            default_fn = self.expr(default.value, scope)
            return self._catalog_lookup(
                target.args[0].name, node.name, key_fn, default_fn, node.span.line
            )
        if scope.kind == "items":
            if isinstance(node.target, s.Name) and node.target.name == scope.items:
                return self._item_value(scope.items, node.name)
            key = link_key(node.target)
            if key is not None and f"{key[0]}({key[1]})" == scope.items:
                return self._field(canonical(node.name))
        key = link_key(node.target)
        if key is not None and key[0] in RECORD_LINKS:
            return self._record_field(key[0], key[1], canonical(node.name), node.span.line)
        raise ValueError(f"unsupported attribute at line {node.span.line}")

    def _record_field(self, function: str, ruleset: str, field_name: str, line: int) -> Fn:
        """`unit_result(R).grade`: a value of another rule set's result, per subject."""
        grades = self.rules.grade_names

        def read(frame: Frame) -> Val:
            sub = subject_frame(frame)
            if sub.links is None:
                raise LinkError(f"`{function}({ruleset})` needs linked results (line {line})")
            results, rows, missing = record_rows(function, ruleset, sub.links, sub.codes, sub.units)
            data = take(field_data(results, field_name, grades), rows)
            if missing.any():
                cause = Text(
                    f"không có kết quả `{ruleset}` tương ứng (dòng {line})",
                    f"no matching result of `{ruleset}` (line {line})",
                )
                return Val(data, missing, cause)
            return Val(data)

        return read

    def _unary(self, node: s.Unary, scope: Scope) -> Fn:
        inner = self.expr(node.operand, scope)
        if node.op == "-":
            return lambda frame: map_num(inner(frame), lambda x: -x)

        def negate(frame: Frame) -> Val:
            v = inner(frame)
            return Val(~as_bool(v.data), v.err, v.cause)

        return negate

    def _binary(self, node: s.Binary, scope: Scope) -> Fn:
        left = self.expr(node.left, scope)
        right = self.expr(node.right, scope)
        op = node.op
        if op in ("and", "or"):
            return _logical(op, left, right)
        if op in ("==", "!=", "<", "<=", ">", ">="):

            def comparison(frame: Frame) -> Val:
                a, b = left(frame), right(frame)
                err, cause = merge_errors(a, b)
                return Val(compare(op, a.data, b.data), err, cause)

            return comparison
        if op == "/":
            line = node.span.line

            def division(frame: Frame) -> Val:
                a, b = left(frame), right(frame)
                quotient, zero = as_num(a.data).div(as_num(b.data))
                err, cause = merge_errors(a, b)
                if zero.any():
                    err = zero if err is None else err | zero
                    cause = cause or division_by_zero(line)
                return Val(quotient, err, cause)

            return division

        def arithmetic(frame: Frame) -> Val:
            a, b = left(frame), right(frame)
            x, y = as_num(a.data), as_num(b.data)
            result = x + y if op == "+" else x - y if op == "-" else x * y
            err, cause = merge_errors(a, b)
            return Val(result, err, cause)

        return arithmetic

    def _band(self, node: s.Band, scope: Scope) -> Fn:
        subject = self.expr(node.subject, scope)
        assert node.otherwise is not None
        otherwise = self.expr(node.otherwise, scope)
        rows = [
            (
                row.op,
                self.expr(row.bound, scope),
                self.expr(row.upper, scope) if row.upper is not None else None,
                self.expr(row.value, scope),
            )
            for row in node.rows
        ]

        def run(frame: Frame) -> Val:
            subj = subject(frame)
            x = as_num(subj.data)
            result = otherwise(frame)
            for op, bound_fn, upper_fn, value_fn in reversed(rows):
                bound = bound_fn(frame)
                if op == "..":
                    assert upper_fn is not None
                    upper = upper_fn(frame)
                    hit = x.ge(as_num(bound.data)) & x.le(as_num(upper.data))
                    err, cause = merge_errors(subj, bound, upper)
                else:
                    hit = compare(op, x, bound.data)
                    err, cause = merge_errors(subj, bound)
                result = select_val(Val(hit, err, cause), value_fn(frame), result)
            return result

        return run


# ---------------------------------------------------------------- helpers


def _column(kind: str, values: Sequence[object]) -> Data:
    """A catalogue field's values as a column (one row per catalogue row)."""
    if kind in ("number", "count", "percent"):
        num, _missing = Num.from_values(values)
        return num
    if kind == "bool":
        return np.array(values, dtype=np.bool_)
    if kind == "date":
        return DateCol(
            np.array([v.toordinal() for v in values if isinstance(v, date)], dtype=np.int64)
        )
    return TextCol(np.array(values, dtype=object))


def _zero(column: Data) -> object:
    """A placeholder value of a column's type (for rows that are errors anyway)."""
    if isinstance(column, Num):
        return 0
    if isinstance(column, TextCol):
        return ""
    if isinstance(column, DateCol):
        return date.min
    return False


def _current_grade(frame: SubjectFrame) -> GradeCol:
    if frame.grade is None:
        raise TypeError("`grade` is only known while quotas are applied")
    return frame.grade


def _score_grade(frame: SubjectFrame) -> GradeCol:
    if frame.score_grade is None:
        raise TypeError("`score_grade` is only known after grading")
    return frame.score_grade


def _logical(op: str, left: Fn, right: Fn) -> Fn:
    def run(frame: Frame) -> Val:
        a, b = left(frame), right(frame)
        x, y = as_bool(a.data), as_bool(b.data)
        # `and` reads the right side only where the left is true; `or` where it is false.
        reads_right = x if op == "and" else ~x
        data = x & y if op == "and" else x | y
        err = a.err
        if b.err is not None:
            part = b.err & reads_right
            err = part if err is None else err | part
        if err is not None and not err.any():
            err = None
        return Val(data, err, (a.cause or b.cause) if err is not None else None)

    return run


def referenced_names(*nodes: s.Expr | None) -> list[str]:
    """Plain names used below `nodes`, in first-use order, without duplicates."""
    seen: dict[str, None] = {}
    for node in reversed(s.walk(*nodes)):
        if isinstance(node, s.Name):
            seen.setdefault(node.name, None)
    return list(seen)
