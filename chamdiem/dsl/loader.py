"""The public face of the language: load a rule file once, evaluate cohorts many times."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Literal, cast

import numpy as np

from chamdiem.dsl import syntax as s
from chamdiem.dsl.compile import CompiledRules, Compiler, literal_value
from chamdiem.dsl.data import Cohort
from chamdiem.dsl.diagnostics import Diagnostic, Language, has_errors, render_all
from chamdiem.dsl.links import Links
from chamdiem.dsl.program import GradeSpec, HeaderInfo, InputSpec, ItemsSpec
from chamdiem.dsl.results import Results, ValueKind
from chamdiem.dsl.runtime import build_frame, evaluate
from chamdiem.dsl.testing import TestOutcome
from chamdiem.dsl.values import as_bool

if TYPE_CHECKING:
    from chamdiem.dsl.check.resolved import Resolved


class RuleFileError(Exception):
    """A rule file with errors: it cannot be used. `diagnostics` holds all of them."""

    def __init__(self, path: str, source: str, diagnostics: list[Diagnostic]) -> None:
        self.path = path
        self.source = source
        self.diagnostics = diagnostics
        errors = sum(1 for d in diagnostics if d.is_error)
        super().__init__(f"{path}: {errors} error(s)")

    def render(self, language: Language | None = None) -> str:
        return render_all(self.diagnostics, self.source, self.path, language)


def _input_spec(decl: s.Input) -> InputSpec:
    low = high = None
    low_strict = high_strict = False
    if decl.range is not None:
        r = decl.range
        low = cast(Decimal, literal_value(r.low)) if r.low is not None else None
        high = cast(Decimal, literal_value(r.high)) if r.high is not None else None
        low_strict, high_strict = r.low_strict, r.high_strict
    default = literal_value(decl.default) if decl.default is not None else None
    if decl.type.kind == "count" and isinstance(default, Decimal):
        default = int(default)
    return InputSpec(
        name=decl.name,
        label=decl.label,
        kind="text" if decl.type.kind == "key" else decl.type.kind,
        choices=decl.type.choices,
        low=low,
        low_strict=low_strict,
        high=high,
        high_strict=high_strict,
        has_default=decl.default is not None,
        default=default,
        line=decl.span.line,
        catalog=decl.type.catalog,
    )


def _header(module: s.Module) -> HeaderInfo:
    ruleset = module.ruleset
    assert ruleset is not None

    def value(key: s.HeaderKey, default: object = None) -> object:
        clause = ruleset.get(key)
        return clause.value if clause is not None else default

    groups = [d for d in module.declarations if isinstance(d, s.Group) and d.kind == "group"]
    scale = value("scale") or sum((g.max.value for g in groups), Decimal(0))
    return HeaderInfo(
        name=ruleset.name,
        title=ruleset.title,
        subject=cast(Literal["person", "unit"], value("subject")),
        period=cast(Literal["month", "quarter", "year"], value("period")),
        effective=cast(date, value("effective")),
        until=cast("date | None", value("until")),
        basis=cast("str | None", value("basis")),
        precision=int(cast(int, value("precision", 2))),
        scale=Decimal(cast(Decimal, scale)),
        needs=tuple(cast("tuple[str, ...]", value("needs", ()))),
    )


class Program:
    """A checked and compiled rule set."""

    def __init__(self, resolved: Resolved, warnings: list[Diagnostic]) -> None:
        module = resolved.module
        self.module = module
        self.resolved = resolved
        self.path = module.path
        self.source = module.source
        self.warnings = warnings
        self.header = _header(module)
        decls = module.declarations
        self.inputs = tuple(_input_spec(d) for d in decls if isinstance(d, s.Input))
        self.items = tuple(
            ItemsSpec(d.name, d.label, tuple(_input_spec(f) for f in d.fields), d.span.line)
            for d in decls
            if isinstance(d, s.Items)
        )
        grades = next((d for d in decls if isinstance(d, s.Grades)), None)
        self.grades = tuple(
            GradeSpec(g.name, g.label, g.span.line) for g in (grades.grades if grades else ())
        )
        kinds: dict[str, ValueKind] = {}
        for d in decls:
            if isinstance(d, s.Let):
                kinds[d.name] = "let"
            elif isinstance(d, s.Group):
                for c in d.criteria:
                    kinds[c.name] = "criterion"
                kinds[d.name] = "group"
        self.value_kinds = kinds
        self.value_names = tuple(kinds)
        self.vetoes = tuple(d for d in decls if isinstance(d, s.Veto))
        self.tests = tuple(d for d in decls if isinstance(d, s.Test))
        self.catalogs = resolved.catalogs  # the rows of each catalogue, by period
        self._compiled: dict[date, CompiledRules] = {}
        self._linked_fields: dict[str, tuple[str, ...]] = {}

    def catalog_keys(self, catalog: str, period_start: date | None = None) -> list[str]:
        """The keys of a catalogue in force on the first day of the period."""
        table = self.catalogs.get(catalog)
        if table is None:
            return []
        return table.keys(period_start or self.header.effective)

    def catalog_fingerprint(self) -> str:
        """Every catalogue row as text: hashed with the rule file as one rule version."""
        from chamdiem.dsl.catalogs import fingerprint

        return fingerprint(self.catalogs)

    def bind(self, linked_fields: dict[str, tuple[str, ...]]) -> None:
        """Tell the compiler what the rule sets this one needs offer (their outputs)."""
        if linked_fields != self._linked_fields:
            self._linked_fields = dict(linked_fields)
            self._compiled.clear()

    def compiled(self, period_start: date | None = None) -> CompiledRules:
        """The compiled rules for a period (parameters take the value in force on its first
        day; without a period, on the rule set's effective date)."""
        start = period_start or self.header.effective
        found = self._compiled.get(start)
        if found is None:
            compiler = Compiler(
                self.resolved,
                self.header.precision,
                self.header.scale,
                start,
                self._linked_fields,
            )
            found = self._compiled[start] = compiler.compile()
        return found

    def evaluate(
        self,
        cohort: Cohort,
        period_start: date | None = None,
        apply_quotas: bool = True,
        links: Links | None = None,
    ) -> Results:
        """Evaluate every subject of the cohort together. Raises EvaluationError listing
        every subject that cannot be evaluated (a missing value, a division by zero).
        `links` carries the results of the rule sets this one needs (see graph.py)."""
        rules = self.compiled(period_start)
        chosen = self.applicable(cohort, period_start)
        if chosen is not None:
            cohort = cohort.subset(chosen)
        frame = build_frame(rules, self.inputs, self.items, cohort, links)
        evaluation = evaluate(frame, self.value_names, apply_quotas)
        n = len(cohort)
        results = Results(
            evaluation,
            cohort.codes,
            cohort.units if cohort.units is not None else [None] * n,
            cohort.names if cohort.names is not None else [None] * n,
            self.value_kinds,
            [g.name for g in self.grades],
            [v.reason for v in self.vetoes],
            self.header.precision,
            [d.reason for d in self.module.declarations if isinstance(d, s.Exclusion)],
        )
        results.cohort = cohort  # the subjects evaluated (after `applies when`)
        return results

    def applicable(self, cohort: Cohort, period_start: date | None = None) -> list[int] | None:
        """The indices of the subjects the header's `applies when` selects (it reads
        attributes only), or None when the rule set grades everyone."""
        rules = self.compiled(period_start)
        if rules.applies is None:
            return None
        probe = build_frame(rules, (), (), cohort)
        chosen = np.flatnonzero(as_bool(rules.applies(probe).data))
        return None if len(chosen) == len(cohort) else chosen.tolist()

    def explain(
        self, cohort: Cohort, results: Results, index: int, language: Language | None = None
    ) -> str:
        from chamdiem.dsl.explain import explain

        return explain(self, cohort, results, index, language)

    def run_tests(self) -> list[TestOutcome]:
        from chamdiem.dsl.testing import run_tests

        return run_tests(self)


def load_source(source: str, path: str = "<string>") -> Program:
    """Parse, check and compile; raises RuleFileError when the file has errors."""
    from chamdiem.dsl.pipeline import resolve_source

    module, diagnostics, resolved = resolve_source(source, path)
    if has_errors(diagnostics) or resolved is None:
        raise RuleFileError(path, module.source, diagnostics)
    return Program(resolved, [d for d in diagnostics if not d.is_error])


def load_file(path: str | Path) -> Program:
    p = Path(path)
    return load_source(p.read_text(encoding="utf-8-sig"), str(path))
