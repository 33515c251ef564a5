"""Evaluating several rule sets that need each other, in an order that is computed.

`needs` edges between rule sets form a graph: persons before their units, quarters before
the year, units before the heads capped by them. The graph must have no cycle; a cycle is an
error naming every file in it. Links are checked against the rule sets they read (the
subject kinds and periods must fit), then each rule set is evaluated for every period of
the target that its own period divides, reading the results of those before it.

The checks themselves (codes G001–G008) live in across.py, which `chamdiem check` calls too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from chamdiem.dsl.across import GraphError, check_links, evaluation_order, linked_fields
from chamdiem.dsl.data import Cohort
from chamdiem.dsl.links import Links
from chamdiem.dsl.loader import Program
from chamdiem.dsl.organisation import Organisation
from chamdiem.dsl.periods import Period, longer
from chamdiem.dsl.results import Results


@dataclass
class GraphResults:
    """Results of every (rule set, period) evaluated, in evaluation order."""

    order: list[tuple[Program, Period]] = field(default_factory=list)
    results: dict[str, dict[Period, Results]] = field(default_factory=dict)
    cohorts: dict[tuple[str, Period], Cohort] = field(default_factory=dict)
    links: dict[tuple[str, Period], Links] = field(default_factory=dict)

    def get(self, ruleset: str, period: Period) -> Results | None:
        return self.results.get(ruleset, {}).get(period)


CohortSource = Callable[[Program, Period], Cohort | None]


def evaluate_graph(
    programs: Sequence[Program],
    organisation: Organisation,
    cohort_for: CohortSource,
    target: Period,
    on_stage: Callable[[Program, Period, float], None] | None = None,
) -> GraphResults:
    """Evaluate every rule set for every period of `target` its period divides (a quarterly
    rule set for each quarter of a target year), in dependency order. `cohort_for` gives the
    subjects and inputs of a rule set for a period (None: no data, skipped)."""
    import time

    order = evaluation_order(programs)
    problems = check_links(order)
    if problems:
        raise GraphError(problems)
    named = {p.header.name: p for p in order}
    out = GraphResults()
    for program in order:
        program.bind(linked_fields(program, named))
        kind = program.header.period
        if longer(kind, target.kind):
            continue
        for period in target.parts(kind):
            cohort = cohort_for(program, period)
            if cohort is None or len(cohort) == 0:
                continue
            links = Links(organisation, period, out.results)
            started = time.perf_counter()
            results = program.evaluate(cohort, period.start, links=links)
            if on_stage is not None:
                on_stage(program, period, time.perf_counter() - started)
            out.results.setdefault(program.header.name, {})[period] = results
            out.cohorts[(program.header.name, period)] = results.cohort or cohort
            out.links[(program.header.name, period)] = links
            out.order.append((program, period))
    return out


__all__ = [
    "CohortSource",
    "GraphError",
    "GraphResults",
    "check_links",
    "evaluate_graph",
    "evaluation_order",
    "linked_fields",
]
