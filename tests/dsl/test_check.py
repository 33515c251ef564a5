"""The checker: every error and warning a policy officer can meet, on small rule files."""

from __future__ import annotations

import dataclasses
import unicodedata
from pathlib import Path

import pytest

from chamdiem.dsl.check import check
from chamdiem.dsl.diagnostics import Diagnostic, render, render_all
from chamdiem.dsl.parser import parse
from chamdiem.dsl.pipeline import check_source
from chamdiem.dsl.syntax import HeaderClause, Module

HEADER = """ruleset t "Thử nghiệm"
  subject person
  period quarter
  effective 2026-01-01
end
"""

GRADES = """
grades
  tot "Tốt" when total >= 7
  dat "Đạt" otherwise
end
"""

# The complete example of the language design (§1), verbatim.
DESIGN_EXAMPLE = (Path(__file__).parent / "golden" / "ok_design_example.rules").read_text(
    encoding="utf-8"
)


def diagnose(body: str, *, header: str = HEADER, grades: str = GRADES) -> list[Diagnostic]:
    """Parse and check HEADER + body + GRADES; the parse must succeed."""
    module, diagnostics = check_source(header + body + grades, "t.rules")
    parse_errors = [d for d in diagnostics if d.code.startswith("P")]
    assert not parse_errors, render_all(parse_errors, module.source, "t.rules")
    return diagnostics


def codes(body: str, **kwargs: str) -> list[str]:
    return [d.code for d in diagnose(body, **kwargs)]


def the(body: str, code: str, **kwargs: str) -> Diagnostic:
    """The one diagnostic with `code`."""
    found = [d for d in diagnose(body, **kwargs) if d.code == code]
    assert len(found) == 1, [(d.code, d.message.en) for d in diagnose(body, **kwargs)]
    return found[0]


def shown(diagnostic: Diagnostic, source: str = "", language: str = "vi") -> str:
    return render(diagnostic, source, "t.rules", "vi" if language == "vi" else "en")


ONE_CRITERION = """
input a : number 0..10
group g "G" max 10
  criterion c "C" max 10 = {expr}
end
"""


def criterion(expr: str, extra: str = "") -> str:
    return extra + ONE_CRITERION.format(expr=expr)


# ---------------------------------------------------------------- clean files


def test_design_example_checks_without_any_diagnostic() -> None:
    module, diagnostics = check_source(DESIGN_EXAMPLE, "example.rules")
    assert module.ruleset is not None
    assert diagnostics == []


def test_small_clean_file_has_no_diagnostics() -> None:
    assert diagnose(criterion("a")) == []


def test_check_source_sorts_by_position() -> None:
    body = criterion("b + c2", extra="let z = y\n")
    diagnostics = diagnose(body)
    positions = [(d.span.line, d.span.column) for d in diagnostics if d.span]
    assert positions == sorted(positions)


def test_parse_errors_and_check_errors_come_together() -> None:
    source = HEADER + "let x = (1 +\n" + criterion("nope") + GRADES
    _, diagnostics = check_source(source, "t.rules")
    found = {d.code[0] for d in diagnostics if d.is_error}
    assert found == {"P", "E"}


def test_a_broken_declaration_does_not_cause_whole_file_alarms() -> None:
    # The group fails to parse: no "scale is 0", no "unused input", no unreachable grade.
    body = 'input a : number 0..10\ngroup g "G" max 10\n  criterion c "C" max = a\nend\n'
    _, diagnostics = check_source(HEADER + body + GRADES, "t.rules")
    assert [d.code[0] for d in diagnostics] == ["P"]


def test_without_header_only_the_header_is_reported() -> None:
    _, diagnostics = check_source(criterion("nope") + GRADES, "t.rules")
    assert [d.code for d in diagnostics] == ["E001"]


def test_broken_header_is_left_to_the_parser() -> None:
    source = HEADER.replace("subject person", "subject people") + criterion("nope") + GRADES
    _, diagnostics = check_source(source, "t.rules")
    assert diagnostics and all(d.code.startswith("P") for d in diagnostics)


# ---------------------------------------------------------------- header


def test_missing_header_reported_by_check_itself() -> None:
    module, _ = parse(criterion("a") + GRADES, "t.rules")
    assert [d.code for d in check(module) if d.is_error] == ["E001"]


def test_missing_required_clauses() -> None:
    header = 'ruleset t "T"\n  effective 2026-01-01\nend\n'
    found = [d for d in diagnose(criterion("a"), header=header) if d.code == "E002"]
    assert sorted(d.message.en for d in found) == [
        "the header lacks the required clause `period`",
        "the header lacks the required clause `subject`",
    ]
    assert all(d.span is not None and d.span.line == 1 for d in found)


@pytest.mark.parametrize(
    ("clause", "english"),
    [
        ("until 2025-06-30", "the end date 2025-06-30 must be after the effective date"),
        ("until 2026-01-01", "the end date 2026-01-01 must be after the effective date"),
        ("precision 7", "precision must be a whole number from 0 to 6"),
        ("scale 0", "scale must be a number greater than 0"),
    ],
)
def test_bad_header_values(clause: str, english: str) -> None:
    header = HEADER.replace("end\n", f"  {clause}\nend\n")
    found = the(criterion("a"), "E003", header=header)
    assert found.message.en.startswith(english)
    assert found.span is not None and found.span.line == 5


