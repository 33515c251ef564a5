"""What the web service's worker processes share: background jobs, uploads waiting for
confirmation and failed sign-ins (before, each lived in one process's memory).

Revision ID: 0006_web_shared_state
Revises: 0005_linked_runs
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0006_web_shared_state"
down_revision: str | None = "0005_linked_runs"
branch_labels: str | None = None
depends_on: str | None = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "web_jobs",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("stage", sa.String(), nullable=False),
        sa.Column("done_steps", sa.Integer(), nullable=False),
        sa.Column("total_steps", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("problems_json", sa.Text(), nullable=False),
        sa.Column("problems_total", sa.Integer(), nullable=False),
        sa.Column("result_json", sa.Text(), nullable=False),
        sa.Column("links_json", sa.Text(), nullable=False),
        sa.Column("worker", sa.String(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("finished_at", TZ, nullable=True),
        sa.CheckConstraint(
            "status IN ('waiting', 'running', 'done', 'failed')", name="ck_web_jobs_status"
        ),
        sa.CheckConstraint("kind IN ('validate', 'import', 'run')", name="ck_web_jobs_kind"),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], name="fk_web_jobs_owner_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_web_jobs"),
    )
    op.create_index("ix_web_jobs_owner_id", "web_jobs", ["owner_id"])
    op.create_index("ix_web_jobs_finished_at", "web_jobs", ["finished_at"])
    op.create_table(
        "web_uploads",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("file_name", sa.String(), nullable=False),
        sa.Column("period", sa.String(), nullable=False),
        sa.Column("rules", sa.String(), nullable=True),
        sa.Column("subjects", sa.Integer(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], name="fk_web_uploads_owner_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_web_uploads"),
    )
    op.create_index("ix_web_uploads_owner_id", "web_uploads", ["owner_id"])
    op.create_table(
        "sign_in_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(), nullable=False),
        sa.Column("address", sa.String(), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sign_in_failures"),
    )
    op.create_index(
        "ix_sign_in_failures_username_address", "sign_in_failures", ["username", "address"]
    )
    op.create_index("ix_sign_in_failures_address", "sign_in_failures", ["address"])
    op.create_index("ix_sign_in_failures_at", "sign_in_failures", ["at"])


def downgrade() -> None:
    op.drop_table("sign_in_failures")
    op.drop_table("web_uploads")
    op.drop_table("web_jobs")
