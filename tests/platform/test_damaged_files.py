"""Damaged DATA files the fuzz test (test_reader_fuzz.py) found crashing a reader, each kept
as the smallest file that showed it: they must give the user a list of problems."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from chamdiem.platform.excel import DataFileError, DataProblem, read_cohort
from tests.platform.builders import spec, xlsx

INPUTS = (spec("a", low="0", high="10"),)


def problems_of(path: Path) -> list[DataProblem]:
    with pytest.raises(DataFileError) as caught:
        read_cohort(path, INPUTS, ())
    return caught.value.problems


def test_a_sheet_whose_compressed_bytes_are_damaged(tmp_path: Path) -> None:
    """The formula-error scan, on its own thread, met a zlib error it did not expect and
    printed a traceback beside the problem."""
    path = xlsx(
        tmp_path / "d.xlsx",
        {"subjects": [["code", "a"], *([f"P{i}", i % 10] for i in range(200))]},
    )
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    middle = start + info.compress_size // 2
    data[middle : middle + 8] = b"\xff" * 8
    path.write_bytes(bytes(data))
    [problem] = problems_of(path)
    assert (problem.sheet, problem.row) == ("subjects", None)
    assert "tệp bị hỏng" in problem.message.vi
