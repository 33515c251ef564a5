"""`chamdiem org load`: the unit tree and the people, upserted by code, all or nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import Session, select

from chamdiem.platform.db.models import AuditEntry, Person, Unit
from chamdiem.platform.excel import DataFileError
from chamdiem.platform.services.organisation import load_organisation, parse_category
from tests.platform.db.helpers import ACTOR, counts, editable, people_copy, save, workbook


def unit_tree(session: Session) -> dict[str, tuple[str, str | None, str | None]]:
    """code -> (name, parent code, head code)."""
    units = session.exec(select(Unit)).all()
    people = {p.id: p.code for p in session.exec(select(Person)).all()}
    codes = {u.id: u.code for u in units}
    return {
        u.code: (u.name, codes.get(u.parent_id), people.get(u.head_id) if u.head_id else None)
        for u in units
    }


def test_loads_the_unit_tree_and_the_people(session: Session, tmp_path: Path) -> None:
    done = load_organisation(session, workbook(tmp_path / "org.xlsx"), actor=ACTOR)
    assert (done.units_created, done.people_created) == (5, 14)
    assert unit_tree(session) == {
        "SNV": ("Sở Nội vụ", None, "S1"),
        "SNV-TH": ("Phòng Tổng hợp", "SNV", "A5"),
        "SNV-KH": ("Phòng Kế hoạch", "SNV", None),
        "STC": ("Sở Tài chính", None, None),
        "STC-NS": ("Phòng Ngân sách", "STC", "N1"),
    }
    a1 = session.exec(select(Person).where(Person.code == "A1")).one()
    unit = session.get(Unit, a1.unit_id)
    assert unit is not None and unit.code == "SNV-TH"
    assert (a1.name, a1.position_group, a1.is_head, a1.category) == (
        "Nguyễn Thị An",
        "chuyen_vien",
        False,
        None,
    )
    entry = session.exec(select(AuditEntry)).one()
    assert (entry.action, entry.actor) == ("org_load", ACTOR)


def test_loading_again_updates_what_changed_and_keeps_the_rest(
    session: Session, tmp_path: Path
) -> None:
    load_organisation(session, workbook(tmp_path / "org.xlsx"), actor=ACTOR)
    people = people_copy()
    people[1].name = "Nguyễn Thị An (đã đổi tên)"
    people[2].unit = "SNV-KH"
    rows = editable(people[:5])  # a file with only some of the people
    rows["units"] = [["code", "name", "parent"], ["SNV-KH", "Phòng Kế hoạch - Tài chính", "SNV"]]
    done = load_organisation(session, save(tmp_path / "org2.xlsx", rows), actor=ACTOR)
    assert (done.units_created, done.units_updated) == (0, 1)
    assert (done.people_created, done.people_updated, done.unchanged) == (0, 2, 3)
    assert session.exec(select(Person)).all().__len__() == 14
    tree = unit_tree(session)
    assert tree["SNV-KH"][0] == "Phòng Kế hoạch - Tài chính"
    assert tree["SNV-TH"][2] == "A5"  # a file without the unit's head does not clear it
    a2 = session.exec(select(Person).where(Person.code == "A2")).one()
    kh = session.exec(select(Unit).where(Unit.code == "SNV-KH")).one()
    assert a2.unit_id == kh.id


def test_without_a_units_sheet_units_are_named_by_the_unit_column(
    session: Session, tmp_path: Path
) -> None:
    people = people_copy()
    for person in people:
        person.unit = {"SNV": "Sở Nội vụ", "SNV-TH": "Phòng Tổng hợp"}.get(person.unit, "Khác")
    load_organisation(session, workbook(tmp_path / "org.xlsx", people, units=False), actor=ACTOR)
    tree = unit_tree(session)
    assert tree == {
        "Sở Nội vụ": ("Sở Nội vụ", None, "S1"),
        "Phòng Tổng hợp": ("Phòng Tổng hợp", None, "A5"),
        "Khác": ("Khác", None, "N1"),
    }


def test_category_column_and_default(session: Session, tmp_path: Path) -> None:
    rows = editable(people_copy()[:3])
    subjects = rows["subjects"]
    subjects[0].append("Phân loại")
    subjects[1].append("Cán bộ")
    subjects[2].append("")
    subjects[3].append("viên chức")
    load_organisation(
        session, save(tmp_path / "org.xlsx", rows), actor=ACTOR, default_category="cong_chuc"
    )
    found = {p.code: p.category for p in session.exec(select(Person)).all()}
    assert found == {"S1": "can_bo", "A1": "cong_chuc", "A2": "vien_chuc"}
    assert parse_category("CONG CHUC") == "cong_chuc"
    assert parse_category("hợp đồng") is None


def _mutated(tmp_path: Path, change: str) -> Path:
    rows = editable(people_copy())
    subjects, units = rows["subjects"], rows["units"]
    if change == "duplicate person":
        subjects[4][0] = "A1"
    elif change == "unknown parent":
        units[2][2] = "SNV-XX"
    elif change == "cycle":
        units[1][2] = "SNV-TH"  # SNV under its own child
    elif change == "unknown unit":
        subjects[3][2] = "Phòng Không Có"
    elif change == "two heads":
        subjects[3][4] = True  # A2 in SNV-TH, whose head is A5
    elif change == "bad head flag":
        subjects[3][4] = "có lẽ"
    elif change == "missing code":
        subjects[3][0] = None
    elif change == "duplicate unit":
        units[3][0] = "SNV-TH"
    elif change == "name of 30,000 characters":  # an Excel cell holds at most 32,767
        subjects[3][1] = "Nguyễn An" * 3_000 + "Ngô"
    elif change == "long unit name":
        units[2][1] = "Phòng " * 51
    elif change == "long code":
        subjects[3][0] = "A" * 201
    elif change == "formula error":
        return save(tmp_path / "bad.xlsx", rows, errors={("subjects", "B4"): "#N/A"})
    return save(tmp_path / "bad.xlsx", rows)


BAD_ORGANISATIONS = {
    # change: (sheet, row, column, words in the English message)
    "duplicate person": ("subjects", 5, "A", "duplicate code 'A1'"),
    "unknown parent": ("units", 3, "C", "parent unit 'SNV-XX' does not exist"),
    "cycle": ("units", 2, "C", "cycle"),
    "unknown unit": ("subjects", 4, "C", "unit 'Phòng Không Có'"),
    "two heads": ("subjects", 7, "E", "already has a head, A2"),
    "bad head flag": ("subjects", 4, "E", "expected yes/no"),
    "missing code": ("subjects", 4, "A", "missing code"),
    "duplicate unit": ("units", 4, "A", "duplicate code 'SNV-TH'"),
    "formula error": ("subjects", 4, "B", "the formula error #N/A"),
    "name of 30,000 characters": (
        "subjects", 4, "B", "the name is 27,003 characters long; at most 200",
    ),
    "long unit name": ("units", 3, "B", "the unit's name is 305 characters long; at most 300"),
    "long code": ("subjects", 4, "A", "the code is 201 characters long; at most 200"),
}  # fmt: skip


@pytest.mark.parametrize("change", list(BAD_ORGANISATIONS))
def test_a_bad_organisation_file_is_reported_at_its_cell_and_stores_nothing(
    change: str, session: Session, engine: Engine, tmp_path: Path
) -> None:
    sheet, row, column, words = BAD_ORGANISATIONS[change]
    with pytest.raises(DataFileError) as caught:
        load_organisation(session, _mutated(tmp_path, change), actor=ACTOR)
    problems = caught.value.problems
    assert any(
        (p.sheet, p.row, p.column) == (sheet, row, column) and words in p.message.en
        for p in problems
    ), [p.render("en") for p in problems]
    assert all(n == 0 for n in counts(engine).values())


def test_a_bad_file_does_not_change_an_organisation_already_loaded(
    session: Session, engine: Engine, tmp_path: Path
) -> None:
    load_organisation(session, workbook(tmp_path / "org.xlsx"), actor=ACTOR)
    before = counts(engine)
    with engine.connect() as connection:
        names = connection.execute(sa.text("SELECT code, name, unit_id FROM people")).all()
    with pytest.raises(DataFileError):
        load_organisation(session, _mutated(tmp_path, "two heads"), actor=ACTOR)
    assert counts(engine) == before
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT code, name, unit_id FROM people")).all() == names
