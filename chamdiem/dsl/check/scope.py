"""Scope and names: the symbol table of a rule file and the state the passes share.

`Scope` holds what the passes learn (declared names, the header's precision, scale
and needs, the names read so far) and the lookups of declared names: the type of a
param or a let, a grade's name, a link to a needed rule set.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from chamdiem.dsl import syntax as s
from chamdiem.dsl.catalogs import Catalogs
from chamdiem.dsl.check.types import (
    ALL_FUNCTIONS,
    NUMBER_KINDS,
    TEXT,
    UNKNOWN,
    Type,
    in_range,
    literal_number,
    literal_type,
)
from chamdiem.dsl.diagnostics import Diagnostic, Text, closest_names, did_you_mean, error, warning
from chamdiem.dsl.names import (
    BUILTIN_ALIASES,
    BUILTIN_ATTRIBUTES,
    LINK_FUNCTIONS,
    SPECIAL_NAMES,
    canonical,
)

SymbolKind = Literal["input", "items", "catalog", "param", "let", "group", "criterion", "grade"]

KIND_WORDS: dict[str, tuple[str, str]] = {
    "input": ("đầu vào", "input"),
    "items": ("danh sách", "items list"),
    "catalog": ("danh mục", "catalog"),
    "param": ("tham số", "param"),
    "let": ("giá trị trung gian (let)", "let"),
    "group": ("nhóm", "group"),
    "criterion": ("tiêu chí", "criterion"),
    "grade": ("mức xếp loại", "grade"),
}


@dataclass(frozen=True, slots=True)
class Symbol:
    name: str
    kind: SymbolKind
    span: s.Span
    node: s.Input | s.Items | s.Catalog | s.Param | s.Let | s.Group | s.Criterion | s.Grade


# ---------------------------------------------------------------- where an expression is


@dataclass(slots=True)
class AggregateFrame:
    """An aggregate over items being checked: which list its item references read."""

    function: str
    items: str | None = None
    nested: bool = False  # an aggregate inside it was reported
    link: str | None = None  # `members(R)` when it runs over a needed rule set's results


@dataclass(frozen=True, slots=True)
class Ctx:
    """The place an expression is checked in."""

    refs: set[str]  # names the enclosing declaration reads (for cycles and unused names)
    allow_grade: bool = False  # `grade` and `score_grade` (quota count and rank keys)
    # `score_grade` alone: a veto's condition (the grade from points is known before vetoes)
    allow_score_grade: bool = False
    cohort: bool = False  # top level of a quota count: per-subject values need count(...)
    frame: AggregateFrame | None = None
    # Inside a `let` of an items block: the list, whose fields and lets are read by name.
    item: s.Items | None = None


def span_text(node: s.Expr, source: str) -> str:
    text = source[node.span.start : node.span.end]
    return text if len(text) <= 40 and "\n" not in text else text[:37].split("\n")[0] + "…"


def first_declared(span: s.Span) -> Text:
    return Text(
        f"khai báo lần đầu ở dòng {span.line}, cột {span.column}",
        f"first declared on line {span.line}, column {span.column}",
    )


class Scope:
    def __init__(
        self, module: s.Module, complete: bool = True, catalogs: Catalogs | None = None
    ) -> None:
        self.module = module
        self.catalog_rows: Catalogs = catalogs or {}
        self.catalogs: dict[str, s.Catalog] = {}
        self._item_let_types: dict[tuple[str, str], Type] = {}
        # False when declarations were lost to syntax errors: judgments about the whole file
        # (a missing block, unused names, the scale, reachable grades) are then left out.
        self.complete = complete
        self.source = module.source
        self.diagnostics: list[Diagnostic] = []
        self.symbols: dict[str, Symbol] = {}
        self.inputs: dict[str, s.Input] = {}
        self.items: dict[str, s.Items] = {}
        self.params: dict[str, s.Param] = {}
        self.lets: dict[str, s.Let] = {}
        self.groups: list[s.Group] = []
        self.criteria: dict[str, tuple[s.Criterion, s.Group]] = {}
        self.grades: s.Grades | None = None
        self.total: s.Total | None = None
        self.needs: tuple[str, ...] = ()
        self.precision = 2
        self.scale_clause: s.HeaderClause | None = None
        self.scale_value: Decimal | None = None
        self.used: set[str] = set()
        self.suggested: set[str] = set()
        self.depends: dict[str, set[str]] = {}  # lets, criteria, groups, total -> names read
        self._let_types: dict[str, Type] = {}
        self._checking_lets: set[str] = set()
        self._param_types: dict[str, Type] = {}
        self._percent_warned: set[int] = set()  # W009, once per literal

    def error(self, code: str, span: s.Span | None, vi: str, en: str, *hints: Text) -> None:
        self.diagnostics.append(error(code, span, vi, en, *hints))

    def warning(self, code: str, span: s.Span | None, vi: str, en: str, *hints: Text) -> None:
        self.diagnostics.append(warning(code, span, vi, en, *hints))

    def text(self, node: s.Expr) -> str:
        return span_text(node, self.source)

    def suggest(self, name: str, candidates: Iterable[str]) -> tuple[Text, ...]:
        """`did you mean` hints; the names suggested are not called unused later, since the
        misspelling was probably meant for them."""
        pool = list(candidates)
        self.suggested.update(closest_names(name, pool))
        return did_you_mean(name, pool)

    def collect(self) -> None:
        for decl in self.module.declarations:
            if isinstance(decl, s.Input):
                if self.declare(decl.name, "input", decl.name_span, decl):
                    self.inputs[decl.name] = decl
            elif isinstance(decl, s.Items):
                if self.declare(decl.name, "items", decl.name_span, decl):
                    self.items[decl.name] = decl
            elif isinstance(decl, s.Catalog):
                if self.declare(decl.name, "catalog", decl.name_span, decl):
                    self.catalogs[decl.name] = decl
            elif isinstance(decl, s.Param):
                if self.declare(decl.name, "param", decl.name_span, decl):
                    self.params[decl.name] = decl
            elif isinstance(decl, s.Let):
                if self.declare(decl.name, "let", decl.name_span, decl):
                    self.lets[decl.name] = decl
            elif isinstance(decl, s.Group):
                self.declare(decl.name, "group", decl.name_span, decl)
                self.groups.append(decl)
                for criterion in decl.criteria:
                    if self.declare(criterion.name, "criterion", criterion.name_span, criterion):
                        self.criteria[criterion.name] = (criterion, decl)
            elif isinstance(decl, s.Total):
                if self.total is not None:
                    self.error(
                        "E046",
                        decl.span,
                        "`total` (tổng điểm) được khai báo hai lần",
                        "`total` is declared twice",
                        first_declared(self.total.span),
                    )
                else:
                    self.total = decl
            elif isinstance(decl, s.Grades):
                if self.grades is not None:
                    self.error(
                        "E028",
                        decl.span,
                        "khối `grades` (xếp loại) được khai báo hai lần",
                        "the `grades` block is declared twice",
                        first_declared(self.grades.span),
                    )
                else:
                    self.grades = decl
                    for grade in decl.grades:
                        self.declare(grade.name, "grade", grade.name_span, grade)

    def declare(
        self,
        name: str,
        kind: SymbolKind,
        span: s.Span,
        node: s.Input | s.Items | s.Catalog | s.Param | s.Let | s.Group | s.Criterion | s.Grade,
    ) -> bool:
        """Enter a name in the one namespace; False when it cannot be (reported)."""
        if name in SPECIAL_NAMES or canonical(name) in BUILTIN_ATTRIBUTES:
            self.error(
                "E005",
                span,
                f"`{name}` là tên dành sẵn của ngôn ngữ, hãy đặt tên khác",
                f"`{name}` is a reserved name of the language; choose another name",
            )
            return False
        if name in ALL_FUNCTIONS or name in LINK_FUNCTIONS:
            self.error(
                "E005",
                span,
                f"`{name}` là tên một hàm của ngôn ngữ, hãy đặt tên khác",
                f"`{name}` is the name of a function; choose another name",
            )
        first = self.symbols.get(name)
        if first is not None:
            vi_kind, en_kind = KIND_WORDS[first.kind]
            self.error(
                "E004",
                span,
                f"tên `{name}` đã được dùng cho {vi_kind} khác",
                f"the name `{name}` is already used by a {en_kind}",
                first_declared(first.span),
            )
            return False
        self.symbols[name] = Symbol(name, kind, span, node)
        return True

    def visible_names(self, ctx: Ctx) -> list[str]:
        names = [*self.symbols, "total", *BUILTIN_ATTRIBUTES, *BUILTIN_ALIASES]
        if ctx.allow_grade:
            names += ["grade", "score_grade"]
        return names

    def symbol_kind(self, name: str) -> SymbolKind | None:
        symbol = self.symbols.get(name)
        return symbol.kind if symbol is not None else None

    def span_of(self, name: str) -> s.Span | None:
        if name == "total":
            return self.total.span if self.total is not None else None
        symbol = self.symbols.get(name)
        return symbol.span if symbol is not None else None

    def declared_at(self, name: str) -> tuple[int, int]:
        span = self.span_of(name)
        return (span.start, 0) if span is not None else (1 << 60, 0)

    def param_type(self, decl: s.Param) -> Type:
        known = self._param_types.get(decl.name) if self.params.get(decl.name) is decl else None
        if known is not None:
            return known
        result: Type | None = None
        for value in decl.values:
            found = literal_type(value.value)
            if found is None or found == TEXT:
                self.error(
                    "E036",
                    value.value.span,
                    "giá trị của tham số phải là một số, true/false hoặc một ngày viết trực tiếp",
                    "a param's value must be a number, true/false or a date written out",
                )
                result = UNKNOWN
            elif result is None:
                result = found
            elif result.kind != "unknown" and found != result:
                self.error(
                    "E036",
                    value.value.span,
                    f"các giá trị của tham số `{decl.name}` phải cùng kiểu: "
                    f"{found.describe().vi} khác {result.describe().vi}",
                    f"the values of the param `{decl.name}` must have one type: "
                    f"{found.describe().en} differs from {result.describe().en}",
                )
        if len(decl.values) > 1:
            # A value without `from` is reported by the parser.
            previous: date | None = None
            for value in decl.values:
                if value.since is not None and previous is not None and value.since <= previous:
                    self.error(
                        "E037",
                        value.span,
                        f"các ngày `from` phải tăng dần: {value.since.isoformat()} không sau "
                        f"{previous.isoformat()}",
                        f"the `from` dates must increase: {value.since.isoformat()} is not "
                        f"after {previous.isoformat()}",
                    )
                if value.since is not None:
                    previous = value.since
        final = result or UNKNOWN
        if self.params.get(decl.name) is decl:
            self._param_types[decl.name] = final
        return final

    def grade_name(self, node: s.Expr, role: Text) -> str | None:
        """The grade a Name denotes, reporting what is wrong otherwise."""
        if not isinstance(node, s.Name):
            self.error(
                "E030",
                node.span,
                f"{role.vi} phải là tên một mức xếp loại",
                f"{role.en} must be the name of a grade",
            )
            return None
        symbol = self.symbols.get(node.name)
        if symbol is not None and symbol.kind == "grade":
            return node.name
        grades = [g.name for g in self.grades.grades] if self.grades else []
        if symbol is None:
            self.error(
                "E006",
                node.span,
                f"mức xếp loại `{node.name}` chưa được khai báo",
                f"the grade `{node.name}` is not declared",
                *self.suggest(node.name, grades),
            )
        else:
            vi_kind, en_kind = KIND_WORDS[symbol.kind]
            self.error(
                "E030",
                node.span,
                f"{role.vi} phải là một mức xếp loại, nhưng `{node.name}` là {vi_kind}",
                f"{role.en} must be a grade, but `{node.name}` is a {en_kind}",
                *self.suggest(node.name, grades),
            )
        return None

    def grade_index(self, name: str) -> int:
        assert self.grades is not None
        return next(i for i, g in enumerate(self.grades.grades) if g.name == name)

    def link(self, call: s.Call) -> str | None:
        """`members(R)` etc.: check that R is a needed rule set; its key, or None."""
        function = call.function
        if len(call.args) != 1 or call.keywords or call.where is not None:
            self.error(
                "E009",
                call.span,
                f"`{function}` nhận đúng một đối số: tên một bộ tiêu chí trong `needs`",
                f"`{function}` takes exactly one argument: the name of a rule set in `needs`",
            )
            return None
        arg = call.args[0]
        if not self.needs:
            self.error(
                "E024",
                call.span,
                f"`{function}(…)` đọc kết quả của bộ tiêu chí khác: phần đầu phải khai báo "
                "`needs` (cần) bộ tiêu chí đó",
                f"`{function}(…)` reads another rule set's results: the header must name it "
                "in `needs`",
            )
            return None
        if not isinstance(arg, s.Name) or arg.name not in self.needs:
            self.error(
                "E024",
                arg.span,
                f"`{self.text(arg)}` không có trong `needs` của phần đầu",
                f"`{self.text(arg)}` is not listed in the header's `needs`",
                *did_you_mean(arg.name if isinstance(arg, s.Name) else "", self.needs),
            )
            return None
        return f"{function}({arg.name})"

    def key_problem(self, key: str, catalog: str) -> Text | None:
        """Why `key` is not a key of the catalogue (its rows, when known), or None."""
        table = self.catalog_rows.get(catalog)
        if table is None or any(key in v.rows for v in table.versions):
            return None
        known = sorted({k for v in table.versions for k in v.rows})
        near = closest_names(key, known)
        shown = ", ".join(f'"{k}"' for k in (near or known[:5]))
        return Text(
            f'"{key}" không phải mã trong danh mục `{catalog}` (gần nhất: {shown})',
            f'"{key}" is not a key of the catalogue `{catalog}` (nearest: {shown})',
        )

    def literal_problem(self, expr: s.Expr, decl: s.Input) -> Text | None:
        """Why a written value does not fit an input's type and range, or None."""
        kind = decl.type.kind
        if kind in NUMBER_KINDS:
            value = literal_number(expr)
            if value is None:
                return Text("cần một số", "a number is needed")
            if kind == "count" and (value.denominator != 1 or value < 0):
                return Text("cần một số nguyên không âm", "a whole number ≥ 0 is needed")
            rng = decl.range
            if rng is not None and not in_range(value, rng):
                written = self.source[rng.span.start : rng.span.end]
                return Text(
                    f"{self.text(expr)} nằm ngoài khoảng {written}",
                    f"{self.text(expr)} is outside the range {written}",
                )
            return None
        if kind == "bool":
            return None if isinstance(expr, s.Bool) else Text("cần true/false", "needs true/false")
        if kind == "text":
            return None if isinstance(expr, s.String) else Text("cần một chuỗi", "needs a string")
        if kind == "date":
            return None if isinstance(expr, s.DateLit) else Text("cần một ngày", "needs a date")
        if kind == "key":
            if not isinstance(expr, s.String):
                return Text("cần một mã (chuỗi)", "needs a key (a string)")
            return self.key_problem(expr.value, decl.type.catalog or "")
        if isinstance(expr, s.String) and expr.value in decl.type.choices:
            return None
        listed = ", ".join(f'"{c}"' for c in dict.fromkeys(decl.type.choices))
        return Text(f"cần một trong {listed}", f"needs one of {listed}")
