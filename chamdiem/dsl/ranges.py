"""Range analysis of a rule file: which values each formula can take over the inputs'
declared ranges, for the checker's warnings (language design §7).

Each expression gets an `Estimate`: an interval holding every value it can take (None when
the analysis cannot tell), the inputs it depends on, and whether the interval's ends are
actually reached (`tight`). Interval arithmetic over-estimates when a value is used twice
(`x - x`) or a branch is taken only for some values; a warning is given only for tight
estimates, so that a warning always describes something that can happen.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from math import ceil, floor

from chamdiem.dsl import syntax as s
from chamdiem.dsl.diagnostics import Diagnostic, warning
from chamdiem.dsl.intervals import Interval, RealSet, format_interval, format_number
from chamdiem.dsl.names import BUILTIN_ATTRIBUTES, canonical, is_aggregate
from chamdiem.dsl.rounding import round_half_away

NUMBER_KINDS = ("number", "count", "percent")
_FLIP = {">": "<", ">=": "<=", "<": ">", "<=": ">=", "==": "==", "!=": "!="}
Env = Mapping[str, Interval]


@dataclass(frozen=True, slots=True)
class Estimate:
    interval: Interval | None  # None: cannot tell
    leaves: frozenset[str]  # the inputs, item fields and params it depends on
    tight: bool  # the interval's ends are reached (or approached, for open ends)


def _unknown(leaves: Iterable[str] = ()) -> Estimate:
    return Estimate(None, frozenset(leaves), False)


@dataclass(frozen=True, slots=True)
class _Refined:
    """A condition's effect on the values of the names it compares with constants."""

    env: Env | None  # None: the condition can never hold this way
    exact: bool  # env describes exactly the values for which it holds, and they occur
    keys: frozenset[str]
    leaves: frozenset[str]


# ---------------------------------------------------------------- helpers shared with check


def constant_number(node: s.Expr | None, params: Mapping[str, s.Param]) -> Fraction | None:
    """A number known before any data: a literal, or a param with a single number value."""
    if isinstance(node, s.Number):
        return Fraction(node.value)
    if isinstance(node, s.Unary) and node.op == "-":
        inner = constant_number(node.operand, params)
        return None if inner is None else -inner
    if isinstance(node, s.Name):
        param = params.get(node.name)
        if param is not None and len(param.values) == 1:
            value = param.values[0].value
            if isinstance(value, s.Number | s.Unary):
                return constant_number(value, params)
    return None


def _fraction_floor(value: Fraction) -> Fraction:
    return Fraction(floor(value))


def _fraction_ceil(value: Fraction) -> Fraction:
    return Fraction(ceil(value))


def declared_interval(decl: s.Input) -> Interval | None:
    """The values an input or item field may take, from its type and range."""
    kind = decl.type.kind
    if kind not in NUMBER_KINDS:
        return None
    result: Interval | None = (
        Interval(Fraction(0), None) if kind == "count" else Interval.everything()
    )
    rng = decl.range
    if rng is not None and result is not None:
        low = _literal(rng.low)
        high = _literal(rng.high)
        if (rng.low is not None and low is None) or (rng.high is not None and high is None):
            return result
        declared = Interval.make(low, high, rng.low_strict, rng.high_strict)
        result = None if declared is None else result.intersect(declared)
    return result


def _literal(node: s.Expr | None) -> Fraction | None:
    return constant_number(node, {}) if node is not None else None


# ---------------------------------------------------------------- the analysis


