"""`chamdiem fmt`: the canonical layout is stable, keeps the meaning, every comment and the
author's keyword language, and breaks long lines."""

from __future__ import annotations

import random
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from chamdiem.dsl import keywords
from chamdiem.dsl import syntax as s
from chamdiem.dsl.diagnostics import has_errors
from chamdiem.dsl.format import WIDTH, FormatError, format_expr, format_source
from chamdiem.dsl.parser import parse, tokens
from chamdiem.dsl.semantic_diff import structure

ROOT = Path(__file__).resolve().parents[2]
RULE_FILES = sorted(
    p
    for p in ROOT.rglob("*.rules")
    if not any(part.startswith(".") or part in ("node_modules", "site") for part in p.parts)
)
DESIGN = ROOT / "tests" / "dsl" / "examples" / "design_example.rules"
GOLDEN = ROOT / "tests" / "dsl" / "golden"
HEADER = 'ruleset r "t"\n  subject person\n  period quarter\n  effective 2026-01-01\nend\n\n'


def fmt(source: str) -> str:
    return format_source(source, "x.rules")


def comment_texts(module: s.Module) -> Counter[str]:
    return Counter(c.text.rstrip() for c in module.comments)


def assert_same_meaning(before: str, after: str) -> None:
    old, problems = parse(before)
    new, new_problems = parse(after)
    assert not problems and not new_problems
    assert structure(new, keep_text=True) == structure(old, keep_text=True)
    assert comment_texts(new) == comment_texts(old)


def keyword_languages(source: str) -> Counter[tuple[str, str]]:
    """(terminal, 'en'|'vi') of every keyword token."""
    found: Counter[tuple[str, str]] = Counter()
    for terminal, text, _span in tokens(source):
        keyword = keywords.BY_TERMINAL.get(terminal)
        if keyword is not None:
            language = "en" if " ".join(text.split()) == keyword.english else "vi"
            found[(terminal, language)] += 1
    return found


# ---------------------------------------------------------------- every rule file


