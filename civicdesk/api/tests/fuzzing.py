"""What the fuzz tests share: how hard they search, and how schemathesis calls the project.

How hard: a few fixed examples in the suite, so that CI is quick and always tries the same
inputs; `CIVICDESK_FUZZ_EXAMPLES=N` for a long, freshly random search of N examples per test
(for a nightly run, or after changing how bad input is handled)."""

import os
from typing import Any

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
from schemathesis.specs.openapi.schemas import OpenApiSchema

from civicdesk.api.v1.api import api

# No server errors, and every answer as documented: status, content type, body schema.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
LONG_RUN = int(os.environ.get("CIVICDESK_FUZZ_EXAMPLES") or 0)


def fuzz_settings(examples: int, **overrides: Any) -> settings:
    """`examples` in the suite, derandomised; the long run's number, random, when asked for.

    The fixtures (a council, keys, a form) are made once per test, not per example: examples
    only read them or add rows of their own, so sharing them is safe."""
    return settings(
        max_examples=LONG_RUN or examples,
        derandomize=not LONG_RUN,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        **overrides,
    )


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


def json_api_schema() -> OpenApiSchema:
    """The JSON API's OpenAPI document, its calls answered by the project in-process (each
    caller gets its own, to configure as it needs)."""
    schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
    schema.app = DjangoApp()
    return schema
