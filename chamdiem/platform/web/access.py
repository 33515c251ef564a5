"""Who may do what: the one place where the web pages and the API decide access.

A user has a role and, for an HR officer or a unit head, the roots of the part of the
organisation they answer for (each root with every unit below it: their *scope*). Every
handler asks this module; no handler checks a role itself.

The accounts provisioned from the organisation load are a person's, and their scope follows
from where that person is in the tree (`organisation_roots`), never from units typed in:
- civil_servant  their own data only: a scope of one person and no unit;
- manager        (head or deputy of a unit) the people of the units they lead and below;
- leader         (head of a body, cơ quan) their body: the agency and every unit below it.

- Reading units, people and results needs `Action.READ_ORG`, and the object must be in the
  user's scope. An object outside the scope is *not found* (404), so that its existence is not
  given away; a forbidden action on an object the user can see is *forbidden* (403).
- What a user may read is one value, `Principal.scope` (a `services.scope.Scope`), made by
  `read_scope` and nowhere else: everything (admin, auditor), the units below the user's
  roots (HR officer, unit head; none when they have no roots), or nothing (a role that does
  not read the organisation). An empty scope reads no one; it is never taken for the whole
  province. Services are handed this value, never a list of units.
- Lists and searches are filtered with `unit_filter` / `result_filter`, so nothing outside the
  scope is ever read for the page.
- A result belongs to the unit the run evaluated it in (`results.unit_code`), a person to the
  unit they are in now.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from urllib.parse import quote

import sqlalchemy as sa
from litestar.exceptions import NotFoundException, PermissionDeniedException
from sqlalchemy import ColumnElement
from sqlmodel import Session

from chamdiem.platform.db.models import Role
from chamdiem.platform.db.tables import people_t, units_t
from chamdiem.platform.services.scope import Scope, body_of


class Action(StrEnum):
    READ_ORG = "read_org"  # units, people, results, explanations, reports (in scope)
    IMPORT = "import"  # upload a period's data (in scope)
    RUN = "run"  # evaluate (in scope)
    DECIDE = "decide"  # record a council decision (in scope)
    READ_RULES = "read_rules"
    PUBLISH_RULES = "publish_rules"
    READ_AUDIT = "read_audit"
    MANAGE_PERIODS = "manage_periods"
    MANAGE_USERS = "manage_users"
    # Accounts of the people of the organisation (in scope): make them from the organisation
    # load, hand out one-time codes, reset a password to a new code.
    PERSON_ACCOUNTS = "person_accounts"


PERMISSIONS: dict[str, frozenset[Action]] = {
    "admin": frozenset(Action),
    "policy": frozenset({Action.READ_RULES, Action.PUBLISH_RULES}),
    "hr": frozenset(
        {
            Action.READ_ORG,
            Action.IMPORT,
            Action.RUN,
            Action.DECIDE,
            Action.READ_RULES,
            Action.PERSON_ACCOUNTS,
        }
    ),
    "auditor": frozenset({Action.READ_ORG, Action.READ_RULES, Action.READ_AUDIT}),
    "unit_head": frozenset({Action.READ_ORG}),
    "leader": frozenset({Action.READ_ORG}),
    "manager": frozenset({Action.READ_ORG}),
    "civil_servant": frozenset({Action.READ_ORG}),
}
# Roles whose reading is limited to their units (the others read the whole province).
SCOPED: frozenset[str] = frozenset({"hr", "unit_head", "leader", "manager", "civil_servant"})
# Roles whose units come from the organisation (the person's place in the tree).
FROM_ORGANISATION: frozenset[str] = frozenset({"leader", "manager", "civil_servant"})

NOT_FOUND = "Không tìm thấy trang hoặc đối tượng này (hoặc bạn không có quyền xem)."
FORBIDDEN = "Bạn không có quyền thực hiện thao tác này."


# ---------------------------------------------------------------- the unit tree


@dataclass(frozen=True)
class UnitTree:
    """The organisation's units, for working out scopes without a query per unit."""

    parent: dict[int, int | None]
    code: dict[int, str]
    name: dict[int, str]
    children: dict[int, list[int]]
    by_code: dict[str, int]

    @classmethod
    def load(cls, session: Session) -> UnitTree:
        rows = (
            session.connection()
            .execute(sa.select(units_t.c.id, units_t.c.code, units_t.c.name, units_t.c.parent_id))
            .all()
        )
        children: dict[int, list[int]] = {}
        for row in rows:
            if row.parent_id is not None:
                children.setdefault(row.parent_id, []).append(row.id)
        for ids in children.values():
            ids.sort()
        return cls(
            parent={row.id: row.parent_id for row in rows},
            code={row.id: row.code for row in rows},
            name={row.id: row.name for row in rows},
            children=children,
            by_code={row.code: row.id for row in rows},
        )

    def subtree(self, roots: Iterable[int]) -> set[int]:
        found: set[int] = set()
        stack = [root for root in roots if root in self.code]
        while stack:
            unit_id = stack.pop()
            if unit_id not in found:
                found.add(unit_id)
                stack.extend(self.children.get(unit_id, []))
        return found

    def roots(self) -> list[int]:
        return sorted(
            (i for i, parent in self.parent.items() if parent is None), key=self.code.__getitem__
        )

    def body(self, unit_id: int) -> int | None:
        """The body (cơ quan) a unit belongs to (`services.scope.body_of`)."""
        return body_of(self.parent, unit_id)

    def path(self, unit_id: int) -> list[int]:
        """The unit and its ancestors, top first."""
        chain: list[int] = []
        current: int | None = unit_id
        while current is not None and current not in chain:
            chain.append(current)
            current = self.parent.get(current)
        return list(reversed(chain))