def test_the_repository_has_rule_files_to_check() -> None:
    assert DESIGN in RULE_FILES and len(RULE_FILES) >= 3


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_rule_file_formats_stably_and_keeps_its_meaning(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    if path.parent == GOLDEN and has_errors(parse(source, path.name)[1]):
        # A golden file of a syntax error: the formatter refuses it, changing nothing.
        with pytest.raises(FormatError):
            fmt(source)
        return
    once = fmt(source)
    assert fmt(once) == once
    assert_same_meaning(source, once)
    assert keyword_languages(once).keys() == keyword_languages(source).keys()


def test_the_design_example_is_already_almost_canonical() -> None:
    source = DESIGN.read_text(encoding="utf-8")
    out = fmt(source)
    # the example's own layout survives: the broken formula, aligned grades, the band-free header
    assert (
        '  criterion ket_qua "Số lượng, chất lượng, tiến độ" max 70 =\n'
        "    70 * (ratio(xong, giao, if_zero: 0) + ratio(dat, giao, if_zero: 0)\n"
        "          + ratio(dung_han, giao, if_zero: 0)) / 3\n"
        "end\n"
    ) in out
    assert '  tot        "Hoàn thành tốt nhiệm vụ"      when total >= 70\n' in out
    assert "input doi_moi    : number 0..10 " in out


# ---------------------------------------------------------------- layout

MESSY = """\
# header comment
ruleset   r   "Thử"   # trailing
  subject person
    period quarter
  effective 2026-01-01
end
input a:number 0..10 "A"
input bb : count>=1 = 0
let x = ((a+bb))*(2)
let y = a-(bb-1)
let z = (a-bb)-1



group g "G" max 10 criterion c1 "C" max 10 = band a >= 5 -> 10 else -> 0 end end
grades xs "Xuất sắc" when total>=9 k otherwise end
"""

MESSY_FORMATTED = """\
# header comment
ruleset r "Thử"  # trailing
  subject person
  period quarter
  effective 2026-01-01
end

input a  : number 0..10   "A"
input bb : count >= 1 = 0

let x = (a + bb) * 2
let y = a - (bb - 1)
let z = a - bb - 1

group g "G" max 10
  criterion c1 "C" max 10 = band a
    >= 5 -> 10
    else -> 0
  end
end

grades
  xs "Xuất sắc" when total >= 9
  k             otherwise
end
"""


def test_a_messy_file_gets_the_canonical_layout() -> None:
    assert fmt(MESSY) == MESSY_FORMATTED
    assert fmt(MESSY_FORMATTED) == MESSY_FORMATTED


def test_blank_lines_collapse_to_one_and_separate_kinds() -> None:
    out = fmt(HEADER + "input a : number\n\n\n\ninput b : number\ninput c : number\nlet d = a\n")
    assert "input a : number\n\ninput b : number\ninput c : number\n\nlet d = a\n" in out


def test_number_text_and_optional_words_are_kept_as_written() -> None:
    source = HEADER + (
        "input a : number\nlet x = 0.50 * a + 25% + 100.0\n"
        "grades\n  t when total >= 1\n  k otherwise\nend\n"
        "quota t at most 20% of count(grade >= t)\n  rank by total desc, a\n"
        "  demote to k\n  round down\nend\n"
    )
    out = fmt(source)
    assert "let x = 0.50 * a + 25% + 100.0\n" in out
    assert "  rank by total desc, a\n  demote to k\n  round down\nend\n" in out


def test_long_expressions_break_before_operators_within_the_width() -> None:
    names = [f"mot_gia_tri_kha_dai_{i}" for i in range(12)]
    source = HEADER + "".join(f"input {n} : number\n" for n in names)
    source += "let tong = " + " + ".join(names) + "\n"
    out = fmt(source)
    let_lines = out[out.index("let tong") :].splitlines()
    assert let_lines[0] == "let tong ="
    assert all(len(line) <= WIDTH for line in let_lines)
    assert all(line.startswith("  ") for line in let_lines[1:])
    assert any(line.lstrip().startswith("+ ") for line in let_lines[2:])
    assert_same_meaning(source, out)


def test_a_long_given_line_is_split_into_several() -> None:
    values = ", ".join(f"gia_tri_so_{i} = {i}" for i in range(15))
    source = HEADER + f'test "t"\n  given {values}\n  expect total = 1\nend\n'
    out = fmt(source)
    given_lines = [line for line in out.splitlines() if line.startswith("  given ")]
    assert len(given_lines) >= 2 and all(len(line) <= WIDTH for line in given_lines)
    assert_same_meaning(source, out)


# ---------------------------------------------------------------- comments

COMMENTED = (
    HEADER
    + """\
# before the input
input a : number  # after the input
let x = a +  # inside a formula
  # alone inside a formula
  1
group g "G" max 10
  # before the criterion
  criterion c "C" max 10 = a  # after the criterion
  # before end
end
test "t"
  given s = [  # after the bracket
    {a: 1},
    # before the second record
    {a: 2}
  ]
end
# at the end
"""
)


def test_every_comment_is_kept_next_to_its_code() -> None:
    out = fmt(COMMENTED)
    assert_same_meaning(COMMENTED, out)
    lines = out.splitlines()
    assert lines[lines.index("input a : number  # after the input") - 1] == "# before the input"
    # comments from inside a joined formula: the full-line one before it, the trailing one after
    let = lines.index("let x = a + 1  # inside a formula")
    assert lines[let - 1] == "# alone inside a formula"
    criterion = lines.index('  criterion c "C" max 10 = a  # after the criterion')
    assert lines[criterion - 1] == "  # before the criterion"
    assert lines[criterion + 1 : criterion + 3] == ["  # before end", "end"]
    assert "  given s = [  # after the bracket" in lines
    record = lines.index("    {a: 2}")
    assert lines[record - 1] == "    # before the second record"
    assert lines[-1] == "# at the end"
    assert fmt(out) == out


def test_trailing_comments_of_neighbouring_lines_are_aligned() -> None:
    out = fmt(HEADER + "input a : number # one\ninput long_name : number # two\n")
    assert "input a         : number  # one\ninput long_name : number  # two\n" in out


# ---------------------------------------------------------------- keyword language


def test_vietnamese_keywords_stay_vietnamese() -> None:
    source = (ROOT / "tests" / "dsl" / "fixtures" / "example_vi.rules").read_text("utf-8")
    out = fmt(source)
    assert keyword_languages(out) == keyword_languages(source)
    # the fixture's only English keyword is the function `max(…)`, which stays so
    english = [t for (t, language), n in keyword_languages(out).items() if language == "en"]
    assert english == ["MAX"]
    assert "đặt dung_han = sum(san_pham.he_so * max(0, 1 - 25% * san_pham.cham_tre)" in out
    assert "xếp hạng theo tổng điểm giảm dần, ket_qua giảm dần\n" in out
    assert "hạn mức xuat_sac tối đa là 20% trên số đếm(mức >= tot) theo tập thể" in out


def test_mixed_keywords_keep_the_language_of_each_word() -> None:
    source = (
        'bộ tiêu chí r "t"\n  đối tượng cá nhân\n  kì quý\n  effective 2026-01-01\nhết\n'
        "đầu vào a : number\ninput b : số\nđặt x = max(a, b) và  not  a\n"
    )
    out = fmt(source)
    assert 'bộ tiêu chí r "t"\n  đối tượng cá nhân\n  kỳ quý\n  effective 2026-01-01\nhết\n' in out
    assert "đầu vào a : number\n" in out and "input b   : số\n" in out
    assert "đặt x = max(a, b) và not a\n" in out  # multi-word spacing normalised, `kì` -> `kỳ`


# ---------------------------------------------------------------- errors


def test_a_file_with_syntax_errors_is_not_formatted() -> None:
    with pytest.raises(FormatError) as caught:
        fmt(HEADER + "let x = = 1\n")
    error = caught.value
    assert error.diagnostics and error.diagnostics[0].span is not None
    assert error.diagnostics[0].span.line == 7
    assert "x.rules:7:9: error:" in error.render("en")


def test_empty_and_comment_only_files() -> None:
    assert fmt("") == ""
    assert fmt("\n\n# only a comment   \n\n") == "# only a comment\n"


# ---------------------------------------------------------------- random trees

Z = s.Span(1, 1, 1, 1, 0, 0)
NAMES = st.sampled_from(["a", "b", "điểm", "total", "grade", "mot_ten_rat_dai_cho_mot_gia_tri_x"])
ATOMS = st.one_of(
    st.builds(lambda n: s.Number(Decimal(n), str(n), False, Z), st.integers(0, 99)),
    st.builds(lambda n: s.Number(Decimal(n) / 100, f"{n}%", True, Z), st.integers(0, 99)),
    st.builds(lambda n: s.Name(n, Z), NAMES),
    st.builds(lambda b: s.Bool(b, Z), st.booleans()),
    st.builds(lambda v: s.String(v, Z), st.sampled_from(["x", 'a "q"', "b\\c"])),
)
OPERATORS = ["+", "-", "*", "/", "==", "!=", "<", "<=", ">", ">=", "and", "or"]


def _call(function: str, args: list[s.Expr], where: s.Expr) -> s.Expr:
    named = (s.Keyword("if_zero", args[0], Z),) if len(args) == 2 else ()
    return s.Call(function, tuple(args), named, where if args else None, Z, Z)


def _band(subject: s.Expr, bound: s.Expr, value: s.Expr, otherwise: s.Expr) -> s.Expr:
    one = s.Number(Decimal(1), "1", False, Z)
    rows = (s.BandRow(">=", bound, None, value, Z), s.BandRow("..", one, bound, value, Z))
    return s.Band(subject, rows, otherwise, Z)


def _extend(children: st.SearchStrategy[s.Expr]) -> st.SearchStrategy[s.Expr]:
    return st.one_of(
        st.builds(
            lambda op, left, right: s.Binary(op, left, right, Z, Z),
            st.sampled_from(OPERATORS),
            children,
            children,
        ),
        st.builds(lambda op, e: s.Unary(op, e, Z), st.sampled_from(["-", "not"]), children),
        st.builds(lambda c, t, o: s.Conditional(c, t, o, Z), children, children, children),
        st.builds(lambda t, n: s.Attribute(t, n, Z, Z), children, NAMES),
        st.builds(
            _call,
            st.sampled_from(["sum", "max", "count", "ratio"]),
            st.lists(children, max_size=2),
            children,
        ),
        st.builds(lambda items: s.ListLit(tuple(items), Z), st.lists(children, max_size=3)),
        st.builds(lambda v: s.RecordLit((s.Keyword("he_so", v, Z),), Z), children),
        st.builds(_band, children, children, children, children),
    )


EXPRESSIONS = st.recursive(ATOMS, _extend, max_leaves=25)


@settings(max_examples=300, deadline=None, database=None, derandomize=True)
@given(EXPRESSIONS)
def test_any_expression_prints_with_the_parentheses_that_keep_its_tree(expr: s.Expr) -> None:
    text = format_expr(expr)
    source = HEADER + "let z = " + text + "\n"
    module, problems = parse(source)
    assert not problems, text
    decl = module.declarations[0]
    assert isinstance(decl, s.Let)
    assert structure(decl.expr, keep_text=True) == structure(expr, keep_text=True), text
    out = fmt(source)
    assert fmt(out) == out


MUTATIONS = ("delete", "duplicate", "comment after", "comment before", "join lines")


@settings(
    max_examples=60,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
)
@given(st.sampled_from(MUTATIONS), st.integers(min_value=0))
def test_mutated_files_that_parse_are_formatted_stably(kind: str, position: int) -> None:
    source = parse(DESIGN.read_text(encoding="utf-8"))[0].source
    found = tokens(source)
    index = position % (len(found) - 1)
    span, following = found[index][2], found[index + 1][2]
    if kind == "delete":
        mutated = source[: span.start] + source[span.end :]
    elif kind == "duplicate":
        mutated = source[: span.end] + " " + source[span.start : span.end] + source[span.end :]
    elif kind == "comment after":
        mutated = source[: span.end] + " # chen\n" + source[span.end :]
    elif kind == "comment before":
        mutated = source[: span.start] + "\n# chen\n" + source[span.start :]
    else:
        assume("#" not in source[span.end : following.start])
        mutated = source[: span.end] + " " + source[following.start :]
    _module, problems = parse(mutated)
    assume(not problems)
    out = fmt(mutated)
    assert fmt(out) == out
    assert_same_meaning(mutated, out)


def test_the_parser_fuzz_mutations_that_parse_cleanly_format_stably() -> None:
    """The seeded mutations of tests/dsl/test_fuzz_parser.py, kept when they parse."""
    from tests.dsl.test_fuzz_parser import SEEDS, mutate, windows

    rng = random.Random(20261122)
    pieces = [piece for seed in SEEDS for piece in windows(seed)]
    formatted = 0
    for _case in range(5000):
        source = mutate(rng, rng.choice(pieces))
        _module, problems = parse(source)
        if problems:
            continue
        out = fmt(source)
        assert fmt(out) == out, source
        assert_same_meaning(source, out)
        formatted += 1
    assert formatted > 200  # the check is not vacuous
