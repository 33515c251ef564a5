"""The parser: what a rule file turns into, and what a user is told when it is wrong."""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from chamdiem.dsl import keywords
from chamdiem.dsl.diagnostics import Diagnostic, render
from chamdiem.dsl.parser import parse, tokens
from chamdiem.dsl.syntax import (
    Attribute,
    Band,
    BandRow,
    Binary,
    Bool,
    Call,
    Criterion,
    Expectation,
    Expr,
    Given,
    Grades,
    Group,
    Input,
    Items,
    Keyword,
    Let,
    ListLit,
    Module,
    Name,
    NotApplicable,
    Number,
    Param,
    Quota,
    RangeSpec,
    RecordLit,
    Span,
    Total,
    TypeSpec,
    Veto,
)
from chamdiem.dsl.syntax import (
    Test as RuleTest,
)

FIXTURES = Path(__file__).parent / "fixtures"
EXAMPLE_EN = (FIXTURES / "example_en.rules").read_text(encoding="utf-8")
EXAMPLE_VI = (FIXTURES / "example_vi.rules").read_text(encoding="utf-8")
DOCS = Path(__file__).parents[2] / "docs" / "language.md"

HEADER = 'ruleset r "Tiêu đề"\n  subject person\n  period quarter\n  effective 2026-01-01\nend\n'


# ---------------------------------------------------------------- helpers


def strip(node: object) -> object:
    """The node as nested tuples without spans, to compare trees written differently."""
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        values = [getattr(node, f.name) for f in dataclasses.fields(node)]
        return (type(node).__name__, *(strip(v) for v in values if not isinstance(v, Span)))
    if isinstance(node, tuple):
        return tuple(strip(item) for item in node)
    return node


def parse_ok(source: str) -> Module:
    module, diagnostics = parse(source)
    assert diagnostics == [], [d.message.en for d in diagnostics]
    return module


def expr_of(source: str) -> Expr:
    """The expression of `let x = SOURCE`."""
    module = parse_ok(f"let x = {source}")
    (let,) = module.declarations
    assert isinstance(let, Let)
    return let.expr


def errors(source: str) -> list[Diagnostic]:
    _module, diagnostics = parse(source)
    assert diagnostics, "expected at least one diagnostic"
    return diagnostics


def text_at(module: Module, span: Span) -> str:
    return module.source[span.start : span.end]


def num(text: str) -> tuple[object, ...]:
    """A stripped Number literal as written."""
    value = Decimal(text[:-1]).scaleb(-2) if text.endswith("%") else Decimal(text)
    return ("Number", value, text, text.endswith("%"))


def name(text: str) -> tuple[object, ...]:
    return ("Name", text)


# ---------------------------------------------------------------- the design's example


def test_complete_example_parses_without_diagnostics() -> None:
    module = parse_ok(EXAMPLE_EN)
    assert module.ruleset is not None
    assert module.ruleset.name == "cong_chuc_quy"
    assert [type(d).__name__ for d in module.declarations] == (
        ["Input"] * 4 + ["Items"] + ["Let"] * 4 + ["Group"] * 2
    ) + ["Grades", "Veto", "Quota", "Test"]
    assert module.comments[0].text.startswith(" Civil servants, quarterly")


def test_vietnamese_keywords_give_the_same_tree() -> None:
    english = parse_ok(EXAMPLE_EN)
    vietnamese = parse_ok(EXAMPLE_VI)
    assert strip(vietnamese.ruleset) == strip(english.ruleset)
    assert strip(vietnamese.declarations) == strip(english.declarations)


def test_header_values() -> None:
    module = parse_ok(EXAMPLE_EN)
    assert module.ruleset is not None
    values = {c.key: c.value for c in module.ruleset.clauses}
    assert values == {
        "subject": "person",
        "period": "quarter",
        "effective": date(2026, 1, 1),
        "basis": "Nghị định 335/2025/NĐ-CP",
        "precision": 2,
    }


def test_spans_point_at_the_source_text() -> None:
    module = parse_ok(EXAMPLE_EN)
    assert module.ruleset is not None
    assert text_at(module, module.ruleset.name_span) == "cong_chuc_quy"
    assert text_at(module, module.ruleset.span).startswith("ruleset cong_chuc_quy")
    assert text_at(module, module.ruleset.span).endswith("end")
    dat = next(d for d in module.declarations if isinstance(d, Let) and d.name == "dat")
    assert text_at(module, dat.span) == (
        "let dat       = sum(san_pham.he_so * max(0, 1 - 25% * san_pham.loi_nang)"
        " where san_pham.hoan_thanh)"
    )
    assert isinstance(dat.expr, Call)
    assert text_at(module, dat.expr.function_span) == "sum"
    product = dat.expr.args[0]
    assert isinstance(product, Binary)
    assert text_at(module, product.op_span) == "*"
    assert (product.op_span.line, product.op_span.column) == (24, 36)
    group = next(d for d in module.declarations if isinstance(d, Group) and d.name == "nhiem_vu")
    formula = group.criteria[0].expr
    # The span of `70 * (…) / 3` runs over two lines and includes the parentheses.
    assert text_at(module, formula.span).startswith("70 * (ratio(xong")
    assert text_at(module, formula.span).endswith("if_zero: 0)) / 3")
    assert formula.span.end_line == formula.span.line + 1


