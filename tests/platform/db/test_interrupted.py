"""A run or an import killed with SIGKILL half-way through writing leaves nothing behind: no
run, no results, no import, no records, no audit entry; doing it again then works."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from chamdiem.platform.db.bulk import PAUSE_AT_ENV, PAUSE_FILE_ENV
from chamdiem.platform.services.imports import import_period_data
from chamdiem.platform.services.runs import run_evaluation
from chamdiem.platform.services.scope import Scope
from tests.platform.db.helpers import ACTOR, PERIOD, ROOT, counts, prepare

WAIT_SECONDS = 300


def kill_half_way(db_url: str, tmp_path: Path, point: str, *command: str) -> None:
    """Run `chamdiem <command>` until it has written half of its bulk insert, then kill -9."""
    marker = tmp_path / f"paused-{point}"
    env = {
        **os.environ,
        "CHAMDIEM_DATABASE_URL": db_url,
        "CHAMDIEM_USER": ACTOR,
        PAUSE_AT_ENV: point,
        PAUSE_FILE_ENV: str(marker),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "chamdiem.cli.database", *command],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + WAIT_SECONDS
        while not marker.exists():
            if process.poll() is not None:
                out, err = process.communicate()
                pytest.fail(f"the command ended before pausing: {out!r} {err!r}")
            if time.monotonic() > deadline:
                pytest.fail("the command did not reach the middle of its insert in time")
            time.sleep(0.05)
        assert marker.read_text(encoding="utf-8") == str(process.pid)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
        assert process.returncode == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()  # type: ignore[union-attr]
        process.stderr.close()  # type: ignore[union-attr]


def test_a_run_killed_half_way_leaves_no_run_and_no_results(
    db_url: str, engine: Engine, session: Session, tmp_path: Path
) -> None:
    prepare(session, tmp_path)
    before = counts(engine)
    kill_half_way(db_url, tmp_path, "run", "run", "--period", PERIOD)
    assert counts(engine) == before
    assert before["evaluation_runs"] == before["results"] == 0
    [outcome] = run_evaluation(session, PERIOD, scope=Scope.everything(), actor=ACTOR)
    assert outcome.status == "complete"
    after = counts(engine)
    assert (after["evaluation_runs"], after["results"]) == (1, 14)


def test_an_import_killed_half_way_leaves_no_import_and_no_records(
    db_url: str, engine: Engine, session: Session, tmp_path: Path
) -> None:
    book = prepare(session, tmp_path, data=False)
    before = counts(engine)
    kill_half_way(db_url, tmp_path, "import", "import", str(book), "--period", PERIOD)
    assert counts(engine) == before
    assert before["data_imports"] == before["input_records"] == 0
    done = import_period_data(session, book, PERIOD, actor=ACTOR)
    assert done.created and counts(engine)["input_records"] == 14
