"""Benchmark: `chamdiem check FILE` as a whole process, an older version beside this one.

    .venv/bin/python bench/bench_startup.py HEAD~3                  # old = a git ref
    .venv/bin/python bench/bench_startup.py v0.1 --runs 40 --file rules/cong_chuc_nam.rules

The old version is checked out (detached) into a temporary `git worktree` and run from there
with PYTHONPATH pointing at it, the new one from this tree the same way, both with this
tree's Python (`python -m chamdiem check FILE`), so that only the code differs. Each round
runs every variant once, one after the other, so that whatever else the machine is doing
falls on all of them alike; the table gives the median, the fastest and the 90th percentile
of the wall-clock time of the whole process, from fork to exit, and the median CPU time
(user + system, from the child's rusage: steadier than wall time on a shared machine).

Variants:

- `old` — the ref given.
- `new` — this tree, with the grammar cache in a fresh temporary CHAMDIEM_CACHE_DIR (filled by
  the warm-up run, as it is after the first check on a machine).
- `new, no cache` — this tree with a cache directory that cannot be made (under a file), as in
  a read-only service: what deferring the imports alone gives.

The first `--warmup` rounds (default 2) are not counted: they write the .pyc files of the old
worktree and the grammar cache. Output and exit status are compared between old and new on
the last round (they should be the same unless the language itself changed).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Variant:
    name: str
    code: Path  # the directory holding the chamdiem package
    env: dict[str, str]
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    last: tuple[int, str] = (0, "")


def run_once(variant: Variant, file: Path) -> tuple[float, float, int, str]:
    """One `python -m chamdiem check FILE`: wall seconds, CPU seconds, exit code, stdout."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "chamdiem", "check", str(file)],
        env=variant.env,
        cwd=variant.code,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.returncode, done.stdout + done.stderr


def environment(code: Path, cache_dir: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(code)
    env["CHAMDIEM_CACHE_DIR"] = cache_dir
    env.pop("CHAMDIEM_DEBUG", None)
    return env


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ref", help="the old version: a git ref (commit, branch, tag)")
    parser.add_argument("--file", default="rules/cong_chuc_quy.rules", help="the rule file")
    parser.add_argument("--runs", type=int, default=20, help="counted rounds (default 20)")
    parser.add_argument("--warmup", type=int, default=2, help="uncounted rounds (default 2)")
    args = parser.parse_args()
    file = (ROOT / args.file).resolve()

    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="chamdiem-bench-") as scratch:
        old_tree = Path(scratch) / "old"
        subprocess.run(
            [
                "git",
                "-C",
                str(ROOT),
                "worktree",
                "add",
                "--detach",
                "--quiet",
                str(old_tree),
                args.ref,
            ],
            check=True,
        )
        try:
            blocker = Path(scratch) / "not-a-directory"
            blocker.write_text("")
            variants = [
                Variant("old", old_tree, environment(old_tree, str(Path(scratch) / "c-old"))),
                Variant("new", ROOT, environment(ROOT, str(Path(scratch) / "c-new"))),
                Variant("new, no cache", ROOT, environment(ROOT, str(blocker / "cache"))),
            ]
            for round_ in range(args.warmup + args.runs):
                for variant in variants:
                    wall, cpu, code, output = run_once(variant, file)
                    variant.last = (code, output)
                    if round_ >= args.warmup:
                        variant.wall.append(wall)
                        variant.cpu.append(cpu)
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(old_tree)],
                check=False,
            )

    print(
        f"`chamdiem check {args.file}`, {args.runs} rounds (+{args.warmup} warm-up), old = "
        f"{args.ref}; seconds per process; load average {load_before:.1f} before, "
        f"{os.getloadavg()[0]:.1f} after, on {os.cpu_count()} cores"
    )
    print()
    print("| version | median | fastest | p90 | CPU (median) |")
    print("|---|---|---|---|---|")
    for variant in variants:
        print(
            f"| {variant.name} | {statistics.median(variant.wall):.3f} | {min(variant.wall):.3f} "
            f"| {percentile(variant.wall, 0.9):.3f} | {statistics.median(variant.cpu):.3f} |"
        )
    old, new = variants[0], variants[1]
    ratio = statistics.median(old.wall) / statistics.median(new.wall)
    print()
    print(f"new is {ratio:.1f}× as fast as old (median wall time)")
    if old.last != new.last:
        print("note: old and new answered differently on the last round:")
        for variant in (old, new):
            print(f"  {variant.name}: exit {variant.last[0]}: {variant.last[1].strip()[:300]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
