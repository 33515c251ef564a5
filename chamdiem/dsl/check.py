"""The checker: names, types and structure of a parsed rule file, before any data is seen.

`check(module)` returns every problem it finds, errors and warnings, in one run; a file with
no errors is safe to compile. It never raises, also on the partial trees the parser builds
after syntax errors. The range warnings (§7 of the language design) come from ranges.py;
this module decides names, types and the rules each declaration must follow.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Literal, TypeGuard

from chamdiem.dsl import syntax as s
from chamdiem.dsl.diagnostics import Diagnostic, Text, closest_names, did_you_mean, error, warning
from chamdiem.dsl.intervals import RealSet, format_number
from chamdiem.dsl.names import (
    AGGREGATE_FUNCTIONS,
    BUILTIN_ALIASES,
    BUILTIN_ATTRIBUTES,
    FLAGS,
    FUNCTION_KEYWORDS,
    MAX_PRECISION,
    SCALAR_FUNCTIONS,
    SPECIAL_NAMES,
    canonical,
)
from chamdiem.dsl.periods import Period
from chamdiem.dsl.ranges import Analysis, constant_number, item_refs

# Reading the results of the rule sets named in `needs` (language design §5). These mirror
# links.py, which evaluates them; they are repeated here so that checking does not load the
# evaluator. A list link is an items list whose rows are results of the needed rule set; a
# record link is one result per subject. Fields other than these four are the needed rule
# set's lets, criteria and groups, which this file cannot see.
LIST_LINKS = ("members", "subordinates", "periods")
RECORD_LINKS = ("unit_result", "result")
LINK_FUNCTIONS = (*LIST_LINKS, *RECORD_LINKS)
ALL_FUNCTIONS = (*SCALAR_FUNCTIONS, *AGGREGATE_FUNCTIONS)
NUMBER_KINDS = ("number", "count", "percent")
MAX_ROUND_PLACES = 10

# ---------------------------------------------------------------- types

TypeKind = Literal["number", "bool", "text", "enum", "date", "grade", "items", "unknown"]


@dataclass(frozen=True, slots=True)
class Type:
    """The type of a value. `unknown` follows an error already reported, and matches
    everything so that one mistake gives one message."""

    kind: TypeKind
    choices: tuple[str, ...] = ()  # enum
    items: str = ""  # the list's name, for kind "items"

    def describe(self) -> Text:
        if self.kind == "enum":
            listed = ", ".join(f'"{c}"' for c in self.choices)
            return Text(f"một lựa chọn trong {listed}", f"one of {listed}")
        if self.kind == "items":
            return Text(f"danh sách `{self.items}`", f"the list `{self.items}`")
        vi, en = _TYPE_WORDS[self.kind]
        return Text(vi, en)

    def is_(self, *kinds: TypeKind) -> bool:
        """True when the type is one of `kinds`, or unknown (already reported)."""
        return self.kind == "unknown" or self.kind in kinds


_TYPE_WORDS: dict[str, tuple[str, str]] = {
    "number": ("số", "a number"),
    "bool": ("đúng/sai", "true/false"),
    "text": ("văn bản", "text"),
    "date": ("ngày", "a date"),
    "grade": ("mức xếp loại", "a grade"),
    "unknown": ("giá trị", "a value"),
}

NUMBER = Type("number")
BOOL = Type("bool")
TEXT = Type("text")
DATE = Type("date")
GRADE = Type("grade")
UNKNOWN = Type("unknown")
RESULT_FIELDS = {"total": NUMBER, "grade": GRADE, "score_grade": GRADE, "graded": BOOL}


def input_type(spec: s.TypeSpec) -> Type:
    if spec.kind in NUMBER_KINDS:
        return NUMBER
    if spec.kind == "enum":
        return Type("enum", spec.choices)
    return {"bool": BOOL, "text": TEXT, "date": DATE}[spec.kind]


def unify(a: Type, b: Type) -> Type | None:
    """The common type of two alternatives (if branches, band rows), or None."""
    if a.kind == "unknown":
        return b
    if b.kind == "unknown":
        return a
    if a.kind in ("text", "enum") and b.kind in ("text", "enum"):
        return a if a == b else TEXT
    return a if a.kind == b.kind and a.kind != "items" else None


# ---------------------------------------------------------------- symbols

SymbolKind = Literal["input", "items", "param", "let", "group", "criterion", "grade"]

_KIND_WORDS: dict[str, tuple[str, str]] = {
    "input": ("đầu vào", "input"),
    "items": ("danh sách", "items list"),
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
    node: s.Input | s.Items | s.Param | s.Let | s.Group | s.Criterion | s.Grade


# ---------------------------------------------------------------- where an expression is


@dataclass(slots=True)
class _Frame:
    """An aggregate over items being checked: which list its item references read."""

    function: str
    items: str | None = None
    nested: bool = False  # an aggregate inside it was reported
    link: str | None = None  # `members(R)` when it runs over a needed rule set's results


@dataclass(frozen=True, slots=True)
class _Ctx:
    """The place an expression is checked in."""

    refs: set[str]  # names the enclosing declaration reads (for cycles and unused names)
    allow_grade: bool = False  # `grade` and `score_grade` (quota count and rank keys)
    # `score_grade` alone: a veto's condition (the grade from points is known before vetoes)
    allow_score_grade: bool = False
    cohort: bool = False  # top level of a quota count: per-subject values need count(...)
    frame: _Frame | None = None


def _span_text(node: s.Expr, source: str) -> str:
    text = source[node.span.start : node.span.end]
    return text if len(text) <= 40 and "\n" not in text else text[:37].split("\n")[0] + "…"


def _line(span: s.Span) -> Text:
    return Text(f"dòng {span.line}", f"line {span.line}")


def _first_given(span: s.Span) -> Text:
    return Text(
        f"lần đầu ở dòng {span.line}, cột {span.column}",
        f"first on line {span.line}, column {span.column}",
    )


def _first_declared(span: s.Span) -> Text:
    return Text(
        f"khai báo lần đầu ở dòng {span.line}, cột {span.column}",
        f"first declared on line {span.line}, column {span.column}",
    )


# ---------------------------------------------------------------- the checker


class Checker:
    def __init__(self, module: s.Module, complete: bool = True) -> None:
        self.module = module
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

    # ------------------------------------------------------------ reporting

    def error(self, code: str, span: s.Span | None, vi: str, en: str, *hints: Text) -> None:
        self.diagnostics.append(error(code, span, vi, en, *hints))

    def warning(self, code: str, span: s.Span | None, vi: str, en: str, *hints: Text) -> None:
        self.diagnostics.append(warning(code, span, vi, en, *hints))

    def text(self, node: s.Expr) -> str:
        return _span_text(node, self.source)

    def suggest(self, name: str, candidates: Iterable[str]) -> tuple[Text, ...]:
        """`did you mean` hints; the names suggested are not called unused later, since the
        misspelling was probably meant for them."""
        pool = list(candidates)
        self.suggested.update(closest_names(name, pool))
        return did_you_mean(name, pool)

    # ------------------------------------------------------------ the run

    def run(self) -> list[Diagnostic]:
        self.check_header()
        self.collect()
        for decl in self.module.declarations:
            self.check_declaration(decl)
        self.check_applies()
        self.check_grades()
        self.check_cycles()
        self.check_unused()
        self.check_scale()
        self.check_ranges()
        return self.diagnostics

    # ------------------------------------------------------------ header

    def check_header(self) -> None:
        ruleset = self.module.ruleset
        if ruleset is None:
            self.diagnostics.append(missing_header(self.module))
            return
        seen: dict[str, s.HeaderClause] = {}
        for clause in ruleset.clauses:
            # A repeated clause is reported by the parser; the first one counts.
            if clause.key not in seen:
                seen[clause.key] = clause
                self.check_clause(clause)
        for key, vi in (("subject", "đối tượng"), ("period", "kỳ"), ("effective", "hiệu lực")):
            if key not in seen:
                self.error(
                    "E002",
                    ruleset.name_span,
                    f"phần đầu thiếu mục bắt buộc `{key}` ({vi})",
                    f"the header lacks the required clause `{key}`",
                )
        effective, until = seen.get("effective"), seen.get("until")
        if (
            effective is not None
            and until is not None
            and isinstance(effective.value, date)
            and isinstance(until.value, date)
            and until.value <= effective.value
        ):
            self.error(
                "E003",
                until.span,
                f"ngày hết hiệu lực {until.value.isoformat()} phải sau ngày hiệu lực "
                f"{effective.value.isoformat()}",
                f"the end date {until.value.isoformat()} must be after the effective date "
                f"{effective.value.isoformat()}",
            )

    def check_clause(self, clause: s.HeaderClause) -> None:
        value = clause.value
        if clause.key == "subject" and value not in ("person", "unit"):
            self.error(
                "E003",
                clause.span,
                "đối tượng phải là `person` (cá nhân) hoặc `unit` (tập thể)",
                "subject must be `person` or `unit`",
            )
        elif clause.key == "period" and value not in ("month", "quarter", "year"):
            self.error(
                "E003",
                clause.span,
                "kỳ đánh giá phải là `month`, `quarter` hoặc `year` (tháng, quý, năm)",
                "period must be `month`, `quarter` or `year`",
            )
        elif clause.key in ("effective", "until") and not isinstance(value, date):
            self.error(
                "E003",
                clause.span,
                "cần một ngày dạng NNNN-TT-NN, ví dụ 2026-01-01",
                "a date like 2026-01-01 is needed",
            )
        elif clause.key == "precision":
            if (
                not isinstance(value, int)
                or isinstance(value, bool)
                or not 0 <= value <= MAX_PRECISION
            ):
                self.error(
                    "E003",
                    clause.span,
                    f"số chữ số làm tròn phải là số nguyên từ 0 đến {MAX_PRECISION}",
                    f"precision must be a whole number from 0 to {MAX_PRECISION}",
                )
            else:
                self.precision = value
        elif clause.key == "scale":
            if not isinstance(value, Decimal | int) or isinstance(value, bool) or value <= 0:
                self.error(
                    "E003",
                    clause.span,
                    "thang điểm (scale) phải là một số lớn hơn 0",
                    "scale must be a number greater than 0",
                )
            else:
                self.scale_clause = clause
                self.scale_value = Decimal(value)
        elif clause.key == "needs" and isinstance(value, tuple):
            self.needs = tuple(str(v) for v in value)

    def check_applies(self) -> None:
        """`applies when COND` in the header: which subjects the rule set grades."""
        clause = self.module.ruleset.get("applies") if self.module.ruleset else None
        if clause is not None and _is_expr(clause.value):
            self.condition(clause.value, _Ctx(set()), "applies when")

    # ------------------------------------------------------------ names

    def collect(self) -> None:
        for decl in self.module.declarations:
            if isinstance(decl, s.Input):
                if self.declare(decl.name, "input", decl.name_span, decl):
                    self.inputs[decl.name] = decl
            elif isinstance(decl, s.Items):
                if self.declare(decl.name, "items", decl.name_span, decl):
                    self.items[decl.name] = decl
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
                        _first_declared(self.total.span),
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
                        _first_declared(self.grades.span),
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
        node: s.Input | s.Items | s.Param | s.Let | s.Group | s.Criterion | s.Grade,
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
            vi_kind, en_kind = _KIND_WORDS[first.kind]
            self.error(
                "E004",
                span,
                f"tên `{name}` đã được dùng cho {vi_kind} khác",
                f"the name `{name}` is already used by a {en_kind}",
                _first_declared(first.span),
            )
            return False
        self.symbols[name] = Symbol(name, kind, span, node)
        return True

    def visible_names(self, ctx: _Ctx) -> list[str]:
        names = [*self.symbols, "total", *BUILTIN_ATTRIBUTES, *BUILTIN_ALIASES]
        if ctx.allow_grade:
            names += ["grade", "score_grade"]
        return names

    # ------------------------------------------------------------ declarations

    def check_declaration(self, decl: s.Declaration) -> None:
        if isinstance(decl, s.Input):
            self.check_input(decl)
        elif isinstance(decl, s.Items):
            self.check_items(decl)
        elif isinstance(decl, s.Param):
            self.param_type(decl)
        elif isinstance(decl, s.Let):
            if self.lets.get(decl.name) is decl:
                self.let_type(decl.name)
            else:  # a duplicate: still report what is wrong inside it
                self.value(decl.expr, _Ctx(set()))
        elif isinstance(decl, s.Group):
            self.check_group(decl)
        elif isinstance(decl, s.Total):
            refs: set[str] = set()
            if decl is self.total:
                self.depends["total"] = refs
            self.need(self.value(decl.expr, _Ctx(refs)), decl.expr, NUMBER, "E012")
        elif isinstance(decl, s.Veto):
            self.check_veto(decl)
        elif isinstance(decl, s.Exclusion):
            self.condition(decl.when, _Ctx(set()), "when")
        elif isinstance(decl, s.Quota):
            self.check_quota(decl)
        elif isinstance(decl, s.Test):
            self.check_test(decl)

    # inputs and items ------------------------------------------------------

    def check_input(self, decl: s.Input) -> None:
        spec = decl.type
        if spec.kind == "enum":
            if not spec.choices:
                self.error(
                    "E038",
                    spec.span,
                    "`one of` cần ít nhất một lựa chọn",
                    "`one of` needs at least one choice",
                )
            seen: set[str] = set()
            for choice in spec.choices:
                if choice in seen:
                    self.error(
                        "E038",
                        spec.span,
                        f'lựa chọn "{choice}" được liệt kê hai lần',
                        f'the choice "{choice}" is listed twice',
                    )
                seen.add(choice)
        rng = decl.range
        if rng is not None:
            self.check_range(decl, rng)
        if decl.default is not None:
            problem = self.literal_problem(decl.default, decl)
            if problem is not None:
                self.error(
                    "E039",
                    decl.default.span,
                    f"giá trị mặc định của `{decl.name}` không hợp lệ: {problem.vi}",
                    f"the default of `{decl.name}` is not valid: {problem.en}",
                )

    def check_range(self, decl: s.Input, rng: s.RangeSpec) -> None:
        if decl.type.kind not in NUMBER_KINDS:
            self.error(
                "E038",
                rng.span,
                "chỉ đầu vào kiểu số (number, count, percent) mới có khoảng giá trị",
                "only number, count and percent inputs can have a range",
            )
            return
        bounds: list[Fraction] = []
        for bound in (rng.low, rng.high):
            if bound is None:
                continue
            value = literal_number(bound)
            if value is None:
                self.error(
                    "E038",
                    bound.span,
                    "giới hạn của khoảng giá trị phải là một số viết trực tiếp",
                    "a range bound must be a number written out",
                )
                return
            bounds.append(value)
        if rng.low is not None and rng.high is not None and len(bounds) == 2:
            low, high = bounds
            strict = rng.low_strict or rng.high_strict
            if low > high or (low == high and strict):
                self.error(
                    "E038",
                    rng.span,
                    f"khoảng giá trị rỗng: cận dưới {format_number(low)} lớn hơn cận trên "
                    f"{format_number(high)}",
                    f"the range is empty: the low bound {format_number(low)} is above the "
                    f"high bound {format_number(high)}",
                )

    def check_items(self, decl: s.Items) -> None:
        seen: dict[str, s.Input] = {}
        for item_field in decl.fields:
            first = seen.get(item_field.name)
            if first is not None:
                self.error(
                    "E004",
                    item_field.name_span,
                    f"danh sách `{decl.name}` đã có trường `{item_field.name}`",
                    f"the list `{decl.name}` already has a field `{item_field.name}`",
                    _first_declared(first.name_span),
                )
            else:
                seen[item_field.name] = item_field
            self.check_input(item_field)

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
        if isinstance(expr, s.String) and expr.value in decl.type.choices:
            return None
        listed = ", ".join(f'"{c}"' for c in dict.fromkeys(decl.type.choices))
        return Text(f"cần một trong {listed}", f"needs one of {listed}")

    # params -----------------------------------------------------------------

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

    # lets -------------------------------------------------------------------

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
        found = self.value(decl.expr, _Ctx(refs))
        self._checking_lets.discard(name)
        self._let_types[name] = found
        return found

    # groups -----------------------------------------------------------------

    def check_group(self, decl: s.Group) -> None:
        words = {
            "group": ("nhóm", "group"),
            "bonus": ("điểm cộng", "bonus"),
            "penalty": ("điểm trừ", "penalty"),
        }[decl.kind]
        if decl.max.value <= 0:
            self.error(
                "E040",
                decl.max.span,
                f"điểm tối đa của {words[0]} `{decl.name}` phải lớn hơn 0",
                f"the maximum of the {words[1]} `{decl.name}` must be greater than 0",
            )
        if not decl.criteria:
            self.error(
                "E040",
                decl.name_span,
                f"{words[0]} `{decl.name}` chưa có tiêu chí nào",
                f"the {words[1]} `{decl.name}` has no criteria",
            )
        if self.symbols.get(decl.name, None) is not None and self.symbols[decl.name].node is decl:
            self.depends[decl.name] = {c.name for c in decl.criteria}
        for criterion in decl.criteria:
            self.check_criterion(criterion)
        maxima = sum((c.max.value for c in decl.criteria), Decimal(0))
        rescaled = decl.rescale and any(c.applies_when is not None for c in decl.criteria)
        if decl.criteria and not rescaled and 0 < maxima < decl.max.value:
            self.warning(
                "W008",
                decl.max.span,
                f"các tiêu chí của {words[0]} `{decl.name}` cộng lại tối đa {maxima}, không đạt "
                f"được điểm tối đa {decl.max.value} của {words[0]}",
                f"the criteria of the {words[1]} `{decl.name}` add up to at most {maxima}, so "
                f"the {words[1]} never reaches its maximum {decl.max.value}",
            )

    def check_criterion(self, decl: s.Criterion) -> None:
        if decl.max.value <= 0:
            self.error(
                "E040",
                decl.max.span,
                f"điểm tối đa của tiêu chí `{decl.name}` phải lớn hơn 0",
                f"the maximum of the criterion `{decl.name}` must be greater than 0",
            )
        refs: set[str] = set()
        owner = self.symbols.get(decl.name)
        if owner is not None and owner.node is decl:
            self.depends[decl.name] = refs
        if decl.applies_when is not None:
            self.condition(decl.applies_when, _Ctx(refs), "applies when")
        self.need(self.value(decl.expr, _Ctx(refs)), decl.expr, NUMBER, "E012")

    # grades -----------------------------------------------------------------

    def check_grades(self) -> None:
        grades = self.grades
        if grades is None:
            if self.module.ruleset is not None and self.complete:
                self.error(
                    "E028",
                    self.module.ruleset.name_span,
                    "tệp chưa có khối `grades … end` (xếp loại)",
                    "the file has no `grades … end` block",
                )
            return
        if len(grades.grades) < 2:
            self.error(
                "E028",
                grades.span,
                "khối `grades` cần ít nhất hai mức xếp loại",
                "the `grades` block needs at least two grades",
            )
        last = len(grades.grades) - 1
        for i, grade in enumerate(grades.grades):
            if grade.when is None and i < last:
                self.error(
                    "E029",
                    grade.span,
                    f"mức `{grade.name}` dùng `otherwise` (còn lại) nhưng không phải mức cuối; "
                    "chỉ mức cuối cùng được dùng `otherwise`",
                    f"the grade `{grade.name}` uses `otherwise` but is not the last; only the "
                    "last grade may",
                )
            elif grade.when is not None and i == last:
                self.error(
                    "E029",
                    grade.span,
                    f"mức cuối `{grade.name}` phải là `otherwise` (còn lại), để mọi đối tượng "
                    "đều có mức",
                    f"the last grade `{grade.name}` must be `otherwise`, so that every subject "
                    "gets a grade",
                )
            if grade.when is not None:
                self.condition(grade.when, _Ctx(set()), "when")

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
            vi_kind, en_kind = _KIND_WORDS[symbol.kind]
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

    # vetoes -----------------------------------------------------------------

    def check_veto(self, decl: s.Veto) -> None:
        self.condition(decl.when, _Ctx(set(), allow_score_grade=True), "when")
        cap = decl.cap
        if isinstance(cap, s.Name):
            self.grade_name(cap, Text("mức trần của `veto`", "the cap of a `veto`"))
            return
        # `unit_result(R).grade`: the grade of a needed rule set's result.
        found = self.value(cap, _Ctx(set()))
        if not found.is_("grade"):
            self.error(
                "E030",
                cap.span,
                f"mức trần của `veto` phải là một mức xếp loại, nhưng `{self.text(cap)}` là "
                f"{found.describe().vi}",
                f"the cap of a `veto` must be a grade, but `{self.text(cap)}` is "
                f"{found.describe().en}",
            )

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

    # quotas -----------------------------------------------------------------

    def check_quota(self, decl: s.Quota) -> None:
        kept = self.grade_name(decl.grade, Text("mức của hạn mức (quota)", "the quota's grade"))
        demoted = self.grade_name(decl.demote_to, Text("mức hạ xuống", "the demotion grade"))
        if (
            kept is not None
            and demoted is not None
            and self.grade_index(demoted) <= self.grade_index(kept)
        ):
            self.error(
                "E031",
                decl.demote_to.span,
                f"mức hạ xuống `{demoted}` phải thấp hơn mức `{kept}`",
                f"the demotion grade `{demoted}` must be worse than `{kept}`",
            )
        self.check_share(decl.share)
        count_ctx = _Ctx(set(), allow_grade=True, cohort=True)
        self.need(self.value(decl.count, count_ctx), decl.count, NUMBER, "E012")
        seen: set[str] = set()
        for key in decl.per:
            self.check_per_key(key, seen)
        for rank in decl.rank:
            found = self.value(rank.expr, _Ctx(set(), allow_grade=True))
            if not found.is_("number", "grade"):
                self.error(
                    "E034",
                    rank.expr.span,
                    f"khóa xếp hạng phải là số hoặc mức xếp loại, nhưng `{self.text(rank.expr)}` "
                    f"là {found.describe().vi}",
                    f"a rank key must be a number or a grade, but `{self.text(rank.expr)}` is "
                    f"{found.describe().en}",
                )

    def check_share(self, share: s.Expr) -> None:
        values: list[Fraction] = []
        if isinstance(share, s.Name) and share.name in self.params:
            self.used.add(share.name)
            values = [
                v
                for v in (literal_number(p.value) for p in self.params[share.name].values)
                if v is not None
            ]
            if len(values) != len(self.params[share.name].values):
                values = []
        else:
            single = literal_number(share)
            values = [single] if single is not None else []
        if not values:
            self.error(
                "E032",
                share.span,
                "tỷ lệ của hạn mức phải là một phần trăm viết trực tiếp (ví dụ 20%) "
                "hoặc một tham số",
                "a quota's share must be a percentage written out (e.g. 20%) or a param",
            )
            return
        for value in values:
            if not 0 <= value <= 1:
                shown = format_number(value * 100)
                self.error(
                    "E032",
                    share.span,
                    f"tỷ lệ của hạn mức phải từ 0% đến 100%, không phải {shown}%",
                    f"a quota's share must be from 0% to 100%, not {shown}%",
                )
                return

    def check_per_key(self, key: s.Name, seen: set[str]) -> None:
        name = canonical(key.name)
        if name in seen:
            self.error(
                "E033",
                key.span,
                f"`{key.name}` đã có trong `per` (theo)",
                f"`{key.name}` is already listed in `per`",
            )
            return
        seen.add(name)
        if name in BUILTIN_ATTRIBUTES:
            return
        decl = self.inputs.get(key.name)
        if decl is not None and self.symbols[key.name].node is decl:
            self.used.add(key.name)
            if decl.type.kind in ("text", "enum"):
                return
        text_inputs = [n for n, d in self.inputs.items() if d.type.kind in ("text", "enum")]
        candidates = [*BUILTIN_ATTRIBUTES, *BUILTIN_ALIASES, *text_inputs]
        if key.name not in self.symbols:
            self.error(
                "E006",
                key.span,
                f"tên `{key.name}` chưa được khai báo",
                f"`{key.name}` is not declared",
                *self.suggest(key.name, candidates),
            )
            return
        self.error(
            "E033",
            key.span,
            f"`per` (theo) chỉ nhận thuộc tính của đối tượng ({', '.join(BUILTIN_ATTRIBUTES)}) "
            f"hoặc đầu vào kiểu văn bản/lựa chọn; `{key.name}` không phải",
            f"`per` takes subject attributes ({', '.join(BUILTIN_ATTRIBUTES)}) or text/enum "
            f"inputs; `{key.name}` is neither",
        )

    # tests ------------------------------------------------------------------

    def check_test(self, decl: s.Test) -> None:
        self.check_test_period(decl)
        shared = self.check_givens(decl.givens)
        subjects: dict[str, s.TestSubject] = {}
        for member in decl.subjects:
            first = subjects.get(member.name)
            if first is not None:
                self.error(
                    "E044",
                    member.name_span,
                    f"đối tượng `{member.name}` đã có trong kiểm thử này",
                    f"the subject `{member.name}` is already in this test",
                    _first_given(first.name_span),
                )
            subjects.setdefault(member.name, member)
            own = self.check_givens(member.givens)
            self.check_required(shared | own, member.name_span, member.name)
        if not decl.subjects:
            self.check_required(shared, decl.span, None)
        seen: dict[tuple[str | None, str, bool, int | None], s.Expectation] = {}
        for expectation in decl.expects:
            self.check_expectation(expectation, decl, subjects)
            key = (
                expectation.subject,
                canonical(expectation.name),
                expectation.is_flag,
                expectation.round_places,
            )
            first_expect = seen.get(key)
            if first_expect is not None and not expectation.is_flag:
                self.error(
                    "E043",
                    expectation.name_span,
                    f"kỳ vọng về `{expectation.name}` đã được nêu trong kiểm thử này",
                    f"an expectation for `{expectation.name}` is already given in this test",
                    _first_given(first_expect.name_span),
                )
            seen.setdefault(key, expectation)

    def check_test_period(self, decl: s.Test) -> None:
        """E047: `period P` in a test names a period of the rule set's kind, in force."""
        ruleset = self.module.ruleset
        if decl.period is None or decl.period_span is None or ruleset is None:
            return
        kind = ruleset.get("period")
        effective = ruleset.get("effective")
        until = ruleset.get("until")
        period = Period.parse(decl.period)
        if kind is not None and kind.value in _PERIOD_WORDS and kind.value != period.kind:
            vi_kind, en_kind = _PERIOD_WORDS[str(kind.value)]
            vi_found, en_found = _PERIOD_WORDS[period.kind]
            example = _period_example(str(kind.value), period)
            self.error(
                "E047",
                decl.period_span,
                f"bộ tiêu chí đánh giá theo {vi_kind}, còn `{decl.period}` là một {vi_found}",
                f"the rule set is evaluated per {en_kind}, but `{decl.period}` is a {en_found}",
                Text(f"ví dụ: kỳ {example}", f"e.g. period {example}"),
            )
            return
        if (
            effective is not None
            and isinstance(effective.value, date)
            and period.end < effective.value
        ):
            self.error(
                "E047",
                decl.period_span,
                f"kỳ {decl.period} kết thúc trước ngày hiệu lực "
                f"{effective.value.isoformat()} của bộ tiêu chí",
                f"the period {decl.period} ends before the rule set's effective date "
                f"{effective.value.isoformat()}",
            )
            return
        if until is not None and isinstance(until.value, date) and period.start > until.value:
            self.error(
                "E047",
                decl.period_span,
                f"kỳ {decl.period} bắt đầu sau ngày hết hiệu lực {until.value.isoformat()} "
                "của bộ tiêu chí",
                f"the period {decl.period} starts after the rule set's end date "
                f"{until.value.isoformat()}",
            )

    def check_givens(self, givens: Iterable[s.Given]) -> set[str]:
        """Check each given; return the canonical names given."""
        names: dict[str, s.Given] = {}
        for given in givens:
            name = canonical(given.name)
            first = names.get(name)
            if first is not None:
                self.error(
                    "E041",
                    given.name_span,
                    f"`{given.name}` đã được cho giá trị trong cùng khối",
                    f"`{given.name}` is already given a value here",
                    _first_given(first.name_span),
                )
            names.setdefault(name, given)
            self.check_given(given)
        return set(names)

    def check_given(self, given: s.Given) -> None:
        if "(" in given.name:
            self.check_link_given(given)
            return
        name = canonical(given.name)
        if name in BUILTIN_ATTRIBUTES:
            kind = BUILTIN_ATTRIBUTES[name]
            ok = isinstance(given.value, s.Bool if kind == "bool" else s.String)
            if not ok:
                self.error(
                    "E039",
                    given.value.span,
                    f"`{given.name}` cần {'true/false' if kind == 'bool' else 'một chuỗi'}",
                    f"`{given.name}` needs {'true/false' if kind == 'bool' else 'a string'}",
                )
            return
        symbol = self.symbols.get(given.name)
        if symbol is not None and symbol.kind == "input" and isinstance(symbol.node, s.Input):
            problem = self.literal_problem(given.value, symbol.node)
            if problem is not None:
                self.error(
                    "E039",
                    given.value.span,
                    f"giá trị cho `{given.name}` không hợp lệ: {problem.vi}",
                    f"the value given for `{given.name}` is not valid: {problem.en}",
                )
            return
        if symbol is not None and symbol.kind == "items" and isinstance(symbol.node, s.Items):
            self.check_records(given, symbol.node)
            return
        candidates = [*self.inputs, *self.items, *BUILTIN_ATTRIBUTES, *BUILTIN_ALIASES]
        if symbol is None:
            self.error(
                "E006",
                given.name_span,
                f"tên `{given.name}` chưa được khai báo",
                f"`{given.name}` is not declared",
                *self.suggest(given.name, candidates),
            )
            return
        vi_kind, en_kind = _KIND_WORDS[symbol.kind]
        self.error(
            "E041",
            given.name_span,
            f"`given` (cho) chỉ nhận đầu vào, danh sách hoặc thuộc tính của đối tượng; "
            f"`{given.name}` là {vi_kind}, được tính ra từ quy tắc",
            f"`given` takes inputs, item lists or subject attributes; `{given.name}` is a "
            f"{en_kind}, which the rules compute",
        )

    def check_link_given(self, given: s.Given) -> None:
        """`given members(R) = [{total: 80, grade: tot}, …]`: stand-in results of a needed
        rule set, so that the test runs without that rule set's data."""
        function, _, rest = given.name.partition("(")
        ruleset = rest.rstrip(")")
        if function not in LINK_FUNCTIONS:
            self.error(
                "E041",
                given.name_span,
                f"`{function}(…)` không phải cách đọc kết quả bộ tiêu chí khác; dùng một trong: "
                f"{', '.join(LINK_FUNCTIONS)}",
                f"`{function}(…)` does not read another rule set's results; use one of: "
                f"{', '.join(LINK_FUNCTIONS)}",
                *did_you_mean(function, LINK_FUNCTIONS),
            )
            return
        if ruleset not in self.needs:
            self.error(
                "E024",
                given.name_span,
                f"`{ruleset}` không có trong `needs` của phần đầu",
                f"`{ruleset}` is not listed in the header's `needs`",
                *did_you_mean(ruleset, self.needs),
            )
        value = given.value
        records = value.items if isinstance(value, s.ListLit) else (value,)
        if function in LIST_LINKS and not isinstance(value, s.ListLit):
            records = ()
            self.error(
                "E039",
                value.span,
                f"`{given.name}` là danh sách kết quả: cần dạng [{{total: …, grade: …}}, …]",
                f"`{given.name}` is a list of results: write [{{total: …, grade: …}}, …]",
            )
        for record in records:
            if not isinstance(record, s.RecordLit):
                self.error(
                    "E039",
                    record.span,
                    "mỗi kết quả cần dạng {total: …, grade: …}",
                    "each result must be written {total: …, grade: …}",
                )
                continue
            for entry in record.fields:
                self.check_result_value(entry)

    def check_result_value(self, entry: s.Keyword) -> None:
        wanted = RESULT_FIELDS.get(canonical(entry.name))
        value = entry.value
        if wanted is not None and wanted.kind == "grade":
            ok = isinstance(value, s.Name)
        elif wanted is not None:
            ok = literal_type(value) == wanted
        else:  # a let, criterion or group of the needed rule set
            ok = isinstance(value, s.Name) or literal_type(value) is not None
        if not ok:
            shown = wanted.describe() if wanted is not None else Text("giá trị", "a value")
            self.error(
                "E039",
                value.span,
                f"giá trị cho `{entry.name}` không hợp lệ: cần {shown.vi} viết trực tiếp",
                f"the value for `{entry.name}` is not valid: {shown.en} written out is needed",
            )

    def check_records(self, given: s.Given, items: s.Items) -> None:
        if not isinstance(given.value, s.ListLit):
            self.error(
                "E039",
                given.value.span,
                f"`{given.name}` là danh sách: cần dạng [{{trường: giá trị, …}}, …]",
                f"`{given.name}` is a list: write [{{field: value, …}}, …]",
            )
            return
        fields = {f.name: f for f in items.fields}
        for record in given.value.items:
            if not isinstance(record, s.RecordLit):
                self.error(
                    "E039",
                    record.span,
                    "mỗi phần tử của danh sách cần dạng {trường: giá trị, …}",
                    "each element of the list must be written {field: value, …}",
                )
                continue
            seen: set[str] = set()
            for entry in record.fields:
                if entry.name in seen:
                    self.error(
                        "E041",
                        entry.span,
                        f"trường `{entry.name}` đã có giá trị trong phần tử này",
                        f"the field `{entry.name}` already has a value in this element",
                    )
                    continue
                seen.add(entry.name)
                decl = fields.get(entry.name)
                if decl is None:
                    self.error(
                        "E007",
                        entry.span,
                        f"danh sách `{items.name}` không có trường `{entry.name}`",
                        f"the list `{items.name}` has no field `{entry.name}`",
                        *did_you_mean(entry.name, fields),
                    )
                    continue
                problem = self.literal_problem(entry.value, decl)
                if problem is not None:
                    self.error(
                        "E039",
                        entry.value.span,
                        f"giá trị cho `{items.name}.{entry.name}` không hợp lệ: {problem.vi}",
                        f"the value for `{items.name}.{entry.name}` is not valid: {problem.en}",
                    )
            missing = [f.name for f in items.fields if f.default is None and f.name not in seen]
            if missing:
                listed = ", ".join(f"`{m}`" for m in missing)
                self.error(
                    "E042",
                    record.span,
                    f"phần tử thiếu trường bắt buộc (không có mặc định): {listed}",
                    f"the element lacks required fields (no default): {listed}",
                )

    def check_required(self, given: set[str], span: s.Span, member: str | None) -> None:
        missing = [
            name for name, decl in self.inputs.items() if decl.default is None and name not in given
        ]
        if not missing:
            return
        listed = ", ".join(f"`{m}`" for m in missing)
        who_vi = f"đối tượng `{member}` " if member else "kiểm thử "
        who_en = f"the subject `{member}` " if member else "the test "
        self.error(
            "E042",
            span,
            f"{who_vi}thiếu giá trị cho đầu vào bắt buộc (không có mặc định): {listed}",
            f"{who_en}gives no value for required inputs (no default): {listed}",
        )

    def check_expectation(
        self, expectation: s.Expectation, test: s.Test, subjects: dict[str, s.TestSubject]
    ) -> None:
        if test.subjects:
            if expectation.subject is None:
                self.error(
                    "E044",
                    expectation.span,
                    "kiểm thử có nhiều đối tượng: hãy ghi tên đối tượng, ví dụ `expect A: grade "
                    "= tot`",
                    "a cohort test: name the subject, e.g. `expect A: grade = tot`",
                )
            elif expectation.subject not in subjects:
                self.error(
                    "E044",
                    expectation.span,
                    f"kiểm thử không có đối tượng `{expectation.subject}`",
                    f"the test has no subject `{expectation.subject}`",
                    *did_you_mean(expectation.subject, subjects),
                )
        elif expectation.subject is not None:
            self.error(
                "E044",
                expectation.span,
                f"kiểm thử một đối tượng không có đối tượng tên `{expectation.subject}`; "
                "khai báo các đối tượng bằng `subject TÊN given …`",
                f"a single-subject test has no subject `{expectation.subject}`; declare "
                "subjects with `subject NAME given …`",
            )
        if expectation.is_flag:
            if expectation.name not in FLAGS:
                self.error(
                    "E045",
                    expectation.name_span,
                    f"không có cờ `{expectation.name}`; các cờ: {', '.join(FLAGS)}",
                    f"there is no flag `{expectation.name}`; flags: {', '.join(FLAGS)}",
                    *did_you_mean(expectation.name, FLAGS),
                )
            return
        value = expectation.value
        if value is None:
            return
        wanted = self.expectation_type(expectation)
        if wanted is None:
            return
        if expectation.within is not None:
            self.check_within(expectation, wanted)
        if expectation.round_places is not None:
            self.check_rounded(expectation, wanted)
        if isinstance(value, s.NotApplicable):
            symbol = self.symbols.get(expectation.name)
            if symbol is None or symbol.kind != "criterion":
                self.error(
                    "E043",
                    value.span,
                    "chỉ tiêu chí mới có thể `not applicable` (không áp dụng)",
                    "only a criterion can be `not applicable`",
                )
            return
        if wanted.kind == "grade":
            self.grade_name(
                value,
                Text(
                    f"giá trị kỳ vọng của `{expectation.name}`",
                    f"the expected value of `{expectation.name}`",
                ),
            )
            return
        if wanted.kind in ("unknown", "items"):
            return
        found = literal_type(value)
        ok = found is not None and (
            found == wanted
            or (
                wanted.kind == "enum"
                and found == TEXT
                and isinstance(value, s.String)
                and value.value in wanted.choices
            )
            or (wanted.kind == "text" and found == TEXT)
        )
        if not ok:
            self.error(
                "E043",
                value.span,
                f"`{expectation.name}` là {wanted.describe().vi}: giá trị kỳ vọng phải là "
                f"{wanted.describe().vi} viết trực tiếp",
                f"`{expectation.name}` is {wanted.describe().en}: the expected value must be "
                f"{wanted.describe().en} written out",
            )

    def check_rounded(self, expectation: s.Expectation, wanted: Type) -> None:
        """`expect round(X, N) = V`: X is a number, N places as `round` takes them."""
        places = expectation.round_places
        assert places is not None
        if not wanted.is_("number"):
            self.error(
                "E043",
                expectation.span,
                f"`{expectation.name}` là {wanted.describe().vi}: chỉ làm tròn được số",
                f"`{expectation.name}` is {wanted.describe().en}: only numbers can be rounded",
            )
        elif places > MAX_ROUND_PLACES:
            self.error(
                "E011",
                expectation.span,
                f"số chữ số làm tròn phải từ 0 đến {MAX_ROUND_PLACES}",
                f"the places to round to must be 0 to {MAX_ROUND_PLACES}",
            )

    def check_within(self, expectation: s.Expectation, wanted: Type) -> None:
        """`expect X = V within E`: a tolerance for a number, written out, not negative."""
        within = expectation.within
        assert within is not None
        if not wanted.is_("number"):
            self.error(
                "E043",
                within.span,
                f"`{expectation.name}` là {wanted.describe().vi}: `sai số` chỉ dùng cho số",
                f"`{expectation.name}` is {wanted.describe().en}: `within` is for numbers only",
            )
            return
        tolerance = literal_number(within)
        if tolerance is None or tolerance < 0:
            self.error(
                "E043",
                within.span,
                "sai số phải là một số không âm viết trực tiếp, ví dụ `sai số 0.01`",
                "the tolerance must be a number written out, not negative, e.g. `within 0.01`",
            )

    def expectation_type(self, expectation: s.Expectation) -> Type | None:
        """The type of the value an expectation names, or None after reporting."""
        name = canonical(expectation.name)
        if name == "total":
            return NUMBER
        if name in ("grade", "score_grade"):
            return GRADE
        symbol = self.symbols.get(expectation.name)
        if symbol is not None:
            if symbol.kind == "input" and isinstance(symbol.node, s.Input):
                return input_type(symbol.node.type)
            if symbol.kind in ("criterion", "group"):
                return NUMBER
            if symbol.kind == "let":
                return self.let_type(expectation.name)
            vi_kind, en_kind = _KIND_WORDS[symbol.kind]
            self.error(
                "E043",
                expectation.name_span,
                f"`expect` (kỳ vọng) nhận đầu vào, let, tiêu chí, nhóm, total, grade hoặc "
                f"score_grade; `{expectation.name}` là {vi_kind}",
                f"`expect` takes inputs, lets, criteria, groups, total, grade or score_grade; "
                f"`{expectation.name}` is a {en_kind}",
            )
            return None
        candidates = [
            n
            for n, sym in self.symbols.items()
            if sym.kind in ("input", "let", "criterion", "group")
        ] + ["total", "grade", "score_grade"]
        self.error(
            "E006",
            expectation.name_span,
            f"tên `{expectation.name}` chưa được khai báo",
            f"`{expectation.name}` is not declared",
            *did_you_mean(expectation.name, candidates),
        )
        return None

    # ------------------------------------------------------------ expressions

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

    def condition(self, node: s.Expr, ctx: _Ctx, keyword: str) -> None:
        found = self.value(node, ctx)
        self.need(
            found, node, BOOL, "E013", Text(f"điều kiện `{keyword}`", f"the `{keyword}` condition")
        )

    def value(self, node: s.Expr, ctx: _Ctx) -> Type:
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

    def expr(self, node: s.Expr, ctx: _Ctx) -> Type:
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
        # NotApplicable, ListLit, RecordLit
        self.error(
            "E023",
            node.span,
            "giá trị này chỉ dùng được trong kiểm thử (`given`/`expect`), không dùng trong "
            "công thức",
            "this value is only for tests (`given`/`expect`), not for formulas",
        )
        return UNKNOWN

    def name(self, node: s.Name, ctx: _Ctx) -> Type:
        name = node.name
        if ctx.frame is not None and ctx.frame.link is not None:
            # Inside an aggregate over a needed rule set's results, `grade`, `total` … are
            # the row's; other names may be that rule set's values, which are not visible here.
            field_type = RESULT_FIELDS.get(canonical(name))
            if field_type is not None:
                return field_type
            if name not in self.symbols and canonical(name) not in BUILTIN_ATTRIBUTES:
                return UNKNOWN
        symbol = self.symbols.get(name)
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

    def symbol_kind(self, name: str) -> SymbolKind | None:
        symbol = self.symbols.get(name)
        return symbol.kind if symbol is not None else None

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

    def attribute(self, node: s.Attribute, ctx: _Ctx) -> Type:
        target = node.target
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
        frame = ctx.frame
        if item_field is None:
            self.error(
                "E007",
                node.name_span,
                f"danh sách `{items.name}` không có trường `{node.name}`",
                f"the list `{items.name}` has no field `{node.name}`",
                *did_you_mean(node.name, [f.name for f in items.fields]),
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
        return input_type(item_field.type)

    def link_field(self, node: s.Attribute, target: s.Call, ctx: _Ctx) -> Type:
        """`unit_result(R).grade` (one value per subject) or `periods(R).total` (one value
        per row, so only inside an aggregate)."""
        key = self.link(target)
        found = RESULT_FIELDS.get(canonical(node.name), UNKNOWN)
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

    def binary(self, node: s.Binary, ctx: _Ctx) -> Type:
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

    # calls ------------------------------------------------------------------

    def call(self, node: s.Call, ctx: _Ctx) -> Type:
        function = node.function
        if function in LINK_FUNCTIONS:
            key = self.link(node)
            if key is None:
                return UNKNOWN
            if function in LIST_LINKS:
                return Type("items", items=key)
            self.error(
                "E017",
                node.span,
                f"`{key}` là một kết quả: hãy đọc một trường của nó, ví dụ {key}.grade",
                f"`{key}` is a result: read one of its fields, e.g. {key}.grade",
            )
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
        aggregate = function in ("sum", "count", "mean", "any", "all") or (
            function in ("min", "max") and len(node.args) == 1
        )
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

    def aggregate(self, node: s.Call, ctx: _Ctx, keywords: dict[str, s.Keyword]) -> Type:
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
                self.value(arg, replace(ctx, frame=_Frame(function), cohort=False))
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
            return self.cohort_aggregate(node, ctx)
        frame = _Frame(function, link=next((k for k in sorted(lists) if "(" in k), None))
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

    def cohort_aggregate(self, node: s.Call, ctx: _Ctx) -> Type:
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

    # percent --------------------------------------------------------------------

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

    # bands ------------------------------------------------------------------

    def band(self, node: s.Band, ctx: _Ctx) -> Type:
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

    def band_value(self, value: s.Expr, ctx: _Ctx, so_far: Type) -> Type:
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

    # ------------------------------------------------------------ cycles

    def check_cycles(self) -> None:
        nodes = {*self.depends, "total"}
        graph = {
            node: sorted(ref for ref in refs if ref in nodes) for node, refs in self.depends.items()
        }
        if "total" not in self.depends:
            graph["total"] = [g.name for g in self.groups if g.name in self.depends]
        for component in _strongly_connected(graph):
            members = sorted(component, key=self.declared_at)
            if len(members) == 1 and members[0] not in graph[members[0]]:
                continue
            # One message per distinct cycle: the shortest cycle through each member, each
            # written from its earliest declared value.
            reported: set[tuple[str, ...]] = set()
            for member in members:
                cycle = _cycle_through(member, set(members), graph)
                start = cycle.index(min(cycle, key=self.declared_at))
                cycle = cycle[start:] + cycle[:start]
                if tuple(cycle) in reported:
                    continue
                reported.add(tuple(cycle))
                shown = " → ".join(f"`{n}`" for n in [*cycle, cycle[0]])
                self.error(
                    "E025",
                    self.span_of(cycle[0]),
                    f"vòng phụ thuộc: {shown}; một giá trị không thể được tính từ chính nó",
                    f"dependency cycle: {shown}; a value cannot be computed from itself",
                )

    def declared_at(self, name: str) -> tuple[int, int]:
        span = self.span_of(name)
        return (span.start, 0) if span is not None else (1 << 60, 0)

    def span_of(self, name: str) -> s.Span | None:
        if name == "total":
            return self.total.span if self.total is not None else None
        symbol = self.symbols.get(name)
        return symbol.span if symbol is not None else None

    # ------------------------------------------------------------ warnings

    def check_unused(self) -> None:
        if not self.complete:
            return
        used = self.used | self.suggested
        for name, decl in self.inputs.items():
            if name not in used:
                self.warning(
                    "W005",
                    decl.name_span,
                    f"đầu vào `{name}` không được dùng trong công thức nào",
                    f"the input `{name}` is not used by any formula",
                )
        for name, items_decl in self.items.items():
            if name not in used:
                self.warning(
                    "W005",
                    items_decl.name_span,
                    f"danh sách `{name}` không được dùng trong công thức nào",
                    f"the list `{name}` is not used by any formula",
                )
        for name, let in self.lets.items():
            if name not in used:
                self.warning(
                    "W006",
                    let.name_span,
                    f"`let {name}` không được dùng ở đâu",
                    f"`let {name}` is not used anywhere",
                )

    def check_scale(self) -> None:
        ruleset = self.module.ruleset
        if ruleset is None:
            return
        maxima = sum((g.max.value for g in self.groups if g.kind == "group"), Decimal(0))
        clause = self.scale_clause
        if not self.complete:
            return
        if clause is None:
            if maxima <= 0 and ruleset.get("scale") is None:
                self.error(
                    "E040",
                    ruleset.name_span,
                    "thang điểm bằng 0: chưa có nhóm tiêu chí (`group`) nào và chưa khai báo "
                    "`scale`",
                    "the scale is 0: there is no `group` and no `scale` clause",
                )
            return
        scale = self.scale_value
        if self.groups and scale is not None and maxima != scale:
            self.warning(
                "W001",
                clause.span,
                f"tổng điểm tối đa của các nhóm là {maxima}, khác thang điểm {scale}",
                f"the group maxima add up to {maxima}, not to the scale {scale}",
            )

    def check_ranges(self) -> None:
        scale = self.scale_value
        if scale is None:
            scale = sum((g.max.value for g in self.groups if g.kind == "group"), Decimal(0))
        analysis = Analysis(
            inputs=self.inputs,
            items=self.items,
            params=self.params,
            lets=self.lets,
            criteria=self.criteria,
            groups=[
                g
                for g in self.groups
                if self.symbols.get(g.name, None) is not None and self.symbols[g.name].node is g
            ],
            total=self.total,
            precision=self.precision,
            scale=Fraction(scale),
        )
        grades = self.grades if self.complete else None
        for diagnostic in analysis.warnings(self.module.declarations, grades, self.capped_grades()):
            self.diagnostics.append(diagnostic)

    def capped_grades(self) -> set[str] | None:
        """Grades a veto or quota can give regardless of points; None when any grade can."""
        names: set[str] = set()
        for decl in self.module.declarations:
            if isinstance(decl, s.Veto):
                if isinstance(decl.cap, s.Name):
                    names.add(decl.cap.name)
                else:
                    return None
            elif isinstance(decl, s.Quota):
                names.add(decl.demote_to.name)
        return names


# ---------------------------------------------------------------- helpers


def _is_expr(value: object) -> TypeGuard[s.Expr]:
    return isinstance(
        value,
        s.Number
        | s.Bool
        | s.String
        | s.DateLit
        | s.NotApplicable
        | s.Name
        | s.Attribute
        | s.Unary
        | s.Binary
        | s.Conditional
        | s.Call
        | s.Band
        | s.ListLit
        | s.RecordLit,
    )


def literal_number(node: s.Expr | None) -> Fraction | None:
    """The value of a number written out (`5`, `-2`, `25%`), or None."""
    if isinstance(node, s.Number):
        return Fraction(node.value)
    if isinstance(node, s.Unary) and node.op == "-" and isinstance(node.operand, s.Number):
        return -Fraction(node.operand.value)
    return None


_PERIOD_WORDS: dict[str, tuple[str, str]] = {
    "month": ("tháng", "month"),
    "quarter": ("quý", "quarter"),
    "year": ("năm", "year"),
}


def _period_example(kind: str, written: Period) -> str:
    """A period of `kind` near one written with the wrong kind (for a hint)."""
    if kind == "year":
        return str(written.year)
    if kind == "quarter":
        return f"{written.year}-Q{(written.start.month - 1) // 3 + 1}"
    return f"{written.year}-{written.start.month:02d}"


def literal_type(node: s.Expr) -> Type | None:
    if literal_number(node) is not None:
        return NUMBER
    if isinstance(node, s.Bool):
        return BOOL
    if isinstance(node, s.String):
        return TEXT
    if isinstance(node, s.DateLit):
        return DATE
    return None


def in_range(value: Fraction, rng: s.RangeSpec) -> bool:
    low, high = literal_number(rng.low), literal_number(rng.high)
    if low is not None and (value < low or (value == low and rng.low_strict)):
        return False
    return not (high is not None and (value > high or (value == high and rng.high_strict)))


def _strongly_connected(graph: dict[str, list[str]]) -> Iterator[list[str]]:
    """Tarjan's algorithm, iterative so that long chains of lets cannot overflow the stack."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        while work:
            node, child_i = work.pop()
            if child_i == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            children = graph.get(node, [])
            descended = False
            while child_i < len(children):
                child = children[child_i]
                child_i += 1
                if child not in index:
                    work.append((node, child_i))
                    work.append((child, 0))
                    descended = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if descended:
                continue
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                yield component


def _cycle_through(start: str, members: set[str], graph: dict[str, list[str]]) -> list[str]:
    """A shortest path from `start` back to itself inside one strongly connected part."""
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following: list[str] = []
        for node in frontier:
            for child in graph.get(node, []):
                if child not in members:
                    continue
                if child == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return list(reversed(path))
                if child not in previous:
                    previous[child] = node
                    following.append(child)
        frontier = following
    return [start]


def missing_header(module: s.Module | None = None) -> Diagnostic:
    """Positioned at the first declaration (where the header should have come before), or
    at the start of the file."""
    first = module.declarations[0].span if module is not None and module.declarations else None
    if first is not None:
        span = s.Span(
            first.line, first.column, first.line, first.column + 1, first.start, first.start + 1
        )
    else:
        span = s.Span(1, 1, 1, 1, 0, 0)
    return error(
        "E001",
        span,
        "tệp thiếu phần đầu `ruleset … end` (bộ tiêu chí)",
        "the file has no `ruleset … end` header",
    )


def check(module: s.Module, *, complete: bool = True) -> list[Diagnostic]:
    """Every error and warning of a parsed rule file, in the order found.

    Pass complete=False when the parser dropped declarations after syntax errors: checks
    that need the whole file (missing blocks, unused names, the scale, reachable grades) are
    then skipped, so that a broken declaration does not cause a cascade of false alarms.
    """
    return Checker(module, complete).run()
