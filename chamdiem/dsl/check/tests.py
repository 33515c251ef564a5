"""The tests pass: `test` blocks, their givens, periods and expectations, checked
against the declarations they name.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from chamdiem.dsl import syntax as s
from chamdiem.dsl.check.expressions import Checker
from chamdiem.dsl.check.scope import KIND_WORDS
from chamdiem.dsl.check.types import (
    GRADE,
    MAX_ROUND_PLACES,
    NUMBER,
    RESULT_FIELD_TYPES,
    TEXT,
    Type,
    input_type,
    literal_number,
    literal_type,
)
from chamdiem.dsl.diagnostics import Text, did_you_mean
from chamdiem.dsl.names import (
    BUILTIN_ALIASES,
    BUILTIN_ATTRIBUTES,
    FLAGS,
    LINK_FUNCTIONS,
    LIST_LINKS,
    canonical,
)
from chamdiem.dsl.periods import Period


def _first_given(span: s.Span) -> Text:
    return Text(
        f"lần đầu ở dòng {span.line}, cột {span.column}",
        f"first on line {span.line}, column {span.column}",
    )


_PERIOD_WORDS: dict[str, tuple[str, str]] = {
    "month": ("tháng", "month"),
    "quarter": ("quý", "quarter"),
    "year": ("năm", "year"),
}


def _period_example(kind: str, written: Period) -> str:
    """A period of `kind` near one written with the wrong kind (for a hint)."""
    if kind == "year":
        return str(written.year)
    if kind == "quarter":
        return f"{written.year}-Q{(written.start.month - 1) // 3 + 1}"
    return f"{written.year}-{written.start.month:02d}"


def check_test(c: Checker, decl: s.Test) -> None:
    check_test_period(c, decl)
    shared = check_givens(c, decl.givens)
    subjects: dict[str, s.TestSubject] = {}
    for member in decl.subjects:
        first = subjects.get(member.name)
        if first is not None:
            c.error(
                "E044",
                member.name_span,
                f"đối tượng `{member.name}` đã có trong kiểm thử này",
                f"the subject `{member.name}` is already in this test",
                _first_given(first.name_span),
            )
        subjects.setdefault(member.name, member)
        own = check_givens(c, member.givens)
        check_required(c, shared | own, member.name_span, member.name)
    if not decl.subjects:
        check_required(c, shared, decl.span, None)
    seen: dict[tuple[str | None, str, bool, int | None], s.Expectation] = {}
    for expectation in decl.expects:
        check_expectation(c, expectation, decl, subjects)
        key = (
            expectation.subject,
            canonical(expectation.name),
            expectation.is_flag,
            expectation.round_places,
        )
        first_expect = seen.get(key)
        if first_expect is not None and not expectation.is_flag:
            c.error(
                "E043",
                expectation.name_span,
                f"kỳ vọng về `{expectation.name}` đã được nêu trong kiểm thử này",
                f"an expectation for `{expectation.name}` is already given in this test",
                _first_given(first_expect.name_span),
            )
        seen.setdefault(key, expectation)


def check_test_period(c: Checker, decl: s.Test) -> None:
    """E047: `period P` in a test names a period of the rule set's kind, in force."""
    ruleset = c.module.ruleset
    if decl.period is None or decl.period_span is None or ruleset is None:
        return
    kind = ruleset.get("period")
    effective = ruleset.get("effective")
    until = ruleset.get("until")
    period = Period.parse(decl.period)
    if kind is not None and kind.value in _PERIOD_WORDS and kind.value != period.kind:
        vi_kind, en_kind = _PERIOD_WORDS[str(kind.value)]
        vi_found, en_found = _PERIOD_WORDS[period.kind]
        example = _period_example(str(kind.value), period)
        c.error(
            "E047",
            decl.period_span,
            f"bộ tiêu chí đánh giá theo {vi_kind}, còn `{decl.period}` là một {vi_found}",
            f"the rule set is evaluated per {en_kind}, but `{decl.period}` is a {en_found}",
            Text(f"ví dụ: kỳ {example}", f"e.g. period {example}"),
        )
        return
    if effective is not None and isinstance(effective.value, date) and period.end < effective.value:
        c.error(
            "E047",
            decl.period_span,
            f"kỳ {decl.period} kết thúc trước ngày hiệu lực "
            f"{effective.value.isoformat()} của bộ tiêu chí",
            f"the period {decl.period} ends before the rule set's effective date "
            f"{effective.value.isoformat()}",
        )
        return
    if until is not None and isinstance(until.value, date) and period.start > until.value:
        c.error(
            "E047",
            decl.period_span,
            f"kỳ {decl.period} bắt đầu sau ngày hết hiệu lực {until.value.isoformat()} "
            "của bộ tiêu chí",
            f"the period {decl.period} starts after the rule set's end date "
            f"{until.value.isoformat()}",
        )


