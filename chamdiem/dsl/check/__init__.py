"""The checker: names, types and structure of a parsed rule file, before any data is seen.

`check(module)` returns every problem it finds, errors and warnings, in one run; a file with
no errors is safe to compile. It never raises, also on the partial trees the parser builds
after syntax errors.

The checker is a sequence of passes over one `Checker` (the symbol table and the
diagnostics so far), each a plain function in its own module, run in the order of `PASSES`:

- header.py: the `ruleset … end` header and its clauses;
- scope.py: every declared name (the symbol table) and the lookups the later passes share;
- declarations.py: each declaration in file order (inputs, lets, groups, vetoes, quotas),
  with tests.py for `test` blocks;
- expressions.py: the type of every expression (the `Checker` class the passes call into),
  with types.py for the types themselves;
- whole_file.py: cycles, unused names and the scale, which need every declaration;
- ranges.py: the range warnings (§7 of the language design), computed by dsl/ranges.py.

`resolve(module)` runs them and returns a `Resolved` program (resolved.py): the diagnostics,
the symbols, the type of every expression, the kind of every call and the list each aggregate
folds. The compiler reads the last from there instead of finding it again.
"""

from __future__ import annotations

from collections.abc import Callable

from chamdiem.dsl import syntax as s
from chamdiem.dsl.catalogs import Catalogs
from chamdiem.dsl.check.declarations import check_declarations, check_grades
from chamdiem.dsl.check.expressions import Checker
from chamdiem.dsl.check.header import check_applies, check_header, missing_header
from chamdiem.dsl.check.ranges import check_ranges
from chamdiem.dsl.check.resolved import Resolved
from chamdiem.dsl.check.scope import Symbol
from chamdiem.dsl.check.types import Type, in_range, literal_number, literal_type, unify
from chamdiem.dsl.check.whole_file import check_cycles, check_scale, check_unused
from chamdiem.dsl.diagnostics import Diagnostic

__all__ = [
    "PASSES",
    "Checker",
    "Resolved",
    "Symbol",
    "Type",
    "check",
    "in_range",
    "literal_number",
    "literal_type",
    "missing_header",
    "resolve",
    "unify",
]


def collect(c: Checker) -> None:
    c.collect()


# In this order: the header first (its `needs` are read by link names), then the symbol
# table, so that a name may be used before the line that declares it.
PASSES: tuple[Callable[[Checker], None], ...] = (
    check_header,
    collect,
    check_declarations,
    check_applies,
    check_grades,
    check_cycles,
    check_unused,
    check_scale,
    check_ranges,
)


def resolve(
    module: s.Module, *, complete: bool = True, catalogs: Catalogs | None = None
) -> Resolved:
    """Run the passes: the diagnostics, and what the later passes may read (resolved.py).
    `catalogs` are the rows of the file's catalogues (catalogs.load_catalogs), when read."""
    checker = Checker(module, complete, catalogs)
    for run in PASSES:
        run(checker)
    return Resolved(
        module=module,
        diagnostics=checker.diagnostics,
        symbols=checker.symbols,
        types=checker.types,
        calls=checker.calls,
        folds=checker.folds,
        catalogs=dict(checker.catalog_rows),
    )


def check(module: s.Module, *, complete: bool = True) -> list[Diagnostic]:
    """Every error and warning of a parsed rule file, in the order found.

    Pass complete=False when the parser dropped declarations after syntax errors: checks
    that need the whole file (missing blocks, unused names, the scale, reachable grades) are
    then skipped, so that a broken declaration does not cause a cascade of false alarms.
    """
    return resolve(module, complete=complete).diagnostics