class Analysis:
    def __init__(
        self,
        *,
        inputs: Mapping[str, s.Input],
        items: Mapping[str, s.Items],
        params: Mapping[str, s.Param],
        lets: Mapping[str, s.Let],
        criteria: Mapping[str, tuple[s.Criterion, s.Group]],
        groups: Sequence[s.Group],
        total: s.Total | None,
        precision: int,
        scale: Fraction,
    ) -> None:
        self.inputs = inputs
        self.items = items
        self.params = params
        self.lets = lets
        self.criteria = criteria
        self.groups = {g.name: g for g in groups}
        self.total = total
        self.precision = precision
        self.scale = scale
        self._named: dict[str, Estimate] = {}
        self._busy: set[str] = set()
        self.formulas: dict[str, Estimate] = {}  # criterion formulas before rounding
        self.divisions: dict[tuple[int, int], tuple[s.Binary, Estimate]] = {}

    # ------------------------------------------------------------ named values

    def named(self, name: str) -> Estimate:
        known = self._named.get(name)
        if known is not None:
            return known
        if name in self._busy:
            return _unknown()  # a cycle, reported as an error elsewhere
        self._busy.add(name)
        try:
            found = self._compute(name)
        finally:
            self._busy.discard(name)
        self._named[name] = found
        return found

    def _compute(self, name: str) -> Estimate:
        if name == "total":
            return self._total()
        if name in self.lets:
            return self.expr(self.lets[name].expr, {})
        if name in self.criteria:
            return self._criterion(*self.criteria[name])
        if name in self.groups:
            return self._group(self.groups[name])
        return _unknown()

    def _criterion(self, criterion: s.Criterion, group: s.Group) -> Estimate:
        top = Fraction(criterion.max.value)
        formula = self.expr(criterion.expr, {})
        self.formulas[criterion.name] = formula
        if criterion.applies_when is not None:
            self.expr(criterion.applies_when, {})
        if formula.interval is None or top < 0:
            return Estimate(Interval.closed(0, max(top, Fraction(0))), formula.leaves, False)
        held = (
            formula.interval.monotone(lambda v: round_half_away(v, self.precision))
            .maximum(Interval.point(0))
            .minimum(Interval.point(top))
        )
        tight = formula.tight
        if criterion.applies_when is not None:  # not applicable counts as 0
            held, tight = held.hull(Interval.point(0)), False
        return Estimate(held, formula.leaves, tight)

    def _group(self, group: s.Group) -> Estimate:
        top = Fraction(group.max.value)
        parts = [self.named(c.name) for c in group.criteria if c.name in self.criteria]
        summed = _sum_estimates(parts, Estimate(Interval.point(0), frozenset(), True))
        if group.rescale and any(c.applies_when is not None for c in group.criteria):
            return Estimate(Interval.closed(0, max(top, Fraction(0))), summed.leaves, False)
        if summed.interval is None or top < 0:
            return Estimate(Interval.closed(0, max(top, Fraction(0))), summed.leaves, False)
        held = summed.interval.maximum(Interval.point(0)).minimum(Interval.point(top))
        return Estimate(held, summed.leaves, summed.tight)

    def _total(self) -> Estimate:
        scale = max(self.scale, Fraction(0))
        whole = Interval.closed(0, scale)
        if self.total is not None:
            formula = self.expr(self.total.expr, {})
            if formula.interval is None:
                return Estimate(whole, formula.leaves, False)
            held = (
                formula.interval.monotone(lambda v: round_half_away(v, self.precision))
                .maximum(Interval.point(0))
                .minimum(Interval.point(scale))
            )
            return Estimate(held, formula.leaves, formula.tight)
        parts: list[Estimate] = []
        for group in self.groups.values():
            part = self.named(group.name)
            if group.kind == "penalty" and part.interval is not None:
                part = replace(part, interval=-part.interval)
            parts.append(part)
        summed = _sum_estimates(parts, Estimate(Interval.point(0), frozenset(), True))
        if summed.interval is None:
            return Estimate(whole, summed.leaves, False)
        held = (
            summed.interval.maximum(Interval.point(0))
            .minimum(Interval.point(scale))
            .monotone(lambda v: round_half_away(v, self.precision))
        )
        return Estimate(held, summed.leaves, summed.tight)

    # ------------------------------------------------------------ expressions

    def expr(self, node: s.Expr, env: Env) -> Estimate:
        if isinstance(node, s.Number):
            return Estimate(Interval.point(node.value), frozenset(), True)
        if isinstance(node, s.Name):
            return self._name(node, env)
        if isinstance(node, s.Attribute):
            return self._field(node, env)
        if isinstance(node, s.Unary):
            inner = self.expr(node.operand, env)
            if node.op == "-" and inner.interval is not None:
                return replace(inner, interval=-inner.interval)
            return _unknown(inner.leaves)
        if isinstance(node, s.Binary):
            return self._binary(node, env)
        if isinstance(node, s.Conditional):
            return self._conditional(node, env)
        if isinstance(node, s.Call):
            return self._call(node, env)
        if isinstance(node, s.Band):
            return self._band(node, env)
        return _unknown()

    def _name(self, node: s.Name, env: Env) -> Estimate:
        name = node.name
        base = self._base_name(name)
        override = env.get(name)
        if override is not None:
            return Estimate(override, base.leaves, base.tight)
        return base

    def _base_name(self, name: str) -> Estimate:
        if name in self.inputs:
            decl = self.inputs[name]
            return Estimate(declared_interval(decl), frozenset({name}), True)
        if name in self.params:
            values = [constant_number(v.value, {}) for v in self.params[name].values]
            if not values or any(v is None for v in values):
                return _unknown({name})
            numbers = [v for v in values if v is not None]
            hull = Interval.closed(min(numbers), max(numbers))
            return Estimate(hull, frozenset() if len(numbers) == 1 else frozenset({name}), True)
        if name in self.lets or name in self.criteria or name in self.groups or name == "total":
            return self.named(name)
        if canonical(name) in BUILTIN_ATTRIBUTES:
            return _unknown({canonical(name)})
        return _unknown({name})

    def _field(self, node: s.Attribute, env: Env) -> Estimate:
        target = node.target
        if not isinstance(target, s.Name) or target.name not in self.items:
            return _unknown()
        key = f"{target.name}.{node.name}"
        decl = next((f for f in self.items[target.name].fields if f.name == node.name), None)
        if decl is None:
            return _unknown()
        override = env.get(key)
        interval = override if override is not None else declared_interval(decl)
        return Estimate(interval, frozenset({key}), True)

    def _binary(self, node: s.Binary, env: Env) -> Estimate:
        left = self.expr(node.left, env)
        right = self.expr(node.right, env)
        if node.op == "/":
            self.divisions.setdefault((node.span.start, node.span.end), (node, right))
        leaves = left.leaves | right.leaves
        if node.op not in ("+", "-", "*", "/") or left.interval is None or right.interval is None:
            return _unknown(leaves)
        a, b = left.interval, right.interval
        result = a + b if node.op == "+" else a - b if node.op == "-" else a * b
        if node.op == "/":
            result = a / b
        tight = left.tight and right.tight and left.leaves.isdisjoint(right.leaves)
        return Estimate(result, leaves, tight)

    def _call(self, node: s.Call, env: Env) -> Estimate:
        function = node.function
        if is_aggregate(function, len(node.args)) and len(node.args) == 1:
            return self._aggregate(node, env)
        args = [self.expr(a, env) for a in node.args]
        keywords = {k.name: self.expr(k.value, env) for k in node.keywords}
        if node.where is not None:
            self.expr(node.where, env)
        leaves = frozenset().union(*(a.leaves for a in args))
        if any(a.interval is None for a in args) or not args:
            return _unknown(leaves)
        intervals = [a.interval for a in args if a.interval is not None]
        tight = all(a.tight for a in args) and _disjoint(a.leaves for a in args)
        first = intervals[0]
        if function in ("min", "max"):
            result = first
            for other in intervals[1:]:
                result = result.minimum(other) if function == "min" else result.maximum(other)
            return Estimate(result, leaves, tight)
        if function == "clamp" and len(intervals) == 3:
            return Estimate(first.clamp(intervals[1], intervals[2]), leaves, tight)
        if function == "round" and len(intervals) == 2:
            places = constant_number(node.args[1], {})
            if places is None or places.denominator != 1 or not 0 <= places <= 10:
                return _unknown(leaves)
            digits = int(places)
            rounded = first.monotone(lambda v: round_half_away(v, digits))
            return Estimate(rounded, args[0].leaves, args[0].tight)
        if function in ("floor", "ceil") and len(intervals) == 1:
            step = _fraction_floor if function == "floor" else _fraction_ceil
            return Estimate(first.monotone(step), leaves, tight)
        if function == "abs" and len(intervals) == 1:
            return Estimate(first.absolute(), leaves, tight)
        if function == "ratio" and len(intervals) == 2:
            result = first / intervals[1]
            fallback = keywords.get("if_zero")
            if fallback is not None and intervals[1].contains(0):
                if fallback.interval is None:
                    return _unknown(leaves | fallback.leaves)
                result = result.hull(fallback.interval)
                tight = tight and fallback.tight
                leaves = leaves | fallback.leaves
            return Estimate(result, leaves, tight)
        return _unknown(leaves)

    def _aggregate(self, node: s.Call, env: Env) -> Estimate:
        function = node.function
        arg = node.args[0]
        inner_env: Env | None = env
        where_leaves: frozenset[str] = frozenset()
        if node.where is not None:
            where_leaves = self.expr(node.where, env).leaves
            inner_env = self._refine(node.where, env, True).env
        counts_rows = isinstance(arg, s.Name) and arg.name in self.items
        value = (
            Estimate(None, frozenset(), True)
            if counts_rows or inner_env is None
            else self.expr(arg, inner_env)
        )
        fallback = None
        for keyword in node.keywords:
            if keyword.name == "if_empty":
                fallback = self.expr(keyword.value, env)
        leaves = value.leaves | where_leaves
        if function == "count":
            return Estimate(Interval(Fraction(0), None), leaves, True)
        if inner_env is None and function == "sum":  # no element can match `where`
            return Estimate(Interval.point(0), leaves, True)
        if value.interval is None:
            return _unknown(leaves)
        per_item = value.interval
        if function == "sum":
            return Estimate(_sum_of_any_length(per_item), leaves, True)
        if function in ("mean", "min", "max"):
            if fallback is None:
                return Estimate(per_item, leaves, value.tight)
            if fallback.interval is None:
                return _unknown(leaves | fallback.leaves)
            return Estimate(
                per_item.hull(fallback.interval),
                leaves | fallback.leaves,
                value.tight and fallback.tight,
            )
        return _unknown(leaves)

    # ------------------------------------------------------------ branches

    def _conditional(self, node: s.Conditional, env: Env) -> Estimate:
        condition = self.expr(node.condition, env)
        parts: list[tuple[Estimate, bool]] = []
        for positive, branch in ((True, node.then), (False, node.otherwise)):
            refined = self._refine(node.condition, env, positive)
            if refined.env is not None:
                parts.append((self.expr(branch, refined.env), refined.exact))
        return _combine(parts, condition.leaves)

    def _band(self, node: s.Band, env: Env) -> Estimate:
        subject = self.expr(node.subject, env)
        key = self._key(node.subject)
        domain = RealSet.of(subject.interval) if subject.interval else RealSet.everything()
        covered = RealSet.empty()
        certain = True  # every row so far had constant bounds
        parts: list[tuple[Estimate, bool]] = []
        for row in node.rows:
            self.expr(row.bound, env)
            if row.upper is not None:
                self.expr(row.upper, env)
            taken = self._row_set(row)
            if taken is None:
                certain = False
                parts.append((self.expr(row.value, env), False))
                continue
            region = taken.minus(covered).intersect(domain)
            covered = covered.union(taken)
            if region.is_empty:
                continue
            parts.append(self._band_part(row.value, env, key, region, subject, certain))
        if node.otherwise is not None:
            region = domain.minus(covered)
            if not region.is_empty or not certain:
                parts.append(self._band_part(node.otherwise, env, key, region, subject, certain))
        return _combine(parts, subject.leaves)

    def _band_part(
        self,
        value: s.Expr,
        env: Env,
        key: str | None,
        region: RealSet,
        subject: Estimate,
        certain: bool,
    ) -> tuple[Estimate, bool]:
        """A row's value, and whether the row is surely reached with exactly those values."""
        hull = region.hull()
        refined = key is not None and hull is not None and certain
        found = self.expr(value, {**env, key: hull} if refined and key and hull else env)
        independent = found.leaves.isdisjoint(subject.leaves)
        exact = certain and subject.tight and (independent or (refined and len(region.parts) == 1))
        return found, exact

    def _row_set(self, row: s.BandRow) -> RealSet | None:
        bound = constant_number(row.bound, self.params)
        if bound is None:
            return None
        if row.op == "..":
            upper = constant_number(row.upper, self.params)
            if upper is None:
                return None
            return RealSet.compare(">=", bound).intersect(RealSet.compare("<=", upper))
        return RealSet.compare(row.op, bound)

    def _key(self, node: s.Expr) -> str | None:
        """The name under which a refined value is kept, for names and item fields."""
        if isinstance(node, s.Name) and (
            node.name in self.inputs
            or node.name in self.lets
            or node.name in self.criteria
            or node.name in self.groups
            or node.name == "total"
        ):
            return node.name
        if (
            isinstance(node, s.Attribute)
            and isinstance(node.target, s.Name)
            and node.target.name in self.items
        ):
            return f"{node.target.name}.{node.name}"
        return None

    def _refine(self, cond: s.Expr, env: Env, positive: bool) -> _Refined:
        """The values of compared names for which `cond` is `positive`."""
        unchanged = _Refined(env, False, frozenset(), frozenset())
        if isinstance(cond, s.Bool):
            holds = cond.value == positive
            return _Refined(env if holds else None, True, frozenset(), frozenset())
        if isinstance(cond, s.Unary) and cond.op == "not":
            return self._refine(cond.operand, env, not positive)
        if isinstance(cond, s.Name) and (
            (cond.name in self.inputs and self.inputs[cond.name].type.kind == "bool")
            or BUILTIN_ATTRIBUTES.get(canonical(cond.name)) == "bool"
        ):
            return _Refined(env, True, frozenset({cond.name}), frozenset({cond.name}))
        if not isinstance(cond, s.Binary):
            return unchanged
        if cond.op in ("and", "or"):
            # `a and b` holds on both refinements; `a or b` fails on both.
            if (cond.op == "and") != positive:
                return unchanged
            first = self._refine(cond.left, env, positive)
            if first.env is None:
                return first
            second = self._refine(cond.right, first.env, positive)
            independent = first.leaves.isdisjoint(second.leaves) or (
                first.keys == second.keys and len(first.keys) == 1
            )
            return _Refined(
                second.env,
                first.exact and second.exact and independent,
                first.keys | second.keys,
                first.leaves | second.leaves,
            )
        if cond.op not in _FLIP:
            return unchanged
        op: str = cond.op
        key, constant = self._key(cond.left), constant_number(cond.right, self.params)
        target = cond.left
        if key is None or constant is None:
            key, op = self._key(cond.right), _FLIP[cond.op]
            constant, target = constant_number(cond.left, self.params), cond.right
        if key is None or constant is None:
            return unchanged
        wanted = RealSet.compare(op, constant)
        if not positive:
            wanted = wanted.complement()
        current = self.expr(target, env)
        domain = RealSet.of(current.interval) if current.interval else RealSet.everything()
        region = wanted.intersect(domain)
        hull = region.hull()
        if hull is None:
            return _Refined(None, True, frozenset({key}), current.leaves)
        return _Refined(
            {**env, key: hull},
            len(region.parts) == 1 and current.tight,
            frozenset({key}),
            current.leaves,
        )

    # ------------------------------------------------------------ warnings

    def warnings(
        self,
        declarations: Sequence[s.Declaration],
        grades: s.Grades | None,
        capped: set[str] | None,
    ) -> list[Diagnostic]:
        found: list[Diagnostic] = []
        for decl in declarations:
            self._visit(decl)
        for name, (criterion, _group) in self.criteria.items():
            found.extend(self._criterion_warnings(name, criterion))
        for node, divisor in self.divisions.values():
            found.extend(_division_warning(node, divisor))
        if grades is not None and capped is not None:
            found.extend(self._grade_warnings(grades, capped))
        return found

    def _visit(self, decl: s.Declaration) -> None:
        """Analyse every formula once, so that each division is seen."""
        if isinstance(decl, s.Let) and self.lets.get(decl.name) is decl:
            self.named(decl.name)
        elif isinstance(decl, s.Group):
            for criterion in decl.criteria:
                if self.criteria.get(criterion.name, (None,))[0] is criterion:
                    self.named(criterion.name)
            if self.groups.get(decl.name) is decl:
                self.named(decl.name)
        elif isinstance(decl, s.Total) and decl is self.total:
            self.named("total")
        elif isinstance(decl, s.Grades):
            for grade in decl.grades:
                if grade.when is not None:
                    self.expr(grade.when, {})
        elif isinstance(decl, s.Veto | s.Exclusion):
            self.expr(decl.when, {})
        elif isinstance(decl, s.Quota):
            self.expr(decl.count, {})
            for key in decl.rank:
                self.expr(key.expr, {})

    def _criterion_warnings(self, name: str, criterion: s.Criterion) -> list[Diagnostic]:
        self.named(name)
        formula = self.formulas.get(name)
        if formula is None or formula.interval is None or not formula.tight:
            return []
        rounded = formula.interval.monotone(lambda v: round_half_away(v, self.precision))
        top = Fraction(criterion.max.value)
        shown = format_interval(formula.interval)
        found: list[Diagnostic] = []
        if rounded.hi is not None and rounded.hi > top:
            found.append(
                warning(
                    "W002",
                    criterion.expr.span,
                    f"công thức của tiêu chí `{name}` cho giá trị trong {shown} (theo khoảng "
                    f"giá trị đã khai báo của đầu vào), có thể vượt điểm tối đa "
                    f"{format_number(top)}; phần vượt sẽ bị cắt về {format_number(top)}",
                    f"the formula of the criterion `{name}` gives values in {shown} (over the "
                    f"inputs' declared ranges) and can exceed its maximum {format_number(top)}; "
                    f"the excess is cut to {format_number(top)}",
                )
            )
        if rounded.lo is not None and rounded.lo < 0:
            found.append(
                warning(
                    "W003",
                    criterion.expr.span,
                    f"công thức của tiêu chí `{name}` cho giá trị trong {shown} (theo khoảng "
                    "giá trị đã khai báo của đầu vào), có thể âm; giá trị âm được tính là 0",
                    f"the formula of the criterion `{name}` gives values in {shown} (over the "
                    "inputs' declared ranges) and can go below 0; a negative value counts as 0",
                )
            )
        return found

    def _grade_warnings(self, grades: s.Grades, capped: set[str]) -> list[Diagnostic]:
        total = self.named("total").interval or Interval.closed(0, max(self.scale, Fraction(0)))
        domain = RealSet.of(total)
        taken = RealSet.empty()
        found: list[Diagnostic] = []
        for grade in grades.grades:
            if grade.when is None:
                possible = definite = RealSet.everything()
            else:
                possible, definite = self._total_sets(grade.when)
            feasible = possible.intersect(domain)
            if feasible.minus(taken).is_empty and grade.name not in capped:
                shown = format_interval(total)
                if grade.when is None:
                    vi = (
                        f"mức `{grade.name}` (còn lại) không bao giờ đạt được: các mức phía trên "
                        "đã nhận mọi tổng điểm có thể"
                    )
                    en = (
                        f"the grade `{grade.name}` (otherwise) can never be reached: the grades "
                        "above take every possible total"
                    )
                elif feasible.is_empty:
                    vi = (
                        f"mức `{grade.name}` không bao giờ đạt được: điều kiện của nó không thể "
                        f"đúng khi tổng điểm nằm trong {shown}"
                    )
                    en = (
                        f"the grade `{grade.name}` can never be reached: its condition cannot "
                        f"hold while the total lies in {shown}"
                    )
                else:
                    vi = (
                        f"mức `{grade.name}` không bao giờ đạt được: mọi tổng điểm thỏa điều kiện "
                        "của nó đã được một mức phía trên nhận (xếp loại lấy mức đúng đầu tiên); "
                        "hãy xếp ngưỡng cao trước"
                    )
                    en = (
                        f"the grade `{grade.name}` can never be reached: every total that meets "
                        "its condition is taken by a grade above (the first grade that holds "
                        "wins); put the higher thresholds first"
                    )
                found.append(warning("W004", grade.name_span, vi, en))
            taken = taken.union(definite)
        return found

    def _total_sets(self, cond: s.Expr) -> tuple[RealSet, RealSet]:
        """The totals for which `cond` may hold, and those for which it surely holds."""
        everything, nothing = RealSet.everything(), RealSet.empty()
        if isinstance(cond, s.Bool):
            return (everything, everything) if cond.value else (nothing, nothing)
        if isinstance(cond, s.Unary) and cond.op == "not":
            possible, definite = self._total_sets(cond.operand)
            return definite.complement(), possible.complement()
        if not isinstance(cond, s.Binary):
            return everything, nothing
        if cond.op in ("and", "or"):
            lp, ld = self._total_sets(cond.left)
            rp, rd = self._total_sets(cond.right)
            if cond.op == "and":
                return lp.intersect(rp), ld.intersect(rd)
            return lp.union(rp), ld.union(rd)
        if cond.op not in _FLIP:
            return everything, nothing
        for side, other, op in (
            (cond.left, cond.right, cond.op),
            (cond.right, cond.left, _FLIP[cond.op]),
        ):
            if isinstance(side, s.Name) and side.name == "total":
                constant = constant_number(other, self.params)
                if constant is not None:
                    exact = RealSet.compare(op, constant)
                    return exact, exact
        return everything, nothing