def test_header_values_the_parser_cannot_rule_out() -> None:
    module, _ = parse(HEADER + criterion("a") + GRADES, "t.rules")
    assert module.ruleset is not None
    clauses = tuple(
        HeaderClause("subject", "animal", c.span) if c.key == "subject" else c
        for c in module.ruleset.clauses
    )
    broken = dataclasses.replace(
        module, ruleset=dataclasses.replace(module.ruleset, clauses=clauses)
    )
    assert [d.code for d in check(broken)] == ["E003"]


def test_scale_must_match_group_maxima() -> None:
    header = HEADER.replace("end\n", "  scale 100\nend\n")
    found = the(criterion("a"), "W001", header=header)
    assert found.message.en == "the group maxima add up to 10, not to the scale 100"


def test_default_scale_is_the_sum_of_group_maxima() -> None:
    body = criterion("a") + 'bonus b "B" max 5\n  criterion cb "CB" max 5 = 1\nend\n'
    assert "W001" not in codes(body)


def test_no_group_and_no_scale() -> None:
    found = the("input a : number\n", "E040")
    assert "scale is 0" in found.message.en


# ---------------------------------------------------------------- names


def test_duplicate_name_points_at_the_second_with_a_note_of_the_first() -> None:
    found = the(criterion("a", extra="let a = 1\n"), "E004")
    assert found.span is not None and found.span.line == 8  # the input comes after the let
    assert found.hints[0].en == "first declared on line 6, column 5"


def test_one_namespace_for_every_kind() -> None:
    body = criterion("a") + 'group a2 "G2" max 1\n  criterion tot "T" max 1 = 1\nend\n'
    found = the(body, "E004")
    assert found.message.en == "the name `tot` is already used by a criterion"


def test_duplicate_item_field() -> None:
    body = criterion("count(sp)", extra='items sp "SP"\n  x : number\n  x : bool\nend\n')
    assert "E004" in codes(body)


@pytest.mark.parametrize("name", ["score_grade", "đơn_vị", "là_người_đứng_đầu", "mã"])
def test_reserved_names(name: str) -> None:
    found = the(criterion("a", extra=f"input {name} : number\n"), "E005")
    assert f"`{name}` is a reserved name" in found.message.en


def test_function_names_are_reserved() -> None:
    found = the(criterion("a + ratio", extra="let ratio = 2\n"), "E005")
    assert "function" in found.message.en


def test_unknown_name_suggests_the_spelling_with_diacritics() -> None:
    body = criterion("diem_thuong", extra="input điểm_thưởng : number 0..10\n")
    found = the(body, "E006")
    assert found.message.vi == "tên `diem_thuong` chưa được khai báo"
    assert found.message.en == "`diem_thuong` is not declared"
    assert found.hints[0].vi == "có phải ý bạn là `điểm_thưởng`?"


def test_unknown_name_suggests_close_spellings() -> None:
    found = the(criterion("chinh_tr"), "E006", grades=GRADES).hints
    assert found == ()  # nothing close enough
    hints = the(criterion("chinh_tr", extra="input chinh_tri : number\n"), "E006").hints
    assert hints[0].en == "did you mean `chinh_tri`?"


def test_builtin_attributes_and_aliases_are_known() -> None:
    body = criterion('if is_head and đơn_vị == "A" and position_group != mã then 1 else 0')
    assert [d for d in diagnose(body) if d.is_error] == []


# ---------------------------------------------------------------- types


@pytest.mark.parametrize(
    ("expr", "code", "fragment"),
    [
        ("a + t", "E012", "a number is needed, but `t` is text"),
        ("-b", "E012", "the `-` sign: a number is needed, but `b` is true/false"),
        ("if a then 1 else 0", "E013", "the `if` condition: true/false is needed"),
        ("if not a then 1 else 0", "E013", "`not`: true/false is needed"),
        ("if b and a then 1 else 0", "E013", "`and`: true/false is needed"),
        ("if a == t then 1 else 0", "E014", "cannot compare a number (`a`) with text (`t`)"),
        ('if t < "b" then 1 else 0', "E014", "`<` compares numbers, dates and grades"),
        ("if d > 2026-01-01 then 1 else 0", None, ""),
        ('if e == "z" then 1 else 0', "E015", '"z" is not one of the choices: "x", "y"'),
        ('if "x" != e then 1 else 0', None, ""),
        ('if b then 1 else "x"', "E016", "both branches of `if` must have one type"),
        ("t", "E012", "a number is needed, but `t` is text"),
        ("b", "E012", "a number is needed, but `b` is true/false"),
        ("tot", "E012", "a number is needed, but `tot` is a grade"),
        ("if tot > dat then 1 else 0", None, ""),
        ("if tot > 1 then 1 else 0", "E014", "cannot compare a grade (`tot`) with a number"),
    ],
)
def test_types(expr: str, code: str | None, fragment: str) -> None:
    extra = 'input t : text\ninput b : bool\ninput d : date\ninput e : one of "x", "y"\n'
    errors = [d for d in diagnose(criterion(expr, extra=extra)) if d.is_error]
    if code is None:
        assert errors == []
    else:
        assert [d.code for d in errors] == [code]
        assert fragment in errors[0].message.en


def test_enum_suggestion_for_a_near_choice() -> None:
    body = criterion('if e == "Nu" then 1 else 0', extra='input e : one of "Nam", "Nữ"\n')
    assert the(body, "E015").hints[0].en == "did you mean `Nữ`?"


