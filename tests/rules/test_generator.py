"""The synthetic province: deterministic, the advertised shape, data the rule file and the
DATA reader accept, and a quarter whose results look like a real one."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from chamdiem.dsl import Cohort, Program, load_file
from chamdiem.platform.demo import build_province, generate_cohort, generate_province
from chamdiem.platform.demo.province import INPUT_NAMES, ITEM_FIELDS, ITEMS_NAME
from chamdiem.platform.excel.cohort_reader import read_cohort

RULES = Path(__file__).resolve().parents[2] / "rules" / "cong_chuc_quy.rules"
PEOPLE = 4000


@pytest.fixture(scope="module")
def program() -> Program:
    return load_file(RULES)


@pytest.fixture(scope="module")
def cohort() -> Cohort:
    return generate_cohort(PEOPLE, seed=11)


def test_province_has_148_communes_and_20_departments() -> None:
    province = build_province(2026)
    assert len(province.communes) == 148
    assert Counter(a.level for a in province.communes) == {"xa": 133, "phuong": 15}
    assert len(province.departments) == 20
    assert len({a.name for a in province.agencies}) == 168
    assert len({u.name for u in province.units}) == len(province.units)
    # every agency has a leadership and at least three other units
    per_agency = Counter(u.agency.code for u in province.units)
    assert min(per_agency.values()) >= 4


def test_commune_names_are_vietnamese_place_names() -> None:
    names = [a.name for a in build_province(2026).communes]
    assert all(n.startswith(("Xã ", "Phường ")) and len(n.split()) == 3 for n in names)
    assert any(any(ch in n for ch in "ăâđêôơư") for n in names)


def test_same_seed_same_data_other_seed_other_data() -> None:
    a, b, c = generate_cohort(2000, 5), generate_cohort(2000, 5), generate_cohort(2000, 6)
    assert a == b
    assert a.inputs != c.inputs
    assert build_province(5) == build_province(5)
    assert [u.name for u in build_province(5).units] != [u.name for u in build_province(6).units]


def test_cohort_shape(cohort: Cohort) -> None:
    assert len(cohort) == PEOPLE
    assert len(set(cohort.codes)) == PEOPLE
    assert cohort.units is not None and cohort.is_head is not None
    assert cohort.names is not None and cohort.position_groups is not None
    province = build_province(11)
    assert set(cohort.units) == {u.name for u in province.units}
    heads = Counter(u for u, h in zip(cohort.units, cohort.is_head, strict=True) if h)
    assert set(heads.values()) == {1}
    assert set(heads) == set(cohort.units)
    assert all(len(n.split()) >= 3 for n in cohort.names)
    assert {"chuyen_vien", "lanh_dao_phong", "lanh_dao_co_quan"} <= set(cohort.position_groups)
    # heads are leaders
    assert all(
        leader for leader, h in zip(cohort.inputs["lanh_dao"], cohort.is_head, strict=True) if h
    )


def test_products_per_person(cohort: Cohort) -> None:
    items = cohort.items[ITEMS_NAME]
    per_person = Counter(items.owner)
    assert set(per_person) == set(range(PEOPLE))
    assert min(per_person.values()) >= 3 and max(per_person.values()) <= 12
    coefficients = set(items.fields["he_so"])
    assert all(isinstance(c, Decimal) for c in coefficients)
    assert min(coefficients) == Decimal("0.5") and max(coefficients) == Decimal(3)
    assert any(e > 0 for e in items.fields["loi_nang"])  # type: ignore[operator]
    assert any(d > 0 for d in items.fields["cham_tre"])  # type: ignore[operator]


def test_inputs_are_those_of_the_rule_file(program: Program) -> None:
    assert [spec.name for spec in program.inputs] == list(INPUT_NAMES)
    assert [spec.name for spec in program.items] == [ITEMS_NAME]
    assert [f.name for f in program.items[0].fields] == list(ITEM_FIELDS)


def test_quarter_looks_like_a_real_one(program: Program) -> None:
    results = program.evaluate(generate_cohort(30000, seed=2026))
    totals = results.total
    n = len(totals)
    in_band = sum(Decimal(70) <= t <= Decimal(95) for t in totals)
    assert in_band > 0.7 * n  # most people between 70 and 95
    assert 0 < sum(t < 50 for t in totals) < 0.05 * n  # some, not many, below 50
    grades = Counter(results.grade)
    assert grades["khong"] < 0.05 * n
    vetoed = sum(1 for i in range(n) if results.vetoes(i))
    assert 0 < vetoed < 0.02 * n
    # the quota demotes people who scored 90 or more
    demoted = sum(
        s == "xuat_sac" and g == "tot"
        for s, g in zip(results.score_grade, results.grade, strict=True)
    )
    assert demoted > 0
    assert 0 < grades["xuat_sac"] < 0.2 * n


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_written_data_reads_back_as_the_same_cohort(
    program: Program, tmp_path: Path, fmt: str
) -> None:
    path = generate_province(tmp_path / "out", people=2500, seed=3, fmt=fmt)
    assert path.suffix == (".xlsx" if fmt == "xlsx" else "")
    read = read_cohort(path, program.inputs, program.items)
    made = generate_cohort(2500, seed=3)
    assert list(read.codes) == list(made.codes)
    assert read.units is not None and made.units is not None
    assert list(read.units) == list(made.units)
    assert list(read.names or []) == list(made.names or [])
    assert list(read.position_groups or []) == list(made.position_groups or [])
    assert [bool(h) for h in read.is_head or []] == list(made.is_head or [])
    for name in INPUT_NAMES:
        assert list(read.inputs[name]) == list(made.inputs[name]), name
    got, want = read.items[ITEMS_NAME], made.items[ITEMS_NAME]
    assert list(got.owner) == list(want.owner)
    for field in ITEM_FIELDS:
        assert list(got.fields[field]) == list(want.fields[field]), field
    # and the engine gives the same results from either
    assert program.evaluate(read).total == program.evaluate(made).total


def test_people_have_the_titles_their_place_in_the_unit_gives(tmp_path: Path) -> None:
    """The subjects sheet's "Chức vụ" column (org load stores it as the position): the head
    of each unit, deputies as "Phó …", staff by their position group."""
    path = generate_province(tmp_path / "out", people=3000, seed=5)
    rows = CalamineWorkbook.from_path(path).get_sheet_by_name("subjects").to_python()
    header = rows[0]
    title, unit, group, head = (
        header.index(name) for name in ("Chức vụ", "Đơn vị", "Nhóm vị trí", "Người đứng đầu")
    )
    people = rows[1:]
    heads = {row[unit]: row[title] for row in people if row[head]}
    assert heads["Lãnh đạo – Sở Nội vụ"] == "Giám đốc"
    assert heads["Văn phòng – Sở Nội vụ"] == "Chánh Văn phòng"
    assert all(
        heads[u] == "Chủ tịch Ủy ban nhân dân" for u in heads if u.startswith("Lãnh đạo Ủy ban")
    )
    for row in people:
        if row[head]:
            assert not row[title].startswith("Phó ")
        elif row[group] in ("lanh_dao_co_quan", "lanh_dao_phong"):
            assert row[title] == f"Phó {heads[row[unit]]}"
        else:
            assert row[title] in (
                "Chuyên viên",
                "Thanh tra viên",
                "Kiểm soát viên thị trường",
                "Kiểm lâm viên",
                "Văn thư",
                "Kế toán viên",
            )
    assert Counter(row[title] for row in people).most_common(1)[0][0] == "Chuyên viên"
