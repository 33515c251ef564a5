"""The tables behind the models, for SQLAlchemy Core queries (bulk reads and writes, where
building a model object per row would cost more than the query). One place, so that the
`__table__` attribute, which sqlmodel does not declare, is reached once."""

from __future__ import annotations

from typing import cast

import sqlalchemy as sa

from chamdiem.platform.db.models import (
    AuditEntry,
    CouncilDecision,
    DataImport,
    EvaluationRun,
    InputRecord,
    OneTimeCode,
    Period,
    Person,
    Result,
    RuleVersion,
    SignInFailure,
    Unit,
    User,
    WebJob,
    WebSession,
    WebUpload,
)


def _table(model: type) -> sa.Table:
    return cast(sa.Table, model.__table__)  # type: ignore[attr-defined]


audit_t = _table(AuditEntry)
decisions_t = _table(CouncilDecision)
imports_t = _table(DataImport)
runs_t = _table(EvaluationRun)
records_t = _table(InputRecord)
periods_t = _table(Period)
people_t = _table(Person)
results_t = _table(Result)
versions_t = _table(RuleVersion)
units_t = _table(Unit)
users_t = _table(User)
one_time_codes_t = _table(OneTimeCode)
web_sessions_t = _table(WebSession)
sign_in_failures_t = _table(SignInFailure)
web_jobs_t = _table(WebJob)
web_uploads_t = _table(WebUpload)
