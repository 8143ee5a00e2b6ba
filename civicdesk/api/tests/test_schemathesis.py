"""Property-based checks of every operation against the OpenAPI document, with a real key:
no server errors, and every answer as documented (status, content type, body schema)."""

from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from civicdesk.api.v1.api import api


class DjangoApp:
    """The project as a WSGI app, built at the first request: inside the test, with the test
    settings in place, rather than when the module is collected."""

    handler: WSGIHandler | None = None

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if self.handler is None:
            self.handler = WSGIHandler()
        # Django's request signals close the database connection around each request; inside
        # a test's transaction on PostgreSQL that would close the test's own connection. As
        # Django's test client does, keep them off while the request is handled and closed.
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            response = self.handler(environ, start_response)
            body = b"".join(response)
            response.close()
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
        return [body]


schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
schema.app = DjangoApp()

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


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
