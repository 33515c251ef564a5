"""Compiling calls, for compile.py: the functions (min, max, clamp, round, floor, ceil, abs,
ratio) and the aggregates over an items list, a needed rule set's results or a quota's group.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from chamdiem.dsl import syntax as s
from chamdiem.dsl.compiled import (
    SUBJECT,
    Fn,
    Scope,
    division_by_zero,
    link_key,
    literal_value,
    map_num,
    subject_frame,
)
from chamdiem.dsl.diagnostics import Text
from chamdiem.dsl.frames import Frame, ItemFrame, SubjectFrame
from chamdiem.dsl.links import LinkError, build_rows
from chamdiem.dsl.numeric import Num, maximum, minimum
from chamdiem.dsl.numeric import where as num_where
from chamdiem.dsl.values import Val, as_bool, as_num, merge_errors

if TYPE_CHECKING:
    from chamdiem.dsl.compile import Compiler


def call(compiler: Compiler, node: s.Call, scope: Scope) -> Fn:
    name = node.function
    items = compiler.resolved.folded_list(node)
    if items is not None and scope.kind != "items":
        return aggregate(compiler, node, items)
    if name in ("count", "sum") and scope.kind == "quota" and len(node.args) == 1:
        return group_aggregate(compiler, node)
    args = [compiler.expr(a, scope) for a in node.args]
    keywords = {k.name: compiler.expr(k.value, scope) for k in node.keywords}
    if name in ("min", "max"):
        pick = minimum if name == "min" else maximum

        def extreme(frame: Frame) -> Val:
            vals = [a(frame) for a in args]
            value = as_num(vals[0].data)
            for v in vals[1:]:
                value = pick(value, as_num(v.data))
            err, cause = merge_errors(*vals)
            return Val(value, err, cause)

        return extreme
    if name == "clamp":
        x_fn, lo_fn, hi_fn = args

        def clamp(frame: Frame) -> Val:
            x, lo, hi = x_fn(frame), lo_fn(frame), hi_fn(frame)
            value = minimum(maximum(as_num(x.data), as_num(lo.data)), as_num(hi.data))
            err, cause = merge_errors(x, lo, hi)
            return Val(value, err, cause)

        return clamp
    if name == "round":
        places = int(literal_value(node.args[1]))  # type: ignore[call-overload]
        inner = args[0]
        return lambda frame: map_num(inner(frame), lambda x: x.round_half_away(places))
    if name == "floor":
        inner = args[0]
        return lambda frame: map_num(inner(frame), lambda x: x.floor())
    if name == "ceil":
        inner = args[0]
        return lambda frame: map_num(inner(frame), lambda x: x.ceil())
    if name == "abs":
        inner = args[0]
        return lambda frame: map_num(inner(frame), lambda x: abs(x))
    if name == "ratio":
        return ratio(compiler, args[0], args[1], keywords.get("if_zero"), node.span.line)
    raise ValueError(f"unknown function {name} at line {node.span.line}")


def ratio(compiler: Compiler, num_fn: Fn, den_fn: Fn, if_zero: Fn | None, line: int) -> Fn:
    def ratio(frame: Frame) -> Val:
        a, b = num_fn(frame), den_fn(frame)
        quotient, zero = as_num(a.data).div(as_num(b.data))
        err, cause = merge_errors(a, b)
        if zero.any():
            if if_zero is None:
                err = zero if err is None else err | zero
                cause = cause or division_by_zero(line)
            else:
                fallback = if_zero(frame)
                quotient = num_where(zero, as_num(fallback.data), quotient)
                if fallback.err is not None:
                    extra = fallback.err & zero
                    err = extra if err is None else err | extra
                    cause = cause or fallback.cause
        return Val(quotient, err, cause)

    return ratio


def rows_of(compiler: Compiler, items: str) -> Callable[[SubjectFrame], ItemFrame]:
    """How to find the rows of an items list or of a linked list in a subject frame."""
    if "(" not in items:
        return lambda sub: sub.items[items]
    function, ruleset = items[:-1].split("(")
    grades = compiler.rules.grade_names

    def build(sub: SubjectFrame) -> ItemFrame:
        if sub.links is None:
            raise LinkError(f"`{items}` needs linked results")
        rows = build_rows(function, ruleset, sub.links, sub.codes, sub.units, grades)
        frame = ItemFrame(sub, rows.owner, sub.n, rows.columns)
        frame.labels = rows.labels
        return frame

    return lambda sub: sub.linked_items(items, build)


def aggregate(compiler: Compiler, node: s.Call, items: str) -> Fn:
    scope = Scope("items", items)
    name = node.function
    arg = node.args[0]
    counts_rows = (isinstance(arg, s.Name) and arg.name == items) or (link_key(arg) is not None)
    find_rows = rows_of(compiler, items)
    value_fn = None if counts_rows else compiler.expr(arg, scope)
    where_fn = compiler.expr(node.where, scope) if node.where is not None else None
    if "(" in items:
        compiler.rules.link_aggregates[node.span.start] = (items, where_fn)
    if_empty = next((k for k in node.keywords if k.name == "if_empty"), None)
    empty_fn = compiler.expr(if_empty.value, SUBJECT) if if_empty is not None else None
    line = node.span.line

    def run(frame: Frame) -> Val:
        sub = subject_frame(frame)
        rows = find_rows(sub)
        mask = None
        item_err = None
        cause = None
        if where_fn is not None:
            w = where_fn(rows)
            mask = as_bool(w.data)
            item_err, cause = w.err, w.cause
        value = value_fn(rows) if value_fn is not None else None
        # An undefined item value matters only on the rows the aggregate reads.
        if value is not None and value.err is not None:
            read = value.err if mask is None else value.err & mask
            item_err = read if item_err is None else item_err | read
            cause = cause or value.cause
        err = rows.segments.any(item_err) if item_err is not None else None
        result: Val
        if name == "count":
            if value is None:
                counts = rows.segments.count(mask)
            else:
                flags = as_bool(value.data)
                counts = rows.segments.count(flags if mask is None else flags & mask)
            result = Val(Num.from_ints(counts))
        elif name == "sum":
            result = Val(rows.segments.sum(as_num(_need(value).data), mask))
        elif name == "any":
            flags = as_bool(_need(value).data)
            result = Val(rows.segments.any(flags if mask is None else flags & mask))
        elif name == "all":
            flags = as_bool(_need(value).data)
            result = Val(rows.segments.all(flags if mask is None else flags | ~mask))
        else:
            result = reduce(name, sub, rows, _need(value), mask, empty_fn, line)
        if err is not None and err.any():
            merged = err if result.err is None else err | result.err
            return Val(result.data, merged, result.cause or cause)
        return result

    return run


def reduce(
    name: str,
    frame: SubjectFrame,
    rows: ItemFrame,
    value: Val,
    mask: np.ndarray | None,
    empty_fn: Fn | None,
    line: int,
) -> Val:
    values = as_num(value.data)
    if name == "mean":
        total = rows.segments.sum(values, mask)
        counts = Num.from_ints(rows.segments.count(mask))
        result, empty = total.div(counts)
    elif name == "min":
        result, empty = rows.segments.min(values, mask)
    else:
        result, empty = rows.segments.max(values, mask)
    if not empty.any():
        return Val(result)
    if empty_fn is None:
        return Val(result, empty, _empty_list(line))
    fallback = empty_fn(frame)
    result = num_where(empty, as_num(fallback.data), result)
    err = fallback.err & empty if fallback.err is not None else None
    return Val(result, err, fallback.cause if err is not None else None)


def group_aggregate(compiler: Compiler, node: s.Call) -> Fn:
    """`count(COND)` / `sum(X)` over the members of each quota group."""
    inner = compiler.expr(node.args[0], SUBJECT)
    where_fn = compiler.expr(node.where, SUBJECT) if node.where is not None else None
    is_count = node.function == "count"

    def run(frame: Frame) -> Val:
        sub = subject_frame(frame)
        assert sub.quota_groups is not None
        groups = sub.quota_groups
        v = inner(frame)
        mask = as_bool(where_fn(frame).data) if where_fn is not None else None
        if is_count:
            flags = as_bool(v.data)
            if mask is not None:
                flags = flags & mask
            per_group = np.bincount(groups[flags], minlength=sub.quota_group_count)
            return Val(Num.from_ints(per_group.astype(np.int64)[groups]))
        from chamdiem.dsl.numeric import Segments

        segments = Segments(groups, sub.quota_group_count)
        sums = segments.sum(as_num(v.data), mask)
        return Val(sums.take(groups))

    return run


def _need(value: Val | None) -> Val:
    assert value is not None
    return value


def _empty_list(line: int) -> Text:
    return Text(
        f"danh sách rỗng, không có giá trị (dòng {line}); dùng if_empty: để quy định",
        f"empty list has no value (line {line}); say what to use with if_empty:",
    )
