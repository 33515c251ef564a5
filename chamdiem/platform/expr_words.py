"""Formulas of a rule file in plain Vietnamese, for the people being scored.

`ratio(a, b, if_zero: 0)` reads "tỷ lệ a / b (bằng 0 nếu b bằng 0)", `sum(sp.he_so where
sp.hoan_thanh)` reads "tổng «Hệ số» của các «Sản phẩm» có «Đã hoàn thành»": names are shown
by their labels where the file gives one («…»), else by their code. Bands are not put in
words: the renderer numbers them ("bảng 1") and collects them in `bands`, so that the page can
show each as a table. The result is plain text; the caller escapes it for HTML.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from chamdiem.dsl import display
from chamdiem.dsl import syntax as s
from chamdiem.dsl.precedence import BINARY_LEVELS, COMPARISON, POSTFIX, SUM, level

__all__ = ["Glossary", "Words", "band_row_words", "date_words", "number_words", "range_words"]


@dataclass
class Glossary:
    """Labels by name, gathered from a module."""

    labels: dict[str, str] = field(default_factory=dict)  # inputs, params, criteria, groups
    grades: dict[str, str] = field(default_factory=dict)
    items: dict[str, str] = field(default_factory=dict)
    fields: dict[str, dict[str, str]] = field(default_factory=dict)  # items -> field -> label
    subject: str = "person"

    @staticmethod
    def of(module: s.Module) -> Glossary:
        glossary = Glossary()
        if module.ruleset is not None:
            clause = module.ruleset.get("subject")
            if clause is not None and isinstance(clause.value, str):
                glossary.subject = clause.value
        for decl in module.declarations:
            if isinstance(decl, s.Input | s.Param) and decl.label:
                glossary.labels[decl.name] = decl.label
            elif isinstance(decl, s.Items):
                glossary.items[decl.name] = decl.label or decl.name
                glossary.fields[decl.name] = {f.name: f.label or f.name for f in decl.fields}
            elif isinstance(decl, s.Group):
                if decl.label:
                    glossary.labels[decl.name] = decl.label
                for criterion in decl.criteria:
                    if criterion.label:
                        glossary.labels[criterion.name] = criterion.label
            elif isinstance(decl, s.Grades):
                for grade in decl.grades:
                    glossary.grades[grade.name] = grade.label or grade.name
        return glossary


# Subject attributes that the platform fills in, by their English and Vietnamese names.
_ATTRIBUTES = {
    "unit": "đơn vị",
    "đơn_vị": "đơn vị",
    "position_group": "nhóm vị trí việc làm",
    "nhóm_vị_trí": "nhóm vị trí việc làm",
    "is_head": "là người đứng đầu",
    "là_người_đứng_đầu": "là người đứng đầu",
}

_COMPARISON_WORDS = {
    ">=": "{a} từ {b} trở lên",
    ">": "{a} trên {b}",
    "<=": "{a} không quá {b}",
    "<": "{a} dưới {b}",
    "==": "{a} bằng {b}",
    "!=": "{a} khác {b}",
}
_GRADE_COMPARISON_WORDS = {
    ">=": "{a} từ {b} trở lên",
    ">": "{a} cao hơn {b}",
    "<=": "{a} từ {b} trở xuống",
    "<": "{a} thấp hơn {b}",
    "==": "{a} là {b}",
    "!=": "{a} không phải {b}",
}
_ARITHMETIC = {"+": "+", "-": "-", "*": "×", "/": "/"}


def _level(e: s.Expr) -> int:
    if isinstance(e, s.Call) and e.function in _PHRASES:
        return COMPARISON  # "tổng … của các …" is bracketed inside arithmetic and comparisons
    return level(e)  # attributes and other calls: 8, where this module never asks for more


# Functions read as phrases with words after their arguments.
_PHRASES = frozenset(
    {"sum", "mean", "count", "any", "all", "min", "max", "clamp", "round", "floor", "ceil"}
)


def number_words(number: Decimal | str) -> str:
    """`0.5` -> `0,5` (the Vietnamese decimal comma, chamdiem.dsl.display); `12.5%` ->
    `12,5%`."""
    text = str(number)
    if text.endswith("%"):
        return display.number_text(text[:-1]) + "%"
    return display.number_text(text)


def date_words(value: date) -> str:
    return value.strftime("%d/%m/%Y")


class Words:
    """Renders expressions of one module in Vietnamese."""

    def __init__(self, glossary: Glossary) -> None:
        self.g = glossary
        self.bands: list[s.Band] = []

    def __call__(self, e: s.Expr) -> str:
        return self.words(e)

    def words(self, e: s.Expr, required: int = 0, items: str | None = None) -> str:
        text = self._words(e, items)
        return f"({text})" if _level(e) < required else text

    # ------------------------------------------------------------ names

    def name(self, name: str, items: str | None = None) -> str:
        g = self.g
        if name == "total":
            return "tổng điểm"
        if name == "grade":
            return "mức xếp loại"
        if name in g.grades:
            return f"«{g.grades[name]}»"
        if name in g.labels:
            return f"«{g.labels[name]}»"
        if name in g.items:
            return f"«{g.items[name]}»"
        return _ATTRIBUTES.get(name, name)

    def _attribute(self, e: s.Attribute) -> str:
        if isinstance(e.target, s.Name) and e.target.name in self.g.fields:
            label = self.g.fields[e.target.name].get(e.name, e.name)
            return f"«{label}»" if label != e.name else e.name
        return f"{self.words(e.target, 8)}.{self.name(e.name)}"

    # ------------------------------------------------------------ forms

    def _words(self, e: s.Expr, items: str | None) -> str:
        if isinstance(e, s.Number):
            return number_words(e.text)
        if isinstance(e, s.Bool):
            return "đúng" if e.value else "sai"
        if isinstance(e, s.String):
            return f"“{e.value}”"
        if isinstance(e, s.DateLit):
            return date_words(e.value)
        if isinstance(e, s.NotApplicable):
            return "không áp dụng"
        if isinstance(e, s.Name):
            return self.name(e.name, items)
        if isinstance(e, s.Attribute):
            return self._attribute(e)
        if isinstance(e, s.Unary):
            if e.op == "not":
                return f"không phải {self.words(e.operand, 3)}"
            return f"-{self.words(e.operand, 7)}"
        if isinstance(e, s.Binary):
            return self._binary(e)
        if isinstance(e, s.Conditional):
            return (
                f"nếu {self.words(e.condition)} thì {self.words(e.then)}, "
                f"ngược lại {self.words(e.otherwise)}"
            )
        if isinstance(e, s.Call):
            return self._call(e)
        if isinstance(e, s.Band):
            self.bands.append(e)
            return f"giá trị theo bảng {len(self.bands)} (theo {self.words(e.subject)})"
        if isinstance(e, s.ListLit):
            return "[" + "; ".join(self.words(i) for i in e.items) + "]"
        if isinstance(e, s.Index):  # a catalogue's record: `san_pham[ma]`
            return f"{self.words(e.target, POSTFIX)}[{self.words(e.key)}]"
        return "{" + "; ".join(f"{f.name}: {self.words(f.value)}" for f in e.fields) + "}"

    def _binary(self, e: s.Binary) -> str:
        strength = BINARY_LEVELS[e.op]
        if e.op in ("and", "or"):
            word = "và" if e.op == "and" else "hoặc"
            return f"{self.words(e.left, strength)} {word} {self.words(e.right, strength + 1)}"
        if strength == COMPARISON:
            grade_side = _is_grade(e.left) or _is_grade(e.right)
            template = (_GRADE_COMPARISON_WORDS if grade_side else _COMPARISON_WORDS)[e.op]
            return template.format(a=self.words(e.left, SUM), b=self.words(e.right, SUM))
        left, right = self.words(e.left, strength), self.words(e.right, strength + 1)
        return f"{left} {_ARITHMETIC[e.op]} {right}"

    def _call(self, e: s.Call) -> str:
        f = e.function
        args = e.args
        named = {k.name: k.value for k in e.keywords}
        if f == "ratio" and len(args) == 2:
            a, b = self.words(args[0], 6), self.words(args[1], 7)
            text = f"tỷ lệ {a} / {b}"
            if "if_zero" in named:
                text += f" (bằng {self.words(named['if_zero'])} nếu {self.words(args[1])} bằng 0)"
            return text
        if f in ("sum", "mean", "count", "any", "all", "min", "max") and len(args) == 1:
            return self._aggregate(e)
        if f in ("min", "max") and len(args) > 1:
            which = "nhỏ nhất" if f == "min" else "lớn nhất"
            parts = [self.words(a, 5) for a in args]
            return f"giá trị {which} của {', '.join(parts[:-1])} và {parts[-1]}"
        if f == "clamp" and len(args) == 3:
            return (
                f"{self.words(args[0])}, giữ trong khoảng từ {self.words(args[1])} "
                f"đến {self.words(args[2])}"
            )
        if f == "round" and len(args) == 2:
            return f"{self.words(args[0])} làm tròn đến {self.words(args[1])} chữ số thập phân"
        if f == "round" and len(args) == 1:
            return f"{self.words(args[0])} làm tròn đến số nguyên"
        if f == "floor" and len(args) == 1:
            return f"{self.words(args[0])} làm tròn xuống"
        if f == "ceil" and len(args) == 1:
            return f"{self.words(args[0])} làm tròn lên"
        parts = [self.words(a) for a in args] + [
            f"{k.name}: {self.words(k.value)}" for k in e.keywords
        ]
        return f"{f}(" + ", ".join(parts) + ")"

    def _aggregate(self, e: s.Call) -> str:
        (value,) = e.args
        items = _items_of(value, self.g)
        label = f"«{self.g.items[items]}»" if items is not None else None
        who = "người" if self.g.subject == "person" else "tập thể"
        having = f" có {self.words(e.where)}" if e.where is not None else ""
        f = e.function
        if f == "count":
            if label is not None and isinstance(value, s.Name):
                return f"số {label}{having}"
            if items is None and e.where is None:
                return f"số {who} có {self.words(value)}"
            return f"số {self.words(value)}{having}"
        if f in ("any", "all"):
            subject = label or who
            if f == "any":
                return f"có ít nhất một {subject}{having} thỏa: {self.words(value)}"
            return f"mọi {subject}{having} đều thỏa: {self.words(value)}"
        noun = {
            "sum": "tổng",
            "mean": "trung bình",
            "min": "giá trị nhỏ nhất của",
            "max": "giá trị lớn nhất của",
        }[f]
        of = f" của các {label}" if label else ""
        return f"{noun} {self.words(value, 7)}{of}{having}"


def _is_grade(e: s.Expr) -> bool:
    return (isinstance(e, s.Name) and e.name == "grade") or (
        isinstance(e, s.Attribute) and e.name == "grade"
    )


def _items_of(e: s.Expr, glossary: Glossary) -> str | None:
    """The items list an aggregate runs over: the first `ITEMS.field` (or ITEMS) in it."""
    if isinstance(e, s.Name) and e.name in glossary.items:
        return e.name
    if isinstance(e, s.Attribute):
        if isinstance(e.target, s.Name) and e.target.name in glossary.items:
            return e.target.name
        return _items_of(e.target, glossary)
    children: list[s.Expr] = []
    if isinstance(e, s.Binary):
        children = [e.left, e.right]
    elif isinstance(e, s.Unary):
        children = [e.operand]
    elif isinstance(e, s.Call):
        children = [*e.args, *(k.value for k in e.keywords)]
    elif isinstance(e, s.Conditional):
        children = [e.condition, e.then, e.otherwise]
    for child in children:
        found = _items_of(child, glossary)
        if found is not None:
            return found
    return None


def band_row_words(row: s.BandRow, words: Words) -> str:
    """The condition of a band row: `>= 9` reads "từ 9 trở lên", `5..7` "từ 5 đến 7"."""
    bound = words(row.bound)
    if row.op == "..":
        upper = words(row.upper) if row.upper is not None else ""
        return f"từ {bound} đến {upper}"
    return {
        ">=": f"từ {bound} trở lên",
        ">": f"trên {bound}",
        "<=": f"không quá {bound}",
        "<": f"dưới {bound}",
    }[row.op]


def range_words(r: s.RangeSpec | None) -> str:
    """`0..10` reads "từ 0 đến 10", `> 0` "lớn hơn 0"."""
    if r is None:
        return ""
    low = number_words(r.low.text) if isinstance(r.low, s.Number) else ""
    high = number_words(r.high.text) if isinstance(r.high, s.Number) else ""
    if r.low is not None and r.high is not None:
        return f"từ {low} đến {high}"
    if r.low is not None:
        return f"lớn hơn {low}" if r.low_strict else f"từ {low} trở lên"
    return f"nhỏ hơn {high}" if r.high_strict else f"không quá {high}"