class UnitTreeCache:
    """The tree, read again only when the units table has changed. Whether it has is asked
    (a count and the latest change: cheap) at most every `recheck` seconds, so a change to
    the organisation shows on the pages within that time."""

    def __init__(self, recheck: float = 2.0) -> None:
        self._lock = threading.Lock()
        self._recheck = recheck
        self._signature: tuple[object, ...] | None = None
        self._tree: UnitTree | None = None
        self._checked = float("-inf")

    def get(self, session: Session) -> UnitTree:
        with self._lock:
            if self._tree is not None and time.monotonic() - self._checked < self._recheck:
                return self._tree
        signature = tuple(
            session.connection()
            .execute(
                sa.select(
                    sa.func.count(), sa.func.max(units_t.c.updated_at), sa.func.max(units_t.c.id)
                )
            )
            .one()
        )
        with self._lock:
            if self._tree is not None and signature == self._signature:
                self._checked = time.monotonic()
                return self._tree
        tree = UnitTree.load(session)
        with self._lock:
            self._tree, self._signature, self._checked = tree, signature, time.monotonic()
        return tree

    def forget(self) -> None:
        """Read the tree again on the next request (after a change made by this process)."""
        with self._lock:
            self._checked = float("-inf")


# ---------------------------------------------------------------- who is asking


def organisation_roots(
    session: Session, role: str, person_id: int | None, tree: UnitTree
) -> list[int]:
    """The roots of what a leader or a manager reads, from the organisation: a leader's
    body (of the unit they are in and of each unit they are named head of); a manager's
    units (the one they are in when they are its head or deputy, and each unit they are
    named head of). Nothing for anyone else, or for a person no longer in the organisation."""
    if person_id is None or role not in ("leader", "manager"):
        return []
    person = (
        session.connection()
        .execute(
            sa.select(people_t.c.unit_id, people_t.c.is_head, people_t.c.is_deputy).where(
                people_t.c.id == person_id
            )
        )
        .first()
    )
    if person is None:
        return []
    headed = set(
        session.connection()
        .execute(sa.select(units_t.c.id).where(units_t.c.head_id == person_id))
        .scalars()
    )
    led = set(headed)
    if person.unit_id is not None and (person.is_head or person.is_deputy):
        led.add(person.unit_id)
    if role == "manager":
        return sorted(led)
    own = led | ({person.unit_id} if person.unit_id is not None else set())
    bodies = {tree.body(unit_id) for unit_id in own}
    return sorted(i for i in bodies if i is not None)


