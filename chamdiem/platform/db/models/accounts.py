"""The web service's accounts: users with a role and the units they answer for, API tokens
for the systems that talk to the service, and sign-in sessions.

Secrets are never stored: passwords as argon2 hashes, API tokens and session tokens as their
SHA-256 (they are long random strings, so a fast hash is enough to make a stolen database
useless for signing in). The tables (and one index the web's pages need on `results`) live in
their own module and are registered with the same metadata as the rest of the schema
(the package's `__init__` imports every table module).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from chamdiem.platform.db.models.base import timestamp, utc_now
from chamdiem.platform.db.models.core import Result

Role = Literal[
    "admin", "policy", "hr", "auditor", "unit_head", "leader", "manager", "civil_servant"
]
ROLES: tuple[Role, ...] = (
    "admin",
    "policy",
    "hr",
    "auditor",
    "unit_head",
    "leader",
    "manager",
    "civil_servant",
)
ROLE_CHECK = (
    "role IN ('admin', 'policy', 'hr', 'auditor', 'unit_head', "
    "'leader', 'manager', 'civil_servant')"
)
# Roles given by the organisation load (`services.accounts.provision_accounts`): the account
# is a person's, and what it reads follows from where that person is in the tree.
PERSON_ROLES: tuple[Role, ...] = ("leader", "manager", "civil_servant")


class User(SQLModel, table=True):
    """Someone who signs in to the web service (or a system that uses the API)."""

    __tablename__ = "users"
    __table_args__ = (sa.CheckConstraint(ROLE_CHECK, name="role"),)

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(sa_type=sa.String, unique=True)
    display_name: str = Field(sa_type=sa.String)
    password_hash: str | None = Field(default=None, sa_type=sa.String)  # None: API only
    role: Role = Field(sa_type=sa.String)
    active: bool = True
    created_at: datetime = Field(default_factory=utc_now, sa_type=timestamp())
    created_by: str = Field(sa_type=sa.String)
    # The person whose account this is (provisioned from the organisation load); None for
    # the accounts made by hand (admin, policy, HR officers, auditors, systems).
    person_id: int | None = Field(default=None, foreign_key="people.id", unique=True)


class UserUnit(SQLModel, table=True):
    """A root of the part of the organisation a user answers for (an HR officer's or a unit
    head's units; the units below each root are included)."""

    __tablename__ = "user_units"

    user_id: int = Field(foreign_key="users.id", primary_key=True)
    unit_id: int = Field(foreign_key="units.id", primary_key=True)


class ApiToken(SQLModel, table=True):
    """A bearer token of a user, for systems calling the API."""

    __tablename__ = "api_tokens"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    name: str = Field(sa_type=sa.String)
    token_sha256: str = Field(sa_type=sa.String(64), unique=True)
    prefix: str = Field(sa_type=sa.String(12))  # shown in lists so a token can be recognised
    created_at: datetime = Field(default_factory=utc_now, sa_type=timestamp())
    created_by: str = Field(sa_type=sa.String)
    last_used_at: datetime | None = Field(default=None, sa_type=timestamp())
    revoked_at: datetime | None = Field(default=None, sa_type=timestamp())


class OneTimeCode(SQLModel, table=True):
    """A code an HR officer hands to a person for their first sign-in (or after a password
    reset): kept as its SHA-256, used once, until it expires."""

    __tablename__ = "one_time_codes"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    code_sha256: str = Field(sa_type=sa.String(64), unique=True)
    created_at: datetime = Field(default_factory=utc_now, sa_type=timestamp())
    created_by: str = Field(sa_type=sa.String)
    expires_at: datetime = Field(sa_type=timestamp())
    used_at: datetime | None = Field(default=None, sa_type=timestamp())


class WebSession(SQLModel, table=True):
    """A signed-in browser. The cookie holds the token; ending the session deletes the row,
    so a copied cookie stops working at sign-out."""

    __tablename__ = "web_sessions"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    token_sha256: str = Field(sa_type=sa.String(64), unique=True)
    created_at: datetime = Field(default_factory=utc_now, sa_type=timestamp())
    expires_at: datetime = Field(sa_type=timestamp())


# The web's unit pages read one unit's results ("the latest run with results in this unit",
# "this run's results in this unit"); without this index each of them scans every result.
RESULTS_BY_UNIT = sa.Index(
    "ix_results_unit_code_run_id",
    Result.__table__.c.unit_code,  # type: ignore[attr-defined]
    Result.__table__.c.run_id,  # type: ignore[attr-defined]
)
