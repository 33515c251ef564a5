"""Which units a reader may read, or an evaluation may touch: the one way a unit restriction
is given to a service.

A `Scope` is *everything* (the whole province, and the people who are in no unit), or a set
of units, possibly *empty*. The two are different values, so that "no units" can never be
read as "every unit": an empty scope reads no one. Services take a `Scope`, never a list of
unit codes that might be empty; the web builds it from the signed-in user
(`web.access.read_scope`), the command line (a trusted operator on the server) passes
`Scope.everything()` or the units named by `--units` (`units_named`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
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

    @property
    def is_everything(self) -> bool:
        return self.unit_ids is None

    @property
    def is_nothing(self) -> bool:
        return self.unit_ids is not None and not self.unit_ids

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
