"""A council with Open311 services, a client key, and helpers to call and parse the API."""

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from civicdesk.api.open311.services import issue_client
from civicdesk.cases.tests.factories import ServiceFactory
from civicdesk.catalogue.models import QuestionType, RequestKind, Sensitivity, ServiceQuestion
from civicdesk.organisations.tests.factories import TeamFactory
from civicdesk.places.tests.factories import AddressFactory, WardFactory

BASE = "/open311/v2/"


@dataclass
class Answer:
    status: int
    headers: Any
    body: bytes

    def xml(self) -> ET.Element:
        assert self.body.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
        return ET.fromstring(self.body)

    def json(self) -> Any:
        return json.loads(self.body)


class Open311:
    """Calls the API as a client would."""

    def __init__(self, key: str) -> None:
        self.http = Client(enforce_csrf_checks=True)
        self.key = key

    def get(self, path: str, **params: Any) -> Answer:
        response = self.http.get(BASE + path, params)
        return Answer(response.status_code, response, response.content)

    def post(self, path: str, data: dict | None = None, *, key: bool = True, **headers) -> Answer:
        body = dict(data or {})
        if key:
            body.setdefault("api_key", self.key)
        response = self.http.post(BASE + path, body, headers=headers)
        return Answer(response.status_code, response, response.content)


@pytest.fixture
def team(council):
    return TeamFactory(organisation=council, name="Street cleansing", slug="street-cleansing")


@pytest.fixture
def flytipping(council, team):
    service = ServiceFactory(
        organisation=council,
        owning_team=team,
        name="Fly-tipping",
        slug="flytipping",
        description="Rubbish dumped in the street",
        keywords="rubbish,dumping",
        group="Streets",
        is_public=True,
        request_kind=RequestKind.PROBLEM,
        allows_anonymous=True,
    )
    ServiceQuestion.objects.create(
        service=service,
        code="what",
        prompt="What has been dumped?",
        hint="Choose everything you can see",
        datatype=QuestionType.MULTIPLE_CHOICE,
        choices=[{"key": "bags", "name": "Black bags"}, {"key": "sofa", "name": "Furniture"}],
        required=True,
        order=1,
    )
    ServiceQuestion.objects.create(
        service=service,
        code="size",
        prompt="How big is it?",
        datatype=QuestionType.SINGLE_CHOICE,
        choices=[{"key": "small", "name": "A car boot"}, {"key": "large", "name": "A van"}],
        order=2,
    )
    ServiceQuestion.objects.create(
        service=service,
        code="count",
        prompt="How many items?",
        datatype=QuestionType.NUMBER,
        order=3,
    )
    return service


def public_problem(council, team, name, slug, **fields):
    return ServiceFactory(
        organisation=council,
        owning_team=team,
        name=name,
        slug=slug,
        is_public=True,
        request_kind=RequestKind.PROBLEM,
        **{"allows_anonymous": True, **fields},
    )


@pytest.fixture
def graffiti(council, team):
    """A service without questions, for simple requests."""
    return public_problem(council, team, "Graffiti", "graffiti")


@pytest.fixture
def named_only(council, team):
    """A service that needs the reporter's name and contact details."""
    return public_problem(council, team, "Noise", "noise", allows_anonymous=False)


@pytest.fixture
def safeguarding(council, team):
    return public_problem(
        council,
        team,
        "Report a concern about a child",
        "child-concern",
        sensitivity=Sensitivity.SAFEGUARDING,
    )


@pytest.fixture
def hidden_services(council, team):
    """Services Open311 must not offer: information only, private, withdrawn."""
    return [
        ServiceFactory(
            organisation=council,
            owning_team=team,
            slug="info",
            is_public=True,
            request_kind=RequestKind.NONE,
        ),
        ServiceFactory(
            organisation=council,
            owning_team=team,
            slug="private",
            is_public=False,
            request_kind=RequestKind.PROBLEM,
        ),
        ServiceFactory(
            organisation=council,
            owning_team=team,
            slug="withdrawn",
            is_public=True,
            request_kind=RequestKind.PROBLEM,
            is_active=False,
        ),
    ]


@pytest.fixture
def address(council):
    return AddressFactory(
        organisation=council, ward=WardFactory(organisation=council), postcode="KM1 2AB"
    )


@pytest.fixture
def client_key(council):
    _client, key = issue_client(actor=None, organisation=council, name="FixMyStreet")
    return key


@pytest.fixture
def api(client_key, graffiti, flytipping) -> Open311:
    return Open311(client_key)


@pytest.fixture
def report(api):
    """Post a graffiti report; return the service_request_id."""

    def post(**fields: Any) -> str:
        data = {
            "service_code": "graffiti",
            "lat": "51.5",
            "long": "-0.1",
            "description": "Tags on the bus shelter",
            **fields,
        }
        answer = api.post("requests.json", data)
        assert answer.status == 200, answer.body
        return answer.json()[0]["service_request_id"]

    return post
