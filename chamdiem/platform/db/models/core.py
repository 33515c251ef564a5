"""Units, people, periods, rule versions, imported records, runs and their results, council
decisions and the audit log."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

import sqlalchemy as sa
from pydantic import field_validator, model_validator
from sqlmodel import Field, SQLModel

from chamdiem.platform.db.models.base import CONTROL_CHARACTERS, clean_text, timestamp, utc_now

Category = Literal["can_bo", "cong_chuc", "vien_chuc"]
CATEGORIES: tuple[Category, ...] = ("can_bo", "cong_chuc", "vien_chuc")
PeriodKind = Literal["month", "quarter", "year"]
RunStatus = Literal["complete", "failed"]

# ---------------------------------------------------------------- units


class UnitBase(SQLModel):
    code: str = Field(sa_type=sa.String, unique=True, index=False)
    name: str = Field(sa_type=sa.String)


class UnitCreate(UnitBase):
    parent_code: str | None = None
    head_code: str | None = None

    @field_validator("code", "name")
    @classmethod
    def _required(cls, value: str) -> str:
        value = clean_text(value)
        if not value or CONTROL_CHARACTERS.search(value):
            raise ValueError("empty or contains control characters")
        return value

    @field_validator("parent_code", "head_code")
    @classmethod
    def _optional(cls, value: str | None) -> str | None:
        return clean_text(value) or None if value is not None else None


class Unit(UnitBase, table=True):
    """A unit of the organisation tree (province, agency, department, ...)."""

    __tablename__ = "units"

    id: int | None = Field(default=None, primary_key=True)
    parent_id: int | None = Field(default=None, foreign_key="units.id")
    # The person at the head of the unit. Units and people refer to each other, so this
    # foreign key is created after both tables (use_alter).
    head_id: int | None = Field(
        default=None,
        sa_column=sa.Column(sa.Integer, sa.ForeignKey("people.id", use_alter=True), nullable=True),
    )
    updated_at: datetime = Field(default_factory=utc_now, sa_type=timestamp())


class UnitPublic(UnitBase):
    id: int
    parent_code: str | None
    head_code: str | None


# ---------------------------------------------------------------- people


class PersonBase(SQLModel):
    code: str = Field(sa_type=sa.String, unique=True)
    name: str | None = Field(default=None, sa_type=sa.String)
    position: str | None = Field(default=None, sa_type=sa.String)
    position_group: str | None = Field(default=None, sa_type=sa.String)
    category: Category | None = Field(default=None, sa_type=sa.String)
    is_head: bool = False
    # A deputy head of their unit (cấp phó): with the head, the unit's manager.
    is_deputy: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})


class PersonCreate(PersonBase):
    unit_code: str | None = None

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        value = clean_text(value)
        if not value or CONTROL_CHARACTERS.search(value):
            raise ValueError("empty or contains control characters")
        return value

    @field_validator("name", "position", "position_group", "unit_code")
    @classmethod
    def _optional(cls, value: str | None) -> str | None:
        return clean_text(value) or None if value is not None else None


class Person(PersonBase, table=True):
    """A cán bộ, công chức or viên chức."""

    __tablename__ = "people"
    __table_args__ = (
        sa.CheckConstraint(
            "category IS NULL OR category IN ('can_bo', 'cong_chuc', 'vien_chuc')",
            name="category",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int | None = Field(default=None, foreign_key="units.id", index=True)
    updated_at: datetime = Field(default_factory=utc_now, sa_type=timestamp())


class PersonPublic(PersonBase):
    id: int
    unit_code: str | None


# ---------------------------------------------------------------- periods


class PeriodBase(SQLModel):
    code: str = Field(sa_type=sa.String, unique=True)


class PeriodCreate(PeriodBase):
    """A period as `chamdiem.platform.services.periods.parse_period_code` reads its code."""

    kind: PeriodKind
    start_date: date
    end_date: date

    @model_validator(mode="after")
    def _dates(self) -> PeriodCreate:
        if self.start_date > self.end_date:
            raise ValueError("the period ends before it starts")
        return self


class Period(PeriodBase, table=True):
    __tablename__ = "periods"
    __table_args__ = (
        sa.CheckConstraint("kind IN ('month', 'quarter', 'year')", name="kind"),
        sa.CheckConstraint("start_date <= end_date", name="dates"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: PeriodKind = Field(sa_type=sa.String)
    start_date: date
    end_date: date
    locked: bool = False
    locked_at: datetime | None = Field(default=None, sa_type=timestamp())
    locked_by: str | None = Field(default=None, sa_type=sa.String)
    created_at: datetime = Field(default_factory=utc_now, sa_type=timestamp())
    created_by: str = Field(sa_type=sa.String)


class PeriodPublic(PeriodBase):
    id: int
    kind: PeriodKind
    start_date: date
    end_date: date
    locked: bool


# ---------------------------------------------------------------- rule versions


class RuleVersion(SQLModel, table=True):
    """A published rule file, addressed by the SHA-256 of its NFC source (the text kept here
    is exactly what was hashed, so a run can always be re-evaluated)."""

    __tablename__ = "rule_versions"

    id: int | None = Field(default=None, primary_key=True)
    sha256: str = Field(sa_type=sa.String(64), unique=True)
    name: str = Field(sa_type=sa.String, index=True)
    title: str = Field(sa_type=sa.String)
    subject: str = Field(sa_type=sa.String)
    period_kind: PeriodKind = Field(sa_type=sa.String)
    effective_from: date
    effective_until: date | None = None
    precision: int
    source: str = Field(sa_type=sa.Text)
    # The rows files of its catalogues (file name as written -> rows of text cells, header
    # first), as canonical JSON; hashed with the source. None when the source names none.
    catalog_rows: str | None = Field(default=None, sa_type=sa.Text)
    file_path: str = Field(sa_type=sa.String)
    git_commit: str | None = Field(default=None, sa_type=sa.String(40))
    git_path: str | None = Field(default=None, sa_type=sa.String)
    # The last commit that changed the file: who made the rule change, and when.
    git_author: str | None = Field(default=None, sa_type=sa.String)
    git_committed_at: datetime | None = Field(default=None, sa_type=timestamp())
    published_by: str = Field(sa_type=sa.String)
    published_at: datetime = Field(default_factory=utc_now, sa_type=timestamp())


class RuleVersionPublic(SQLModel):
    id: int
    sha256: str
    name: str
    title: str
    period_kind: PeriodKind
    effective_from: date
    effective_until: date | None
    git_commit: str | None
    git_path: str | None
    git_author: str | None
    git_committed_at: datetime | None
    published_by: str
    published_at: datetime


# ---------------------------------------------------------------- imports and input records


class DataImport(SQLModel, table=True):
    """One imported DATA file: what, for which period and rule set, by whom."""

    __tablename__ = "data_imports"

    id: int | None = Field(default=None, primary_key=True)
    period_id: int = Field(foreign_key="periods.id", index=True)
    rule_version_id: int = Field(foreign_key="rule_versions.id")
    ruleset: str = Field(sa_type=sa.String)
    file_name: str = Field(sa_type=sa.String)
    file_sha256: str = Field(sa_type=sa.String(64), index=True)
    subjects: int
    item_rows: int
    replaced: int  # current records of earlier imports that this one superseded
    imported_by: str = Field(sa_type=sa.String)
    imported_at: datetime = Field(default_factory=utc_now, sa_type=timestamp())


class InputRecord(SQLModel, table=True):
    """One subject's recorded inputs for a period and rule set, with its items.

    Never updated except to mark it superseded by a later import (the history stays); at most
    one record per (person, period, rule set) is current (a partial unique index says so)."""

    __tablename__ = "input_records"
    __table_args__ = (
        sa.Index("ix_input_records_period_ruleset", "period_id", "ruleset"),
        sa.Index(
            "uq_input_records_current",
            "person_id",
            "period_id",
            "ruleset",
            unique=True,
            sqlite_where=sa.text("superseded_by_id IS NULL"),
            postgresql_where=sa.text("superseded_by_id IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    import_id: int = Field(foreign_key="data_imports.id", index=True)
    period_id: int = Field(foreign_key="periods.id")
    person_id: int = Field(foreign_key="people.id")
    ruleset: str = Field(sa_type=sa.String)
    inputs_json: str = Field(sa_type=sa.Text)
    items_json: str = Field(sa_type=sa.Text)
    superseded_by_id: int | None = Field(default=None, foreign_key="data_imports.id")


# ---------------------------------------------------------------- runs and results


class EvaluationRun(SQLModel, table=True):
    """One evaluation of a period by one rule version. Written together with all its results
    in one transaction: a run that can be seen is complete (or failed, with no results)."""

    __tablename__ = "evaluation_runs"
    __table_args__ = (sa.CheckConstraint("status IN ('complete', 'failed')", name="status"),)

    id: int | None = Field(default=None, primary_key=True)
    rule_version_id: int = Field(foreign_key="rule_versions.id", index=True)
    period_id: int = Field(foreign_key="periods.id", index=True)
    scope_json: str = Field(sa_type=sa.Text)  # unit codes asked for; [] = the whole period
    # A rule set with `needs`: the runs whose stored results it read, {id: snapshot sha256}
    linked_runs_json: str = Field(
        default="{}", sa_type=sa.Text, sa_column_kwargs={"server_default": "{}"}
    )
    snapshot_sha256: str = Field(sa_type=sa.String(64))
    engine_version: str = Field(sa_type=sa.String)
    subjects: int
    status: RunStatus = Field(sa_type=sa.String)
    detail: str | None = Field(default=None, sa_type=sa.Text)
    run_by: str = Field(sa_type=sa.String)
    started_at: datetime = Field(sa_type=timestamp())
    finished_at: datetime = Field(sa_type=timestamp())


class EvaluationRunPublic(SQLModel):
    id: int
    rule_version_id: int
    period_id: int
    snapshot_sha256: str
    engine_version: str
    subjects: int
    status: RunStatus
    run_by: str
    started_at: datetime
    finished_at: datetime


class Result(SQLModel, table=True):
    """What a run gave one subject. The subject's unit, position group and head flag are the
    ones the run used (they are part of its data snapshot). Scores are decimal strings with
    exactly the rule set's `precision` places ("82.15"), as the evaluator prints them."""

    __tablename__ = "results"
    __table_args__ = (sa.UniqueConstraint("run_id", "subject_code", name="uq_results_run_subject"),)

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="evaluation_runs.id")
    person_id: int = Field(foreign_key="people.id", index=True)
    input_record_id: int = Field(foreign_key="input_records.id")
    subject_code: str = Field(sa_type=sa.String)
    unit_code: str | None = Field(default=None, sa_type=sa.String)
    position_group: str | None = Field(default=None, sa_type=sa.String)
    is_head: bool
    # None for a subject the rules do not grade (`exclude … when`); see not_graded_json.
    total: str | None = Field(default=None, sa_type=sa.String)
    score_grade: str | None = Field(default=None, sa_type=sa.String)
    grade: str | None = Field(default=None, sa_type=sa.String)
    values_json: str = Field(sa_type=sa.Text)
    vetoes_json: str = Field(sa_type=sa.Text)
    flags_json: str = Field(sa_type=sa.Text)
    not_graded_json: str = Field(sa_type=sa.Text)
    explanation: str | None = Field(default=None, sa_type=sa.Text)


