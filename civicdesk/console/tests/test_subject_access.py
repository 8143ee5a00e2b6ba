"""The subject access pages: administrators of the customer's council only, every export audited.

What the export holds is tested in people/tests/test_subject_access.py; the access matrix has
rows for both URLs too.
"""

import json

import pytest
from django.urls import reverse

from civicdesk.contacts.services import log_contact
from civicdesk.core.models import AuditAction, AuditEvent
from civicdesk.organisations.models import Role
from civicdesk.organisations.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    TeamFactory,
)
from civicdesk.people.services import merge_customers
from civicdesk.people.subject_access import SCHEMA
from civicdesk.people.tests.test_subject_access import borough  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

PAGE = "console:customer-subject-access"
DOWNLOAD = "console:customer-subject-access-download"


@pytest.fixture
def customer(make_customer, agent, council):
    ada = make_customer("Ada", "Okafor", email="ada@example.org")
    log_contact(
        actor=agent, organisation=council, customer=ada, channel="phone", outcome="resolved",
        notes="Asked when her bins are collected",
    )  # fmt: skip
    return ada


@pytest.fixture
def corporate(council):
    return TeamFactory(organisation=council, name="Corporate services", slug="corporate")


@pytest.fixture
def administrator(corporate):
    return MembershipFactory(team=corporate, role=Role.ADMINISTRATOR).user


@pytest.fixture
def administrator_client(client, administrator):
    client.force_login(administrator)
    return client


def exports_by(user) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            actor=user, action=AuditAction.VIEWED_SENSITIVE, summary__startswith="Subject access"
        )
    )


@pytest.mark.parametrize("name", [PAGE, DOWNLOAD])
@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.AGENT, 403),
        (Role.OFFICER, 403),
        (Role.TEAM_LEADER, 403),
        (Role.MANAGER, 403),
        (Role.ADMINISTRATOR, 200),
    ],
)
def test_only_the_councils_administrators_may_export(
    client, corporate, customer, name, role, expected
):
    user = MembershipFactory(team=corporate, role=role).user
    client.force_login(user)

    response = client.get(reverse(name, args=[customer.reference]))

    assert response.status_code == expected
    assert len(exports_by(user)) == (1 if expected == 200 else 0)


@pytest.mark.parametrize("name", [PAGE, DOWNLOAD])
def test_another_councils_administrator_finds_no_such_customer(client, customer, name):
    eastwick = TeamFactory(organisation=OrganisationFactory(name="Eastwick", slug="eastwick"))
    user = MembershipFactory(team=eastwick, role=Role.ADMINISTRATOR).user
    client.force_login(user)

    response = client.get(reverse(name, args=[customer.reference]))

    assert response.status_code == 404
    assert exports_by(user) == []


@pytest.mark.parametrize("name", [PAGE, DOWNLOAD])
def test_signing_in_first(client, customer, name):
    response = client.get(reverse(name, args=[customer.reference]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("console:sign-in"))


def test_each_export_is_audited_as_a_look_at_sensitive_data(
    administrator_client, administrator, customer
):
    administrator_client.get(reverse(PAGE, args=[customer.reference]))
    administrator_client.get(reverse(DOWNLOAD, args=[customer.reference]))

    page, download = sorted(exports_by(administrator), key=lambda entry: entry.pk)
    for entry in (page, download):
        assert (entry.record_type, entry.record_id) == ("people.customer", str(customer.pk))
        assert entry.organisation_id == customer.organisation_id
    assert (page.detail, download.detail) == ({"format": "page"}, {"format": "json"})


def test_the_download_is_one_json_document(administrator_client, customer):
    response = administrator_client.get(reverse(DOWNLOAD, args=[customer.reference]))

    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="subject-access-{customer.reference}-'
    )
    export = json.loads(response.content)
    assert export["schema"] == SCHEMA
    assert export["subject"]["reference"] == customer.reference
    assert export["sections"]["contacts"][0]["notes"] == "Asked when her bins are collected"
    # The export's own audit entry is written first, so the customer learns of this one too.
    assert export["sections"]["audit_log"][-1]["summary"] == "Subject access export (json)"


def test_the_page_says_why_an_administrator_sees_everything(administrator_client, customer):
    response = administrator_client.get(reverse(PAGE, args=[customer.reference]))

    html = response.content.decode()
    assert "Everything we hold about Ada Okafor" in html
    assert "as an administrator you may see them" in html
    assert "Asked when her bins are collected" in html
    assert reverse(DOWNLOAD, args=[customer.reference]) in html
    for heading in ("Customer record", "Representatives", "Cases", "Payments", "Messages sent"):
        assert f">{heading}</h2>" in html


def test_a_merged_records_reference_leads_to_the_survivors_export(
    administrator_client, make_customer, customer, agent
):
    duplicate = make_customer("Ada", "Okafor")
    merge_customers(actor=agent, survivor=customer, duplicate=duplicate)

    response = administrator_client.get(reverse(PAGE, args=[duplicate.reference]))

    assert response.status_code == 302
    assert response["Location"] == reverse(PAGE, args=[customer.reference])


def test_the_single_view_links_to_it_for_administrators_only(
    administrator_client, client, agent, customer
):
    link = reverse(PAGE, args=[customer.reference])
    single_view = reverse("console:customer", args=[customer.reference])

    assert link in administrator_client.get(single_view).content.decode()
    client.force_login(agent)
    assert link not in client.get(single_view).content.decode()


def test_the_page_shows_every_section_of_a_full_history(administrator_client, borough):  # noqa: F811
    response = administrator_client.get(reverse(PAGE, args=[borough.ada.reference]))

    html = response.content.decode()
    for shown in (
        borough.old_ada.reference,  # merged into Ada's
        "Chidi Okafor",  # acts for Ada
        "Bea Adeyemi",  # Ada acts for her
        "Asked when her bins are collected",
        "Crew says it is a double mattress",  # an internal note
        "Neighbour shouting threats through the letterbox",  # a sensitive service's case
        "mattress.jpg",
        "Cleared this morning",  # on Bea's case, which Ada follows
        "Check the park&#x27;s cameras",
        "pip-award.pdf",
        "£25.00",
        "Dear Ada, we have your request.",
        "Quick and kind",
        "Subject access export (page)",
    ):
        assert shown in html, shown
    assert "BEA-" not in html