def test_let_cannot_be_a_list() -> None:
    body = criterion("a", extra='items sp "SP"\n  x : number\nend\nlet l = sp\n')
    found = the(body, "E017")
    assert "`sp` is a list" in found.message.en


def test_whole_list_in_sum_asks_for_a_field() -> None:
    body = criterion("sum(sp)", extra='items sp "SP"\n  x : number\nend\n')
    assert "e.g. sum(sp.x)" in the(body, "E017").message.en


def test_criterion_and_total_must_be_numbers() -> None:
    assert codes(criterion("a", extra="total = a > 1\n")) == ["E012"]


# ---------------------------------------------------------------- items and aggregates

ITEMS = """items sp "Sản phẩm"
  he_so : number > 0
  xong : bool
  loi : count = 0
end
items viec "Việc"
  gio : number >= 0
end
"""


@pytest.mark.parametrize(
    "expr",
    [
        "sum(sp.he_so)",
        "sum(sp.he_so where sp.xong)",
        "sum(sp.he_so * max(0, 1 - 25% * sp.loi) where sp.xong)",
        "count(sp)",
        "count(sp where sp.xong and a > 1)",
        "count(sp.xong)",
        "mean(sp.he_so, if_empty: 0) + min(sp.he_so, if_empty: a) + max(viec.gio, if_empty: 0)",
        "sum(sp.he_so * a)",
        "if any(sp.xong) or all(sp.loi == 0) then 1 else 0",
    ],
)
def test_valid_aggregates(expr: str) -> None:
    body = criterion(expr, extra=ITEMS)
    assert [d for d in diagnose(body) if d.is_error] == []


@pytest.mark.parametrize(
    ("expr", "code", "fragment"),
    [
        ("sp.he_so", "E018", "`sp.he_so` has one value per element"),
        ("sum(sp.he_so where viec.gio > 0)", "E019", "it already reads `sp`, not also `viec`"),
        ("sum(sum(sp.he_so))", "E020", "cannot be nested inside `sum`"),
        ("sum(a)", "E021", "must read an items list, e.g. sum(sp.he_so)"),
        ("count(a > 1)", "E021", "must read an items list"),
        ("sum(sp.hs)", "E007", "the list `sp` has no field `hs`"),
        ("a.b", "E007", "`a` is not an items list"),
        ("sum(sp.xong)", "E012", "the aggregate `sum`: a number is needed"),
        ("if any(sp.he_so) then 1 else 0", "E013", "the aggregate `any`: true/false is needed"),
        ("sum(sp.he_so where sp.he_so)", "E013", "the `where` condition"),
        ("sum(sp.he_so, sp.loi)", "E009", "the aggregate `sum` takes exactly 1 argument, not 2"),
    ],
)
def test_aggregate_errors(expr: str, code: str, fragment: str) -> None:
    errors = [d for d in diagnose(criterion(expr, extra=ITEMS)) if d.is_error]
    assert [d.code for d in errors] == [code], [d.message.en for d in errors]
    assert fragment in errors[0].message.en


def test_unknown_field_suggests_the_right_one() -> None:
    found = the(criterion("sum(sp.he_sô)", extra=ITEMS), "E007")
    assert found.hints[0].en == "did you mean `he_so`?"


# ---------------------------------------------------------------- functions


@pytest.mark.parametrize(
    ("expr", "code", "fragment"),
    [
        ("foo(a)", "E008", "there is no function `foo`"),
        ("clamp(a, 1)", "E009", "`clamp` takes 3 arguments, not 2"),
        ("floor(a, 1)", "E009", "`floor` takes 1 arguments, not 2"),
        ("ratio(a, 2, if_empty: 0)", "E010", "the function `ratio` has no argument `if_empty`"),
        ("ratio(a, 2, if_zero: 0, if_zero: 1)", "E010", "the argument `if_zero` is given twice"),
        ("max(a, 2, if_empty: 0)", "E010", "the function `max` has no argument `if_empty`"),
        ("round(a, 11)", "E011", "the places of `round` must be a whole number from 0 to 10"),
        ("round(a, 1.5)", "E011", "the places of `round`"),
        ("round(a, a)", "E011", "the places of `round`"),
        ("ratio(a, t)", "E012", "`ratio`: a number is needed, but `t` is text"),
        ("ratio(a, 2, if_zero: t)", "E012", "`if_zero`: a number is needed"),
        ("mean(periods(r).total)", "E024", "the header must name it in `needs`"),
    ],
)
def test_function_errors(expr: str, code: str, fragment: str) -> None:
    errors = [d for d in diagnose(criterion(expr, extra="input t : text\n")) if d.is_error]
    assert [d.code for d in errors] == [code], [d.message.en for d in errors]
    assert fragment in errors[0].message.en


def test_unknown_function_suggests_a_known_one() -> None:
    assert the(criterion("ratoi(a, 2)"), "E008").hints[0].en == "did you mean `ratio`?"


def test_where_on_a_plain_function() -> None:
    found = the(criterion("abs(a where a > 1)"), "E010")
    assert "`where` belongs to aggregates" in found.message.en


