"""The types of calls, for the types pass (expressions.py): functions and their arguments,
aggregates over a list (its rows, `where`, `if_empty`) and over a quota's group of subjects.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from chamdiem.dsl import syntax as s
from chamdiem.dsl.aggregates import item_refs
from chamdiem.dsl.check import fields
from chamdiem.dsl.check.scope import AggregateFrame, Ctx
from chamdiem.dsl.check.types import ALL_FUNCTIONS, BOOL, MAX_ROUND_PLACES, NUMBER, UNKNOWN, Type
from chamdiem.dsl.diagnostics import Text, did_you_mean
from chamdiem.dsl.names import (
    FUNCTION_KEYWORDS,
    LINK_FUNCTIONS,
    LIST_LINKS,
    SCALAR_FUNCTIONS,
    is_aggregate,
)

if TYPE_CHECKING:
    from chamdiem.dsl.check.expressions import Checker


def call(checker: Checker, node: s.Call, ctx: Ctx) -> Type:
    function = node.function
    if function in LINK_FUNCTIONS:
        key = checker.link(node)
        if key is None:
            return UNKNOWN
        checker.calls[node.span.start] = "link"
        if function in LIST_LINKS:
            return Type("items", items=key)
        checker.error(
            "E017",
            node.span,
            f"`{key}` là một kết quả: hãy đọc một trường của nó, ví dụ {key}.grade",
            f"`{key}` is a result: read one of its fields, e.g. {key}.grade",
        )
        return UNKNOWN
    if function == "lookup":
        for arg in node.args:
            checker.value(arg, ctx)
        fields.needs_field(checker, node)
        return UNKNOWN
    if function not in ALL_FUNCTIONS:
        checker.error(
            "E008",
            node.function_span,
            f"không có hàm `{function}`",
            f"there is no function `{function}`",
            *did_you_mean(function, ALL_FUNCTIONS),
        )
        for arg in node.args:
            checker.value(arg, ctx)
        return UNKNOWN
    aggregated = is_aggregate(function, len(node.args))
    allowed = FUNCTION_KEYWORDS.get(function, ()) if aggregated or function == "ratio" else ()
    keywords: dict[str, s.Keyword] = {}
    for keyword in node.keywords:
        if keyword.name not in allowed:
            hint = (
                Text(
                    f"`{function}` nhận: {', '.join(allowed)}",
                    f"`{function}` takes: {', '.join(allowed)}",
                )
                if allowed
                else Text(
                    f"`{function}` không nhận đối số có tên",
                    f"`{function}` takes no named arguments",
                )
            )
            checker.error(
                "E010",
                keyword.span,
                f"hàm `{function}` không có đối số `{keyword.name}`",
                f"the function `{function}` has no argument `{keyword.name}`",
                hint,
            )
        elif keyword.name in keywords:
            checker.error(
                "E010",
                keyword.span,
                f"đối số `{keyword.name}` được cho hai lần",
                f"the argument `{keyword.name}` is given twice",
            )
        else:
            keywords[keyword.name] = keyword
    if aggregated:
        return aggregate(checker, node, ctx, keywords)
    checker.calls[node.span.start] = "scalar"
    if node.where is not None:
        checker.error(
            "E010",
            node.where.span,
            f"`where` (với) chỉ dùng trong hàm gộp trên danh sách, không dùng với `{function}`",
            f"`where` belongs to aggregates over lists, not to `{function}`",
        )
    low, high = SCALAR_FUNCTIONS[function]
    count = len(node.args)
    if count < low or (high is not None and count > high):
        wanted_vi = f"{low}" if low == high else f"ít nhất {low}"
        wanted_en = f"{low}" if low == high else f"at least {low}"
        if function in ("min", "max"):
            wanted_vi, wanted_en = "1 (hàm gộp) hoặc ít nhất 2", "1 (aggregate) or 2 or more"
        checker.error(
            "E009",
            node.span,
            f"hàm `{function}` cần {wanted_vi} đối số, ở đây có {count}",
            f"`{function}` takes {wanted_en} arguments, not {count}",
        )
    what = Text(f"hàm `{function}`", f"`{function}`")
    for i, arg in enumerate(node.args):
        if function == "round" and i == 1:
            round_places(checker, arg)
            continue
        checker.need(checker.value(arg, ctx), arg, NUMBER, "E012", what)
    for keyword in keywords.values():
        checker.need(
            checker.value(keyword.value, ctx),
            keyword.value,
            NUMBER,
            "E012",
            Text(f"`{keyword.name}`", f"`{keyword.name}`"),
        )
    return NUMBER


def round_places(checker: Checker, arg: s.Expr) -> None:
    ok = (
        isinstance(arg, s.Number)
        and not arg.percent
        and arg.value == arg.value.to_integral_value()
        and 0 <= arg.value <= MAX_ROUND_PLACES
    )
    if not ok:
        checker.error(
            "E011",
            arg.span,
            f"số chữ số của `round` phải là một số nguyên viết trực tiếp từ 0 đến "
            f"{MAX_ROUND_PLACES}",
            f"the places of `round` must be a whole number from 0 to {MAX_ROUND_PLACES} "
            "written out",
        )


def aggregate(checker: Checker, node: s.Call, ctx: Ctx, keywords: dict[str, s.Keyword]) -> Type:
    function = node.function
    result = BOOL if function in ("any", "all") else NUMBER
    for keyword in keywords.values():
        # if_empty is evaluated per subject, outside the aggregate's rows.
        outer = replace(ctx, frame=None) if ctx.frame is not None else ctx
        checker.need(
            checker.value(keyword.value, outer),
            keyword.value,
            NUMBER,
            "E012",
            Text(f"`{keyword.name}`", f"`{keyword.name}`"),
        )
    if len(node.args) != 1:
        checker.error(
            "E009",
            node.span,
            f"hàm gộp `{function}` cần đúng 1 đối số, ở đây có {len(node.args)}",
            f"the aggregate `{function}` takes exactly 1 argument, not {len(node.args)}",
        )
        for arg in node.args:
            checker.value(arg, replace(ctx, frame=AggregateFrame(function), cohort=False))
        return result
    if ctx.frame is not None:
        ctx.frame.nested = True
        checker.error(
            "E020",
            node.function_span,
            f"không lồng hàm gộp `{function}` bên trong hàm gộp `{ctx.frame.function}`; "
            "hãy tính phần bên trong bằng một `let` riêng",
            f"an aggregate `{function}` cannot be nested inside `{ctx.frame.function}`; "
            "compute the inner part in its own `let`",
        )
    arg = node.args[0]
    lists = item_refs(arg, node.where, checker.items, LIST_LINKS)
    if ctx.cohort and ctx.frame is None and not lists and function in ("count", "sum"):
        checker.calls[node.span.start] = "cohort"
        return cohort_aggregate(checker, node, ctx)
    checker.calls[node.span.start] = "aggregate"
    checker.folds[node.span.start] = lists[0] if lists else None
    frame = AggregateFrame(function, link=next((k for k in sorted(lists) if "(" in k), None))
    inner = replace(ctx, frame=frame, cohort=False)
    whole_list = (isinstance(arg, s.Name) and checker.symbol_kind(arg.name) == "items") or (
        isinstance(arg, s.Call) and arg.function in LIST_LINKS
    )
    if whole_list:
        listed = checker.expr(arg, inner)
        frame.items = listed.items if listed.kind == "items" else ""  # "": reported
        if function != "count" and listed.kind == "items":
            whole_list_needs_field(checker, function, listed.items, arg)
    else:
        found = checker.value(arg, inner)
        wanted = BOOL if function in ("any", "all", "count") else NUMBER
        checker.need(
            found,
            arg,
            wanted,
            "E012" if wanted == NUMBER else "E013",
            Text(f"hàm gộp `{function}`", f"the aggregate `{function}`"),
        )
    if node.where is not None:
        checker.condition(node.where, inner, "where")
    if frame.items is None and ctx.frame is None and not frame.nested:
        names = [f"{n}.{f.name}" for n, d in checker.items.items() for f in d.fields[:1]]
        example = names[0] if names else "danh_sach.truong"
        checker.error(
            "E021",
            node.span,
            f"hàm gộp `{function}` cần đọc một danh sách (items), ví dụ {function}({example})",
            f"the aggregate `{function}` must read an items list, e.g. {function}({example})",
        )
    elif ctx.cohort and ctx.frame is None and not frame.nested:
        checker.error(
            "E035",
            node.span,
            f"`{function}(…)` ở đây tính trên danh sách của từng đối tượng; số lượng của hạn "
            "mức tính trên cả nhóm đối tượng: hãy đếm đối tượng, ví dụ count(grade >= tot)",
            f"`{function}(…)` here works on each subject's list; a quota's count is over the "
            "whole group: count subjects, e.g. count(grade >= tot)",
        )
    return result


def whole_list_needs_field(checker: Checker, function: str, items: str, arg: s.Expr) -> None:
    decl = checker.items.get(items)
    first = decl.fields[0].name if decl is not None and decl.fields else "total"
    example = f"{items}.{first}"
    checker.error(
        "E017",
        arg.span,
        f"`{function}` cần một trường của danh sách `{items}`, ví dụ "
        f"{function}({example}); chỉ `count` nhận cả danh sách",
        f"`{function}` needs a field of the list `{items}`, e.g. "
        f"{function}({example}); only `count` takes a whole list",
    )


def cohort_aggregate(checker: Checker, node: s.Call, ctx: Ctx) -> Type:
    """`count(COND)` / `sum(X)` over the subjects of a quota group."""
    inner = replace(ctx, cohort=False)
    arg = node.args[0]
    wanted = BOOL if node.function == "count" else NUMBER
    checker.need(
        checker.value(arg, inner),
        arg,
        wanted,
        "E013" if wanted == BOOL else "E012",
        Text(f"`{node.function}` trong hạn mức", f"`{node.function}` in a quota"),
    )
    if node.where is not None:
        checker.condition(node.where, inner, "where")
    return NUMBER
