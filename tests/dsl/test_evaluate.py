"""Evaluation semantics: exact arithmetic, grades, vetoes, quotas, rescaling, errors."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from chamdiem.dsl import Cohort, EvaluationError, ItemTable, Program, load_file, load_source

HEADER = """
ruleset t "Thử nghiệm"
  subject person
  period quarter
  effective 2026-01-01
  {extra}
end
"""

GRADES = """
grades
  xuat_sac "Hoàn thành xuất sắc" when total >= 90
  tot "Hoàn thành tốt" when total >= 70
  hoan_thanh "Hoàn thành" when total >= 50
  khong "Không hoàn thành" otherwise
end
"""


def rules(body: str, extra: str = "") -> Program:
    return load_source(HEADER.format(extra=extra) + body, "t.rules")


def one(program: Program, **inputs: object) -> Cohort:
    return Cohort(codes=["A"], inputs={k: [v] for k, v in inputs.items()})


def test_decimal_sums_are_exact() -> None:
    program = rules(
        """
input a : number
input b : number
let s = a + b
let third = a / 3 * 3
group g "G" max 100
  criterion c "C" max 100 = s * 100
end
"""
        + GRADES
    )
    results = program.evaluate(one(program, a=Decimal("0.1"), b=Decimal("0.2")))
    assert results.value_column("s") == ["0.3"]
    assert results.value_column("third") == ["0.1"]
    # 0.3 * 100 is exactly 30, not 30.000000000000004
    assert results.total == [Decimal("30.00")]


def test_points_adding_to_ninety_reach_the_threshold() -> None:
    program = rules(
        """
input a : number 0..30
input b : number 0..70
group chung "Chung" max 30
  criterion ca "A" max 30 = a
end
group nv "Nhiệm vụ" max 70
  criterion cb "B" max 70 = b
end
"""
        + GRADES
    )
    cohort = Cohort(
        codes=["exact", "below"],
        inputs={"a": [Decimal("20.1"), Decimal("20.1")], "b": [Decimal("69.9"), Decimal("69.89")]},
    )
    results = program.evaluate(cohort)
    assert results.total == [Decimal("90.00"), Decimal("89.99")]
    assert results.grade == ["xuat_sac", "tot"]


def test_criterion_rounds_half_away_from_zero() -> None:
    program = rules(
        """
input a : number
group g "G" max 100
  criterion c "C" max 100 = a
  criterion d "D" max 100 = a / 3
end
"""
        + GRADES
    )
    results = program.evaluate(Cohort(codes=["x", "y"], inputs={"a": [Decimal("2.675"), 2]}))
    assert results.value_column("c") == ["2.68", "2.00"]
    # 2/3 = 0.666… rounds to 0.67, 2.675/3 = 0.891666… to 0.89
    assert results.value_column("d") == ["0.89", "0.67"]


def test_criterion_is_held_within_zero_and_its_max() -> None:
    program = rules(
        """
input a : number
group g "G" max 10
  criterion c "C" max 10 = a
end
"""
        + GRADES
    )
    results = program.evaluate(Cohort(codes=["hi", "lo"], inputs={"a": [15, -3]}))
    assert results.value_column("c") == ["10.00", "0.00"]


def test_veto_caps_grade_but_keeps_points() -> None:
    program = rules(
        """
input a : number 0..100
input ky_luat : bool = false
group g "G" max 100
  criterion c "C" max 100 = a
end
"""
        + GRADES
        + 'veto "Bị kỷ luật" when ky_luat: grade at most khong\n'
    )
    cohort = Cohort(codes=["p", "q"], inputs={"a": [95, 95], "ky_luat": [True, None]})
    results = program.evaluate(cohort)
    assert results.total == [Decimal("95.00"), Decimal("95.00")]
    assert results.score_grade == ["xuat_sac", "xuat_sac"]
    assert results.grade == ["khong", "xuat_sac"]
    assert results.record(0)["vetoes"] == ["Bị kỷ luật"]
    assert results.record(1)["vetoes"] == []


QUOTA = (
    """
