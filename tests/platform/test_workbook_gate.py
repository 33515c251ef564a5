"""Untrusted workbooks are measured before any parser reads them: the hostile files of issue
11 are refused at the file, with a Vietnamese message naming the limit and its setting, by
the reader and by `chamdiem eval` (run as a user runs it, in its own process: a file that
made the reader allocate 512 GiB would end the test run with it)."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from chamdiem.platform.excel import formula_errors as scanner
from chamdiem.platform.excel.cohort_reader import read_cohort
from chamdiem.platform.excel.problems import DataFileError
from chamdiem.platform.excel.sheet_extent import Extent, measure
from chamdiem.platform.excel.tables import open_data
from chamdiem.platform.excel.workbook_gate import DataLimits
from chamdiem.platform.settings import Settings
from tests.platform import hostile_files as hostile
from tests.platform.builders import csv_file, items, spec

RULES = Path(__file__).parents[2] / "rules" / "cong_chuc_quy.rules"

SAFETY_TIMEOUT = 120  # seconds: a net for a hostile file, not a measure of speed


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo province's smallest quarter (2,000 people), valid for RULES."""
    from chamdiem.platform.demo.province import generate_province

    return generate_province(tmp_path_factory.mktemp("demo"), people=2000)


@pytest.fixture
def book(demo: Path, tmp_path: Path) -> Path:
    return Path(shutil.copy(demo, tmp_path / "quy1.xlsx"))


def refusal(path: Path, limits: DataLimits | None = None) -> str:
    """The message of the refusal at the file (no row, no column)."""
    with pytest.raises(DataFileError) as caught:
        open_data(path, limits)
    problem = caught.value.problems[0]
    assert problem.row is None and problem.column is None
    return problem.render("vi")


def test_a_valid_workbook_opens_and_measures_each_sheet(book: Path) -> None:
    source = open_data(book)
    assert source.extents["subjects"] == Extent(rows=2001, columns=13)  # type: ignore[attr-defined]


def test_one_cell_at_xfd1048576_is_refused_before_calamine_allocates(
    book: Path, tmp_path: Path
) -> None:
    path = hostile.far_cell(book, tmp_path / "far.xlsx")
    message = refusal(path)
    assert (
        "far.xlsx:subjects: lỗi: trang tính có ô tới XFD1048576 (16.384 cột, 1.048.576 dòng)"
        in (message)
    )
    assert "vượt giới hạn 500 cột (đặt CHAMDIEM_MAX_COLUMNS để nâng)" in message


@pytest.mark.parametrize(
    ("xml", "reach"),
    [
        (b'<row r="9"><c r="xfd9"><v>1</v></c></row>', "XFD"),  # lower case
        (b"<row r='9'><c r = 'XFD9'><v>1</v></c></row>", "XFD"),  # spaces, single quotes
        (b'<x:row r="9"><x:c r="XFD9"><x:v>1</x:v></x:c></x:row>', "XFD"),  # a prefix
        (b'<row r="9"><c r="XFD0009"><v>1</v></c></row>', "XFD"),  # leading zeros
        (b'<row r="9"><c t="n" r="A9"/><c foo=">" r="XFD9"/></row>', "XFD"),  # `>` in a value
        (b'<row r="9">' + b"<c><v>1</v></c>" * 600 + b"</row>", "WB"),  # counted, no `r`
    ],
)
def test_every_spelling_of_a_far_cell_is_measured(
    book: Path, tmp_path: Path, xml: bytes, reach: str
) -> None:
    path = hostile.rewrite(
        book,
        tmp_path / "far.xlsx",
        {
            hostile.SUBJECTS_PART: lambda sheet: sheet.replace(
                b"</sheetData>", xml + b"</sheetData>"
            )
        },
    )
    # The corner of what calamine would build: the furthest column, the furthest row.
    assert f"trang tính có ô tới {reach}2001 (" in refusal(path)


def test_a_declared_dimension_beyond_the_limits_is_refused(book: Path, tmp_path: Path) -> None:
    path = hostile.rewrite(
        book,
        tmp_path / "dim.xlsx",
        {
            hostile.SUBJECTS_PART: lambda xml: xml.replace(
                b"<sheetData>", b'<dimension ref="A1:XFD1048576"/><sheetData>'
            )
        },
    )
    assert "trang tính khai báo vùng dữ liệu tới XFD1048576" in refusal(path)


