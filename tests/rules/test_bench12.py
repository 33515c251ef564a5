"""bench12.rules: the exact engine against an independent Fraction loop, and the NumPy float
baseline of the benchmark against both (so the benchmark compares like with like)."""

from __future__ import annotations

import sys
from collections import defaultdict
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from chamdiem.dsl import Results, load_file

from .bench12_reference import GRADES, Outcome, evaluate_one
from .bench12_reference import evaluate as reference_evaluate

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import bench_data, float_baseline  # noqa: E402

RULES = ROOT / "bench" / "rules" / "bench12.rules"
CRITERIA = [f"c{k:02d}" for k in range(1, 13)]

# chuyen_mon 87.55 gives c02 = 87.55 / 10 = 8.755 exactly, which rounds to 8.76; in float64
# 87.55 / 10 * 100 is 875.4999999999999, which rounds to 8.75.
HALF_HUNDREDTH = 8755


def _subjects(data: bench_data.BenchData) -> list[dict[str, Fraction | int | bool]]:
    subjects: list[dict[str, Fraction | int | bool]] = []
    columns = {name: values.tolist() for name, values in data.values.items()}
    for i in range(len(data)):
        row: dict[str, Fraction | int | bool] = {}
        for name in bench_data.DECIMAL_INPUTS:
            row[name] = Fraction(columns[name][i], 100)
        for name in bench_data.COUNT_INPUTS + bench_data.BOOL_INPUTS:
            row[name] = columns[name][i]
        subjects.append(row)
    return subjects


@pytest.fixture(scope="module")
def sample() -> bench_data.BenchData:
    # ~2,000 subjects in 40 units of ~50, so that quotas bite.
    data = bench_data.generate(2000, seed=7, units=40)
    data.values["chuyen_mon"][0] = HALF_HUNDREDTH
    # A tie at the quota's cut: in the first unit where the quota demotes someone, the first
    # subject left out gets the inputs of the last one kept.
    subjects = _subjects(data)
    scored = [evaluate_one(v) for v in subjects]
    for unit in range(40):
        members = [i for i in range(len(data)) if data.unit[i] == unit]
        cap = sum(GRADES.index(scored[i].grade) >= 2 for i in members) // 5
        ranked = sorted(
            (i for i in members if scored[i].grade == "xuat_sac"),
            key=lambda i: (scored[i].total, scored[i].criteria["c04"]),
            reverse=True,
        )
        if 0 < cap < len(ranked):
            for values in data.values.values():
                values[ranked[cap]] = values[ranked[cap - 1]]
            break
    else:
        raise AssertionError("no unit where the quota demotes anyone")
    return data


@pytest.fixture(scope="module")
def reference(sample: bench_data.BenchData) -> list[Outcome]:
    return reference_evaluate(_subjects(sample), sample.unit_names())


@pytest.fixture(scope="module")
def exact(sample: bench_data.BenchData) -> Results:
    return load_file(RULES).evaluate(sample.to_cohort())


def test_the_rule_files_own_tests_pass() -> None:
    outcomes = load_file(RULES).run_tests()
    assert outcomes
    assert [(o.name, o.failures) for o in outcomes if not o.passed] == []


def test_exact_engine_gives_the_fraction_reference_digits(
    sample: bench_data.BenchData, reference: list[Outcome], exact: Results
) -> None:
    results = exact
    assert [Fraction(t) for t in results.total] == [o.total for o in reference]
    assert results.grade == [o.grade for o in reference]
    for name in CRITERIA:
        expected = [Fraction(o.criteria[name]) for o in reference]
        assert [Fraction(Decimal(str(v))) for v in results.value_column(name)] == expected, name
    assert [results.flags(i) == ["tie_at_quota"] for i in range(len(sample))] == [
        o.tie_at_quota for o in reference
    ]
    # The sample exercises what it is meant to: quota demotions, a tie at the cut, vetoes.
    assert sum(g == "xuat_sac" for g in results.grade) > 0
    demoted = [
        s == "xuat_sac" and g == "tot"
        for s, g in zip(results.score_grade, results.grade, strict=True)
    ]
    assert sum(demoted) > 0
    assert sum(o.tie_at_quota for o in reference) >= 2
    assert sum(1 for i in range(len(sample)) if results.vetoes(i)) > 0


def test_float_baseline_differs_only_where_float64_rounds_wrongly(
    sample: bench_data.BenchData, reference: list[Outcome]
) -> None:
    floats = float_baseline.evaluate(sample.to_float(), sample.unit)
    exact_criteria = {
        name: np.array([float(o.criteria[name]) for o in reference]) for name in CRITERIA
    }
    # Per subject: did float64 get any criterion or the total wrong?
    wrong = np.zeros(len(sample), dtype=np.bool_)
    for name in CRITERIA:
        wrong |= floats.criteria[name] != exact_criteria[name]
    wrong |= floats.total != np.array([float(o.total) for o in reference])
    # A wrong number can move another subject of the same unit through the quota, so compare
    # grades unit by unit: in every unit where float64 got every number right, every grade
    # and flag must agree.
    by_unit: dict[int, list[int]] = defaultdict(list)
    for i, unit in enumerate(sample.unit.tolist()):
        by_unit[unit].append(i)
    exact_grade = [GRADES.index(o.grade) for o in reference]
    for members in by_unit.values():
        if not wrong[members].any():
            assert floats.grade[members].tolist() == [exact_grade[i] for i in members]
            assert floats.tie_at_quota[members].tolist() == [
                reference[i].tie_at_quota for i in members
            ]
    assert wrong.sum() < len(sample) // 10  # the baseline is a fair, mostly-right program


def test_float64_rounds_a_half_hundredth_the_wrong_way(
    sample: bench_data.BenchData, reference: list[Outcome], exact: Results
) -> None:
    floats = float_baseline.evaluate(sample.to_float(), sample.unit)
    assert reference[0].criteria["c02"] == Fraction("8.76")
    assert exact.value_column("c02")[0] == "8.76"
    assert floats.criteria["c02"][0] == pytest.approx(8.75)
