"""`chamdiem import FILE --period P`: validated as `eval` validates, stored all or nothing,
the same file twice changes nothing, a corrected file supersedes, a locked period refuses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import Session, select

from chamdiem.platform.db.models import DataImport, InputRecord
from chamdiem.platform.excel import DataFileError
from chamdiem.platform.services import file_subjects
from chamdiem.platform.services.errors import NotFound, ServiceError
from chamdiem.platform.services.files import file_sha256
from chamdiem.platform.services.imports import import_period_data
from chamdiem.platform.services.periods import add_period, lock_period
from tests.platform.db.helpers import (
    ACTOR,
    PEOPLE,
    PERIOD,
    count,
    counts,
    editable,
    people_copy,
    prepare,
    save,
    workbook,
)


def records(
    engine: Engine, current: bool = True
) -> dict[str, tuple[dict[str, object], dict[str, object]]]:
    where = "WHERE r.superseded_by_id IS NULL" if current else ""
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT p.code, r.inputs_json, r.items_json FROM input_records r "
                f"JOIN people p ON p.id = r.person_id {where}"
            )
        ).all()
    return {code: (json.loads(inputs), json.loads(items)) for code, inputs, items in rows}


def test_import_stores_one_record_per_subject_with_exact_values(
    session: Session, engine: Engine, tmp_path: Path
) -> None:
    book = prepare(session, tmp_path, data=False)
    done = import_period_data(session, book, PERIOD, actor=ACTOR)
    assert done.created and (done.subjects, done.item_rows, done.replaced) == (14, 15, 0)
    assert (done.period, done.ruleset) == (PERIOD, "cong_chuc_quy")
    batch = session.exec(select(DataImport)).one()
    assert batch.file_sha256 == file_sha256(book) and batch.imported_by == ACTOR
    stored = records(engine)
    assert len(stored) == 14
    # Numbers are decimal text exactly as entered (never floats), counts integers,
    # booleans booleans; a subject without products has no items.
    assert stored["N1"][0] == {
        "chinh_tri": "8.25",
        "chuyen_mon": "9",
        "doi_moi": "7.5",
        "ky_luat": "khiển trách",
    }
    assert stored["N2"][1] == {
        "san_pham": {
            "he_so": ["1", "3", "0.5"],
            "hoan_thanh": [True, True, False],
            "loi_nang": [1, 0, 0],
            "cham_tre": [0, 2, 0],
        }
    }
    assert stored["N3"][1] == {}
    with engine.connect() as connection:
        text = connection.execute(
            sa.text(
                "SELECT r.inputs_json FROM input_records r JOIN people p ON p.id = r.person_id "
                "WHERE p.code = 'N1'"
            )
        ).scalar_one()
    assert text == '{"chinh_tri":"8.25","chuyen_mon":"9","doi_moi":"7.5","ky_luat":"khiển trách"}'


def test_the_same_file_twice_changes_nothing(
    session: Session, engine: Engine, tmp_path: Path
) -> None:
    book = prepare(session, tmp_path)
    before = counts(engine)
    again = import_period_data(session, book, PERIOD, actor=ACTOR)
    assert not again.created and again.import_id == session.exec(select(DataImport)).one().id
    assert counts(engine) == before


def test_a_corrected_file_replaces_what_it_covers_and_keeps_the_history(
    session: Session, engine: Engine, tmp_path: Path
) -> None:
    prepare(session, tmp_path)
    people = people_copy()
    fixes = [p for p in people if p.code in ("A1", "N3", "A2")]
    fixes[0].scores = (9, 9, 9)
    fixes[2].products = [[2, True, 0, 0]]
    done = import_period_data(session, workbook(tmp_path / "sua.xlsx", fixes), PERIOD, actor=ACTOR)
    # A2 is listed again as it was: replaced (this file is now where its data comes from),
    # but not changed.
    assert done.created and (done.subjects, done.replaced, done.changed) == (3, 3, 2)
    current = records(engine)
    assert len(current) == 14
    assert current["A1"][0]["doi_moi"] == "9"
    assert current["N3"][1] == {
        "san_pham": {"he_so": ["2"], "hoan_thanh": [True], "loi_nang": [0], "cham_tre": [0]}
    }
    assert current["A2"][0]["doi_moi"] == "8"
    assert current["A3"][0]["doi_moi"] == "5"  # not in the corrected file: unchanged
    assert count(engine, "input_records") == 17  # the three replaced records are kept
    old = session.exec(
        select(InputRecord).where(InputRecord.superseded_by_id == done.import_id)
    ).all()
    assert len(old) == 3


def test_importing_the_first_file_again_after_a_correction_restores_it(
    session: Session, engine: Engine, tmp_path: Path
) -> None:
    book = prepare(session, tmp_path)
    fixes = [p for p in people_copy() if p.code == "A1"]
    fixes[0].scores = (1, 1, 1)
    import_period_data(session, workbook(tmp_path / "sua.xlsx", fixes), PERIOD, actor=ACTOR)
    done = import_period_data(session, book, PERIOD, actor=ACTOR)
    assert done.created and (done.replaced, done.changed) == (14, 1)
    assert records(engine)["A1"][0]["chinh_tri"] == "10"


def test_a_locked_period_refuses(session: Session, engine: Engine, tmp_path: Path) -> None:
    book = prepare(session, tmp_path, data=False)
    lock_period(session, PERIOD, actor=ACTOR)
    before = counts(engine)
    with pytest.raises(ServiceError) as caught:
        import_period_data(session, book, PERIOD, actor=ACTOR)
    assert "locked" in caught.value.message.en and "đã khóa" in caught.value.message.vi
    assert counts(engine) == before


def test_a_period_of_the_wrong_kind_or_unknown_refuses(
    session: Session, engine: Engine, tmp_path: Path
) -> None:
    book = prepare(session, tmp_path, data=False)
    add_period(session, "2026-03", actor=ACTOR)
    before = counts(engine)
    with pytest.raises(ServiceError) as caught:
        import_period_data(session, book, "2026-03", "cong_chuc_quy", actor=ACTOR)
    assert "quarter periods, but 2026-03 is a month" in caught.value.message.en
    with pytest.raises(NotFound):
        import_period_data(session, book, "2026-Q2", actor=ACTOR)
    with pytest.raises(ServiceError):
        import_period_data(session, book, "2026-Q7", actor=ACTOR)
    add_period(session, "2025-Q4", actor=ACTOR)
    with pytest.raises(ServiceError) as caught:
        import_period_data(session, book, "2025-Q4", "cong_chuc_quy", actor=ACTOR)
    assert "not for period 2025-Q4" in caught.value.message.en
    added = {"periods": before["periods"] + 1, "audit_log": before["audit_log"] + 1}
    assert counts(engine) == before | added  # the period added above, nothing else


def test_rules_must_be_published(session: Session, engine: Engine, tmp_path: Path) -> None:
    book = workbook(tmp_path / "quy1.xlsx")
    add_period(session, PERIOD, actor=ACTOR)
    with pytest.raises(ServiceError) as caught:
        import_period_data(session, book, PERIOD, actor=ACTOR)
    assert "--rules" in caught.value.message.en
    with pytest.raises(NotFound):
        import_period_data(session, book, PERIOD, "cong_chuc_nam", actor=ACTOR)
    assert count(engine, "data_imports") == 0


# ---------------------------------------------------------------- bad files


def _bad(tmp_path: Path, change: str) -> Path:
    rows = editable(people_copy())
    subjects, items = rows["subjects"], rows["san_pham"]
    path = tmp_path / "bad.xlsx"
    if change == "not a workbook":
        path.write_text("Mã,chinh_tri\nA1,9\n", encoding="utf-8")
        return path
    if change == "empty file":
        path.write_bytes(b"")
        return path
    if change == "csv text as number":
        subjects[2][5] = "chín"
    elif change == "out of range":
        subjects[2][6] = 11
    elif change == "negative count":
        items[2][3] = -1
    elif change == "not a choice":
        subjects[3][8] = "phê bình"
    elif change == "bool":
        items[1][2] = "có lẽ"
    elif change == "duplicate subject":
        subjects[4][0] = "A1"
    elif change == "unknown person":
        subjects[4][0] = "X9"
        items[4][0] = "X9"
    elif change == "item of no subject":
        items[3][0] = "Z1"
    elif change == "missing column":
        for row in subjects:
            del row[6]
    elif change == "missing sheet":
        del rows["san_pham"]
    elif change == "missing value":
        subjects[5][7] = None
    elif change == "formula error":
        return save(path, rows, errors={("san_pham", "D3"): "#DIV/0!"})
    elif change == "swapped codes":  # A1's and A2's scores would go to each other
        subjects[2][0], subjects[3][0] = subjects[3][0], subjects[2][0]
    elif change == "other unit":
        subjects[3][2] = "SNV-KH"
    elif change == "other position group":
        subjects[3][3] = "lanh_dao"
    elif change == "head flag":
        subjects[3][4] = True
    return save(path, rows)


BAD_FILES = {
    # change: (sheet, row, column, words of the English message)
    "not a workbook": (None, None, None, "not a valid Excel workbook"),
    "empty file": (None, None, None, "not a valid Excel workbook"),
    "csv text as number": ("subjects", 3, "F", "'chín' is not a number"),
    "out of range": ("subjects", 3, "G", "outside the range 0..10"),
    "negative count": ("san_pham", 3, "D", "whole number of times"),
    "not a choice": ("subjects", 4, "I", "is not one of the choices"),
    "bool": ("san_pham", 2, "C", "expected yes/no"),
    "duplicate subject": ("subjects", 5, "A", "duplicate code 'A1'"),
    "unknown person": ("subjects", 5, "A", "code 'X9' is not a person of the organisation"),
    "item of no subject": ("san_pham", 4, "A", "code 'Z1' is not in the list of subjects"),
    "missing column": ("subjects", 1, None, "missing column 'chuyen_mon'"),
    "missing sheet": (None, None, None, "no sheet san_pham"),
    "missing value": ("subjects", 6, "H", "missing required value"),
    # read as blank by calamine, which would be the count's default 0
    "formula error": ("san_pham", 3, "D", "the formula error #DIV/0!"),
    # the columns pre-filled "for matching" say otherwise than the organisation
    "swapped codes": ("subjects", 3, "B", "code 'A2' belongs to 'Lê Văn Bình', the file says"),
    "other unit": ("subjects", 4, "C", "code 'A2' is in unit 'SNV-TH', the file says 'SNV-KH'"),
    "other position group": ("subjects", 4, "D", "is in position group 'chuyen_vien'"),
    "head flag": ("subjects", 4, "E", "code 'A2' is not the head of the unit"),
}


@pytest.mark.parametrize("change", list(BAD_FILES))
def test_a_bad_file_is_rejected_at_its_cell_and_nothing_is_stored(
    change: str, session: Session, engine: Engine, tmp_path: Path
) -> None:
    prepare(session, tmp_path, data=False)
    before = counts(engine)
    sheet, row, column, words = BAD_FILES[change]
    with pytest.raises(DataFileError) as caught:
        import_period_data(session, _bad(tmp_path, change), PERIOD, actor=ACTOR)
    rendered = [p.render("en") for p in caught.value.problems]
    assert any(
        (p.sheet, p.row, p.column) == (sheet, row, column) and words in p.message.en
        for p in caught.value.problems
    ), rendered
    assert counts(engine) == before


def test_names_and_units_written_by_hand_match_the_organisation(
    session: Session, engine: Engine, tmp_path: Path
) -> None:
    """Case, spacing and a unit's name instead of its code are not mistakes; blanks are not
    compared."""
    prepare(session, tmp_path, data=False)
    rows = editable(people_copy())
    subjects = rows["subjects"]
    subjects[2][1] = "  nguyễn THỊ   an "
    subjects[3][2] = "phòng tổng hợp"
    subjects[4][1] = subjects[4][2] = subjects[4][3] = subjects[4][4] = None
    done = import_period_data(session, save(tmp_path / "tay.xlsx", rows), PERIOD, actor=ACTOR)
    assert done.created and done.subjects == 14


def test_a_province_sized_file_is_compared_without_listing_its_codes(
    session: Session, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above IN_LIST_LIMIT codes every person is read instead (PostgreSQL takes at most
    65,535 parameters): the same mismatches are found."""
    monkeypatch.setattr(file_subjects, "IN_LIST_LIMIT", 3)
    prepare(session, tmp_path, data=False)
    with pytest.raises(DataFileError) as caught:
        import_period_data(session, _bad(tmp_path, "swapped codes"), PERIOD, actor=ACTOR)
    assert [(p.row, p.column) for p in caught.value.problems] == [(3, "B"), (4, "B")]


def test_a_bad_correction_leaves_the_earlier_data_current(
    session: Session, engine: Engine, tmp_path: Path
) -> None:
    prepare(session, tmp_path)
    before, current = counts(engine), records(engine)
    with pytest.raises(DataFileError):
        import_period_data(session, _bad(tmp_path, "unknown person"), PERIOD, actor=ACTOR)
    assert counts(engine) == before and records(engine) == current


def test_every_problem_of_a_file_is_reported_at_once(session: Session, tmp_path: Path) -> None:
    prepare(session, tmp_path, data=False)
    rows = editable(PEOPLE)
    rows["subjects"][2][5] = "chín"
    rows["subjects"][3][6] = 12
    rows["san_pham"][1][2] = "?"
    with pytest.raises(DataFileError) as caught:
        import_period_data(session, save(tmp_path / "bad.xlsx", rows), PERIOD, actor=ACTOR)
    places = [(p.sheet, p.row, p.column) for p in caught.value.problems]
    assert places == [("subjects", 3, "F"), ("subjects", 4, "G"), ("san_pham", 2, "C")]