# ---------------------------------------------------------------- council decisions


class DecisionBase(SQLModel):
    final_grade: str = Field(sa_type=sa.String)
    reason: str = Field(sa_type=sa.Text)
    document_number: str = Field(sa_type=sa.String)
    document_date: date


class DecisionCreate(DecisionBase):
    @field_validator("final_grade", "reason", "document_number")
    @classmethod
    def _required(cls, value: str) -> str:
        value = clean_text(value)
        if not value:
            raise ValueError("required")
        return value


class CouncilDecision(DecisionBase, table=True):
    """The final grade set by the competent authority, beside the computed result (which is
    never changed). A later decision on the same result takes precedence; none is erased."""

    __tablename__ = "council_decisions"

    id: int | None = Field(default=None, primary_key=True)
    result_id: int = Field(foreign_key="results.id", index=True)
    decided_by: str = Field(sa_type=sa.String)
    recorded_at: datetime = Field(default_factory=utc_now, sa_type=timestamp())


class DecisionPublic(DecisionBase):
    id: int
    result_id: int
    decided_by: str
    recorded_at: datetime


# ---------------------------------------------------------------- audit log


class AuditEntry(SQLModel, table=True):
    """Append-only: database triggers reject UPDATE and DELETE (and TRUNCATE on PostgreSQL)."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utc_now, sa_type=timestamp(), index=True)
    actor: str = Field(sa_type=sa.String)
    action: str = Field(sa_type=sa.String)  # import, run, verify, publish, decision, ...
    entity: str = Field(sa_type=sa.String)  # the table the action concerns
    entity_id: str | None = Field(default=None, sa_type=sa.String)
    details_json: str = Field(sa_type=sa.Text)


APPEND_ONLY_TABLES = ("audit_log",)
