"""`chamdiem import` refuses the hostile files of issue 11 at the file, in Vietnamese, storing
nothing; run as a user runs it, in its own process (a file that made the reader allocate
512 GiB would otherwise end the test run)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa

from chamdiem.cli.database import main
from chamdiem.platform.db.engine import make_engine
from tests.platform import hostile_files as hostile
from tests.platform.db.helpers import ACTOR, RULES, workbook

SAFETY_TIMEOUT = 120  # seconds: a net for a hostile file, not a measure of speed
Make = Callable[[Path, Path], Path]


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (
            # The sheets of this workbook: subjects, san_pham, units.
            lambda s, t: hostile.far_cell(s, t, "xl/worksheets/sheet1.xml"),
            "trang tính có ô tới XFD1048576 (16.384 cột, 1.048.576 dòng), vượt giới hạn 500 cột "
            "(đặt CHAMDIEM_MAX_COLUMNS để nâng)",
        ),
        (
            lambda s, t: hostile.bomb(s, t, 300),
            "phần xl/media/image1.png giải nén ra 300 MB từ 0,3 MB",
        ),
        (
            # Far fewer rows than the 100,000-person default allows, more than this
            # organisation of a few people can fill: refused by its own head count.
            lambda s, t: hostile.many_rows(s, t, 3_000, "xl/worksheets/sheet1.xml"),
            "vượt giới hạn 1.700 dòng (tổ chức có 14 người × 50 dòng danh sách mỗi người + "
            "1.000; đặt CHAMDIEM_ITEMS_PER_PERSON để nâng)",
        ),
    ],
    ids=["far-cell", "bomb", "rows-beyond-the-organisation"],
)
def test_import_refuses_a_hostile_file_and_stores_nothing(
    db_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    make: Make,
    expected: str,
) -> None:
    for name in ("CHAMDIEM_LANG", "CHAMDIEM_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CHAMDIEM_USER", ACTOR)
    monkeypatch.setenv("CHAMDIEM_DATABASE_URL", db_url)
    monkeypatch.chdir(tmp_path)
    book = workbook(tmp_path / "quy1.xlsx")
    for argv in (
        ["db", "upgrade"],
        ["org", "load", str(book)],
        ["period", "add", "2026-Q1"],
        ["rules", "publish", str(RULES)],
    ):
        assert main(argv) == 0, argv
    capsys.readouterr()
    path = make(book, tmp_path / "hostile.xlsx")
    done = subprocess.run(
        [sys.executable, "-m", "chamdiem", "import", str(path), "--period", "2026-Q1"],
        capture_output=True,
        text=True,
        timeout=SAFETY_TIMEOUT,
        env={**os.environ, "CHAMDIEM_LANG": "vi"},
        check=False,
    )
    assert done.returncode == 1, (done.returncode, done.stderr[-2000:])
    assert expected in done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    engine = make_engine(db_url)
    with engine.connect() as connection:
        assert connection.execute(sa.text("select count(*) from data_imports")).scalar() == 0
    engine.dispose()
