"""Benchmark stages for the Excel-out side of the platform: the input template (before the
import) and the run's official report and one evaluation form (after the run).

bench_platform.py runs them through its hooks; this module adds them there:

    import bench_excel_out
    bench_excel_out.install(bench_platform)        # BEFORE_IMPORT += template,
                                                   # AFTER_RUN += report, form

or, on its own (installs the stages and runs bench_platform with the same arguments):

    .venv/bin/python bench/bench_excel_out.py --people 30000 --backends sqlite

Each stage leaves what it wrote in the stage's scratch folder and a note (rows, sheets, size).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

RULES = ROOT / "rules" / "cong_chuc_quy.rules"
PERIOD = "2026-Q1"


class Context(Protocol):
    """What bench_platform.Context offers the stages."""

    engine: Any
    folder: Path
    run_id: int | None
    notes: dict[str, str]


def _megabytes(path: Path) -> str:
    return f"{path.stat().st_size / 1e6:.1f} MB"


def template_stage(ctx: Context) -> None:
    """The input workbook of the rule file, everyone in the database pre-filled."""
    from chamdiem.dsl import load_file
    from chamdiem.platform.db.engine import open_session
    from chamdiem.platform.excel.template import PeriodInfo, write_template
    from chamdiem.platform.services.periods import parse_period_code
    from chamdiem.platform.services.scope import Scope
    from chamdiem.platform.services.templates import template_prefill

    program = load_file(RULES)
    with open_session(ctx.engine) as session:
        prefill, _ = template_prefill(session, program.header.subject, Scope.everything())
        session.commit()
    period = parse_period_code(PERIOD)
    path = ctx.folder / "mau_nhap_lieu.xlsx"
    done = write_template(
        program, path, prefill, PeriodInfo(period.code, period.kind, period.start)
    )
    ctx.notes["template"] = f"{done.subjects} people pre-filled, {_megabytes(path)}"


def report_stage(ctx: Context) -> None:
    """The run's official workbook: summary with charts, a sheet per unit, information."""
    from chamdiem.platform.db.engine import open_session
    from chamdiem.platform.excel.report import write_report

    assert ctx.run_id is not None, "the report stage runs after the run"
    path = ctx.folder / "bao_cao.xlsx"
    with open_session(ctx.engine) as session:
        done = write_report(session, ctx.run_id, path)
    ctx.notes["report"] = f"{done.subjects} people, {done.units} unit sheets, {_megabytes(path)}"


def form_stage(ctx: Context) -> None:
    """One person's evaluation form (the first person of the run)."""
    import sqlalchemy as sa

    from chamdiem.platform.db.engine import open_session
    from chamdiem.platform.excel.form import write_form

    assert ctx.run_id is not None, "the form stage runs after the run"
    with open_session(ctx.engine) as session:
        code = (
            session.connection()
            .execute(
                sa.text("SELECT min(subject_code) FROM results WHERE run_id = :run"),
                {"run": ctx.run_id},
            )
            .scalar_one()
        )
        session.commit()
        done = write_form(session, code, PERIOD, ctx.folder / "phieu.xlsx", run_id=ctx.run_id)
    ctx.notes["form"] = f"{done.code}: {done.final_grade}"


Stage = tuple[str, Callable[[Context], None]]
BEFORE_IMPORT: list[Stage] = [("template", template_stage)]
AFTER_RUN: list[Stage] = [("report", report_stage), ("form", form_stage)]


def install(bench_platform: ModuleType) -> None:
    """Add the stages to bench_platform's hooks (once)."""
    for hook, stages in (("BEFORE_IMPORT", BEFORE_IMPORT), ("AFTER_RUN", AFTER_RUN)):
        target: list[Stage] = getattr(bench_platform, hook)
        for stage in stages:
            if all(name != stage[0] for name, _ in target):
                target.append(stage)


def main() -> None:
    import bench_platform  # bench/ is on sys.path when this file runs as a script

    install(bench_platform)
    bench_platform.main()


if __name__ == "__main__":
    main()