def test_line_and_column_agree_with_offsets() -> None:
    module = parse_ok(EXAMPLE_VI)
    lines = module.source.split("\n")
    for comment in module.comments:
        line = lines[comment.span.line - 1]
        assert line[comment.span.column - 1 :].startswith("#" + comment.text)


# ---------------------------------------------------------------- normalisation


def test_nfd_input_gives_the_same_module() -> None:
    nfd = unicodedata.normalize("NFD", EXAMPLE_VI)
    assert nfd != EXAMPLE_VI
    assert parse(nfd) == parse(EXAMPLE_VI)


def test_nfd_error_positions_point_at_the_nfc_character() -> None:
    line = "đặt điểm_thưởng = ộ @ 1"
    nfd = unicodedata.normalize("NFD", line)
    module, diagnostics = parse(nfd)
    (unknown,) = diagnostics
    assert unknown.code == "P004"
    assert unknown.span is not None
    # Counted in NFC characters: `@` is the 21st character of the NFC line.
    assert (unknown.span.line, unknown.span.column) == (1, line.index("@") + 1)
    assert module.source == line
    rendered = render(unknown, module.source, "x.rules", "en").splitlines()
    assert rendered[0] == "x.rules:1:21: error: unknown character `@`"
    assert rendered[2].index("^") == rendered[1].index("@")


def test_bom_and_windows_line_ends_are_normalised() -> None:
    windows = "\ufeff" + EXAMPLE_EN.replace("\n", "\r\n")
    old_mac = EXAMPLE_EN.replace("\n", "\r")
    assert parse(windows) == parse(EXAMPLE_EN)
    assert parse(old_mac) == parse(EXAMPLE_EN)


def test_unicode_line_separators_count_as_line_breaks() -> None:
    module, diagnostics = parse("let a = 1\u2028let b = 2 @\x85let c = 3")
    assert module.source == "let a = 1\nlet b = 2 @\nlet c = 3"
    assert [(d.code, d.span.line, d.span.column) for d in diagnostics if d.span] == [
        ("P004", 2, 11)
    ]
    assert len(module.declarations) == 3


# ---------------------------------------------------------------- keywords and names


@pytest.mark.parametrize(
    ("spelling", "terminal"),
    [(s, k.terminal) for k in keywords.KEYWORDS for s in k.spellings],
)
def test_every_keyword_spelling_lexes_as_its_terminal(spelling: str, terminal: str) -> None:
    ((kind, text, _span),) = tokens(spelling)
    assert (kind, text) == (terminal, spelling)
    if " " in spelling:
        loose = spelling.replace(" ", " \t  ")
        ((kind, text, _span),) = tokens(loose)
        assert (kind, text) == (terminal, loose)
        broken = spelling.replace(" ", "\n", 1)
        assert all(kind == "NAME" or kind != terminal for kind, _t, _s in tokens(broken))


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("tối đa là tối đa", ["_AT_MOST", "MAX"]),
        ("tiêu chí bộ tiêu chí", ["_CRITERION", "_RULESET"]),
        ("xếp loại xếp hạng theo theo", ["_GRADES", "_RANK_BY", "_PER"]),
        ("không phải không áp dụng không", ["NOT", "NOT_APPLICABLE", "NAME"]),
        (
            "làm tròn làm tròn xuống làm tròn gần nhất",
            ["_PRECISION", "ROUND_DOWN", "ROUND_NEAREST"],
        ),
        ("số số đếm đúng đúng sai", ["NUMBER_TYPE", "COUNT_TYPE", "TRUE", "BOOL_TYPE"]),
        ("tổng điểm tổng", ["TOTAL", "NAME"]),
        ("kỳ kỳ vọng", ["_PERIOD", "_EXPECT"]),
        ("ngày_nghỉ điểm_trừ_thêm max_diem không_phải", ["NAME"] * 4),
        ("Max IF End", ["NAME"] * 3),
        ("điểm trừ_thêm", ["NAME", "NAME"]),
    ],
)
def test_keyword_traps(source: str, expected: list[str]) -> None:
    assert [kind for kind, _text, _span in tokens(source)] == expected


def test_vietnamese_identifiers() -> None:
    module = parse_ok("đặt điểm_thưởng = ngày_nghỉ + tổng * không\nđặt ꙮ_x = _y1")
    first, second = module.declarations
    assert isinstance(first, Let) and isinstance(second, Let)
    assert first.name == "điểm_thưởng"
    assert strip(first.expr) == (
        "Binary",
        "+",
        name("ngày_nghỉ"),
        ("Binary", "*", name("tổng"), name("không")),
    )
    assert second.name == "ꙮ_x"