input a : number 0..100
input b : number 0..100 = 0
let d = b
group g "G" max 100
  criterion c "C" max 100 = a
end
"""
    + GRADES
    + """
quota xuat_sac at most 20% of count(grade >= tot) per unit
  rank by total desc, d desc
  demote to tot
end
"""
)


def test_quota_keeps_the_best_ranked_per_unit() -> None:
    program = rules(QUOTA, extra="scale 100")
    # Unit U1: 11 people graded tot or better -> 20% of 11 = 2.2 -> 2 keep xuat_sac.
    totals = [99, 95, 92, 91, 80, 80, 80, 80, 80, 80, 80]
    # Unit U2: 5 graded tot or better -> 1 keeps xuat_sac; unit U3: 4 -> 0.8 -> none.
    totals2 = [93, 96, 60, 75, 75, 80]
    totals3 = [99, 75, 75, 75]
    cohort = Cohort(
        codes=[f"u1_{i}" for i in range(11)]
        + [f"u2_{i}" for i in range(6)]
        + [f"u3_{i}" for i in range(4)],
        inputs={"a": totals + totals2 + totals3},
        units=["U1"] * 11 + ["U2"] * 6 + ["U3"] * 4,
    )
    results = program.evaluate(cohort)
    grades = dict(zip(results.codes, results.grade, strict=True))
    assert [grades[f"u1_{i}"] for i in range(4)] == ["xuat_sac", "xuat_sac", "tot", "tot"]
    assert grades["u2_1"] == "xuat_sac" and grades["u2_0"] == "tot"
    assert grades["u2_2"] == "hoan_thanh"
    assert grades["u3_0"] == "tot"
    assert all(not results.flags(i) for i in range(len(results)))


def test_quota_tie_at_the_cut_demotes_and_flags_all_tied() -> None:
    program = rules(QUOTA, extra="scale 100")
    # 10 graded tot or better -> 2 may keep xuat_sac; ranks 2 and 3 tie on every key.
    totals = [97, 94, 94, 91, 80, 80, 80, 80, 80, 80]
    cohort = Cohort(codes=[f"p{i}" for i in range(10)], inputs={"a": totals}, units=["U"] * 10)
    results = program.evaluate(cohort)
    assert results.grade[:4] == ["xuat_sac", "tot", "tot", "tot"]
    assert results.flags(1) == ["tie_at_quota"] and results.flags(2) == ["tie_at_quota"]
    assert results.flags(0) == [] and results.flags(3) == []


def test_second_rank_key_breaks_a_tie() -> None:
    program = rules(QUOTA, extra="scale 100")
    totals = [97, 94, 94, 80, 80, 80, 80, 80, 80, 80]
    cohort = Cohort(
        codes=[f"p{i}" for i in range(10)],
        inputs={"a": totals, "b": [0, 1, 2, 0, 0, 0, 0, 0, 0, 0]},
        units=["U"] * 10,
    )
    results = program.evaluate(cohort)
    assert results.grade[:3] == ["xuat_sac", "tot", "xuat_sac"]
    assert not any(results.flags(i) for i in range(10))


def test_rescaled_group_and_not_applicable_criterion() -> None:
    program = rules(
        """
input giao_ho_so : bool = true
input a : number 0..10
input b : number 0..30
group nv "Nhiệm vụ" max 40 rescale
  criterion ca "A" max 10 = a
  criterion cb "B" max 30 applies when giao_ho_so = b
end
"""
        + GRADES,
        extra="scale 40",
    )
    cohort = Cohort(
        codes=["full", "partial"],
        inputs={"giao_ho_so": [True, False], "a": [5, 5], "b": [Decimal("22.5"), 0]},
    )
    results = program.evaluate(cohort)
    assert results.value_column("cb") == ["22.50", None]
    # full: 5 + 22.5 = 27.5 of 40; partial: only A applies: 5 * 40 / 10 = 20
    assert results.value_column("nv") == ["27.50", "20.00"]
    assert results.record(1)["values"]["cb"] is None  # type: ignore[index]


def test_division_by_zero_names_the_subject() -> None:
    program = rules(
        """
