"""Static HTML documentation of rule sets (`chamdiem doc`), for the people being scored.

One page per rule set (title, legal basis, dates, each group and criterion with its maximum
and its formula in words, bands as tables, grades, vetoes and quotas in plain Vietnamese, the
inputs) and an index page. The pages are self-contained: UTF-8, `lang="vi"`, inline CSS, no
script and no external resource, since the service runs on a closed network. Every piece of
text from a rule file is escaped.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import quote as url_quote

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


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


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

_CSS = """
body{font-family:"Segoe UI",Arial,sans-serif;line-height:1.5;margin:0;color:#1d1d1f;
background:#f6f7f9}
main{max-width:60rem;margin:0 auto;padding:1.5rem 1rem 3rem;background:#fff}
h1{font-size:1.6rem;margin:.2rem 0 1rem}
h2{font-size:1.25rem;margin-top:2rem;border-bottom:2px solid #c8102e}
h3{font-size:1.05rem;margin:1.4rem 0 .4rem}
table{border-collapse:collapse;width:100%;margin:.4rem 0 1rem}
th,td{border:1px solid #cfd4da;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#eef1f4}td.num{text-align:right;white-space:nowrap}
code{font-family:Consolas,monospace;font-size:.9em;color:#555}
.note{color:#555;font-size:.92rem}.band{margin-left:1.5rem;width:auto;min-width:20rem}
nav a{color:#0b5394}footer{margin-top:2rem;color:#777;font-size:.85rem}
"""


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="vi">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n<main>\n"
        f"{body}\n</main>\n</body>\n</html>\n"
    )


def render_index(entries: Sequence[tuple[s.Module, str]]) -> str:
    """The index page: one row per rule set, linking to its page."""
    rows = []
    for module, page in entries:
        h = _header(module)
        dates = h.effective + (f" – {h.until}" if h.until else "")
        rows.append(
            f'<tr><td><a href="{_e(url_quote(page))}">{_e(h.title or h.name)}</a>'
            f"<br><code>{_e(h.name)}</code></td><td>{_e(h.subject)}</td>"
            f"<td>{_e(h.period)}</td><td>{_e(dates)}</td><td>{_e(h.basis)}</td></tr>"
        )
    body = (
        "<h1>Các bộ tiêu chí đánh giá, xếp loại</h1>\n"
        '<p class="note">Mỗi bộ tiêu chí nói rõ điểm được tính thế nào, từ những số liệu nào, '
        "và mức xếp loại được quyết định ra sao.</p>\n"
        "<table><thead><tr><th>Bộ tiêu chí</th><th>Đối tượng</th><th>Kỳ đánh giá</th>"
        "<th>Hiệu lực</th><th>Căn cứ</th></tr></thead><tbody>\n"
        + "\n".join(rows)
        + "\n</tbody></table>"
    )
    return _page("Các bộ tiêu chí đánh giá, xếp loại", body)


def render_ruleset(module: s.Module) -> str:
    """The page of one rule set."""
    return _RulesetPage(module).render()


class _RulesetPage:
    def __init__(self, module: s.Module) -> None:
        self.module = module
        self.glossary = Glossary.of(module)
        self.header = _header(module)
        self.parts: list[str] = []

    def decls(self, kind: type[_T]) -> list[_T]:
        return [d for d in self.module.declarations if isinstance(d, kind)]

    def render(self) -> str:
        h = self.header
        self.parts.append('<nav><a href="index.html">← Các bộ tiêu chí</a></nav>')
        self.parts.append(f"<h1>{_e(h.title or h.name)}</h1>")
        self._about()
        self._scoring()
        self._grades()
        self._vetoes()
        self._exclusions()
        self._quotas()
        self._inputs()
        self.parts.append(
            "<footer>Trang này được tạo tự động từ tệp quy tắc "
            f"<code>{_e(self.module.path)}</code>; nội dung có giá trị theo tệp đó.</footer>"
        )
        return _page(h.title or h.name, "\n".join(self.parts))

    # ------------------------------------------------------------ sections

    def _about(self) -> None:
        h = self.header
        rows = [
            ("Mã bộ tiêu chí", f"<code>{_e(h.name)}</code>"),
            ("Căn cứ", _e(h.basis) or "—"),
            ("Đối tượng đánh giá", _e(h.subject)),
            ("Kỳ đánh giá", _e(h.period)),
            ("Hiệu lực từ ngày", _e(h.effective)),
        ]
        if h.until:
            rows.append(("Hiệu lực đến ngày", _e(h.until)))
        rows.append(("Thang điểm", f"{_e(h.scale)} điểm"))
        rows.append(
            (
                "Làm tròn",
                _e(
                    f"điểm từng tiêu chí và tổng điểm làm tròn đến {h.precision} chữ số thập "
                    "phân (từ 5 trở lên làm tròn lên)"
                ),
            )
        )
        if h.needs:
            rows.append(("Dùng kết quả của", _e(", ".join(h.needs))))
        self.parts.append("<h2>Thông tin chung</h2>")
        self.parts.append(_table(("Mục", "Nội dung"), rows, raw=True))

    def _scoring(self) -> None:
        groups = self.decls(s.Group)
        if not groups:
            return
        self.parts.append("<h2>Cách tính điểm</h2>")
        kinds = {"group": "Nhóm tiêu chí", "bonus": "Điểm cộng", "penalty": "Điểm trừ"}
        for group in groups:
            title = group.label or group.name
            self.parts.append(
                f"<h3>{_e(kinds[group.kind])}: {_e(title)} — tối đa "
                f"{_e(number_words(group.max.text))} điểm</h3>"
            )
            note = "Điểm của nhóm là tổng điểm các tiêu chí, không vượt quá điểm tối đa của nhóm."
            if group.rescale:
                note += (
                    " Tiêu chí không áp dụng với một người thì không tính; tổng điểm các tiêu chí "
                    "còn lại được quy đổi theo tỷ lệ điểm tối đa của nhóm trên tổng điểm tối đa "
                    "của các tiêu chí được áp dụng."
                )
            self.parts.append(f'<p class="note">{_e(note)}</p>')
            self._criteria(group)
        self._lets()
        self._total()

    def _criteria(self, group: s.Group) -> None:
        rows: list[str] = []
        tables: list[str] = []
        for criterion in group.criteria:
            words = Words(self.glossary)
            formula = words(criterion.expr)
            applies = ""
            if criterion.applies_when is not None:
                applies = f"<br><i>Chỉ áp dụng khi:</i> {_e(words(criterion.applies_when))}"
            label = criterion.label or criterion.name
            rows.append(
                f"<tr><td>{_e(label)}<br><code>{_e(criterion.name)}</code></td>"
                f'<td class="num">{_e(number_words(criterion.max.text))}</td>'
                f"<td>{_e(formula)}{applies}</td></tr>"
            )
            for number, band in enumerate(words.bands, start=1):
                tables.append(self._band(f"{label} — bảng {number}", band, words))
        self.parts.append(
            "<table><thead><tr><th>Tiêu chí</th><th>Tối đa</th><th>Cách tính</th></tr></thead>"
            "<tbody>\n" + "\n".join(rows) + "\n</tbody></table>"
        )
        self.parts.extend(tables)
        if group.criteria:
            self.parts.append(
                '<p class="note">Điểm mỗi tiêu chí được làm tròn và giữ trong khoảng từ 0 đến '
                "điểm tối đa của tiêu chí.</p>"
            )

    def _band(self, caption: str, band: s.Band, words: Words) -> str:
        rows = [(band_row_words(row, words), words(row.value)) for row in band.rows]
        if band.otherwise is not None:
            rows.append(("các trường hợp còn lại", words(band.otherwise)))
        subject = words(band.subject)
        return (
            f'<table class="band"><caption>{_e(caption)}</caption><thead><tr>'
            f"<th>{_e(subject)}</th><th>Giá trị</th></tr></thead><tbody>\n"
            + "\n".join(
                f'<tr><td>{_e(condition)}</td><td class="num">{_e(value)}</td></tr>'
                for condition, value in rows
            )
            + "\n</tbody></table>"
        )

    def _lets(self) -> None:
        lets = self.decls(s.Let)
        if not lets:
            return
        self.parts.append("<h3>Các giá trị dùng trong công thức</h3>")
        rows: list[str] = []
        tables: list[str] = []
        for let in lets:
            words = Words(self.glossary)
            rows.append(
                f"<tr><td><code>{_e(let.name)}</code></td><td>{_e(words(let.expr))}</td></tr>"
            )
            for number, band in enumerate(words.bands, start=1):
                tables.append(self._band(f"{let.name} — bảng {number}", band, words))
        self.parts.append(
            "<table><thead><tr><th>Tên</th><th>Cách tính</th></tr></thead><tbody>\n"
            + "\n".join(rows)
            + "\n</tbody></table>"
        )
        self.parts.extend(tables)
        params = self.decls(s.Param)
        if params:
            self.parts.append("<h3>Tham số</h3>")
            rows = []
            for param in params:
                words = Words(self.glossary)
                values = "; ".join(
                    words(v.value) + (f" từ ngày {date_words(v.since)}" if v.since else "")
                    for v in param.values
                )
                rows.append(
                    f"<tr><td>{_e(param.label or param.name)}<br><code>{_e(param.name)}</code>"
                    f"</td><td>{_e(values)}</td></tr>"
                )
            self.parts.append(
                "<table><thead><tr><th>Tham số</th><th>Giá trị</th></tr></thead><tbody>\n"
                + "\n".join(rows)
                + "\n</tbody></table>"
            )

    def _total(self) -> None:
        total = next(iter(self.decls(s.Total)), None)
        self.parts.append("<h3>Tổng điểm</h3>")
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
        text += f", làm tròn đến {self.header.precision} chữ số thập phân."
        self.parts.append(f"<p>{_e(text)}</p>")

    def _grades(self) -> None:
        grades = [g for block in self.decls(s.Grades) for g in block.grades]
        if not grades:
            return
        self.parts.append("<h2>Xếp loại</h2>")
        self.parts.append(
            '<p class="note">Các mức được xét từ trên xuống; người được đánh giá nhận mức đầu '
            "tiên có điều kiện được thỏa mãn.</p>"
        )
        rows = []
        for grade in grades:
            words = Words(self.glossary)
            condition = "các trường hợp còn lại" if grade.when is None else words(grade.when)
            rows.append(
                f"<tr><td>{_e(grade.label or grade.name)}<br><code>{_e(grade.name)}</code></td>"
                f"<td>{_e(condition)}</td></tr>"
            )
        self.parts.append(
            "<table><thead><tr><th>Mức xếp loại</th><th>Điều kiện</th></tr></thead><tbody>\n"
            + "\n".join(rows)
            + "\n</tbody></table>"
        )

    def _vetoes(self) -> None:
        vetoes = self.decls(s.Veto)
        if not vetoes:
            return
        self.parts.append("<h2>Trường hợp bị giới hạn mức xếp loại</h2>")
        self.parts.append(
            '<p class="note">Trong các trường hợp sau, mức xếp loại không được cao hơn mức nêu '
            "ở từng trường hợp, dù điểm cao đến đâu; điểm số vẫn giữ nguyên.</p>"
        )
        items = []
        for veto in vetoes:
            words = Words(self.glossary)
            items.append(
                f"<li><b>{_e(veto.reason)}</b>: khi {_e(words(veto.when))}, mức xếp loại "
                f"không cao hơn {_e(words(veto.cap))}.</li>"
            )
        self.parts.append("<ul>\n" + "\n".join(items) + "\n</ul>")

    def _exclusions(self) -> None:
        exclusions = self.decls(s.Exclusion)
        if not exclusions:
            return
        self.parts.append("<h2>Trường hợp không xếp loại</h2>")
        self.parts.append(
            '<p class="note">Trong các trường hợp sau, người được đánh giá không được tính '
            "điểm và không được xếp loại trong kỳ.</p>"
        )
        items = [
            f"<li><b>{_e(x.reason)}</b>: khi {_e(Words(self.glossary)(x.when))}.</li>"
            for x in exclusions
        ]
        self.parts.append("<ul>\n" + "\n".join(items) + "\n</ul>")

    def _quotas(self) -> None:
        quotas = self.decls(s.Quota)
        if not quotas:
            return
        self.parts.append("<h2>Giới hạn tỷ lệ xếp loại</h2>")
        for quota in quotas:
            self.parts.append(f"<p>{_e(self._quota_text(quota))}</p>")

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

    def _inputs(self) -> None:
        inputs = self.decls(s.Input)
        items = self.decls(s.Items)
        if not inputs and not items:
            return
        self.parts.append("<h2>Số liệu dùng để đánh giá</h2>")
        if inputs:
            self.parts.append(self._fields_table(inputs))
        for block in items:
            self.parts.append(
                f"<h3>Danh sách: {_e(block.label or block.name)} <code>{_e(block.name)}</code></h3>"
            )
            self.parts.append(
                '<p class="note">Mỗi người có thể có nhiều dòng; mỗi dòng gồm các thông tin '
                "sau.</p>"
            )
            self.parts.append(self._fields_table(block.fields))

    def _fields_table(self, fields: Sequence[s.Input]) -> str:
        rows = []
        for f in fields:
            kind = _TYPE.get(f.type.kind, f.type.kind)
            if f.type.kind == "enum":
                kind = "một trong: " + ", ".join(f"“{c}”" for c in f.type.choices)
            default = ""
            if f.default is not None:
                default = "lấy giá trị mặc định " + Words(self.glossary)(f.default)
            rows.append(
                f"<tr><td>{_e(f.label or f.name)}<br><code>{_e(f.name)}</code></td>"
                f"<td>{_e(kind)}</td><td>{_e(range_words(f.range))}</td>"
                f"<td>{_e(default or 'bắt buộc có số liệu')}</td></tr>"
            )
        return (
            "<table><thead><tr><th>Thông tin</th><th>Kiểu</th><th>Giới hạn</th>"
            "<th>Khi không có số liệu</th></tr></thead><tbody>\n"
            + "\n".join(rows)
            + "\n</tbody></table>"
        )


def _table(head: Sequence[str], rows: Sequence[tuple[str, str]], raw: bool = False) -> str:
    """A two-column table; cells are escaped unless `raw` (already HTML)."""
    cell = (lambda x: x) if raw else _e
    return (
        "<table><thead><tr>"
        + "".join(f"<th>{_e(h)}</th>" for h in head)
        + "</tr></thead><tbody>\n"
        + "\n".join(f"<tr><th>{_e(a)}</th><td>{cell(b)}</td></tr>" for a, b in rows)
        + "\n</tbody></table>"
    )
