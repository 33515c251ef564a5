"""How one subject's total and grade came about, in words a unit head can check by hand:
every criterion with its formula, rule line and the input and intermediate values it used;
the grade threshold that held; vetoes; the quota rank."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

import numpy as np

from chamdiem.dsl import syntax as s
from chamdiem.dsl.compile import referenced_names
from chamdiem.dsl.data import Cohort, take_rows
from chamdiem.dsl.diagnostics import Language, default_language
from chamdiem.dsl.names import canonical
from chamdiem.dsl.numeric import Num
from chamdiem.dsl.results import Results
from chamdiem.dsl.runtime import level_names
from chamdiem.dsl.values import GradeCol, as_bool

if TYPE_CHECKING:
    from chamdiem.dsl.loader import Program


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
