"""The message page and the list of messages that other pages include."""

import pytest
from django.http import Http404
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from civicdesk.catalogue.models import Sensitivity
from civicdesk.catalogue.services import create_service
from civicdesk.notify.models import DeliveryStatus, MessageChannel
from civicdesk.notify.selectors import message_for_user, messages_about, messages_for_customer
from civicdesk.notify.tests.factories import MessageFactory
from civicdesk.organisations.models import Organisation, Role
from civicdesk.organisations.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    TeamFactory,
    UserFactory,
)
from civicdesk.people.services import add_representative

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(make_customer):
    return make_customer(email="ada@example.org")


@pytest.fixture
def message(council, customer):
    return MessageFactory(
        organisation=council,
        customer=customer,
        subject="We've received your request",
        body="Hello Ada,\n\nWe have it.\n<script>alert(1)</script>",
    )


def staff_of(organisation, role=Role.AGENT):
    team = TeamFactory(organisation=organisation)
    return MembershipFactory(team=team, role=role).user


def page(client, user, message):
    client.force_login(user)
    return client.get(reverse("console:message", args=[message.pk]))


def test_staff_read_the_message_as_sent(client, agent, message):
    response = page(client, agent, message)

    html = response.content.decode()
    assert response.status_code == 200
    assert "We&#x27;ve received your request" in html
    assert "Hello Ada,\n\nWe have it." in html  # the line breaks are kept
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html
    assert "govuk-tag--blue" in html  # created: not sent yet
    assert "CAS-000001" in html
    assert reverse("console:customer", args=[message.customer.reference]) in html


def test_the_page_needs_signing_in(client, message):
    response = client.get(reverse("console:message", args=[message.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("console:sign-in"))


def test_another_councils_staff_get_a_404(client, message):
    elsewhere = OrganisationFactory(name="Elsewhere", slug="elsewhere")
    assert page(client, staff_of(elsewhere), message).status_code == 404


def test_a_missing_message_is_a_404(client, agent):
    client.force_login(agent)
    assert client.get(reverse("console:message", args=[99999])).status_code == 404


def test_a_partner_sees_only_messages_to_customers_it_represents(council, customer, message):
    partner = OrganisationFactory(
        name="Citizens Advice", slug="ca", kind=Organisation.Kind.PARTNER, parent=council
    )
    adviser = staff_of(partner)
    staff_message = MessageFactory(organisation=council, staff_member=UserFactory())
    with pytest.raises(Http404):
        message_for_user(user=adviser, pk=message.pk)

    add_representative(
        actor=None,
        customer=customer,
        name="Adviser",
        relationship="advice_agency",
        partner_organisation=partner,
        consent_given_on="2026-01-01",
    )
    assert message_for_user(user=adviser, pk=message.pk) == message
    with pytest.raises(Http404):
        message_for_user(user=adviser, pk=staff_message.pk)


def test_staff_messages_are_for_the_sending_councils_staff(council, agent):
    leader = UserFactory()
    staff_message = MessageFactory(organisation=council, staff_member=leader)
    assert message_for_user(user=agent, pk=staff_message.pk) == staff_message
    with pytest.raises(Http404):
        message_for_user(user=UserFactory(), pk=staff_message.pk)  # in no team
    superuser = UserFactory(is_superuser=True)
    assert message_for_user(user=superuser, pk=staff_message.pk) == staff_message


def test_a_delivered_large_print_letter(client, agent, council, customer):
    letter = MessageFactory(
        organisation=council,
        customer=customer,
        channel=MessageChannel.LETTER,
        recipient="Ada Lovelace\n1 Elm Road\nKingsmere\nKM1 2AB",
        large_print=True,
        status=DeliveryStatus.RECEIVED,
    )
    html = page(client, agent, letter).content.decode()
    assert "notify-message--large-print" in html
    assert "Large print" in html
    assert "govuk-tag--green" in html
    assert "Ada Lovelace<br>1 Elm Road<br>Kingsmere<br>KM1 2AB" in html


def test_the_message_list_include(council, customer, agent, django_assert_num_queries):
    MessageFactory(organisation=council, customer=customer, about_reference="CAS-000001")
    MessageFactory(
        organisation=council,
        customer=customer,
        channel=MessageChannel.LETTER,
        recipient="Ada Lovelace\n1 Elm Road\nKingsmere\nKM1 2AB",
        status=DeliveryStatus.PERMANENT_FAILURE,
        about_reference="CAS-000002",
    )
    request = RequestFactory().get("/")

    with django_assert_num_queries(1):
        html = render_to_string(
            "console/includes/message_list.html",
            {"messages": messages_for_customer(user=agent, customer=customer)},
            request=request,
        )

    assert html.count('<tr class="govuk-table__row">') == 3  # the heading and two messages
    assert html.index("Ada Lovelace, KM1 2AB") < html.index("ada@example.org")  # newest first
    assert "govuk-tag--red" in html
    assert [m.about_reference for m in messages_about(reference="CAS-000002")] == ["CAS-000002"]
    empty = render_to_string("console/includes/message_list.html", {"messages": []})
    assert "No messages sent." in empty


def test_messages_about_a_sensitive_service_are_listed_to_its_teams_only(council, customer, agent):
    safety = TeamFactory(organisation=council, name="Community safety")
    asb = create_service(
        actor=None, organisation=council, name="Anti-social behaviour", owning_team=safety,
        sensitivity=Sensitivity.SENSITIVE,
    )  # fmt: skip
    bins = MessageFactory(organisation=council, customer=customer)
    MessageFactory(organisation=council, customer=customer, service=asb)
    safety_officer = MembershipFactory(team=safety, role=Role.OFFICER).user

    assert list(messages_for_customer(user=agent, customer=customer)) == [bins]
    assert messages_for_customer(user=safety_officer, customer=customer).count() == 2