def test_valid_functions() -> None:
    expr = "min(a, 1, 2) + max(a, 0) + clamp(a, 0, 5) + round(a / 3, 2) + floor(a) + ceil(a)"
    expr += " + abs(a - 5) + ratio(a, a, if_zero: 0)"
    assert [d for d in diagnose(criterion(f"0 * ({expr})")) if d.is_error] == []


# ---------------------------------------------------------------- grade, total, cycles


@pytest.mark.parametrize(
    "place",
    [
        "let x = grade >= tot\n",
        "let x = score_grade == tot\n",
        'veto "v" when grade < tot: grade at most dat\n',
    ],
)
def test_grade_is_circular_outside_quotas(place: str) -> None:
    found = the(criterion("a", extra=place), "E022")
    assert "here it would depend on itself" in found.message.en


def test_total_is_usable_in_lets_and_vetoes() -> None:
    body = criterion("a", extra="let x = total * 2\n") + (
        'veto "v" when total < x: grade at most dat\n'
    )
    assert [d for d in diagnose(body) if d.is_error] == []


def test_cycle_between_lets_names_the_whole_cycle() -> None:
    body = criterion("a", extra="let x = y + 1\nlet y = z * 2\nlet z = x\n")
    found = the(body, "E025")
    assert found.message.en.startswith("dependency cycle: `x` → `y` → `z` → `x`")
    assert found.span is not None and found.span.line == 6


def test_cycle_through_a_criterion_and_its_group() -> None:
    found = the(criterion("a + g", extra=""), "E025")
    assert "`g` → `c` → `g`" in found.message.en


def test_cycle_through_total() -> None:
    found = the(criterion("a + x", extra="let x = total / 2\n"), "E025")
    assert found.message.en.startswith("dependency cycle: `x` → `total` → `g` → `c` → `x`")


def test_self_reference() -> None:
    assert "`x` → `x`" in the(criterion("a", extra="let x = x + 1\n"), "E025").message.en


def test_values_only_for_tests_are_rejected_in_formulas() -> None:
    assert codes(criterion("a", extra="let x = not applicable\nlet y = [1]\n")).count("E023") == 2


# ---------------------------------------------------------------- bands


BAND = """band a
    >= 9 -> 10
    >= 7 -> 8
    5..7 -> 5
    else -> 0
  end"""


def test_valid_band() -> None:
    assert diagnose(criterion(BAND)) == []


def test_band_without_else() -> None:
    found = the(criterion("band a\n    >= 5 -> 10\n  end"), "E026")
    assert "lacks an `else -> …` row" in found.message.en


@pytest.mark.parametrize(
    ("rows", "line"),
    [
        (">= 7 -> 8\n >= 9 -> 10", 2),  # the lower threshold first
        (">= 5 -> 8\n >= 5 -> 10", 2),
        (">= 5 -> 8\n 6..8 -> 10", 2),  # a range covered by an earlier row
        ("< 3 -> 1\n <= 2 -> 10", 2),
        ("1..5 -> 1\n 6..9 -> 2\n 2..5 -> 3", 3),
        (">= p -> 1\n > p -> 2", 2),  # a param with one value is a constant
        ("3..1 -> 1", 1),  # an empty range
    ],
)
def test_unreachable_band_rows(rows: str, line: int) -> None:
    body = criterion(f"band a\n {rows}\n else -> 0\n end", extra="param p = 5\n")
    found = the(body, "E027")
    assert found.span is not None and found.span.line == 10 + line


def test_band_rows_with_values_known_only_later_are_not_judged() -> None:
    body = criterion("band a\n >= b -> 1\n >= b -> 2\n else -> 0\n end", extra="input b : number\n")
    assert "E027" not in codes(body)


def test_band_types() -> None:
    body = criterion('band a\n >= d -> 1\n >= 5 -> "x"\n else -> 0\n end', extra="input d : date\n")
    assert [d.code for d in diagnose(body) if d.is_error] == ["E012", "E016"]


def test_band_subject_must_be_a_number() -> None:
    assert "E012" in codes(criterion("band (a > 1)\n >= 1 -> 1\n else -> 0\n end"))


# ---------------------------------------------------------------- grades


def test_no_grades_block() -> None:
    found = the(criterion("a"), "E028", grades="")
    assert found.message.en == "the file has no `grades … end` block"


def test_one_grade_is_not_enough() -> None:
    assert (
        "at least two grades"
        in the(criterion("a"), "E028", grades="grades\n  a1 otherwise\nend\n").message.en
    )


def test_two_grades_blocks() -> None:
    assert "E028" in codes(criterion("a") + GRADES)


def test_otherwise_must_be_last() -> None:
    grades = 'grades\n  a1 "A" otherwise\n  a2 "B" when total >= 5\nend\n'
    found = [d for d in diagnose(criterion("a"), grades=grades) if d.code == "E029"]
    assert [d.message.en.split(";")[0].split(",")[0] for d in found] == [
        "the grade `a1` uses `otherwise` but is not the last",
        "the last grade `a2` must be `otherwise`",
    ]


def test_duplicate_grade_names() -> None:
    grades = "grades\n  a1 when total >= 5\n  a1 otherwise\nend\n"
    assert "E004" in codes(criterion("a"), grades=grades)


def test_grade_condition_must_be_bool() -> None:
    grades = "grades\n  a1 when total\n  a2 otherwise\nend\n"
    assert "E013" in codes(criterion("a"), grades=grades)


