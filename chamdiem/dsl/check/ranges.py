"""The ranges pass: the warnings of §7 of the language design (a value out of its
range, a grade no subject can reach), computed by dsl/ranges.py from the symbols.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from chamdiem.dsl import syntax as s
from chamdiem.dsl.check.expressions import Checker
from chamdiem.dsl.ranges import Analysis


def check_ranges(c: Checker) -> None:
    scale = c.scale_value
    if scale is None:
        scale = sum((g.max.value for g in c.groups if g.kind == "group"), Decimal(0))
    analysis = Analysis(
        inputs=c.inputs,
        items=c.items,
        params=c.params,
        lets=c.lets,
        criteria=c.criteria,
        groups=[
            g
            for g in c.groups
            if c.symbols.get(g.name, None) is not None and c.symbols[g.name].node is g
        ],
        total=c.total,
        precision=c.precision,
        scale=Fraction(scale),
    )
    grades = c.grades if c.complete else None
    for diagnostic in analysis.warnings(c.module.declarations, grades, capped_grades(c)):
        c.diagnostics.append(diagnostic)


def capped_grades(c: Checker) -> set[str] | None:
    """Grades a veto or quota can give regardless of points; None when any grade can."""
    names: set[str] = set()
    for decl in c.module.declarations:
        if isinstance(decl, s.Veto):
            if isinstance(decl.cap, s.Name):
                names.add(decl.cap.name)
            else:
                return None
        elif isinstance(decl, s.Quota):
            names.add(decl.demote_to.name)
    return names
