"""Benchmark: the exact evaluator against a hand-written NumPy float64 program, on the same
synthetic subjects of bench/rules/bench12.rules.

    .venv/bin/python bench/bench_eval.py                 # 100k and 1M subjects
    .venv/bin/python bench/bench_eval.py --sizes 20000   # a quick run

Every (size, engine) pair runs in its own subprocess so that peak memory (ru_maxrss) is that
run's alone. A run generates the data (not timed), converts it to what its engine reads (not
timed), then times the evaluation (best of --repeat runs, since other processes may share the
machine). Engines: `float` is the NumPy float64 program; `exact` the evaluator fed columns as
the database keeps them (decimals as integer hundredths, counts as int64); `exact-dec` the
evaluator fed Python lists of Decimal objects, which it converts value by value — the price of
handing it objects instead of columns. It saves its grades and totals
so that the parent can count the subjects on which the engines disagree.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import bench_data, float_baseline  # noqa: E402

RULES = ROOT / "bench" / "rules" / "bench12.rules"
SEED = 2026
T = TypeVar("T")


def _rss_mb() -> float:
    # Linux reports ru_maxrss in KiB.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _best_of(repeat: int, run: Callable[[], T]) -> tuple[float, float, float, T]:
    """The shortest wall and CPU times of `repeat` runs (other processes may share the
    machine), the peak memory after the first run (before repeats could hold two results at
    once), and the last result."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = run()
    best_wall, best_cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak = _rss_mb()
    for _ in range(repeat - 1):
        del result
        wall, cpu = time.perf_counter(), time.process_time()
        result = run()
        best_wall = min(best_wall, time.perf_counter() - wall)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    return best_wall, best_cpu, peak, result


def run_one(engine: str, n: int, out: Path, repeat: int) -> dict[str, float]:
    """One measured run in this process; writes grades (levels 0..3) and totals (in
    hundredths) to `out` as .npz."""
    data = bench_data.generate(n, SEED)
    if engine in ("exact", "exact-dec"):
        from chamdiem.dsl import load_file

        program = load_file(RULES)
        cohort = data.to_columns() if engine == "exact" else data.to_cohort()
        rss_before = _rss_mb()
        seconds, cpu, peak, results = _best_of(repeat, lambda: program.evaluate(cohort))
        levels = {g: i for i, g in enumerate(float_baseline.GRADES)}
        grade = np.array([levels[g] for g in results.grade], dtype=np.int64)
        total = np.array([int(t * 100) for t in results.total], dtype=np.int64)
    else:
        columns = data.to_float()
        rss_before = _rss_mb()
        seconds, cpu, peak, fr = _best_of(
            repeat, lambda: float_baseline.evaluate(columns, data.unit)
        )
        grade = fr.grade
        total = np.rint(fr.total * 100).astype(np.int64)
    np.savez(out, grade=grade, total=total)
    return {"seconds": seconds, "cpu": cpu, "rss_before_mb": rss_before, "peak_mb": peak}


def _spawn(engine: str, n: int, out: Path, repeat: int) -> dict[str, float]:
    proc = subprocess.run(
        [sys.executable, __file__, "--child", engine, str(n), str(out), str(repeat)],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument(
        "--repeat", type=int, default=3, help="timed runs per measurement; the best is shown"
    )
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        engine, n, out, repeat = args.child
        print(json.dumps(run_one(engine, int(n), Path(out), int(repeat))))
        return 0

    header = (
        f"{'N':>9}  {'engine':<9} {'seconds':>8} {'CPU s':>7} {'subjects/s':>11} "
        f"{'RSS data MB':>11} {'peak MB':>8} {'exact/float':>11}"
    )
    print(header)
    print("-" * len(header))
    summary: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            runs: dict[str, dict[str, float]] = {}
            saved: dict[str, Path] = {}
            for engine in ("float", "exact", "exact-dec"):
                saved[engine] = Path(tmp) / f"{engine}_{n}.npz"
                runs[engine] = r = _spawn(engine, n, saved[engine], args.repeat)
                ratio = (
                    f"{r['seconds'] / runs['float']['seconds']:.1f}×" if engine != "float" else ""
                )
                print(
                    f"{n:>9,}  {engine:<9} {r['seconds']:>8.2f} {r['cpu']:>7.2f} "
                    f"{n / r['seconds']:>11,.0f} "
                    f"{r['rss_before_mb']:>11,.0f} {r['peak_mb']:>8,.0f} {ratio:>11}",
                    flush=True,
                )
            exact, flt = np.load(saved["exact"]), np.load(saved["float"])
            grades = int((exact["grade"] != flt["grade"]).sum())
            totals = int((exact["total"] != flt["total"]).sum())
            summary.append(
                f"N = {n:,}: float64 gives a different total to {totals:,} subjects "
                f"and a different grade to {grades:,}."
            )
    print()
    print("\n".join(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
