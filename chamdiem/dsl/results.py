"""The results of an evaluation as columns, and as one JSON-ready record per subject."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import Literal

import numpy as np

from chamdiem.dsl.data import Cohort
from chamdiem.dsl.numeric import Num
from chamdiem.dsl.runtime import Evaluation, level_names
from chamdiem.dsl.values import Data, DateCol, GradeCol, TextCol, Val

ValueKind = Literal["let", "criterion", "group"]
JsonValue = str | bool | None


class Results:
    """What one evaluation gave each subject. Column properties cover all subjects;
    `record(i)` is the subject's JSON object of the `eval --format jsonl` contract."""

    def __init__(
        self,
        evaluation: Evaluation,
        codes: Sequence[str],
        units: Sequence[str | None],
        names: Sequence[str | None],
        value_kinds: dict[str, ValueKind],
        grade_names: Sequence[str],
        veto_reasons: Sequence[str],
        precision: int,
        exclusion_reasons: Sequence[str] = (),
    ) -> None:
        self.evaluation = evaluation
        self.codes = codes
        self.units = units
        self.names = names
        self.value_kinds = value_kinds
        self.grade_names = list(grade_names)
        self.veto_reasons = list(veto_reasons)
        self.exclusion_reasons = list(exclusion_reasons)
        self.precision = precision
        self._index: dict[str, int] | None = None
        # The cohort evaluated, set by Program.evaluate (after `applies when` chose).
        self.cohort: Cohort | None = None

    def __len__(self) -> int:
        return len(self.codes)

    def index_of(self, code: str) -> int | None:
        if self._index is None:
            self._index = {c: i for i, c in enumerate(self.codes)}
        return self._index.get(code)

    # ------------------------------------------------------------ columns

    @cached_property
    def total(self) -> list[Decimal | None]:
        """Each subject's total; None for a subject that is not graded."""
        return [None if x is None else Decimal(x) for x in self.total_texts]

    @cached_property
    def total_texts(self) -> list[str | None]:
        """Each subject's total as plain digits with exactly `precision` places ("85.00");
        None for a subject that is not graded."""
        texts: list[str | None] = list(self.evaluation.total.to_strings(self.precision))
        excluded = self.evaluation.excluded
        if excluded.any():
            for i in np.flatnonzero(excluded).tolist():
                texts[i] = None
        return texts

    @cached_property
    def score_grade(self) -> list[str | None]:
        return level_names(self.evaluation.score_level, self.grade_names)

    @cached_property
    def grade(self) -> list[str | None]:
        return level_names(self.evaluation.level, self.grade_names)

    def value_column(self, name: str) -> list[JsonValue]:
        """A value (let, criterion or group) for every subject, as in the JSON records:
        decimals as strings, booleans, None where a criterion does not apply."""
        return self._columns[name]

    def raw_value(self, name: str) -> Val:
        return self.evaluation.frame.get(name)

    def field(self, name: str, grades: Sequence[str]) -> Data:
        """An output column as another rule set reads it (see links.py): grades are mapped
        to `grades`, that rule set's own grade names."""
        from chamdiem.dsl.links import grade_map

        evaluation = self.evaluation
        if name == "total":
            return evaluation.total
        if name == "graded":
            return ~evaluation.excluded
        if name in ("grade", "score_grade"):
            levels = evaluation.level if name == "grade" else evaluation.score_level
            return GradeCol(grade_map(self.grade_names, grades)[levels])
        # A criterion that does not apply to a row counts as 0 when aggregated.
        return self.raw_value(name).data

    def applicable(self, name: str) -> np.ndarray | None:
        return self.evaluation.frame.applicable.get(name)

    @cached_property
    def _columns(self) -> dict[str, list[JsonValue]]:
        return {name: self._convert(name) for name in self.value_kinds}

    def _convert(self, name: str) -> list[JsonValue]:
        value = self.raw_value(name)
        out = _json_column(
            value.data, self.value_kinds[name] != "let", self.precision, self.grade_names
        )
        shown = np.ones(len(out), dtype=np.bool_)
        mask = self.applicable(name)
        if mask is not None:
            shown &= mask
        if value.err is not None:  # undefined for a subject that is not graded
            shown &= ~value.err
        if not shown.all():
            out = [v if ok else None for v, ok in zip(out, shown.tolist(), strict=True)]
        return out

    def reason_columns(self) -> tuple[list[Reasons], list[Reasons], list[Reasons]]:
        """For every subject at once, what `vetoes(i)`, `flags(i)` and `exclusions(i)` give
        (as tuples; subjects with none share the empty tuple)."""
        evaluation = self.evaluation
        n = len(self)
        ties = [outcome.tie for outcome in evaluation.quota_outcomes]
        flag_masks = [evaluation.excluded, np.logical_or.reduce(ties) if ties else None]
        flag_names = [
            name for name, mask in zip(_FLAGS, flag_masks, strict=True) if mask is not None
        ]
        return (
            _reason_lists(self.veto_reasons, evaluation.veto_masks, n),
            _reason_lists(flag_names, [m for m in flag_masks if m is not None], n),
            _reason_lists(self.exclusion_reasons, evaluation.exclusion_masks, n),
        )

    def vetoes(self, i: int) -> list[str]:
        return [
            reason
            for reason, mask in zip(self.veto_reasons, self.evaluation.veto_masks, strict=True)
            if mask[i]
        ]

    def flags(self, i: int) -> list[str]:
        flags = []
        if self.evaluation.excluded[i]:
            flags.append("not_graded")
        if any(o.tie[i] for o in self.evaluation.quota_outcomes):
            flags.append("tie_at_quota")
        return flags

    def exclusions(self, i: int) -> list[str]:
        """Reasons the subject is not graded."""
        return [
            reason
            for reason, mask in zip(
                self.exclusion_reasons, self.evaluation.exclusion_masks, strict=True
            )
            if mask[i]
        ]

    # ------------------------------------------------------------ records

    def record(self, i: int) -> dict[str, object]:
        return {
            "code": self.codes[i],
            "unit": self.units[i],
            "total": None if self.total[i] is None else str(self.total[i]),
            "score_grade": self.score_grade[i],
            "grade": self.grade[i],
            "values": {name: column[i] for name, column in self._columns.items()},
            "vetoes": self.vetoes(i),
            "flags": self.flags(i),
            "not_graded": self.exclusions(i),
        }

    def records(self) -> Iterator[dict[str, object]]:
        for i in range(len(self)):
            yield self.record(i)


Reasons = tuple[str, ...]
_FLAGS = ("not_graded", "tie_at_quota")


def _reason_lists(reasons: Sequence[str], masks: Sequence[object], n: int) -> list[Reasons]:
    """Per subject, the reasons whose mask is set for it, in the order of `reasons`."""
    out: list[Reasons] = [()] * n
    if not reasons:
        return out
    stacked = np.vstack([np.asarray(mask, dtype=np.bool_) for mask in masks])
    for i in np.flatnonzero(stacked.any(axis=0)).tolist():
        out[i] = tuple(
            reason for reason, on in zip(reasons, stacked[:, i].tolist(), strict=True) if on
        )
    return out


def _json_column(
    data: Data, fixed_places: bool, precision: int, grade_names: Sequence[str]
) -> list[JsonValue]:
    if isinstance(data, Num):
        if fixed_places:
            return list(data.to_strings(precision))
        return list(data.to_plain_strings(10))
    if isinstance(data, TextCol):
        return [str(v) for v in data.values]
    if isinstance(data, DateCol):
        return [date.fromordinal(int(d)).isoformat() for d in data.days]
    if isinstance(data, GradeCol):
        return list(level_names(data.level, grade_names))
    return [bool(v) for v in data]
