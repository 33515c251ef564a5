"""A DATA file too large to import is refused cleanly: over the size limit before anything is
read, and a workbook with far more subjects than the organisation has people with each code
that is not a person named at its cell (the first PROBLEM_LIMIT, then a count). Nothing is
stored either way."""

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

EXTRA = 20_000  # subjects that are not people of the organisation (it has 14)


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


def test_far_more_subjects_than_people_is_refused_cell_by_cell(
    session: Session, engine: Engine, tmp_path: Path
) -> None:
    prepare(session, tmp_path, data=False)
    people = people_copy()
    template = people[1]
    strangers = [
        P(f"X{k:06d}", f"Người lạ {k}", template.unit, template.group, template.scores)
        for k in range(EXTRA)
    ]
    book = workbook(tmp_path / "qua_lon.xlsx", people + strangers)
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
