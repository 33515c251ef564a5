"""`chamdiem eval` of bench/rules/bench12.rules through the command line, from a DATA file to
JSON lines: an old version (a git ref, checked out into a temporary worktree) beside this
tree, each round running every variant once so a busy machine weighs on them alike.

    .venv/bin/python bench/bench_cli_eval.py HEAD~1                       # CSV 100k, 1M; xlsx 100k
    .venv/bin/python bench/bench_cli_eval.py HEAD~1 --cases csv:100000 --runs 5

The DATA files (`bench/results/cli_eval/`) are generated once and not timed: the subjects of
`bench_data.generate` (seed 2026) with a code and a unit, decimals written with a point
("72.45"), counts as digits, flags as TRUE/FALSE (as the demo generator writes its CSV); the
workbook holds the same cells as numbers and booleans. Wall and CPU seconds (user + system of
the child) per process; the results of old and new are compared byte for byte.
"""

from __future__ import annotations

import argparse
import csv
import filecmp
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import bench_data  # noqa: E402

RULES = ROOT / "bench" / "rules" / "bench12.rules"
DATA = ROOT / "bench" / "results" / "cli_eval"
SEED = 2026


def _columns(n: int) -> tuple[list[str], list[list[object]]]:
    """Header and columns (as Python values) of n subjects."""
    data = bench_data.generate(n, SEED)
    header = ["code", "unit"]
    columns: list[list[object]] = [
        [f"S{i:07d}" for i in range(n)],
        data.unit_names(),  # type: ignore[list-item]
    ]
    for name in bench_data.DECIMAL_INPUTS:
        header.append(name)
        hundredths = data.values[name].tolist()
        columns.append([h / 100 if h % 100 else h // 100 for h in hundredths])
    for name in bench_data.COUNT_INPUTS + bench_data.BOOL_INPUTS:
        header.append(name)
        columns.append(data.values[name].tolist())
    return header, columns


def data_file(kind: str, n: int) -> Path:
    """The DATA file of n subjects (generated when missing)."""
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"bench12_{n}.{kind}"
    if path.exists():
        return path
    header, columns = _columns(n)
    temporary = path.with_suffix(f".tmp.{kind}")
    if kind == "csv":
        with temporary.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            for row in zip(*columns, strict=True):
                writer.writerow(
                    ["TRUE" if v is True else "FALSE" if v is False else v for v in row]
                )
    else:
        from chamdiem.platform.excel.xlsx import write_workbook

        rows = (
            [float(v) if type(v) is int else v for v in row] for row in zip(*columns, strict=True)
        )
        write_workbook(temporary, [("subjects", [header, *rows])])
    temporary.replace(path)
    return path


def run_once(code: Path, data: Path, out: Path, people: int) -> tuple[float, float, int, str]:
    env = dict(os.environ)
    env["CHAMDIEM_MAX_PEOPLE"] = str(max(people, 100_000))  # the file's limits
    env["PYTHONPATH"] = str(code)
    env.pop("CHAMDIEM_DEBUG", None)
    command = [sys.executable, "-m", "chamdiem", "eval", str(RULES), str(data)]
    command += ["--format", "jsonl", "--out", str(out)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    # cwd: `python -m` puts the current folder first on sys.path
    done = subprocess.run(command, env=env, cwd=code, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.returncode, done.stderr


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ref", help="the old version: a git ref")
    parser.add_argument(
        "--cases",
        nargs="+",
        default=["csv:100000", "csv:1000000", "xlsx:100000"],
        help="KIND:SUBJECTS (default csv:100000 csv:1000000 xlsx:100000)",
    )
    parser.add_argument("--runs", type=int, default=3, help="rounds per case (default 3)")
    args = parser.parse_args()
    cases = [(kind, int(n)) for kind, n in (case.split(":") for case in args.cases)]
    files = {case: data_file(*case) for case in cases}
    load_before = os.getloadavg()[0]
    rows: list[str] = []
    with tempfile.TemporaryDirectory(prefix="chamdiem-bench-") as scratch:
        old_tree = Path(scratch) / "old"
        where = [str(old_tree), args.ref]
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", "--quiet", *where],
            check=True,
        )
        try:
            for case in cases:
                kind, n = case
                times: dict[str, tuple[list[float], list[float]]] = {
                    "old": ([], []),
                    "new": ([], []),
                }
                outs = {name: Path(scratch) / f"{name}.jsonl" for name in times}
                for _ in range(args.runs):
                    for name, code in (("old", old_tree), ("new", ROOT)):
                        wall, cpu, exit_code, err = run_once(code, files[case], outs[name], n)
                        if exit_code != 0:
                            print(f"{name} failed on {kind} {n}: {err[-2000:]}", file=sys.stderr)
                            return 1
                        times[name][0].append(wall)
                        times[name][1].append(cpu)
                same = filecmp.cmp(outs["old"], outs["new"], shallow=False)
                (old_wall, old_cpu), (new_wall, new_cpu) = times["old"], times["new"]
                rows.append(
                    f"| {kind} → JSONL, {n:,} | {_cell(old_wall)} | {_cell(new_wall)} "
                    f"| {_cell(old_cpu)} | {_cell(new_cpu)} "
                    f"| {n / min(old_wall):,.0f} | {n / min(new_wall):,.0f} "
                    f"| {'yes' if same else 'NO'} |"
                )
                print(rows[-1], flush=True)
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(old_tree)],
                check=False,
            )
    print()
    print(
        f"`chamdiem eval bench12.rules DATA --format jsonl --out …`, old = {args.ref}, "
        f"{args.runs} rounds; load average {load_before:.1f} before, "
        f"{os.getloadavg()[0]:.1f} after, on {os.cpu_count()} cores"
    )
    print()
    print(
        "| case | old wall s | new wall s | old CPU s | new CPU s | old persons/s (best) "
        "| new persons/s (best) | same output |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for row in rows:
        print(row)
    return 0


def _cell(values: list[float]) -> str:
    """Median (fastest) of the runs."""
    return f"{statistics.median(values):.2f} ({min(values):.2f})"


if __name__ == "__main__":
    raise SystemExit(main())
