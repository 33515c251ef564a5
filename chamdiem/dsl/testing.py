"""Running the `test` blocks of a rule file.

A test without `subject` lines evaluates one subject alone, so quotas do not apply and
`grade` is the grade after vetoes. A cohort test evaluates its subjects together, quotas
included. A rule set that needs others is tested with stand-in results of those:
`given subordinates(cong_chuc_quy) = [{grade: khong}, {grade: tot}]`,
`given periods(cong_chuc_quy) = [{total: 85}, {total: 92}]` (the quarters of the year, or
the months of a quarter, in order), `given unit_result(co_quan_nam) = {grade: tot}`,
`given result(cong_chuc_quy) = {chung: 26}`.

Expected numbers compare exactly: a let holding 5/6 does not equal 0.83. `expect round(r, 2)
= 0.83` rounds the actual value first (half away from zero, as `round` does), and `expect r =
0.83 within 0.005` accepts |r - 0.83| <= 0.005. A failure shows the exact value (all its
digits, or a fraction when the decimal does not end) and, when a rounded reading would
match, how to write it.

A test evaluates one period: the one it names (`period 2026-07`), or the first period of the
rule set's kind that starts on or after `effective`. Dated params take the value in force on
that period's first day, as in `eval`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

import numpy as np

from chamdiem.dsl import syntax as s
from chamdiem.dsl.compile import literal_value
from chamdiem.dsl.data import Cohort, ItemTable, as_list, take_rows
from chamdiem.dsl.diagnostics import Text
from chamdiem.dsl.inputs import EvaluationError
from chamdiem.dsl.links import LinkError, Links
from chamdiem.dsl.names import canonical
from chamdiem.dsl.numeric import Num
from chamdiem.dsl.organisation import Organisation
from chamdiem.dsl.periods import Period, PeriodKind
from chamdiem.dsl.rounding import round_half_away
from chamdiem.dsl.values import Data, GradeCol, TextCol

if TYPE_CHECKING:
    from chamdiem.dsl.loader import Program
    from chamdiem.dsl.results import Results


@dataclass
class TestOutcome:
    name: str
    line: int
    path: str
    failures: list[Text] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures


class StubError(ValueError):
    """A test reads a field its stand-in results do not give."""


class StubResults:
    """Stand-in results of a needed rule set, built from a test's record literals."""

    def __init__(
        self, codes: list[str], units: list[str | None], rows: list[dict[str, object]]
    ) -> None:
        self.codes = codes
        self.units = units
        self.rows = rows

    def index_of(self, code: str) -> int | None:
        return self.codes.index(code) if code in self.codes else None

    def field(self, name: str, grades: Sequence[str]) -> Data:
        """The column of one field. Stand-ins of several functions share one table (say
        result(R) and subordinates(R)); a field only some rows give is the worst grade, 0,
        false or empty text in the others, and an error when no row gives it."""
        given = [row.get(name) for row in self.rows]
        if name == "graded":
            return np.array([v is not False for v in given], dtype=np.bool_)
        present = [v for v in given if v is not None]
        if not present:
            raise StubError(name)
        filler: object = (
            grades[-1]
            if name in ("grade", "score_grade") or present[0] in grades
            else False
            if isinstance(present[0], bool)
            else ""
            if isinstance(present[0], str)
            else 0
        )
        values = [filler if v is None else v for v in given]
        if name in ("grade", "score_grade") or all(v in grades for v in values):
            top = len(grades) - 1
            return GradeCol(np.array([top - list(grades).index(str(v)) for v in values]))
        if all(isinstance(v, bool) for v in values):
            return np.array(values, dtype=np.bool_)
        if all(isinstance(v, str) for v in values):
            return TextCol(np.array(values, dtype=object))
        num, _ = Num.from_values(values)
        return num


def _record(node: s.Expr) -> dict[str, object]:
    assert isinstance(node, s.RecordLit)
    return {
        k.name: (k.value.name if isinstance(k.value, s.Name) else literal_value(k.value))
        for k in node.fields
    }


