"""Logging a contact: choose the service, say what happened, save once."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from civicdesk.catalogue.services import create_service, publish_article
from civicdesk.contacts.models import Contact
from civicdesk.contacts.services import log_contact
from civicdesk.organisations.models import Organisation, Role
from civicdesk.organisations.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    TeamFactory,
)
from civicdesk.people.services import add_representative


@pytest.fixture
def customer(make_customer):
    return make_customer("John", "Smith", needs_bsl=True)


@pytest.fixture
def bins(make_service):
    service = make_service("Bin collections")
    publish_article(
        actor=None,
        service=service,
        question="My bin was not emptied",
        answer="Crews report missed bins the same day.",
        script=["Check the collection day", "Report the missed bin"],
        last_reviewed_on=datetime.date(2026, 9, 1),
    )
    return service


def form_url(customer, service):
    return reverse("console:log-contact-details", args=[customer.reference, service.pk])


def token_of(response):
    return re.search(r'name="form_token" value="([^"]+)"', response.content.decode()).group(1)


@pytest.mark.django_db
def test_the_services_asked_about_most_come_first(agent_client, customer, make_service):
    council_tax = make_service("Council Tax")
    make_service("Parking permits")
    for _ in range(3):
        log_contact(
            actor=None,
            organisation=customer.organisation,
            channel="phone",
            outcome="resolved",
            service=council_tax,
        )

    response = agent_client.get(reverse("console:log-contact", args=[customer.reference]))

    html = response.content.decode()
    assert "Most asked about" in html
    assert f'href="{form_url(customer, council_tax)}"' in html
    assert "<option" in html and "Parking permits" in html


@pytest.mark.django_db
def test_choosing_from_the_list_opens_the_form(agent_client, customer, bins):
    response = agent_client.get(
        reverse("console:log-contact", args=[customer.reference]), {"service": bins.pk}
    )

    assert response.status_code == 302
    assert response["Location"] == form_url(customer, bins)


@pytest.mark.django_db
def test_the_form_has_sensible_defaults_and_the_article_beside_it(agent_client, customer, bins):
    html = agent_client.get(form_url(customer, bins)).content.decode()

    assert re.search(r'value="phone"[^>]*checked', html)
    assert re.search(r'value="resolved"[^>]*checked', html)
    assert '<option value="" selected>No, it was needed</option>' in html
    assert "My bin was not emptied" in html
    assert "<li>Report the missed bin</li>" in html
    assert "1 September 2026" in html
    assert "British Sign Language" in html


@pytest.mark.django_db
def test_saving_a_contact_returns_to_the_single_view(agent_client, agent, customer, bins):
    token = token_of(agent_client.get(form_url(customer, bins)))

    response = agent_client.post(
        form_url(customer, bins),
        {
            "form_token": token,
            "channel": "phone",
            "outcome": "resolved",
            "avoidable_reason": "",
            "notes": "Told them the new collection day",
        },
        follow=True,
    )

    saved = Contact.objects.get()
    assert (saved.customer, saved.service, saved.agent) == (customer, bins, agent)
    assert saved.notes == "Told them the new collection day"
    assert response.redirect_chain == [
        (reverse("console:customer", args=[customer.reference]), 302)
    ]
    html = response.content.decode()
    assert "govuk-notification-banner--success" in html
    assert "Contact saved" in html
    assert "Told them the new collection day" in html


@pytest.mark.django_db
def test_a_form_with_mistakes_keeps_what_was_typed(agent_client, customer, bins):
    token = token_of(agent_client.get(form_url(customer, bins)))

    response = agent_client.post(
        form_url(customer, bins),
        {"form_token": token, "channel": "", "outcome": "resolved", "notes": "Keep me"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in html
    assert '<a href="#id_channel_0">Choose how they got in touch</a>' in html
    assert 'id="id_channel_error"' in html
    assert "Keep me</textarea>" in html
    assert re.search(r'value="resolved"[^>]*checked', html)
    assert not Contact.objects.exists()


@pytest.mark.django_db
def test_saving_twice_logs_one_contact(agent_client, customer, bins):
    token = token_of(agent_client.get(form_url(customer, bins)))
    data = {"form_token": token, "channel": "phone", "outcome": "resolved", "notes": "Once"}

    first = agent_client.post(form_url(customer, bins), data)
    second = agent_client.post(form_url(customer, bins), data, follow=True)

    assert first.status_code == 302
    assert Contact.objects.count() == 1
    assert "was saved already" in second.content.decode()


@pytest.mark.django_db
def test_a_representative_can_be_the_one_who_got_in_touch(agent_client, customer, bins):
    aunt = add_representative(
        actor=None,
        customer=customer,
        name="Aunt May",
        relationship="family",
        consent_given_on=timezone.localdate(),
    )
    response = agent_client.get(form_url(customer, bins))
    assert "Aunt May (Family member)" in response.content.decode()

    agent_client.post(
        form_url(customer, bins),
        {
            "form_token": token_of(response),
            "representative": aunt.pk,
            "channel": "phone",
            "outcome": "resolved",
        },
    )

    assert Contact.objects.get().representative == aunt


@pytest.mark.django_db
def test_a_contact_without_a_customer(agent_client, bins):
    start = agent_client.get(reverse("console:log-anonymous-contact"))
    assert "Log a contact without a customer" in start.content.decode()
    url = reverse("console:log-anonymous-contact-details", args=[bins.pk])
    token = token_of(agent_client.get(url))

    response = agent_client.post(
        url, {"form_token": token, "channel": "face_to_face", "outcome": "signposted"}
    )

    assert response["Location"] == reverse("console:home")
    saved = Contact.objects.get()
    assert saved.customer is None
    assert saved.outcome == "signposted"


@pytest.mark.django_db
def test_a_general_enquiry_has_no_service(agent_client, customer):
    url = reverse("console:log-contact-general", args=[customer.reference])
    token = token_of(agent_client.get(url))

    agent_client.post(url, {"form_token": token, "channel": "letter", "outcome": "resolved"})

    assert Contact.objects.get().service is None


@pytest.mark.django_db
def test_another_councils_service_is_not_found(agent_client, customer):
    elsewhere = OrganisationFactory(name="Elsewhere", slug="elsewhere")
    theirs = create_service(actor=None, organisation=elsewhere, name="Their bins")

    assert agent_client.get(form_url(customer, theirs)).status_code == 404


@pytest.mark.django_db
def test_a_form_the_session_does_not_know_is_shown_again_not_dropped(agent_client, customer, bins):
    response = agent_client.post(
        form_url(customer, bins),
        {
            "form_token": "5b0c3a4e-8f27-4a8e-9d7c-1f2e3d4c5b6a",
            "channel": "phone",
            "outcome": "resolved",
            "notes": "Do not lose me",
        },
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "The form had expired" in html
    assert "Do not lose me</textarea>" in html
    assert not Contact.objects.exists()

    agent_client.post(
        form_url(customer, bins),
        {
            "form_token": "5b0c3a4e-8f27-4a8e-9d7c-1f2e3d4c5b6a",
            "channel": "phone",
            "outcome": "resolved",
            "notes": "Do not lose me",
        },
    )
    assert Contact.objects.get().notes == "Do not lose me"


@pytest.mark.django_db
def test_errors_from_the_contact_log_reach_the_error_summary(client, council, customer):
    """Partner staff only see their own agency's services, which the council's log refuses."""
    advice = OrganisationFactory(
        name="Citizens Advice Kingsmere",
        slug="ca-kingsmere",
        kind=Organisation.Kind.PARTNER,
        parent=council,
    )
    adviser = MembershipFactory(team=TeamFactory(organisation=advice), role=Role.OFFICER).user
    add_representative(
        actor=None,
        customer=customer,
        name="Citizens Advice Kingsmere",
        relationship="advice_agency",
        partner_organisation=advice,
        consent_given_on=timezone.localdate(),
    )
    advice_service = create_service(actor=None, organisation=advice, name="Debt advice")
    client.force_login(adviser)
    token = token_of(client.get(form_url(customer, advice_service)))

    response = client.post(
        form_url(customer, advice_service),
        {"form_token": token, "channel": "phone", "outcome": "resolved"},
    )

    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "That belongs to another organisation." in html
    assert not Contact.objects.exists()
