"""A DATA file too large to import is refused cleanly: over the size limit before anything is
read; with more rows than the organisation's people could fill, before it is parsed; and with
more subjects than people but within that bound, with each code that is not a person named at
its cell (the first PROBLEM_LIMIT, then a count). Nothing is stored either way."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from chamdiem.platform.excel import DataFileError
from chamdiem.platform.excel.problems import PROBLEM_LIMIT
from chamdiem.platform.services.imports import import_period_data
from chamdiem.platform.settings import get_settings
from tests.platform.db.helpers import (
    ACTOR,
    PERIOD,
    P,
    counts,
    people_copy,
    prepare,
    workbook,
)

# Subjects that are not people of the organisation (it has 14): within the rows 14 people may
# fill (14 × 5 + 1,000), and far beyond them.
EXTRA = 1_000
FAR_TOO_MANY = 20_000


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(
    session: Session, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    book = prepare(session, tmp_path, data=False)
    before = counts(engine)
    with pytest.raises(DataFileError) as refused:
        import_period_data(session, book, PERIOD, actor=ACTOR, max_bytes=1024)
    [problem] = refused.value.problems
    size = f"{book.stat().st_size / 1024 / 1024:.1f}".removesuffix(".0").replace(".", ",")
    assert problem.render("vi") == (
        f"{book}: lỗi: tệp nặng {size} MB, vượt giới hạn nhập 0 MB (CHAMDIEM_MAX_IMPORT_MB); "
        "hãy tách thành nhiều tệp (theo đơn vị) hoặc nâng giới hạn; chưa đọc và chưa lưu gì"
    )
    assert "over the import limit" in problem.render("en")
    assert counts(engine) == before
    # The limit comes from the settings when the caller gives none.
    monkeypatch.setenv("CHAMDIEM_MAX_IMPORT_MB", "1")
    get_settings.cache_clear()
    try:
        assert import_period_data(session, book, PERIOD, actor=ACTOR).created
    finally:
        get_settings.cache_clear()


def with_strangers(folder: Path, extra: int) -> Path:
    people = people_copy()
    template = people[1]
    strangers = [
        P(f"X{k:06d}", f"Người lạ {k}", template.unit, template.group, template.scores)
        for k in range(extra)
    ]
    return workbook(folder / "qua_lon.xlsx", people + strangers)


def test_far_more_rows_than_the_people_could_fill_is_refused_before_parsing(
    session: Session, engine: Engine, tmp_path: Path
) -> None:
    prepare(session, tmp_path, data=False)
    book = with_strangers(tmp_path, FAR_TOO_MANY)
    before = counts(engine)
    with pytest.raises(DataFileError) as refused:
        import_period_data(session, book, PERIOD, actor=ACTOR)
    problems = refused.value.problems
    assert {p.sheet for p in problems} == {"subjects", "san_pham"}
    assert all("(tổ chức có 14 người × " in p.render("vi") for p in problems)
    assert all(p.row is None for p in problems)  # at the sheet: no cell was read
    assert counts(engine) == before


def test_more_subjects_than_people_is_refused_cell_by_cell(
    session: Session, engine: Engine, tmp_path: Path
) -> None:
    prepare(session, tmp_path, data=False)
    book = with_strangers(tmp_path, EXTRA)
    before = counts(engine)
    with pytest.raises(DataFileError) as refused:
        import_period_data(session, book, PERIOD, actor=ACTOR)
    error = refused.value
    assert len(error.problems) == PROBLEM_LIMIT
    assert error.omitted == EXTRA - PROBLEM_LIMIT
    assert error.problems[0].render("vi") == (
        f"{book}:subjects:16:A: lỗi: mã 'X000000' không có trong danh sách người của tổ chức (code)"
    )
    assert f"… và {EXTRA - PROBLEM_LIMIT} lỗi khác không liệt kê" in error.render("vi")
    assert counts(engine) == before