def check_givens(c: Checker, givens: Iterable[s.Given]) -> set[str]:
    """Check each given; return the canonical names given."""
    names: dict[str, s.Given] = {}
    for given in givens:
        name = canonical(given.name)
        first = names.get(name)
        if first is not None:
            c.error(
                "E041",
                given.name_span,
                f"`{given.name}` đã được cho giá trị trong cùng khối",
                f"`{given.name}` is already given a value here",
                _first_given(first.name_span),
            )
        names.setdefault(name, given)
        check_given(c, given)
    return set(names)


def check_given(c: Checker, given: s.Given) -> None:
    if "(" in given.name:
        check_link_given(c, given)
        return
    name = canonical(given.name)
    if name in BUILTIN_ATTRIBUTES:
        kind = BUILTIN_ATTRIBUTES[name]
        ok = isinstance(given.value, s.Bool if kind == "bool" else s.String)
        if not ok:
            c.error(
                "E039",
                given.value.span,
                f"`{given.name}` cần {'true/false' if kind == 'bool' else 'một chuỗi'}",
                f"`{given.name}` needs {'true/false' if kind == 'bool' else 'a string'}",
            )
        return
    symbol = c.symbols.get(given.name)
    if symbol is not None and symbol.kind == "input" and isinstance(symbol.node, s.Input):
        problem = c.literal_problem(given.value, symbol.node)
        if problem is not None:
            c.error(
                "E039",
                given.value.span,
                f"giá trị cho `{given.name}` không hợp lệ: {problem.vi}",
                f"the value given for `{given.name}` is not valid: {problem.en}",
            )
        return
    if symbol is not None and symbol.kind == "items" and isinstance(symbol.node, s.Items):
        check_records(c, given, symbol.node)
        return
    candidates = [*c.inputs, *c.items, *BUILTIN_ATTRIBUTES, *BUILTIN_ALIASES]
    if symbol is None:
        c.error(
            "E006",
            given.name_span,
            f"tên `{given.name}` chưa được khai báo",
            f"`{given.name}` is not declared",
            *c.suggest(given.name, candidates),
        )
        return
    vi_kind, en_kind = KIND_WORDS[symbol.kind]
    c.error(
        "E041",
        given.name_span,
        f"`given` (cho) chỉ nhận đầu vào, danh sách hoặc thuộc tính của đối tượng; "
        f"`{given.name}` là {vi_kind}, được tính ra từ quy tắc",
        f"`given` takes inputs, item lists or subject attributes; `{given.name}` is a "
        f"{en_kind}, which the rules compute",
    )


def check_link_given(c: Checker, given: s.Given) -> None:
    """`given members(R) = [{total: 80, grade: tot}, …]`: stand-in results of a needed
    rule set, so that the test runs without that rule set's data."""
    function, _, rest = given.name.partition("(")
    ruleset = rest.rstrip(")")
    if function not in LINK_FUNCTIONS:
        c.error(
            "E041",
            given.name_span,
            f"`{function}(…)` không phải cách đọc kết quả bộ tiêu chí khác; dùng một trong: "
            f"{', '.join(LINK_FUNCTIONS)}",
            f"`{function}(…)` does not read another rule set's results; use one of: "
            f"{', '.join(LINK_FUNCTIONS)}",
            *did_you_mean(function, LINK_FUNCTIONS),
        )
        return
    if ruleset not in c.needs:
        c.error(
            "E024",
            given.name_span,
            f"`{ruleset}` không có trong `needs` của phần đầu",
            f"`{ruleset}` is not listed in the header's `needs`",
            *did_you_mean(ruleset, c.needs),
        )
    value = given.value
    records = value.items if isinstance(value, s.ListLit) else (value,)
    if function in LIST_LINKS and not isinstance(value, s.ListLit):
        records = ()
        c.error(
            "E039",
            value.span,
            f"`{given.name}` là danh sách kết quả: cần dạng [{{total: …, grade: …}}, …]",
            f"`{given.name}` is a list of results: write [{{total: …, grade: …}}, …]",
        )
    for record in records:
        if not isinstance(record, s.RecordLit):
            c.error(
                "E039",
                record.span,
                "mỗi kết quả cần dạng {total: …, grade: …}",
                "each result must be written {total: …, grade: …}",
            )
            continue
        for entry in record.fields:
            check_result_value(c, entry)


