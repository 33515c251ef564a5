"""What a 3,000-row catalogue costs in `chamdiem check` and `chamdiem eval` (design §8): the
same monthly sheet with and without it, side by side in one run.

    .venv/bin/python bench/bench_catalog.py                       # 10,000 people, 5 items each
    .venv/bin/python bench/bench_catalog.py --people 50000 --runs 5

Without the catalogue each item row carries its coefficient (`he_so : number`) and its code
as plain text; with it the item holds a `key of san_pham` and the coefficient comes from the
catalogue's CSV file (3,000 rows, read beside the rule file): the reader checks every key
against the catalogue and the evaluator looks each one up. Everything is generated into a
temporary folder (not timed). Timed, best of `--runs`, each round running both variants so a
busy machine weighs on them alike:

- `check`: `chamdiem check RULES` as a whole process (wall seconds);
- `load`: parsing, checking and compiling the rule file in this process (`load_file`);
- `eval`: `chamdiem eval RULES DATA --out results.jsonl` as a whole process (wall seconds).
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHAMDIEM = [sys.executable, "-m", "chamdiem.cli"]
KEYS = 3000

HEAD = """\
ruleset kpi "KPI tháng"
  subject person
  period month
  effective 2026-01-01
end
"""

CATALOG = """
catalog san_pham "Danh mục sản phẩm" key ma
  ten   : text
  nhom  : count 1..5 "Nhóm"
  he_so : number > 0 "Hệ số"
  rows from "danh_muc.csv"
end
"""

ITEMS_WITH = """
items nhiem_vu "Nhiệm vụ"
  ma       : key of san_pham
  so_luong : count > 0
  xong     : bool = true
  let quy_doi = so_luong * san_pham[ma].he_so
end
"""

ITEMS_WITHOUT = """
items nhiem_vu "Nhiệm vụ"
  ma       : text
  he_so    : number > 0
  so_luong : count > 0
  xong     : bool = true
  let quy_doi = so_luong * he_so
end
"""

BODY = """
input chuyen_can : number 0..10 "Chuyên cần"

let giao = sum(nhiem_vu.quy_doi)
let xong = sum(nhiem_vu.quy_doi where nhiem_vu.xong)
let ty_le = ratio(xong, giao, if_zero: 0)

group g "Kết quả" max 100
  criterion hoan_thanh "Hoàn thành" max 90 = 90 * ty_le
  criterion c_chuyen_can "Chuyên cần" max 10 = chuyen_can
end

grades
  tot "Tốt" when total >= 70
  dat "Đạt" when total >= 50
  kem "Kém" otherwise
end
"""


def write_files(folder: Path, people: int, items: int) -> dict[str, tuple[Path, Path]]:
    """The two rule files, the catalogue and the DATA folder of each variant."""
    rng = random.Random(2026)
    keys = [f"SP{n:05d}" for n in range(KEYS)]
    coefficient = {key: f"{rng.randint(50, 400) / 100:g}" for key in keys}
    with_dir, without_dir = folder / "with", folder / "without"
    for sub in (with_dir, without_dir):
        (sub / "data").mkdir(parents=True)
    lines = ["ma,ten,nhom,he_so"]
    lines += [f"{k},Sản phẩm {k},{rng.randint(1, 5)},{coefficient[k]}" for k in keys]
    (with_dir / "danh_muc.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (with_dir / "kpi.rules").write_text(HEAD + CATALOG + ITEMS_WITH + BODY, encoding="utf-8")
    (without_dir / "kpi.rules").write_text(HEAD + ITEMS_WITHOUT + BODY, encoding="utf-8")
    subjects = ["code,chuyen_can"] + [f"P{i:06d},{rng.randint(0, 10)}" for i in range(people)]
    rows_with, rows_without = ["code,ma,so_luong,xong"], ["code,ma,he_so,so_luong,xong"]
    for i in range(people):
        for _ in range(items):
            key = rng.choice(keys)
            count, done = rng.randint(1, 9), rng.choice(("TRUE", "FALSE"))
            rows_with.append(f"P{i:06d},{key},{count},{done}")
            rows_without.append(f"P{i:06d},{key},{coefficient[key]},{count},{done}")
    for sub, rows in ((with_dir, rows_with), (without_dir, rows_without)):
        (sub / "data" / "subjects.csv").write_text("\n".join(subjects) + "\n", encoding="utf-8")
        (sub / "data" / "nhiem_vu.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return {
        "with": (with_dir / "kpi.rules", with_dir / "data"),
        "without": (without_dir / "kpi.rules", without_dir / "data"),
    }


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, cwd=ROOT, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr.decode()[-2000:]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--items", type=int, default=5, help="item rows per person")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from chamdiem.dsl import load_file

    with tempfile.TemporaryDirectory(prefix="bench_catalog_") as temp:
        variants = write_files(Path(temp), args.people, args.items)
        best: dict[tuple[str, str], float] = {}
        for rules, _data in variants.values():
            load_file(rules)  # imports and the grammar, once, before anything is timed
        for _ in range(args.runs):
            for name, (rules, data) in variants.items():
                out = rules.parent / "results.jsonl"
                measures: dict[str, Callable[[], object]] = {
                    "check": partial(run, [*CHAMDIEM, "check", str(rules)]),
                    "load": partial(load_file, rules),
                    "eval": partial(
                        run, [*CHAMDIEM, "eval", str(rules), str(data), "--out", str(out)]
                    ),
                }
                for what, action in measures.items():
                    seconds = timed(action)
                    key = (what, name)
                    best[key] = min(best.get(key, seconds), seconds)
        item_rows = args.people * args.items
        print(
            f"{args.people:,} people, {item_rows:,} item rows, a {KEYS:,}-row catalogue; "
            f"best of {args.runs} (seconds)"
        )
        print(f"{'':8} {'without':>9} {'with':>9} {'difference':>11}")
        for what in ("check", "load", "eval"):
            without, with_ = best[(what, "without")], best[(what, "with")]
            print(f"{what:8} {without:9.3f} {with_:9.3f} {with_ - without:+11.3f}")


if __name__ == "__main__":
    main()