def test_grade_behind_a_lower_threshold_is_never_reached() -> None:
    grades = "grades\n  tot when total >= 7\n  xs when total >= 9\n  dat otherwise\nend\n"
    found = the(criterion("a"), "W004", grades=grades)
    assert found.message.en.startswith("the grade `xs` can never be reached: every total")


def test_grade_above_the_scale_is_never_reached() -> None:
    grades = "grades\n  xs when total > 10\n  dat otherwise\nend\n"
    found = the(criterion("a"), "W004", grades=grades)
    assert "cannot hold while the total lies in [0; 10]" in found.message.en


def test_grades_with_other_conditions_are_not_judged() -> None:
    grades = "grades\n  xs when total >= 7 and a > 5\n  tot when total >= 7\n  dat otherwise\nend\n"
    assert "W004" not in codes(criterion("a"), grades=grades)


def test_last_grade_covered_by_earlier_ones() -> None:
    grades = "grades\n  tot when total >= 5\n  kem when total < 5\n  dat otherwise\nend\n"
    found = the(criterion("a"), "W004", grades=grades)
    assert "`dat` (otherwise) can never be reached" in found.message.en


def test_a_grade_given_by_a_veto_is_not_unreachable() -> None:
    grades = "grades\n  tot when total >= 0\n  dat otherwise\nend\n"
    body = criterion("a") + 'veto "v" when a > 9: grade at most dat\n'
    assert "W004" not in codes(body, grades=grades)


# ---------------------------------------------------------------- vetoes


def test_veto_cap_must_be_a_grade() -> None:
    body = criterion("a") + 'veto "v" when a > 1: grade at most a\n'
    assert "must be a grade, but `a` is a input" in the(body, "E030").message.en


def test_veto_cap_unknown_grade_suggests() -> None:
    body = criterion("a") + 'veto "v" when a > 1: grade at most tott\n'
    assert the(body, "E006").hints[0].en == "did you mean `tot`?"


def test_veto_condition_must_be_bool() -> None:
    assert "E013" in codes(criterion("a") + 'veto "v" when a: grade at most dat\n')


def test_unit_result_needs_a_needs_clause() -> None:
    body = criterion("a") + 'veto "v" when is_head: grade at most unit_result(co_quan).grade\n'
    assert "must name it in `needs`" in the(body, "E024").message.en
    header = HEADER.replace("end\n", "  needs co_quan\nend\n")
    assert [d for d in diagnose(body, header=header) if d.is_error] == []
    other = body.replace("co_quan)", "khac)")
    assert "not listed in the header's `needs`" in the(other, "E024", header=header).message.en


# ---------------------------------------------------------------- quotas

QUOTA_BASE = criterion("a", extra="input nhom : text\ninput so : number\nparam ty_le = 20%\n")
QGRADES = """
grades
  xs "XS" when total >= 9
  tot "Tốt" when total >= 7
  dat "Đạt" otherwise
end
"""


def quota(text: str) -> list[Diagnostic]:
    return [d for d in diagnose(QUOTA_BASE + text, grades=QGRADES) if d.is_error]


def test_valid_quota() -> None:
    text = (
        "quota xs at most 20% of count(grade >= tot) per unit, nhom\n"
        "  rank by total desc, c desc, score_grade asc\n  demote to tot\nend\n"
        "quota xs at most ty_le of count(score_grade == xs and is_head) + 1 demote to dat end\n"
    )
    assert quota(text) == []


@pytest.mark.parametrize(
    ("text", "code", "fragment"),
    [
        ("quota xs at most 20% of 10 demote to xs end", "E031", "must be worse than `xs`"),
        ("quota tot at most 20% of 10 demote to xs end", "E031", "must be worse than `tot`"),
        (
            "quota c at most 20% of 10 demote to dat end",
            "E030",
            "the quota's grade must be a grade",
        ),
        ("quota xs at most 120% of 10 demote to dat end", "E032", "not 120%"),
        ("quota xs at most so of 10 demote to dat end", "E032", "a percentage written out"),
        ("quota xs at most 20% of 10 per a demote to dat end", "E033", "`a` is neither"),
        ("quota xs at most 20% of 10 per unit, đơn_vị demote to dat end", "E033", "already"),
        ("quota xs at most 20% of 10 rank by nhom demote to dat end", "E034", "a rank key"),
        ("quota xs at most 20% of total demote to dat end", "E035", "`total` is a value per"),
        ("quota xs at most 20% of count(a) demote to dat end", "E013", "`count` in a quota"),
        ("quota xs at most 20% of count(grade) demote to dat end", "E013", "`count` in a quota"),
    ],
)
def test_quota_errors(text: str, code: str, fragment: str) -> None:
    errors = quota(text)
    assert [d.code for d in errors] == [code], [d.message.en for d in errors]
    assert fragment in errors[0].message.en


def test_quota_count_of_each_subjects_items_is_rejected() -> None:
    text = "quota xs at most 20% of count(sp) demote to dat end"
    errors = [d for d in diagnose(ITEMS + QUOTA_BASE + text, grades=QGRADES) if d.is_error]
    assert [d.code for d in errors] == ["E035"]


# ---------------------------------------------------------------- params and inputs