def check_result_value(c: Checker, entry: s.Keyword) -> None:
    wanted = RESULT_FIELD_TYPES.get(canonical(entry.name))
    value = entry.value
    if wanted is not None and wanted.kind == "grade":
        ok = isinstance(value, s.Name)
    elif wanted is not None:
        ok = literal_type(value) == wanted
    else:  # a let, criterion or group of the needed rule set
        ok = isinstance(value, s.Name) or literal_type(value) is not None
    if not ok:
        shown = wanted.describe() if wanted is not None else Text("giá trị", "a value")
        c.error(
            "E039",
            value.span,
            f"giá trị cho `{entry.name}` không hợp lệ: cần {shown.vi} viết trực tiếp",
            f"the value for `{entry.name}` is not valid: {shown.en} written out is needed",
        )


def check_records(c: Checker, given: s.Given, items: s.Items) -> None:
    if not isinstance(given.value, s.ListLit):
        c.error(
            "E039",
            given.value.span,
            f"`{given.name}` là danh sách: cần dạng [{{trường: giá trị, …}}, …]",
            f"`{given.name}` is a list: write [{{field: value, …}}, …]",
        )
        return
    fields = {f.name: f for f in items.fields}
    for record in given.value.items:
        if not isinstance(record, s.RecordLit):
            c.error(
                "E039",
                record.span,
                "mỗi phần tử của danh sách cần dạng {trường: giá trị, …}",
                "each element of the list must be written {field: value, …}",
            )
            continue
        seen: set[str] = set()
        for entry in record.fields:
            if entry.name in seen:
                c.error(
                    "E041",
                    entry.span,
                    f"trường `{entry.name}` đã có giá trị trong phần tử này",
                    f"the field `{entry.name}` already has a value in this element",
                )
                continue
            seen.add(entry.name)
            decl = fields.get(entry.name)
            if decl is None:
                c.error(
                    "E007",
                    entry.span,
                    f"danh sách `{items.name}` không có trường `{entry.name}`",
                    f"the list `{items.name}` has no field `{entry.name}`",
                    *did_you_mean(entry.name, fields),
                )
                continue
            problem = c.literal_problem(entry.value, decl)
            if problem is not None:
                c.error(
                    "E039",
                    entry.value.span,
                    f"giá trị cho `{items.name}.{entry.name}` không hợp lệ: {problem.vi}",
                    f"the value for `{items.name}.{entry.name}` is not valid: {problem.en}",
                )
        missing = [f.name for f in items.fields if f.default is None and f.name not in seen]
        if missing:
            listed = ", ".join(f"`{m}`" for m in missing)
            c.error(
                "E042",
                record.span,
                f"phần tử thiếu trường bắt buộc (không có mặc định): {listed}",
                f"the element lacks required fields (no default): {listed}",
            )


def check_required(c: Checker, given: set[str], span: s.Span, member: str | None) -> None:
    missing = [
        name for name, decl in c.inputs.items() if decl.default is None and name not in given
    ]
    if not missing:
        return
    listed = ", ".join(f"`{m}`" for m in missing)
    who_vi = f"đối tượng `{member}` " if member else "kiểm thử "
    who_en = f"the subject `{member}` " if member else "the test "
    c.error(
        "E042",
        span,
        f"{who_vi}thiếu giá trị cho đầu vào bắt buộc (không có mặc định): {listed}",
        f"{who_en}gives no value for required inputs (no default): {listed}",
    )


