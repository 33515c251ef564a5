"""`chamdiem check` starts quickly: it loads neither the database, the web service, the
spreadsheets nor the evaluator (bench/bench_startup.py times it)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = (
    "sqlalchemy",
    "sqlmodel",
    "alembic",
    "litestar",
    "uvicorn",
    "pydantic",
    "pydantic_settings",
    "openpyxl",
    "python_calamine",
    "jinja2",
    "numpy",
    "chamdiem.dsl.compile",
    "chamdiem.dsl.loader",
    "chamdiem.dsl.format",
)

PROBE = """
import json, sys
from chamdiem.cli import main
code = main(["check", sys.argv[1]])
print(json.dumps([code, sorted(sys.modules)]))
"""


def test_check_imports_nothing_heavy(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(ROOT / "rules" / "cong_chuc_quy.rules")],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    code, modules = json.loads(done.stdout.splitlines()[-1])
    assert code == 0
    loaded = {name.split(".")[0] for name in modules} | set(modules)
    assert [name for name in HEAVY if name in loaded] == []
