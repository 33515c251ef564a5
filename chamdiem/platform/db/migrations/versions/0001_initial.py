"""The initial schema: organisation, periods, rule versions, imports and input records, runs
and results, council decisions, and the append-only audit log.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0001_initial"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

TZ = sa.DateTime(timezone=True)
APPEND_ONLY = ("audit_log",)


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"

    # Units and people refer to each other (a unit's head is a person). SQLite accepts a
    # foreign key to a table created later; PostgreSQL gets it once `people` exists.
    head_fk = (
        [sa.ForeignKeyConstraint(["head_id"], ["people.id"], name="fk_units_head_id_people")]
        if sqlite
        else []
    )
    op.create_table(
        "units",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("head_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", TZ, nullable=False),
        sa.ForeignKeyConstraint(["parent_id"], ["units.id"], name="fk_units_parent_id_units"),
        *head_fk,
        sa.PrimaryKeyConstraint("id", name="pk_units"),
        sa.UniqueConstraint("code", name="uq_units_code"),
    )
    op.create_table(
        "people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=True),
        sa.Column("position", sa.String(), nullable=True),
        sa.Column("position_group", sa.String(), nullable=True),
        sa.Column("category", sa.String(), nullable=True),
        sa.Column("is_head", sa.Boolean(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", TZ, nullable=False),
        sa.CheckConstraint(
            "category IS NULL OR category IN ('can_bo', 'cong_chuc', 'vien_chuc')",
            name="ck_people_category",
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name="fk_people_unit_id_units"),
        sa.PrimaryKeyConstraint("id", name="pk_people"),
        sa.UniqueConstraint("code", name="uq_people_code"),
    )
    op.create_index("ix_people_unit_id", "people", ["unit_id"])
    if not sqlite:
        op.create_foreign_key("fk_units_head_id_people", "units", "people", ["head_id"], ["id"])

    op.create_table(
        "periods",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("locked", sa.Boolean(), nullable=False),
        sa.Column("locked_at", TZ, nullable=True),
        sa.Column("locked_by", sa.String(), nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("created_by", sa.String(), nullable=False),
        sa.CheckConstraint("kind IN ('month', 'quarter', 'year')", name="ck_periods_kind"),
        sa.CheckConstraint("start_date <= end_date", name="ck_periods_dates"),
        sa.PrimaryKeyConstraint("id", name="pk_periods"),
        sa.UniqueConstraint("code", name="uq_periods_code"),
    )

    op.create_table(
        "rule_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("subject", sa.String(), nullable=False),
        sa.Column("period_kind", sa.String(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("effective_until", sa.Date(), nullable=True),
        sa.Column("precision", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("file_path", sa.String(), nullable=False),
        sa.Column("git_commit", sa.String(40), nullable=True),
        sa.Column("git_path", sa.String(), nullable=True),
        sa.Column("published_by", sa.String(), nullable=False),
        sa.Column("published_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_rule_versions"),
        sa.UniqueConstraint("sha256", name="uq_rule_versions_sha256"),
    )
    op.create_index("ix_rule_versions_name", "rule_versions", ["name"])

    op.create_table(
        "data_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("rule_version_id", sa.Integer(), nullable=False),
        sa.Column("ruleset", sa.String(), nullable=False),
        sa.Column("file_name", sa.String(), nullable=False),
        sa.Column("file_sha256", sa.String(64), nullable=False),
        sa.Column("subjects", sa.Integer(), nullable=False),
        sa.Column("item_rows", sa.Integer(), nullable=False),
        sa.Column("replaced", sa.Integer(), nullable=False),
        sa.Column("imported_by", sa.String(), nullable=False),
        sa.Column("imported_at", TZ, nullable=False),
        sa.ForeignKeyConstraint(
            ["period_id"], ["periods.id"], name="fk_data_imports_period_id_periods"
        ),
        sa.ForeignKeyConstraint(
            ["rule_version_id"],
            ["rule_versions.id"],
            name="fk_data_imports_rule_version_id_rule_versions",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_data_imports"),
    )
    op.create_index("ix_data_imports_period_id", "data_imports", ["period_id"])
    op.create_index("ix_data_imports_file_sha256", "data_imports", ["file_sha256"])

    op.create_table(
        "input_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("ruleset", sa.String(), nullable=False),
        sa.Column("inputs_json", sa.Text(), nullable=False),
        sa.Column("items_json", sa.Text(), nullable=False),
        sa.Column("superseded_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["import_id"], ["data_imports.id"], name="fk_input_records_import_id_data_imports"
        ),
        sa.ForeignKeyConstraint(
            ["period_id"], ["periods.id"], name="fk_input_records_period_id_periods"
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name="fk_input_records_person_id_people"
        ),
        sa.ForeignKeyConstraint(
            ["superseded_by_id"],
            ["data_imports.id"],
            name="fk_input_records_superseded_by_id_data_imports",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_input_records"),
    )
    op.create_index("ix_input_records_import_id", "input_records", ["import_id"])
    op.create_index("ix_input_records_period_ruleset", "input_records", ["period_id", "ruleset"])
    op.create_index(
        "uq_input_records_current",
        "input_records",
        ["person_id", "period_id", "ruleset"],
        unique=True,
        sqlite_where=sa.text("superseded_by_id IS NULL"),
        postgresql_where=sa.text("superseded_by_id IS NULL"),
    )

    op.create_table(
        "evaluation_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rule_version_id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("scope_json", sa.Text(), nullable=False),
        sa.Column("snapshot_sha256", sa.String(64), nullable=False),
        sa.Column("engine_version", sa.String(), nullable=False),
        sa.Column("subjects", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("run_by", sa.String(), nullable=False),
        sa.Column("started_at", TZ, nullable=False),
        sa.Column("finished_at", TZ, nullable=False),
        sa.CheckConstraint("status IN ('complete', 'failed')", name="ck_evaluation_runs_status"),
        sa.ForeignKeyConstraint(
            ["rule_version_id"],
            ["rule_versions.id"],
            name="fk_evaluation_runs_rule_version_id_rule_versions",
        ),
        sa.ForeignKeyConstraint(
            ["period_id"], ["periods.id"], name="fk_evaluation_runs_period_id_periods"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_evaluation_runs"),
    )
    op.create_index("ix_evaluation_runs_rule_version_id", "evaluation_runs", ["rule_version_id"])
    op.create_index("ix_evaluation_runs_period_id", "evaluation_runs", ["period_id"])

    op.create_table(
        "results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("input_record_id", sa.Integer(), nullable=False),
        sa.Column("subject_code", sa.String(), nullable=False),
        sa.Column("unit_code", sa.String(), nullable=True),
        sa.Column("position_group", sa.String(), nullable=True),
        sa.Column("is_head", sa.Boolean(), nullable=False),
        sa.Column("total", sa.String(), nullable=True),
        sa.Column("score_grade", sa.String(), nullable=True),
        sa.Column("grade", sa.String(), nullable=True),
        sa.Column("values_json", sa.Text(), nullable=False),
        sa.Column("vetoes_json", sa.Text(), nullable=False),
        sa.Column("flags_json", sa.Text(), nullable=False),
        sa.Column("not_graded_json", sa.Text(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"], ["evaluation_runs.id"], name="fk_results_run_id_evaluation_runs"
        ),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name="fk_results_person_id_people"),
        sa.ForeignKeyConstraint(
            ["input_record_id"],
            ["input_records.id"],
            name="fk_results_input_record_id_input_records",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_results"),
        sa.UniqueConstraint("run_id", "subject_code", name="uq_results_run_subject"),
    )
    op.create_index("ix_results_person_id", "results", ["person_id"])

    op.create_table(
        "council_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("result_id", sa.Integer(), nullable=False),
        sa.Column("final_grade", sa.String(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("document_number", sa.String(), nullable=False),
        sa.Column("document_date", sa.Date(), nullable=False),
        sa.Column("decided_by", sa.String(), nullable=False),
        sa.Column("recorded_at", TZ, nullable=False),
        sa.ForeignKeyConstraint(
            ["result_id"], ["results.id"], name="fk_council_decisions_result_id_results"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_council_decisions"),
    )
    op.create_index("ix_council_decisions_result_id", "council_decisions", ["result_id"])

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", TZ, nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("entity", sa.String(), nullable=False),
        sa.Column("entity_id", sa.String(), nullable=True),
        sa.Column("details_json", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])

    for table in APPEND_ONLY:
        _forbid_changes(table, sqlite)


def _forbid_changes(table: str, sqlite: bool) -> None:
    """Triggers that reject UPDATE and DELETE (and TRUNCATE) on an append-only table."""
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
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table in APPEND_ONLY:
        if sqlite:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update_delete ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {table}_append_only()")
    for table in (
        "audit_log",
        "council_decisions",
        "results",
        "evaluation_runs",
        "input_records",
        "data_imports",
        "rule_versions",
        "periods",
    ):
        op.drop_table(table)
    if not sqlite:
        op.drop_constraint("fk_units_head_id_people", "units", type_="foreignkey")
    op.drop_table("people")
    op.drop_table("units")
