"""The types pass: the type of every expression, and the rules on where each may be
used (aggregates, links, bands, percents).

`Checker` adds expression typing to `Scope`; the other passes are functions of it.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from chamdiem.dsl import syntax as s
from chamdiem.dsl.aggregates import item_refs
from chamdiem.dsl.catalogs import Catalogs
from chamdiem.dsl.check.resolved import CallKind, ExprKey, expr_key
from chamdiem.dsl.check.scope import AggregateFrame, Ctx, Scope, Symbol
from chamdiem.dsl.check.types import (
    ALL_FUNCTIONS,
    BOOL,
    DATE,
    GRADE,
    MAX_ROUND_PLACES,
    NUMBER,
    RESULT_FIELD_TYPES,
    TEXT,
    UNKNOWN,
    Type,
    input_type,
    unify,
)
from chamdiem.dsl.diagnostics import Text, did_you_mean
from chamdiem.dsl.intervals import RealSet, format_number
from chamdiem.dsl.names import (
    BUILTIN_ATTRIBUTES,
    FUNCTION_KEYWORDS,
    LINK_FUNCTIONS,
    LIST_LINKS,
    RECORD_LINKS,
    SCALAR_FUNCTIONS,
    canonical,
    is_aggregate,
)
from chamdiem.dsl.ranges import constant_number


class Checker(Scope):
    def __init__(
        self, module: s.Module, complete: bool = True, catalogs: Catalogs | None = None
    ) -> None:
        super().__init__(module, complete, catalogs)
        # What the resolved program (resolved.py) gives the later passes.
        self.types: dict[ExprKey, Type] = {}
        self.calls: dict[int, CallKind] = {}
        self.folds: dict[int, str | None] = {}
        self._checking_lets_items: set[tuple[str, str]] = set()

    def need(
        self, found: Type, node: s.Expr, wanted: Type, code: str, what: Text | None = None
    ) -> None:
        """Report when `found` is not `wanted` (unknown types were reported already)."""
        if found.is_(wanted.kind):
            return
        shown = self.text(node)
        lead_vi = f"{what.vi}: " if what else ""
        lead_en = f"{what.en}: " if what else ""
        self.error(
            code,
            node.span,
            f"{lead_vi}cần {wanted.describe().vi}, nhưng `{shown}` là {found.describe().vi}",
            f"{lead_en}{wanted.describe().en} is needed, but `{shown}` is {found.describe().en}",
        )

    def condition(self, node: s.Expr, ctx: Ctx, keyword: str) -> None:
        found = self.value(node, ctx)
        self.need(
            found, node, BOOL, "E013", Text(f"điều kiện `{keyword}`", f"the `{keyword}` condition")
        )

    def value(self, node: s.Expr, ctx: Ctx) -> Type:
        """The type of an expression used as a value (a whole list is not a value)."""
        found = self.expr(node, ctx)
        if found.kind == "items":
            self.error(
                "E017",
                node.span,
                f"`{found.items}` là một danh sách: chỉ dùng được trong hàm gộp, ví dụ "
                f"count({found.items}) hoặc sum({found.items}.TRƯỜNG)",
                f"`{found.items}` is a list: use it inside an aggregate, e.g. "
                f"count({found.items}) or sum({found.items}.FIELD)",
            )
            return UNKNOWN
        return found

    def expr(self, node: s.Expr, ctx: Ctx) -> Type:
        found = self.expr_type(node, ctx)
        self.types[expr_key(node)] = found
        return found

    def expr_type(self, node: s.Expr, ctx: Ctx) -> Type:
        if isinstance(node, s.Number):
            return NUMBER
        if isinstance(node, s.Bool):
            return BOOL
        if isinstance(node, s.String):
            return TEXT
        if isinstance(node, s.DateLit):
            return DATE
        if isinstance(node, s.Name):
            return self.name(node, ctx)
        if isinstance(node, s.Attribute):
            return self.attribute(node, ctx)
        if isinstance(node, s.Unary):
            if node.op == "-":
                self.need(
                    self.value(node.operand, ctx),
                    node.operand,
                    NUMBER,
                    "E012",
                    Text("dấu `-`", "the `-` sign"),
                )
                return NUMBER
            self.need(
                self.value(node.operand, ctx), node.operand, BOOL, "E013", Text("`not`", "`not`")
            )
            return BOOL
        if isinstance(node, s.Binary):
            return self.binary(node, ctx)
        if isinstance(node, s.Conditional):
            self.condition(node.condition, ctx, "if")
            then = self.value(node.then, ctx)
            otherwise = self.value(node.otherwise, ctx)
            common = unify(then, otherwise)
            if common is None:
                self.error(
                    "E016",
                    node.span,
                    f"hai nhánh của `if` phải cùng kiểu: `then` là {then.describe().vi}, "
                    f"`else` là {otherwise.describe().vi}",
                    f"both branches of `if` must have one type: `then` is "
                    f"{then.describe().en}, `else` is {otherwise.describe().en}",
                )
                return UNKNOWN
            return common
        if isinstance(node, s.Call):
            return self.call(node, ctx)
        if isinstance(node, s.Band):
            return self.band(node, ctx)
        if isinstance(node, s.Index):
            self.catalog_record(node.target, ctx)
            self.value(node.key, ctx)
            self.needs_field(node)
            return UNKNOWN
        # NotApplicable, ListLit, RecordLit
        self.error(
            "E023",
            node.span,
            "giá trị này chỉ dùng được trong kiểm thử (`given`/`expect`), không dùng trong "
            "công thức",
            "this value is only for tests (`given`/`expect`), not for formulas",
        )
        return UNKNOWN

    def name(self, node: s.Name, ctx: Ctx) -> Type:
        name = node.name
        if ctx.item is not None:
            # In a `let` of an items block, the item's fields and lets are read by name.
            own = next((f for f in ctx.item.fields if f.name == name), None)
            if own is not None:
                return input_type(own.type)
            let = next((x for x in ctx.item.lets if x.name == name), None)
            if let is not None:
                return self.item_let_type(ctx.item, let)
        if ctx.frame is not None and ctx.frame.link is not None:
            # Inside an aggregate over a needed rule set's results, `grade`, `total` … are
            # the row's; other names may be that rule set's values, which are not visible here.
            field_type = RESULT_FIELD_TYPES.get(canonical(name))
            if field_type is not None:
                return field_type
            if name not in self.symbols and canonical(name) not in BUILTIN_ATTRIBUTES:
                return UNKNOWN
        symbol = self.symbols.get(name)
        if symbol is not None and symbol.kind == "catalog":
            self.used.add(name)
            self.error(
                "E063",
                node.span,
                f"`{name}` là một danh mục: đọc một trường của một dòng, ví dụ {name}[mã].trường",
                f"`{name}` is a catalogue: read a field of one row, e.g. {name}[key].field",
            )
            return UNKNOWN
        if symbol is not None:
            ctx.refs.add(name)
            self.used.add(name)
            if ctx.cohort and symbol.kind not in ("param", "grade"):
                self.per_subject_in_cohort(node)
                return UNKNOWN
            return self.symbol_type(symbol)
        if name == "total":
            ctx.refs.add("total")
            if ctx.cohort:
                self.per_subject_in_cohort(node)
                return UNKNOWN
            return NUMBER
        if name in ("grade", "score_grade"):
            if not (ctx.allow_grade or (name == "score_grade" and ctx.allow_score_grade)):
                self.error(
                    "E022",
                    node.span,
                    f"`{name}` chỉ dùng được trong hạn mức (quota: số lượng, xếp hạng) và trong "
                    "kỳ vọng của kiểm thử; ở đây nó sẽ phụ thuộc vào chính nó",
                    f"`{name}` can only be used in quotas (count, rank) and test expectations; "
                    "here it would depend on itself",
                )
                return UNKNOWN
            if ctx.cohort:
                self.per_subject_in_cohort(node)
                return UNKNOWN
            return GRADE
        attribute = canonical(name)
        if attribute in BUILTIN_ATTRIBUTES:
            if ctx.cohort:
                self.per_subject_in_cohort(node)
                return UNKNOWN
            return BOOL if BUILTIN_ATTRIBUTES[attribute] == "bool" else TEXT
        self.error(
            "E006",
            node.span,
            f"tên `{name}` chưa được khai báo",
            f"`{name}` is not declared",
            *self.suggest(name, self.visible_names(ctx)),
        )
        return UNKNOWN

    def per_subject_in_cohort(self, node: s.Name) -> None:
        self.error(
            "E035",
            node.span,
            f"số lượng của hạn mức tính trên cả nhóm đối tượng: `{node.name}` là giá trị của "
            "từng đối tượng, hãy đặt nó trong count(…)",
            f"a quota's count is over the whole group: `{node.name}` is a value per subject; "
            f"put it inside count(…)",
        )

    def symbol_type(self, symbol: Symbol) -> Type:
        node = symbol.node
        if isinstance(node, s.Input):
            return input_type(node.type)
        if isinstance(node, s.Items):
            return Type("items", items=node.name)
        if isinstance(node, s.Param):
            return self.param_type(node)
        if isinstance(node, s.Let):
            return self.let_type(node.name)
        if isinstance(node, s.Grade):
            return GRADE
        return NUMBER  # groups and criteria

    def let_type(self, name: str) -> Type:
        """The type of a let, checking its formula the first time it is asked for."""
        known = self._let_types.get(name)
        if known is not None:
            return known
        if name in self._checking_lets:
            return UNKNOWN  # a cycle: reported by check_cycles
        self._checking_lets.add(name)
        decl = self.lets[name]
        refs: set[str] = set()
        self.depends[name] = refs
        found = self.value(decl.expr, Ctx(refs))
        self._checking_lets.discard(name)
        self._let_types[name] = found
        return found

    def item_let_type(self, items: s.Items, let: s.Let) -> Type:
        """The type of a value per item, checking its formula the first time."""
        key = (items.name, let.name)
        known = self._item_let_types.get(key)
        if known is not None:
            return known
        if key in self._checking_lets_items:
            self.error(
                "E066",
                let.name_span,
                f"giá trị `{let.name}` của danh sách `{items.name}` phụ thuộc vào chính nó",
                f"the value `{let.name}` of the list `{items.name}` depends on itself",
            )
            self._item_let_types[key] = UNKNOWN
            return UNKNOWN
        self._checking_lets_items.add(key)
        refs: set[str] = {items.name}
        frame = AggregateFrame("let", items=items.name)
        found = self.value(let.expr, Ctx(refs, frame=frame, item=items))
        self._checking_lets_items.discard(key)
        self._item_let_types.setdefault(key, found)
        return self._item_let_types[key]

    def undeclared_catalogs(self) -> list[str]:
        """Catalogues named by `key of` that are not declared (reported once, by E061)."""
        named = [f.type.catalog for f in self.inputs.values()]
        named += [f.type.catalog for d in self.items.values() for f in d.fields]
        return [n for n in named if n is not None and n not in self.catalogs]

    def catalog_record(self, target: s.Expr, ctx: Ctx) -> s.Catalog | None:
        """The catalogue that `target` names in `C[k]` or `lookup(C, …)`, or None (reported)."""
        if isinstance(target, s.Name):
            decl = self.catalogs.get(target.name)
            if decl is not None and self.symbols[target.name].node is decl:
                self.used.add(target.name)
                return decl
        shown = self.text(target)
        self.error(
            "E063",
            target.span,
            f"`{shown}` không phải một danh mục (catalog): chỉ danh mục mới tra được bằng [mã]",
            f"`{shown}` is not a catalogue: only catalogues are looked up with [key]",
            *self.suggest(shown, self.catalogs),
        )
        return None

    def needs_field(self, node: s.Expr) -> None:
        self.error(
            "E063",
            node.span,
            f"`{self.text(node)}` là một dòng của danh mục: đọc một trường của nó, ví dụ "
            f"`{self.text(node)}.trường`",
            f"`{self.text(node)}` is a row of a catalogue: read one of its fields, e.g. "
            f"`{self.text(node)}.field`",
        )

    def catalog_field(self, decl: s.Catalog, node: s.Attribute) -> Type:
        found = decl.field(node.name)
        if found is None:
            self.error(
                "E007",
                node.name_span,
                f"danh mục `{decl.name}` không có trường `{node.name}`",
                f"the catalogue `{decl.name}` has no field `{node.name}`",
                *did_you_mean(node.name, [f.name for f in decl.fields]),
            )
            return UNKNOWN
        return input_type(found.type)

    def indexed_field(self, node: s.Attribute, index: s.Index, ctx: Ctx) -> Type:
        """`C[k].field`: k must be a key of C (declared `key of C`, or a key written out)."""
        decl = self.catalog_record(index.target, ctx)
        key_type = self.value(index.key, ctx)
        if decl is None:
            return UNKNOWN
        key = index.key
        if isinstance(key, s.String):
            problem = self.key_problem(key.value, decl.name)
            table = self.catalog_rows.get(decl.name)
            if (
                problem is None
                and table is not None
                and key.value not in table.keys_in_every_version()
            ):
                problem = Text(
                    f'"{key.value}" không có trong mọi tệp dữ liệu của `{decl.name}`',
                    f'"{key.value}" is not in every rows file of `{decl.name}`',
                )
            if problem is not None:
                self.error("E062", key.span, problem.vi, problem.en)
        elif key_type.kind != "unknown" and not (
            key_type.kind == "key" and key_type.catalog in (decl.name, *self.undeclared_catalogs())
        ):
            shown = self.text(key)
            self.error(
                "E062",
                key.span,
                f"`{shown}` ({key_type.describe().vi}) có thể không phải mã trong danh mục "
                f"`{decl.name}`: khai báo nó `: mã trong {decl.name}`, hoặc viết "
                f"lookup({decl.name}, {shown}, default: …).{node.name}",
                f"`{shown}` ({key_type.describe().en}) may not be a key of the catalogue "
                f"`{decl.name}`: declare it `: key of {decl.name}`, or write "
                f"lookup({decl.name}, {shown}, default: …).{node.name}",
            )
        return self.catalog_field(decl, node)

    def lookup_field(self, node: s.Attribute, call: s.Call, ctx: Ctx) -> Type:
        """`lookup(C, k, default: V).field`: the field, or V when k is not a key of C."""
        self.calls[call.span.start] = "scalar"
        if len(call.args) != 2 or call.where is not None:
            self.error(
                "E065",
                call.span,
                "`lookup` nhận hai đối số và `default:`: lookup(danh_mục, mã, default: giá_trị)",
                "`lookup` takes two arguments and `default:`: lookup(catalog, key, default: value)",
            )
            for arg in call.args:
                self.value(arg, ctx)
            return UNKNOWN
        decl = self.catalog_record(call.args[0], ctx)
        key_type = self.value(call.args[1], ctx)
        if key_type.kind not in ("text", "enum", "key"):
            self.need(key_type, call.args[1], TEXT, "E065", Text("`lookup`", "`lookup`"))
        default = next((k for k in call.keywords if k.name == "default"), None)
        for keyword in call.keywords:
            if keyword.name != "default":
                self.error(
                    "E010",
                    keyword.span,
                    f"hàm `lookup` không có đối số `{keyword.name}`",
                    f"the function `lookup` has no argument `{keyword.name}`",
                    Text("`lookup` nhận: default", "`lookup` takes: default"),
                )
        fallback = self.value(default.value, ctx) if default is not None else UNKNOWN
        if decl is None:
            return UNKNOWN
        found = self.catalog_field(decl, node)
        if default is None:
            self.error(
                "E065",
                call.span,
                "`lookup` cần `default:`: giá trị khi mã không có trong danh mục",
                "`lookup` needs `default:`: the value when the key is not in the catalogue",
            )
        elif unify(found, fallback) is None:
            self.error(
                "E065",
                default.value.span,
                f"`default` phải cùng kiểu với trường `{node.name}`: cần {found.describe().vi}, "
                f"nhưng `{self.text(default.value)}` là {fallback.describe().vi}",
                f"`default` must have the type of the field `{node.name}`: "
                f"{found.describe().en} is needed, but `{self.text(default.value)}` is "
                f"{fallback.describe().en}",
            )
        return found

    def attribute(self, node: s.Attribute, ctx: Ctx) -> Type:
        target = node.target
        if isinstance(target, s.Index):
            return self.indexed_field(node, target, ctx)
        if isinstance(target, s.Call) and target.function == "lookup":
            return self.lookup_field(node, target, ctx)
        if isinstance(target, s.Call) and target.function in LINK_FUNCTIONS:
            return self.link_field(node, target, ctx)
        if not isinstance(target, s.Name):
            self.value(target, ctx)
            self.error(
                "E007",
                node.name_span,
                "chỉ phần tử của danh sách (items) mới có trường, ví dụ `san_pham.he_so`",
                "only items lists have fields, e.g. `san_pham.he_so`",
            )
            return UNKNOWN
        items = self.items.get(target.name)
        if items is None or self.symbols[target.name].node is not items:
            found = self.value(target, ctx)
            if found.kind != "unknown":
                self.error(
                    "E007",
                    node.name_span,
                    f"`{target.name}` không phải danh sách nên không có trường `{node.name}`",
                    f"`{target.name}` is not an items list, so it has no field `{node.name}`",
                )
            return UNKNOWN
        ctx.refs.add(target.name)
        self.used.add(target.name)
        item_field = next((f for f in items.fields if f.name == node.name), None)
        item_let = next((x for x in items.lets if x.name == node.name), None)
        frame = ctx.frame
        if item_field is None and item_let is None:
            self.error(
                "E007",
                node.name_span,
                f"danh sách `{items.name}` không có trường `{node.name}`",
                f"the list `{items.name}` has no field `{node.name}`",
                *did_you_mean(
                    node.name, [f.name for f in items.fields] + [x.name for x in items.lets]
                ),
            )
            if frame is not None and frame.items is None:
                frame.items = items.name
            return UNKNOWN
        if frame is None:
            self.error(
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
            self.error(
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
        return self.item_let_type(items, item_let)

    def link_field(self, node: s.Attribute, target: s.Call, ctx: Ctx) -> Type:
        """`unit_result(R).grade` (one value per subject) or `periods(R).total` (one value
        per row, so only inside an aggregate)."""
        key = self.link(target)
        found = RESULT_FIELD_TYPES.get(canonical(node.name), UNKNOWN)
        if key is None and ctx.frame is not None and ctx.frame.items is None:
            ctx.frame.items = ""  # the list is wrong (reported), but there is one
        if key is None or target.function in RECORD_LINKS:
            return found
        frame = ctx.frame
        if frame is None:
            self.error(
                "E018",
                node.span,
                f"`{self.text(node)}` là giá trị của từng kết quả: chỉ dùng được trong hàm gộp, "
                f"ví dụ mean({self.text(node)})",
                f"`{self.text(node)}` has one value per result: use it inside an aggregate, "
                f"e.g. mean({self.text(node)})",
            )
        elif frame.items is None:
            frame.items = key
        elif frame.items != key:
            self.error(
                "E019",
                node.span,
                f"một hàm gộp `{frame.function}` chỉ đọc được một danh sách: đã dùng "
                f"`{frame.items}`, không thể dùng thêm `{key}`",
                f"one `{frame.function}` aggregate reads one list: it already reads "
                f"`{frame.items}`, not also `{key}`",
            )
        return found

    def binary(self, node: s.Binary, ctx: Ctx) -> Type:
        op = node.op
        left = self.value(node.left, ctx)
        right = self.value(node.right, ctx)
        if op in ("+", "-", "==", "!=", "<", "<=", ">", ">="):
            self.percent_with_plain(node.left, node.right)
            self.percent_with_plain(node.right, node.left)
        if op in ("+", "-", "*", "/"):
            what = Text(f"phép `{op}`", f"`{op}`")
            self.need(left, node.left, NUMBER, "E012", what)
            self.need(right, node.right, NUMBER, "E012", what)
            return NUMBER
        if op in ("and", "or"):
            what = Text(f"`{op}`", f"`{op}`")
            self.need(left, node.left, BOOL, "E013", what)
            self.need(right, node.right, BOOL, "E013", what)
            return BOOL
        self.comparison(node, left, right)
        return BOOL

    def comparison(self, node: s.Binary, left: Type, right: Type) -> None:
        if left.kind == "unknown" or right.kind == "unknown":
            return
        ordered = node.op not in ("==", "!=")
        textual = ("text", "enum")
        same = left.kind == right.kind or (left.kind in textual and right.kind in textual)
        if not same:
            self.error(
                "E014",
                node.op_span,
                f"không so sánh được {left.describe().vi} (`{self.text(node.left)}`) với "
                f"{right.describe().vi} (`{self.text(node.right)}`)",
                f"cannot compare {left.describe().en} (`{self.text(node.left)}`) with "
                f"{right.describe().en} (`{self.text(node.right)}`)",
            )
            return
        if ordered and left.kind not in ("number", "date", "grade"):
            self.error(
                "E014",
                node.op_span,
                f"phép `{node.op}` chỉ dùng cho số, ngày và mức xếp loại, không dùng cho "
                f"{left.describe().vi}",
                f"`{node.op}` compares numbers, dates and grades, not {left.describe().en}",
            )
            return
        for enum_side, other in ((left, node.right), (right, node.left)):
            if (
                enum_side.kind == "enum"
                and isinstance(other, s.String)
                and other.value not in enum_side.choices
            ):
                listed = ", ".join(f'"{c}"' for c in enum_side.choices)
                self.error(
                    "E015",
                    other.span,
                    f'"{other.value}" không phải một lựa chọn; các lựa chọn: {listed}',
                    f'"{other.value}" is not one of the choices: {listed}',
                    *did_you_mean(other.value, enum_side.choices),
                )

    def call(self, node: s.Call, ctx: Ctx) -> Type:
        function = node.function
        if function in LINK_FUNCTIONS:
            key = self.link(node)
            if key is None:
                return UNKNOWN
            self.calls[node.span.start] = "link"
            if function in LIST_LINKS:
                return Type("items", items=key)
            self.error(
                "E017",
                node.span,
                f"`{key}` là một kết quả: hãy đọc một trường của nó, ví dụ {key}.grade",
                f"`{key}` is a result: read one of its fields, e.g. {key}.grade",
            )
            return UNKNOWN
        if function == "lookup":
            for arg in node.args:
                self.value(arg, ctx)
            self.needs_field(node)
            return UNKNOWN
        if function not in ALL_FUNCTIONS:
            self.error(
                "E008",
                node.function_span,
                f"không có hàm `{function}`",
                f"there is no function `{function}`",
                *did_you_mean(function, ALL_FUNCTIONS),
            )
            for arg in node.args:
                self.value(arg, ctx)
            return UNKNOWN
        aggregate = is_aggregate(function, len(node.args))
        allowed = FUNCTION_KEYWORDS.get(function, ()) if aggregate or function == "ratio" else ()
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
                self.error(
                    "E010",
                    keyword.span,
                    f"hàm `{function}` không có đối số `{keyword.name}`",
                    f"the function `{function}` has no argument `{keyword.name}`",
                    hint,
                )
            elif keyword.name in keywords:
                self.error(
                    "E010",
                    keyword.span,
                    f"đối số `{keyword.name}` được cho hai lần",
                    f"the argument `{keyword.name}` is given twice",
                )
            else:
                keywords[keyword.name] = keyword
        if aggregate:
            return self.aggregate(node, ctx, keywords)
        self.calls[node.span.start] = "scalar"
        if node.where is not None:
            self.error(
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
            self.error(
                "E009",
                node.span,
                f"hàm `{function}` cần {wanted_vi} đối số, ở đây có {count}",
                f"`{function}` takes {wanted_en} arguments, not {count}",
            )
        what = Text(f"hàm `{function}`", f"`{function}`")
        for i, arg in enumerate(node.args):
            if function == "round" and i == 1:
                self.round_places(arg)
                continue
            self.need(self.value(arg, ctx), arg, NUMBER, "E012", what)
        for keyword in keywords.values():
            self.need(
                self.value(keyword.value, ctx),
                keyword.value,
                NUMBER,
                "E012",
                Text(f"`{keyword.name}`", f"`{keyword.name}`"),
            )
        return NUMBER

    def round_places(self, arg: s.Expr) -> None:
        ok = (
            isinstance(arg, s.Number)
            and not arg.percent
            and arg.value == arg.value.to_integral_value()
            and 0 <= arg.value <= MAX_ROUND_PLACES
        )
        if not ok:
            self.error(
                "E011",
                arg.span,
                f"số chữ số của `round` phải là một số nguyên viết trực tiếp từ 0 đến "
                f"{MAX_ROUND_PLACES}",
                f"the places of `round` must be a whole number from 0 to {MAX_ROUND_PLACES} "
                "written out",
            )

    def aggregate(self, node: s.Call, ctx: Ctx, keywords: dict[str, s.Keyword]) -> Type:
        function = node.function
        result = BOOL if function in ("any", "all") else NUMBER
        for keyword in keywords.values():
            # if_empty is evaluated per subject, outside the aggregate's rows.
            outer = replace(ctx, frame=None) if ctx.frame is not None else ctx
            self.need(
                self.value(keyword.value, outer),
                keyword.value,
                NUMBER,
                "E012",
                Text(f"`{keyword.name}`", f"`{keyword.name}`"),
            )
        if len(node.args) != 1:
            self.error(
                "E009",
                node.span,
                f"hàm gộp `{function}` cần đúng 1 đối số, ở đây có {len(node.args)}",
                f"the aggregate `{function}` takes exactly 1 argument, not {len(node.args)}",
            )
            for arg in node.args:
                self.value(arg, replace(ctx, frame=AggregateFrame(function), cohort=False))
            return result
        if ctx.frame is not None:
            ctx.frame.nested = True
            self.error(
                "E020",
                node.function_span,
                f"không lồng hàm gộp `{function}` bên trong hàm gộp `{ctx.frame.function}`; "
                "hãy tính phần bên trong bằng một `let` riêng",
                f"an aggregate `{function}` cannot be nested inside `{ctx.frame.function}`; "
                "compute the inner part in its own `let`",
            )
        arg = node.args[0]
        lists = item_refs(arg, node.where, self.items, LIST_LINKS)
        if ctx.cohort and ctx.frame is None and not lists and function in ("count", "sum"):
            self.calls[node.span.start] = "cohort"
            return self.cohort_aggregate(node, ctx)
        self.calls[node.span.start] = "aggregate"
        self.folds[node.span.start] = lists[0] if lists else None
        frame = AggregateFrame(function, link=next((k for k in sorted(lists) if "(" in k), None))
        inner = replace(ctx, frame=frame, cohort=False)
        whole_list = (isinstance(arg, s.Name) and self.symbol_kind(arg.name) == "items") or (
            isinstance(arg, s.Call) and arg.function in LIST_LINKS
        )
        if whole_list:
            listed = self.expr(arg, inner)
            frame.items = listed.items if listed.kind == "items" else ""  # "": reported
            if function != "count" and listed.kind == "items":
                self.whole_list_needs_field(function, listed.items, arg)
        else:
            found = self.value(arg, inner)
            wanted = BOOL if function in ("any", "all", "count") else NUMBER
            self.need(
                found,
                arg,
                wanted,
                "E012" if wanted == NUMBER else "E013",
                Text(f"hàm gộp `{function}`", f"the aggregate `{function}`"),
            )
        if node.where is not None:
            self.condition(node.where, inner, "where")
        if frame.items is None and ctx.frame is None and not frame.nested:
            names = [f"{n}.{f.name}" for n, d in self.items.items() for f in d.fields[:1]]
            example = names[0] if names else "danh_sach.truong"
            self.error(
                "E021",
                node.span,
                f"hàm gộp `{function}` cần đọc một danh sách (items), ví dụ {function}({example})",
                f"the aggregate `{function}` must read an items list, e.g. {function}({example})",
            )
        elif ctx.cohort and ctx.frame is None and not frame.nested:
            self.error(
                "E035",
                node.span,
                f"`{function}(…)` ở đây tính trên danh sách của từng đối tượng; số lượng của hạn "
                "mức tính trên cả nhóm đối tượng: hãy đếm đối tượng, ví dụ count(grade >= tot)",
                f"`{function}(…)` here works on each subject's list; a quota's count is over the "
                "whole group: count subjects, e.g. count(grade >= tot)",
            )
        return result

    def whole_list_needs_field(self, function: str, items: str, arg: s.Expr) -> None:
        decl = self.items.get(items)
        first = decl.fields[0].name if decl is not None and decl.fields else "total"
        example = f"{items}.{first}"
        self.error(
            "E017",
            arg.span,
            f"`{function}` cần một trường của danh sách `{items}`, ví dụ "
            f"{function}({example}); chỉ `count` nhận cả danh sách",
            f"`{function}` needs a field of the list `{items}`, e.g. "
            f"{function}({example}); only `count` takes a whole list",
        )

    def cohort_aggregate(self, node: s.Call, ctx: Ctx) -> Type:
        """`count(COND)` / `sum(X)` over the subjects of a quota group."""
        inner = replace(ctx, cohort=False)
        arg = node.args[0]
        wanted = BOOL if node.function == "count" else NUMBER
        self.need(
            self.value(arg, inner),
            arg,
            wanted,
            "E013" if wanted == BOOL else "E012",
            Text(f"`{node.function}` trong hạn mức", f"`{node.function}` in a quota"),
        )
        if node.where is not None:
            self.condition(node.where, inner, "where")
        return NUMBER

    def is_percent(self, node: s.Expr, seen: frozenset[str] = frozenset()) -> bool:
        """Whether a value is a percent: a `percent` input or list field, a param written
        in percent, a let that is one of these."""
        if isinstance(node, s.Attribute) and isinstance(node.target, s.Name):
            items = self.items.get(node.target.name)
            found = next((f for f in items.fields if f.name == node.name), None) if items else None
            return found is not None and found.type.kind == "percent"
        if not isinstance(node, s.Name) or node.name in seen:
            return False
        if node.name in self.inputs:
            return self.inputs[node.name].type.kind == "percent"
        if node.name in self.params:
            values = [v.value for v in self.params[node.name].values]
            return all(isinstance(v, s.Number) and v.percent for v in values)
        let = self.lets.get(node.name)
        return let is not None and self.is_percent(let.expr, seen | {node.name})

    def percent_with_plain(self, percent: s.Expr, other: s.Expr) -> None:
        """W009: `ty_le == 100` where `ty_le` is a percent: 100 is 10000%, not 100%."""
        if not (
            isinstance(other, s.Number)
            and not other.percent
            and other.value > 1
            and self.is_percent(percent)
        ):
            return
        if other.span.start in self._percent_warned:
            return
        self._percent_warned.add(other.span.start)
        as_percent = format(Decimal(other.value * 100).normalize(), "f")
        written = f"{other.text}%"
        self.warning(
            "W009",
            other.span,
            f"`{self.text(percent)}` là phần trăm, còn `{other.text}` là số thường: "
            f"{other.text} = {as_percent}%, không phải {written}",
            f"`{self.text(percent)}` is a percent and `{other.text}` a plain number: "
            f"{other.text} = {as_percent}%, not {written}",
            Text(
                f"nếu ý là {written}, viết `{written}`",
                f"if you mean {written}, write `{written}`",
            ),
        )

    def band(self, node: s.Band, ctx: Ctx) -> Type:
        subject = self.value(node.subject, ctx)
        self.need(
            subject,
            node.subject,
            NUMBER,
            "E012",
            Text("giá trị được tra trong `band`", "the subject of a `band`"),
        )
        result = UNKNOWN
        covered = RealSet.empty()
        for row in node.rows:
            for bound in (row.bound, row.upper):
                if bound is not None:
                    self.percent_with_plain(node.subject, bound)
                    self.need(
                        self.value(bound, ctx),
                        bound,
                        NUMBER,
                        "E012",
                        Text("ngưỡng của `band`", "a `band` bound"),
                    )
            result = self.band_value(row.value, ctx, result)
            covered = self.band_row_reach(row, covered)
        if node.otherwise is None:
            self.error(
                "E026",
                node.span,
                "`band` thiếu dòng `else -> …` (ngược lại): giá trị khi không dòng nào đúng",
                "the `band` lacks an `else -> …` row: the value when no row holds",
            )
        else:
            result = self.band_value(node.otherwise, ctx, result)
        return result

    def band_value(self, value: s.Expr, ctx: Ctx, so_far: Type) -> Type:
        found = self.value(value, ctx)
        common = unify(so_far, found)
        if common is None:
            self.error(
                "E016",
                value.span,
                f"mọi dòng của `band` phải cho cùng kiểu: dòng này là {found.describe().vi}, "
                f"các dòng trên là {so_far.describe().vi}",
                f"every row of a `band` must give one type: this row is {found.describe().en}, "
                f"the rows above are {so_far.describe().en}",
            )
            return so_far
        return common

    def band_row_reach(self, row: s.BandRow, covered: RealSet) -> RealSet:
        """Report a row that an earlier row always takes first; return the values taken."""
        bound = constant_number(row.bound, self.params)
        if bound is None:
            return covered
        if row.op == "..":
            upper = constant_number(row.upper, self.params) if row.upper is not None else None
            if upper is None:
                return covered
            if upper < bound:
                self.error(
                    "E027",
                    row.span,
                    f"khoảng {format_number(bound)}..{format_number(upper)} rỗng: cận dưới "
                    "lớn hơn cận trên",
                    f"the range {format_number(bound)}..{format_number(upper)} is empty: the "
                    "low end is above the high end",
                )
                return covered
            taken = RealSet.compare(">=", bound).intersect(RealSet.compare("<=", upper))
        else:
            taken = RealSet.compare(row.op, bound)
        if taken.minus(covered).is_empty:
            self.error(
                "E027",
                row.span,
                "dòng này không bao giờ được dùng: mọi giá trị thỏa nó đã thỏa một dòng phía "
                "trên (band lấy dòng đúng đầu tiên); hãy xếp ngưỡng cao trước",
                "this row is never used: every value it matches is taken by a row above (a "
                "band takes the first row that holds); put the higher thresholds first",
            )
        return covered.union(taken)
