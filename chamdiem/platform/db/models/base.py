"""What every table module shares: the constraint naming convention (set on the one metadata
before any table is declared), the column helpers and the text clean-up of validated input."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlmodel import SQLModel

# Constraint names the same on both databases (and stable for later migrations).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION

CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def utc_now() -> datetime:
    return datetime.now(UTC)


def clean_text(value: str) -> str:
    """NFC, surrounding whitespace dropped (codes and names are compared as people see them)."""
    return unicodedata.normalize("NFC", value).strip()


def timestamp() -> sa.DateTime:
    """A time column: always with its time zone (times are stored in UTC)."""
    return sa.DateTime(timezone=True)
