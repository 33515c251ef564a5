"""Which units a reader may read, or an evaluation may touch: the one way a unit restriction
is given to a service.

A `Scope` is *everything* (the whole province, and the people who are in no unit), or a set
of units, possibly *empty*, and (for a civil servant reading their own data) a set of people
read whatever their unit: a person scope has no units, so that every unit-level filter keeps
nothing and only the person-level ones (`person_filter`, `has_person`) let that one person
in. Everything and nothing are different values, so that "no units" can never be read as
"every unit": an empty scope reads no one. Services take a `Scope`, never a list of
unit codes that might be empty; the web builds it from the signed-in user
(`web.access.read_scope`), the command line (a trusted operator on the server) passes
`Scope.everything()` or the units named by `--units` (`units_named`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import ColumnElement
from sqlmodel import Session

from chamdiem.dsl.diagnostics import Text
from chamdiem.platform.db.tables import units_t
from chamdiem.platform.services.errors import NotFound


@dataclass(frozen=True)
class Scope:
    """Build with `everything()`, `of(...)` or `nothing()`."""

    # None for everything; otherwise the ids and the codes of the units in scope.
    unit_ids: frozenset[int] | None
    codes: frozenset[str] | None
    # The units asked for, each standing for itself and the units below it (a run records
    # them): empty for everything.
    named: tuple[str, ...] = ()
    # People read in addition to the units' (a civil servant: themselves), by person id.
    person_ids: frozenset[int] = frozenset()

    @classmethod
    def everything(cls) -> Scope:
        return cls(None, None)

    @classmethod
    def nothing(cls) -> Scope:
        return cls(frozenset(), frozenset())

    @classmethod
    def of(cls, unit_ids: Iterable[int], codes: Iterable[str], named: Iterable[str]) -> Scope:
        """These units (their ids and their codes: the same units, given both ways)."""
        return cls(frozenset(unit_ids), frozenset(codes), tuple(named))

    @classmethod
    def person(cls, person_id: int) -> Scope:
        """One person's own data, and no unit."""
        return cls(frozenset(), frozenset(), (), frozenset({person_id}))

    @property
    def is_everything(self) -> bool:
        return self.unit_ids is None

    @property
    def is_nothing(self) -> bool:
        return self.unit_ids is not None and not self.unit_ids and not self.person_ids

    @property
    def has_units(self) -> bool:
        """Whether any unit (as a whole) is in scope: false for nothing and for a person."""
        return self.unit_ids is None or bool(self.unit_ids)

    def has_person(self, person_id: int | None, unit_id: int | None) -> bool:
        """Whether a person (or their data) is in scope: by their unit, or by themselves."""
        if self.has_unit(unit_id):
            return True
        return person_id is not None and person_id in self.person_ids

    def has_unit(self, unit_id: int | None) -> bool:
        """Whether a person (or anything) of this unit is in scope; one in no unit is only
        in everything."""
        if self.unit_ids is None:
            return True
        return unit_id is not None and unit_id in self.unit_ids

    def has_code(self, unit_code: str | None) -> bool:
        if self.codes is None:
            return True
        return unit_code is not None and unit_code in self.codes

    def unit_id_filter(
        self, column: ColumnElement[int] | sa.Column[int] | sa.Column[int | None]
    ) -> ColumnElement[bool]:
        """A WHERE clause keeping rows whose unit id is in scope."""
        if self.unit_ids is None:
            return sa.true()
        if not self.unit_ids:
            return sa.false()
        return column.in_(sorted(self.unit_ids))

    def unit_code_filter(
        self, column: ColumnElement[str] | sa.Column[str] | sa.Column[str | None]
    ) -> ColumnElement[bool]:
        """A WHERE clause keeping rows (results: the unit they were evaluated in) whose unit
        code is in scope."""
        if self.codes is None:
            return sa.true()
        if not self.codes:
            return sa.false()
        return column.in_(sorted(self.codes))

    def person_filter(
        self, unit_clause: ColumnElement[bool], person_column: ColumnElement[int] | sa.Column[int]
    ) -> ColumnElement[bool]:
        """A unit-level WHERE clause (`unit_id_filter` / `unit_code_filter`) widened to the
        people read by themselves."""
        if not self.person_ids:
            return unit_clause
        return sa.or_(unit_clause, person_column.in_(sorted(self.person_ids)))


def body_of(parent: Mapping[int, int | None], unit_id: int) -> int | None:
    """The body (cơ quan) a unit belongs to: its top unit, or, when the whole tree hangs
    from one root with units below it (a province), the unit just below that root. The one
    definition, for reading scopes (`web.access`) and for roles (`services.accounts`)."""
    chain: list[int] = []
    current: int | None = unit_id
    while current is not None and current in parent and current not in chain:
        chain.append(current)
        current = parent[current]
    if not chain:
        return None
    chain.reverse()
    roots = [i for i, above in parent.items() if above is None]
    has_children = any(above == chain[0] for above in parent.values())
    if len(roots) == 1 and len(chain) > 1 and has_children:
        return chain[1]
    return chain[0]


def units_named(session: Session, names: Sequence[str]) -> Scope:
    """The units named (by code, or by a name only one unit has) and every unit below them.
    Raises NotFound for a name that is no unit's. No names: nothing."""
    rows = (
        session.connection()
        .execute(sa.select(units_t.c.id, units_t.c.code, units_t.c.name, units_t.c.parent_id))
        .all()
    )
    by_code = {row.code: row.id for row in rows}
    by_name: dict[str, list[int]] = {}
    children: dict[int, list[int]] = {}
    for row in rows:
        by_name.setdefault(row.name, []).append(row.id)
        if row.parent_id is not None:
            children.setdefault(row.parent_id, []).append(row.id)
    code_of = {row.id: row.code for row in rows}
    chosen: list[int] = []
    for wanted in names:
        if wanted in by_code:
            chosen.append(by_code[wanted])
        elif len(by_name.get(wanted, [])) == 1:
            chosen.append(by_name[wanted][0])
        else:
            several = bool(by_name.get(wanted))
            raise NotFound(
                Text(
                    f"không có đơn vị mã hoặc tên '{wanted}'"
                    + (" (có nhiều đơn vị trùng tên; hãy ghi mã)" if several else ""),
                    f"no unit with code or name '{wanted}'"
                    + (" (several units have this name; give the code)" if several else ""),
                )
            )
    ids: set[int] = set()
    stack = list(chosen)
    while stack:
        unit_id = stack.pop()
        if unit_id not in ids:
            ids.add(unit_id)
            stack.extend(children.get(unit_id, []))
    named = sorted({code_of[i] for i in chosen})
    return Scope.of(ids, (code_of[i] for i in ids), named)


def operator_scope(session: Session, units: Sequence[str] | None) -> Scope:
    """What a command-line user (a trusted operator on the server) asked for: the units
    named by `--units` and those below them, or everything when the option is not given."""
    return Scope.everything() if units is None else units_named(session, units)