@pytest.mark.parametrize(
    ("decl", "code", "fragment"),
    [
        ('param p = "x"', "E036", "a param's value must be a number, true/false or a date"),
        ("param p = a", "E036", "written out"),
        ("param p = 1 from 2026-01-01, true from 2026-07-01", "E036", "must have one type"),
        (
            "param p = 1 from 2026-07-01, 2 from 2026-01-01",
            "E037",
            "the `from` dates must increase",
        ),
        ('input e : one of "x", "x"', "E038", 'the choice "x" is listed twice'),
        ("input e : text 0..5", "E038", "only number, count and percent inputs"),
        ("input e : number 5..1", "E038", "the range is empty"),
        ("input e : bool = 1", "E039", "the default of `e` is not valid: needs true/false"),
        ("input e : count = 1.5", "E039", "a whole number ≥ 0 is needed"),
        ("input e : count = -1", "E039", "a whole number ≥ 0 is needed"),
        ("input e : number 0..10 = 11", "E039", "11 is outside the range 0..10"),
        ("input e : number > 0 = 0", "E039", "0 is outside the range > 0"),
        ('input e : one of "x" = "y"', "E039", 'needs one of "x"'),
        ("input e : date = 5", "E039", "needs a date"),
        ('input e : text = "ok"', None, ""),
        ("input e : percent 0..100% = 50%", None, ""),
    ],
)
def test_param_and_input_errors(decl: str, code: str | None, fragment: str) -> None:
    errors = [d for d in diagnose(criterion("a", extra=decl + "\n")) if d.is_error]
    if code is None:
        assert errors == []
    else:
        assert [d.code for d in errors] == [code], [d.message.en for d in errors]
        assert fragment in errors[0].message.en


@pytest.mark.parametrize(
    ("decl", "fragment"),
    [
        ('group g2 "G" max 0\n  criterion c2 "C" max 1 = 1\nend', "the maximum of the group"),
        ('group g2 "G" max 1\n  criterion c2 "C" max 0 = 1\nend', "the maximum of the criterion"),
        ('group g2 "G" max 1\nend', "the group `g2` has no criteria"),
    ],
)
def test_group_errors(decl: str, fragment: str) -> None:
    header = HEADER.replace("end\n", "  scale 10\nend\n")
    errors = [d for d in diagnose(criterion("a") + decl + "\n", header=header) if d.is_error]
    assert [d.code for d in errors] == ["E040"]
    assert fragment in errors[0].message.en


def test_total_declared_twice() -> None:
    assert "E046" in codes(criterion("a") + "total = g\ntotal = g\n")


# ---------------------------------------------------------------- tests inside rule files

TEST_BASE = criterion(
    "a",
    extra=(
        'input b : bool = false\ninput e : one of "x", "y" = "x"\n'
        + ITEMS
        + "let l = sum(sp.he_so) + sum(viec.gio)\n"
    ),
).replace("= a\n", '= a + l * 0 + (if b and e == "x" then 0 else 0)\n')


def errors_with(text: str) -> list[Diagnostic]:
    return [d for d in diagnose(TEST_BASE + text) if d.is_error]


def test_valid_test_blocks() -> None:
    text = (
        'test "một"\n  given a = 5, b = true, e = "y", unit = "P1", is_head = false\n'
        "  given sp = [{he_so: 1, xong: true}, {he_so: 2.5, xong: false, loi: 1}]\n"
        "  expect c = 5, total = 5, grade = dat, score_grade = dat, l = 3.5, g = 5\n"
        '  expect a = 5, e = "y"\nend\n'
        'test "nhiều"\n  given b = true\n  subject A given a = 1\n  subject B given a = 2\n'
        "  expect A: grade = dat, total = 1\n  expect B: flag tie_at_quota\nend\n"
    )
    assert errors_with(text) == []


@pytest.mark.parametrize(
    ("text", "code", "fragment"),
    [
        ("given a = 11", "E039", "the value given for `a` is not valid: 11 is outside"),
        ('given a = 1, e = "z"', "E039", 'needs one of "x", "y"'),
        ("given a = 1, zz = 1", "E006", "`zz` is not declared"),
        ("given a = 1, l = 2", "E041", "`l` is a let, which the rules compute"),
        ("given a = 1, a = 2", "E041", "`a` is already given a value here"),
        ("given a = 1, unit = 5", "E039", "`unit` needs a string"),
        ("given a = 1, sp = 5", "E039", "`sp` is a list"),
        ("given a = 1, sp = [{he_so: 0, xong: true}]", "E039", "0 is outside the range > 0"),
        ("given a = 1, sp = [{he_so: 1}]", "E042", "lacks required fields (no default): `xong`"),
        ("given a = 1, sp = [{he_so: 1, xong: true, x: 1}]", "E007", "has no field `x`"),
        ("given a = 1, sp = [{he_so: 1, xong: true, he_so: 2}]", "E041", "already has a value"),
        ("given a = 1, sp = [5]", "E039", "each element of the list"),
        ("given b = true", "E042", "the test gives no value for required inputs"),
        ('given a = 1\n  expect total = "x"', "E043", "`total` is a number"),
        ("given a = 1\n  expect c = not applicable", None, ""),
        ("given a = 1\n  expect g = not applicable", "E043", "only a criterion can be"),
        ("given a = 1\n  expect grade = xs", "E006", "the grade `xs` is not declared"),
        ("given a = 1\n  expect grade = 5", "E030", "must be the name of a grade"),
        ("given a = 1\n  expect p = 5", "E006", "`p` is not declared"),
        ("given a = 1\n  expect tot = 5", "E043", "`tot` is a grade"),
        ("given a = 1\n  expect c = a", "E043", "must be a number written out"),
        ("given a = 1\n  expect c = 10 / 2", "E043", "must be a number written out"),
        ("given a = 1\n  expect c = 1, c = 2", "E043", "already given in this test"),
        ("given a = 1\n  expect flag tie", "E045", "there is no flag `tie`"),
        ("given a = 1\n  expect A: total = 1", "E044", "has no subject `A`"),
        ("subject A given a = 1\n  expect total = 1", "E044", "name the subject"),
        ("subject A given a = 1\n  expect B: total = 1", "E044", "the test has no subject `B`"),
        ("subject A given a = 1\n  subject A given a = 2", "E044", "already in this test"),
        ("subject A given b = true", "E042", "the subject `A` gives no value"),
    ],
)
def test_test_block_errors(text: str, code: str | None, fragment: str) -> None:
    errors = errors_with(f'test "t"\n  {text}\nend\n')
    if code is None:
        assert errors == []
        return
    assert [d.code for d in errors] == [code], [d.message.en for d in errors]
    assert fragment in errors[0].message.en


