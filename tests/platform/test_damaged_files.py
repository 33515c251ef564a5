"""Damaged DATA files the fuzz test (test_reader_fuzz.py) found crashing a reader, each kept
as the smallest file that showed it: they must give the user a list of problems."""

from __future__ import annotations

import re
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


def with_cells(path: Path, cells: dict[str, str]) -> Path:
    """The workbook with these cells of its first sheet written as `<v>` numbers exactly as
    given (a hand-made or damaged file may hold what Excel never writes)."""
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    for ref, value in cells.items():
        cell = re.compile(rf'<c r="{ref}"[^>]*>.*?</c>'.encode())
        written = f'<c r="{ref}"><v>{value}</v></c>'.encode()
        parts[sheet], found = cell.subn(written, parts[sheet], count=1)
        assert found == 1, ref
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def test_numbers_that_are_not_numbers_in_a_header_a_code_and_an_input(tmp_path: Path) -> None:
    """A NaN in the header row ended the reading with an unexpected error (the header's text
    was asked of a number that has none)."""
    path = xlsx(tmp_path / "d.xlsx", {"subjects": [["code", "a", "x"], ["P1", 5], ["P2", 1]]})
    with_cells(path, {"C1": "NaN", "A3": "inf", "B2": "NaN"})
    [problem] = problems_of(path)
    assert (problem.sheet, problem.row, problem.column, problem.field) == ("subjects", 2, "B", "a")
    assert problem.message.vi == "ô chứa giá trị số không hợp lệ"


def damage(path: Path, part: str, at: float) -> Path:
    """The workbook with 8 bytes of `part`'s compressed data overwritten, `at` (0 to 1) into
    it."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(part)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    offset = start + int(info.compress_size * at)
    data[offset : offset + 8] = b"\xff" * 8
    path.write_bytes(bytes(data))
    return path


def test_a_workbook_whose_list_of_sheets_is_damaged(tmp_path: Path) -> None:
    """Found by the fuzz (CHAMDIEM_FUZZ_EXAMPLES=1500): the workbook gate reads
    xl/workbook.xml for the sheets' names, and a zlib error there ended the reading."""
    path = xlsx(tmp_path / "d.xlsx", {"subjects": [["code", "a"], ["P1", 5]]})
    damage(path, "xl/workbook.xml", 0)
    [problem] = problems_of(path)
    assert "hỏng" in problem.message.vi


def test_a_workbook_that_asks_for_a_newer_zip_version(tmp_path: Path) -> None:
    """Found by the fuzz: a part whose entry says it needs zip version 15.0 to extract made
    the workbook gate's zipfile raise NotImplementedError."""
    path = xlsx(tmp_path / "d.xlsx", {"subjects": [["code", "a"], ["P1", 5]]})
    data = bytearray(path.read_bytes())
    entry = data.index(b"PK\x01\x02")  # the central directory's first entry
    data[entry + 6 : entry + 8] = (150).to_bytes(2, "little")  # version needed to extract
    path.write_bytes(bytes(data))
    # zipfile cannot list its parts, so the gate cannot measure them: the file is refused,
    # never handed to calamine (which would read it, cell references and all).
    [problem] = problems_of(path)
    assert problem.message.vi.startswith("tệp bị hỏng: không đọc được gói .xlsx")


def test_a_sheet_whose_compressed_bytes_are_damaged(tmp_path: Path) -> None:
    """The formula-error scan, on its own thread, met a zlib error it did not expect and
    printed a traceback beside the problem."""
    path = xlsx(
        tmp_path / "d.xlsx",
        {"subjects": [["code", "a"], *([f"P{i}", i % 10] for i in range(200))]},
    )
    damage(path, "xl/worksheets/sheet1.xml", 0.5)
    [problem] = problems_of(path)
    assert (problem.sheet, problem.row) == ("subjects", None)
    assert "hỏng" in problem.message.vi


def test_a_nul_character_in_a_cell_of_a_workbook(tmp_path: Path) -> None:
    """calamine reads a raw NUL inside the sheet's XML (no XML may hold one), and
    PostgreSQL cannot store it in text: the gate refuses the part."""
    path = xlsx(tmp_path / "d.xlsx", {"subjects": [["code", "a"], ["P1", 5]]})
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    assert b"P1" in parts[sheet]
    parts[sheet] = parts[sheet].replace(b"P1", b"P\x001", 1)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    [problem] = problems_of(path)
    assert problem.message.vi == (
        "phần xl/worksheets/sheet1.xml của sổ tính chứa ký tự NUL, không có trong tệp Excel "
        "thật (tệp bị sửa hoặc hỏng)"
    )