def test_reserved_keyword_as_a_name_is_an_error_with_a_hint() -> None:
    (diagnostic,) = errors("let max = 3")
    assert diagnostic.code == "P001"
    assert diagnostic.message.en == "unexpected `max` here; expected a name"
    assert diagnostic.message.vi == "không mong đợi `max` ở đây; cần một tên"
    assert "keyword" in diagnostic.hints[0].en


# ---------------------------------------------------------------- expressions


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("1 + 2 * 3", ("Binary", "+", num("1"), ("Binary", "*", num("2"), num("3")))),
        ("(1 + 2) * 3", ("Binary", "*", ("Binary", "+", num("1"), num("2")), num("3"))),
        ("1 - 2 - 3", ("Binary", "-", ("Binary", "-", num("1"), num("2")), num("3"))),
        ("-a * 2", ("Binary", "*", ("Unary", "-", name("a")), num("2"))),
        ("- a.b", ("Unary", "-", ("Attribute", name("a"), "b"))),
        ("not a == b", ("Unary", "not", ("Binary", "==", name("a"), name("b")))),
        (
            "a or b and not c",
            ("Binary", "or", name("a"), ("Binary", "and", name("b"), ("Unary", "not", name("c")))),
        ),
        (
            "a + 1 >= b * 2",
            (
                "Binary",
                ">=",
                ("Binary", "+", name("a"), num("1")),
                ("Binary", "*", name("b"), num("2")),
            ),
        ),
        (
            "if a then 1 else if b then 2 else 3",
            ("Conditional", name("a"), num("1"), ("Conditional", name("b"), num("2"), num("3"))),
        ),
        (
            "nếu a và b thì 1 ngược lại 0",
            ("Conditional", ("Binary", "and", name("a"), name("b")), num("1"), num("0")),
        ),
        ("a != b", ("Binary", "!=", name("a"), name("b"))),
        ("total >= 90", ("Binary", ">=", name("total"), num("90"))),
        (
            "tổng điểm < 50 hoặc mức == khong",
            (
                "Binary",
                "or",
                ("Binary", "<", name("total"), num("50")),
                ("Binary", "==", name("grade"), name("khong")),
            ),
        ),
        ("periods(r).total", ("Attribute", ("Call", "periods", (name("r"),), (), None), "total")),
        (
            "unit_result(r).grade",
            ("Attribute", ("Call", "unit_result", (name("r"),), (), None), "grade"),
        ),
        ("a.b.c", ("Attribute", ("Attribute", name("a"), "b"), "c")),
    ],
)
def test_precedence_and_associativity(source: str, expected: object) -> None:
    assert strip(expr_of(source)) == expected


def test_comparisons_do_not_chain() -> None:
    (diagnostic,) = errors("let x = a < b < c")
    assert diagnostic.code == "P001"
    assert diagnostic.span is not None and diagnostic.span.column == 15


def test_literals() -> None:
    assert strip(expr_of("25%")) == ("Number", Decimal("0.25"), "25%", True)
    number = expr_of("0.5")
    assert isinstance(number, Number) and number.value == Decimal("0.5") and not number.percent
    assert strip(expr_of('"a \\"b\\" \\\\ c"')) == ("String", 'a "b" \\ c')
    assert strip(expr_of("2026-01-01")) == ("DateLit", date(2026, 1, 1))
    assert strip(expr_of("true")) == ("Bool", True)
    assert strip(expr_of("sai")) == ("Bool", False)
    assert isinstance(expr_of("not applicable"), NotApplicable)
    assert isinstance(expr_of("không áp dụng"), NotApplicable)
    assert strip(expr_of("[1, a,]")) == ("ListLit", (num("1"), name("a")))
    assert strip(expr_of("[]")) == ("ListLit", ())
    assert strip(expr_of("{he_so: 1, hoan_thanh: true}")) == (
        "RecordLit",
        (("Keyword", "he_so", num("1")), ("Keyword", "hoan_thanh", ("Bool", True))),
    )


def test_percent_is_exact() -> None:
    number = expr_of("12.5%")
    assert isinstance(number, Number)
    assert number.value == Decimal("0.125")
    assert number.text == "12.5%"


def test_calls_with_where_and_named_arguments() -> None:
    call = expr_of("ratio(count(san_pham where san_pham.hoan_thanh), n, if_zero: 0,)")
    assert strip(call) == (
        "Call",
        "ratio",
        (
            (
                "Call",
                "count",
                (name("san_pham"),),
                (),
                ("Attribute", name("san_pham"), "hoan_thanh"),
            ),
            name("n"),
        ),
        (("Keyword", "if_zero", num("0")),),
        None,
    )
    assert strip(expr_of("max(0, 1)")) == ("Call", "max", (num("0"), num("1")), (), None)
    assert strip(expr_of("tối đa(0, 1)")) == ("Call", "max", (num("0"), num("1")), (), None)
    assert strip(expr_of("số đếm(a với b)")) == ("Call", "count", (name("a"),), (), name("b"))
    assert strip(expr_of("f()")) == ("Call", "f", (), (), None)


