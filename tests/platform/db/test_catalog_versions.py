"""Catalogue rows are part of the rule version (design §8): the rows files beside the rule
file are hashed and stored with it, a stored version compiles from the database alone (the
files may change or go), `verify` re-evaluates with the stored rows, and an unknown key in
imported data is a problem at its cell."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import Session

from chamdiem.dsl.parser import normalise
from chamdiem.platform.excel import DataFileError
from chamdiem.platform.services.errors import ServiceError
from chamdiem.platform.services.imports import import_period_data
from chamdiem.platform.services.rules import program_for, publish_rule_version, source_sha256
from chamdiem.platform.services.runs import run_evaluation
from chamdiem.platform.services.scope import Scope
from chamdiem.platform.services.verify import verify_run
from tests.platform.builders import xlsx
from tests.platform.db.helpers import ACTOR, PERIOD, prepare

KPI = """\
ruleset kpi "KPI quý"
  subject person
  period quarter
  effective 2026-01-01
end

catalog san_pham "Danh mục sản phẩm" key ma
  ten   : text
  he_so : number > 0 "Hệ số"
  rows from "danh_muc.csv" from 2026-01-01, "danh_muc_q2.xlsx" from 2026-04-01
end

input chinh : key of san_pham "Sản phẩm chính"

items nhiem_vu "Nhiệm vụ"
  ma       : key of san_pham
  so_luong : count > 0
  let quy_doi = so_luong * san_pham[ma].he_so
end

let tong = sum(nhiem_vu.quy_doi) + san_pham[chinh].he_so

group g "G" max 100
  criterion c "C" max 100 = min(tong, 100)
end

grades
  tot "Tốt" when total >= 5
  kem "Kém" otherwise
end

test "bằng tay"
  given chinh = "A"
  given nhiem_vu = [{ma: "A", so_luong: 2}, {ma: "B", so_luong: 1}]
  expect tong = 6.75
end
"""

CSV = "ma,ten,Hệ số\nA,Báo cáo,1.5\nB,Tờ trình,2.25\nAB12,Đề án,3\n"
Q2: list[list[object]] = [
    ["ma", "ten", "Hệ số"],
    ["A", "Báo cáo", 2],
    ["B", "Tờ trình", 2.25],
    ["C", "Mới", 4],
]


def rule_folder(folder: Path) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "danh_muc.csv").write_text(CSV, encoding="utf-8")
    xlsx(folder / "danh_muc_q2.xlsx", {"Danh mục": Q2})
    path = folder / "kpi.rules"
    path.write_text(KPI, encoding="utf-8")
    return path


def data_book(path: Path, chinh: str = "AB12", ma: str = "B") -> Path:
    return xlsx(
        path,
        {
            "subjects": [["Mã", "chinh"], ["A1", "A"], ["A2", chinh]],
            "nhiem_vu": [["Mã", "ma", "so_luong"], ["A1", "A", 2], ["A1", ma, 1], ["A2", "A", 1]],
        },
    )


def test_publish_hashes_and_stores_the_rows_files(session: Session, tmp_path: Path) -> None:
    rules = rule_folder(tmp_path / "rules")
    version = publish_rule_version(session, rules, actor=ACTOR).version
    stored = json.loads(version.catalog_rows or "{}")
    assert sorted(stored) == ["danh_muc.csv", "danh_muc_q2.xlsx"]
    assert stored["danh_muc.csv"][3] == ["AB12", "Đề án", "3"]
    assert stored["danh_muc_q2.xlsx"][1] == ["A", "Báo cáo", "2"]
    source = normalise(KPI)
    assert version.source == source
    assert version.sha256 != source_sha256(source)  # the rows are part of the address
    assert version.sha256 == source_sha256(source, version.catalog_rows)


def test_editing_a_rows_file_makes_a_new_version(session: Session, tmp_path: Path) -> None:
    rules = rule_folder(tmp_path / "rules")
    first = publish_rule_version(session, rules, actor=ACTOR)
    again = publish_rule_version(session, rules, actor=ACTOR)
    assert not again.created and again.version.sha256 == first.version.sha256
    (rules.parent / "danh_muc.csv").write_text(CSV.replace("3\n", "3.5\n"), encoding="utf-8")
    edited = publish_rule_version(session, rules, actor=ACTOR)
    assert edited.created and edited.version.sha256 != first.version.sha256


def test_a_stored_version_compiles_from_the_database_alone(
    session: Session, tmp_path: Path
) -> None:
    rules = rule_folder(tmp_path / "rules")
    version = publish_rule_version(session, rules, actor=ACTOR).version
    (rules.parent / "danh_muc.csv").write_text(CSV.replace("AB12", "ZZ"), encoding="utf-8")
    (rules.parent / "danh_muc_q2.xlsx").unlink()
    program = program_for(version)  # not read from the (changed, missing) files
    assert program.catalog_keys("san_pham") == ["A", "B", "AB12"]
    assert program.catalog_keys("san_pham", date(2026, 4, 1)) == ["A", "B", "C"]


def test_stored_rows_changed_behind_the_services_back_are_refused(
    session: Session, engine: Engine, tmp_path: Path
) -> None:
    rules = rule_folder(tmp_path / "rules")
    version = publish_rule_version(session, rules, actor=ACTOR).version
    with engine.begin() as connection:
        connection.execute(
            sa.text("UPDATE rule_versions SET catalog_rows = replace(catalog_rows, '1.5', '9')")
        )
    session.expire_all()
    session.refresh(version)
    with pytest.raises(ServiceError, match=r"hash|băm"):
        program_for(version)


def test_import_run_and_verify_with_the_stored_rows(session: Session, tmp_path: Path) -> None:
    prepare(session, tmp_path, data=False)
    rules = rule_folder(tmp_path / "rules")
    publish_rule_version(session, rules, actor=ACTOR)
    import_period_data(session, data_book(tmp_path / "kpi.xlsx"), PERIOD, "kpi", actor=ACTOR)
    shutil.rmtree(rules.parent)  # what the run and verify read is in the database
    [outcome] = run_evaluation(
        session, PERIOD, ["kpi"], scope=Scope.everything(), actor=ACTOR, explain="none"
    )
    report = verify_run(session, outcome.run_id, actor=ACTOR)
    assert report.ok and report.subjects == 2


def test_an_unknown_key_in_imported_data_is_a_problem_at_its_cell(
    session: Session, tmp_path: Path
) -> None:
    prepare(session, tmp_path, data=False)
    publish_rule_version(session, rule_folder(tmp_path / "rules"), actor=ACTOR)
    book = data_book(tmp_path / "kpi.xlsx", chinh="AB13", ma="X")
    with pytest.raises(DataFileError) as caught:
        import_period_data(session, book, PERIOD, "kpi", actor=ACTOR)
    found = {(p.sheet, p.row, p.column, p.field): p.message.vi for p in caught.value.problems}
    assert found == {
        ("subjects", 3, "B", "chinh"): (
            "mã 'AB13' không có trong danh mục san_pham; mã gần nhất: 'AB12'"
        ),
        ("nhiem_vu", 3, "B", "nhiem_vu.ma"): (
            "mã 'X' không có trong danh mục san_pham (các mã: 'A', 'AB12', 'B')"
        ),
    }
