"""Evaluating several rule sets that need each other, in an order that is computed.

`needs` edges between rule sets form a graph: persons before their units, quarters before
the year, units before the heads capped by them. The graph must have no cycle; a cycle is an
error naming every file in it. Links are checked against the rule sets they read (the
subject kinds and periods must fit), then each rule set is evaluated for every period of
the target that its own period divides, reading the results of those before it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from chamdiem.dsl import syntax as s
from chamdiem.dsl.compile import link_key
from chamdiem.dsl.data import Cohort
from chamdiem.dsl.diagnostics import Diagnostic, did_you_mean, error
from chamdiem.dsl.links import Links
from chamdiem.dsl.loader import Program
from chamdiem.dsl.names import RESULT_FIELDS
from chamdiem.dsl.organisation import Organisation
from chamdiem.dsl.periods import Period, longer
from chamdiem.dsl.results import Results


class GraphError(Exception):
    """The rule sets cannot be evaluated together. `problems` pairs each diagnostic with
    the program (file) it belongs to; a problem of the whole graph has program None."""

    def __init__(self, problems: list[tuple[Program | None, Diagnostic]]) -> None:
        self.problems = problems
        super().__init__("; ".join(d.message.en for _, d in problems))


def _by_name(programs: Sequence[Program]) -> dict[str, Program]:
    found: dict[str, Program] = {}
    problems: list[tuple[Program | None, Diagnostic]] = []
    for program in programs:
        name = program.header.name
        if name in found:
            problems.append(
                (
                    program,
                    error(
                        "G001",
                        program.module.ruleset.name_span if program.module.ruleset else None,
                        f"bộ tiêu chí `{name}` đã được khai báo trong {found[name].path}",
                        f"rule set `{name}` is already declared in {found[name].path}",
                    ),
                )
            )
        else:
            found[name] = program
    if problems:
        raise GraphError(problems)
    return found


def evaluation_order(programs: Sequence[Program]) -> list[Program]:
    """The rule sets, each after every rule set it needs."""
    named = _by_name(programs)
    problems: list[tuple[Program | None, Diagnostic]] = []
    for program in programs:
        for need in program.header.needs:
            if need not in named:
                clause = program.module.ruleset.get("needs") if program.module.ruleset else None
                problems.append(
                    (
                        program,
                        error(
                            "G002",
                            clause.span if clause else None,
                            f"cần bộ tiêu chí `{need}` nhưng không có tệp nào khai báo nó",
                            f"needs rule set `{need}` but no file declares it",
                        ),
                    )
                )
    if problems:
        raise GraphError(problems)
    order: list[Program] = []
    state: dict[str, str] = {}

    def visit(name: str, path: list[str]) -> None:
        if state.get(name) == "done":
            return
        if state.get(name) == "visiting":
            cycle = [*path[path.index(name) :], name]
            files = [named[n].path for n in cycle[:-1]]
            chain = " → ".join(cycle)
            listed = ", ".join(files)
            raise GraphError(
                [
                    (
                        None,
                        error(
                            "G003",
                            None,
                            f"vòng lặp giữa các bộ tiêu chí: {chain} (các tệp: {listed})",
                            f"cycle between rule sets: {chain} (files: {listed})",
                        ),
                    )
                ]
            )
        state[name] = "visiting"
        for need in named[name].header.needs:
            visit(need, [*path, name])
        state[name] = "done"
        order.append(named[name])

    for program in programs:
        visit(program.header.name, [])
    return order


_KIND_RULES: dict[str, tuple[str, str, str]] = {
    # function: (this subject, needed subject, period relation)
    "members": ("unit", "person", "same"),
    "subordinates": ("person", "person", "same"),
    "unit_result": ("person", "unit", "same"),
    "result": ("*", "=", "same"),
    "periods": ("*", "=", "shorter"),
}
_KIND_VI = {"person": "cá nhân", "unit": "tập thể"}


def check_links(programs: Sequence[Program]) -> list[tuple[Program, Diagnostic]]:
    """Each `members(R)`, `periods(R)`… must name a rule set in `needs` whose subject kind
    and period fit the function; a field read from R must be one of R's outputs."""
    named = {p.header.name: p for p in programs}
    problems: list[tuple[Program, Diagnostic]] = []
    for program in programs:
        for node in _all_expressions(program.module):
            key = link_key(node)
            if key is None:
                continue
            function, ruleset = key
            span = node.span
            if ruleset not in program.header.needs:
                problems.append(
                    (
                        program,
                        error(
                            "G004",
                            span,
                            f"`{function}({ruleset})`: `{ruleset}` không có trong `needs` "
                            f"của bộ tiêu chí này",
                            f"`{function}({ruleset})`: `{ruleset}` is not in this rule "
                            f"set's `needs`",
                        ),
                    )
                )
                continue
            needed = named.get(ruleset)
            if needed is None:
                continue
            mine, theirs, relation = _KIND_RULES[function]
            here, there = program.header.subject, needed.header.subject
            expected_there = here if theirs == "=" else theirs
            if (mine != "*" and here != mine) or there != expected_there:
                problems.append(
                    (
                        program,
                        error(
                            "G005",
                            span,
                            f"`{function}({ruleset})` cần bộ tiêu chí cho "
                            f"{_KIND_VI[expected_there]} trong bộ tiêu chí cho "
                            f"{_KIND_VI[mine if mine != '*' else here]}; `{ruleset}` chấm "
                            f"{_KIND_VI[there]}",
                            f"`{function}({ruleset})` reads a {expected_there} rule set from a "
                            f"{mine if mine != '*' else here} rule set; `{ruleset}` scores "
                            f"{there}s",
                        ),
                    )
                )
            mine_period, their_period = program.header.period, needed.header.period
            if relation == "shorter" and not longer(mine_period, their_period):
                problems.append(
                    (
                        program,
                        error(
                            "G006",
                            span,
                            f"`periods({ruleset})` chỉ dùng được khi kỳ của bộ tiêu chí này "
                            f"({mine_period}) dài hơn kỳ của `{ruleset}` ({their_period})",
                            f"`periods({ruleset})` needs this rule set's period "
                            f"({mine_period}) to be longer than `{ruleset}`'s ({their_period})",
                        ),
                    )
                )
            if relation == "same" and mine_period != their_period:
                problems.append(
                    (
                        program,
                        error(
                            "G007",
                            span,
                            f"`{function}({ruleset})` đọc kết quả cùng kỳ, nhưng kỳ của hai bộ "
                            f"tiêu chí khác nhau ({mine_period} và {their_period}); dùng "
                            f"periods() để tổng hợp các kỳ",
                            f"`{function}({ruleset})` reads results of the same period, but the "
                            f"periods differ ({mine_period} and {their_period}); use periods() "
                            f"to aggregate",
                        ),
                    )
                )
        problems.extend(_check_fields(program, named))
    return problems