def test_misplaced_arguments_are_reported() -> None:
    _module, diagnostics = parse("let a = f(k: 1, b)\nlet c = sum(x where y, z)")
    assert [(d.code, d.span.line if d.span else 0) for d in diagnostics] == [
        ("P011", 1),
        ("P011", 2),
    ]
    assert "positional" in diagnostics[0].message.en
    assert "where" in diagnostics[1].message.en


def test_band() -> None:
    band = expr_of("band diem_cl >= 9 -> 25 > 7 -> 20 5..7 -> 12 <= 2 -> 1 < 1 -> 0 else -> 3 end")
    assert isinstance(band, Band)
    assert strip(band) == (
        "Band",
        name("diem_cl"),
        (
            ("BandRow", ">=", num("9"), None, num("25")),
            ("BandRow", ">", num("7"), None, num("20")),
            ("BandRow", "..", num("5"), num("7"), num("12")),
            ("BandRow", "<=", num("2"), None, num("1")),
            ("BandRow", "<", num("1"), None, num("0")),
        ),
        num("3"),
    )


def test_band_subject_and_values_are_arithmetic() -> None:
    band = expr_of("bảng a + 1 >= b * 2 -> c - 1 lo.x..f(hi) -> 2 ngược lại -> (x > 1) hết")
    assert strip(band) == (
        "Band",
        ("Binary", "+", name("a"), num("1")),
        (
            (
                "BandRow",
                ">=",
                ("Binary", "*", name("b"), num("2")),
                None,
                ("Binary", "-", name("c"), num("1")),
            ),
            (
                "BandRow",
                "..",
                ("Attribute", name("lo"), "x"),
                ("Call", "f", (name("hi"),), (), None),
                num("2"),
            ),
        ),
        ("Binary", ">", name("x"), num("1")),
    )


def test_band_without_else_still_parses() -> None:
    band = expr_of("band x >= 1 -> 1 end")
    assert isinstance(band, Band) and band.otherwise is None
    assert [row.op for row in band.rows] == [">="]


def test_band_row_span() -> None:
    module = parse_ok("let x = band d\n  5..7 -> 12\n  else -> 0\nend")
    (let,) = module.declarations
    assert isinstance(let, Let) and isinstance(let.expr, Band)
    (row,) = let.expr.rows
    assert isinstance(row, BandRow)
    assert text_at(module, row.span) == "5..7 -> 12"
    assert text_at(module, let.expr.span) == "band d\n  5..7 -> 12\n  else -> 0\nend"


# ---------------------------------------------------------------- declarations


def test_header_with_needs_scale_and_until() -> None:
    module = parse_ok(
        'bộ tiêu chí lanh_dao "Lãnh đạo"\n  đối tượng tập thể\n  kỳ năm\n'
        "  hiệu lực 2026-01-01 đến 2026-12-31\n  thang điểm 100\n"
        "  cần cong_chuc_quy, co_quan_nam\nhết"
    )
    assert module.ruleset is not None
    assert [(c.key, c.value) for c in module.ruleset.clauses] == [
        ("subject", "unit"),
        ("period", "year"),
        ("effective", date(2026, 1, 1)),
        ("until", date(2026, 12, 31)),
        ("scale", Decimal(100)),
        ("needs", ("cong_chuc_quy", "co_quan_nam")),
    ]
    assert module.ruleset.get("needs") is not None
    assert module.ruleset.get("basis") is None


def test_inputs() -> None:
    module = parse_ok(
        'input loai : one of "a", "b" = "a" "Loại"\n'
        "input n : count >= 0\n"
        "input d : date = 2026-01-01\n"
        "input x : number -5..5\n"
        "input p : percent < 100%\n"
        "input t : text\n"
        "đầu vào c : chữ\n"
    )
    loai, n, d, x, p, t, c = module.declarations
    assert isinstance(loai, Input)
    assert strip(loai.type) == ("TypeSpec", "enum", ("a", "b"), None)
    assert strip(loai.default) == ("String", "a")
    assert loai.label == "Loại"
    assert isinstance(n, Input) and isinstance(n.range, RangeSpec)
    assert strip(n.range) == ("RangeSpec", num("0"), False, None, False)
    assert isinstance(d, Input) and strip(d.default) == ("DateLit", date(2026, 1, 1))
    assert isinstance(x, Input) and x.range is not None
    assert strip(x.range) == (
        "RangeSpec",
        ("Number", Decimal(-5), "-5", False),
        False,
        num("5"),
        False,
    )
    assert isinstance(p, Input) and strip(p.range) == ("RangeSpec", None, False, num("100%"), True)
    assert isinstance(t, Input) and isinstance(t.type, TypeSpec) and t.type.kind == "text"
    assert isinstance(c, Input) and c.type.kind == "text"


