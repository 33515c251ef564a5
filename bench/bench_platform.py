"""Benchmark: a province's quarter through the data platform, on SQLite and on PostgreSQL.

    .venv/bin/python bench/bench_platform.py                       # 100,000 people, both
    .venv/bin/python bench/bench_platform.py --people 20000 --backends sqlite

The demo province (chamdiem.platform.demo) is generated once into bench/out/ (not timed) and
then, on each database, from empty: `db upgrade`, `org load`, `rules publish`, `import` (read
and validate the workbook, store in one transaction: executemany on SQLite, COPY on
PostgreSQL), `run` (read from the database, evaluate, store the run and every result in one
transaction) and `verify` (re-evaluate from the stored rules and data and compare). Each
stage prints wall-clock seconds and this process's CPU seconds (PostgreSQL's own work is in
the wall time only). The workbook is also read once on its own, so that the import can be
split into reading and storing.

Stages that other parts of the platform add (the input template before the import, the
report and a form after the run: bench_excel_out.py, on unless --no-excel-out) go in
BEFORE_IMPORT and AFTER_RUN: each is a (name, function) pair whose function takes the Context.
Two totals are printed: the quarter's work (organisation to report: the target is 30 s on
SQLite) and everything including the form and verify.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine  # noqa: E402

from chamdiem.platform.db.engine import make_engine, open_session  # noqa: E402
from chamdiem.platform.db.migrate import upgrade  # noqa: E402

RULES = ROOT / "rules" / "cong_chuc_quy.rules"
OUT = ROOT / "bench" / "results"  # git-ignored
PERIOD = "2026-Q1"
ACTOR = "bench"
PG_URL = "postgresql+psycopg://127.0.0.1:5432/test"


@dataclass
class Context:
    """What a stage can use: the database, the generated workbook, a scratch folder, and what
    earlier stages left (the run's id)."""

    backend: str
    engine: Engine
    workbook: Path
    folder: Path
    people: int
    run_id: int | None = None
    notes: dict[str, str] = field(default_factory=dict)


Stage = tuple[str, Callable[[Context], None]]

# Hooks for stages added by other parts of the platform (see the module docstring).
BEFORE_IMPORT: list[Stage] = []  # e.g. ("template", write the input workbook for the units)
AFTER_RUN: list[Stage] = []  # e.g. ("report", write the run's official workbook)


def _db_upgrade(ctx: Context) -> None:
    upgrade(ctx.engine)


def _org_load(ctx: Context) -> None:
    from chamdiem.platform.services.organisation import load_organisation

    with open_session(ctx.engine) as session:
        done = load_organisation(session, ctx.workbook, actor=ACTOR)
    ctx.notes["org load"] = f"{done.units_created} units, {done.people_created} people"


def _publish(ctx: Context) -> None:
    from chamdiem.platform.services.periods import add_period
    from chamdiem.platform.services.rules import publish_rule_version

    with open_session(ctx.engine) as session:
        add_period(session, PERIOD, actor=ACTOR)
        publish_rule_version(session, RULES, actor=ACTOR)


def _import(ctx: Context) -> None:
    from chamdiem.platform.services.imports import import_period_data

    with open_session(ctx.engine) as session:
        done = import_period_data(session, ctx.workbook, PERIOD, actor=ACTOR)
    ctx.notes["import"] = f"{done.subjects} subjects, {done.item_rows} item rows"


def _run(ctx: Context) -> None:
    from chamdiem.platform.services.runs import run_evaluation
    from chamdiem.platform.services.scope import Scope

    with open_session(ctx.engine) as session:
        [outcome] = run_evaluation(session, PERIOD, scope=Scope.everything(), actor=ACTOR)
    ctx.run_id = outcome.run_id
    ctx.notes["run"] = f"run #{outcome.run_id}, {outcome.subjects} results"


def _verify(ctx: Context) -> None:
    from chamdiem.platform.services.verify import verify_run

    assert ctx.run_id is not None
    with open_session(ctx.engine) as session:
        report = verify_run(session, ctx.run_id, actor=ACTOR)
    if not report.ok:
        raise SystemExit(f"run {ctx.run_id} does not verify: {report.differences[:3]}")
    ctx.notes["verify"] = "identical"


def stages() -> list[Stage]:
    return [
        ("db upgrade", _db_upgrade),
        ("org load", _org_load),
        ("publish rules, add period", _publish),
        *BEFORE_IMPORT,
        ("import", _import),
        ("run (evaluate + store)", _run),
        *AFTER_RUN,
        ("verify", _verify),
    ]


def _timed(run: Callable[[], None]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    run()
    return time.perf_counter() - wall, time.process_time() - cpu


def _workbook(people: int, seed: int) -> Path:
    from chamdiem.platform.demo import generate_province

    folder = OUT / f"province_{people}_{seed}"
    found = sorted(folder.glob("*.xlsx")) if folder.is_dir() else []
    if found:
        return found[0]
    print(f"generating {people:,} people into {folder} (not timed) ...", flush=True)
    return generate_province(folder, people=people, seed=seed)


def _read_alone(workbook: Path) -> tuple[float, float]:
    from chamdiem.dsl import load_file
    from chamdiem.platform.excel import read_cohort

    program = load_file(RULES)

    def read() -> None:
        read_cohort(workbook, program.inputs, program.items)

    return _timed(read)


def _database(backend: str, folder: Path, pg_url: str) -> tuple[str, Callable[[], None]]:
    """A new empty database and how to remove it."""
    if backend == "sqlite":
        return f"sqlite:///{folder / 'bench.db'}", lambda: None
    import psycopg
    from sqlalchemy.engine import make_url

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    url = make_url(pg_url)
    conninfo = f"host={url.host or '127.0.0.1'} port={url.port or 5432} dbname={url.database} " + (
        f"user={url.username}" if url.username else ""
    )
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')

    def drop() -> None:
        with psycopg.connect(conninfo, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA "{schema}" CASCADE')

    return f"{pg_url}?options=-csearch_path%3D{schema}", drop


def bench(
    backend: str, workbook: Path, people: int, pg_url: str
) -> list[tuple[str, float, float, str]]:
    rows: list[tuple[str, float, float, str]] = []
    with tempfile.TemporaryDirectory(prefix="chamdiem-bench-") as scratch:
        folder = Path(scratch)
        url, drop = _database(backend, folder, pg_url)
        engine = make_engine(url)
        ctx = Context(backend, engine, workbook, folder, people)
        try:
            for name, stage in stages():
                wall, cpu = _timed(lambda stage=stage: stage(ctx))  # type: ignore[misc]
                rows.append((name, wall, cpu, ctx.notes.get(name, "")))
                print(f"  {backend:<10} {name:<28} {wall:8.1f} s", flush=True)
        finally:
            engine.dispose()
            drop()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--pg-url", default=PG_URL)
    parser.add_argument(
        "--no-excel-out",
        action="store_true",
        help="leave out the template, report and form stages (bench_excel_out.py)",
    )
    args = parser.parse_args()
    if not args.no_excel_out:
        import bench_excel_out  # bench/ is on sys.path when this file runs as a script

        bench_excel_out.install(sys.modules[__name__])

    workbook = _workbook(args.people, args.seed)
    read_wall, read_cpu = _read_alone(workbook)
    results = {
        backend: bench(backend, workbook, args.people, args.pg_url) for backend in args.backends
    }

    print()
    print(f"{args.people:,} people, one quarter, {workbook.name}")
    print(
        f"reading + validating the workbook alone (read_cohort): {read_wall:.1f} s wall, "
        f"{read_cpu:.1f} s CPU"
    )
    header = f"{'stage':<28}" + "".join(f"{b + ' wall':>16}{'CPU':>8}" for b in args.backends)
    print(header)
    print("-" * len(header))
    names = [name for name, *_ in results[args.backends[0]]]
    for index, name in enumerate(names):
        line = f"{name:<28}"
        for backend in args.backends:
            _, wall, cpu, _ = results[backend][index]
            line += f"{wall:>14.1f} s{cpu:>7.1f}s"
        print(line)
    # The chain is the quarter's work: up to the report, without the checks after it.
    checks = {"verify", "form"}
    for label, chosen in (
        ("total: the quarter's work", lambda name: name not in checks),
        ("total with form and verify", lambda name: True),
    ):
        line = f"{label:<28}"
        for backend in args.backends:
            rows = [row for row in results[backend] if chosen(row[0])]
            line += f"{sum(r[1] for r in rows):>14.1f} s{sum(r[2] for r in rows):>7.1f}s"
        print(line)


if __name__ == "__main__":
    main()
