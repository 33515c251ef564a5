"""Reading other rule sets' results: the data behind `members(R)`, `subordinates(R)`,
`periods(R)`, `unit_result(R)` and `result(R)`.

Fields: `total`, `grade`, `score_grade`, `graded` (false for a subject an `exclude`
declaration left without a grade) and every let, criterion and group of R.

A list function becomes an item list whose rows are R's results (one per member,
subordinate or period) and whose fields are R's outputs: `total`, `grade`, `score_grade`
and every let, criterion and group. Grades of R are matched to this rule set's grades by
name (by rank from the best when a name is missing), so `grade >= tot` reads naturally.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from chamdiem.dsl.names import RESULT_FIELDS as RESULT_FIELDS  # importers read it here
from chamdiem.dsl.numeric import Num
from chamdiem.dsl.organisation import Organisation
from chamdiem.dsl.periods import Period
from chamdiem.dsl.values import Data, GradeCol, IntArray, Val, take


class Results(Protocol):
    """What a link reads of another rule set's results (results.Results, or the stand-in
    results a rule-file test gives)."""

    @property
    def codes(self) -> Sequence[str]: ...

    @property
    def units(self) -> Sequence[str | None]: ...

    def index_of(self, code: str) -> int | None: ...

    def field(self, name: str, grades: Sequence[str]) -> Data: ...


class LinkError(ValueError):
    pass


@dataclass
class Links:
    """Everything a rule set with `needs` reads from the rule sets it needs."""

    organisation: Organisation
    period: Period
    # ruleset name -> period -> results of that rule set for that period
    results: Mapping[str, Mapping[Period, Results]] = field(default_factory=dict)

    def same_period(self, ruleset: str) -> Results:
        found = self.results.get(ruleset, {}).get(self.period)
        if found is None:
            raise LinkError(
                f"chưa có kết quả của `{ruleset}` cho kỳ {self.period} / "
                f"no results of `{ruleset}` for period {self.period}"
            )
        return found

    def parts(self, ruleset: str) -> list[tuple[Period, Results]]:
        by_period = self.results.get(ruleset, {})
        return sorted(
            (p, r) for p, r in by_period.items() if self.period.contains(p) and p != self.period
        )


def grade_map(source: Sequence[str], target: Sequence[str]) -> IntArray:
    """source level -> target level, by name, else by rank from the best; the extra last
    entry keeps a subject that was not graded (level -1) ungraded."""
    top_s, top_t = len(source) - 1, len(target) - 1
    out = np.full(len(source) + 1, -1, dtype=np.int64)
    for s_index, name in enumerate(source):
        t_index = list(target).index(name) if name in target else min(s_index, top_t)
        out[top_s - s_index] = top_t - t_index
    return out


def field_data(results: Results, name: str, grades: Sequence[str]) -> Data:
    """One output column of R's results, grades mapped to this rule set's grades."""
    return results.field(name, grades)


class LazyColumns(dict[str, Val]):
    """Columns of linked rows, each built when a rule first reads it (R may offer dozens of
    outputs; a rule reads two or three)."""

    def __init__(self, build: Callable[[str], Val]) -> None:
        super().__init__()
        self._build = build

    def __missing__(self, name: str) -> Val:
        value = self[name] = self._build(name)
        return value


@dataclass
class LinkedRows:
    """Rows of R's results for each subject: `owner[k]` is the subject of row k; `labels[k]`
    names the row for explanations (the member's code, or the period)."""

    owner: IntArray
    columns: LazyColumns
    labels: list[str]


def build_rows(
    function: str,
    ruleset: str,
    links: Links,
    codes: Sequence[str],
    units: Sequence[str | None],
    grades: Sequence[str],
) -> LinkedRows:
    if function == "periods":
        parts = links.parts(ruleset)
    else:
        parts = [(links.period, links.same_period(ruleset))]
    pairs = [
        (period, results, *_pairs(function, results, links.organisation, codes, units))
        for period, results in parts
    ]
    owners = [owner for _, _, owner, _ in pairs]
    owner_all = np.concatenate(owners) if owners else np.zeros(0, dtype=np.int64)
    labels: list[str] = []
    for period, results, _, rows in pairs:
        if function == "periods":
            labels.extend([period.code] * len(rows))
        else:
            labels.extend(str(results.codes[row]) for row in rows.tolist())

    def column(name: str) -> Val:
        pieces = [take(field_data(results, name, grades), rows) for _, results, _, rows in pairs]
        return Val(_concat(pieces, len(owner_all)))

    return LinkedRows(owner_all.astype(np.int64), LazyColumns(column), labels)


def _pairs(
    function: str,
    results: Results,
    organisation: Organisation,
    codes: Sequence[str],
    units: Sequence[str | None],
) -> tuple[IntArray, IntArray]:
    """(subject index, row in results) pairs for one Results."""
    owner: list[int] = []
    rows: list[int] = []
    if function == "periods":
        for i, code in enumerate(codes):
            row = results.index_of(code)
            if row is not None:
                owner.append(i)
                rows.append(row)
    else:
        by_unit: dict[str, list[int]] = {}
        for row, unit in enumerate(results.units):
            if unit:
                by_unit.setdefault(str(unit), []).append(row)
        for i, code in enumerate(codes):
            home = str(code) if function == "members" else str(units[i] or "")
            if not home:
                continue
            tree = organisation.subtree(home) if home in organisation.parents else [home]
            for unit in tree:
                for row in by_unit.get(unit, []):
                    if function == "subordinates" and results.codes[row] == code:
                        continue
                    owner.append(i)
                    rows.append(row)
    return np.asarray(owner, dtype=np.int64), np.asarray(rows, dtype=np.int64)


def _concat(parts: list[Data], n: int) -> Data:
    if not parts:
        return Num.const(0, n)
    if len(parts) == 1:
        return parts[0]
    first = parts[0]
    if isinstance(first, Num):
        from chamdiem.dsl.numeric import concat

        return concat([p for p in parts if isinstance(p, Num)])
    if isinstance(first, GradeCol):
        return GradeCol(np.concatenate([p.level for p in parts if isinstance(p, GradeCol)]))
    arrays = [p for p in parts if isinstance(p, np.ndarray)]
    return np.concatenate(arrays)


def record_rows(
    function: str,
    ruleset: str,
    links: Links,
    codes: Sequence[str],
    units: Sequence[str | None],
) -> tuple[Results, IntArray, np.ndarray]:
    """For `unit_result(R)` / `result(R)`: each subject's row in R's results of the same
    period, and a mask of subjects that have none."""
    results = links.same_period(ruleset)
    keys = units if function == "unit_result" else codes
    rows = np.zeros(len(codes), dtype=np.int64)
    missing = np.zeros(len(codes), dtype=np.bool_)
    for i, key in enumerate(keys):
        row = results.index_of(str(key)) if key else None
        if row is None:
            missing[i] = True
        else:
            rows[i] = row
    return results, rows, missing