def read_scope(
    role: str, root_unit_ids: Iterable[int], tree: UnitTree, person_id: int | None = None
) -> Scope:
    """The units a user of this role with these roots may read: the one place that decides
    it. A role without `READ_ORG` reads nothing; a civil servant their own person and no
    unit (nothing when the account is no person's); a scoped role (HR officer, unit head,
    manager, leader) the units below its roots, which is nothing when it has none (or they
    no longer exist); the others the whole province."""
    if Action.READ_ORG not in PERMISSIONS.get(role, frozenset()):
        return Scope.nothing()
    if role == "civil_servant":
        return Scope.nothing() if person_id is None else Scope.person(person_id)
    if role not in SCOPED:
        return Scope.everything()
    roots = sorted(i for i in root_unit_ids if i in tree.code)
    ids = tree.subtree(roots)
    return Scope.of(ids, (tree.code[i] for i in ids), (tree.code[i] for i in roots))


@dataclass(frozen=True)
class Principal:
    """A signed-in user (or a system with an API token) as access decisions see them."""

    user_id: int
    username: str
    display_name: str
    role: Role
    root_unit_ids: tuple[int, ...] = ()
    # What the user may read (`read_scope`); nothing unless given.
    scope: Scope = field(default_factory=Scope.nothing)
    via_token: bool = False
    permissions: frozenset[Action] = field(default_factory=frozenset)
    person_id: int | None = None  # the person whose account this is

    @property
    def reads_units(self) -> bool:
        """Whether any unit as a whole is visible (a civil servant sees none: only themselves)."""
        return Action.READ_ORG in self.permissions and self.scope.has_units

    @classmethod
    def of(
        cls,
        user_id: int,
        username: str,
        display_name: str,
        role: Role,
        root_unit_ids: Iterable[int],
        tree: UnitTree,
        *,
        via_token: bool = False,
        person_id: int | None = None,
    ) -> Principal:
        roots = tuple(sorted(root_unit_ids))
        return cls(
            user_id,
            username,
            display_name,
            role,
            roots,
            read_scope(role, roots, tree, person_id),
            via_token,
            PERMISSIONS.get(role, frozenset()),
            person_id,
        )

    @property
    def whole_province(self) -> bool:
        return self.scope.is_everything


# ---------------------------------------------------------------- decisions


def can(principal: Principal, action: Action) -> bool:
    return action in principal.permissions


def require(principal: Principal, action: Action) -> None:
    """403 unless the role allows the action (for actions not tied to one object)."""
    if not can(principal, action):
        raise PermissionDeniedException(FORBIDDEN)


def unit_visible(principal: Principal, unit_id: int | None) -> bool:
    return Action.READ_ORG in principal.permissions and principal.scope.has_unit(unit_id)


def unit_code_visible(principal: Principal, unit_code: str | None) -> bool:
    return Action.READ_ORG in principal.permissions and principal.scope.has_code(unit_code)


def person_visible(principal: Principal, person_id: int | None, unit_id: int | None) -> bool:
    """Whether a person (their page, their results) is in scope: by their unit, or, for a
    civil servant, because it is themselves."""
    return Action.READ_ORG in principal.permissions and principal.scope.has_person(
        person_id, unit_id
    )


def result_visible(principal: Principal, unit_code: str | None, person_id: int | None) -> bool:
    """Whether a result is in scope: by the unit it was evaluated in, or by its person."""
    if Action.READ_ORG not in principal.permissions:
        return False
    scope = principal.scope
    return scope.has_code(unit_code) or (person_id is not None and person_id in scope.person_ids)


