"""The working-day calendar's local days, the approval log of result reports and the outbox
of what is sent to the National Database of cadres, civil servants and public employees
(NĐ 335/2025 Art 22, Art 26.1.d; the handbook's Chapter VIII.2.a)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from chamdiem.platform.db.models.base import timestamp, utc_now

OutboxStatus = Literal["pending", "sent", "failed"]
OUTBOX_STATUS_CHECK = "status IN ('pending', 'sent', 'failed')"


class CalendarDay(SQLModel, table=True):
    """A day the province sets apart from the national calendar: a day off (`working` false:
    a local holiday, a day off given in exchange) or a make-up working day (`working` true,
    e.g. a Saturday worked in exchange). One row per date; it overrides the national
    calendar for that date."""

    __tablename__ = "calendar_days"

    id: int | None = Field(default=None, primary_key=True)
    day: date = Field(unique=True)
    working: bool
    note: str = Field(sa_type=sa.String)
    set_by: str = Field(sa_type=sa.String)
    set_at: datetime = Field(default_factory=utc_now, sa_type=timestamp())


class ReportApproval(SQLModel, table=True):
    """The competent authority's approval of a run's result report: who, when, and the
    SHA-256 of the report's canonical content (`services/approvals.py`), so that it can be
    checked later. Append-only, like the audit log. `signature` is the extension point for a
    public-service digital signature over `content_sha256` (empty today)."""

    __tablename__ = "report_approvals"

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="evaluation_runs.id", index=True)
    period_id: int = Field(foreign_key="periods.id", index=True)
    content_format: str = Field(sa_type=sa.String)
    content_sha256: str = Field(sa_type=sa.String(64))
    # The report includes the council decisions recorded up to this one (their ids only grow).
    last_decision_id: int | None = None
    results: int
    decisions: int
    approved_by: str = Field(sa_type=sa.String)
    title: str | None = Field(default=None, sa_type=sa.String)  # the approver's position
    note: str | None = Field(default=None, sa_type=sa.Text)
    approved_at: datetime = Field(default_factory=utc_now, sa_type=timestamp())
    signature_kind: str | None = Field(default=None, sa_type=sa.String)
    signature: str | None = Field(default=None, sa_type=sa.Text)


class NationalOutbox(SQLModel, table=True):
    """One message for the National Database: a period's approved results, per person, as
    canonical JSON (docs/national-export.md), and what became of sending it."""

    __tablename__ = "national_outbox"
    __table_args__ = (
        sa.CheckConstraint(OUTBOX_STATUS_CHECK, name="status"),
        sa.UniqueConstraint("payload_sha256", name="uq_national_outbox_payload_sha256"),
    )

    id: int | None = Field(default=None, primary_key=True)
    period_id: int = Field(foreign_key="periods.id", index=True)
    approval_id: int = Field(foreign_key="report_approvals.id", index=True)
    payload_json: str = Field(sa_type=sa.Text)
    payload_sha256: str = Field(sa_type=sa.String(64))
    records: int
    # The fifth working day after the approval: the push is due by the end of it.
    due_on: date
    status: OutboxStatus = Field(sa_type=sa.String, index=True)
    attempts: int = 0
    next_attempt_at: datetime | None = Field(default=None, sa_type=timestamp())
    last_error: str | None = Field(default=None, sa_type=sa.Text)
    transport: str | None = Field(default=None, sa_type=sa.String)
    destination: str | None = Field(default=None, sa_type=sa.Text)
    response_status: int | None = None
    response_body: str | None = Field(default=None, sa_type=sa.Text)
    created_by: str = Field(sa_type=sa.String)
    created_at: datetime = Field(default_factory=utc_now, sa_type=timestamp())
    sent_at: datetime | None = Field(default=None, sa_type=timestamp())
