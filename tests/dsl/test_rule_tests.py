"""`chamdiem test`: the `test` blocks of a rule file, run by the evaluator `eval` uses.

Regressions of issue 18: constructs that `check` accepts and `eval` computes must not crash a
test; expectations compare exactly; a test may pick its period.
"""

from __future__ import annotations

from fractions import Fraction

from chamdiem.dsl import Program, load_source, ranges, testing
from chamdiem.dsl.format import format_source
from chamdiem.dsl.numeric import Num
from chamdiem.dsl.parser import parse
from chamdiem.dsl.rounding import round_half_away
from chamdiem.dsl.semantic_diff import diff_modules

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
  given periods(dv_quy) = [{bi_ky_luat: true}, {bi_ky_luat: false},
                           {bi_ky_luat: true}, {bi_ky_luat: false}]
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


# ---------------------------------------------------------------- exact expectations

MONTHLY = """
ruleset kpi "KPI tháng"
  subject person
  period month
  effective 2026-01-01
end

input a : number 0..10
param he_so = 1 from 2026-01-01, 2 from 2026-07-01 "Hệ số, đổi từ tháng 7"
let r = a / 6
let x = a / 25
let k = a * he_so
group g "G" max 10
  criterion c "C" max 10 = a
end
grades
  tot "Tốt" when total >= 9
  khong "Không" otherwise
end
"""


def monthly(tests: str) -> Program:
    return load_source(MONTHLY + tests, "kpi.rules")


def test_an_expected_number_is_compared_exactly() -> None:
    """`expect r = 1` used to pass for r = 5/6 (rounded to the places written), and
    `expect x = 0` for 0.2."""
    program = monthly(
        """
test "tròn"
  given a = 5
  expect r = 1, x = 0
end
test "gần đúng"
  given a = 5
  expect r = 0.83, x = 0.3
end
"""
    )
    assert failures(program.run_tests()) == [
        "tròn: dòng 23: kỳ vọng r = 1, thực tế 5/6 = 0.8333…; viết `expect round(r, 0) = 1` "
        "nếu ý là giá trị đã làm tròn",
        "tròn: dòng 23: kỳ vọng x = 0, thực tế 0.2; viết `expect round(x, 0) = 0` nếu ý là "
        "giá trị đã làm tròn",
        "gần đúng: dòng 27: kỳ vọng r = 0.83, thực tế 5/6 = 0.8333…; viết "
        "`expect round(r, 2) = 0.83` nếu ý là giá trị đã làm tròn",
        "gần đúng: dòng 27: kỳ vọng x = 0.3, thực tế 0.2",
    ]
    english = [f.en for o in program.run_tests() for f in o.failures]
    assert english[2] == (
        "line 27: expected r = 0.83, got 5/6 = 0.8333…; write `expect round(r, 2) = 0.83` if "
        "the rounded value is meant"
    )


def test_rounded_and_tolerant_expectations() -> None:
    program = monthly(
        """
kiểm thử "làm tròn, sai số"
  cho a = 5
  kỳ vọng round(r, 2) = 0.83, r = 0.83 sai số 0.01, x = 0.21 sai số 0.01
  kỳ vọng round(x, 0) = 0
hết
test "sai số quá nhỏ"
  given a = 5
  expect r = 0.83 within 0.001, round(r, 3) = 0.834
end
"""
    )
    assert failures(program.run_tests()) == [
        "sai số quá nhỏ: dòng 28: kỳ vọng r = 0.83 sai số 0.001, thực tế 5/6 = 0.8333…",
        "sai số quá nhỏ: dòng 28: kỳ vọng round(r, 3) = 0.834, thực tế 5/6 = 0.83333…",
    ]


def test_a_failure_shows_all_the_digits_of_a_decimal_that_ends() -> None:
    program = monthly('test "t"\n  given a = 3.125\n  expect x = 0.12\nend\n')
    (message,) = failures(program.run_tests())
    assert message == "t: dòng 22: kỳ vọng x = 0.12, thực tế 0.125"


# ---------------------------------------------------------------- the period of a test


