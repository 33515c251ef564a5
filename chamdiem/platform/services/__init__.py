"""The use cases, as plain functions that take a Session (the CLI and the web both call them).

Each service that changes something does it in one transaction together with its audit log
entry, and refuses with `ServiceError` (or `DataFileError` for a DATA file) leaving the
database as it was.
"""

from chamdiem.platform.services.decisions import record_decision
from chamdiem.platform.services.errors import NotFound, ServiceError
from chamdiem.platform.services.imports import ImportOutcome, import_period_data
from chamdiem.platform.services.organisation import OrganisationLoad, load_organisation
from chamdiem.platform.services.periods import add_period, get_period, lock_period
from chamdiem.platform.services.rules import Published, publish_rule_version
from chamdiem.platform.services.runs import RunOutcome, run_evaluation
from chamdiem.platform.services.verify import VerifyReport, explain_result, verify_run

__all__ = [
    "ImportOutcome",
    "NotFound",
    "OrganisationLoad",
    "Published",
    "RunOutcome",
    "ServiceError",
    "VerifyReport",
    "add_period",
    "explain_result",
    "get_period",
    "import_period_data",
    "load_organisation",
    "lock_period",
    "publish_rule_version",
    "record_decision",
    "run_evaluation",
    "verify_run",
]
