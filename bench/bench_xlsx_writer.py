"""Benchmark of the .xlsx writer alone, on synthetic rows (no database):

- `results`: 30,000 results of 23 columns (code, name, unit, numbers as decimal text, grades)
  as `chamdiem export`/result downloads write them (header, frozen panes, filter);
- `data`: the demo province's input sheet shape, 255,000 rows of 9 columns, texts shared;
- `styled`: a 30,000-row official table of 15 columns, every cell bordered, numbers formatted.

    .venv/bin/python bench/bench_xlsx_writer.py                    # this tree
    .venv/bin/python bench/bench_xlsx_writer.py --root /tmp/old    # another checkout

Each case runs in its own process (best of --repeat, wall and CPU seconds).
"""

from __future__ import annotations

import argparse
import importlib
import json
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CASES = ("results", "data", "styled")


def _writers() -> dict[str, Any]:
    try:
        from chamdiem.platform.excel import xlsx as new

        return {
            "NumberText": new.NumberText,
            "SheetSpec": new.SheetSpec,
            "write_xlsx": new.write_xlsx,
            "write_workbook": new.write_workbook,
            "StyledWorkbook": new.StyledWorkbook,
            "Style": new.Style,
            "SheetOptions": new.SheetOptions,
        }
    except ImportError:  # the three writers before they were one
        xlsx_stream = importlib.import_module("chamdiem.platform.demo.xlsx_stream")
        styled_xlsx = importlib.import_module("chamdiem.platform.excel.styled_xlsx")
        xlsx_writer = importlib.import_module("chamdiem.platform.excel.xlsx_writer")

        return {
            "NumberText": xlsx_writer.NumberText,
            "SheetSpec": xlsx_writer.SheetSpec,
            "write_xlsx": xlsx_writer.write_xlsx,
            "write_workbook": xlsx_stream.write_workbook,
            "StyledWorkbook": styled_xlsx.StyledWorkbook,
            "Style": styled_xlsx.Style,
            "SheetOptions": styled_xlsx.SheetOptions,
        }


def _case(name: str, path: Path) -> None:
    w = _writers()
    if name == "results":
        number = w["NumberText"]
        rows = (
            [f"CC{i:06d}", f"Nguyễn Văn {i}", f"Phòng {i % 877}"]
            + [number(f"{(i * k) % 10000 / 100:.2f}") for k in range(1, 18)]
            + ["Hoàn thành tốt nhiệm vụ", "Hoàn thành tốt nhiệm vụ", ""]
            for i in range(30_000)
        )
        header = [f"Cột {k}" for k in range(23)]
        spec = w["SheetSpec"]("Kết quả", header, rows, freeze=(1, 2), autofilter=True)
        w["write_xlsx"](path, [spec])
    elif name == "data":
        rows = (
            [
                f"CC{i // 9:06d}",
                "2026-Q1",
                f"sp_{i % 40}",
                i % 7,
                Decimal(i % 1000) / 10,
                True,
                None,
                f"Ghi chú {i % 13}",
                3.5,
            ]
            for i in range(255_000)
        )
        w["write_workbook"](path, [("san_pham", rows)], shared_strings=True)
    else:
        with w["StyledWorkbook"](path) as book:
            text = book.style(w["Style"](border=True, wrap=True))
            score = book.style(w["Style"](border=True, number_format="0.00"))
            styles = [text, text, text] + [score] * 12
            with book.sheet("Tổng hợp", w["SheetOptions"](widths=[12.0] * 15)) as sheet:
                for i in range(30_000):
                    sheet.row(
                        [f"CC{i:06d}", f"Trần Thị {i}", f"Phòng {i % 877}"]
                        + [Decimal(f"{(i * k) % 10000 / 100:.2f}") for k in range(12)],
                        styles,
                    )


def _run_one(name: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "out.xlsx"
        wall, cpu = time.perf_counter(), time.process_time()
        _case(name, path)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(json.dumps({"wall": wall, "cpu": cpu, "bytes": path.stat().st_size}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=ROOT)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--case", choices=CASES)
    args = parser.parse_args()
    if args.case:  # the child process
        sys.path.insert(0, str(args.root))
        _run_one(args.case)
        return
    for name in CASES:
        runs = []
        for _ in range(args.repeat):
            command = [sys.executable, __file__, "--case", name, "--root", str(args.root)]
            out = subprocess.run(command, check=True, capture_output=True, text=True, cwd="/")
            runs.append(json.loads(out.stdout))
        best = min(runs, key=lambda run: run["cpu"])
        print(
            f"{name:8} wall {best['wall']:.2f} s  cpu {best['cpu']:.2f} s  "
            f"{best['bytes'] / 1e6:.1f} MB  (best of {args.repeat})"
        )


if __name__ == "__main__":
    main()
