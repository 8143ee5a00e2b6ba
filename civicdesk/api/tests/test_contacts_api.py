"""The contact log: a customer's contacts, restricted where sensitive, and logging one."""

import pytest

from civicdesk.contacts.models import Contact
from civicdesk.contacts.services import log_contact
from civicdesk.core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def contacts(council, customer, missed_bin, homelessness, agent):
    everyday = log_contact(
        actor=agent,
        organisation=council,
        channel="phone",
        outcome="resolved",
        customer=customer,
        service=missed_bin,
        notes="Told them the new day.",
    )
    sensitive = log_contact(
        actor=agent,
        organisation=council,
        channel="phone",
        outcome="referred",
        customer=customer,
        service=homelessness,
        notes="Staying with friends.",
    )
    return everyday, sensitive


def test_a_customers_contacts_newest_first(housing_api, customer, contacts):
    body = housing_api.get("/contacts", {"customer": customer.reference}).json()
    assert body["count"] == 2
    assert [c["id"] for c in body["results"]] == [contacts[1].pk, contacts[0].pk]


def test_a_sensitive_contact_is_restricted_for_those_not_entitled(waste_api, customer, contacts):
    results = waste_api.get("/contacts", {"customer": customer.reference}).json()["results"]
    restricted = next(c for c in results if c["id"] == contacts[1].pk)
    assert restricted["restricted"] is True
    assert restricted["notes"] is None
    assert restricted["service"] is None
    assert restricted["channel"] == "phone"
    assert not AuditEvent.objects.filter(action=AuditAction.VIEWED_SENSITIVE).exists()


def test_the_entitled_team_sees_it_and_the_look_is_audited(
    housing_api, housing_officer, customer, contacts
):
    results = housing_api.get("/contacts", {"customer": customer.reference}).json()["results"]
    shown = next(c for c in results if c["id"] == contacts[1].pk)
    assert shown["notes"] == "Staying with friends."
    audited = AuditEvent.objects.filter(action=AuditAction.VIEWED_SENSITIVE, actor=housing_officer)
    assert audited.count() == 1


def test_contacts_are_paginated(agent_api, customer, contacts):
    page = agent_api.get("/contacts", {"customer": customer.reference, "page_size": 1}).json()
    assert page["count"] == 2
    assert len(page["results"]) == 1


def test_the_customer_is_required(agent_api):
    response = agent_api.get("/contacts")
    assert response.status_code == 422
    assert "customer" in response.json()["errors"]


def test_an_unknown_customer_is_a_404(agent_api):
    assert agent_api.get("/contacts", {"customer": "CUS-9999999"}).status_code == 404


def test_logging_a_contact(agent_api, agent, customer, missed_bin):
    response = agent_api.post(
        "/contacts",
        {
            "customer": customer.reference,
            "service": "missed-bin",
            "channel": "phone",
            "outcome": "resolved",
            "notes": "Explained the collection day.",
        },
    )
    assert response.status_code == 201, response.content
    contact = Contact.objects.get(pk=response.json()["id"])
    assert contact.agent == agent
    assert contact.customer == customer
    assert contact.service == missed_bin


def test_logging_an_anonymous_contact(agent_api):
    response = agent_api.post("/contacts", {"channel": "face_to_face", "outcome": "signposted"})
    assert response.status_code == 201
    assert response.json()["customer"] is None


def test_a_retried_contact_is_logged_once(agent_api):
    headers = {"Idempotency-Key": "contact-1"}
    body = {"channel": "phone", "outcome": "resolved"}
    first = agent_api.post("/contacts", body, headers)
    second = agent_api.post("/contacts", body, headers)
    assert first.json()["id"] == second.json()["id"]
    assert Contact.objects.count() == 1


def test_a_key_sent_again_with_another_contact_is_refused_not_answered_with_the_first(agent_api):
    headers = {"Idempotency-Key": "contact-1"}
    agent_api.post("/contacts", {"channel": "phone", "outcome": "resolved"}, headers)

    other = agent_api.post("/contacts", {"channel": "email", "outcome": "resolved"}, headers)

    assert other.status_code == 422
    assert other.json() == {
        "detail": "The request is not valid.",
        "errors": {
            "Idempotency-Key": [
                "This key was sent before with a different request. Send a new key with each "
                "new request, and the same key only to retry the same request."
            ]
        },
    }
    assert Contact.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"channel": "carrier_pigeon", "outcome": "resolved"}, "channel"),
        ({"channel": "phone", "outcome": "maybe"}, "outcome"),
        ({"channel": "phone"}, "outcome"),
        ({"channel": "phone", "outcome": "resolved", "service": "nope"}, "service"),
        ({"channel": "phone", "outcome": "resolved", "customer": "CUS-9999999"}, "customer"),
        (
            {
                "channel": "phone",
                "outcome": "resolved",
                "started_at": "2030-01-01T10:00:00Z",
            },
            "started_at",
        ),
        (
            {
                "channel": "phone",
                "outcome": "resolved",
                "started_at": "2024-01-01T10:00:00Z",
                "ended_at": "2024-01-01T09:00:00Z",
            },
            "ended_at",
        ),
    ],
)
def test_a_bad_contact_is_a_422_naming_the_field(agent_api, body, field):
    response = agent_api.post("/contacts", body)
    assert response.status_code == 422, response.content
    assert field in response.json()["errors"]
    assert Contact.objects.count() == 0
