"""Everyone signs in: accounts linked to a person (provisioned from the organisation load),
the roles of civil servants, managers and leaders, the deputy flag of the organisation load,
and one-time codes for a first sign-in or a password reset.

Revision ID: 0008_person_accounts
Revises: 0007_job_control
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0008_person_accounts"
down_revision: str | None = "0007_job_control"
branch_labels: str | None = None
depends_on: str | None = None

TZ = sa.DateTime(timezone=True)

OLD_ROLES = "role IN ('admin', 'policy', 'hr', 'auditor', 'unit_head')"
NEW_ROLES = (
    "role IN ('admin', 'policy', 'hr', 'auditor', 'unit_head', "
    "'leader', 'manager', 'civil_servant')"
)


def upgrade() -> None:
    with op.batch_alter_table("people") as table:
        table.add_column(
            sa.Column("is_deputy", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("users") as table:
        table.add_column(sa.Column("person_id", sa.Integer(), nullable=True))
        table.create_foreign_key("fk_users_person_id_people", "people", ["person_id"], ["id"])
        table.create_unique_constraint("uq_users_person_id", ["person_id"])
        table.drop_constraint("ck_users_role", type_="check")
        table.create_check_constraint("ck_users_role", NEW_ROLES)
    op.create_table(
        "one_time_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_sha256", sa.String(64), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("created_by", sa.String(), nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
        sa.Column("used_at", TZ, nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_one_time_codes_user_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_one_time_codes"),
        sa.UniqueConstraint("code_sha256", name="uq_one_time_codes_code_sha256"),
    )
    op.create_index("ix_one_time_codes_user_id", "one_time_codes", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_one_time_codes_user_id", table_name="one_time_codes")
    op.drop_table("one_time_codes")
    op.execute(
        "DELETE FROM web_sessions WHERE user_id IN (SELECT id FROM users WHERE role IN "
        "('leader', 'manager', 'civil_servant'))"
    )
    op.execute(
        "UPDATE users SET active = false, role = 'auditor' "
        "WHERE role IN ('leader', 'manager', 'civil_servant')"
    )
    with op.batch_alter_table("users") as table:
        table.drop_constraint("ck_users_role", type_="check")
        table.create_check_constraint("ck_users_role", OLD_ROLES)
        table.drop_constraint("uq_users_person_id", type_="unique")
        table.drop_constraint("fk_users_person_id_people", type_="foreignkey")
        table.drop_column("person_id")
    with op.batch_alter_table("people") as table:
        table.drop_column("is_deputy")
