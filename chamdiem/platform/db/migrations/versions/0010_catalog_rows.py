"""The rows files of a rule version's catalogues, stored (and hashed) with its source.

Revision ID: 0010_catalog_rows
Revises: 0009_national_outbox
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0010_catalog_rows"
down_revision: str | None = "0009_national_outbox"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("rule_versions") as batch:
        batch.add_column(sa.Column("catalog_rows", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("rule_versions") as batch:
        batch.drop_column("catalog_rows")