def test_a_test_picks_its_period_on_both_sides_of_a_dated_param() -> None:
    program = monthly(
        """
test "trước tháng 7 (kỳ mặc định: 2026-01)"
  given a = 5
  expect k = 5
end
test "tháng 6"
  period 2026-06
  given a = 5
  expect k = 5
end
kiểm thử "tháng 7"
  kỳ 2026-07
  cho a = 5
  kỳ vọng k = 10
hết
"""
    )
    assert failures(program.run_tests()) == []


def test_the_default_period_starts_on_or_after_effective() -> None:
    program = load_source(
        MONTHLY.replace("effective 2026-01-01", "effective 2026-06-15").replace(
            "2 from 2026-07-01", "2 from 2026-06-15"
        )
        + 'test "mặc định"\n  given a = 5\n  expect k = 10\nend\n',
        "kpi.rules",
    )
    (test,) = program.tests
    assert testing.test_period(program, test).code == "2026-07"
    assert failures(program.run_tests()) == []


def test_a_period_written_badly_is_a_syntax_error() -> None:
    _, diagnostics = parse(MONTHLY + 'test "t"\n  period 2026-7\n  expect total = 0\nend\n')
    assert [d.code for d in diagnostics] == ["P014"]
    _, diagnostics = parse(MONTHLY + 'test "t"\n  period 2026 -07\n  expect total = 0\nend\n')
    assert [d.code for d in diagnostics] == ["P014"]


def test_fmt_prints_period_round_and_within_canonically() -> None:
    source = MONTHLY + (
        'test "t"\n    period   2026-q3\n  given a = 5\n'
        "  expect   round( r ,2 ) = 0.83,r = 0.83   within 0.01\nend\n"
        'kiểm thử "v"\n  kỳ 2026\n  kỳ vọng r = 0.8 sai   số 0.1\nhết\n'
    )
    out = format_source(source)
    assert (
        'test "t"\n  period 2026-Q3\n  given a = 5\n'
        "  expect round(r, 2) = 0.83, r = 0.83 within 0.01\nend\n"
    ) in out
    assert 'kiểm thử "v"\n  kỳ 2026\n  kỳ vọng r = 0.8 sai số 0.1\nhết\n' in out
    assert format_source(out) == out


def test_the_semantic_diff_sees_a_new_period_or_tolerance_of_a_test() -> None:
    old = MONTHLY + 'test "t"\n  given a = 5\n  expect r = 0.83 within 0.01\nend\n'
    for new in (
        old.replace("within 0.01", "within 0.001"),
        old.replace("within 0.01", ""),
        old.replace('test "t"\n', 'test "t"\n  period 2026-07\n'),
        old.replace("expect r = 0.83", "expect round(r, 2) = 0.83"),
    ):
        changes = diff_modules(parse(old)[0], parse(new)[0])
        assert [(c.kind, c.entity, c.name) for c in changes] == [("changed", "test", "t")]
    same = old.replace("within 0.01", "sai   số 0.01")
    assert diff_modules(parse(old)[0], parse(same)[0]) == []


# ---------------------------------------------------------------- one rounding (issue 16)


def test_a_rounded_expectation_rounds_exactly_just_below_a_half() -> None:
    """0.005 − 10⁻³¹ rounds to 0 at two places, as the evaluator and the range analysis
    round it; through 28-digit Decimal it would have become 0.01."""
    just_below = "0.0049999999999999999999999999999"
    assert Fraction(just_below) == Fraction(5, 1000) - Fraction(1, 10**31)
    assert round_half_away(Fraction(just_below), 2) == 0
    assert testing.round_half_away is ranges.round_half_away is round_half_away
    column, _ = Num.from_values([Fraction(just_below)])
    assert column.round_half_away(2).to_fraction(0) == 0
    program = load_source(
        MONTHLY.replace("let r = a / 6", "let r = a")
        + f'test "ngay dưới nửa"\n  given a = {just_below}\n'
        + "  expect round(r, 2) = 0\nend\n"
        + f'test "không phải 0.01"\n  given a = {just_below}\n'
        + "  expect round(r, 2) = 0.01\nend\n",
        "kpi.rules",
    )
    assert failures(program.run_tests()) == [
        "không phải 0.01: dòng 26: kỳ vọng round(r, 2) = 0.01, thực tế "
        "0.0049999999999999999999999999999",
    ]
