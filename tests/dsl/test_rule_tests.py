"""`chamdiem test`: the `test` blocks of a rule file, run by the evaluator `eval` uses.

Regressions of issue 18: constructs that `check` accepts and `eval` computes must not crash a
test; expectations compare exactly; a test may pick its period.
"""

from __future__ import annotations

from chamdiem.dsl import Program, load_source
from chamdiem.dsl import testing

YEARLY = """
ruleset dv_nam "Năm"
  subject person
  period year
  effective 2026-01-01
  needs dv_quy
end

grades
  tot "Tốt" when total >= 9
  khong "Không" otherwise
end
"""


def yearly(body: str) -> Program:
    return load_source(YEARLY + body, "nam.rules")


def failures(outcomes: list[testing.TestOutcome]) -> list[str]:
    return [f"{o.name}: {f.vi}" for o in outcomes for f in o.failures]


# ---------------------------------------------------------------- crashes of issue 18, item 2


def test_a_bool_let_of_a_linked_rule_set_is_read_on_the_row() -> None:
    """`count(periods(R) where bi_ky_luat)`: the name is R's let, read on each period's row
    (it used to be looked up on the subject: KeyError)."""
    program = yearly(
        """
let so_ky_luat = count(periods(dv_quy) where bi_ky_luat)
group g "G" max 10
  criterion c "C" max 10 = 10 - so_ky_luat
end
test "hai quý bị kỷ luật"
  given periods(dv_quy) = [{bi_ky_luat: true}, {bi_ky_luat: false}, {bi_ky_luat: true}, {bi_ky_luat: false}]
  expect so_ky_luat = 2, total = 8
end
"""
    )
    assert failures(program.run_tests()) == []


def test_any_over_an_empty_stand_in_is_false() -> None:
    """`any(periods(R).x)` with no period given (it used to be a TypeError: a number column
    where a boolean one was expected)."""
    program = yearly(
        """
let co_loi = any(periods(dv_quy).bi_ky_luat)
let so_quy = count(periods(dv_quy))
group g "G" max 10
  criterion c "C" max 10 = if co_loi then 0 else 10
end
test "không có quý nào"
  given periods(dv_quy) = []
  expect co_loi = false, so_quy = 0, total = 10
end
"""
    )
    assert failures(program.run_tests()) == []


def test_a_linked_bool_compared_with_true() -> None:
    """`… == đúng` on a linked bool, with rows and without (it used to be a TypeError:
    cannot compare Num with ndarray)."""
    program = yearly(
        """
let dem = count(periods(dv_quy) với bi_ky_luat == đúng)
let q_nay = result(dv_quy).bi_ky_luat == đúng
group g "G" max 10
  criterion c "C" max 10 = if q_nay then 0 else 10 - dem
end
test "có quý"
  given periods(dv_quy) = [{bi_ky_luat: true}, {bi_ky_luat: true}]
  given result(dv_quy) = {bi_ky_luat: false}
  expect dem = 2, q_nay = false, total = 8
end
test "không có quý nào"
  given result(dv_quy) = {bi_ky_luat: true}
  expect dem = 0, q_nay = true, total = 0
end
"""
    )
    assert failures(program.run_tests()) == []


def test_a_field_no_stand_in_gives_is_a_test_failure_not_a_crash() -> None:
    program = yearly(
        """
let dem = count(periods(dv_quy) where bi_ky_luat)
group g "G" max 10
  criterion c "C" max 10 = 10 - dem
end
test "thiếu trường"
  given periods(dv_quy) = [{total: 8}]
  expect dem = 0
end
"""
    )
    (message,) = failures(program.run_tests())
    assert "thiếu trường `bi_ky_luat`" in message
