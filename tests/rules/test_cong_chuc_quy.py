"""rules/cong_chuc_quy.rules: its own hand-calculated tests pass, the checker has nothing to
say about it, and the worked example of the domain notes (§4.4) comes out the same through
the data API as in the file."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from chamdiem.dsl import Cohort, ItemTable, Program, load_file

RULES = Path(__file__).resolve().parents[2] / "rules" / "cong_chuc_quy.rules"


@pytest.fixture(scope="module")
def program() -> Program:
    return load_file(RULES)


def test_every_test_in_the_rule_file_passes(program: Program) -> None:
    outcomes = program.run_tests()
    assert len(outcomes) >= 30
    assert [(o.name, o.failures) for o in outcomes if not o.passed] == []


def test_the_checker_has_no_warnings(program: Program) -> None:
    assert [d.message for d in program.warnings] == []


def _products(rows: list[tuple[str, str, bool, int, int]]) -> ItemTable:
    """(owner code, coefficient, completed, errors, delays) rows for codes A, B, …"""
    return ItemTable(
        owner=[ord(r[0]) - ord("A") for r in rows],
        fields={
            "he_so": [Decimal(r[1]) for r in rows],
            "hoan_thanh": [r[2] for r in rows],
            "loi_nang": [r[3] for r in rows],
            "cham_tre": [r[4] for r in rows],
        },
    )


def test_worked_example_and_a_quota_through_the_data_api(program: Program) -> None:
    # A: the worked example (see the comment in the rule file): 56.15 + 26 = 82.15, tot.
    # B..F: one product each, completed: 70 + general points; B 99, C 98, D 85, E 80, F 75.
    # Six in the unit graded tot or better → 20% of 6 = 1.2 → one xuat_sac (B).
    rows = [("A", "1", True, 1, 0), ("A", "1", True, 0, 1)]
    rows += [("A", "1", True, 0, 0)] * 8
    rows += [("A", "3", True, 0, 0), ("A", "3", False, 0, 0)]
    rows += [(code, "1", True, 0, 0) for code in "BCDEF"]
    general = {"A": (9, 9, 8), "B": (10, 10, 9), "C": (10, 10, 8), "D": (5, 5, 5)}
    general |= {"E": (4, 3, 3), "F": (2, 2, 1)}
    codes = list("ABCDEF")
    cohort = Cohort(
        codes=codes,
        inputs={
            name: [Decimal(general[c][k]) for c in codes]
            for k, name in enumerate(("chinh_tri", "chuyen_mon", "doi_moi"))
        },
        items={"san_pham": _products(rows)},
        units=["Phòng Tổng hợp"] * 6,
        position_groups=["chuyen_vien"] * 6,
        is_head=[False] * 6,
    )
    results = program.evaluate(cohort)
    assert results.value_column("ket_qua")[0] == "56.15"
    assert results.total == [Decimal(t) for t in ("82.15", "99", "98", "85", "80", "75")]
    assert results.score_grade == ["tot", "xuat_sac", "xuat_sac", "tot", "tot", "tot"]
    assert results.grade == ["tot", "xuat_sac", "tot", "tot", "tot", "tot"]