# ---------------------------------------------------------------- range warnings


@pytest.mark.parametrize(
    ("expr", "extra", "code", "fragment"),
    [
        ("a * 2", "", "W002", "gives values in [0; 20]"),
        ("a - 3", "", "W003", "gives values in [-3; 7]"),
        ("if a > 5 then 10 else a * 3", "", "W002", "[0; 15]"),
        ("band a\n >= 9 -> 12\n else -> 0\n end", "", "W002", "[0; 12]"),
        ("band a\n >= 5 -> a\n else -> a * 3\n end", "", "W002", "[0; 15)"),
        ("mean(sp.loi, if_empty: 0)", ITEMS.replace("count = 0", "count 0..20 = 0"), "W002", ""),
        ("round(a * 1.004, 2)", "", "W002", "[0; 10.04]"),
        ("11", "", "W002", "[11; 11]"),
    ],
)
def test_criterion_range_warnings(expr: str, extra: str, code: str, fragment: str) -> None:
    found = the(criterion(expr, extra=extra), code)
    assert fragment in found.message.en
    assert found.severity == "warning"


@pytest.mark.parametrize(
    "expr",
    [
        "a",
        "if a > 5 then 10 else a * 2",  # the else branch only sees a <= 5
        "band a\n >= 9 -> 10\n >= 5 -> a\n else -> a * 2\n end",
        "a - a + 5",  # a used twice: the estimate is loose, so no warning
        "10 * ratio(s, s + 1, if_zero: 0)",
        "sum(sp.he_so)",  # unbounded above: cannot tell
        "clamp(a * 3, 0, 10)",
        "5 - n",  # n has no upper bound: cannot tell
    ],
)
def test_no_range_warning_when_it_cannot_happen_or_cannot_be_told(expr: str) -> None:
    extra = ITEMS + "input n : count\nlet s = sum(sp.he_so)\n"
    found = [d.code for d in diagnose(criterion(expr, extra=extra)) if d.code in ("W002", "W003")]
    assert found == []


@pytest.mark.parametrize(
    ("expr", "warned"),
    [
        ("a / (b - 5)", True),
        ("a / n", True),  # a count can be 0
        ("a / l", True),  # an empty list sums to 0
        ("a / (b + 1)", False),
        ("sum(sp.loi / sp.he_so)", False),  # he_so > 0
        ("ratio(a, b - 5, if_zero: 0)", False),
        ("a / (b - b)", False),  # cannot tell from intervals
        ("a / 2", False),
    ],
)
def test_divisor_that_can_be_zero(expr: str, warned: bool) -> None:
    extra = ITEMS + "input b : number 0..10\ninput n : count\nlet l = sum(sp.he_so)\n"
    found = [d for d in diagnose(criterion(f"0 * ({expr})", extra=extra)) if d.code == "W007"]
    assert len(found) == (1 if warned else 0)
    if warned:
        assert found[0].message.en.startswith("the divisor can be 0")


def test_unused_inputs_lists_and_lets() -> None:
    body = criterion("a", extra='input z : number\nitems sp "SP"\n  x : number\nend\nlet q = 1\n')
    found = {(d.code, d.message.en) for d in diagnose(body)}
    assert found == {
        ("W005", "the input `z` is not used by any formula"),
        ("W005", "the list `sp` is not used by any formula"),
        ("W006", "`let q` is not used anywhere"),
    }


def test_criteria_maxima_below_group_maximum() -> None:
    body = 'input a : number 0..5\ngroup g "G" max 10\n  criterion c "C" max 5 = a\nend\n'
    found = the(body, "W008", grades="grades\n  t when total >= 4\n  d otherwise\nend\n")
    assert "add up to at most 5" in found.message.en


# ---------------------------------------------------------------- robustness


def test_all_problems_reported_in_one_run() -> None:
    body = criterion(
        "diem + band a\n >= 5 -> 1\n end",
        extra="let x = y\nlet y = x\ninput t : text = 5\n",
    )
    found = {d.code for d in diagnose(body)}
    assert {"E006", "E025", "E026", "E039"} <= found


