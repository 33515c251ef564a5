"""A damaged organisation file the reader fuzz (tests/platform/test_reader_fuzz.py) found
ending `org load` with an unexpected error: it is refused with its problem, on both
databases, and nothing is stored."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, select

from chamdiem.platform.db.models import Person
from chamdiem.platform.excel import DataFileError
from chamdiem.platform.services.organisation import load_organisation
from tests.platform.builders import csv_file
from tests.platform.db.helpers import ACTOR, sheets


def test_a_nul_character_in_a_csv_file(session: Session, tmp_path: Path) -> None:
    """PostgreSQL refuses text holding NUL: the load ended in an unexpected error there."""
    rows = [list(row) for row in sheets(units=False)["subjects"]]
    rows[3][1] = "Lê\x00Văn Bình"
    csv_file(tmp_path / "subjects.csv", rows)
    with pytest.raises(DataFileError) as caught:
        load_organisation(session, tmp_path, actor=ACTOR)
    [problem] = caught.value.problems
    assert (problem.file, problem.row) == (str(tmp_path / "subjects.csv"), 4)
    assert "NUL" in problem.message.vi
    assert session.exec(select(Person)).all() == []
