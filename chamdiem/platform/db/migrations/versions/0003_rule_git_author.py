"""Rule versions remember who committed the published file and when (git author and date of
the last commit that changed it), beside the commit itself.

Revision ID: 0003_rule_git_author
Revises: 0002_accounts
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0003_rule_git_author"
down_revision: str | None = "0002_accounts"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("rule_versions") as table:
        table.add_column(sa.Column("git_author", sa.String(), nullable=True))
        table.add_column(sa.Column("git_committed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("rule_versions") as table:
        table.drop_column("git_committed_at")
        table.drop_column("git_author")