def test_nfd_source_gives_the_same_diagnostics_at_the_same_places() -> None:
    body = criterion("điểm_thưởng + điểm_phạt", extra="input điểm_thưởng : number 0..10\n")
    source = HEADER + body + GRADES
    nfc_module, nfc = check_source(source, "t.rules")
    nfd_module, nfd = check_source(unicodedata.normalize("NFD", source), "t.rules")
    assert nfc == nfd
    assert render_all(nfd, nfd_module.source, "t.rules") == render_all(
        nfc, nfc_module.source, "t.rules"
    )
    assert [d.span.column for d in nfd if d.span and d.is_error] == [42]


def test_english_messages() -> None:
    found = the(criterion("diem"), "E006")
    text = render(found, HEADER + criterion("diem") + GRADES, "t.rules", "en")
    assert text.splitlines()[0] == "t.rules:9:28: error: `diem` is not declared"


def test_check_never_raises_on_partial_files() -> None:
    """Every file the parser can build from a damaged example is checked without a crash."""
    lines = DESIGN_EXAMPLE.splitlines(keepends=True)
    for i in range(len(lines)):
        module, _ = parse("".join(lines[:i] + lines[i + 1 :]), "t.rules")
        assert all(isinstance(d, Diagnostic) for d in check(module))
    for length in range(0, len(DESIGN_EXAMPLE), 97):
        module, _ = parse(DESIGN_EXAMPLE[:length], "t.rules")
        assert all(isinstance(d, Diagnostic) for d in check(module))


def test_check_does_not_change_the_module() -> None:
    module, _ = parse(DESIGN_EXAMPLE, "t.rules")
    before = Module(module.path, module.source, module.ruleset, module.declarations, ())
    check(module)
    assert before.declarations == module.declarations


# ---------------------------------------------------------------- multi-level rule sets

NEEDS = HEADER.replace("end\n", "  needs cong_chuc_quy, co_quan_nam\nend\n")


def linked(expr: str, extra: str = "") -> list[Diagnostic]:
    return [d for d in diagnose(criterion(expr, extra=extra), header=NEEDS) if d.is_error]


@pytest.mark.parametrize(
    "expr",
    [
        "if count(subordinates(cong_chuc_quy) where grade == dat) > 0 then 0 else a",
        "mean(periods(cong_chuc_quy).total, if_empty: 0) / 10",
        "10 * ratio(count(members(cong_chuc_quy) where grade >= tot and graded), "
        "count(members(cong_chuc_quy)), if_zero: 0)",
        "mean(members(cong_chuc_quy).diem_rieng, if_empty: 0)",  # a value of the needed set
        "if unit_result(co_quan_nam).grade >= tot then a else 0",
        "result(co_quan_nam).total / 10",
    ],
)
def test_reading_needed_rule_sets(expr: str) -> None:
    assert linked(expr) == []


@pytest.mark.parametrize(
    ("expr", "code", "fragment"),
    [
        ("count(members(khac))", "E024", "`khac` is not listed in the header's `needs`"),
        ("members(cong_chuc_quy).total", "E018", "has one value per result"),
        ("sum(members(cong_chuc_quy))", "E017", "sum(members(cong_chuc_quy).total)"),
        ("result(co_quan_nam)", "E017", "read one of its fields"),
        ("count(members(cong_chuc_quy, co_quan_nam))", "E009", "exactly one argument"),
        ("unit_result(co_quan_nam).grade", "E012", "a number is needed"),
    ],
)
def test_reading_needed_rule_sets_wrongly(expr: str, code: str, fragment: str) -> None:
    errors = linked(expr)
    assert [d.code for d in errors] == [code], [d.message.en for d in errors]
    assert fragment in errors[0].message.en


def test_veto_capped_by_the_units_grade() -> None:
    body = criterion("a") + 'veto "v" when is_head: grade at most unit_result(co_quan_nam).grade\n'
    assert [d for d in diagnose(body, header=NEEDS) if d.is_error] == []
    wrong = body.replace(".grade", ".total")
    assert "must be a grade, but" in the(wrong, "E030", header=NEEDS).message.en


def test_stand_in_results_in_tests() -> None:
    test = (
        'test "t"\n  given a = 1\n'
        "  given subordinates(cong_chuc_quy) = [{total: 80, grade: tot}, {diem: 3}]\n"
        "  given unit_result(co_quan_nam) = {grade: dat}\nend\n"
    )
    assert [d for d in diagnose(criterion("a") + test, header=NEEDS) if d.is_error] == []
    bad = (
        'test "t"\n  given a = 1\n  given members(khac) = [{total: 1}]\n'
        '  given periods(cong_chuc_quy) = {total: "x"}\n  given ketqua(co_quan_nam) = {}\nend\n'
    )
    errors = [d for d in diagnose(criterion("a") + bad, header=NEEDS) if d.is_error]
    assert [(d.code, d.span.line if d.span else 0) for d in errors] == [
        ("E024", 14),
        ("E039", 15),
        ("E041", 16),
    ]


def test_applies_when_and_exclude_need_conditions() -> None:
    header = HEADER.replace("end\n", "  applies when a\nend\n")
    body = criterion("a") + 'exclude "ít tháng" when a + 1\n'
    errors = [d for d in diagnose(body, header=header) if d.is_error]
    assert [(d.code, d.message.en.split(":")[0]) for d in errors] == [
        ("E013", "the `applies when` condition"),
        ("E013", "the `when` condition"),
    ]
