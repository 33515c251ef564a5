"""An index for the web service's unit pages: results by unit (then run).

Revision ID: 0004_web_indexes
Revises: 0003_rule_git_author
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

revision: str = "0004_web_indexes"
down_revision: str | None = "0003_rule_git_author"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_index("ix_results_unit_code_run_id", "results", ["unit_code", "run_id"])


def downgrade() -> None:
    op.drop_index("ix_results_unit_code_run_id", table_name="results")