def require_unit(
    principal: Principal, unit_id: int | None, action: Action = Action.READ_ORG
) -> None:
    """404 when the unit (or the object in it) is outside the user's scope; then 403 when
    the action is not allowed on it."""
    if not unit_visible(principal, unit_id):
        raise NotFoundException(NOT_FOUND)
    require(principal, action)


def require_unit_code(
    principal: Principal, unit_code: str | None, action: Action = Action.READ_ORG
) -> None:
    if not unit_code_visible(principal, unit_code):
        raise NotFoundException(NOT_FOUND)
    require(principal, action)


def not_found() -> NotFoundException:
    return NotFoundException(NOT_FOUND)


# ---------------------------------------------------------------- filters for queries


def unit_filter(
    principal: Principal,
    unit_id_column: ColumnElement[int] | sa.Column[int],
    person_id_column: ColumnElement[int] | sa.Column[int] | None = None,
) -> ColumnElement[bool]:
    """A WHERE clause keeping rows whose unit id is in the user's scope (and, given the
    person id column of a row about one person, the people the user reads by themselves)."""
    if Action.READ_ORG not in principal.permissions:
        return sa.false()
    clause = principal.scope.unit_id_filter(unit_id_column)
    if person_id_column is None:
        return clause
    return principal.scope.person_filter(clause, person_id_column)


def result_filter(
    principal: Principal,
    unit_code_column: ColumnElement[str] | sa.Column[str],
    person_id_column: ColumnElement[int] | sa.Column[int] | None = None,
) -> ColumnElement[bool]:
    """A WHERE clause keeping results (or anything keyed by unit code) in the user's scope
    (and, given the person id column, the results of the people read by themselves)."""
    if Action.READ_ORG not in principal.permissions:
        return sa.false()
    clause = principal.scope.unit_code_filter(unit_code_column)
    if person_id_column is None:
        return clause
    return principal.scope.person_filter(clause, person_id_column)


def accounts_scope(principal: Principal) -> Scope:
    """Whose accounts the user may make and hand codes out for: their scope (an HR officer's
    units; the whole province for an administrator); 403 for a role without the right."""
    require(principal, Action.PERSON_ACCOUNTS)
    return principal.scope


def may_open_accounts(principal: Principal) -> bool:
    """The accounts page: an administrator (every account), an HR officer (the accounts of
    the people of their units)."""
    return can(principal, Action.MANAGE_USERS) or can(principal, Action.PERSON_ACCOUNTS)


def landing_page(principal: Principal, tree: UnitTree, person_code: str | None) -> str | None:
    """Where the dashboard sends a person's account: a civil servant to their own page, a
    manager or a leader to (the first of) the units they lead; None for everyone else."""
    if principal.role == "civil_servant":
        return f"/nguoi/{quote(person_code, safe='')}" if person_code else None
    if principal.role in ("manager", "leader"):
        roots = [i for i in principal.root_unit_ids if i in tree.code]
        return f"/don-vi/{quote(tree.code[roots[0]], safe='')}" if roots else None
    return None


def impact_scope(principal: Principal) -> tuple[Scope, bool]:
    """Whose grades the impact of a rule change is worked out on, and whether the people
    (and their units) may be shown: a reader of the organisation gets their scope, named;
    a reader of the rules who may not read the organisation (the policy role) the whole
    province, counted only: how many move, never who (docs/decisions.md)."""
    if Action.READ_ORG in principal.permissions:
        return principal.scope, True
    return Scope.everything(), False


def units_in_scope(principal: Principal, tree: UnitTree, codes: Iterable[str]) -> list[str]:
    """The unit codes asked for, each checked to be in scope (404 for one that is not, or
    that does not exist: the two are not told apart)."""
    chosen: list[str] = []
    for code in codes:
        code = code.strip()
        if not code:
            continue
        unit_id = tree.by_code.get(code)
        if unit_id is None or not unit_visible(principal, unit_id):
            raise NotFoundException(f"Không có đơn vị mã '{code}' trong phạm vi của bạn.")
        chosen.append(code)
    return chosen
