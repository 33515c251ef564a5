"""Grade distributions as stacked bars, drawn as plain SVG by the templates (no chart
library, no script): per unit one bar whose segments are the shares of each grade."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from chamdiem.platform.web.access import UnitTree


@dataclass(frozen=True)
class Segment:
    grade: str
    label: str
    count: int
    x: float  # percent of the bar's width
    width: float
    css: str  # g0 for the best grade, g1 next, …; gx for not graded


@dataclass(frozen=True)
class Bar:
    unit_code: str
    unit_name: str
    total: int
    segments: list[Segment]


def legend(grades: Sequence[str], labels: Mapping[str, str]) -> list[tuple[str, str]]:
    return [(f"g{i}", labels.get(g, g)) for i, g in enumerate(grades)] + [("gx", "Không xếp loại")]


def bars(
    distribution: Mapping[str | None, Counter[str]],
    grades: Sequence[str],
    labels: Mapping[str, str],
    tree: UnitTree,
    limit: int = 60,
) -> list[Bar]:
    found: list[Bar] = []
    for unit_code in sorted(distribution, key=lambda c: c or ""):
        counts = distribution[unit_code]
        total = sum(counts.values())
        if not total:
            continue
        segments: list[Segment] = []
        x = 0.0
        order = [*grades, *sorted(set(counts) - set(grades))]
        for grade in order:
            n = counts.get(grade, 0)
            if not n:
                continue
            width = 100.0 * n / total
            css = f"g{grades.index(grade)}" if grade in grades else "gx"
            label = labels.get(grade, "Không xếp loại" if grade == "-" else grade)
            segments.append(Segment(grade, label, n, round(x, 3), round(width, 3), css))
            x += width
        unit_id = tree.by_code.get(unit_code or "")
        name = tree.name.get(unit_id, "") if unit_id is not None else ""
        found.append(Bar(unit_code or "—", name, total, segments))
        if len(found) >= limit:
            break
    return found


def totals(distribution: Mapping[str | None, Counter[str]]) -> Counter[str]:
    overall: Counter[str] = Counter()
    for counts in distribution.values():
        overall.update(counts)
    return overall
