"""What the workbooks are made from, as plain data: a stored run with its rule version and
period, its results with the latest council decision on each, the unit tree, the impact of a
rule change, and the rows and current data an input template is pre-filled with.

Services produce these (`services/reports.py`, `services/impact.py`, `services/templates.py`);
the renderers in `excel/` take them and read nothing else, so this module sits below both and
imports neither.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from chamdiem.dsl.loader import Program
from chamdiem.platform.db.models import EvaluationRun, Period, RuleVersion


@dataclass(frozen=True)
class StoredRun:
    run: EvaluationRun
    version: RuleVersion
    period: Period
    program: Program

    @property
    def id(self) -> int:
        assert self.run.id is not None
        return self.run.id


@dataclass(frozen=True, slots=True)
class Decision:
    """The latest council decision on a result."""

    final_grade: str
    reason: str
    document_number: str
    document_date: date
    decided_by: str


@dataclass(slots=True)
class ResultLine:
    """One subject's stored result with what a report shows beside it."""

    result_id: int
    code: str
    name: str | None
    position: str | None
    position_group: str | None
    unit_code: str | None
    is_head: bool
    total: str | None
    score_grade: str | None
    grade: str | None
    values: dict[str, object]
    vetoes: list[str]
    flags: list[str]
    not_graded: list[str]
    decision: Decision | None

    @property
    def final_grade(self) -> str | None:
        """The grade that counts: the competent authority's when it decided, else computed."""
        return self.decision.final_grade if self.decision else self.grade


@dataclass(frozen=True, slots=True)
class UnitInfo:
    id: int
    code: str
    name: str
    parent_code: str | None


@dataclass(frozen=True, slots=True)
class PersonLine:
    code: str
    name: str | None
    unit_code: str | None
    unit_name: str | None
    position: str | None
    position_group: str | None
    is_head: bool


@dataclass(frozen=True)
class RunReport:
    """What the official workbook of a run shows: the run, its results in code order and
    every unit by code."""

    stored: StoredRun
    lines: list[ResultLine]
    units: dict[str, UnitInfo]


@dataclass(frozen=True)
class PersonForm:
    """What one person's evaluation form shows: the run it comes from, the person's result
    and the names of their unit and the units above it, the top one first."""

    stored: StoredRun
    line: ResultLine
    unit_names: list[str]


# ---------------------------------------------------------------- the unit tree


def unit_order(units: dict[str, UnitInfo], codes: Iterable[str | None]) -> list[str | None]:
    """`codes` in the order of the unit tree (depth first, children by code); codes that are
    not units (and None, people without a unit) come last."""
    children: dict[str | None, list[str]] = {}
    for unit in units.values():
        parent = unit.parent_code if unit.parent_code in units else None
        children.setdefault(parent, []).append(unit.code)
    position: dict[str, int] = {}
    stack = sorted(children.get(None, []), reverse=True)
    while stack:
        code = stack.pop()
        if code in position:
            continue
        position[code] = len(position)
        stack.extend(sorted(children.get(code, []), reverse=True))
    wanted = set(codes)
    known = sorted((c for c in wanted if c is not None and c in position), key=position.__getitem__)
    others = sorted(c for c in wanted if c is not None and c not in position)
    return [*known, *others, *([None] if None in wanted else [])]


def ancestors(units: dict[str, UnitInfo], code: str | None) -> list[UnitInfo]:
    """The unit and the units above it, the top one first."""
    chain: list[UnitInfo] = []
    seen: set[str] = set()
    while code is not None and code in units and code not in seen:
        seen.add(code)
        chain.append(units[code])
        code = units[code].parent_code
    return chain[::-1]


# ---------------------------------------------------------------- the impact of a rule change


@dataclass(frozen=True)
class CriterionMove:
    name: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class Move:
    """A person whose grade differs between the versions."""

    code: str
    name: str | None
    unit: str | None
    old_grade: str
    new_grade: str
    old_total: str | None
    new_total: str | None
    criteria: tuple[CriterionMove, ...]


@dataclass
class Impact:
    grades: list[str]  # the union of both versions' grades, best first
    overall: Counter[tuple[str, str]] = field(default_factory=Counter)
    per_unit: dict[str, Counter[tuple[str, str]]] = field(default_factory=dict)
    moves: list[Move] = field(default_factory=list)
    people: int = 0
    totals_changed: int = 0
    only_old: list[str] = field(default_factory=list)  # evaluated by one version only
    only_new: list[str] = field(default_factory=list)
    # False when the people, and the units they are in, were left out (`counts_only`).
    named: bool = True
    # What a person reads for each grade in `grades` ('tot' -> 'Hoàn thành tốt nhiệm vụ'): the
    # new version's labels, the old one's for a grade only it has; the renderers format.
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def moved(self) -> int:
        """How many people change grade (also when they are not named)."""
        return sum(n for (before, after), n in self.overall.items() if before != after)

    def counts_only(self) -> Impact:
        """The province-wide counts without any person or unit: the transition matrix, how
        many people were compared and how many change grade or total, for a reader who may
        not read the organisation's people (the policy role)."""
        return replace(
            self,
            overall=Counter(self.overall),
            per_unit={},
            moves=[],
            only_old=[],
            only_new=[],
            named=False,
        )

    def moved_up(self) -> list[Move]:
        rank = {g: i for i, g in enumerate(self.grades)}
        return [
            m
            for m in self.moves
            if m.old_grade in rank and m.new_grade in rank and rank[m.new_grade] < rank[m.old_grade]
        ]


# ---------------------------------------------------------------- the input template


@dataclass(frozen=True)
class Prefill:
    """One subject row written ready: a person (or, for a rule set about units, a unit)."""

    code: str
    name: str | None = None
    unit: str | None = None
    unit_name: str | None = None
    position: str | None = None
    position_group: str | None = None
    is_head: bool = False


@dataclass(frozen=True)
class PeriodInfo:
    code: str
    kind: str
    start: date


@dataclass(frozen=True)
class CurrentData:
    """A period's current records, written into the input cells so that an officer corrects
    what is stored instead of typing it all again."""

    period: str
    inputs: Mapping[str, Mapping[str, object]]  # code -> input -> typed value (no blanks)
    items: Mapping[str, Sequence[tuple[str, Sequence[object]]]]  # items -> (code, fields)
