"""The types pass: the type of every expression, and the rules on where each may be
used (aggregates, links, bands, percents).

`Checker` adds expression typing to `Scope`; the other passes are functions of it. The
types of fields are found by fields.py and those of calls and aggregates by calls.py.
"""

from __future__ import annotations

from decimal import Decimal

from chamdiem.dsl import syntax as s
from chamdiem.dsl.catalogs import Catalogs
from chamdiem.dsl.check import calls, fields
from chamdiem.dsl.check.resolved import CallKind, ExprKey, expr_key
from chamdiem.dsl.check.scope import AggregateFrame, Ctx, Scope, Symbol
from chamdiem.dsl.check.types import (
    BOOL,
    DATE,
    GRADE,
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
from chamdiem.dsl.names import BUILTIN_ATTRIBUTES, canonical
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
            return fields.attribute(self, node, ctx)
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
            return calls.call(self, node, ctx)
        if isinstance(node, s.Band):
            return self.band(node, ctx)
        if isinstance(node, s.Index):
            fields.catalog_record(self, node.target, ctx)
            self.value(node.key, ctx)
            fields.needs_field(self, node)
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
