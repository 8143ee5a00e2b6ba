"""The single view of a customer."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from civicdesk.contacts.models import Contact
from civicdesk.contacts.services import log_contact
from civicdesk.core.models import AuditAction, AuditEvent
from civicdesk.organisations.models import Organisation, Role
from civicdesk.organisations.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    TeamFactory,
)
from civicdesk.people.models import Consent
from civicdesk.people.services import (
    add_representative,
    merge_customers,
    record_consent,
    revoke_representative,
)


def url(customer, **query):
    path = reverse("console:customer", args=[customer.reference])
    return path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def contact(customer, *, days_ago=0, **fields):
    fields.setdefault("channel", "phone")
    fields.setdefault("outcome", "resolved")
    return log_contact(
        actor=None,
        organisation=customer.organisation,
        customer=customer,
        started_at=timezone.now() - datetime.timedelta(days=days_ago),
        **fields,
    )


@pytest.fixture
def homelessness(make_service, housing_team):
    return make_service("Homelessness advice", sensitivity="sensitive", owning_team=housing_team)


@pytest.mark.django_db
def test_communication_needs_are_shown_first(agent_client, make_customer):
    customer = make_customer(interpreter_language="Polish", needs_large_print=True)

    html = agent_client.get(url(customer)).content.decode()

    banner = html.index("Communication needs")
    assert banner < html.index("Date of birth")
    assert "Interpreter: Polish" in html
    assert "Large print" in html


@pytest.mark.django_db
def test_details_representatives_and_consents(agent_client, council, make_customer):
    customer = make_customer(
        title="Mrs",
        forenames="Edith",
        surname="Crawley",
        phone="01632 960001",
        email="edith@example.org",
        preferred_channel="email",
    )
    today = timezone.localdate()
    add_representative(
        actor=None,
        customer=customer,
        name="Citizens Advice Kingsmere",
        relationship="advice_agency",
        consent_given_on=today,
        consent_expires_on=today + datetime.timedelta(days=90),
    )
    gone = add_representative(
        actor=None,
        customer=customer,
        name="Former Carer",
        relationship="carer",
        consent_given_on=today,
    )
    revoke_representative(actor=None, representative=gone)
    record_consent(actor=None, customer=customer, purpose=Consent.Purpose.SURVEYS, granted=True)
    record_consent(actor=None, customer=customer, purpose=Consent.Purpose.SURVEYS, granted=False)

    html = agent_client.get(url(customer)).content.decode()

    assert "Mrs Edith Crawley" in html
    assert "01632 960001" in html
    assert "edith@example.org" in html
    assert "Citizens Advice Kingsmere" in html
    assert "All council services" in html
    assert "Consent until" in html
    assert "Former Carer" not in html
    assert html.count("Customer satisfaction surveys") == 1
    assert "govuk-tag--red" in html  # the withdrawal is the consent in force
    assert "No cases." in html


@pytest.mark.django_db
def test_the_timeline_is_newest_first(agent_client, make_customer, make_service):
    customer = make_customer()
    bins = make_service("Bin collections")
    contact(customer, days_ago=3, service=bins, notes="Missed bin on Tuesday")
    contact(customer, days_ago=1, service=bins, notes="Bin still not emptied")

    html = agent_client.get(url(customer)).content.decode()

    assert html.index("Bin still not emptied") < html.index("Missed bin on Tuesday")


@pytest.mark.django_db
def test_restricted_contacts_show_only_date_and_channel(agent_client, make_customer, homelessness):
    customer = make_customer()
    contact(customer, service=homelessness, channel="face_to_face", notes="Sofa surfing")

    html = agent_client.get(url(customer)).content.decode()

    assert "Restricted: sensitive service" in html
    assert "Face to face" in html
    assert "Homelessness advice" not in html
    assert "Sofa surfing" not in html
    assert not AuditEvent.objects.filter(action=AuditAction.VIEWED_SENSITIVE).exists()


@pytest.mark.django_db
def test_entitled_staff_see_sensitive_details_and_the_look_is_audited(
    client, housing_officer, make_customer, homelessness
):
    customer = make_customer()
    sensitive = contact(customer, service=homelessness, notes="Sofa surfing")
    client.force_login(housing_officer)

    html = client.get(url(customer)).content.decode()

    assert "Homelessness advice" in html
    assert "Sofa surfing" in html
    assert "Restricted: sensitive service" not in html
    event = AuditEvent.objects.get(action=AuditAction.VIEWED_SENSITIVE)
    assert event.actor == housing_officer
    assert event.record_id == str(sensitive.pk)


@pytest.mark.django_db
def test_partner_staff_see_only_customers_they_represent(client, council, make_customer):
    advice = OrganisationFactory(
        name="Citizens Advice Kingsmere",
        slug="ca-kingsmere",
        kind=Organisation.Kind.PARTNER,
        parent=council,
    )
    adviser = MembershipFactory(team=TeamFactory(organisation=advice), role=Role.OFFICER).user
    represented = make_customer("Rita", "Okafor")
    stranger = make_customer("Dan", "Brown")
    add_representative(
        actor=None,
        customer=represented,
        name="Citizens Advice Kingsmere",
        relationship="advice_agency",
        partner_organisation=advice,
        consent_given_on=timezone.localdate(),
    )
    client.force_login(adviser)

    assert client.get(url(stranger)).status_code == 404
    assert client.get(url(represented)).status_code == 200


@pytest.mark.django_db
def test_an_unknown_reference_is_not_found(agent_client):
    assert agent_client.get(reverse("console:customer", args=["CUS-ZZZZZZZ"])).status_code == 404


@pytest.mark.django_db
def test_a_merged_record_leads_to_the_survivor(agent_client, make_customer):
    survivor = make_customer("John", "Smith")
    duplicate = make_customer("Jon", "Smith")
    merge_customers(actor=None, survivor=survivor, duplicate=duplicate)

    response = agent_client.get(url(duplicate))

    assert response.status_code == 302
    assert response["Location"] == url(survivor)


@pytest.mark.django_db
def test_older_contacts_are_on_the_next_page(agent_client, make_customer):
    customer = make_customer()
    for day in range(30):
        contact(customer, days_ago=day, notes=f"Call number {30 - day}")

    first = agent_client.get(url(customer)).content.decode()
    second = agent_client.get(url(customer, page=2)).content.decode()

    assert "Call number 30<" in first
    assert "Older contacts" in first
    assert "Newer contacts" not in first
    assert "Call number 5<" in second
    assert "Call number 6<" not in second
    assert "Newer contacts" in second
    assert "Older contacts" not in second


@pytest.mark.django_db
@pytest.mark.parametrize("contacts", [5, 50])
def test_the_single_view_reads_a_fixed_number_of_times(
    agent_client,
    make_customer,
    make_service,
    homelessness,
    django_assert_max_num_queries,
    contacts,
):
    customer = make_customer(interpreter_language="Urdu")
    services = [make_service("Bin collections"), make_service("Council Tax"), homelessness]
    add_representative(
        actor=None,
        customer=customer,
        name="Aunt",
        relationship="family",
        consent_given_on=timezone.localdate(),
    )
    record_consent(actor=None, customer=customer, purpose=Consent.Purpose.SURVEYS, granted=True)
    for number in range(contacts):
        contact(customer, days_ago=number, service=services[number % 3], notes=str(number))

    # Besides the contacts: the customer's cases, messages, payments (the services withheld and
    # the payments) and the agent's queues (nav).
    with django_assert_max_num_queries(20):
        response = agent_client.get(url(customer))

    assert response.status_code == 200
    assert Contact.objects.count() == contacts