def test_period(program: Program, test: s.Test) -> Period:
    """The period a test evaluates: the one it names, or the first of the rule set's kind
    that starts on or after `effective`."""
    if test.period is not None:
        return Period.parse(test.period)
    start = program.header.effective
    kind = program.header.period
    for year in (start.year, start.year + 1):
        for part in Period(year, "year", 1).parts(kind):
            if part.start >= start:
                return part
    raise AssertionError("a year always has a period starting after any day of the year before")


def _links(
    program: Program, period: Period, members: list[tuple[str, list[s.Given]]], units: list[str]
) -> Links | None:
    """Links made of the stand-in results the test gives, or None when it gives none."""
    stubs: dict[str, dict[Period, StubResults]] = {}
    found = False
    for (code, givens), unit in zip(members, units, strict=True):
        for given in givens:
            if "(" not in given.name:
                continue
            found = True
            function, ruleset = given.name[:-1].split("(")
            value = given.value
            rows = (
                [_record(r) for r in value.items]
                if isinstance(value, s.ListLit)
                else [_record(value)]
            )
            by_period = stubs.setdefault(ruleset, {})
            if function != "periods":
                by_period.setdefault(period, StubResults([], [], []))
            if function == "periods":
                kind: PeriodKind = "month" if period.kind == "quarter" else "quarter"
                for part, row in zip(period.parts(kind), rows, strict=False):
                    _add(by_period, part, code, None, row)
            elif function == "result":
                _add(by_period, period, code, unit, rows[0])
            elif function == "unit_result":
                _add(by_period, period, unit, None, rows[0])
            else:
                home = code if function == "members" else unit
                for k, row in enumerate(rows):
                    _add(by_period, period, f"{code}#{ruleset}#{k}", home, row)
    if not found:
        return None
    return Links(Organisation.flat([*units, *[c for c, _ in members]]), period, stubs)


def _add(
    by_period: dict[Period, StubResults],
    period: Period,
    code: str,
    unit: str | None,
    row: dict[str, object],
) -> None:
    stub = by_period.setdefault(period, StubResults([], [], []))
    stub.codes.append(code)
    stub.units.append(unit)
    stub.rows.append(row)


def _value_text(value: object) -> str:
    if value is None:
        return "không áp dụng"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _build_cohort(
    program: Program, test: s.Test, period: Period
) -> tuple[Cohort, list[str], Links | None]:
    members = (
        [(m.name, [*test.givens, *m.givens]) for m in test.subjects]
        if test.subjects
        else [("test", list(test.givens))]
    )
    n = len(members)
    codes = [name for name, _ in members]
    inputs: dict[str, list[object]] = {spec.name: [None] * n for spec in program.inputs}
    units: list[str | None] = [None] * n
    groups: list[str | None] = [None] * n
    heads = [False] * n
    owners: dict[str, list[int]] = {items.name: [] for items in program.items}
    fields: dict[str, dict[str, list[object]]] = {
        items.name: {f.name: [] for f in items.fields} for items in program.items
    }
    for i, (_, givens) in enumerate(members):
        for given in givens:
            name = canonical(given.name)
            if "(" in name:
                continue  # stand-in results of a needed rule set: see _links
            if name in owners and isinstance(given.value, s.ListLit):
                for record in given.value.items:
                    assert isinstance(record, s.RecordLit)
                    owners[name].append(i)
                    values = {k.name: literal_value(k.value) for k in record.fields}
                    for field_name, column in fields[name].items():
                        column.append(values.get(field_name))
                continue
            value = literal_value(given.value)
            if name == "unit":
                units[i] = str(value)
            elif name == "position_group":
                groups[i] = str(value)
            elif name == "is_head":
                heads[i] = bool(value)
            elif name in inputs:
                inputs[name][i] = value
    items = {name: ItemTable(owner=owners[name], fields=fields[name]) for name in owners}
    # Every test subject belongs to a unit, so that links to units and subordinates resolve.
    unit_codes = [u or "U" for u in units]
    cohort = Cohort(
        codes=codes,
        inputs=inputs,
        items=items,
        units=list(unit_codes),
        position_groups=groups,
        is_head=heads,
    )
    links = _links(program, period, members, unit_codes)
    return cohort, codes, links


