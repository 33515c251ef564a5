"""The types of fields, for the types pass (expressions.py): a catalogue's row
(`C[k].field`, `lookup(C, k, default: V).field`), an items list's field or value per item, and a
needed rule set's result (`unit_result(R).grade`, `periods(R).total`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chamdiem.dsl import syntax as s
from chamdiem.dsl.check.scope import Ctx
from chamdiem.dsl.check.types import RESULT_FIELD_TYPES, TEXT, UNKNOWN, Type, input_type, unify
from chamdiem.dsl.diagnostics import Text, did_you_mean
from chamdiem.dsl.names import LINK_FUNCTIONS, RECORD_LINKS, canonical

if TYPE_CHECKING:
    from chamdiem.dsl.check.expressions import Checker


def undeclared_catalogs(checker: Checker) -> list[str]:
    """Catalogues named by `key of` that are not declared (reported once, by E061)."""
    named = [f.type.catalog for f in checker.inputs.values()]
    named += [f.type.catalog for d in checker.items.values() for f in d.fields]
    return [n for n in named if n is not None and n not in checker.catalogs]


def catalog_record(checker: Checker, target: s.Expr, ctx: Ctx) -> s.Catalog | None:
    """The catalogue that `target` names in `C[k]` or `lookup(C, …)`, or None (reported)."""
    if isinstance(target, s.Name):
        decl = checker.catalogs.get(target.name)
        if decl is not None and checker.symbols[target.name].node is decl:
            checker.used.add(target.name)
            return decl
    shown = checker.text(target)
    checker.error(
        "E063",
        target.span,
        f"`{shown}` không phải một danh mục (catalog): chỉ danh mục mới tra được bằng [mã]",
        f"`{shown}` is not a catalogue: only catalogues are looked up with [key]",
        *checker.suggest(shown, checker.catalogs),
    )
    return None


def needs_field(checker: Checker, node: s.Expr) -> None:
    checker.error(
        "E063",
        node.span,
        f"`{checker.text(node)}` là một dòng của danh mục: đọc một trường của nó, ví dụ "
        f"`{checker.text(node)}.trường`",
        f"`{checker.text(node)}` is a row of a catalogue: read one of its fields, e.g. "
        f"`{checker.text(node)}.field`",
    )


def catalog_field(checker: Checker, decl: s.Catalog, node: s.Attribute) -> Type:
    found = decl.field(node.name)
    if found is None:
        checker.error(
            "E007",
            node.name_span,
            f"danh mục `{decl.name}` không có trường `{node.name}`",
            f"the catalogue `{decl.name}` has no field `{node.name}`",
            *did_you_mean(node.name, [f.name for f in decl.fields]),
        )
        return UNKNOWN
    return input_type(found.type)


def indexed_field(checker: Checker, node: s.Attribute, index: s.Index, ctx: Ctx) -> Type:
    """`C[k].field`: k must be a key of C (declared `key of C`, or a key written out)."""
    decl = catalog_record(checker, index.target, ctx)
    key_type = checker.value(index.key, ctx)
    if decl is None:
        return UNKNOWN
    key = index.key
    if isinstance(key, s.String):
        problem = checker.key_problem(key.value, decl.name)
        table = checker.catalog_rows.get(decl.name)
        if problem is None and table is not None and key.value not in table.keys_in_every_version():
            problem = Text(
                f'"{key.value}" không có trong mọi tệp dữ liệu của `{decl.name}`',
                f'"{key.value}" is not in every rows file of `{decl.name}`',
            )
        if problem is not None:
            checker.error("E062", key.span, problem.vi, problem.en)
    elif key_type.kind != "unknown" and not (
        key_type.kind == "key" and key_type.catalog in (decl.name, *undeclared_catalogs(checker))
    ):
        shown = checker.text(key)
        checker.error(
            "E062",
            key.span,
            f"`{shown}` ({key_type.describe().vi}) có thể không phải mã trong danh mục "
            f"`{decl.name}`: khai báo nó `: mã trong {decl.name}`, hoặc viết "
            f"lookup({decl.name}, {shown}, default: …).{node.name}",
            f"`{shown}` ({key_type.describe().en}) may not be a key of the catalogue "
            f"`{decl.name}`: declare it `: key of {decl.name}`, or write "
            f"lookup({decl.name}, {shown}, default: …).{node.name}",
        )
    return catalog_field(checker, decl, node)


def lookup_field(checker: Checker, node: s.Attribute, call: s.Call, ctx: Ctx) -> Type:
    """`lookup(C, k, default: V).field`: the field, or V when k is not a key of C."""
    checker.calls[call.span.start] = "scalar"
    if len(call.args) != 2 or call.where is not None:
        checker.error(
            "E065",
            call.span,
            "`lookup` nhận hai đối số và `default:`: lookup(danh_mục, mã, default: giá_trị)",
            "`lookup` takes two arguments and `default:`: lookup(catalog, key, default: value)",
        )
        for arg in call.args:
            checker.value(arg, ctx)
        return UNKNOWN
    decl = catalog_record(checker, call.args[0], ctx)
    key_type = checker.value(call.args[1], ctx)
    if key_type.kind not in ("text", "enum", "key"):
        checker.need(key_type, call.args[1], TEXT, "E065", Text("`lookup`", "`lookup`"))
    default = next((k for k in call.keywords if k.name == "default"), None)
    for keyword in call.keywords:
        if keyword.name != "default":
            checker.error(
                "E010",
                keyword.span,
                f"hàm `lookup` không có đối số `{keyword.name}`",
                f"the function `lookup` has no argument `{keyword.name}`",
                Text("`lookup` nhận: default", "`lookup` takes: default"),
            )
    fallback = checker.value(default.value, ctx) if default is not None else UNKNOWN
    if decl is None:
        return UNKNOWN
    found = catalog_field(checker, decl, node)
    if default is None:
        checker.error(
            "E065",
            call.span,
            "`lookup` cần `default:`: giá trị khi mã không có trong danh mục",
            "`lookup` needs `default:`: the value when the key is not in the catalogue",
        )
    elif unify(found, fallback) is None:
        checker.error(
            "E065",
            default.value.span,
            f"`default` phải cùng kiểu với trường `{node.name}`: cần {found.describe().vi}, "
            f"nhưng `{checker.text(default.value)}` là {fallback.describe().vi}",
            f"`default` must have the type of the field `{node.name}`: "
            f"{found.describe().en} is needed, but `{checker.text(default.value)}` is "
            f"{fallback.describe().en}",
        )
    return found


def attribute(checker: Checker, node: s.Attribute, ctx: Ctx) -> Type:
    target = node.target
    if isinstance(target, s.Index):
        return indexed_field(checker, node, target, ctx)
    if isinstance(target, s.Call) and target.function == "lookup":
        return lookup_field(checker, node, target, ctx)
    if isinstance(target, s.Call) and target.function in LINK_FUNCTIONS:
        return link_field(checker, node, target, ctx)
    if not isinstance(target, s.Name):
        checker.value(target, ctx)
        checker.error(
            "E007",
            node.name_span,
            "chỉ phần tử của danh sách (items) mới có trường, ví dụ `san_pham.he_so`",
            "only items lists have fields, e.g. `san_pham.he_so`",
        )
        return UNKNOWN
    items = checker.items.get(target.name)
    if items is None or checker.symbols[target.name].node is not items:
        found = checker.value(target, ctx)
        if found.kind != "unknown":
            checker.error(
                "E007",
                node.name_span,
                f"`{target.name}` không phải danh sách nên không có trường `{node.name}`",
                f"`{target.name}` is not an items list, so it has no field `{node.name}`",
            )
        return UNKNOWN
    ctx.refs.add(target.name)
    checker.used.add(target.name)
    item_field = next((f for f in items.fields if f.name == node.name), None)
    item_let = next((x for x in items.lets if x.name == node.name), None)
    frame = ctx.frame
    if item_field is None and item_let is None:
        checker.error(
            "E007",
            node.name_span,
            f"danh sách `{items.name}` không có trường `{node.name}`",
            f"the list `{items.name}` has no field `{node.name}`",
            *did_you_mean(node.name, [f.name for f in items.fields] + [x.name for x in items.lets]),
        )
        if frame is not None and frame.items is None:
            frame.items = items.name
        return UNKNOWN
    if frame is None:
        checker.error(
            "E018",
            node.span,
            f"`{items.name}.{node.name}` là giá trị của từng phần tử: chỉ dùng được trong "
            f"hàm gộp trên `{items.name}`, ví dụ sum({items.name}.{node.name})",
            f"`{items.name}.{node.name}` has one value per element: use it inside an "
            f"aggregate over `{items.name}`, e.g. sum({items.name}.{node.name})",
        )
    elif frame.items is None:
        frame.items = items.name
    elif frame.items != items.name:
        checker.error(
            "E019",
            node.span,
            f"một hàm gộp `{frame.function}` chỉ đọc được một danh sách: đã dùng "
            f"`{frame.items}`, không thể dùng thêm `{items.name}`",
            f"one `{frame.function}` aggregate reads one list: it already reads "
            f"`{frame.items}`, not also `{items.name}`",
        )
    if item_field is not None:
        return input_type(item_field.type)
    assert item_let is not None
    return checker.item_let_type(items, item_let)


def link_field(checker: Checker, node: s.Attribute, target: s.Call, ctx: Ctx) -> Type:
    """`unit_result(R).grade` (one value per subject) or `periods(R).total` (one value
    per row, so only inside an aggregate)."""
    key = checker.link(target)
    found = RESULT_FIELD_TYPES.get(canonical(node.name), UNKNOWN)
    if key is None and ctx.frame is not None and ctx.frame.items is None:
        ctx.frame.items = ""  # the list is wrong (reported), but there is one
    if key is None or target.function in RECORD_LINKS:
        return found
    frame = ctx.frame
    if frame is None:
        checker.error(
            "E018",
            node.span,
            f"`{checker.text(node)}` là giá trị của từng kết quả: chỉ dùng được trong hàm gộp, "
            f"ví dụ mean({checker.text(node)})",
            f"`{checker.text(node)}` has one value per result: use it inside an aggregate, "
            f"e.g. mean({checker.text(node)})",
        )
    elif frame.items is None:
        frame.items = key
    elif frame.items != key:
        checker.error(
            "E019",
            node.span,
            f"một hàm gộp `{frame.function}` chỉ đọc được một danh sách: đã dùng "
            f"`{frame.items}`, không thể dùng thêm `{key}`",
            f"one `{frame.function}` aggregate reads one list: it already reads "
            f"`{frame.items}`, not also `{key}`",
        )
    return found
