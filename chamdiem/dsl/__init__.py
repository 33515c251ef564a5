"""The chamdiem rules language: parse, check, compile and evaluate rule files.

    from chamdiem.dsl import load_file, Cohort
    program = load_file("rules/cong_chuc_quy.rules")
    results = program.evaluate(Cohort(codes=[...], inputs={...}))

See docs/api.md. Names are imported lazily so that `chamdiem.dsl.parser` and friends can be
used without loading the evaluator (and NumPy).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chamdiem.dsl.data import Cohort, ItemTable, ScaledColumn
    from chamdiem.dsl.diagnostics import Diagnostic
    from chamdiem.dsl.inputs import EvaluationError, Problem
    from chamdiem.dsl.loader import Program, RuleFileError, load_file, load_source
    from chamdiem.dsl.results import Results
    from chamdiem.dsl.testing import TestOutcome

_EXPORTS = {
    "Cohort": "chamdiem.dsl.data",
    "ItemTable": "chamdiem.dsl.data",
    "ScaledColumn": "chamdiem.dsl.data",
    "Diagnostic": "chamdiem.dsl.diagnostics",
    "EvaluationError": "chamdiem.dsl.inputs",
    "Problem": "chamdiem.dsl.inputs",
    "Program": "chamdiem.dsl.loader",
    "RuleFileError": "chamdiem.dsl.loader",
    "load_file": "chamdiem.dsl.loader",
    "load_source": "chamdiem.dsl.loader",
    "Results": "chamdiem.dsl.results",
    "TestOutcome": "chamdiem.dsl.testing",
}

__all__ = [
    "Cohort",
    "Diagnostic",
    "EvaluationError",
    "ItemTable",
    "Problem",
    "Program",
    "Results",
    "RuleFileError",
    "ScaledColumn",
    "TestOutcome",
    "load_file",
    "load_source",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'chamdiem.dsl' has no attribute {name!r}")
    return getattr(import_module(module), name)
