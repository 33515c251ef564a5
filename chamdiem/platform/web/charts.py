"""Grade distributions as stacked bars, drawn as plain SVG by the templates (no chart
library, no script): per unit one bar whose segments are the shares of each grade.

A chart is sorted by a link's parameter (`xep`): by size (`so-nguoi`, the default), by name
(`ten`), or by the share of one grade (the grade's name, largest share first)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from chamdiem.platform.web.access import UnitTree

BY_SIZE = "so-nguoi"
BY_NAME = "ten"
NOT_GRADED = "-"


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
    share: float | None = None  # percent of the sorted-by grade, when sorting by one
    link: bool = True  # a unit's page to link to (not for a position group's bar)


@dataclass(frozen=True)
class Sort:
    """One of a chart's sort links."""

    key: str
    label: str
    chosen: bool


def legend(grades: Sequence[str], labels: Mapping[str, str]) -> list[tuple[str, str]]:
    return [(f"g{i}", labels.get(g, g)) for i, g in enumerate(grades)] + [("gx", "Không xếp loại")]


def sorts(grades: Sequence[str], labels: Mapping[str, str], chosen: str) -> list[Sort]:
    """The links a chart offers: size, then the share of each grade, then name."""
    found = [Sort(BY_SIZE, "số người", chosen == BY_SIZE)]
    found += [Sort(g, f"tỉ lệ {labels.get(g, g).lower()}", chosen == g) for g in grades]
    found.append(Sort(BY_NAME, "tên", chosen == BY_NAME))
    return found


def sort_key(value: str | None, grades: Sequence[str]) -> str:
    """The sort asked for, or the default (by size) for anything else."""
    return value if value in (BY_SIZE, BY_NAME, *grades) else BY_SIZE


def bars(
    distribution: Mapping[str | None, Counter[str]],
    grades: Sequence[str],
    labels: Mapping[str, str],
    tree: UnitTree,
    limit: int | None = 60,
    sort: str = BY_NAME,
    names: Mapping[str, str] | None = None,
) -> list[Bar]:
    """One bar per unit of `distribution` with anyone in it, in the order `sort` asks for,
    at most `limit` of them. With `names`, the bars are not units but groups named so
    (position groups), without a link."""
    found: list[Bar] = []
    for unit_code, counts in distribution.items():
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
            label = labels.get(grade, "Không xếp loại" if grade == NOT_GRADED else grade)
            segments.append(Segment(grade, label, n, round(x, 3), round(width, 3), css))
            x += width
        if names is not None:
            name = names.get(unit_code or "", unit_code or "")
        else:
            unit_id = tree.by_code.get(unit_code or "")
            name = tree.name.get(unit_id, "") if unit_id is not None else ""
        share = 100.0 * counts.get(sort, 0) / total if sort in grades else None
        found.append(Bar(unit_code or "—", name, total, segments, share, names is None))
    if sort == BY_SIZE:
        found.sort(key=lambda b: (-b.total, b.unit_name or b.unit_code))
    elif sort in grades:
        found.sort(key=lambda b: (-(b.share or 0.0), -b.total, b.unit_name or b.unit_code))
    else:
        found.sort(key=lambda b: (b.unit_name or b.unit_code, b.unit_code))
    return found if limit is None else found[:limit]


def totals(distribution: Mapping[str | None, Counter[str]]) -> Counter[str]:
    overall: Counter[str] = Counter()
    for counts in distribution.values():
        overall.update(counts)
    return overall


def roll_up(
    distribution: Mapping[str | None, Counter[str]], part_of: Mapping[str, str]
) -> dict[str | None, Counter[str]]:
    """The distribution per unit of `part_of`'s values: each unit's counts added to the unit
    it belongs to (units not in `part_of` are left out)."""
    rolled: dict[str | None, Counter[str]] = {}
    for code, counts in distribution.items():
        part = part_of.get(code or "")
        if part is not None:
            rolled.setdefault(part, Counter()).update(counts)
    return rolled


def agencies(tree: UnitTree, roots: Iterable[int]) -> list[int]:
    """The units a province-wide chart shows a bar for: the reader's top units (sở, ban,
    communes), or, while there is only one of them (a province root, an agency's HR
    officer), the units below it."""
    shown = sorted(set(roots), key=lambda i: tree.code.get(i, ""))
    while len(shown) == 1 and tree.children.get(shown[0]):
        shown = list(tree.children[shown[0]])
    return shown


def part_of(tree: UnitTree, tops: Iterable[int]) -> dict[str, str]:
    """Every unit code under each of `tops` (itself included) → the code of that top."""
    found: dict[str, str] = {}
    for top in tops:
        for below in tree.subtree([top]):
            found[tree.code[below]] = tree.code[top]
    return found
