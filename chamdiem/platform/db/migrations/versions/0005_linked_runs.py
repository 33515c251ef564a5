"""A run of a rule set with `needs` records the runs whose stored results it read (their ids
and data snapshots), so that `verify` reads the same ones again.

Revision ID: 0005_linked_runs
Revises: 0004_web_indexes
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0005_linked_runs"
down_revision: str | None = "0004_web_indexes"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("evaluation_runs") as table:
        table.add_column(
            sa.Column("linked_runs_json", sa.Text(), nullable=False, server_default="{}")
        )


def downgrade() -> None:
    with op.batch_alter_table("evaluation_runs") as table:
        table.drop_column("linked_runs_json")
