"""What changed in meaning between two versions of a rule file (`chamdiem diff`).

Declarations are matched by name (vetoes, which have none, by their reason, then by their
condition; quotas by the grade they limit) and compared as trees without spans, so a change
of layout, comments or keyword language is no change. Numbers compare by value (`25%` is
`0.25`, `70` is `70.0`). Formulas are shown as source text, printed by the formatter with the
keywords of the version they come from.

    changes = diff_modules(old_module, new_module)
    print(render_changes(changes, "vi"))   # "không thay đổi nội dung" when empty
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, TypeVar

from chamdiem.dsl import keywords
from chamdiem.dsl import syntax as s
from chamdiem.dsl.diagnostics import Language, Text
from chamdiem.dsl.format import format_expr, format_node, quote, spell_keyword

__all__ = ["Change", "describe", "diff_modules", "render_changes", "structure"]

ChangeKind = Literal["added", "removed", "changed"]
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class Change:
    """One change of meaning.

    `entity` is what changed: header, input, items, field, param, let, group (or bonus,
    penalty), criterion, total, grade, grades, veto, exclusion, quota or test; `name` names
    it (a field as `items.field`, a veto or exclusion by its reason, the header by the
    ruleset's name); `aspect` says which part changed
    (label, max, formula, when, type, range, default, values, order, …; empty for added and
    removed); `old` and `new` are source text (None where there is none)."""

    kind: ChangeKind
    entity: str
    name: str
    aspect: str = ""
    old: str | None = None
    new: str | None = None


# ---------------------------------------------------------------- comparing trees


def structure(node: object, keep_text: bool = False) -> object:
    """A hashable image of a syntax node without spans (and, for a Module, without its path,
    source and comments). Numbers keep only their value unless `keep_text`."""
    if isinstance(node, s.Span):
        return None
    if isinstance(node, s.Module):
        return (
            "Module",
            structure(node.ruleset, keep_text),
            structure(node.declarations, keep_text),
        )
    if isinstance(node, s.Number) and not keep_text:
        return ("Number", node.value.normalize())
    if isinstance(node, Decimal) and not keep_text:
        return node.normalize()
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        return (
            type(node).__name__,
            *(
                structure(getattr(node, f.name), keep_text)
                for f in dataclasses.fields(node)
                if not f.name.endswith("span")
            ),
        )
    if isinstance(node, tuple | list):
        return tuple(structure(item, keep_text) for item in node)
    return node


def _same(a: object, b: object) -> bool:
    return structure(a) == structure(b)


# ---------------------------------------------------------------- the diff


def diff_modules(old: s.Module, new: s.Module) -> list[Change]:
    """Every change of meaning from `old` to `new`, in the order of the file: header,
    inputs, items, params, lets, groups and criteria, total, grades, vetoes, exclusions,
    quotas, tests."""
    differ = _Differ(old, new)
    differ.header()
    differ.inputs()
    differ.items()
    differ.params()
    differ.lets()
    differ.groups()
    differ.total()
    differ.grades()
    differ.vetoes()
    differ.exclusions()
    differ.quotas()
    differ.tests()
    return differ.changes


def _decls(module: s.Module, kind: type[_T]) -> list[_T]:
    return [d for d in module.declarations if isinstance(d, kind)]


def _by_name(nodes: Iterable[_T], name: Callable[[_T], str]) -> dict[str, _T]:
    found: dict[str, _T] = {}
    for node in nodes:
        found.setdefault(name(node), node)
    return found


def _order(old_names: Iterable[str], new_names: Iterable[str]) -> list[str]:
    """New names in their order, then the removed ones in theirs."""
    names = list(dict.fromkeys(new_names))
    names += [n for n in dict.fromkeys(old_names) if n not in names]
    return names


class _Differ:
    def __init__(self, old: s.Module, new: s.Module) -> None:
        self.old = old
        self.new = new
        self.changes: list[Change] = []

    # ------------------------------------------------------------ text of each side

    def expr(self, e: s.Expr | None, module: s.Module) -> str | None:
        return None if e is None else format_expr(e, module)

    def node(
        self, node: s.Ruleset | s.Declaration | s.Criterion | s.Grade | s.Input, module: s.Module
    ) -> str:
        return format_node(node, module)

    def add(
        self,
        kind: ChangeKind,
        entity: str,
        name: str,
        aspect: str = "",
        old: str | None = None,
        new: str | None = None,
    ) -> None:
        self.changes.append(Change(kind, entity, name, aspect, old, new))

    def compare(
        self,
        entity: str,
        name: str,
        aspect: str,
        old: object,
        new: object,
        old_text: str | None,
        new_text: str | None,
    ) -> None:
        if not _same(old, new):
            self.add("changed", entity, name, aspect, old_text, new_text)

    def expr_aspect(
        self, entity: str, name: str, aspect: str, old: s.Expr | None, new: s.Expr | None
    ) -> None:
        self.compare(
            entity, name, aspect, old, new, self.expr(old, self.old), self.expr(new, self.new)
        )

    def label(self, entity: str, name: str, old: str | None, new: str | None) -> None:
        self.compare(
            entity,
            name,
            "label",
            old,
            new,
            None if old is None else quote(old),
            None if new is None else quote(new),
        )

    # ------------------------------------------------------------ header

    def header(self) -> None:
        old, new = self.old.ruleset, self.new.ruleset
        if old is None or new is None:
            if new is not None:
                self.add("added", "header", new.name)
            elif old is not None:
                self.add("removed", "header", old.name)
            return
        name = new.name
        if old.name != new.name:
            self.add("changed", "header", name, "name", old.name, new.name)
        if old.title != new.title:
            self.add("changed", "header", name, "title", quote(old.title), quote(new.title))
        for key in (
            "subject",
            "period",
            "effective",
            "until",
            "basis",
            "precision",
            "scale",
            "needs",
        ):
            a, b = old.get(key), new.get(key)
            va = None if a is None else a.value
            vb = None if b is None else b.value
            if structure(va) != structure(vb):
                self.add(
                    "changed",
                    "header",
                    name,
                    key,
                    self._clause_text(key, a, self.old),
                    self._clause_text(key, b, self.new),
                )

    def _clause_text(self, key: str, clause: s.HeaderClause | None, module: s.Module) -> str | None:
        if clause is None:
            return None
        value = clause.value
        if key in ("subject", "period") and isinstance(value, str):
            return spell_keyword(module, value.upper())
        if key == "basis" and isinstance(value, str):
            return quote(value)
        if key == "needs" and isinstance(value, tuple):
            return ", ".join(str(v) for v in value)
        if hasattr(value, "isoformat"):
            return str(value.isoformat())
        return str(value)

    # ------------------------------------------------------------ inputs and items

    def inputs(self) -> None:
        self._fields("input", "", _decls(self.old, s.Input), _decls(self.new, s.Input))

    def _fields(
        self, entity: str, prefix: str, old_fields: Sequence[s.Input], new_fields: Sequence[s.Input]
    ) -> None:
        old = _by_name(old_fields, lambda f: f.name)
        new = _by_name(new_fields, lambda f: f.name)
        for name in _order(old, new):
            shown = prefix + name
            a, b = old.get(name), new.get(name)
            if a is None and b is not None:
                self.add("added", entity, shown, "", None, self.node(b, self.new))
            elif b is None and a is not None:
                self.add("removed", entity, shown, "", self.node(a, self.old), None)
            elif a is not None and b is not None:
                self.compare(
                    entity,
                    shown,
                    "type",
                    a.type,
                    b.type,
                    self._type(a, self.old),
                    self._type(b, self.new),
                )
                self.compare(
                    entity, shown, "range", a.range, b.range, _range(a.range), _range(b.range)
                )
                self.expr_aspect(entity, shown, "default", a.default, b.default)
                self.label(entity, shown, a.label, b.label)

    def _type(self, f: s.Input, module: s.Module) -> str:
        word = spell_keyword(module, keywords.TYPE_TERMINALS[f.type.kind])
        if f.type.kind == "enum":
            return f"{word} " + ", ".join(quote(c) for c in f.type.choices)
        return word

    def items(self) -> None:
        old = _by_name(_decls(self.old, s.Items), lambda i: i.name)
        new = _by_name(_decls(self.new, s.Items), lambda i: i.name)
        for name in _order(old, new):
            a, b = old.get(name), new.get(name)
            if a is None and b is not None:
                self.add("added", "items", name, "", None, self.node(b, self.new))
            elif b is None and a is not None:
                self.add("removed", "items", name, "", self.node(a, self.old), None)
            elif a is not None and b is not None:
                self.label("items", name, a.label, b.label)
                self._fields("field", f"{name}.", a.fields, b.fields)

    # ------------------------------------------------------------ params and lets

    def params(self) -> None:
        old = _by_name(_decls(self.old, s.Param), lambda p: p.name)
        new = _by_name(_decls(self.new, s.Param), lambda p: p.name)
        for name in _order(old, new):
            a, b = old.get(name), new.get(name)
            if a is None and b is not None:
                self.add("added", "param", name, "", None, self.node(b, self.new))
            elif b is None and a is not None:
                self.add("removed", "param", name, "", self.node(a, self.old), None)
            elif a is not None and b is not None:
                self.compare(
                    "param",
                    name,
                    "values",
                    a.values,
                    b.values,
                    self._param_values(a, self.old),
                    self._param_values(b, self.new),
                )
                self.label("param", name, a.label, b.label)

    def _param_values(self, p: s.Param, module: s.Module) -> str:
        word = spell_keyword(module, "_FROM")
        parts = []
        for value in p.values:
            text = format_expr(value.value, module)
            if value.since is not None:
                text += f" {word} {value.since.isoformat()}"
            parts.append(text)
        return ", ".join(parts)

    def lets(self) -> None:
        old = _by_name(_decls(self.old, s.Let), lambda d: d.name)
        new = _by_name(_decls(self.new, s.Let), lambda d: d.name)
        for name in _order(old, new):
            a, b = old.get(name), new.get(name)
            if a is None and b is not None:
                self.add("added", "let", name, "", None, self.expr(b.expr, self.new))
            elif b is None and a is not None:
                self.add("removed", "let", name, "", self.expr(a.expr, self.old), None)
            elif a is not None and b is not None:
                self.expr_aspect("let", name, "formula", a.expr, b.expr)

    # ------------------------------------------------------------ groups and criteria

    def groups(self) -> None:
        old = _by_name(_decls(self.old, s.Group), lambda g: g.name)
        new = _by_name(_decls(self.new, s.Group), lambda g: g.name)
        for name in _order(old, new):
            a, b = old.get(name), new.get(name)
            if a is None and b is not None:
                self.add("added", b.kind, name, "", None, self._group_head(b, self.new))
            elif b is None and a is not None:
                self.add("removed", a.kind, name, "", self._group_head(a, self.old), None)
            elif a is not None and b is not None:
                if a.kind != b.kind:
                    self.add("changed", b.kind, name, "kind", a.kind, b.kind)
                self.label(b.kind, name, a.label, b.label)
                self.compare(b.kind, name, "max", a.max, b.max, a.max.text, b.max.text)
                if a.rescale != b.rescale:
                    self.add(
                        "changed",
                        b.kind,
                        name,
                        "rescale",
                        spell_keyword(self.old, "RESCALE") if a.rescale else None,
                        spell_keyword(self.new, "RESCALE") if b.rescale else None,
                    )
        self._criteria()

    def _group_head(self, g: s.Group, module: s.Module) -> str:
        return format_node(g, module).splitlines()[0]

    def _criteria(self) -> None:
        def index(module: s.Module) -> dict[str, tuple[s.Group, s.Criterion]]:
            found: dict[str, tuple[s.Group, s.Criterion]] = {}
            for group in _decls(module, s.Group):
                for criterion in group.criteria:
                    found.setdefault(criterion.name, (group, criterion))
            return found

        old, new = index(self.old), index(self.new)
        for name in _order(old, new):
            a, b = old.get(name), new.get(name)
            if a is None and b is not None:
                self.add("added", "criterion", name, b[0].name, None, self.node(b[1], self.new))
            elif b is None and a is not None:
                self.add("removed", "criterion", name, a[0].name, self.node(a[1], self.old), None)
            elif a is not None and b is not None:
                (group_a, ca), (group_b, cb) = a, b
                if group_a.name != group_b.name:
                    self.add("changed", "criterion", name, "group", group_a.name, group_b.name)
                self.label("criterion", name, ca.label, cb.label)
                self.compare("criterion", name, "max", ca.max, cb.max, ca.max.text, cb.max.text)
                self.expr_aspect(
                    "criterion", name, "applies_when", ca.applies_when, cb.applies_when
                )
                self.expr_aspect("criterion", name, "formula", ca.expr, cb.expr)

    def total(self) -> None:
        a = next(iter(_decls(self.old, s.Total)), None)
        b = next(iter(_decls(self.new, s.Total)), None)
        self.expr_aspect(
            "total",
            "total",
            "formula",
            None if a is None else a.expr,
            None if b is None else b.expr,
        )

    # ------------------------------------------------------------ grades, vetoes, quotas

    def grades(self) -> None:
        def rows(module: s.Module) -> list[s.Grade]:
            return [g for block in _decls(module, s.Grades) for g in block.grades]

        old_rows, new_rows = rows(self.old), rows(self.new)
        old = _by_name(old_rows, lambda g: g.name)
        new = _by_name(new_rows, lambda g: g.name)
        for name in _order(old, new):
            a, b = old.get(name), new.get(name)
            if a is None and b is not None:
                self.add("added", "grade", name, "", None, self.node(b, self.new))
            elif b is None and a is not None:
                self.add("removed", "grade", name, "", self.node(a, self.old), None)
            elif a is not None and b is not None:
                self.label("grade", name, a.label, b.label)
                if not _same(a.when, b.when):
                    self.add(
                        "changed",
                        "grade",
                        name,
                        "when",
                        self._condition(a, self.old),
                        self._condition(b, self.new),
                    )
        kept_old = [g.name for g in old_rows if g.name in new]
        kept_new = [g.name for g in new_rows if g.name in old]
        if kept_old != kept_new:
            self.add("changed", "grades", "", "order", ", ".join(kept_old), ", ".join(kept_new))

    def _condition(self, grade: s.Grade, module: s.Module) -> str:
        if grade.when is None:
            return spell_keyword(module, "_OTHERWISE")
        return self.expr(grade.when, module) or ""

    def vetoes(self) -> None:
        old = list(_decls(self.old, s.Veto))
        new = list(_decls(self.new, s.Veto))
        pairs: list[tuple[s.Veto | None, s.Veto | None]] = []
        # Same reason first, then the same condition and cap (a reworded reason).
        for match in (
            lambda a, b: a.reason == b.reason,
            lambda a, b: _same(a.when, b.when) and _same(a.cap, b.cap),
        ):
            for later in list(new):
                earlier = next((v for v in old if match(v, later)), None)
                if earlier is not None:
                    pairs.append((earlier, later))
                    old.remove(earlier)
                    new.remove(later)
        pairs += [(None, b) for b in new] + [(a, None) for a in old]
        order = {id(v): i for i, v in enumerate(_decls(self.new, s.Veto))}
        pairs.sort(key=lambda p: order.get(id(p[1]), len(order)))
        for a, b in pairs:
            if a is None and b is not None:
                self.add("added", "veto", b.reason, "", None, self.node(b, self.new))
            elif b is None and a is not None:
                self.add("removed", "veto", a.reason, "", self.node(a, self.old), None)
            elif a is not None and b is not None:
                if a.reason != b.reason:
                    self.add(
                        "changed", "veto", b.reason, "reason", quote(a.reason), quote(b.reason)
                    )
                self.expr_aspect("veto", b.reason, "condition", a.when, b.when)
                self.expr_aspect("veto", b.reason, "cap", a.cap, b.cap)

    def exclusions(self) -> None:
        old = list(_decls(self.old, s.Exclusion))
        new = list(_decls(self.new, s.Exclusion))
        pairs: list[tuple[s.Exclusion | None, s.Exclusion | None]] = []
        for match in (
            lambda a, b: a.reason == b.reason,
            lambda a, b: _same(a.when, b.when),
        ):
            for later in list(new):
                earlier = next((x for x in old if match(x, later)), None)
                if earlier is not None:
                    pairs.append((earlier, later))
                    old.remove(earlier)
                    new.remove(later)
        order = {id(x): i for i, x in enumerate(_decls(self.new, s.Exclusion))}
        pairs.sort(key=lambda p: order.get(id(p[1]), len(order)))
        pairs += [(None, b) for b in new] + [(a, None) for a in old]
        for a, b in pairs:
            if a is None and b is not None:
                self.add("added", "exclusion", b.reason, "", None, self.node(b, self.new))
            elif b is None and a is not None:
                self.add("removed", "exclusion", a.reason, "", self.node(a, self.old), None)
            elif a is not None and b is not None:
                if a.reason != b.reason:
                    self.add(
                        "changed", "exclusion", b.reason, "reason", quote(a.reason), quote(b.reason)
                    )
                self.expr_aspect("exclusion", b.reason, "condition", a.when, b.when)

    def quotas(self) -> None:
        old = list(_decls(self.old, s.Quota))
        new = list(_decls(self.new, s.Quota))
        pairs: list[tuple[s.Quota | None, s.Quota | None]] = []
        for later in new:
            earlier = next((q for q in old if q.grade.name == later.grade.name), None)
            if earlier is not None:
                old.remove(earlier)
            pairs.append((earlier, later))
        pairs += [(a, None) for a in old]
        for a, b in pairs:
            if a is None and b is not None:
                self.add("added", "quota", b.grade.name, "", None, self.node(b, self.new))
            elif b is None and a is not None:
                self.add("removed", "quota", a.grade.name, "", self.node(a, self.old), None)
            elif a is not None and b is not None:
                name = b.grade.name
                self.expr_aspect("quota", name, "share", a.share, b.share)
                self.expr_aspect("quota", name, "count", a.count, b.count)
                self.compare(
                    "quota",
                    name,
                    "per",
                    a.per,
                    b.per,
                    ", ".join(k.name for k in a.per) or None,
                    ", ".join(k.name for k in b.per) or None,
                )
                self.compare(
                    "quota",
                    name,
                    "rank",
                    a.rank,
                    b.rank,
                    self._rank(a, self.old),
                    self._rank(b, self.new),
                )
                self.compare(
                    "quota",
                    name,
                    "demote_to",
                    a.demote_to,
                    b.demote_to,
                    a.demote_to.name,
                    b.demote_to.name,
                )
                if a.rounding != b.rounding:
                    self.add(
                        "changed",
                        "quota",
                        name,
                        "rounding",
                        spell_keyword(self.old, f"ROUND_{a.rounding.upper()}"),
                        spell_keyword(self.new, f"ROUND_{b.rounding.upper()}"),
                    )

    def _rank(self, q: s.Quota, module: s.Module) -> str | None:
        if not q.rank:
            return None
        words = {True: spell_keyword(module, "DESC"), False: spell_keyword(module, "ASC")}
        return ", ".join(f"{format_expr(k.expr, module)} {words[k.descending]}" for k in q.rank)

    def tests(self) -> None:
        old = _by_name(_decls(self.old, s.Test), lambda t: t.name)
        new = _by_name(_decls(self.new, s.Test), lambda t: t.name)
        for name in _order(old, new):
            a, b = old.get(name), new.get(name)
            if a is None and b is not None:
                self.add("added", "test", name)
            elif b is None and a is not None:
                self.add("removed", "test", name)
            elif a is not None and b is not None and not _same(a, b):
                self.add("changed", "test", name, "content")


def _range(r: s.RangeSpec | None) -> str | None:
    if r is None:
        return None
    low = r.low.text if isinstance(r.low, s.Number) else ""
    high = r.high.text if isinstance(r.high, s.Number) else ""
    if r.low is not None and r.high is not None and not (r.low_strict or r.high_strict):
        return f"{low}..{high}"
    if r.low is not None:
        return f"{'>' if r.low_strict else '>='} {low}"
    return f"{'<' if r.high_strict else '<='} {high}"


# ---------------------------------------------------------------- words

_ENTITY: dict[str, Text] = {
    "header": Text("Bộ tiêu chí", "Rule set"),
    "input": Text("Đầu vào", "Input"),
    "items": Text("Danh sách", "Item list"),
    "field": Text("Trường", "Field"),
    "param": Text("Tham số", "Parameter"),
    "let": Text("Giá trị trung gian", "Value"),
    "group": Text("Nhóm", "Group"),
    "bonus": Text("Nhóm điểm cộng", "Bonus group"),
    "penalty": Text("Nhóm điểm trừ", "Penalty group"),
    "criterion": Text("Tiêu chí", "Criterion"),
    "total": Text("Tổng điểm", "Total"),
    "grade": Text("Mức xếp loại", "Grade"),
    "grades": Text("Xếp loại", "Grades"),
    "veto": Text("Loại trừ", "Veto"),
    "exclusion": Text("Không xếp loại", "Exclusion"),
    "quota": Text("Hạn mức", "Quota"),
    "test": Text("Kiểm thử", "Test"),
}

_ASPECT: dict[str, Text] = {
    "name": Text("mã bộ tiêu chí", "rule set name"),
    "title": Text("tên bộ tiêu chí", "title"),
    "subject": Text("đối tượng", "subject"),
    "period": Text("kỳ đánh giá", "period"),
    "effective": Text("hiệu lực từ", "effective from"),
    "until": Text("hiệu lực đến", "effective until"),
    "basis": Text("căn cứ", "legal basis"),
    "precision": Text("số chữ số thập phân", "decimal places"),
    "scale": Text("thang điểm", "scale"),
    "needs": Text("cần bộ tiêu chí", "needs"),
    "label": Text("nhãn", "label"),
    "type": Text("kiểu", "type"),
    "range": Text("miền giá trị", "range"),
    "default": Text("giá trị mặc định", "default"),
    "values": Text("giá trị", "values"),
    "formula": Text("công thức", "formula"),
    "kind": Text("loại nhóm", "kind"),
    "max": Text("điểm tối đa", "maximum"),
    "rescale": Text("quy đổi", "rescale"),
    "group": Text("nhóm", "group"),
    "applies_when": Text("áp dụng khi", "applies when"),
    "when": Text("ngưỡng", "threshold"),
    "condition": Text("điều kiện", "condition"),
    "order": Text("thứ tự xếp loại", "order of grades"),
    "reason": Text("lý do", "reason"),
    "cap": Text("mức tối đa", "grade cap"),
    "share": Text("tỷ lệ", "share"),
    "count": Text("số để tính", "count"),
    "per": Text("tính theo", "per"),
    "rank": Text("xếp hạng theo", "rank by"),
    "demote_to": Text("hạ xuống", "demote to"),
    "rounding": Text("làm tròn", "rounding"),
    "content": Text("nội dung", "content"),
}

_NONE = Text("(không có)", "(none)")
_DEFAULT_TOTAL = Text(
    "(mặc định: tổng các nhóm, cộng điểm cộng, trừ điểm trừ)",
    "(default: sum of groups plus bonus minus penalty)",
)
NO_CHANGE = Text("không thay đổi nội dung", "no change of meaning")


def describe(change: Change) -> Text:
    """One change as a sentence (possibly with an indented block below for a long formula)."""
    entity = _ENTITY.get(change.entity, Text(change.entity, change.entity))
    subject_vi = f"{entity.vi} `{change.name}`" if change.name else entity.vi
    subject_en = f"{entity.en} `{change.name}`" if change.name else entity.en
    if change.entity in ("veto", "exclusion"):
        subject_vi = f"{entity.vi} {quote(change.name)}"
        subject_en = f"{entity.en} {quote(change.name)}"
    if change.kind in ("added", "removed"):
        verb = Text("Thêm", "added") if change.kind == "added" else Text("Bỏ", "removed")
        where = Text("", "")
        if change.entity == "criterion" and change.aspect:
            where = Text(f" (nhóm `{change.aspect}`)", f" (group `{change.aspect}`)")
        body = change.new if change.kind == "added" else change.old
        lower_vi = subject_vi[0].lower() + subject_vi[1:]
        head = Text(f"{verb.vi} {lower_vi}{where.vi}", f"{subject_en}{where.en} {verb.en}")
        return _with_body(head, body)
    aspect = _ASPECT.get(change.aspect, Text(change.aspect, change.aspect))
    if change.entity == "test":
        return Text(f"{subject_vi} đã thay đổi", f"{subject_en} changed")
    if change.entity == "grade" and change.aspect == "when":
        head = Text(f"Ngưỡng xếp loại `{change.name}`:", f"Grade `{change.name}` threshold:")
    elif change.entity == "total":
        head = Text(f"{entity.vi}, công thức:", f"{entity.en} formula:")
    elif change.entity in ("header", "grades"):
        head = Text(_capital(aspect.vi) + ":", _capital(aspect.en) + ":")
    else:
        head = Text(f"{subject_vi}: {aspect.vi}", f"{subject_en}: {aspect.en}")
    empty = _DEFAULT_TOTAL if change.entity == "total" else _NONE
    return _transition(head, change.old, change.new, empty)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _transition(head: Text, old: str | None, new: str | None, empty: Text) -> Text:
    """`head old → new`, or, when either side takes several lines, both as blocks."""
    if (old is None or "\n" not in old) and (new is None or "\n" not in new):
        return Text(
            f"{head.vi} {old or empty.vi} → {new or empty.vi}",
            f"{head.en} {old or empty.en} → {new or empty.en}",
        )
    return Text(
        f"{head.vi}\n  trước:\n{_block(old, empty.vi)}\n  sau:\n{_block(new, empty.vi)}",
        f"{head.en}\n  before:\n{_block(old, empty.en)}\n  after:\n{_block(new, empty.en)}",
    )


def _with_body(head: Text, body: str | None) -> Text:
    if not body:
        return head
    if "\n" not in body:
        return Text(f"{head.vi}: {body}", f"{head.en}: {body}")
    return Text(f"{head.vi}:\n{_block(body, '')}", f"{head.en}:\n{_block(body, '')}")


def _block(text: str | None, empty: str) -> str:
    lines = (text or empty).splitlines() or [empty]
    return "\n".join("    " + line for line in lines)


def render_changes(changes: Sequence[Change], language: Language = "vi") -> str:
    """The changes as a list, one per item ("- …"), or "không thay đổi nội dung"."""
    if not changes:
        return NO_CHANGE.in_(language)
    return "\n".join("- " + describe(change).in_(language) for change in changes)
