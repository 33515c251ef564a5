"""Checks across rule files: what makes a set of rule sets unusable together.

`needs` edges between rule sets form a graph. Its problems have codes G001–G008: a rule set
declared twice (G001), a rule set needed but not given (G002), a cycle (G003), a link to a
rule set missing from `needs` (G004), a link whose subject kinds (G005) or periods (G006,
G007) do not fit, and a field read from a rule set that does not give it (G008).

`eval` (graph.py, on compiled programs) and `chamdiem check` (on checked syntax trees, without
the compiler or NumPy) both call these functions, so both report the same codes and words.
Anything with a `header`, a `module`, a `path` and `value_names` is a rule set here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from chamdiem.dsl import syntax as s
from chamdiem.dsl.diagnostics import Diagnostic, did_you_mean, error
from chamdiem.dsl.names import LINK_FUNCTIONS, RESULT_FIELDS
from chamdiem.dsl.periods import PeriodKind, longer


class HeaderLike(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def subject(self) -> str: ...
    @property
    def period(self) -> PeriodKind: ...
    @property
    def needs(self) -> tuple[str, ...]: ...


class RuleSetLike(Protocol):
    @property
    def header(self) -> HeaderLike: ...
    @property
    def module(self) -> s.Module: ...
    @property
    def path(self) -> str: ...
    @property
    def value_names(self) -> tuple[str, ...]: ...


R = TypeVar("R", bound=RuleSetLike)


class GraphError(Exception):
    """The rule sets cannot be evaluated together. `problems` pairs each diagnostic with
    the rule set (file) it belongs to; a problem of the whole graph has None."""

    def __init__(self, problems: Sequence[tuple[RuleSetLike | None, Diagnostic]]) -> None:
        # Any: eval's callers read back the programs they gave.
        self.problems: list[tuple[Any, Diagnostic]] = list(problems)
        super().__init__("; ".join(d.message.en for _, d in problems))


@dataclass(frozen=True)
class Header:
    """What the graph reads from a `ruleset … end` header."""

    name: str
    subject: str
    period: PeriodKind
    needs: tuple[str, ...]


@dataclass(frozen=True)
class CheckedRuleSet:
    """A checked rule file seen as a member of a set (for `chamdiem check`)."""

    header: Header
    module: s.Module
    path: str
    value_names: tuple[str, ...]


def checked_rule_set(module: s.Module, path: str) -> CheckedRuleSet | None:
    """The rule set a checked file declares; None without a usable header."""
    ruleset = module.ruleset
    if ruleset is None:
        return None
    subject = ruleset.get("subject")
    period = ruleset.get("period")
    if subject is None or period is None or period.value not in ("month", "quarter", "year"):
        return None
    needs = ruleset.get("needs")
    names: list[str] = []
    for d in module.declarations:
        if isinstance(d, s.Let):
            names.append(d.name)
        elif isinstance(d, s.Group):
            names.extend(c.name for c in d.criteria)
            names.append(d.name)
    header = Header(
        name=ruleset.name,
        subject=str(subject.value),
        period=period.value,
        needs=tuple(needs.value) if needs is not None else (),  # type: ignore[arg-type]
    )
    return CheckedRuleSet(header, module, path, tuple(names))


# ---------------------------------------------------------------- words

PERIOD_VI: dict[str, str] = {"month": "tháng", "quarter": "quý", "year": "năm"}
_KIND_VI = {"person": "cá nhân", "unit": "tập thể"}
_KIND_EN = {"person": "person", "unit": "unit"}


def _period_vi(kind: str) -> str:
    return PERIOD_VI.get(kind, kind)


def link_key(node: s.Expr) -> tuple[str, str] | None:
    """(function, ruleset) when `node` is `members(R)`, `periods(R)`, … with R a name."""
    if (
        isinstance(node, s.Call)
        and node.function in LINK_FUNCTIONS
        and len(node.args) == 1
        and isinstance(node.args[0], s.Name)
    ):
        return node.function, node.args[0].name
    return None


# ---------------------------------------------------------------- order and cycles


def _needs_span(program: RuleSetLike) -> s.Span | None:
    ruleset = program.module.ruleset
    clause = ruleset.get("needs") if ruleset is not None else None
    return clause.span if clause is not None else None


def by_name(programs: Sequence[R]) -> dict[str, R]:
    found: dict[str, R] = {}
    problems: list[tuple[RuleSetLike | None, Diagnostic]] = []
    for program in programs:
        name = program.header.name
        if name in found:
            ruleset = program.module.ruleset
            problems.append(
                (
                    program,
                    error(
                        "G001",
                        ruleset.name_span if ruleset is not None else None,
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


def missing_needs(programs: Sequence[R], named: dict[str, R]) -> list[tuple[R, Diagnostic]]:
    """G002: each rule set named in `needs` that no file declares."""
    problems: list[tuple[R, Diagnostic]] = []
    for program in programs:
        for need in program.header.needs:
            if need not in named:
                problems.append(
                    (
                        program,
                        error(
                            "G002",
                            _needs_span(program),
                            f"cần bộ tiêu chí `{need}` nhưng không có tệp nào khai báo nó",
                            f"needs rule set `{need}` but no file declares it",
                        ),
                    )
                )
    return problems


def find_cycle(programs: Sequence[R], named: dict[str, R]) -> Diagnostic | None:
    """G003: the first cycle of `needs` between the rule sets, naming each file in it."""
    state: dict[str, str] = {}

    def visit(name: str, path: list[str]) -> list[str] | None:
        if state.get(name) == "done" or name not in named:
            return None
        if state.get(name) == "visiting":
            return [*path[path.index(name) :], name]
        state[name] = "visiting"
        for need in named[name].header.needs:
            cycle = visit(need, [*path, name])
            if cycle is not None:
                return cycle
        state[name] = "done"
        return None

    for program in programs:
        cycle = visit(program.header.name, [])
        if cycle is not None:
            chain = " → ".join(cycle)
            listed = ", ".join(named[n].path for n in cycle[:-1])
            return error(
                "G003",
                None,
                f"vòng lặp giữa các bộ tiêu chí: {chain} (các tệp: {listed})",
                f"cycle between rule sets: {chain} (files: {listed})",
            )
    return None


def evaluation_order(programs: Sequence[R]) -> list[R]:
    """The rule sets, each after every rule set it needs (GraphError: G001–G003)."""
    named = by_name(programs)
    missing = missing_needs(programs, named)
    if missing:
        raise GraphError(missing)
    cycle = find_cycle(programs, named)
    if cycle is not None:
        raise GraphError([(None, cycle)])
    order: list[R] = []
    done: set[str] = set()

    def visit(name: str) -> None:
        if name in done:
            return
        done.add(name)
        for need in named[name].header.needs:
            visit(need)
        order.append(named[name])

    for program in programs:
        visit(program.header.name)
    return order


# ---------------------------------------------------------------- links

_KIND_RULES: dict[str, tuple[str, str, str]] = {
    # function: (this subject, needed subject, period relation)
    "members": ("unit", "person", "same"),
    "subordinates": ("person", "person", "same"),
    "unit_result": ("person", "unit", "same"),
    "result": ("*", "=", "same"),
    "periods": ("*", "=", "shorter"),
}


def check_links(programs: Sequence[R]) -> list[tuple[R, Diagnostic]]:
    """Each `members(R)`, `periods(R)`… must name a rule set in `needs` whose subject kind
    and period fit the function (G004–G007); a field read from R must be one of R's
    outputs (G008)."""
    named = {p.header.name: p for p in programs}
    problems: list[tuple[R, Diagnostic]] = []
    for program in programs:
        for node in all_expressions(program.module):
            key = link_key(node)
            if key is None:
                continue
            problems.extend((program, d) for d in _link_problems(program, named, node, *key))
        problems.extend((program, d) for d in _check_fields(program, named))
    return problems


def _link_problems(
    program: RuleSetLike,
    named: dict[str, R],
    node: s.Expr,
    function: str,
    ruleset: str,
) -> list[Diagnostic]:
    span = node.span
    if ruleset not in program.header.needs:
        return [
            error(
                "G004",
                span,
                f"`{function}({ruleset})`: `{ruleset}` không có trong `needs` của bộ tiêu chí này",
                f"`{function}({ruleset})`: `{ruleset}` is not in this rule set's `needs`",
            )
        ]
    needed = named.get(ruleset)
    if needed is None:
        return []
    out: list[Diagnostic] = []
    mine, theirs, relation = _KIND_RULES[function]
    here, there = program.header.subject, needed.header.subject
    expected_there = here if theirs == "=" else theirs
    if (mine != "*" and here != mine) or there != expected_there:
        reader = mine if mine != "*" else here
        out.append(
            error(
                "G005",
                span,
                f"`{function}({ruleset})` cần bộ tiêu chí cho {_KIND_VI[expected_there]} "
                f"trong bộ tiêu chí cho {_KIND_VI[reader]}; `{ruleset}` chấm "
                f"{_KIND_VI[there]}",
                f"`{function}({ruleset})` reads a {_KIND_EN[expected_there]} rule set from a "
                f"{_KIND_EN[reader]} rule set; `{ruleset}` scores {_KIND_EN[there]}s",
            )
        )
    mine_period, their_period = program.header.period, needed.header.period
    mine_vi, theirs_vi = _period_vi(mine_period), _period_vi(their_period)
    if relation == "shorter" and not longer(mine_period, their_period):
        out.append(
            error(
                "G006",
                span,
                f"`periods({ruleset})` chỉ dùng được khi kỳ của bộ tiêu chí này (kỳ "
                f"{mine_vi}) dài hơn kỳ của `{ruleset}` (kỳ {theirs_vi})",
                f"`periods({ruleset})` needs this rule set's period ({mine_period}) to be "
                f"longer than `{ruleset}`'s ({their_period})",
            )
        )
    if relation == "same" and mine_period != their_period:
        if longer(mine_period, their_period) and here == there:
            advice_vi = f"; dùng `periods({ruleset})` để tổng hợp các kỳ {theirs_vi}"
            advice_en = f"; use `periods({ruleset})` to aggregate its {their_period}s"
        else:
            advice_vi = f"; `{ruleset}` phải chấm theo kỳ {mine_vi}"
            advice_en = f"; `{ruleset}` must be evaluated by {mine_period}"
        out.append(
            error(
                "G007",
                span,
                f"`{function}({ruleset})` đọc kết quả cùng kỳ, nhưng bộ tiêu chí này chấm "
                f"theo kỳ {mine_vi} còn `{ruleset}` chấm theo kỳ {theirs_vi}{advice_vi}",
                f"`{function}({ruleset})` reads results of the same period, but this rule "
                f"set is evaluated by {mine_period} and `{ruleset}` by "
                f"{their_period}{advice_en}",
            )
        )
    return out


def linked_fields(program: RuleSetLike, named: dict[str, R]) -> dict[str, tuple[str, ...]]:
    return {
        need: RESULT_FIELDS + named[need].value_names
        for need in program.header.needs
        if need in named
    }


def _check_fields(program: RuleSetLike, named: dict[str, R]) -> list[Diagnostic]:
    problems = []
    fields = linked_fields(program, named)
    for node in all_expressions(program.module):
        if isinstance(node, s.Attribute):
            key = link_key(node.target)
            if key is None or key[1] not in fields:
                continue
            if node.name not in fields[key[1]]:
                problems.append(
                    error(
                        "G008",
                        node.name_span,
                        f"`{key[1]}` không có kết quả `{node.name}`",
                        f"`{key[1]}` has no output `{node.name}`",
                        *did_you_mean(node.name, fields[key[1]]),
                    )
                )
    return problems


def names_read_by_others(programs: Sequence[RuleSetLike]) -> dict[str, set[str]]:
    """For each rule set, the names of it other rule sets read (`periods(R).x`: x of R)."""
    read: dict[str, set[str]] = {}
    for program in programs:
        for node in all_expressions(program.module):
            if isinstance(node, s.Attribute):
                key = link_key(node.target)
                if key is not None:
                    read.setdefault(key[1], set()).add(node.name)
    return read


def all_expressions(module: s.Module) -> list[s.Expr]:
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


# ---------------------------------------------------------------- for `chamdiem check`


def check_set(
    rule_sets: Sequence[CheckedRuleSet],
) -> list[tuple[CheckedRuleSet | None, Diagnostic]]:
    """Every problem `eval` would find in this set of rule files, at once: G001–G008."""
    try:
        named = by_name(rule_sets)
    except GraphError as exc:
        return [(p if isinstance(p, CheckedRuleSet) else None, d) for p, d in exc.problems]
    problems: list[tuple[CheckedRuleSet | None, Diagnostic]] = []
    problems.extend(missing_needs(rule_sets, named))
    cycle = find_cycle(rule_sets, named)
    if cycle is not None:
        problems.append((None, cycle))
    problems.extend(check_links(rule_sets))
    return problems