input a : number
input b : number
let q = a / b
let safe = if b == 0 then 0 else a / b
group g "G" max 100
  criterion c "C" max 100 = safe
end
"""
        + GRADES
    )
    cohort = Cohort(codes=["ok", "bad"], inputs={"a": [1, 1], "b": [4, 0]})
    with pytest.raises(EvaluationError) as caught:
        program.evaluate(cohort)
    problems = caught.value.problems
    assert [(p.subject, p.name) for p in problems] == [("bad", "q")]
    assert "chia cho 0" in problems[0].message.vi


def test_guarded_division_is_not_an_error() -> None:
    program = rules(
        """
input a : number
input b : number
group g "G" max 100
  criterion c "C" max 100 = if b == 0 then 0 else a / b
  criterion d "D" max 100 = ratio(a, b, if_zero: 7)
end
"""
        + GRADES
    )
    results = program.evaluate(Cohort(codes=["z"], inputs={"a": [1], "b": [0]}))
    assert results.value_column("c") == ["0.00"] and results.value_column("d") == ["7.00"]


def test_missing_required_input_is_an_error_not_a_zero() -> None:
    program = rules(
        """
input a : number 0..10
input b : number 0..10 = 5
group g "G" max 20
  criterion c "C" max 20 = a + b
end
"""
        + GRADES
    )
    with pytest.raises(EvaluationError) as caught:
        program.evaluate(Cohort(codes=["x", "y"], inputs={"a": [1, None], "b": [None, 1]}))
    assert [(p.subject, p.name) for p in caught.value.problems] == [("y", "a")]


def test_value_outside_declared_range_is_an_error() -> None:
    program = rules(
        """
input a : number 0..10
group g "G" max 20
  criterion c "C" max 20 = a
end
"""
        + GRADES
    )
    with pytest.raises(EvaluationError) as caught:
        program.evaluate(Cohort(codes=["x", "y"], inputs={"a": [Decimal("10.01"), 10]}))
    assert [p.subject for p in caught.value.problems] == ["x"]
    assert "0..10" in caught.value.problems[0].message.vi


ITEMS = (
    """
items sp "Sản phẩm"
  he_so : number > 0
  xong : bool
  loi : count = 0
end
let giao = sum(sp.he_so)
let dat = sum(sp.he_so * max(0, 1 - 25% * sp.loi) where sp.xong)
let so_sp = count(sp)
let tb = mean(sp.he_so, if_empty: 0)
group g "G" max 100
  criterion c "C" max 100 = 100 * ratio(dat, giao, if_zero: 0)
end
"""
    + GRADES
)


def test_item_aggregates_with_where_and_empty_lists() -> None:
    program = rules(ITEMS)
    cohort = Cohort(
        codes=["a", "b", "none"],
        inputs={},
        items={
            "sp": ItemTable(
                owner=[1, 0, 0, 1, 0],
                fields={
                    "he_so": [2, 1, 3, Decimal("0.5"), Decimal("1.5")],
                    "xong": [True, True, True, False, False],
                    "loi": [None, 1, 0, 0, 0],
                },
            )
        },
    )
    results = program.evaluate(cohort)
    # a: items 1 (he_so 1, 1 error), 3, 1.5 (not done): giao 5.5, dat 0.75 + 3 = 3.75
    assert results.value_column("giao") == ["5.5", "2.5", "0"]
    assert results.value_column("dat") == ["3.75", "2", "0"]
    assert results.value_column("so_sp") == ["3", "2", "0"]
    assert results.value_column("tb") == ["1.8333333333", "1.25", "0"]
    # 100 * 3.75 / 5.5 = 68.1818… -> 68.18
    assert results.value_column("c") == ["68.18", "80.00", "0.00"]


def test_band_first_hit_and_ranges() -> None:
    program = rules(
        """
input d : number 0..10
group g "G" max 25
  criterion cl "Chất lượng" max 25 = band d
    >= 9 -> 25
    7..8.99 -> 20
    > 5 -> 12
    else -> 0
  end