def test_items() -> None:
    module = parse_ok(EXAMPLE_EN)
    (items,) = [d for d in module.declarations if isinstance(d, Items)]
    assert [f.name for f in items.fields] == ["he_so", "hoan_thanh", "loi_nang", "cham_tre"]
    assert [f.type.kind for f in items.fields] == ["number", "bool", "count", "count"]
    assert items.fields[2].label == "Số lần bị đánh giá chưa đạt do lỗi nội dung lớn"
    assert items.fields[1].label is None
    assert (
        text_at(module, items.fields[0].span)
        == 'he_so       : number > 0  "Hệ số quy đổi sản phẩm chuẩn"'
    )


def test_params() -> None:
    module = parse_ok('param a = 5 "Năm"\ntham số b = 20% từ 2026-01-01, 25% từ 2027-01-01 "Tỷ lệ"')
    a, b = module.declarations
    assert isinstance(a, Param) and isinstance(b, Param)
    assert strip(a.values) == (("ParamValue", num("5"), None),)
    assert a.label == "Năm"
    assert strip(b.values) == (
        ("ParamValue", num("20%"), date(2026, 1, 1)),
        ("ParamValue", num("25%"), date(2027, 1, 1)),
    )


def test_dated_param_values_need_from() -> None:
    (diagnostic,) = errors("param a = 5, 6 from 2026-07-01")
    assert diagnostic.code == "P012"
    assert diagnostic.span is not None and diagnostic.span.column == 11


def test_groups_bonus_penalty_and_criteria() -> None:
    module = parse_ok(
        'group g "G" max 30 rescale\n'
        '  criterion a "A" max 10 applies when co_giao = x\n'
        "  criterion b max 20 = y\n"
        "end\n"
        "điểm cộng t tối đa 5 hết\n"
        'penalty p "P" max 5 criterion c max 5 = 1 end\n'
        "total = g + t - p\n"
    )
    g, t, p, total = module.declarations
    assert isinstance(g, Group) and g.kind == "group" and g.rescale and g.label == "G"
    assert strip(g.max) == num("30")
    first, second = g.criteria
    assert isinstance(first, Criterion)
    assert (first.name, first.label, strip(first.applies_when), strip(first.expr)) == (
        "a",
        "A",
        name("co_giao"),
        name("x"),
    )
    assert (second.label, second.applies_when) == (None, None)
    assert isinstance(t, Group) and (t.kind, t.criteria, t.rescale) == ("bonus", (), False)
    assert isinstance(p, Group) and p.kind == "penalty"
    assert isinstance(total, Total)
    assert strip(total.expr) == (
        "Binary",
        "-",
        ("Binary", "+", name("g"), name("t")),
        name("p"),
    )


def test_grades_veto_quota() -> None:
    module = parse_ok(EXAMPLE_EN)
    grades = next(d for d in module.declarations if isinstance(d, Grades))
    assert [(g.name, g.when is None) for g in grades.grades] == [
        ("xuat_sac", False),
        ("tot", False),
        ("hoan_thanh", False),
        ("khong", True),
    ]
    veto = next(d for d in module.declarations if isinstance(d, Veto))
    assert veto.reason == "Bị kỷ luật trong năm đánh giá (Điều 20 khoản 4 điểm c)"
    assert strip(veto.when) == name("ky_luat") and strip(veto.cap) == name("khong")
    quota = next(d for d in module.declarations if isinstance(d, Quota))
    assert strip(quota) == (
        "Quota",
        name("xuat_sac"),
        num("20%"),
        ("Call", "count", (("Binary", ">=", name("grade"), name("tot")),), (), None),
        (name("unit"), name("position_group")),
        (("RankKey", name("total"), True), ("RankKey", name("ket_qua"), True)),
        name("tot"),
        "down",
    )


def test_quota_variants() -> None:
    module = parse_ok(
        "quota a at most 25% of count(grade >= b) rank by total asc demote to b round nearest end\n"
        "hạn mức a tối đa là 20% trên n theo tập thể hạ xuống b làm tròn xuống hết"
    )
    first, second = module.declarations
    assert isinstance(first, Quota) and isinstance(second, Quota)
    assert (first.per, first.rounding) == ((), "nearest")
    assert [k.descending for k in first.rank] == [False]
    assert (strip(second.per), second.rank, second.rounding) == ((name("unit"),), (), "down")


def test_veto_with_unit_result_cap() -> None:
    module = parse_ok(
        'veto "Người đứng đầu không xếp cao hơn tập thể" when is_head: '
        "grade at most unit_result(co_quan_nam).grade"
    )
    (veto,) = module.declarations
    assert isinstance(veto, Veto) and isinstance(veto.cap, Attribute)
    assert veto.cap.name == "grade"


