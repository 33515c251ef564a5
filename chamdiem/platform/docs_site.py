"""Static HTML documentation of rule sets (`chamdiem doc`), for the people being scored.

One page per rule set (title, legal basis, dates, each group and criterion with its maximum
and its formula in words, bands as tables, grades, vetoes and quotas in plain Vietnamese, the
inputs) and an index page. The pages are self-contained: UTF-8, `lang="vi"`, inline CSS, no
script and no external resource, since the service runs on a closed network. The pages are
Jinja templates (docs_templates/) with autoescape on: every piece of text from a rule file is
escaped there, and this module gives them plain text only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote as url_quote

from jinja2 import Environment, PackageLoader, StrictUndefined

from chamdiem.dsl import syntax as s
from chamdiem.platform.expr_words import (
    Glossary,
    Words,
    band_row_words,
    date_words,
    number_words,
    range_words,
)

if TYPE_CHECKING:
    from chamdiem.dsl.loader import Program

__all__ = ["build_site", "render_index", "render_ruleset"]

_T = TypeVar("_T")


def build_site(programs_or_modules: Iterable[Program | s.Module], out_dir: Path) -> list[Path]:
    """Write index.html and one page per rule set into `out_dir` (created if needed).
    Returns the paths written, the index first."""
    modules = [_module_of(item) for item in programs_or_modules]
    out_dir.mkdir(parents=True, exist_ok=True)
    pages = _page_names(modules)
    written = [out_dir / "index.html"]
    written[0].write_text(render_index(list(zip(modules, pages, strict=True))), encoding="utf-8")
    for module, page in zip(modules, pages, strict=True):
        path = out_dir / page
        path.write_text(render_ruleset(module), encoding="utf-8")
        written.append(path)
    return written


def _module_of(item: Program | s.Module) -> s.Module:
    return item if isinstance(item, s.Module) else item.module


def _page_names(modules: Sequence[s.Module]) -> list[str]:
    """`NAME.html`, with `-2`, `-3`… for further versions of the same rule set."""
    seen: dict[str, int] = {}
    names = []
    for index, module in enumerate(modules):
        base = module.ruleset.name if module.ruleset else f"bo_tieu_chi_{index + 1}"
        seen[base] = seen.get(base, 0) + 1
        names.append(f"{base}.html" if seen[base] == 1 else f"{base}-{seen[base]}.html")
    return names


# ---------------------------------------------------------------- words for header values

_SUBJECT = {"person": "cá nhân", "unit": "tập thể (cơ quan, đơn vị)"}
_PERIOD = {"month": "hằng tháng", "quarter": "hằng quý", "year": "hằng năm"}
_TYPE = {
    "number": "số",
    "count": "số nguyên, không âm",
    "percent": "phần trăm",
    "bool": "có / không",
    "text": "chữ",
    "date": "ngày",
}


@dataclass(frozen=True)
class _Header:
    name: str
    title: str
    subject: str
    period: str
    effective: str
    until: str
    basis: str
    precision: int
    scale: str
    needs: tuple[str, ...]


def _header(module: s.Module) -> _Header:
    r = module.ruleset

    def value(key: s.HeaderKey) -> object:
        clause = r.get(key) if r is not None else None
        return None if clause is None else clause.value

    effective, until = value("effective"), value("until")
    precision = value("precision")
    scale = value("scale")
    if scale is None:
        groups = [d for d in module.declarations if isinstance(d, s.Group) and d.kind == "group"]
        scale = sum((g.max.value for g in groups), Decimal(0))
    needs = value("needs")
    return _Header(
        name=r.name if r else "",
        title=r.title if r else "",
        subject=_SUBJECT.get(str(value("subject")), ""),
        period=_PERIOD.get(str(value("period")), ""),
        effective=date_words(effective) if isinstance(effective, date) else "",
        until=date_words(until) if isinstance(until, date) else "",
        basis=str(value("basis") or ""),
        precision=precision if isinstance(precision, int) else 2,
        scale=number_words(str(scale)),
        needs=needs if isinstance(needs, tuple) else (),
    )


# ---------------------------------------------------------------- pages


@cache
def _templates() -> Environment:
    return Environment(
        loader=PackageLoader("chamdiem.platform", "docs_templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _render(template: str, embedded: bool, **context: Any) -> str:
    """A page: whole and self-contained (base.html), or `embedded`, its content only
    (embedded.html), for the web service to show inside its own frame, menu and stylesheet."""
    frame = "embedded.html" if embedded else "base.html"
    return _templates().get_template(template).render(frame=frame, **context)


@dataclass(frozen=True)
class _IndexEntry:
    href: str
    title: str
    name: str
    subject: str
    period: str
    dates: str
    basis: str


def render_index(entries: Sequence[tuple[s.Module, str]], *, embedded: bool = False) -> str:
    """The index page: one row per rule set, linking to its page."""
    rows = []
    for module, page in entries:
        h = _header(module)
        dates = h.effective + (f" – {h.until}" if h.until else "")
        rows.append(
            _IndexEntry(
                url_quote(page), h.title or h.name, h.name, h.subject, h.period, dates, h.basis
            )
        )
    return _render("index.html", embedded, title="Các bộ tiêu chí đánh giá, xếp loại", entries=rows)


def render_ruleset(
    module: s.Module, *, embedded: bool = False, index_href: str = "index.html"
) -> str:
    """The page of one rule set (`index_href`: where its link back to the index goes)."""
    return _RulesetPage(module).render(embedded, index_href)


@dataclass(frozen=True)
class _BandTable:
    caption: str
    subject: str
    rows: list[tuple[str, str]]


@dataclass(frozen=True)
class _CriterionRow:
    label: str
    name: str
    max: str
    formula: str
    applies: str | None


@dataclass
class _GroupView:
    kind: str
    title: str
    max: str
    rescale: bool
    criteria: list[_CriterionRow] = field(default_factory=list)
    bands: list[_BandTable] = field(default_factory=list)


@dataclass(frozen=True)
class _FieldRow:
    label: str
    name: str
    kind: str
    range: str
    default: str


_GROUP_KINDS = {"group": "Nhóm tiêu chí", "bonus": "Điểm cộng", "penalty": "Điểm trừ"}


class _RulesetPage:
    """What the page of one rule set says, in words; the template lays it out."""

    def __init__(self, module: s.Module) -> None:
        self.module = module
        self.glossary = Glossary.of(module)
        self.header = _header(module)

    def decls(self, kind: type[_T]) -> list[_T]:
        return [d for d in self.module.declarations if isinstance(d, kind)]

    def render(self, embedded: bool = False, index_href: str = "index.html") -> str:
        h = self.header
        lets, let_bands = self._lets()
        items = [
            (block.label or block.name, block.name, self._fields(block.fields))
            for block in self.decls(s.Items)
        ]
        return _render(
            "ruleset.html",
            embedded,
            index_href=index_href,
            title=h.title or h.name,
            h=h,
            groups=[self._group(group) for group in self.decls(s.Group)],
            lets=lets,
            let_bands=let_bands,
            params=self._params(),
            total=self._total(),
            grades=self._grades(),
            vetoes=self._vetoes(),
            exclusions=[(x.reason, Words(self.glossary)(x.when)) for x in self.decls(s.Exclusion)],
            quotas=[self._quota_text(quota) for quota in self.decls(s.Quota)],
            inputs=self._fields(self.decls(s.Input)),
            items=items,
            path=self.module.path,
        )

    # ------------------------------------------------------------ sections

    def _group(self, group: s.Group) -> _GroupView:
        view = _GroupView(
            _GROUP_KINDS[group.kind],
            group.label or group.name,
            number_words(group.max.text),
            bool(group.rescale),
        )
        for criterion in group.criteria:
            words = Words(self.glossary)
            formula = words(criterion.expr)
            applies = None
            if criterion.applies_when is not None:
                applies = words(criterion.applies_when)
            label = criterion.label or criterion.name
            view.criteria.append(
                _CriterionRow(
                    label, criterion.name, number_words(criterion.max.text), formula, applies
                )
            )
            for number, band in enumerate(words.bands, start=1):
                view.bands.append(self._band(f"{label} — bảng {number}", band, words))
        return view

    def _band(self, caption: str, band: s.Band, words: Words) -> _BandTable:
        rows = [(band_row_words(row, words), words(row.value)) for row in band.rows]
        if band.otherwise is not None:
            rows.append(("các trường hợp còn lại", words(band.otherwise)))
        return _BandTable(caption, words(band.subject), rows)

    def _lets(self) -> tuple[list[tuple[str, str]], list[_BandTable]]:
        rows: list[tuple[str, str]] = []
        tables: list[_BandTable] = []
        for let in self.decls(s.Let):
            words = Words(self.glossary)
            rows.append((let.name, words(let.expr)))
            for number, band in enumerate(words.bands, start=1):
                tables.append(self._band(f"{let.name} — bảng {number}", band, words))
        return rows, tables

    def _params(self) -> list[tuple[str, str, str]]:
        """The parameters (shown with the named values of the formulas, when there are)."""
        rows = []
        for param in self.decls(s.Param):
            words = Words(self.glossary)
            values = "; ".join(
                words(v.value) + (f" từ ngày {date_words(v.since)}" if v.since else "")
                for v in param.values
            )
            rows.append((param.label or param.name, param.name, values))
        return rows

    def _total(self) -> str:
        total = next(iter(self.decls(s.Total)), None)
        if total is None:
            kinds = {g.kind for g in self.decls(s.Group)}
            text = "Tổng điểm là tổng điểm các nhóm tiêu chí"
            if "bonus" in kinds:
                text += ", cộng điểm cộng"
            if "penalty" in kinds:
                text += ", trừ điểm trừ"
            text += f"; giữ trong khoảng từ 0 đến {self.header.scale} điểm"
        else:
            words = Words(self.glossary)
            text = f"Tổng điểm = {words(total.expr)}"
        return text + f", làm tròn đến {self.header.precision} chữ số thập phân."

    def _vetoes(self) -> list[tuple[str, str, str]]:
        rows = []
        for veto in self.decls(s.Veto):
            words = Words(self.glossary)
            rows.append((veto.reason, words(veto.when), words(veto.cap)))
        return rows

    def _grades(self) -> list[tuple[str, str, str]]:
        rows = []
        for block in self.decls(s.Grades):
            for grade in block.grades:
                words = Words(self.glossary)
                condition = "các trường hợp còn lại" if grade.when is None else words(grade.when)
                rows.append((grade.label or grade.name, grade.name, condition))
        return rows

    def _quota_text(self, q: s.Quota) -> str:
        words = Words(self.glossary)
        grade = words(q.grade)
        lower = words(q.demote_to)
        rounding = "làm tròn xuống" if q.rounding == "down" else "làm tròn đến số nguyên gần nhất"
        text = (
            f"Số người được xếp loại {grade} không vượt quá {words(q.share)} của "
            f"{words(q.count)} ({rounding})"
        )
        if q.per:
            keys = ", ".join(words(key) for key in q.per)
            text += f", tính riêng cho từng nhóm người có cùng {keys}"
        text += ". Mức này được xét sau các trường hợp giới hạn mức xếp loại ở trên."
        if q.rank:
            order = ", rồi ".join(
                f"{words(k.expr)} {'từ cao xuống thấp' if k.descending else 'từ thấp lên cao'}"
                for k in q.rank
            )
            text += f" Những người đạt mức {grade} được xếp thứ tự theo {order};"
        else:
            text += f" Những người đạt mức {grade} không được xếp thứ tự;"
        text += (
            f" những người ngoài giới hạn được xếp loại {lower}. Những người vẫn bằng nhau ở "
            "ngưỡng giới hạn đều được xếp loại "
            f"{lower} và được đánh dấu để cấp có thẩm quyền xem xét, quyết định."
        )
        return text

    def _fields(self, fields: Sequence[s.Input]) -> list[_FieldRow]:
        rows = []
        for f in fields:
            kind = _TYPE.get(f.type.kind, f.type.kind)
            if f.type.kind == "enum":
                kind = "một trong: " + ", ".join(f"“{c}”" for c in f.type.choices)
            default = ""
            if f.default is not None:
                default = "lấy giá trị mặc định " + Words(self.glossary)(f.default)
            rows.append(
                _FieldRow(
                    f.label or f.name,
                    f.name,
                    kind,
                    range_words(f.range),
                    default or "bắt buộc có số liệu",
                )
            )
        return rows
