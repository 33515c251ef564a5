"""Linked rule sets evaluated for one period from a DATA file: every (rule set, period) the
target period needs, in dependency order: a year's quarters, leaders, units, heads and the
year itself. What `chamdiem eval --period` and `chamdiem demo --year` run; they only print.

Problems are raised, not printed: `GraphError` when the rule sets cannot go together,
`DataFileError` for the data, `StageFailed` naming the (rule set, period) whose evaluation
failed.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chamdiem.dsl.data import Cohort
    from chamdiem.dsl.diagnostics import Diagnostic, Language
    from chamdiem.dsl.graph import GraphResults
    from chamdiem.dsl.inputs import EvaluationError
    from chamdiem.dsl.links import LinkError
    from chamdiem.dsl.loader import Program
    from chamdiem.dsl.periods import Period
    from chamdiem.dsl.results import Results
    from chamdiem.platform.excel.period_reader import PeriodData


class StageFailed(Exception):
    """The evaluation of one (rule set, period) failed; `error` says why."""

    def __init__(self, ruleset: str, period: str, error: EvaluationError | LinkError) -> None:
        super().__init__(f"{ruleset} {period}: {error}")
        self.ruleset = ruleset
        self.period = period
        self.error = error

    @property
    def where(self) -> str:
        return f"{self.ruleset} {self.period}"


def link_problems(programs: Sequence[Program]) -> list[tuple[Program | None, Diagnostic]]:
    """Why the rule sets cannot be evaluated together (a rule set needed but missing, a
    cycle, a field read that the other rule set does not give); empty when they can."""
    from chamdiem.dsl.graph import GraphError, check_links, evaluation_order

    try:
        order = evaluation_order(programs)
    except GraphError as exc:
        return list(exc.problems)
    return [(program, diagnostic) for program, diagnostic in check_links(order)]


def evaluated_for(programs: Sequence[Program], target: Period) -> bool:
    """Whether some rule set is evaluated for `target` (a quarterly rule set is not, for a
    month)."""
    from chamdiem.dsl.periods import longer

    return any(not longer(p.header.period, target.kind) for p in programs)


def read_data(path: Path, programs: Sequence[Program], target: Period) -> PeriodData:
    """The unit tree and every (rule set, period)'s cohort; DataFileError lists every problem
    of the file."""
    from chamdiem.platform.excel.period_reader import read_period_data

    return read_period_data(path, programs, target)


def evaluate_period(
    programs: Sequence[Program],
    data: PeriodData,
    target: Period,
    on_stage: Callable[[Program, Period, float], None] | None = None,
) -> GraphResults:
    """Every (rule set, period) of `target` in dependency order; `on_stage` is told each
    stage's seconds. Raises GraphError, or StageFailed for the stage that failed."""
    from chamdiem.dsl.graph import evaluate_graph
    from chamdiem.dsl.inputs import EvaluationError
    from chamdiem.dsl.links import LinkError

    stage = ["", ""]  # the rule set and period being evaluated

    def cohort_for(program: Program, period: Period) -> Cohort | None:
        stage[:] = [program.header.name, period.code]
        return data.cohort_for(program, period)

    try:
        return evaluate_graph(programs, data.organisation, cohort_for, target, on_stage)
    except (EvaluationError, LinkError) as exc:
        raise StageFailed(stage[0], stage[1], exc) from exc


def result_count(graph: GraphResults) -> int:
    """How many results there are, over every (rule set, period)."""
    return sum(len(r) for by in graph.results.values() for r in by.values())


def graph_records(graph: GraphResults) -> Iterator[dict[str, object]]:
    """One JSON object per subject per (rule set, period), in evaluation order."""
    for program, period in graph.order:
        results = graph.get(program.header.name, period)
        if results is None:
            continue
        extra = {"ruleset": program.header.name, "period": period.code}
        for record in results.records():
            yield {**extra, **record}


def stage_cohort(graph: GraphResults, program: Program, period: Period) -> tuple[Results, Cohort]:
    """A stage's results and the cohort they line up with (subject i of both is the same;
    the graph keeps the cohort it was given, which `applies when` may have cut)."""
    results = graph.get(program.header.name, period)
    cohort = graph.cohorts[(program.header.name, period)]
    assert results is not None
    if len(cohort) != len(results):
        position = {code: i for i, code in enumerate(cohort.codes)}
        cohort = cohort.subset([position[code] for code in results.codes])
    return results, cohort


@dataclass
class Found:
    """One subject's result in one (rule set, period): results[index], cohort[index]."""

    program: Program
    period: Period
    results: Results
    cohort: Cohort
    index: int

    def explain(self, language: Language) -> str:
        return self.program.explain(self.cohort, self.results, self.index, language)


def find_everywhere(graph: GraphResults, code: str) -> list[Found]:
    """Subject `code`'s result in every (rule set, period) it has one in, in evaluation
    order."""
    wanted = unicodedata.normalize("NFC", code.strip())
    found = []
    for program, period in graph.order:
        results, cohort = stage_cohort(graph, program, period)
        index = results.index_of(wanted)
        if index is not None:
            found.append(Found(program, period, results, cohort, index))
    return found


def result_codes(graph: GraphResults) -> list[str]:
    """Every subject code with a result, sorted."""
    return sorted({c for _, by in graph.results.items() for r in by.values() for c in r.codes})
