"""Running the `test` blocks of a rule file.

A test without `subject` lines evaluates one subject alone, so quotas do not apply and
`grade` is the grade after vetoes. A cohort test evaluates its subjects together, quotas
included. Expected numbers compare exactly; a `let` whose exact value has more decimals
than the test writes (2/3 against 0.67) matches when it rounds, half away from zero, to
the written value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

from chamdiem.dsl import syntax as s
from chamdiem.dsl.compile import literal_value
from chamdiem.dsl.data import Cohort, ItemTable
from chamdiem.dsl.diagnostics import Text
from chamdiem.dsl.inputs import EvaluationError
from chamdiem.dsl.names import canonical
from chamdiem.dsl.numeric import Num

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


def _value_text(value: object) -> str:
    if value is None:
        return "không áp dụng"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _build_cohort(program: Program, test: s.Test) -> tuple[Cohort, list[str]]:
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
    cohort = Cohort(
        codes=codes,
        inputs=inputs,
        items=items,
        units=units,
        position_groups=groups,
        is_head=heads,
    )
    return cohort, codes


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
        return cohort.inputs[name][i]
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
    cohort, codes = _build_cohort(program, test)
    try:
        results = program.evaluate(cohort, apply_quotas=bool(test.subjects))
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
        i = codes.index(expectation.subject) if expectation.subject else 0
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