def test_single_subject_test() -> None:
    module = parse_ok(EXAMPLE_EN)
    test = next(d for d in module.declarations if isinstance(d, RuleTest))
    assert test.name == "Hoàn thành đủ, đúng hạn, không lỗi"
    assert [g.name for g in test.givens] == ["chinh_tri", "chuyen_mon", "doi_moi", "san_pham"]
    assert isinstance(test.givens[3].value, ListLit)
    assert all(isinstance(item, RecordLit) for item in test.givens[3].value.items)
    assert [(e.subject, e.name, strip(e.value)) for e in test.expects] == [
        (None, "ket_qua", num("70")),
        (None, "total", num("96")),
        (None, "grade", name("xuat_sac")),
    ]
    assert test.subjects == ()


def test_cohort_test() -> None:
    module = parse_ok(
        'test "Hạn mức"\n'
        '  given unit = "phong_a", position_group = "cv"\n'
        "  subject a given chinh_tri = 9\n"
        "            given doi_moi = 8\n"
        "  đối tượng b cho chinh_tri = 7\n"
        "  expect a: grade = xuat_sac, total = 91\n"
        "  kỳ vọng b: mức = tot, cờ tie_at_quota\n"
        "  expect c_x = không áp dụng\n"
        "end"
    )
    (test,) = module.declarations
    assert isinstance(test, RuleTest)
    assert [(g.name, strip(g.value)) for g in test.givens] == [
        ("unit", ("String", "phong_a")),
        ("position_group", ("String", "cv")),
    ]
    assert [(s.name, [g.name for g in s.givens]) for s in test.subjects] == [
        ("a", ["chinh_tri", "doi_moi"]),
        ("b", ["chinh_tri"]),
    ]
    assert [(e.subject, e.name, e.is_flag, strip(e.value)) for e in test.expects] == [
        ("a", "grade", False, name("xuat_sac")),
        ("a", "total", False, num("91")),
        ("b", "grade", False, name("tot")),
        ("b", "tie_at_quota", True, None),
        (None, "c_x", False, ("NotApplicable",)),
    ]
    flag = test.expects[3]
    assert isinstance(flag, Expectation)
    assert text_at(module, flag.span) == "cờ tie_at_quota"
    assert text_at(module, flag.name_span) == "tie_at_quota"
    given = test.subjects[1].givens[0]
    assert isinstance(given, Given) and text_at(module, given.span) == "chinh_tri = 7"


def test_total_inside_a_test_or_a_condition_is_not_a_declaration() -> None:
    module = parse_ok(
        "grades a when total >= 1 b otherwise end\n"
        'test "t" expect total = 3, grade = a end\n'
        "total = 1\n"
    )
    assert [type(d).__name__ for d in module.declarations] == ["Grades", "Test", "Total"]


def test_comments_are_collected() -> None:
    module = parse_ok('# đầu tệp\nlet a = 1 # cuối dòng\nlet b = "# không phải chú thích"\n')
    assert [(c.text, c.span.line, c.span.column) for c in module.comments] == [
        (" đầu tệp", 1, 1),
        (" cuối dòng", 2, 11),
    ]
    assert strip(module.declarations[1]) == ("Let", "b", ("String", "# không phải chú thích"))


def test_empty_file() -> None:
    module, diagnostics = parse("", "empty.rules")
    assert (module.ruleset, module.declarations, module.comments, diagnostics) == (
        None,
        (),
        (),
        [],
    )
    assert module.path == "empty.rules"