# ---------------------------------------------------------------- combining estimates


def _disjoint(leaf_sets: Iterable[frozenset[str]]) -> bool:
    seen: set[str] = set()
    for leaves in leaf_sets:
        if not seen.isdisjoint(leaves):
            return False
        seen |= leaves
    return True


def _sum_estimates(parts: Sequence[Estimate], zero: Estimate) -> Estimate:
    leaves = frozenset().union(*(p.leaves for p in parts)) if parts else frozenset()
    if any(p.interval is None for p in parts):
        return _unknown(leaves)
    interval = zero.interval
    assert interval is not None
    for part in parts:
        assert part.interval is not None
        interval = interval + part.interval
    tight = all(p.tight for p in parts) and _disjoint(p.leaves for p in parts)
    return Estimate(interval, leaves, tight)


def _sum_of_any_length(per_item: Interval) -> Interval:
    """The sums of lists of any length (including empty) of values in `per_item`."""
    if per_item.lo is not None and per_item.lo >= 0:
        return Interval.point(0) if per_item.hi == 0 else Interval(Fraction(0), None)
    if per_item.hi is not None and per_item.hi <= 0:
        return Interval(None, Fraction(0))
    return Interval.everything()


def _combine(parts: Sequence[tuple[Estimate, bool]], condition: frozenset[str]) -> Estimate:
    """The values of a choice between branches (if, band): the hull of the reachable ones."""
    leaves = condition.union(*(p.leaves for p, _ in parts)) if parts else condition
    if not parts or any(p.interval is None for p, _ in parts):
        return _unknown(leaves)
    intervals = [p.interval for p, _ in parts if p.interval is not None]
    result = intervals[0]
    for other in intervals[1:]:
        result = result.hull(other)
    tight = all(p.tight and exact for p, exact in parts)
    return Estimate(result, leaves, tight)


def _division_warning(node: s.Binary, divisor: Estimate) -> list[Diagnostic]:
    interval = divisor.interval
    if interval is None or not divisor.tight or not interval.contains(0):
        return []
    shown = format_interval(interval)
    return [
        warning(
            "W007",
            node.right.span,
            f"số chia có thể bằng 0 (giá trị trong {shown}): khi đó phép chia báo lỗi lúc "
            "đánh giá; nếu đó là trường hợp bình thường, dùng ratio(a, b, if_zero: …) để "
            "quy định kết quả",
            f"the divisor can be 0 (its values lie in {shown}): the division then fails at "
            "evaluation; if that case is normal, use ratio(a, b, if_zero: …) to say the result",
        )
    ]
