"""Customers: search, read, register and change, as the acting member of staff."""

import pytest

from civicdesk.cases.tests.factories import PartnerFactory
from civicdesk.core.models import AuditAction, AuditEvent
from civicdesk.organisations.models import Role
from civicdesk.organisations.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    TeamFactory,
)
from civicdesk.people.models import Customer
from civicdesk.people.services import create_customer

pytestmark = pytest.mark.django_db


def test_customers_are_listed_in_a_stable_order(agent_api, make_customer):
    made = [make_customer(surname=f"Brown{n}") for n in range(3)]
    body = agent_api.get("/customers", {"page_size": 2}).json()
    assert body["count"] == 3
    assert [c["reference"] for c in body["results"]] == [c.reference for c in made[:2]]
    second = agent_api.get("/customers", {"page_size": 2, "page": 2}).json()
    assert [c["reference"] for c in second["results"]] == [made[2].reference]


def test_search_finds_by_name_as_the_console_does(agent_api, make_customer):
    wanted = make_customer("John", "Smith")
    make_customer("Mary", "Jones")
    body = agent_api.get("/customers", {"q": "john smith"}).json()
    assert body["results"][0]["reference"] == wanted.reference


def test_search_finds_by_email_and_reference(agent_api, customer):
    by_email = agent_api.get("/customers", {"q": "ADA@example.com"}).json()
    by_reference = agent_api.get("/customers", {"q": customer.reference.lower()}).json()
    assert [c["reference"] for c in by_email["results"]] == [customer.reference]
    assert [c["reference"] for c in by_reference["results"]] == [customer.reference]


def test_a_customer_is_read_by_reference(agent_api, customer):
    body = agent_api.get(f"/customers/{customer.reference}").json()
    assert body["full_name"] == "Ada Lovelace"
    assert body["email"] == "ada@example.com"
    assert body["address"] is None


def test_another_councils_customer_is_not_found(agent_api):
    other = OrganisationFactory(name="Elsewhere", slug="elsewhere")
    theirs = create_customer(actor=None, organisation=other, forenames="A", surname="B")
    assert agent_api.get(f"/customers/{theirs.reference}").status_code == 404
    assert agent_api.get("/customers", {"q": theirs.reference}).json()["count"] == 0


def test_registering_a_customer(agent_api, agent):
    response = agent_api.post(
        "/customers", {"forenames": "Grace", "surname": "Hopper", "email": "grace@example.com"}
    )
    assert response.status_code == 201
    body = response.json()
    customer = Customer.objects.get(reference=body["reference"])
    assert customer.surname == "Hopper"
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATED, actor=agent, summary__contains=body["reference"]
    ).exists()


def test_a_retried_registration_returns_the_first_customer(agent_api):
    body = {"forenames": "Grace", "surname": "Hopper"}
    headers = {"Idempotency-Key": "reg-1"}
    first = agent_api.post("/customers", body, headers)
    second = agent_api.post("/customers", body, headers)
    assert first.status_code == second.status_code == 201
    assert first.json()["reference"] == second.json()["reference"]
    assert Customer.objects.count() == 1


def test_idempotency_keys_are_kept_apart_per_user(agent_api, api_as, contact_centre):
    colleague = MembershipFactory(team=contact_centre, role=Role.AGENT).user
    headers = {"Idempotency-Key": "same-key"}
    agent_api.post("/customers", {"forenames": "Al", "surname": "One"}, headers)
    api_as(colleague).post("/customers", {"forenames": "Al", "surname": "Two"}, headers)
    assert sorted(Customer.objects.values_list("surname", flat=True)) == ["One", "Two"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"forenames": "G", "surname": "Hopper", "email": "not-an-email"}, "email"),
        ({"forenames": "Grace", "surname": ""}, "surname"),
        ({"forenames": "Grace"}, "surname"),
        (
            {"forenames": "G", "surname": "Hopper", "preferred_channel": "pigeon"},
            "preferred_channel",
        ),
        ({"forenames": "G", "surname": "Hopper", "uprn": 999}, "uprn"),
        ({"forenames": "G", "surname": "Hop\u0000per"}, "surname"),
        ({"forenames": "G", "surname": "H" * 101}, "surname"),
    ],
)
def test_invalid_details_are_a_422_naming_the_field(agent_api, body, field):
    response = agent_api.post("/customers", body)
    assert response.status_code == 422, response.content
    assert field in response.json()["errors"]
    assert Customer.objects.count() == 0


def test_malformed_json_is_a_400(agent_api):
    response = agent_api.client.post(
        "/api/v1/customers",
        "{not json",
        content_type="application/json",
        headers={"Authorization": f"Bearer {agent_api.key}"},
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {}


def test_changing_a_customer_changes_only_what_is_sent(agent_api, customer):
    response = agent_api.patch(f"/customers/{customer.reference}", {"phone": "01632 960000"})
    assert response.status_code == 200
    customer.refresh_from_db()
    assert customer.phone == "01632 960000"
    assert customer.email == "ada@example.com"


def test_changing_a_customer_checks_the_details(agent_api, customer):
    response = agent_api.patch(f"/customers/{customer.reference}", {"email": "nope"})
    assert response.status_code == 422
    assert "email" in response.json()["errors"]


def test_changing_an_unknown_customer_is_a_404(agent_api):
    assert agent_api.patch("/customers/CUS-9999999", {"phone": "1"}).status_code == 404


@pytest.fixture
def partner_api(api_as, council, customer):
    partner = PartnerFactory(parent=council)
    adviser = MembershipFactory(team=TeamFactory(organisation=partner), role=Role.OFFICER).user
    return api_as(adviser)


def test_partner_staff_cannot_register_customers(partner_api):
    response = partner_api.post("/customers", {"forenames": "G", "surname": "Hopper"})
    assert response.status_code == 403
    assert response.json()["detail"]


def test_partner_staff_see_only_the_customers_they_represent(partner_api, customer):
    assert partner_api.get("/customers").json()["count"] == 0
    assert partner_api.get(f"/customers/{customer.reference}").status_code == 404


def test_an_address_is_set_by_uprn_and_cleared_with_null(agent_api, customer, council):
    from civicdesk.places.tests.factories import AddressFactory

    address = AddressFactory(organisation=council)
    body = agent_api.patch(f"/customers/{customer.reference}", {"uprn": address.uprn}).json()
    assert body["address"]["uprn"] == address.uprn
    cleared = agent_api.patch(f"/customers/{customer.reference}", {"uprn": None}).json()
    assert cleared["address"] is None
