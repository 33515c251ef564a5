"""Running the `test` blocks of a rule file.

A test without `subject` lines evaluates one subject alone, so quotas do not apply and
`grade` is the grade after vetoes. A cohort test evaluates its subjects together, quotas
included. A rule set that needs others is tested with stand-in results of those:
`given subordinates(cong_chuc_quy) = [{grade: khong}, {grade: tot}]`,
`given periods(cong_chuc_quy) = [{total: 85}, {total: 92}]` (the quarters of the year, or
the months of a quarter, in order), `given unit_result(co_quan_nam) = {grade: tot}`,
`given result(cong_chuc_quy) = {chung: 26}`. Expected numbers compare exactly; a `let`
whose exact value has more decimals than the test writes (2/3 against 0.67) matches when
it rounds, half away from zero, to the written value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
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


def _test_period(program: Program) -> Period:
    """The period a test evaluates: the one of the rule set's kind holding its start."""
    start = program.header.effective
    year = Period(start.year, "year", 1)
    kind = program.header.period
    return next(p for p in year.parts(kind) if p.contains(Period(start.year, "month", start.month)))


def _links(
    program: Program, members: list[tuple[str, list[s.Given]]], units: list[str]
) -> Links | None:
    """Links made of the stand-in results the test gives, or None when it gives none."""
    period = _test_period(program)
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


def _build_cohort(program: Program, test: s.Test) -> tuple[Cohort, list[str], Links | None]:
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
    links = _links(program, members, unit_codes)
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


def _matches(expected: object, actual: object, rounding_allowed: bool) -> bool:
    if isinstance(expected, Decimal) and not isinstance(actual, bool | str | type(None)):
        exact = Fraction(actual) if isinstance(actual, Decimal) else actual
        if not isinstance(exact, Fraction | int):
            return False
        if Fraction(expected) == exact:
            return True
        if rounding_allowed:
            places = -int(expected.as_tuple().exponent)
            rounded = _round_fraction(Fraction(exact), places)
            return rounded == Fraction(expected)
        return False
    return expected == actual


def _round_fraction(value: Fraction, places: int) -> Fraction:
    quantum = Decimal(1).scaleb(-places)
    as_decimal = Decimal(value.numerator) / Decimal(value.denominator)
    return Fraction(as_decimal.quantize(quantum, rounding=ROUND_HALF_UP))


def _show(value: object) -> str:
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return str(value.numerator)
        as_decimal = Decimal(value.numerator) / Decimal(value.denominator)
        return format(as_decimal.quantize(Decimal("1E-10")).normalize(), "f")
    return _value_text(value)


def run_test(program: Program, test: s.Test) -> TestOutcome:
    outcome = TestOutcome(test.name, test.span.line, program.path)
    cohort, codes, links = _build_cohort(program, test)
    try:
        results = program.evaluate(cohort, apply_quotas=bool(test.subjects), links=links)
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
        rounding = program.value_kinds.get(name) == "let"
        if not _matches(expected, actual, rounding):
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
