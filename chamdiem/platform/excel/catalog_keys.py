"""Keys of catalogues in DATA: a cell of an input or item field declared `key of C` must hold
a key of the catalogue C in force on the period's first day (docs/language.md, catalog).

An unknown key is a problem at its cell (sheet, row, column) naming the nearest known keys,
never an evaluation error. The one-period reader (`read_cohort`) gets the keys inside the
specs it is given (`keyed_specs`: a `KeyedSpec` is an InputSpec that carries them, so they
travel to the web's reading process with the specs); the several-period reader asks each
program for the keys of each period it builds a cohort for.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING

from chamdiem.dsl.diagnostics import Text
from chamdiem.dsl.program import InputSpec, ItemsSpec
from chamdiem.platform.excel.cells import shown
from chamdiem.platform.excel.problems import PROBLEM_LIMIT

if TYPE_CHECKING:
    from chamdiem.dsl.loader import Program

NEAREST = 3  # known keys suggested for an unknown one
FEW = 8  # a catalogue this small has all its keys listed when none is near
NEAR_VALUES = 20  # distinct unknown keys of a column given the nearest keys (the rest: none)


@dataclass(frozen=True)
class KeyedSpec(InputSpec):
    """An input or item field declared `key of C`, with C's keys in force for the period."""

    keys: frozenset[str] = frozenset()


def keyed_specs(
    program: Program, period_start: date | None = None
) -> tuple[tuple[InputSpec, ...], tuple[ItemsSpec, ...]]:
    """The program's inputs and items, those declared `key of C` carrying C's keys in force
    on `period_start` (default: the rule set's effective date)."""
    cache: dict[str, frozenset[str]] = {}

    def keyed(spec: InputSpec) -> InputSpec:
        if spec.catalog is None:
            return spec
        keys = cache.get(spec.catalog)
        if keys is None:
            keys = cache[spec.catalog] = frozenset(program.catalog_keys(spec.catalog, period_start))
        return KeyedSpec(**{f: getattr(spec, f) for f in _FIELDS}, keys=keys)

    inputs = tuple(map(keyed, program.inputs))
    items = tuple(replace(s, fields=tuple(map(keyed, s.fields))) for s in program.items)
    return inputs, items


_FIELDS = tuple(InputSpec.__dataclass_fields__)


def unknown_key(value: str, catalog: str, keys: Collection[str], *, near: bool = True) -> Text:
    """The message for a key that is not in the catalogue, with the nearest known keys
    (looked for only with `near`: about 50 ms per thousand keys)."""
    found: list[str] = []
    if near:
        found = difflib.get_close_matches(value, list(keys), n=NEAREST, cutoff=0.5)
    if not found:
        folded = value.casefold()
        found = [k for k in keys if k.casefold() == folded][:1]
    return _message(value, catalog, keys, found)


def _message(value: str, catalog: str, keys: Collection[str], near: list[str]) -> Text:
    listed = ", ".join(f"'{k}'" for k in near)
    if near:
        return Text(
            f"mã '{shown(value)}' không có trong danh mục {catalog}; mã gần nhất: {listed}",
            f"the key '{shown(value)}' is not in the catalogue {catalog}; the nearest keys: "
            f"{listed}",
        )
    if len(keys) <= FEW:
        every = ", ".join(f"'{k}'" for k in sorted(keys))
        return Text(
            f"mã '{shown(value)}' không có trong danh mục {catalog} (các mã: {every})",
            f"the key '{shown(value)}' is not in the catalogue {catalog} (its keys: {every})",
        )
    return Text(
        f"mã '{shown(value)}' không có trong danh mục {catalog}",
        f"the key '{shown(value)}' is not in the catalogue {catalog}",
    )


def check_keys(
    values: Sequence[object],
    spec: InputSpec,
    keys: Collection[str],
    report: Callable[[list[tuple[int, Text]], int], None],
) -> None:
    """Find the values (by index) that are not keys of the spec's catalogue and hand the
    first PROBLEM_LIMIT of them, with their messages, and their count to `report`. Blank
    values (None) are not looked at (a missing required value is reported as such)."""
    known = keys if isinstance(keys, set | frozenset) else frozenset(keys)
    bad = [k for k, value in enumerate(values) if value is not None and value not in known]
    if not bad:
        return
    messages: dict[str, Text] = {}
    listed: list[tuple[int, Text]] = []
    for k in bad[:PROBLEM_LIMIT]:
        value = str(values[k])
        message = messages.get(value)
        if message is None:
            near = len(messages) < NEAR_VALUES
            message = messages[value] = unknown_key(value, spec.catalog or "", known, near=near)
        listed.append((k, message))
    report(listed, len(bad))
