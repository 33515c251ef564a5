"""The database schema as SQLModel classes.

Per entity a small family: `…Base` (the fields people give), `…Create` (validated input: a
`table=True` class does not validate on construction, so services build a Create first), the
one `table=True` class, and `…Public` where something outside reads it.

Conventions that keep SQLite and PostgreSQL giving the same digits and the same text:
- scores and every computed value are decimal strings exactly as the evaluator prints them
  ("82.15"), never NUMERIC or REAL (SQLite would store a binary float);
- structured values (inputs, items, values, vetoes) are canonical JSON *text*
  (`chamdiem.platform.db.codec`), not JSON/JSONB columns, which PostgreSQL would re-render;
- times are UTC, dates are dates.

The tables are created by the migrations in `migrations/versions/` (written by hand); the test
suite checks that these classes and the migrations agree.

The modules, each importing only the ones before it: `base` (naming convention, column helpers),
`core` (units, people, periods, rule versions, records, runs, results, decisions, audit),
`accounts` (users, tokens, sessions), `national` (the province's days off, approvals of result
reports, the national outbox) and `web` (what the web's processes share). This package imports
them all, so that importing it registers every table with the one metadata.
"""

from chamdiem.platform.db.models.accounts import (
    PERSON_ROLES,
    RESULTS_BY_UNIT,
    ROLE_CHECK,
    ROLES,
    ApiToken,
    OneTimeCode,
    Role,
    User,
    UserUnit,
    WebSession,
)
from chamdiem.platform.db.models.base import (
    CONTROL_CHARACTERS,
    NAMING_CONVENTION,
    clean_text,
    timestamp,
    utc_now,
)
from chamdiem.platform.db.models.core import (
    APPEND_ONLY_TABLES,
    CATEGORIES,
    AuditEntry,
    Category,
    CouncilDecision,
    DataImport,
    DecisionBase,
    DecisionCreate,
    DecisionPublic,
    EvaluationRun,
    EvaluationRunPublic,
    InputRecord,
    Period,
    PeriodBase,
    PeriodCreate,
    PeriodKind,
    PeriodPublic,
    Person,
    PersonBase,
    PersonCreate,
    PersonPublic,
    Result,
    RuleVersion,
    RuleVersionPublic,
    RunStatus,
    Unit,
    UnitBase,
    UnitCreate,
    UnitPublic,
)
from chamdiem.platform.db.models.national import CalendarDay, NationalOutbox, ReportApproval
from chamdiem.platform.db.models.web import (
    KIND_CHECK,
    STATUS_CHECK,
    JobKind,
    JobStatus,
    SignInFailure,
    WebJob,
    WebUpload,
)

__all__ = [
    "APPEND_ONLY_TABLES",
    "CATEGORIES",
    "CONTROL_CHARACTERS",
    "KIND_CHECK",
    "NAMING_CONVENTION",
    "PERSON_ROLES",
    "RESULTS_BY_UNIT",
    "ROLES",
    "ROLE_CHECK",
    "STATUS_CHECK",
    "ApiToken",
    "AuditEntry",
    "CalendarDay",
    "Category",
    "CouncilDecision",
    "DataImport",
    "DecisionBase",
    "DecisionCreate",
    "DecisionPublic",
    "EvaluationRun",
    "EvaluationRunPublic",
    "InputRecord",
    "JobKind",
    "JobStatus",
    "NationalOutbox",
    "OneTimeCode",
    "Period",
    "PeriodBase",
    "PeriodCreate",
    "PeriodKind",
    "PeriodPublic",
    "Person",
    "PersonBase",
    "PersonCreate",
    "PersonPublic",
    "ReportApproval",
    "Result",
    "Role",
    "RuleVersion",
    "RuleVersionPublic",
    "RunStatus",
    "SignInFailure",
    "Unit",
    "UnitBase",
    "UnitCreate",
    "UnitPublic",
    "User",
    "UserUnit",
    "WebJob",
    "WebSession",
    "WebUpload",
    "clean_text",
    "timestamp",
    "utc_now",
]
