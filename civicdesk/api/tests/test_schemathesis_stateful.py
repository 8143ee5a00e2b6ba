"""Sequences of calls to the JSON API that follow its OpenAPI links with real references: a
customer registered, then their contacts and cases; a service looked up, then a case about it
raised, read, noted, moved on and closed. Every answer is as documented, and none is a server
error, whatever was done before it."""

from typing import Any

import pytest
from django.db import transaction
from schemathesis.generation.stateful.state_machine import APIStateMachine

from civicdesk.api.tests.fuzzing import CHECKS, fuzz_settings, json_api_schema
from civicdesk.catalogue.models import RequestKind
from civicdesk.catalogue.services import create_service, set_public_details

schema = json_api_schema()
# Every call carries the officer's key: refusing calls without one is the stateless test's job,
# and here a call without it would end a journey before it got anywhere.
schema.config.generation.update(with_security_parameters=False)
Journeys: type[APIStateMachine] = schema.as_state_machine()


def test_the_links_join_up_the_operations() -> None:
    """Each link names an operation and parameter that exist (schemathesis checks them)."""
    linked = {
        (source, link.target.label)
        for source, entry in Journeys._transitions.operations.items()
        for link in entry.outgoing
    }
    assert ("POST /api/v1/cases", "POST /api/v1/cases/{reference}/close") in linked
    assert ("POST /api/v1/customers", "POST /api/v1/cases") in linked
    assert ("GET /api/v1/services/{slug}", "POST /api/v1/cases") in linked


@pytest.fixture
def enquiries(council: Any, waste_team: Any) -> Any:
    """A service anyone may ask about with a sentence: the first one listed, and the simplest
    to raise a case about, so that journeys go on to the raised case."""
    service = create_service(
        actor=None,
        organisation=council,
        name="Ask about bins",
        slug="bin-enquiries",
        owning_team=waste_team,
    )
    return set_public_details(
        actor=None,
        service=service,
        is_public=True,
        request_kind=RequestKind.ENQUIRY,
        allows_anonymous=True,
    )


@pytest.fixture
def key(
    waste_officer: Any, key_for: Any, bin_case: Any, sensitive_case: Any, enquiries: Any
) -> str:
    """An officer's key, in a council with an everyday and a sensitive case already."""
    return key_for(waste_officer)


def test_journeys_through_the_api(key: str) -> None:
    """Up to ten calls a journey, each from what an earlier answer gave where a link allows."""

    class WithAKey(Journeys):  # type: ignore[misc, valid-type]
        def setup(self) -> None:
            """Each journey starts from the same council: what an earlier one wrote is rolled
            back, or the same calls could get other answers (a reference taken, say) and
            Hypothesis would refuse the run as generating data inconsistently."""
            self.savepoint = transaction.savepoint_create()

        def teardown(self) -> None:
            transaction.savepoint_rollback(self.savepoint)

        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"headers": {"Authorization": f"Bearer {key}"}}

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            case.validate_response(response, checks=CHECKS)

    WithAKey.run(settings=fuzz_settings(100, stateful_step_count=10))
