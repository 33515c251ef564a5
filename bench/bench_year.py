"""Benchmark: the full year of a synthetic province at every level, by the rule files in
rules/ — four quarters of every civil servant (cong_chuc_quy), the heads' quarters
(lanh_dao_quy), the year of every person (cong_chuc_nam), of every unit (co_quan_nam) and
of every head (nguoi_dung_dau_nam), in the order the evaluation graph computes.

    .venv/bin/python bench/bench_year.py                    # 100,000 people
    .venv/bin/python bench/bench_year.py --people 20000 --repeat 3

The data come from chamdiem.platform.demo.year as in-memory columns, as the database hands
them over (decimals as integer hundredths in ScaledColumns, counts and flags as NumPy
arrays), not from Excel: reading files is not what is measured. Per (rule set, period) the
table shows the subjects, the seconds spent making the cohort (picking that period's rows
and columns) and the seconds of the evaluation itself; with --repeat N each is the best of
N runs of the whole graph (other processes may share the machine). Arithmetic is exact
throughout (no binary floats).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from chamdiem.dsl import load_file  # noqa: E402
from chamdiem.dsl.data import Cohort  # noqa: E402
from chamdiem.dsl.graph import evaluate_graph  # noqa: E402
from chamdiem.dsl.loader import Program  # noqa: E402
from chamdiem.dsl.periods import Period  # noqa: E402
from chamdiem.platform.demo.year import build_year, year_source  # noqa: E402

RULES = ROOT / "rules"
TARGET_SECONDS = 30.0

Stage = tuple[str, str]  # (rule set, period)


def run_once(
    programs: list[Program],
    source: Callable[[Program, Period], Cohort | None],
    organisation: object,
    target: Period,
) -> tuple[list[Stage], dict[Stage, int], dict[Stage, float], dict[Stage, float], float]:
    """One evaluation of the whole graph: the stages in order, subjects, cohort and
    evaluation seconds per stage, and the wall time of everything."""
    sizes: dict[Stage, int] = {}
    making: dict[Stage, float] = {}
    evaluating: dict[Stage, float] = {}
    order: list[Stage] = []

    def cohort_for(program: Program, period: Period) -> Cohort | None:
        started = time.perf_counter()
        cohort = source(program, period)
        key = (program.header.name, period.code)
        making[key] = time.perf_counter() - started
        sizes[key] = len(cohort) if cohort is not None else 0
        return cohort

    def on_stage(program: Program, period: Period, seconds: float) -> None:
        key = (program.header.name, period.code)
        evaluating[key] = seconds
        order.append(key)

    started = time.perf_counter()
    evaluate_graph(programs, organisation, cohort_for, target, on_stage)  # type: ignore[arg-type]
    return order, sizes, making, evaluating, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--repeat", type=int, default=1, help="runs; the best is shown")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    data = build_year(args.people, args.seed, args.year)
    built = time.perf_counter() - started
    programs = [load_file(path) for path in sorted(RULES.glob("*.rules"))]
    organisation = data.organisation()
    source = year_source(data)
    target = Period(args.year, "year", 1)
    print(
        f"{len(data.roster):,} people, {len(data.graded_units):,} graded units in a tree of "
        f"{len(data.tree):,}; data generated in {built:.1f} s (not measured below)"
    )

    best_making: dict[Stage, float] = {}
    best_evaluating: dict[Stage, float] = {}
    best_wall = float("inf")
    order: list[Stage] = []
    sizes: dict[Stage, int] = {}
    for _ in range(args.repeat):
        order, sizes, making, evaluating, wall = run_once(programs, source, organisation, target)
        best_wall = min(best_wall, wall)
        for key in order:
            best_making[key] = min(best_making.get(key, float("inf")), making[key])
            best_evaluating[key] = min(best_evaluating.get(key, float("inf")), evaluating[key])

    header = f"{'rule set':<20} {'period':<8} {'subjects':>9} {'cohort s':>9} {'eval s':>8}"
    print(header)
    print("-" * len(header))
    for key in order:
        ruleset, period = key
        print(
            f"{ruleset:<20} {period:<8} {sizes[key]:>9,} {best_making[key]:>9.3f} "
            f"{best_evaluating[key]:>8.3f}"
        )
    print("-" * len(header))
    cohorts = sum(best_making.values())
    evaluations = sum(best_evaluating.values())
    print(
        f"{'total':<20} {len(order):>3} stages {sum(sizes.values()):>9,} {cohorts:>9.3f} "
        f"{evaluations:>8.3f}"
    )
    verdict = "under" if best_wall < TARGET_SECONDS else "OVER"
    print(
        f"whole graph, wall clock: {best_wall:.2f} s (best of {args.repeat}); "
        f"{verdict} the {TARGET_SECONDS:.0f} s target"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