def linked_fields(program: Program, named: dict[str, Program]) -> dict[str, tuple[str, ...]]:
    return {
        need: RESULT_FIELDS + named[need].value_names
        for need in program.header.needs
        if need in named
    }


def _check_fields(program: Program, named: dict[str, Program]) -> list[tuple[Program, Diagnostic]]:
    problems = []
    fields = linked_fields(program, named)
    for node in _all_expressions(program.module):
        if isinstance(node, s.Attribute):
            key = link_key(node.target)
            if key is None or key[1] not in fields:
                continue
            if node.name not in fields[key[1]]:
                problems.append(
                    (
                        program,
                        error(
                            "G008",
                            node.name_span,
                            f"`{key[1]}` không có kết quả `{node.name}`",
                            f"`{key[1]}` has no output `{node.name}`",
                            *did_you_mean(node.name, fields[key[1]]),
                        ),
                    )
                )
    return problems


def _all_expressions(module: s.Module) -> list[s.Expr]:
    roots: list[s.Expr | None] = []
    for decl in module.declarations:
        if isinstance(decl, s.Let):
            roots.append(decl.expr)
        elif isinstance(decl, s.Group):
            for c in decl.criteria:
                roots.extend((c.expr, c.applies_when))
        elif isinstance(decl, s.Total):
            roots.append(decl.expr)
        elif isinstance(decl, s.Grades):
            roots.extend(g.when for g in decl.grades)
        elif isinstance(decl, s.Veto):
            roots.extend((decl.when, decl.cap))
        elif isinstance(decl, s.Quota):
            roots.extend((decl.share, decl.count, *[k.expr for k in decl.rank]))
    return s.walk(*roots)


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
        raise GraphError([(p, d) for p, d in problems])
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
