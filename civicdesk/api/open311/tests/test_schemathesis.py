"""Property-based checks of the Open311 endpoints against georeport_v2.yaml, an OpenAPI
description of what we serve in JSON: no server errors, every answer as described, and every
refusal the spec's error list, each error's code the HTTP status."""

from pathlib import Path
from typing import Any

import pytest
import schemathesis

from civicdesk.api.open311.models import Open311Client
from civicdesk.api.tests.fuzzing import CHECKS, DjangoApp, fuzz_settings

schema = schemathesis.openapi.from_path(Path(__file__).with_name("georeport_v2.yaml"))
schema.app = DjangoApp()


def open311_errors(ctx: Any, response: Any, case: Any) -> None:
    """A refusal is a JSON list of errors, each with the HTTP status as its code."""
    if response.status_code < 400:
        return
    errors = response.json()
    assert isinstance(errors, list) and errors, f"Not an error list: {response.text[:200]}"
    for error in errors:
        assert error["code"] == response.status_code, error
        assert isinstance(error["description"], str) and error["description"].strip(), error


OPEN311_CHECKS = [*CHECKS, open311_errors]


@pytest.fixture
def key(api: Any, report: Any) -> str:
    """A client's key without a rate limit, in a council with a request already."""
    Open311Client.objects.update(rate_limit_per_minute=1_000_000)
    report()
    return api.key


@schema.parametrize()
@fuzz_settings(15)
def test_every_endpoint_as_described(case: Any, key: str) -> None:
    if case.method == "POST" and isinstance(case.body, dict):
        case.body = {**case.body, "api_key": key}  # without a good key, a POST goes no further
    case.call_and_validate(checks=OPEN311_CHECKS)
