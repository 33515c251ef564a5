"""schemathesis against /schema/openapi.json: requests generated from the API's description
(valid and invalid ones), sent with an HR officer's token, must never give a server error.

The run is bounded (a fixed number of examples per operation) and derandomized, so it is the
same run every time."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from chamdiem.platform.db.engine import open_session
from chamdiem.platform.services.accounts import create_api_token
from tests.web.conftest import Site

EXAMPLES = 30


def test_no_generated_request_gives_a_server_error(site: Site) -> None:
    with open_session(site.engine) as session:
        token = create_api_token(session, "tcsnv", "schemathesis", actor="test").token
    schema = schemathesis.openapi.from_asgi("/schema/openapi.json", site.app)
    headers = {"Authorization": f"Bearer {token}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    tried: dict[str, int] = {}
    for operation in operations:
        label = f"{operation.method.upper()} {operation.path}"
        tried[label] = 0
        fuzz(operation, headers, tried, label)
    assert all(count > 0 for count in tried.values()), tried


def fuzz(
    operation: schemathesis.APIOperation, headers: dict[str, str], tried: dict[str, int], label: str
) -> None:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def call(case: schemathesis.Case) -> None:
        response = case.call(headers=headers)
        tried[label] += 1
        case.validate_response(response, checks=[not_a_server_error])

    call()