def test_rows_follow_from_the_people_of_the_organisation(book: Path, tmp_path: Path) -> None:
    path = hostile.many_rows(book, tmp_path / "rows.xlsx", 2000)
    open_data(path).table(["subjects"])  # 100,000 people assumed: 4,001 rows are fine
    # 400 people: the workbook opens (an items sheet may have 400 × 50 + 1,000 rows), but
    # its sheet of people may have 400 × 5 + 1,000.
    limits = DataLimits.of(people=400, item_sheets=["san_pham"])
    with pytest.raises(DataFileError) as caught:
        open_data(path, limits).table(["subjects"])
    assert (
        "rows.xlsx:subjects: lỗi: trang tính có ô tới M4001 (13 cột, 4.001 dòng), vượt giới hạn "
        "3.000 dòng (tổ chức có 400 người × 5 dòng mỗi người + 1.000; đặt "
        "CHAMDIEM_ROWS_PER_PERSON để nâng)"
    ) in caught.value.render("vi")
    # 14 people: no sheet may be that long, and the workbook is refused as it opens.
    assert (
        "vượt giới hạn 1.700 dòng (tổ chức có 14 người × 50 dòng danh sách mỗi người + 1.000; "
        "đặt CHAMDIEM_ITEMS_PER_PERSON để nâng)"
    ) in refusal(path, DataLimits.of(people=14, item_sheets=["san_pham"]))


def test_cells_of_a_sheet_are_limited(book: Path, tmp_path: Path) -> None:
    path = hostile.rewrite(
        book,
        tmp_path / "wide.xlsx",
        {
            hostile.SUBJECTS_PART: lambda xml: xml.replace(
                b"</sheetData>", b'<row r="400000"><c r="SF400000"/></row></sheetData>'
            )
        },
    )
    assert (
        "tức 200.000.000 ô, vượt giới hạn 10.000.000 ô một trang (đặt CHAMDIEM_MAX_SHEET_CELLS"
        in refusal(path)
    )


def test_blanks_packed_a_thousand_to_one_are_refused_by_ratio(book: Path, tmp_path: Path) -> None:
    path = hostile.blanks(book, tmp_path / "blanks.xlsx", 64)
    assert path.stat().st_size < 1_000_000
    message = refusal(path)
    assert "phần xl/worksheets/sheet2.xml giải nén ra 65 MB từ 0," in message
    assert "vượt giới hạn 100 lần (đặt CHAMDIEM_MAX_ZIP_RATIO để nâng)" in message


def test_blanks_are_refused_by_the_stretch_without_tags_whatever_the_ratio(
    book: Path, tmp_path: Path
) -> None:
    path = hostile.blanks(book, tmp_path / "blanks.xlsx", 8)
    limits = DataLimits.of(Settings(max_zip_ratio=1_000_000))
    assert "trang tính có đoạn dài hơn 1 MB không có thẻ XML nào" in refusal(path, limits)


def test_a_zip_bomb_part_is_refused(book: Path, tmp_path: Path) -> None:
    path = hostile.bomb(book, tmp_path / "bomb.xlsx", 200)
    assert "phần xl/media/image1.png giải nén ra 200 MB từ" in refusal(path)
    limits = DataLimits.of(Settings(max_zip_ratio=1_000_000, max_unpacked_mb=100))
    assert "sổ tính giải nén ra 204 MB, vượt giới hạn 100 MB (đặt CHAMDIEM_MAX_UNPACKED_MB" in (
        refusal(path, limits)
    )


def test_a_part_that_unpacks_beyond_its_declared_size_is_refused(
    book: Path, tmp_path: Path
) -> None:
    path = hostile.lying_size(book, tmp_path / "lying.xlsx")
    assert "phần xl/media/image1.png của sổ tính giải nén ra khác kích thước nó khai" in (
        refusal(path)
    )


def test_too_many_parts_are_refused(book: Path, tmp_path: Path) -> None:
    parts = {f"xl/media/p{n}.bin": iter([b"x"]) for n in range(50)}
    path = hostile.rewrite(book, tmp_path / "parts.xlsx", {}, parts)
    limits = DataLimits.of(Settings(max_zip_entries=40))
    assert "vượt giới hạn 40 phần (đặt CHAMDIEM_MAX_ZIP_ENTRIES để nâng)" in refusal(path, limits)


def test_the_reader_refuses_at_the_file(book: Path, tmp_path: Path) -> None:
    path = hostile.far_cell(book, tmp_path / "far.xlsx")
    with pytest.raises(DataFileError) as caught:
        read_cohort(path, [spec("chinh_tri")], [items("san_pham", spec("he_so"))])
    assert [p.sheet for p in caught.value.problems] == ["subjects"]