def _actual(program: Program, results: Results, cohort: Cohort, i: int, name: str) -> object:
    if name == "total":
        return results.total[i]
    if name == "grade":
        return results.grade[i]
    if name == "score_grade":
        return results.score_grade[i]
    if name in program.value_kinds:
        mask = results.applicable(name)
        if mask is not None and not mask[i]:
            return None
        data = results.raw_value(name).data
        if isinstance(data, Num):
            return data.to_fraction(i)
        return results.value_column(name)[i]
    frame_value = results.evaluation.frame.inputs.get(name)
    if frame_value is not None:
        data = frame_value.data
        if isinstance(data, Num):
            return data.to_fraction(i)
        return as_list(take_rows(cohort.inputs[name], [i]))[0]
    return None


def _exact(value: object) -> Fraction | None:
    """A number as an exact fraction (None for what is not a number)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, Fraction | int):
        return Fraction(value)
    if isinstance(value, Decimal):
        return Fraction(value)
    return None


def _places(value: Decimal) -> int:
    return max(0, -int(value.as_tuple().exponent))


def _matches(expected: object, actual: object, expectation: s.Expectation) -> bool:
    want, got = _exact(expected), _exact(actual)
    if want is None or got is None:
        return expected == actual
    if expectation.round_places is not None:
        got = round_half_away(got, expectation.round_places)
    if expectation.within is not None:
        tolerance = _exact(literal_value(expectation.within))
        return tolerance is not None and abs(got - want) <= tolerance
    return got == want


def _terminates(value: Fraction) -> bool:
    denominator = value.denominator
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    return denominator == 1


def _decimal_text(value: Fraction, places: int) -> str:
    """`value` written with `places` decimals, cut (not rounded), '-' for negatives."""
    sign = "-" if value < 0 else ""
    scaled = int(abs(value) * 10**places)
    whole, part = divmod(scaled, 10**places)
    return f"{sign}{whole}" + (f".{part:0{places}d}" if places else "")


def show_exact(value: Fraction, digits: int = 4) -> str:
    """An exact value: all its digits when the decimal ends (0.125), else the fraction and
    its first digits (5/6 = 0.8333…)."""
    if value.denominator == 1:
        return str(value.numerator)
    if _terminates(value):
        places = 0
        while (value * 10**places).denominator != 1:
            places += 1
        return _decimal_text(value, places)
    return f"{value.numerator}/{value.denominator} = {_decimal_text(value, digits)}…"


def _show(value: object, digits: int = 4) -> str:
    if isinstance(value, Fraction | int) and not isinstance(value, bool):
        return show_exact(Fraction(value), digits)
    return _value_text(value)


def _number_failure(
    program: Program, expectation: s.Expectation, who: str, expected: Decimal, actual: Fraction
) -> Text:
    """`kỳ vọng r = 0.83, thực tế 5/6 = 0.8333…` and, when the value rounded to the places
    written would match, how to say that."""
    line = expectation.span.line
    places = _places(expected)
    shown = _show(actual, max(4, places + 2))
    target = (
        expectation.name
        if expectation.round_places is None
        else f"round({expectation.name}, {expectation.round_places})"
    )
    written = _literal_text(program, expectation.value) or str(expected)
    tolerance = _literal_text(program, expectation.within)
    within_vi = f" sai số {tolerance}" if tolerance is not None else ""
    within_en = f" within {tolerance}" if tolerance is not None else ""
    vi = f"dòng {line}: kỳ vọng {who}{target} = {written}{within_vi}, thực tế {shown}"
    en = f"line {line}: expected {who}{target} = {written}{within_en}, got {shown}"
    if (
        expectation.round_places is None
        and expectation.within is None
        and places < 10
        and round_half_away(actual, places) == Fraction(expected)
    ):
        keyword = _expect_word(program, expectation)
        subject = f"{expectation.subject}: " if expectation.subject else ""
        suggestion = f"{keyword} {subject}round({expectation.name}, {places}) = {written}"
        vi += f"; viết `{suggestion}` nếu ý là giá trị đã làm tròn"
        en += f"; write `{suggestion}` if the rounded value is meant"
    return Text(vi, en)


def _literal_text(program: Program, node: s.Expr | None) -> str | None:
    if node is None:
        return None
    return program.source[node.span.start : node.span.end]


def _expect_word(program: Program, expectation: s.Expectation) -> str:
    """`expect` as the test wrote it (`kỳ vọng`, `kì vọng` or `expect`)."""
    before = program.source[: expectation.span.start]
    found = max(
        ((before.rfind(word), word) for word in ("expect", "kỳ vọng", "kì vọng")),
        default=(-1, "expect"),
    )
    return found[1] if found[0] >= 0 else "expect"


def run_test(program: Program, test: s.Test) -> TestOutcome:
    outcome = TestOutcome(test.name, test.span.line, program.path)
    period = test_period(program, test)
    cohort, codes, links = _build_cohort(program, test, period)
    try:
        results = program.evaluate(
            cohort, period.start, apply_quotas=bool(test.subjects), links=links
        )
    except LinkError as link_error:
        outcome.failures.append(Text(str(link_error), str(link_error)))
        return outcome
    except StubError as missing:
        outcome.failures.append(
            Text(
                f"kết quả giả lập của bộ tiêu chí cần đến thiếu trường `{missing}`",
                f"the stand-in results of a needed rule set lack the field `{missing}`",
            )
        )
        return outcome
    except EvaluationError as error:
        for problem in error.problems[:10]:
            outcome.failures.append(
                Text(
                    f"không tính được: {problem.message.vi}",
                    f"cannot evaluate: {problem.message.en}",
                )
            )
        return outcome
    for expectation in test.expects:
        code = expectation.subject or codes[0]
        found = results.index_of(code)
        if found is None:
            outcome.failures.append(
                Text(
                    f"dòng {expectation.span.line}: đối tượng `{code}` không thuộc phạm vi áp "
                    f"dụng của bộ tiêu chí (áp dụng khi …); hãy cho thuộc tính phù hợp",
                    f"line {expectation.span.line}: subject `{code}` is outside the rule set's "
                    f"`applies when`; give it the attributes that select it",
                )
            )
            continue
        i = found
        who = f"{expectation.subject}: " if expectation.subject else ""
        if expectation.is_flag:
            if expectation.name not in results.flags(i):
                outcome.failures.append(
                    Text(
                        f"dòng {expectation.span.line}: kỳ vọng {who}cờ {expectation.name}, "
                        f"thực tế không có",
                        f"line {expectation.span.line}: expected {who}flag {expectation.name}, "
                        f"not set",
                    )
                )
            continue
        assert expectation.value is not None
        expected: object
        if isinstance(expectation.value, s.NotApplicable):
            expected = None
        elif isinstance(expectation.value, s.Name):
            expected = expectation.value.name
        else:
            expected = literal_value(expectation.value)
        name = canonical(expectation.name)
        actual = _actual(program, results, cohort, i, name)
        if isinstance(actual, Decimal):
            actual = Fraction(actual)
        if not _matches(expected, actual, expectation):
            exact = _exact(actual)
            if isinstance(expected, Decimal) and exact is not None:
                outcome.failures.append(_number_failure(program, expectation, who, expected, exact))
                continue
            outcome.failures.append(
                Text(
                    f"dòng {expectation.span.line}: kỳ vọng {who}{expectation.name} = "
                    f"{_value_text(expected)}, thực tế {_show(actual)}",
                    f"line {expectation.span.line}: expected {who}{expectation.name} = "
                    f"{_value_text(expected)}, got {_show(actual)}",
                )
            )
    return outcome


def run_tests(program: Program) -> list[TestOutcome]:
    return [run_test(program, test) for test in program.tests]
