"""What the web service shares between its worker processes: background jobs (imports and
runs started from a page or the API, with their progress), uploaded files waiting for the
user to confirm the import, and failed sign-ins (for the throttle).

Kept in the database, not in a process's memory, because `chamdiem serve --workers N` runs
several processes behind one port: the page asking after a job, the confirmation of an upload
and the next sign-in attempt may each reach a different process than the one before. The rows
are short-lived (jobs are kept a week, uploads six hours, failures the throttle's window);
the audit log, not these tables, is the record of what was done.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from chamdiem.platform.db.models.base import timestamp, utc_now

JobStatus = Literal["waiting", "running", "done", "failed"]
JobKind = Literal["validate", "import", "run"]
STATUS_CHECK = "status IN ('waiting', 'running', 'done', 'failed')"
KIND_CHECK = "kind IN ('validate', 'import', 'run')"


class WebJob(SQLModel, table=True):
    """A background job: who started it, how far it is, and what it produced or why it
    failed. Written by the process that runs it; read by any."""

    __tablename__ = "web_jobs"
    __table_args__ = (
        sa.CheckConstraint(STATUS_CHECK, name="status"),
        sa.CheckConstraint(KIND_CHECK, name="kind"),
    )

    id: str = Field(sa_type=sa.String(32), primary_key=True)
    kind: JobKind = Field(sa_type=sa.String)
    owner_id: int = Field(foreign_key="users.id", index=True)
    title: str = Field(sa_type=sa.String)
    status: JobStatus = Field(sa_type=sa.String, index=True)
    stage: str = Field(sa_type=sa.String)
    done_steps: int = 0
    total_steps: int = 1
    message: str | None = Field(default=None, sa_type=sa.Text)  # why it failed (Vietnamese)
    problems_json: str = Field(default="[]", sa_type=sa.Text)
    problems_total: int = 0
    result_json: str = Field(default="{}", sa_type=sa.Text)
    links_json: str = Field(default="[]", sa_type=sa.Text)
    worker: str = Field(sa_type=sa.String)  # "host:pid" of the process running it
    created_at: datetime = Field(default_factory=utc_now, sa_type=timestamp())
    finished_at: datetime | None = Field(default=None, sa_type=timestamp(), index=True)
    # When it started running: its time limit counts from then.
    started_at: datetime | None = Field(default=None, sa_type=timestamp())
    # Asked to stop (by its owner or an administrator): the process running it stops it.
    cancel_requested_at: datetime | None = Field(default=None, sa_type=timestamp())
    cancel_requested_by: str | None = Field(default=None, sa_type=sa.String)


class WebUpload(SQLModel, table=True):
    """A validated data file waiting for its owner to confirm the import (the file itself is
    in the data folder's uploads/)."""

    __tablename__ = "web_uploads"

    id: str = Field(sa_type=sa.String(32), primary_key=True)
    owner_id: int = Field(foreign_key="users.id", index=True)
    path: str = Field(sa_type=sa.Text)
    file_name: str = Field(sa_type=sa.String)
    period: str = Field(sa_type=sa.String)
    rules: str | None = Field(default=None, sa_type=sa.String)
    subjects: int
    created_at: datetime = Field(default_factory=utc_now, sa_type=timestamp())


class SignInFailure(SQLModel, table=True):
    """A failed sign-in: the name tried, from which address, when (seconds since the epoch,
    the throttle's clock)."""

    __tablename__ = "sign_in_failures"
    __table_args__ = (sa.Index("ix_sign_in_failures_username_address", "username", "address"),)

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(sa_type=sa.String)
    address: str = Field(sa_type=sa.String, index=True)
    at: float = Field(sa_type=sa.Float, index=True)
