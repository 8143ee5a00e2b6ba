"""GET /services and /services/{slug}."""

import pytest

from civicdesk.catalogue.services import create_service
from civicdesk.organisations.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def test_services_are_listed_in_name_order(agent_api, missed_bin, homelessness):
    body = agent_api.get("/services").json()
    assert body["count"] == 2
    assert [service["slug"] for service in body["results"]] == ["homelessness", "missed-bin"]
    assert body["results"][1]["request_kind"] == "problem"
    assert body["results"][0]["is_sensitive"] is True


def test_services_are_paginated(agent_api, council):
    for number in range(7):
        create_service(actor=None, organisation=council, name=f"Service {number:02}")
    first = agent_api.get("/services", {"page_size": 3}).json()
    third = agent_api.get("/services", {"page_size": 3, "page": 3}).json()
    beyond = agent_api.get("/services", {"page_size": 3, "page": 9}).json()
    assert first["count"] == 7
    assert [s["name"] for s in first["results"]] == ["Service 00", "Service 01", "Service 02"]
    assert [s["name"] for s in third["results"]] == ["Service 06"]
    assert beyond["results"] == []


@pytest.mark.parametrize("params", [{"page": 0}, {"page_size": 101}, {"page": "two"}])
def test_bad_paging_is_a_422_with_field_messages(agent_api, params):
    response = agent_api.get("/services", params)
    assert response.status_code == 422
    body = response.json()
    assert body["detail"]
    assert set(body["errors"]) <= {"page", "page_size"}
    assert body["errors"]


def test_another_councils_services_are_not_listed(agent_api, missed_bin):
    other = OrganisationFactory(name="Elsewhere", slug="elsewhere")
    create_service(actor=None, organisation=other, name="Their service")
    slugs = [service["slug"] for service in agent_api.get("/services").json()["results"]]
    assert slugs == ["missed-bin"]
    assert agent_api.get("/services/their-service").status_code == 404


def test_a_service_comes_with_its_questions(agent_api, missed_bin):
    body = agent_api.get("/services/missed-bin").json()
    assert body["name"] == "Missed bin collection"
    (question,) = body["questions"]
    assert question["code"] == "bin_type"
    assert question["required"] is True
    assert question["choices"][0] == {"key": "general", "name": "General waste"}


def test_an_unknown_service_is_a_404_in_the_one_shape(agent_api):
    response = agent_api.get("/services/no-such-thing")
    assert response.status_code == 404
    assert response.json() == {"detail": "No service with that slug.", "errors": {}}
