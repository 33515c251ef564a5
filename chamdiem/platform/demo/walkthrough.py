"""What `chamdiem demo` does apart from printing: where the rules and the demo data are, the
data made and timed, which subjects make good examples, the grade table of a year's stages.

The command (chamdiem/cli/demo.py) says each step as it goes; the generators are
`province.py` (a quarter) and `year.py` (every level of a year), the database part
`platform_demo.py`.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chamdiem.dsl.graph import GraphResults
    from chamdiem.dsl.loader import Program
    from chamdiem.dsl.periods import Period

DEMO_RULES = "cong_chuc_quy.rules"  # the quarterly rule set of the quarter's demo


def rules_folder() -> Path:
    """./rules when run from a checkout (or a project with its own rules), else the rules
    folder shipped beside the package."""
    local = Path("rules")
    if local.is_dir():
        return local
    return Path(__file__).resolve().parents[3] / "rules"


def demo_folder() -> Path:
    """Where the demo writes its data and results: CHAMDIEM_DATA_DIR/demo (default
    ./data/demo)."""
    from chamdiem.platform.settings import Settings

    return Settings().data_dir / "demo"


DEMO_DATABASE = "chamdiem.db"


def demo_database(folder: Path | None = None) -> Path:
    """The demo's own SQLite database, DATA_DIR/demo/chamdiem.db: made afresh by every run of
    `chamdiem demo` (never the configured database, which may hold real data); `chamdiem serve
    --demo` opens it."""
    return (folder if folder is not None else demo_folder()) / DEMO_DATABASE


def fresh_demo_database(folder: Path) -> tuple[str, bool]:
    """The URL of an empty demo database in `folder` (the previous demo's deleted, with its
    journal files), and whether there was one."""
    path = demo_database(folder)
    replaced = path.exists()
    for suffix in ("", "-wal", "-shm", "-journal"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path.resolve().as_posix()}", replaced


def timed(make: Callable[[], Path]) -> tuple[Path, float]:
    """The generated workbook and the seconds it took (ValueError when it cannot be made,
    e.g. too few people for the province's units)."""
    started = time.perf_counter()
    workbook = make()
    return workbook, time.perf_counter() - started


def example_subject(records: Sequence[dict[str, object]]) -> int:
    """A subject worth explaining: one with a veto, else one a quota moved, else the first."""
    moved = None
    for i, record in enumerate(records):
        if record["vetoes"]:
            return i
        if moved is None and record["grade"] != record["score_grade"]:
            moved = i
    return moved if moved is not None else 0


def capped_head(graph: GraphResults) -> tuple[Program, Period, int] | None:
    """A subject whose grade a unit's result lowered (a veto reading unit_result), for the
    year's example explanation."""
    kinds = {program.header.name: program.header.subject for program, _ in graph.order}
    for program, period in reversed(graph.order):
        results = graph.get(program.header.name, period)
        reads_units = any(kinds.get(need) == "unit" for need in program.header.needs)
        if results is None or program.header.subject != "person" or not reads_units:
            continue
        for i in range(len(results)):
            if results.vetoes(i) and results.grade[i] != results.score_grade[i]:
                return program, period, i
    return None


@dataclass
class StageRow:
    """One (rule set, period) of the year: its subjects and how many got each grade (None:
    not graded)."""

    ruleset: str
    period: str
    subjects: int
    grades: Counter[str | None]
    seconds: float


@dataclass
class GradeTable:
    """The grades of every stage: the grade names in first-seen order, their labels, a row
    per stage."""

    grades: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    rows: list[StageRow] = field(default_factory=list)


def grade_table(graph: GraphResults, seconds: dict[tuple[str, Period], float]) -> GradeTable:
    """The grades of every (rule set, period) of `graph`, with `seconds` of each stage."""
    table = GradeTable()
    for program, _ in graph.order:
        for grade in program.grades:
            if grade.name not in table.grades:
                table.grades.append(grade.name)
                table.labels[grade.name] = grade.label or grade.name
    for program, period in graph.order:
        results = graph.get(program.header.name, period)
        if results is None:
            continue
        table.rows.append(
            StageRow(
                program.header.name,
                period.code,
                len(results),
                Counter(results.grade),
                seconds.get((program.header.name, period), 0.0),
            )
        )
    return table
