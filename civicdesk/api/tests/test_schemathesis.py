"""Property-based checks of every operation against the OpenAPI document, with a real key:
no server errors, and every answer as documented (status, content type, body schema)."""

from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from civicdesk.api.tests.fuzzing import CHECKS, json_api_schema

schema = json_api_schema()


@pytest.fixture
def world(
    agent: Any,
    waste_officer: Any,
    key_for: Any,
    bin_case: Any,
    sensitive_case: Any,
) -> dict[str, str]:
    return {"key": key_for(waste_officer), "agent_key": key_for(agent)}


@schema.parametrize()
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
@pytest.mark.django_db
def test_every_operation_as_documented(case: Any, world: dict[str, str]) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {world['key']}"}, checks=CHECKS)


@schema.parametrize()
@settings(max_examples=2, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@pytest.mark.django_db
def test_every_operation_refuses_without_a_key(case: Any, world: dict[str, str]) -> None:
    response = case.call(headers={"Authorization": "Bearer cdk_not-a-key"})
    if response.status_code == 405:  # a method the path does not have, tried as a negative case
        return
    # After 20 wrong keys from one address, 429 (civicdesk.api.key_guessing) until they age out.
    assert response.status_code in (401, 422, 429), response.text
    case.validate_response(response, checks=CHECKS)
