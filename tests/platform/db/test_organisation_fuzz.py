"""Fuzzing `org load` (issue 11): damaged organisation workbooks and CSV folders give the
counts of a load or the file's problems, never another exception, on both databases (a NUL
character that SQLite stores ended a load on PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from chamdiem.platform.db.engine import open_session
from chamdiem.platform.services.organisation import load_organisation
from tests.platform import mutations
from tests.platform.builders import csv_file
from tests.platform.db.helpers import ACTOR, sheets, workbook
from tests.platform.test_reader_fuzz import (
    FUZZ,
    Bases,
    damaged_csv,
    damaged_workbook,
    read_safely,
)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("org_fuzz")


@pytest.fixture(scope="module")
def bases(folder: Path) -> Bases:
    csv_folder = folder / "organisation_csv"
    csv_folder.mkdir()
    for name, rows in sheets().items():
        csv_file(csv_folder / f"{name}.csv", rows)
    return Bases(
        {
            "organisation.xlsx": mutations.pack(workbook(folder / "organisation.xlsx")),
            "organisation.csv": mutations.pack(csv_folder),
        }
    )


# The engine is one test's: the loads of all its examples go into one database, as a
# province's successive loads do.
@settings(FUZZ, suppress_health_check=[*FUZZ.suppress_health_check,
                                       HealthCheck.function_scoped_fixture])  # fmt: skip
@given(data=st.data())
def test_damaged_organisation_files(
    data: st.DataObject, bases: Bases, folder: Path, engine: Engine
) -> None:
    if data.draw(st.booleans(), label="workbook"):
        path = damaged_workbook(bases, "organisation.xlsx", data, folder)
    else:
        path = damaged_csv(bases, "organisation.csv", data, folder)

    def load() -> object:
        with open_session(engine) as session:
            return load_organisation(session, path, actor=ACTOR)

    read_safely(load)
