"""Evaluating a compiled rule set over a cohort: points, grades, vetoes, quotas.

Everything is column-wise: each named value is computed once for all subjects. The order
of the stages is the language's: criteria and groups, the total, the score grade, vetoes
(which cap the grade), then quotas in declaration order (which demote within groups).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from chamdiem.dsl.compile import CompiledQuota, CompiledRules
from chamdiem.dsl.data import Cohort
from chamdiem.dsl.diagnostics import Text
from chamdiem.dsl.frames import ItemFrame, SubjectFrame
from chamdiem.dsl.inputs import ProblemList, column
from chamdiem.dsl.links import Links
from chamdiem.dsl.numeric import Num
from chamdiem.dsl.program import InputSpec, ItemsSpec
from chamdiem.dsl.values import (
    BoolArray,
    Data,
    GradeCol,
    IntArray,
    TextCol,
    Val,
    as_bool,
    as_num,
)

# The level of a subject an `exclude` declaration leaves without a grade.
NOT_GRADED = -1


@dataclass
class QuotaOutcome:
    """Per subject, for one quota: the subject's rank among the group's candidates (1-based,
    0 when not a candidate), the number allowed to keep the grade, and the count it was
    computed from."""

    rank: IntArray
    limit: IntArray
    count: Num
    group: IntArray
    demoted: BoolArray
    tie: BoolArray


@dataclass
class Evaluation:
    """The raw columns of one evaluation; results.py presents them."""

    frame: SubjectFrame
    total: Num
    score_level: IntArray
    level: IntArray
    veto_masks: list[BoolArray]
    veto_caps: list[IntArray]
    excluded: BoolArray
    exclusion_masks: list[BoolArray]
    quota_outcomes: list[QuotaOutcome] = field(default_factory=list)


def factorize(values: Sequence[object]) -> tuple[IntArray, list[object]]:
    """Dense integer codes for the distinct values, in first-seen order."""
    distinct = list(dict.fromkeys(values))
    index = {v: i for i, v in enumerate(distinct)}
    codes = np.fromiter(map(index.__getitem__, values), dtype=np.int64, count=len(values))
    return codes, distinct


def _bools(values: Sequence[object] | None, n: int) -> BoolArray:
    if values is None:
        return np.zeros(n, dtype=np.bool_)
    if isinstance(values, np.ndarray):
        return values.astype(np.bool_)
    return np.fromiter((bool(v) for v in values), dtype=np.bool_, count=n)


def _text(values: Sequence[object] | None, n: int) -> TextCol:
    if values is None:
        return TextCol(np.full(n, "", dtype=object))
    col = np.asarray(values, dtype=object)
    if col.shape != (n,):
        col = np.empty(n, dtype=object)
        col[:] = list(values)
    missing = np.asarray([v is None for v in col], dtype=np.bool_)
    if missing.any():
        col = col.copy()
        col[missing] = ""
    return TextCol(col)


def build_frame(
    rules: CompiledRules,
    inputs: Sequence[InputSpec],
    items: Sequence[ItemsSpec],
    cohort: Cohort,
    links: Links | None = None,
) -> SubjectFrame:
    n = len(cohort)
    codes = cohort.codes if isinstance(cohort.codes, list) else list(cohort.codes)
    problems = ProblemList()
    columns = {
        spec.name: column(spec, cohort.inputs.get(spec.name), n, codes, problems, spec.name)
        for spec in inputs
    }
    # Subject attributes are built only when a rule reads them (1M strings cost time).
    attributes: dict[str, Callable[[], Data]] = {
        "code": lambda: _text(codes, n),
        "unit": lambda: _text(cohort.units, n),
        "position_group": lambda: _text(cohort.position_groups, n),
        "is_head": lambda: _bools(cohort.is_head, n),
    }
    item_frames: dict[str, ItemFrame] = {}
    for spec_items in items:
        table = cohort.items.get(spec_items.name)
        owner = np.asarray(list(table.owner) if table is not None else [], dtype=np.int64)
        owner_codes = [codes[i] for i in owner]
        fields = {
            f.name: column(
                f,
                table.fields.get(f.name) if table is not None else None,
                len(owner),
                owner_codes,
                problems,
                f"{spec_items.name}.{f.name}",
            )
            for f in spec_items.fields
        }
        item_frames[spec_items.name] = ItemFrame(None, owner, n, fields)
    problems.raise_if_any()
    units = cohort.units if cohort.units is not None else [None] * n
    frame = SubjectFrame(rules, n, columns, attributes, item_frames, codes, units, links)
    for item_frame in item_frames.values():
        item_frame.parent = frame
    return frame


def evaluate(frame: SubjectFrame, value_names: Sequence[str], apply_quotas: bool) -> Evaluation:
    rules = frame.rules
    codes = frame.codes
    problems = ProblemList(frame.n, once_per_subject=True)
    # Subjects an `exclude` declaration takes out are not graded; their values may be
    # undefined (an annual mean over no quarters) without that being an error.
    excluded = np.zeros(frame.n, dtype=np.bool_)
    exclusion_masks = []
    for _, exclude_when in rules.exclusions:
        when = exclude_when(frame)
        _report(when, codes, "exclude", problems)
        mask = as_bool(when.data)
        exclusion_masks.append(mask)
        excluded |= mask
    graded = ~excluded
    for name in value_names:
        _report(frame.get(name), codes, name, problems, graded)
    total = frame.get("total")
    _report(total, codes, "total", problems, graded)

    levels = len(rules.grade_names)
    score_level = np.zeros(frame.n, dtype=np.int64)
    decided = excluded.copy()
    for index, condition in enumerate(rules.grade_conditions):
        level = levels - 1 - index
        if condition is None:
            score_level[~decided] = level
            decided[:] = True
            break
        cond = condition(frame)
        hit = as_bool(cond.data) & ~decided
        _report(cond, codes, "grades", problems, ~decided)
        score_level[hit] = level
        decided |= hit
    score_level[excluded] = NOT_GRADED
    frame.score_grade = GradeCol(score_level)

    level_now = score_level.copy()
    veto_masks = []
    veto_caps = []
    for veto in rules.vetoes:
        when = veto.when(frame)
        _report(when, codes, "veto", problems, graded)
        cap = veto.cap(frame)
        _report(cap, codes, "veto", problems, graded & as_bool(when.data))
        assert isinstance(cap.data, GradeCol)
        mask = as_bool(when.data) & graded
        veto_masks.append(mask)
        veto_caps.append(cap.data.level)
        level_now = np.where(mask, np.minimum(level_now, cap.data.level), level_now)
    problems.raise_if_any()

    evaluation = Evaluation(
        frame,
        as_num(total.data),
        score_level,
        level_now,
        veto_masks,
        veto_caps,
        excluded,
        exclusion_masks,
    )
    if apply_quotas:
        for quota in rules.quotas:
            outcome = apply_quota(frame, quota, evaluation.level)
            evaluation.level = np.where(outcome.demoted, quota.demote_level, evaluation.level)
            evaluation.quota_outcomes.append(outcome)
    frame.grade = GradeCol(evaluation.level)
    return evaluation


def _report(
    v: Val,
    codes: Sequence[str],
    name: str,
    problems: ProblemList,
    rows: BoolArray | None = None,
) -> None:
    """Undefined values in `rows` (all rows by default) are evaluation errors."""
    err = v.err if v.err is None or rows is None else v.err & rows
    if err is not None and err.any():
        cause = v.cause or Text("giá trị không xác định", "undefined value")
        message = Text(f"`{name}`: {cause.vi}", f"`{name}`: {cause.en}")
        problems.add_rows(err, codes, name, message)


def _group_ids(keys: list[Data], n: int) -> tuple[IntArray, int]:
    """One integer per subject naming its quota group (the subjects sharing every key)."""
    if not keys:
        return np.zeros(n, dtype=np.int64), 1
    combined = np.zeros(n, dtype=np.int64)
    for key in keys:
        if isinstance(key, TextCol):
            codes, distinct = factorize(key.values.tolist())
            width = len(distinct)
        elif isinstance(key, np.ndarray) and key.dtype == np.bool_:
            codes, width = key.astype(np.int64), 2
        elif isinstance(key, GradeCol):
            codes, width = key.level, int(key.level.max(initial=0)) + 1
        else:
            codes, distinct = factorize(as_num(key).to_decimals())
            width = len(distinct)
        # Re-densify after each key so that the combined code never overflows.
        _, dense = np.unique(combined * max(width, 1) + codes, return_inverse=True)
        combined = dense.astype(np.int64)
    return combined, int(combined.max(initial=-1)) + 1


def _rank_key(data: Data) -> np.ndarray:
    if isinstance(data, GradeCol):
        return data.level
    key = as_num(data).sort_key()
    if key.dtype == object:
        _, dense = np.unique(key, return_inverse=True)
        return dense.astype(np.int64)
    return key


def apply_quota(frame: SubjectFrame, quota: CompiledQuota, level: IntArray) -> QuotaOutcome:
    """Keep at most floor(share × COUNT) subjects of the quota's grade in each group; demote
    the rest in rank order; subjects tied at the cut after every rank key are all demoted
    and flagged for a human decision."""
    n = frame.n
    groups, group_count = _group_ids([key(frame).data for key in quota.per], n)
    frame.grade = GradeCol(level)
    frame.quota_groups, frame.quota_group_count = groups, group_count
    count = as_num(quota.count(frame).data)
    share = as_num(quota.share(frame).data)
    allowed = count * share
    rounded = allowed.floor() if quota.decl.rounding == "down" else allowed.round_half_away(0)
    limit_all = np.asarray(rounded.num // rounded.den, dtype=np.int64)

    candidates = np.flatnonzero(level == quota.grade_level)
    rank = np.zeros(n, dtype=np.int64)
    demoted = np.zeros(n, dtype=np.bool_)
    tie = np.zeros(n, dtype=np.bool_)
    if len(candidates):
        keys = []
        for key_fn, descending in quota.rank:
            key = _rank_key(key_fn(frame).data)[candidates]
            keys.append(-key if descending else key)
        group_of = groups[candidates]
        # np.lexsort sorts by the last key first: group, then the rank keys in order.
        order = (
            np.lexsort([*reversed(keys), group_of]) if keys else np.argsort(group_of, kind="stable")
        )
        sorted_groups = group_of[order]
        sorted_keys = [k[order] for k in keys]
        m = len(order)
        new_group = np.ones(m, dtype=np.bool_)
        new_group[1:] = sorted_groups[1:] != sorted_groups[:-1]
        starts = np.flatnonzero(new_group)
        start_of = starts[np.cumsum(new_group) - 1]
        position = np.arange(m) - start_of
        limit = limit_all[candidates[order]]
        keep = position < limit
        same_as_previous = ~new_group
        for k in sorted_keys:
            same_as_previous[1:] &= k[1:] == k[:-1]
        run = np.cumsum(~same_as_previous)
        # A tie at the cut: the last kept and the first demoted share every rank key.
        last_kept = np.flatnonzero(keep & (position == limit - 1))
        nxt = last_kept + 1
        valid = nxt < m
        last_kept, nxt = last_kept[valid], nxt[valid]
        tied_runs = run[last_kept[same_as_previous[nxt]]]
        tied = np.isin(run, tied_runs)
        keep &= ~tied
        subjects = candidates[order]
        rank[subjects] = position + 1
        demoted[subjects] = ~keep
        tie[subjects] = tied
    frame.quota_groups = None
    return QuotaOutcome(rank, limit_all, count, groups, demoted, tie)


def level_names(levels: IntArray, grade_names: Sequence[str]) -> list[str | None]:
    """Grade names of levels; None for a subject that is not graded."""
    lookup = np.asarray([*reversed(grade_names), None], dtype=object)
    return list(lookup[levels])
