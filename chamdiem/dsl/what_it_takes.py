"""What it would take: for a subject below the best grade, the smallest change of one input
that alone would lift the grade from points to the next grade, computed by the engine itself.

The subject is copied into a cohort of variants that differ in one input only, and the
compiled program evaluates them together (quotas off: a quota depends on the others, not on
this subject's points). Candidate values lie on the grid of the input's precision (the rule
set's rounding places, or the places the current value is written with if more; whole
numbers for a count; percent inputs one place finer than a whole percent per rounding
place), inside the declared range. Up to `EXHAUSTIVE` candidates in a direction are all
evaluated, so the answer is exact whatever the formula; a longer range is sampled at about
`EXHAUSTIVE` points and the first sample that reaches is narrowed down the same way (exact
unless the formula reaches the grade only on a stretch narrower than the sampling step).
A side of the range left open is searched up to ten times the rule set's scale. Yes/no
inputs are flipped and `one of` inputs tried at each choice. Items lists, vetoes, quotas and
exclusions are not searched: points do not change a veto or a quota.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

import numpy as np

from chamdiem.dsl.data import Cohort, ItemTable, as_list, take_rows
from chamdiem.dsl.inputs import EvaluationError
from chamdiem.dsl.program import InputSpec
from chamdiem.dsl.results import Results

if TYPE_CHECKING:
    from chamdiem.dsl.loader import Program

EXHAUSTIVE = 2000
SAMPLES = 1000


@dataclass(frozen=True)
class Change:
    """Changing input `name` from `current` to `needed` (alone) reaches `grade`."""

    name: str
    label: str | None
    kind: str
    current: object
    needed: object


@dataclass(frozen=True)
class WhatItTakes:
    """The next grade above the subject's grade from points, and the single-input changes
    that reach it (`changes` empty: no single input can)."""

    grade: str  # the grade aimed at (its code)
    changes: tuple[Change, ...]
    capped: bool  # a veto caps the grade whatever the points


def what_it_takes(
    program: Program,
    results: Results,
    i: int,
    period_start: date | None = None,
) -> WhatItTakes | None:
    """None when the subject already holds the best grade from points (or is not graded)."""
    names = [g.name for g in program.grades]
    score = results.score_grade[i]
    if score is None or score not in names or names.index(score) == 0:
        return None
    target = names.index(score) - 1
    cohort = results.cohort
    if cohort is None:
        return None
    base = cohort.subset([i])
    evaluation = results.evaluation
    capped = any(bool(mask[i]) for mask in evaluation.veto_masks)
    links = getattr(evaluation.frame, "links", None)
    start = period_start or _period_start(program, results)
    changes: list[Change] = []
    for spec in program.inputs:
        current = _current(base, spec)
        found = _search(program, base, spec, current, target, names, start, links)
        if found is not None:
            changes.append(Change(spec.name, spec.label, spec.kind, current, found))
    return WhatItTakes(names[target], tuple(changes), capped)


def _period_start(program: Program, results: Results) -> date | None:
    compiled = getattr(program, "_compiled", {})
    rules = results.evaluation.frame.rules
    return next((start for start, found in compiled.items() if found is rules), None)


def _current(base: Cohort, spec: InputSpec) -> object:
    column = base.inputs.get(spec.name)
    value = as_list(column)[0] if column is not None else None
    if value is None:
        value = spec.default
    if isinstance(value, float):
        value = Fraction(Decimal(repr(value)))
    return value


def _variants(base: Cohort, name: str, values: list[object]) -> Cohort:
    n = len(values)
    inputs = {k: take_rows(col, [0] * n) for k, col in base.inputs.items()}
    inputs[name] = values
    items: dict[str, ItemTable] = {}
    for key, table in base.items.items():
        m = len(table)
        rows = np.tile(np.arange(m, dtype=np.int64), n).tolist()
        items[key] = ItemTable(
            owner=np.repeat(np.arange(n, dtype=np.int64), m),
            fields={f: take_rows(col, rows) for f, col in table.fields.items()},
        )

    def copies(values: object) -> list[object] | None:
        return None if values is None else [values[0]] * n  # type: ignore[index]

    return Cohort(
        codes=[base.codes[0]] * n,
        inputs=inputs,
        items=items,
        units=copies(base.units),  # type: ignore[arg-type]
        position_groups=copies(base.position_groups),  # type: ignore[arg-type]
        is_head=copies(base.is_head),  # type: ignore[arg-type]
        names=copies(base.names),  # type: ignore[arg-type]
    )


def _reaches(
    program: Program,
    base: Cohort,
    name: str,
    values: list[object],
    target: int,
    names: list[str],
    start: date | None,
    links: object,
) -> list[bool] | None:
    """For each value, whether the subject with that value alone holds `target` or better
    from points; None when the variants cannot be evaluated."""
    if not values:
        return []
    try:
        found = program.evaluate(
            _variants(base, name, values),
            start,
            apply_quotas=False,
            links=links,  # type: ignore[arg-type]
        )
    except (EvaluationError, ValueError, ArithmeticError):
        return None
    if len(found) != len(values):
        return None
    return [g is not None and g in names and names.index(g) <= target for g in found.score_grade]


def _places(value: Fraction, at_least: int) -> int:
    places = at_least
    while (value * 10**places).denominator != 1 and places < 10:
        places += 1
    return places


def _search(
    program: Program,
    base: Cohort,
    spec: InputSpec,
    current: object,
    target: int,
    names: list[str],
    start: date | None,
    links: object,
) -> object | None:
    def reaches(values: list[object]) -> list[bool] | None:
        return _reaches(program, base, spec.name, values, target, names, start, links)

    if spec.kind == "bool":
        if not isinstance(current, bool):
            return None
        flipped = reaches([not current])
        return (not current) if flipped and flipped[0] else None
    if spec.kind == "enum":
        choices = [c for c in spec.choices if c != current]
        verdicts = reaches(list(choices))
        if verdicts is None:
            return None
        return next((c for c, ok in zip(choices, verdicts, strict=True) if ok), None)
    if spec.kind not in ("number", "count", "percent"):
        return None
    if not isinstance(current, int | Decimal | Fraction) or isinstance(current, bool):
        return None
    value = Fraction(current)
    precision = program.header.precision + (2 if spec.kind == "percent" else 0)
    step = Fraction(1) if spec.kind == "count" else Fraction(1, 10 ** _places(value, precision))
    best: tuple[Fraction, Fraction] | None = None
    for sign in (1, -1):
        k = _steps_to_bound(spec, value, step, sign, program.header.scale)
        if k <= 0:
            continue

        def at(j: int, sign: int = sign) -> Fraction:
            return value + sign * j * step

        def make(v: Fraction) -> object:
            return int(v) if spec.kind == "count" else Decimal(v.numerator) / v.denominator

        first = _first_reaching(lambda js, at=at: reaches([make(at(j)) for j in js]), k)
        if first is None:
            continue
        candidate = at(first)
        if best is None or abs(candidate - value) < best[0]:
            best = (abs(candidate - value), candidate)
    if best is None:
        return None
    needed = best[1]
    return int(needed) if spec.kind == "count" else _decimal(needed)


def _decimal(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).normalize()


def _steps_to_bound(
    spec: InputSpec, value: Fraction, step: Fraction, sign: int, scale: Decimal
) -> int:
    """How many steps fit between the current value and the declared bound on that side."""
    if sign > 0:
        bound = spec.high
        strict = spec.high_strict
        if bound is None:
            return int((Fraction(scale) * 10) / step)
        room = Fraction(bound) - value
    else:
        bound = spec.low
        strict = spec.low_strict
        if bound is None:
            if spec.kind == "count":
                bound, strict = Decimal(0), False
            else:
                return int((Fraction(scale) * 10) / step)
        room = value - Fraction(bound)
    if room <= 0:
        return 0
    steps = int(room // step)
    if strict and steps * step == room:
        steps -= 1
    return steps


def _first_reaching(test: object, k: int) -> int | None:
    """The smallest j in 1..k for which test([j]) holds (see the module's note on long
    ranges); `test` takes a list of j and returns a list of verdicts or None."""
    low, high = 0, k  # j in (low, high]
    while True:
        if high - low <= EXHAUSTIVE:
            js = list(range(low + 1, high + 1))
        else:
            js = sorted({low + -(-(high - low) * n // SAMPLES) for n in range(1, SAMPLES + 1)})
        verdicts = test(js)  # type: ignore[operator]
        if verdicts is None:
            return None
        hit = next((n for n, ok in enumerate(verdicts) if ok), None)
        if hit is None:
            return None
        if high - low <= EXHAUSTIVE:
            return int(js[hit])
        low, high = (js[hit - 1] if hit else low), js[hit]
