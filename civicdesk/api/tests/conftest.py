"""Fixtures for the JSON API: a council with an everyday and a sensitive service, staff with
keys, and a client that sends a key."""

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from civicdesk.api.services import issue_api_token
from civicdesk.cases.intake import ContactDetails, submit_request
from civicdesk.cases.models import Case
from civicdesk.catalogue.models import QuestionType, RequestKind
from civicdesk.catalogue.services import add_question, create_service, set_public_details
from civicdesk.organisations.models import Role
from civicdesk.organisations.tests.factories import MembershipFactory, TeamFactory
from civicdesk.people.models import Customer
from civicdesk.people.services import create_customer

BASE = "/api/v1"


class ApiClient:
    """The Django test client, sending `Authorization: Bearer <key>` and JSON bodies."""

    def __init__(self, key: str | None) -> None:
        self.client = Client()
        self.key = key

    def _headers(self, headers: dict[str, str] | None) -> dict[str, str]:
        sent = dict(headers or {})
        if self.key is not None:
            sent.setdefault("Authorization", f"Bearer {self.key}")
        return sent

    def get(self, path: str, params: dict[str, Any] | None = None, **headers: str) -> Any:
        return self.client.get(BASE + path, params or {}, headers=self._headers(headers))

    def post(self, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
        return self.client.post(
            BASE + path,
            json.dumps(body if body is not None else {}),
            content_type="application/json",
            headers=self._headers(headers),
        )

    def patch(self, path: str, body: Any) -> Any:
        return self.client.patch(
            BASE + path,
            json.dumps(body),
            content_type="application/json",
            headers=self._headers(None),
        )


@pytest.fixture
def waste_team(council: Any) -> Any:
    return TeamFactory(organisation=council, name="Waste services", slug="waste")


@pytest.fixture
def housing_team(council: Any) -> Any:
    return TeamFactory(organisation=council, name="Housing options", slug="housing-options")


@pytest.fixture
def waste_officer(waste_team: Any) -> Any:
    return MembershipFactory(team=waste_team, role=Role.OFFICER).user


@pytest.fixture
def housing_officer(housing_team: Any) -> Any:
    return MembershipFactory(team=housing_team, role=Role.OFFICER).user


@pytest.fixture
def missed_bin(council: Any, waste_team: Any) -> Any:
    service = create_service(
        actor=None,
        organisation=council,
        name="Missed bin collection",
        slug="missed-bin",
        owning_team=waste_team,
        sla_value=3,
    )
    set_public_details(
        actor=None,
        service=service,
        is_public=True,
        request_kind=RequestKind.PROBLEM,
        allows_anonymous=True,
        group="Bins and recycling",
    )
    add_question(
        actor=None,
        service=service,
        code="bin_type",
        prompt="Which bin was missed?",
        datatype=QuestionType.SINGLE_CHOICE,
        required=True,
        choices=[{"key": "general", "name": "General waste"}, {"key": "garden", "name": "Garden"}],
    )
    return service


@pytest.fixture
def homelessness(council: Any, housing_team: Any) -> Any:
    service = create_service(
        actor=None,
        organisation=council,
        name="Homelessness advice",
        slug="homelessness",
        owning_team=housing_team,
        sensitivity="sensitive",
        sla_value=5,
    )
    set_public_details(
        actor=None, service=service, is_public=True, request_kind=RequestKind.ENQUIRY
    )
    return service


@pytest.fixture
def make_customer(council: Any) -> Callable[..., Customer]:
    def make(forenames: str = "Ada", surname: str = "Lovelace", **fields: Any) -> Customer:
        return create_customer(
            actor=None, organisation=council, forenames=forenames, surname=surname, **fields
        )

    return make


@pytest.fixture
def customer(make_customer: Callable[..., Customer]) -> Customer:
    return make_customer(email="ada@example.com")


@pytest.fixture
def make_case(council: Any) -> Callable[..., Case]:
    def make(service: Any, customer: Customer | None = None, **fields: Any) -> Case:
        fields.setdefault("description", "The bin was not emptied on Tuesday.")
        fields.setdefault("location_description", "Outside 4 Mill Lane")
        if service.slug == "missed-bin":
            fields.setdefault("answers", {"bin_type": "general"})
        return submit_request(
            actor=None,
            organisation=council,
            service=service,
            channel="web",
            customer=customer,
            details=ContactDetails(),
            **fields,
        )

    return make


@pytest.fixture
def bin_case(make_case: Callable[..., Case], missed_bin: Any, customer: Customer) -> Case:
    return make_case(missed_bin, customer)


@pytest.fixture
def sensitive_case(make_case: Callable[..., Case], homelessness: Any, customer: Customer) -> Case:
    return make_case(homelessness, customer, description="Sofa surfing since March.")


@pytest.fixture
def key_for() -> Callable[[Any], str]:
    def issue(user: Any, name: str = "Test integration") -> str:
        _token, key = issue_api_token(actor=None, user=user, name=name)
        return key

    return issue


@pytest.fixture
def api_as(key_for: Callable[[Any], str]) -> Callable[[Any], ApiClient]:
    def make(user: Any) -> ApiClient:
        return ApiClient(key_for(user))

    return make


@pytest.fixture
def agent_api(api_as: Callable[[Any], ApiClient], agent: Any) -> ApiClient:
    return api_as(agent)


@pytest.fixture
def waste_api(api_as: Callable[[Any], ApiClient], waste_officer: Any) -> ApiClient:
    return api_as(waste_officer)


@pytest.fixture
def housing_api(api_as: Callable[[Any], ApiClient], housing_officer: Any) -> ApiClient:
    return api_as(housing_officer)
