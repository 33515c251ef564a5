"""The province's days off and make-up working days (the working-day calendar), the approval
log of result reports (append-only) and the outbox of the National Database push.

Revision ID: 0009_national_outbox
Revises: 0008_person_accounts
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0009_national_outbox"
down_revision: str | None = "0008_person_accounts"
branch_labels: str | None = None
depends_on: str | None = None

TZ = sa.DateTime(timezone=True)
APPROVALS = "report_approvals"


def upgrade() -> None:
    op.create_table(
        "calendar_days",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("working", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(), nullable=False),
        sa.Column("set_by", sa.String(), nullable=False),
        sa.Column("set_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_calendar_days"),
        sa.UniqueConstraint("day", name="uq_calendar_days_day"),
    )
    op.create_table(
        APPROVALS,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("content_format", sa.String(), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("last_decision_id", sa.Integer(), nullable=True),
        sa.Column("results", sa.Integer(), nullable=False),
        sa.Column("decisions", sa.Integer(), nullable=False),
        sa.Column("approved_by", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("approved_at", TZ, nullable=False),
        sa.Column("signature_kind", sa.String(), nullable=True),
        sa.Column("signature", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"], ["evaluation_runs.id"], name="fk_report_approvals_run_id_evaluation_runs"
        ),
        sa.ForeignKeyConstraint(
            ["period_id"], ["periods.id"], name="fk_report_approvals_period_id_periods"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_report_approvals"),
    )
    op.create_index("ix_report_approvals_run_id", APPROVALS, ["run_id"])
    op.create_index("ix_report_approvals_period_id", APPROVALS, ["period_id"])
    op.create_table(
        "national_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("approval_id", sa.Integer(), nullable=False),
        sa.Column("payload_json", sa.Text(), nullable=False),
        sa.Column("payload_sha256", sa.String(length=64), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", TZ, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("transport", sa.String(), nullable=True),
        sa.Column("destination", sa.Text(), nullable=True),
        sa.Column("response_status", sa.Integer(), nullable=True),
        sa.Column("response_body", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("sent_at", TZ, nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'sent', 'failed')", name="ck_national_outbox_status"
        ),
        sa.ForeignKeyConstraint(
            ["period_id"], ["periods.id"], name="fk_national_outbox_period_id_periods"
        ),
        sa.ForeignKeyConstraint(
            ["approval_id"],
            [f"{APPROVALS}.id"],
            name="fk_national_outbox_approval_id_report_approvals",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_national_outbox"),
        sa.UniqueConstraint("payload_sha256", name="uq_national_outbox_payload_sha256"),
    )
    op.create_index("ix_national_outbox_period_id", "national_outbox", ["period_id"])
    op.create_index("ix_national_outbox_approval_id", "national_outbox", ["approval_id"])
    op.create_index("ix_national_outbox_status", "national_outbox", ["status"])
    _forbid_changes(APPROVALS, op.get_bind().dialect.name == "sqlite")


def _forbid_changes(table: str, sqlite: bool) -> None:
    """Triggers that reject UPDATE and DELETE (and TRUNCATE) on an append-only table, as
    0001 makes them for the audit log."""
    message = f"{table} is append-only"
    if sqlite:
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
            )
        return
    op.execute(
        f"CREATE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN RAISE EXCEPTION '{message}' USING ERRCODE = 'insufficient_privilege'; END $$"
    )
    op.execute(
        f"CREATE TRIGGER {table}_no_update_delete BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()"
    )
    op.execute(
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only()"
    )


def downgrade() -> None:
    op.drop_index("ix_national_outbox_status", table_name="national_outbox")
    op.drop_index("ix_national_outbox_approval_id", table_name="national_outbox")
    op.drop_index("ix_national_outbox_period_id", table_name="national_outbox")
    op.drop_table("national_outbox")
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"DROP TRIGGER IF EXISTS {APPROVALS}_no_update")
        op.execute(f"DROP TRIGGER IF EXISTS {APPROVALS}_no_delete")
    else:
        op.execute(f"DROP TRIGGER IF EXISTS {APPROVALS}_no_update_delete ON {APPROVALS}")
        op.execute(f"DROP TRIGGER IF EXISTS {APPROVALS}_no_truncate ON {APPROVALS}")
        op.execute(f"DROP FUNCTION IF EXISTS {APPROVALS}_append_only()")
    op.drop_index("ix_report_approvals_period_id", table_name=APPROVALS)
    op.drop_index("ix_report_approvals_run_id", table_name=APPROVALS)
    op.drop_table(APPROVALS)
    op.drop_table("calendar_days")
