"""How one subject's total and grade came about, in words a unit head can check by hand:
every criterion with its formula, rule line and the input and intermediate values it used;
the grade threshold that held; vetoes; the quota rank."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

import numpy as np

from chamdiem.dsl import syntax as s
from chamdiem.dsl.compile import referenced_names
from chamdiem.dsl.data import Cohort, as_list, take_rows
from chamdiem.dsl.diagnostics import Language, default_language
from chamdiem.dsl.display import (
    count_text,
    date_text,
    fraction_percent_text,
    grade_text,
    number_text,
    period_name,
)
from chamdiem.dsl.names import canonical
from chamdiem.dsl.numeric import Num
from chamdiem.dsl.program import InputSpec
from chamdiem.dsl.results import Results
from chamdiem.dsl.runtime import level_names
from chamdiem.dsl.values import GradeCol, as_bool

if TYPE_CHECKING:
    from chamdiem.dsl.loader import Program
    from chamdiem.dsl.what_it_takes import WhatItTakes as WhatItTakesLike


def _source(program: Program, node: s.Expr) -> str:
    text = program.source[node.span.start : node.span.end]
    return " ".join(text.split())


class _Words:
    def __init__(self, language: Language) -> None:
        self.vi = language == "vi"

    def __call__(self, vi: str, en: str) -> str:
        return vi if self.vi else en


def _value(results: Results, name: str, i: int) -> str:
    value = results.value_column(name)[i]
    if value is None:
        return "—"
    return str(value).lower() if isinstance(value, bool) else str(value)


def _input_value(cohort: Cohort, results: Results, name: str, i: int) -> str:
    column = results.evaluation.frame.inputs.get(name)
    if column is not None and isinstance(column.data, Num):
        return _fraction_text(column.data.to_fraction(i))
    given = cohort.inputs.get(name)
    value = take_rows(given, [i])[0] if given is not None else None  # type: ignore[index]
    if column is not None and value is None:
        return str(_column_value(column.data, i))
    return str(value).lower() if isinstance(value, bool) else str(value)


def _fraction_text(value: Fraction) -> str:
    """A value as plain decimal digits (rounded to 10 places if it does not terminate)."""
    if value.denominator == 1:
        return str(value.numerator)
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return format(exact.quantize(Decimal("1E-10")).normalize(), "f")


def _column_value(data: object, i: int) -> object:
    try:
        return data[i]  # type: ignore[index]
    except TypeError:
        return "?"


def _dependencies(program: Program, roots: Sequence[s.Expr | None]) -> tuple[list[str], list[str]]:
    """The lets and inputs (including items lists) a formula reads, transitively."""
    lets = {d.name: d for d in program.module.declarations if isinstance(d, s.Let)}
    inputs = {spec.name for spec in program.inputs} | {spec.name for spec in program.items}
    seen_lets: list[str] = []
    seen_inputs: list[str] = []
    stack = list(referenced_names(*roots))
    item_fields = _item_lists(roots)
    stack.extend(item_fields)
    while stack:
        name = canonical(stack.pop(0))
        if name in lets and name not in seen_lets:
            seen_lets.append(name)
            stack.extend(referenced_names(lets[name].expr))
            stack.extend(_item_lists([lets[name].expr]))
        elif name in inputs and name not in seen_inputs:
            seen_inputs.append(name)
    return seen_lets, seen_inputs


def _item_lists(roots: Sequence[s.Expr | None]) -> list[str]:
    found = []
    for node in s.walk(*roots):
        if isinstance(node, s.Attribute) and isinstance(node.target, s.Name):
            found.append(node.target.name)
    return found


def explain(
    program: Program,
    cohort: Cohort,
    results: Results,
    i: int,
    language: Language | None = None,
) -> str:
    w = _Words(language or default_language())
    header = program.header
    out: list[str] = []
    name = results.names[i] or ""
    out.append(
        w("Đối tượng", "Subject")
        + f": {results.codes[i]}"
        + (f" — {name}" if name else "")
        + (f" — {w('đơn vị', 'unit')} {results.units[i]}" if results.units[i] else "")
    )
    out.append(
        w("Bộ tiêu chí", "Rule set")
        + f": {header.name} «{header.title}» ({program.path}, "
        + w("hiệu lực từ", "effective")
        + f" {header.effective.isoformat()}"
        + (f"; {w('căn cứ', 'basis')} {header.basis}" if header.basis else "")
        + ")"
    )
    item_counts = {name: int(counts[i]) for name, counts in _item_counts(program, results).items()}
    for decl in program.module.declarations:
        if not isinstance(decl, s.Group):
            continue
        kind = {
            "group": w("Nhóm", "Group"),
            "bonus": w("Điểm cộng", "Bonus"),
            "penalty": w("Điểm trừ", "Penalty"),
        }[decl.kind]
        out.append("")
        out.append(
            f"{kind} {decl.name}"
            + (f" «{decl.label}»" if decl.label else "")
            + f": {_value(results, decl.name, i)} / {decl.max.text}"
            + (f" ({w('đã quy đổi', 'rescaled')})" if decl.rescale else "")
        )
        for criterion in decl.criteria:
            out.extend(_criterion(program, cohort, results, criterion, i, item_counts, w))
    total = results.total[i]
    out.append("")
    out.append(f"{w('Tổng điểm', 'Total')}: {total} / {header.scale}")
    grades = next(d for d in program.module.declarations if isinstance(d, s.Grades))
    score_grade = results.score_grade[i]
    for grade in grades.grades:
        if grade.name == score_grade:
            reason = (
                f"{w('dòng', 'line')} {grade.span.line}: {w('khi', 'when')} "
                f"{_source(program, grade.when)}"
                if grade.when is not None
                else f"{w('dòng', 'line')} {grade.span.line}: {w('còn lại', 'otherwise')}"
            )
            out.append(
                f"{w('Xếp loại theo điểm', 'Grade from points')}: {grade.name}"
                + (f" «{grade.label}»" if grade.label else "")
                + f" ({reason})"
            )
    evaluation = results.evaluation
    for veto, mask, caps in zip(
        program.vetoes, evaluation.veto_masks, evaluation.veto_caps, strict=True
    ):
        if mask[i]:
            cap = _source(program, veto.cap)
            cap_grade = level_names(caps[i : i + 1], results.grade_names)[0]
            shown = cap if cap == cap_grade else f"{cap} = {cap_grade}"
            out.append(
                f"{w('Loại trừ', 'Veto')} ({w('dòng', 'line')} {veto.span.line}): «{veto.reason}» "
                f"→ {w('mức tối đa là', 'grade at most')} {shown}"
            )
    for reason in results.exclusions(i):
        out.append(f"{w('Không xếp loại', 'Not graded')}: «{reason}»")
    quotas = [d for d in program.module.declarations if isinstance(d, s.Quota)]
    for quota, outcome in zip(quotas, results.evaluation.quota_outcomes, strict=True):
        rank = int(outcome.rank[i])
        if not rank:
            continue
        limit = int(outcome.limit[i])
        count = outcome.count.to_decimal(i)
        line = (
            f"{w('Hạn mức', 'Quota')} ({w('dòng', 'line')} {quota.span.line}): "
            f"{quota.grade.name} {w('tối đa', 'at most')} {_source(program, quota.share)} "
            f"{w('của', 'of')} {count} = {limit} {w('người', 'subjects')}; "
            f"{w('xếp hạng', 'rank')} {rank} "
            f"({w('theo', 'by')} " + ", ".join(_source(program, k.expr) for k in quota.rank) + ")"
        )
        if outcome.tie[i]:
            line += w(
                f" — bằng điểm tại ngưỡng hạn mức: hạ xuống {quota.demote_to.name}, "
                "chờ cấp có thẩm quyền quyết định",
                f" — tied at the quota cut: demoted to {quota.demote_to.name}, awaiting a decision",
            )
        elif outcome.demoted[i]:
            line += w(
                f" — vượt hạn mức: hạ xuống {quota.demote_to.name}",
                f" — beyond the quota: demoted to {quota.demote_to.name}",
            )
        else:
            line += w(" — trong hạn mức", " — within the quota")
        out.append(line)
    final = results.grade[i]
    label = next((g.label for g in program.grades if g.name == final), None)
    out.append(
        f"{w('Kết quả xếp loại', 'Final grade')}: {final}" + (f" «{label}»" if label else "")
    )
    return "\n".join(out)


MAX_ROWS_SHOWN = 12

# What each criterion reads depends on the rule set only: worked out once per program, not
# once per explained subject (a run may explain thousands).
_READS: WeakKeyDictionary[Program, dict[str, tuple[list[str], list[str], list[s.Call]]]] = (
    WeakKeyDictionary()
)
_ITEM_COUNTS: WeakKeyDictionary[Results, dict[str, np.ndarray]] = WeakKeyDictionary()


def _criterion_reads(
    program: Program, criterion: s.Criterion
) -> tuple[list[str], list[str], list[s.Call]]:
    """The lets and inputs a criterion reads (transitively), and the calls in it and in
    those lets (where aggregates over other rule sets' results may be)."""
    cache = _READS.setdefault(program, {})
    found = cache.get(criterion.name)
    if found is None:
        lets, inputs = _dependencies(program, [criterion.expr, criterion.applies_when])
        let_exprs = [
            d.expr for d in program.module.declarations if isinstance(d, s.Let) and d.name in lets
        ]
        calls = [n for n in s.walk(criterion.expr, *let_exprs) if isinstance(n, s.Call)]
        found = cache[criterion.name] = (lets, inputs, calls)
    return found


def _item_counts(program: Program, results: Results) -> dict[str, np.ndarray]:
    """Each subject's number of rows in each items list, counted once per evaluation."""
    found = _ITEM_COUNTS.get(results)
    if found is None:
        frame = results.evaluation.frame
        found = {spec.name: frame.items[spec.name].segments.count(None) for spec in program.items}
        _ITEM_COUNTS[results] = found
    return found


def _linked_rows(
    program: Program, results: Results, calls: Sequence[s.Call], i: int, w: _Words
) -> list[str]:
    """For aggregates over another rule set's results (subordinates, members, periods): the
    rows of this subject that counted, with their grade and total."""
    frame = results.evaluation.frame
    rules = frame.rules
    lines: list[str] = []
    seen: set[int] = set()
    for node in calls:
        if node.span.start in seen:
            continue
        found = rules.link_aggregates.get(node.span.start)
        if found is None:
            continue
        seen.add(node.span.start)
        key, where_fn = found
        rows_frame = frame.linked_frames.get(key)
        if rows_frame is None or rows_frame.labels is None:
            continue
        mine = np.flatnonzero(rows_frame.owner == i)
        if where_fn is not None:
            mask = as_bool(where_fn(rows_frame).data)
            mine = mine[mask[mine]]
        grades = rows_frame.fields["grade"].data
        totals = rows_frame.fields["total"].data
        assert isinstance(grades, GradeCol) and isinstance(totals, Num)
        names = level_names(grades.level[mine], results.grade_names)
        described = [
            f"{rows_frame.labels[k]} ({totals.to_decimal(int(k), program.header.precision)}, "
            f"{name or w('không xếp loại', 'not graded')})"
            for k, name in zip(mine.tolist()[:MAX_ROWS_SHOWN], names, strict=False)
        ]
        more = len(mine) - len(described)
        if more > 0:
            described.append(w(f"và {more} dòng khác", f"and {more} more"))
        label = _source(program, node)
        lines.append(
            f"      {label}: {len(mine)} {w('dòng', 'rows')}"
            + (": " + "; ".join(described) if described else "")
        )
    return lines


def _criterion(
    program: Program,
    cohort: Cohort,
    results: Results,
    criterion: s.Criterion,
    i: int,
    item_counts: dict[str, int],
    w: _Words,
) -> list[str]:
    lines = []
    mask = results.applicable(criterion.name)
    applies = mask is None or bool(mask[i])
    value = _value(results, criterion.name, i) if applies else w("không áp dụng", "not applicable")
    lines.append(
        f"  - {criterion.name}"
        + (f" «{criterion.label}»" if criterion.label else "")
        + f": {value} / {criterion.max.text}"
    )
    lines.append(
        f"      {w('dòng', 'line')} {criterion.span.line}: = {_source(program, criterion.expr)}"
    )
    if criterion.applies_when is not None:
        lines.append(
            f"      {w('áp dụng khi', 'applies when')} {_source(program, criterion.applies_when)}"
        )
    lets, inputs, calls = _criterion_reads(program, criterion)
    if lets:
        shown = ", ".join(f"{n} = {_value(results, n, i)}" for n in lets)
        lines.append(f"      {w('giá trị trung gian', 'intermediate values')}: {shown}")
    lines.extend(_linked_rows(program, results, calls, i, w))
    if inputs:
        shown_inputs = []
        for name in inputs:
            if name in item_counts:
                shown_inputs.append(f"{name}: {item_counts[name]} {w('dòng', 'rows')}")
            else:
                shown_inputs.append(f"{name} = {_input_value(cohort, results, name, i)}")
        lines.append(f"      {w('đầu vào', 'inputs')}: " + ", ".join(shown_inputs))
    return lines


# ---------------------------------------------------------------- for people
#
# What a civil servant, a council member or an appellant reads: the official form's table
# (each criterion as the rule file labels it, its maximum, its points and its inputs in
# words), a few sentences generated from the same evaluation, "what it would take" and,
# folded away for whoever checks the arithmetic, the developer trace above.


@dataclass(frozen=True)
class InputShown:
    label: str
    value: str


@dataclass(frozen=True)
class CriterionShown:
    label: str
    maximum: str
    points: str  # "" when the criterion does not apply to the subject
    applies: bool
    inputs: tuple[InputShown, ...]
    aggregated: tuple[str, ...]  # what an aggregate over other results summed, in words


@dataclass(frozen=True)
class GroupShown:
    kind: str  # group | bonus | penalty
    label: str
    maximum: str
    points: str
    rescaled: bool
    criteria: tuple[CriterionShown, ...]


@dataclass(frozen=True)
class Decision:
    """A council's decision on the subject, as the platform knows it."""

    grade: str
    document_number: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Explanation:
    language: Language
    subject: str
    groups: tuple[GroupShown, ...]
    total: str
    scale: str
    sentences: tuple[str, ...]
    what_it_takes: tuple[str, ...]
    trace: str  # the developer trace (internal names), for the folded part

    @property
    def heading(self) -> tuple[str, str, str, str]:
        w = _Words(self.language)
        return (
            w("Tiêu chí", "Criterion"),
            w("Tối đa", "Maximum"),
            w("Điểm", "Points"),
            w("Căn cứ (đầu vào)", "Inputs"),
        )


def _num(value: object, language: Language) -> str:
    if value is None:
        return "—"
    if isinstance(value, Fraction):
        value = Decimal(_fraction_text(value))
    return number_text(value, language)  # type: ignore[arg-type]


def _plain(value: object, spec: InputSpec | None, w: _Words, language: Language) -> str:
    """An input's value as a person reads it: numbers in the language's convention, yes or
    no, percent with its sign."""
    if value is None:
        return "—"
    if isinstance(value, bool | np.bool_):
        return w("có", "yes") if value else w("không", "no")
    if spec is not None and spec.kind == "percent" and isinstance(value, Decimal | Fraction | int):
        return fraction_percent_text(Decimal(_fraction_text(Fraction(value))), language)
    if isinstance(value, Decimal | Fraction | int | float):
        return _num(_normal(value), language)
    if isinstance(value, date):
        return date_text(value, language)
    return str(value)


def _subject_value(cohort: Cohort, results: Results, spec: InputSpec, i: int) -> object:
    column = results.evaluation.frame.inputs.get(spec.name)
    if column is not None and isinstance(column.data, Num):
        return column.data.to_fraction(i)
    given = cohort.inputs.get(spec.name)
    value = as_list(take_rows(given, [i]))[0] if given is not None else None
    if value is None and column is not None:
        value = _column_value(column.data, i)
    return spec.default if value is None else value


def _linked_values(
    program: Program,
    results: Results,
    calls: Sequence[s.Call],
    i: int,
    w: _Words,
    language: Language,
) -> list[str]:
    """For aggregates over another rule set's results: the values aggregated, row by row
    (per period, per member), not each row's own total and grade."""
    frame = results.evaluation.frame
    lines: list[str] = []
    seen: set[int] = set()
    for node in calls:
        found = frame.rules.link_aggregates.get(node.span.start)
        if found is None or node.span.start in seen:
            continue
        seen.add(node.span.start)
        key, where_fn = found
        rows_frame = frame.linked_frames.get(key)
        if rows_frame is None or rows_frame.labels is None:
            continue
        mine = np.flatnonzero(rows_frame.owner == i)
        if where_fn is not None:
            mine = mine[as_bool(where_fn(rows_frame).data)[mine]]
        labels = [period_name(rows_frame.labels[k], language) for k in mine.tolist()]
        arg = node.args[0] if node.args else None
        what = {
            "sum": w("cộng", "sum of"),
            "count": w("đếm", "count of"),
            "mean": w("trung bình", "mean of"),
            "min": w("nhỏ nhất", "least of"),
            "max": w("lớn nhất", "greatest of"),
            "any": w("có ít nhất một", "any of"),
            "all": w("tất cả", "all of"),
        }.get(node.function, node.function)
        if isinstance(arg, s.Attribute) and arg.name in rows_frame.fields:
            data = rows_frame.fields[arg.name].data
            shown = []
            for k, label in zip(mine.tolist()[:MAX_ROWS_SHOWN], labels, strict=False):
                if isinstance(data, Num):
                    value: object = data.to_decimal(int(k))
                elif isinstance(data, GradeCol):
                    value = level_names(data.level[k : k + 1], results.grade_names)[0]
                else:
                    value = _column_value(data, int(k))
                shown.append(f"{label}: {_plain(value, None, w, language)}")
            field = {
                "total": w("tổng điểm", "totals"),
                "grade": w("mức xếp loại", "grades"),
                "score_grade": w("mức theo điểm", "grades from points"),
            }.get(arg.name, w("giá trị", "values"))
        else:
            shown = labels[:MAX_ROWS_SHOWN]
            field = w("dòng", "rows")
        more = len(mine) - min(len(mine), MAX_ROWS_SHOWN)
        if more > 0:
            shown.append(w(f"và {more} dòng khác", f"and {more} more"))
        per = {
            "periods": w("kỳ", "periods"),
            "members": w("thành viên", "members"),
            "subordinates": w("người", "subordinates"),
            "subunits": w("đơn vị cấp dưới", "sub-units"),
        }.get(key.split("(")[0], w("dòng", "rows"))
        head = w(
            f"{what} {field} của {len(mine)} {per}", f"{what} the {field} of {len(mine)} {per}"
        )
        lines.append(head + (": " + "; ".join(shown) if shown else ""))
    return lines


def _item_values(
    program: Program,
    cohort: Cohort,
    criterion_calls: Sequence[s.Call],
    i: int,
    w: _Words,
    language: Language,
) -> list[str]:
    """For aggregates over an items list: the values of the field aggregated, item by item."""
    specs = {spec.name: spec for spec in program.items}
    lines: list[str] = []
    seen: set[tuple[str, str]] = set()
    for node in criterion_calls:
        arg = node.args[0] if node.args else None
        if not (isinstance(arg, s.Attribute) and isinstance(arg.target, s.Name)):
            continue
        items = specs.get(canonical(arg.target.name))
        if items is None or (items.name, arg.name) in seen:
            continue
        seen.add((items.name, arg.name))
        field = next((f for f in items.fields if f.name == canonical(arg.name)), None)
        table = cohort.items.get(items.name)
        if field is None or table is None or field.name not in table.fields:
            continue
        rows = np.flatnonzero(np.asarray(table.owner) == i).tolist()
        values = as_list(take_rows(table.fields[field.name], rows))
        shown = [_plain(v if v is not None else field.default, field, w, language) for v in values]
        if len(shown) > MAX_ROWS_SHOWN:
            more = len(values) - MAX_ROWS_SHOWN
            shown = [*shown[:MAX_ROWS_SHOWN], w(f"và {more} dòng khác", f"and {more} more")]
        lines.append(f"{field.label or field.name}: " + "; ".join(shown) if shown else "")
    return [line for line in lines if line]


def _threshold(expr: s.Expr | None) -> tuple[str, Decimal] | None:
    """`total >= 70` -> ('>=', 70); None for any other condition."""
    if (
        isinstance(expr, s.Binary)
        and expr.op in (">=", ">")
        and isinstance(expr.left, s.Name)
        and expr.left.name == "total"
        and isinstance(expr.right, s.Number)
    ):
        return expr.op, expr.right.value
    return None


def _grade_sentence(
    program: Program, total: str, grade: str | None, w: _Words, language: Language
) -> str:
    labels = {g.name: g.label for g in program.grades}
    named = grade_text(grade, labels, language)
    grades_decl = next(d for d in program.module.declarations if isinstance(d, s.Grades))
    rows = list(grades_decl.grades)
    at = next((k for k, g in enumerate(rows) if g.name == grade), None)
    head = w(f"Tổng {total} điểm", f"A total of {total} points")
    if at is None:
        return head + w(", không xếp loại.", ", not graded.")
    own = _threshold(rows[at].when)
    above = _threshold(rows[at - 1].when) if at > 0 else None
    if rows[at].when is not None and own is None:
        return head + w(
            f" và các điều kiện của mức {named} được đáp ứng nên được mức {named}.",
            f" and the conditions of {named} hold, so the grade is {named}.",
        )
    parts = []
    if own is not None:
        low = number_text(own[1], language)
        parts.append(
            w(f"từ {low}", f"at least {low}")
            if own[0] == ">="
            else w(f"trên {low}", f"above {low}")
        )
    if above is not None:
        high = number_text(above[1], language)
        word = w("dưới", "below") if above[0] == ">=" else w("không quá", "at most")
        parts.append(f"{w('đến ', '')}{word} {high}" if parts else f"{word} {high}")
    elif own is not None:
        parts.append(w("trở lên", "or more").strip())
        parts = [" ".join(parts)] if language == "vi" else [parts[0]]
    range_text = " ".join(parts) if language == "vi" else " and ".join(parts)
    return head + w(
        f", {range_text} nên được mức {named}.", f", {range_text}, gives the grade {named}."
    )


def explain_for_people(
    program: Program,
    cohort: Cohort,
    results: Results,
    i: int,
    language: Language | None = None,
    *,
    decision: Decision | None = None,
    period_start: date | None = None,
    with_what_it_takes: bool = True,
) -> Explanation:
    """The explanation a person reads (see `Explanation`); internal names only in `trace`."""
    lang: Language = language or default_language()
    w = _Words(lang)
    specs = {spec.name: spec for spec in program.inputs}
    item_specs = {spec.name: spec for spec in program.items}
    item_counts = {name: int(counts[i]) for name, counts in _item_counts(program, results).items()}
    evaluated = results.cohort or cohort
    groups: list[GroupShown] = []
    for decl in program.module.declarations:
        if not isinstance(decl, s.Group):
            continue
        criteria: list[CriterionShown] = []
        for criterion in decl.criteria:
            mask = results.applicable(criterion.name)
            applies = mask is None or bool(mask[i])
            _, inputs, calls = _criterion_reads(program, criterion)
            shown: list[InputShown] = []
            for name in inputs:
                if name in item_specs:
                    items = item_specs[name]
                    shown.append(
                        InputShown(
                            items.label or name, f"{item_counts.get(name, 0)} {w('dòng', 'rows')}"
                        )
                    )
                elif name in specs:
                    spec = specs[name]
                    value = _subject_value(evaluated, results, spec, i)
                    shown.append(InputShown(spec.label or name, _plain(value, spec, w, lang)))
            aggregated = _linked_values(program, results, calls, i, w, lang)
            aggregated += _item_values(program, evaluated, calls, i, w, lang)
            raw = results.value_column(criterion.name)[i] if applies else None
            criteria.append(
                CriterionShown(
                    criterion.label or criterion.name,
                    number_text(criterion.max.value, lang),
                    _num(raw, lang) if applies else "",
                    applies,
                    tuple(shown),
                    tuple(aggregated),
                )
            )
        rescaled = (
            decl.rescale and sum((c.max.value for c in decl.criteria), Decimal(0)) != decl.max.value
        )
        groups.append(
            GroupShown(
                decl.kind,
                decl.label or decl.name,
                number_text(decl.max.value, lang),
                _num(results.value_column(decl.name)[i], lang),
                bool(rescaled),
                tuple(criteria),
            )
        )
    total_value = results.total[i]
    total = _num(total_value, lang)
    sentences: list[str] = []
    exclusions = results.exclusions(i)
    if exclusions:
        for reason in exclusions:
            sentences.append(w(f"Không xếp loại vì: {reason}.", f"Not graded because: {reason}."))
    else:
        sentences.append(_composition(groups, total, w))
        sentences.append(_grade_sentence(program, total, results.score_grade[i], w, lang))
    sentences.extend(_veto_and_quota_sentences(program, results, i, w, lang))
    labels = {g.name: g.label for g in program.grades}
    final = grade_text(results.grade[i], labels, lang)
    if not exclusions:
        sentences.append(w(f"Kết quả xếp loại: {final}.", f"Final grade: {final}."))
    if decision is not None:
        decided = grade_text(decision.grade, labels, lang)
        text = w(f"Hội đồng đã quyết định mức {decided}", f"The council decided {decided}")
        if decision.document_number:
            text += w(
                f" (văn bản {decision.document_number})", f" (document {decision.document_number})"
            )
        if decision.reason:
            text += w(f", lý do: {decision.reason}", f", because: {decision.reason}")
        sentences.append(text + ".")
    takes: list[str] = []
    if with_what_it_takes and not exclusions:
        from chamdiem.dsl.what_it_takes import what_it_takes

        found = what_it_takes(program, results, i, period_start)
        if found is not None:
            takes = _takes_sentences(found, labels, w, lang)
        elif results.grade[i] is not None and results.grade[i] != program.grades[0].name:
            takes = [
                w(
                    "Điểm đã đạt mức cao nhất; kết quả thấp hơn vì loại trừ hoặc hạn mức nêu "
                    "trên, không phải vì điểm, nên thay đổi điểm không làm thay đổi kết quả.",
                    "The points already reach the best grade; the result is lower because of "
                    "the veto or quota above, not the points, so no change of points alters it.",
                )
            ]
    name = results.names[i] or ""
    return Explanation(
        lang,
        f"{results.codes[i]}" + (f" — {name}" if name else ""),
        tuple(groups),
        total,
        number_text(program.header.scale, lang),
        tuple(sentences),
        tuple(takes),
        explain(program, cohort, results, i, lang),
    )


def _composition(groups: Sequence[GroupShown], total: str, w: _Words) -> str:
    parts = []
    for group in groups:
        rescaled = w(" (đã quy đổi)", " (rescaled)") if group.rescaled else ""
        if group.kind == "penalty":
            parts.append(
                w(f"trừ {group.label} {group.points} điểm", f"minus {group.label} {group.points}")
            )
        else:
            parts.append(
                w(
                    f"{group.label} {group.points} điểm (tối đa {group.maximum}){rescaled}",
                    f"{group.label} {group.points} (of {group.maximum}){rescaled}",
                )
            )
    joined = w("; ", "; ").join(parts)
    return w(f"Tổng {total} điểm gồm: {joined}.", f"The total of {total} is made of: {joined}.")


def _veto_and_quota_sentences(
    program: Program, results: Results, i: int, w: _Words, language: Language
) -> list[str]:
    labels = {g.name: g.label for g in program.grades}
    out: list[str] = []
    evaluation = results.evaluation
    for veto, mask, caps in zip(
        program.vetoes, evaluation.veto_masks, evaluation.veto_caps, strict=True
    ):
        if mask[i]:
            cap = grade_text(level_names(caps[i : i + 1], results.grade_names)[0], labels, language)
            out.append(
                w(
                    f"Loại trừ «{veto.reason}»: mức xếp loại cao nhất là {cap} "
                    "(điểm số giữ nguyên).",
                    f"Veto «{veto.reason}»: the grade is at most {cap} "
                    "(the points stay as they are).",
                )
            )
    quotas = [d for d in program.module.declarations if isinstance(d, s.Quota)]
    for quota, outcome in zip(quotas, evaluation.quota_outcomes, strict=True):
        rank = int(outcome.rank[i])
        if not rank:
            continue
        grade = grade_text(quota.grade.name, labels, language)
        lower = grade_text(quota.demote_to.name, labels, language)
        limit = count_text(int(outcome.limit[i]), language)
        share = quota.share.text if isinstance(quota.share, s.Number) else ""
        share_vi = number_text(share.rstrip("%"), "vi") + "%" if share.endswith("%") else share
        of = number_text(outcome.count.to_decimal(i), language)
        base = w(
            f"Hạn mức {grade}: tối đa {share_vi} của {of} người trong nhóm, tức {limit} người; "
            f"người này xếp thứ {rank}",
            f"Quota on {grade}: at most {share} of {of} in the group, that is {limit}; "
            f"this subject ranks {rank}",
        )
        if outcome.tie[i]:
            out.append(
                base
                + w(
                    f", bằng điểm đúng ở ngưỡng nên tạm hạ xuống {lower}, chờ cấp có thẩm quyền "
                    "quyết định.",
                    f", tied at the cut, so demoted to {lower} until a decision is made.",
                )
            )
        elif outcome.demoted[i]:
            out.append(
                base
                + w(
                    f", vượt hạn mức nên hạ xuống {lower}.",
                    f", beyond the quota, so demoted to {lower}.",
                )
            )
        else:
            out.append(base + w(", trong hạn mức.", ", within the quota."))
    return out


def _takes_sentences(
    found: WhatItTakesLike, labels: dict[str, str | None], w: _Words, language: Language
) -> list[str]:
    target = grade_text(found.grade, labels, language)
    out: list[str] = []
    if found.capped:
        out.append(
            w(
                "Lưu ý: một điều kiện loại trừ đang giới hạn mức xếp loại; thay đổi điểm không "
                "gỡ được loại trừ (hạn mức cũng không phụ thuộc điểm của riêng người này).",
                "Note: a veto caps the grade; no change of points lifts it (nor does a quota "
                "depend on this subject's points alone).",
            )
        )
    if not found.changes:
        out.append(
            w(
                f"Không có đầu vào nào mà chỉ thay đổi riêng nó (trong khoảng cho phép) "
                f"đủ để đạt mức {target}.",
                f"No single input, changed alone within its declared range, reaches {target}.",
            )
        )
        return out
    for change in found.changes:
        label = change.label or change.name
        spec_kind = change.kind
        current = _shown_change(change.current, spec_kind, w, language)
        needed = _shown_change(change.needed, spec_kind, w, language)
        out.append(
            w(
                f"Chỉ cần «{label}» là {needed} (hiện là {current}) thì đạt mức {target}.",
                f"«{label}» at {needed} (now {current}) alone would reach {target}.",
            )
        )
    return out


def _shown_change(value: object, kind: str, w: _Words, language: Language) -> str:
    if isinstance(value, bool):
        return w("có", "yes") if value else w("không", "no")
    if kind == "percent" and isinstance(value, Decimal | Fraction | int):
        return fraction_percent_text(Decimal(_fraction_text(Fraction(value))), language)
    if isinstance(value, Decimal | Fraction | int):
        return _num(_normal(value), language)
    return str(value)


def _normal(value: object) -> object:
    """A typed value without trailing zeros ('5.00' was typed as 5)."""
    if isinstance(value, Decimal):
        found = value.normalize()
        return found.quantize(Decimal(1)) if found == found.to_integral_value() else found
    return value


def render_text(explanation: Explanation) -> str:
    """The explanation as plain text (the command line): the table, the sentences, what it
    would take, then the developer trace under "Cho người kiểm tra"."""
    w = _Words(explanation.language)
    out = [f"{w('Đối tượng', 'Subject')}: {explanation.subject}", ""]
    heading = explanation.heading
    out.append(f"{heading[0]} | {heading[1]} | {heading[2]} | {heading[3]}")
    for group in explanation.groups:
        rescaled = w(" (đã quy đổi)", " (rescaled)") if group.rescaled else ""
        out.append(f"{group.label} | {group.maximum} | {group.points}{rescaled} |")
        for c in group.criteria:
            points = c.points if c.applies else w("không áp dụng", "not applicable")
            inputs = "; ".join(f"{x.label}: {x.value}" for x in c.inputs)
            out.append(f"  {c.label} | {c.maximum} | {points} | {inputs}")
            for line in c.aggregated:
                out.append(f"      {line}")
    out.append(f"{w('Tổng điểm', 'Total')} | {explanation.scale} | {explanation.total} |")
    out.append("")
    out.extend(explanation.sentences)
    if explanation.what_it_takes:
        out.append("")
        out.append(w("Cần gì để đạt mức cao hơn:", "What it would take:"))
        out.extend(f"- {line}" for line in explanation.what_it_takes)
    out.append("")
    out.append(w("--- Cho người kiểm tra ---", "--- For the checker ---"))
    out.append(explanation.trace)
    return "\n".join(out)
