"""Job control: when a job started running (its time limit counts from then) and whether
someone asked to cancel it (read by the process that runs it, which may be another one).

Revision ID: 0007_job_control
Revises: 0006_web_shared_state
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0007_job_control"
down_revision: str | None = "0006_web_shared_state"
branch_labels: str | None = None
depends_on: str | None = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("web_jobs") as table:
        table.add_column(sa.Column("started_at", TZ, nullable=True))
        table.add_column(sa.Column("cancel_requested_at", TZ, nullable=True))
        table.add_column(sa.Column("cancel_requested_by", sa.String(), nullable=True))
    op.create_index("ix_web_jobs_status", "web_jobs", ["status"])


def downgrade() -> None:
    op.drop_index("ix_web_jobs_status", table_name="web_jobs")
    with op.batch_alter_table("web_jobs") as table:
        table.drop_column("cancel_requested_by")
        table.drop_column("cancel_requested_at")
        table.drop_column("started_at")