end
"""
        + GRADES,
        extra="scale 25",
    )
    values = [10, 9, Decimal("8.99"), 7, Decimal("5.01"), 5, 0]
    results = program.evaluate(Cohort(codes=[str(v) for v in values], inputs={"d": values}))
    assert results.value_column("cl") == [
        "25.00",
        "25.00",
        "20.00",
        "20.00",
        "12.00",
        "0.00",
        "0.00",
    ]


def test_effective_dated_parameter_takes_the_value_in_force() -> None:
    from datetime import date

    program = rules(
        """
param he_so = 10 from 2026-01-01, 20 from 2026-07-01
input a : number 0..1
group g "G" max 100
  criterion c "C" max 100 = a * he_so
end
"""
        + GRADES
    )
    cohort = Cohort(codes=["x"], inputs={"a": [1]})
    assert program.evaluate(cohort, period_start=date(2026, 4, 1)).total == [Decimal("10.00")]
    assert program.evaluate(cohort, period_start=date(2026, 7, 1)).total == [Decimal("20.00")]


def test_explanation_names_inputs_rule_lines_and_vetoes() -> None:
    program = rules(
        """
input a : number 0..100 "Điểm A"
input ky_luat : bool = false
let nhan_doi = a * 2
group g "Nhóm G" max 100
  criterion c "Tiêu chí C" max 100 = nhan_doi / 2
end
"""
        + GRADES
        + 'veto "Bị kỷ luật" when ky_luat: grade at most khong\n'
    )
    cohort = Cohort(codes=["NV01"], inputs={"a": [Decimal("91.5")], "ky_luat": [True]})
    results = program.evaluate(cohort)
    text = program.explain(cohort, results, 0, "vi")
    assert "c «Tiêu chí C»: 91.50 / 100" in text
    assert "a = 91.5" in text and "nhan_doi = 183" in text
    assert "dòng 13: = nhan_doi / 2" in text
    assert "Loại trừ" in text and "Bị kỷ luật" in text
    assert text.splitlines()[-1].startswith("Kết quả xếp loại: khong")
    english = program.explain(cohort, results, 0, "en")
    assert "Final grade: khong" in english


def test_design_example_runs_its_own_tests() -> None:
    program = load_file(Path(__file__).parent / "examples" / "design_example.rules")
    outcomes = program.run_tests()
    assert outcomes and all(o.passed for o in outcomes), [o.failures for o in outcomes]


def test_failing_rule_test_reports_expected_and_actual() -> None:
    program = rules(
        """
input a : number 0..100
group g "G" max 100
  criterion c "C" max 100 = a
end
"""
        + GRADES
        + """
test "sai kỳ vọng"
  given a = 89.99
  expect total = 90, grade = xuat_sac
end
"""
    )
    (outcome,) = program.run_tests()
    assert not outcome.passed
    messages = [f.vi for f in outcome.failures]
    assert any("kỳ vọng total = 90, thực tế 89.99" in m for m in messages)
    assert any("kỳ vọng grade = xuat_sac, thực tế tot" in m for m in messages)


def test_applies_when_selects_subjects_from_column_data() -> None:
    import numpy as np

    from chamdiem.dsl import ScaledColumn

    program = rules(
        """
input a : number 0..100
group g "G" max 100
  criterion c "C" max 100 = a
end
"""
        + GRADES,
        extra="applies when is_head",
    )
    cohort = Cohort(
        codes=["p", "head", "q", "head2"],
        inputs={"a": ScaledColumn(np.array([9100, 9550, 7000, 6025]), 2)},
        is_head=[False, True, False, True],
        units=["U1", "U1", "U2", "U2"],
    )
    assert program.applicable(cohort) == [1, 3]
    results = program.evaluate(cohort)
    assert results.codes == ["head", "head2"]
    assert results.total == [Decimal("95.50"), Decimal("60.25")]
    assert results.cohort is not None and results.cohort.codes == ["head", "head2"]
    text = program.explain(results.cohort, results, 1, "en")
    assert "a = 60.25" in text