def test_csv_lines_are_limited(tmp_path: Path) -> None:
    path = csv_file(tmp_path / "subjects.csv", [["code"], *([f"A{n}"] for n in range(1100))])
    limits = DataLimits.of(people=10, item_sheets=[])
    with pytest.raises(DataFileError) as caught:
        open_data(path, limits).table(["subjects"])
    assert "tệp có 1.102 dòng, vượt giới hạn 1.050 dòng (tổ chức có 10 người" in (
        caught.value.render("vi")
    )
    long_line = tmp_path / "long.csv"
    long_line.write_text("code\n" + "x" * (2 << 20) + "\n", encoding="utf-8")
    with pytest.raises(DataFileError) as caught:
        open_data(long_line).table(["subjects"])
    assert caught.value.problems[0].row == 2


def test_the_formula_error_scan_keeps_a_bounded_buffer() -> None:
    """256 MB of blanks after the sheet's start: what is kept between chunks stays under
    a few MB (the old scan kept it all, and re-searched it every chunk)."""
    sizes: list[int] = []

    def read(n: int) -> bytes:
        sizes.append(n)
        if len(sizes) == 1:
            return b'<worksheet><sheetData><row r="1">'
        if len(sizes) < 66:
            return b" " * n
        if len(sizes) == 66:
            return b'<c r="A1" t="e"><v>#N/A</v></c></row></sheetData></worksheet>'
        return b""

    kept: list[int] = []
    original = scanner._ERROR_TYPE

    class Spy:
        def finditer(self, buffer: bytes) -> object:
            kept.append(len(buffer))
            return original.finditer(buffer)

    scanner._ERROR_TYPE = Spy()  # type: ignore[assignment]
    try:
        assert scanner._scan(read) == [(0, 0, "#N/A")]
    finally:
        scanner._ERROR_TYPE = original
    assert max(kept) <= scanner._CHUNK + scanner._KEEP + 64


def test_measuring_reads_a_stream_once_when_it_is_plain() -> None:
    calls: list[int] = []

    def chunks() -> list[bytes]:
        calls.append(1)
        return [b'<worksheet><dimension ref="A1:C3"/><sheetData>', b'<row r="3"><c r="C3"/></row>']

    extent, declared = measure(chunks)
    assert (extent, declared, len(calls)) == (Extent(3, 3), Extent(3, 3), 1)


# ---------------------------------------------------------------- chamdiem eval


def run_eval(data: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "CHAMDIEM_LANG": "vi", **env}
    return subprocess.run(
        [sys.executable, "-m", "chamdiem", "eval", str(RULES), str(data)],
        capture_output=True,
        text=True,
        timeout=SAFETY_TIMEOUT,
        env=environment,
        check=False,
    )


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (hostile.far_cell, "trang tính có ô tới XFD1048576 (16.384 cột, 1.048.576 dòng)"),
        (lambda s, t: hostile.blanks(s, t, 256), "giải nén ra 257 MB từ"),
        (
            lambda s, t: hostile.bomb(s, t, 300),
            "phần xl/media/image1.png giải nén ra 300 MB từ 0,3 MB (gấp 1.0",
        ),
        (
            # 13 columns: the cells of a sheet reach their limit before its rows do.
            lambda s, t: hostile.many_rows(s, t, 1_000_000),
            "ô, vượt giới hạn 10.000.000 ô một trang (đặt CHAMDIEM_MAX_SHEET_CELLS để nâng)",
        ),
    ],
    ids=["far-cell", "blanks", "bomb", "million-rows"],
)
def test_eval_refuses_each_hostile_file(
    book: Path, tmp_path: Path, make: object, expected: str
) -> None:
    path = make(book, tmp_path / "hostile.xlsx")  # type: ignore[operator]
    done = run_eval(path)
    assert done.returncode == 1, (done.returncode, done.stderr[-2000:])
    assert expected in done.stdout + done.stderr
    assert "Traceback" not in done.stderr


def test_eval_still_reads_a_valid_workbook(book: Path) -> None:
    done = run_eval(book)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_scan_of_a_plain_sheet_is_unchanged() -> None:
    xml = b'<worksheet><sheetData><row r="1"><c r="A1" t="e"><v>#REF!</v></c></row></sheetData>'
    assert scanner._scan(io.BytesIO(xml).read) == [(0, 0, "#REF!")]
    with zipfile.ZipFile(io.BytesIO(), "w"):
        pass