def test_examples_in_the_language_reference_parse() -> None:
    blocks = re.findall(r"```\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S)
    assert len(blocks) >= 10
    for block in blocks:
        if block.startswith(("tiêu chí", "criterion")):
            block = f"nhóm g tối đa 25\n{block}hết\n"
        _module, diagnostics = parse(block)
        assert diagnostics == [], (block, [d.message.en for d in diagnostics])


# ---------------------------------------------------------------- errors


def test_several_syntax_errors_are_all_reported_with_positions() -> None:
    source = (
        HEADER
        + "let a = 1 +* 2\n"  # line 6
        + "let b = 2\n"
        + "group g max 30\n"
        + "  criterion c1 max 10 = a +\n"  # line 9: cut short, the error shows after `+`
        + "  criterion c2 max 10 = a b\n"  # line 10
        + "  criterion c3 max 10 = a\n"
        + "end\n"
        + "grades\n"
        + "  tot when total = 90\n"  # line 14
        + "  khong otherwise\n"
        + "end\n"
        + "let c = (1\n"  # line 17: missing `)`, shows at `let` on 18
        + "let d = 4\n"
    )
    module, diagnostics = parse(source, "r.rules")
    found = [(d.code, d.span.line, d.span.column) for d in diagnostics if d.span]
    assert found == [
        ("P001", 6, 12),
        ("P001", 9, 28),
        ("P001", 10, 27),
        ("P001", 14, 18),
        ("P001", 18, 1),
    ]
    assert diagnostics[3].hints[0].en == "equality is written `==`"
    # The declarations without errors are kept; the broken ones are left out, except the
    # grades block, whose `=` is read as the `==` the hint suggests (its grades stay known).
    assert [getattr(d, "name", None) for d in module.declarations] == ["b", None, "d"]
    assert isinstance(module.declarations[1], Grades)
    assert module.ruleset is not None


def test_unexpected_token_message_in_both_languages() -> None:
    (diagnostic,) = errors(HEADER + "group g tối đa 30\n  tiêu chí a tối đa 10 = 1\n")
    assert diagnostic.code == "P002"
    assert diagnostic.message.vi == (
        "tệp kết thúc khi khai báo chưa xong; cần một trong: một phép toán (+ - * / == < và …),"
        " `tiêu chí`, `hết`"
    )
    assert diagnostic.message.en == (
        "unexpected end of file; expected one of: an operator (+ - * / == < and …),"
        " `criterion`, `end`"
    )
    (diagnostic,) = errors(HEADER.replace("quarter", "quaterly"))
    assert diagnostic.message.vi == (
        "không mong đợi `quaterly` ở đây; cần một trong: `tháng`, `quý`, `năm`"
    )
    assert diagnostic.message.en == (
        "unexpected `quaterly` here; expected one of: `month`, `quarter`, `year`"
    )


def test_missing_end_is_reported_at_the_next_declaration() -> None:
    (diagnostic,) = errors("grades\n  a when x\n  b otherwise\nlet y = 1\n")
    assert diagnostic.span is not None
    assert (diagnostic.span.line, diagnostic.span.column) == (4, 1)
    assert diagnostic.message.en.startswith("unexpected `let` here; expected one of:")
    assert "`end`" in diagnostic.message.en


def test_rendered_diagnostic_has_file_line_column() -> None:
    module, diagnostics = parse("let a = 1 +* 2\n", "quy_che.rules")
    (diagnostic,) = diagnostics
    lines = render(diagnostic, module.source, "quy_che.rules", "vi").splitlines()
    assert lines[0] == ("quy_che.rules:1:12: error: không mong đợi `*` ở đây; cần một biểu thức")
    assert lines[2].endswith("^")


def test_unterminated_string() -> None:
    module, diagnostics = parse('let a = "abc\nlet b = 1\n')
    (diagnostic,) = diagnostics
    assert diagnostic.code == "P003"
    assert diagnostic.span is not None
    assert (diagnostic.span.line, diagnostic.span.column, diagnostic.span.end_column) == (1, 9, 13)
    # The rest of the file is still read.
    assert [getattr(d, "name", None) for d in module.declarations] == ["a", "b"]


def test_invalid_escape() -> None:
    (diagnostic,) = errors('let a = "x\\n"')
    assert diagnostic.code == "P007"
    assert diagnostic.span is not None
    assert (diagnostic.span.column, diagnostic.span.end_column) == (11, 13)


def test_unknown_characters() -> None:
    diagnostics = errors("let a = b @ c\nlet s = “nhãn”\nlet p = 5 %\n")
    assert [(d.code, d.span.line if d.span else 0) for d in diagnostics] == [
        ("P004", 1),
        ("P004", 2),
        ("P004", 2),
        ("P004", 3),
    ]
    assert diagnostics[0].message.en == "unknown character `@`"
    assert diagnostics[0].message.vi == "ký tự không hợp lệ `@`"
    assert "straight double quotes" in diagnostics[1].hints[0].en
    assert "`25%`" in diagnostics[3].hints[0].en


def test_invisible_unknown_character_is_named_by_code_point() -> None:
    (diagnostic,) = errors("let a\u200b = 1")
    assert diagnostic.message.en == "unknown character U+200B"


def test_bad_dates() -> None:
    diagnostics = errors("let a = 2026-02-30\nlet b = 2026-1-1\ninput c : date = 2025-13-01")
    assert [(d.code, d.span.line if d.span else 0) for d in diagnostics] == [
        ("P005", 1),
        ("P005", 2),
        ("P005", 3),
    ]
    assert diagnostics[0].message.en == ("invalid date `2026-02-30`: no such day in the calendar")
    assert diagnostics[1].message.en == "invalid date `2026-1-1`: write dates as YYYY-MM-DD"


def test_bad_numbers() -> None:
    diagnostics = errors("let a = 12abc\nlet b = 1e5\n")
    assert [(d.code, d.message.en) for d in diagnostics] == [
        ("P006", "invalid number `12abc`"),
        ("P006", "invalid number `1e5`"),
    ]


def test_header_problems() -> None:
    diagnostics = errors(
        'ruleset a "A"\n  precision 1.5\n  period month\n  period year\nend\nruleset b "B" end\n'
    )
    assert [(d.code, d.span.line if d.span else 0) for d in diagnostics] == [
        ("P010", 2),
        ("P009", 4),
        ("P008", 6),
    ]
    module, _ = parse('ruleset a "A" end\nruleset b "B" end\n')
    assert module.ruleset is not None and module.ruleset.name == "a"


def test_errors_after_an_unknown_character_are_not_repeated() -> None:
    diagnostics = errors("let q = a @ b\n")
    assert [d.code for d in diagnostics] == ["P004"]


def test_every_diagnostic_is_sorted_and_positioned() -> None:
    _module, diagnostics = parse(
        'let a = "x\nlet b = 2026-02-30 @\ngroup g max 1 criterion c max 1 = end\n'
    )
    spans = [d.span for d in diagnostics]
    assert all(span is not None for span in spans)
    starts = [span.start for span in spans if span is not None]
    assert starts == sorted(starts)


def test_parse_returns_expression_nodes_of_the_contract() -> None:
    """Every node the parser makes is one of syntax.py's frozen dataclasses."""
    module = parse_ok(EXAMPLE_EN)
    seen: set[str] = set()

    def walk(node: object) -> None:
        if dataclasses.is_dataclass(node) and not isinstance(node, type):
            seen.add(type(node).__name__)
            params = type(node).__dataclass_params__  # type: ignore[attr-defined]
            assert params.frozen
            for f in dataclasses.fields(node):
                walk(getattr(node, f.name))
        elif isinstance(node, tuple):
            for item in node:
                walk(item)

    walk(module)
    expected = {Binary, Call, Attribute, Keyword, ListLit, RecordLit, Bool, Name, Number, Span}
    assert {cls.__name__ for cls in expected} <= seen


def test_long_sums_and_deep_nesting() -> None:
    module = parse_ok("let x = " + " + ".join(["a"] * 1200))
    (let,) = module.declarations
    assert isinstance(let, Let)
    depth, node = 0, let.expr
    while isinstance(node, Binary):
        depth, node = depth + 1, node.left
    assert depth == 1199
    module, diagnostics = parse("let x = " + "not " * 3000 + "a\nlet y = 1")
    assert [(d.code, d.span.line if d.span else 0) for d in diagnostics] == [("P013", 1)]
    assert [getattr(d, "name", None) for d in module.declarations] == ["y"]


@pytest.mark.parametrize(
    ("source", "hint"),
    [
        ('ruleset r "t"\n  period quaterly\nend', "did you mean `quarter`?"),
        ("inputs x : number", "did you mean `input`?"),
        (
            'ruleset r "t"\n  subject ca  nhan\nend',
            "did you mean `cá nhân`? (keywords are written with their diacritics)",
        ),
        (
            "nhóm g tối đa 5\n  tieu chi a tối đa 1 = 1\nhết",
            "did you mean `tiêu chí`? (keywords are written with their diacritics)",
        ),
    ],
)
def test_misspelt_keywords_get_a_suggestion(source: str, hint: str) -> None:
    (diagnostic,) = errors(source)
    assert [h.en for h in diagnostic.hints] == [hint]


def test_no_suggestion_for_an_unrelated_word() -> None:
    (diagnostic,) = errors('ruleset r "t"\n  subject ca\nend')
    assert diagnostic.hints == ()


def test_a_construct_cut_short_is_reported_where_the_missing_piece_belongs() -> None:
    """`0..` or `max` at the end of a line, the next construct below: the error is at the
    end of the unfinished line; the mended declaration keeps its name known."""
    module, diagnostics = parse(
        HEADER + "input a : number 0..\ninput b : number 0..10\n"
        "group g max\n  criterion c max 10 = a + b\nend\n",
        "r.rules",
    )
    found = [(d.code, d.span.line, d.span.column) for d in diagnostics if d.span]
    assert found == [("P001", 6, 21), ("P001", 8, 12)]
    assert diagnostics[0].message.en == "unfinished: after `..` expected one of: a number, `-`"
    assert [getattr(d, "name", None) for d in module.declarations] == ["a", "b", "g"]


def test_one_single_equals_in_a_grade_row_gives_one_error() -> None:
    source = (
        HEADER + "input x : number 0..10\n"
        "group g max 10\n  criterion c max 10 = x\nend\n"
        "grades\n  tot when total >= 9\n  kha when total = 7\n  khong otherwise\nend\n"
        'veto "V" when x < 1: grade at most khong\n'
        'test "t"\n  given x = 9\n  expect grade = tot\nend\n'
    )
    from chamdiem.dsl.pipeline import check_source

    _, diagnostics = check_source(source, "r.rules")
    assert [(d.code, d.span.line if d.span else 0) for d in diagnostics] == [("P001", 12)]