def check_expectation(
    c: Checker, expectation: s.Expectation, test: s.Test, subjects: dict[str, s.TestSubject]
) -> None:
    if test.subjects:
        if expectation.subject is None:
            c.error(
                "E044",
                expectation.span,
                "kiểm thử có nhiều đối tượng: hãy ghi tên đối tượng, ví dụ `expect A: grade = tot`",
                "a cohort test: name the subject, e.g. `expect A: grade = tot`",
            )
        elif expectation.subject not in subjects:
            c.error(
                "E044",
                expectation.span,
                f"kiểm thử không có đối tượng `{expectation.subject}`",
                f"the test has no subject `{expectation.subject}`",
                *did_you_mean(expectation.subject, subjects),
            )
    elif expectation.subject is not None:
        c.error(
            "E044",
            expectation.span,
            f"kiểm thử một đối tượng không có đối tượng tên `{expectation.subject}`; "
            "khai báo các đối tượng bằng `subject TÊN given …`",
            f"a single-subject test has no subject `{expectation.subject}`; declare "
            "subjects with `subject NAME given …`",
        )
    if expectation.is_flag:
        if expectation.name not in FLAGS:
            c.error(
                "E045",
                expectation.name_span,
                f"không có cờ `{expectation.name}`; các cờ: {', '.join(FLAGS)}",
                f"there is no flag `{expectation.name}`; flags: {', '.join(FLAGS)}",
                *did_you_mean(expectation.name, FLAGS),
            )
        return
    value = expectation.value
    if value is None:
        return
    wanted = expectation_type(c, expectation)
    if wanted is None:
        return
    if expectation.within is not None:
        check_within(c, expectation, wanted)
    if expectation.round_places is not None:
        check_rounded(c, expectation, wanted)
    if isinstance(value, s.NotApplicable):
        symbol = c.symbols.get(expectation.name)
        if symbol is None or symbol.kind != "criterion":
            c.error(
                "E043",
                value.span,
                "chỉ tiêu chí mới có thể `not applicable` (không áp dụng)",
                "only a criterion can be `not applicable`",
            )
        return
    if wanted.kind == "grade":
        c.grade_name(
            value,
            Text(
                f"giá trị kỳ vọng của `{expectation.name}`",
                f"the expected value of `{expectation.name}`",
            ),
        )
        return
    if wanted.kind in ("unknown", "items"):
        return
    found = literal_type(value)
    ok = found is not None and (
        found == wanted
        or (
            wanted.kind == "enum"
            and found == TEXT
            and isinstance(value, s.String)
            and value.value in wanted.choices
        )
        or (wanted.kind == "text" and found == TEXT)
    )
    if not ok:
        c.error(
            "E043",
            value.span,
            f"`{expectation.name}` là {wanted.describe().vi}: giá trị kỳ vọng phải là "
            f"{wanted.describe().vi} viết trực tiếp",
            f"`{expectation.name}` is {wanted.describe().en}: the expected value must be "
            f"{wanted.describe().en} written out",
        )


def check_rounded(c: Checker, expectation: s.Expectation, wanted: Type) -> None:
    """`expect round(X, N) = V`: X is a number, N places as `round` takes them."""
    places = expectation.round_places
    assert places is not None
    if not wanted.is_("number"):
        c.error(
            "E043",
            expectation.span,
            f"`{expectation.name}` là {wanted.describe().vi}: chỉ làm tròn được số",
            f"`{expectation.name}` is {wanted.describe().en}: only numbers can be rounded",
        )
    elif places > MAX_ROUND_PLACES:
        c.error(
            "E011",
            expectation.span,
            f"số chữ số làm tròn phải từ 0 đến {MAX_ROUND_PLACES}",
            f"the places to round to must be 0 to {MAX_ROUND_PLACES}",
        )


def check_within(c: Checker, expectation: s.Expectation, wanted: Type) -> None:
    """`expect X = V within E`: a tolerance for a number, written out, not negative."""
    within = expectation.within
    assert within is not None
    if not wanted.is_("number"):
        c.error(
            "E043",
            within.span,
            f"`{expectation.name}` là {wanted.describe().vi}: `sai số` chỉ dùng cho số",
            f"`{expectation.name}` is {wanted.describe().en}: `within` is for numbers only",
        )
        return
    tolerance = literal_number(within)
    if tolerance is None or tolerance < 0:
        c.error(
            "E043",
            within.span,
            "sai số phải là một số không âm viết trực tiếp, ví dụ `sai số 0.01`",
            "the tolerance must be a number written out, not negative, e.g. `within 0.01`",
        )


def expectation_type(c: Checker, expectation: s.Expectation) -> Type | None:
    """The type of the value an expectation names, or None after reporting."""
    name = canonical(expectation.name)
    if name == "total":
        return NUMBER
    if name in ("grade", "score_grade"):
        return GRADE
    symbol = c.symbols.get(expectation.name)
    if symbol is not None:
        if symbol.kind == "input" and isinstance(symbol.node, s.Input):
            return input_type(symbol.node.type)
        if symbol.kind in ("criterion", "group"):
            return NUMBER
        if symbol.kind == "let":
            return c.let_type(expectation.name)
        vi_kind, en_kind = KIND_WORDS[symbol.kind]
        c.error(
            "E043",
            expectation.name_span,
            f"`expect` (kỳ vọng) nhận đầu vào, let, tiêu chí, nhóm, total, grade hoặc "
            f"score_grade; `{expectation.name}` là {vi_kind}",
            f"`expect` takes inputs, lets, criteria, groups, total, grade or score_grade; "
            f"`{expectation.name}` is a {en_kind}",
        )
        return None
    candidates = [
        n for n, sym in c.symbols.items() if sym.kind in ("input", "let", "criterion", "group")
    ] + ["total", "grade", "score_grade"]
    c.error(
        "E006",
        expectation.name_span,
        f"tên `{expectation.name}` chưa được khai báo",
        f"`{expectation.name}` is not declared",
        *did_you_mean(expectation.name, candidates),
    )
    return None
