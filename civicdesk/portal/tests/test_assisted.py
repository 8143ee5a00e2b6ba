"""Who a request is from: an agent for a caller, a signed-in resident, a representative."""

import datetime
import re
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone

from civicdesk.cases.models import Case
from civicdesk.contacts.models import Contact
from civicdesk.organisations.models import Role
from civicdesk.organisations.tests.factories import MembershipFactory, TeamFactory, UserFactory
from civicdesk.people.models import PortalAccount, Representative
from civicdesk.people.services import create_customer
from civicdesk.portal import journey
from civicdesk.portal.tests.steps import step_of, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def caller(council):
    return create_customer(
        actor=None, organisation=council, forenames="Ada", surname="Lovelace",
        email="ada@example.org",
    )  # fmt: skip


def _through(client, catalogue, jid):
    client.post(url(jid, "place"), {"place": "Back of the library"})
    client.post(url(jid, "questions"), {"surface": "wall"})
    client.post(url(jid, "description"), {"description": "Big tag"})
    return client.post(url(jid, "photos"), {"action": "continue"})


def test_agent_opens_the_journey_for_a_caller(client, agent, caller, catalogue):
    client.force_login(agent)
    page = client.get(reverse("portal:report"), {"customer": caller.reference}).content.decode()
    assert "Ada Lovelace" in page and caller.reference in page
    response = client.post(
        reverse("portal:report"), {"service": catalogue.graffiti.pk, "customer": caller.reference}
    )
    jid = re.search(r"/request/([0-9a-f]+)/", response["Location"]).group(1)
    assert step_of(response) == "channel"
    assert step_of(client.post(url(jid, "channel"), {"channel": "face_to_face"})) == "location"
    assert step_of(_through(client, catalogue, jid)) == "check"  # no details step
    page = client.get(url(jid, "check")).content.decode()
    assert "Ada Lovelace" in page and "Face to face" in page
    client.post(url(jid, "check"))
    case = Case.objects.get()
    assert case.customer == caller
    assert case.channel == "face_to_face"
    assert case.raised_by == agent
    contact = Contact.objects.get()
    assert contact.agent == agent
    confirmation = client.get(reverse("portal:confirmation", args=[jid])).content.decode()
    assert reverse("console:customer", args=[caller.reference]) in confirmation


def test_channel_must_be_phone_or_face_to_face(client, agent, caller, catalogue):
    client.force_login(agent)
    response = client.get(
        reverse("portal:start", args=["graffiti-removal"]), {"customer": caller.reference}
    )
    jid = re.search(r"/request/([0-9a-f]+)/", response["Location"]).group(1)
    page = client.post(url(jid, "channel"), {"channel": "web"}).content.decode()
    assert "govuk-error-summary" in page


def test_agent_journey_defaults_to_phone(client, agent, caller, catalogue):
    client.force_login(agent)
    response = client.get(
        reverse("portal:start", args=["graffiti-removal"]), {"customer": caller.reference}
    )
    jid = re.search(r"/request/([0-9a-f]+)/", response["Location"]).group(1)
    assert client.session[journey.SESSION_KEY][jid]["channel"] == "phone"


def test_public_cannot_act_for_a_customer(client, caller, catalogue):
    response = client.get(reverse("portal:report"), {"customer": caller.reference})
    assert response.status_code == 404


def test_staff_of_another_council_cannot_act_for_a_customer(client, caller, catalogue):
    from civicdesk.organisations.tests.factories import OrganisationFactory

    elsewhere = OrganisationFactory(slug="elsewhere", name="Elsewhere", kind="partner")
    outsider = MembershipFactory(team=TeamFactory(organisation=elsewhere), role=Role.AGENT).user
    client.force_login(outsider)
    assert client.get(reverse("portal:report"), {"customer": caller.reference}).status_code == 404


def test_unknown_customer_is_not_found(client, agent, catalogue):
    client.force_login(agent)
    assert client.get(reverse("portal:report"), {"customer": "CUS-NOPE"}).status_code == 404


def test_assisted_journey_needs_the_agent_still_signed_in(client, agent, caller, catalogue):
    client.force_login(agent)
    response = client.get(
        reverse("portal:start", args=["graffiti-removal"]), {"customer": caller.reference}
    )
    jid = re.search(r"/request/([0-9a-f]+)/", response["Location"]).group(1)
    session_key = client.session.session_key
    agent.memberships.all().delete()
    assert client.get(url(jid, "channel")).status_code == 404
    assert session_key


def test_single_view_links_to_the_assisted_journey(client, agent, caller, catalogue):
    client.force_login(agent)
    page = client.get(reverse("console:customer", args=[caller.reference])).content.decode()
    assert f"{reverse('portal:report')}?customer={quote(caller.reference)}" in page
    assert "Report or ask online for this caller" in page


def _resident(council, customer, verified=True):
    user = UserFactory(username="resident@example.org")
    PortalAccount.objects.create(
        organisation=council, user=user, customer=customer,
        email_verified_at=timezone.now() if verified else None,
    )  # fmt: skip
    return user


def test_signed_in_resident_skips_the_details_step(client, council, caller, catalogue):
    client.force_login(_resident(council, caller))
    response = client.get(reverse("portal:start", args=["graffiti-removal"]))
    jid = re.search(r"/request/([0-9a-f]+)/", response["Location"]).group(1)
    assert step_of(_through(client, catalogue, jid)) == "check"
    client.post(url(jid, "check"))
    case = Case.objects.get()
    assert case.customer == caller and case.channel == "web"


def test_unverified_resident_gives_details(client, council, caller, catalogue):
    client.force_login(_resident(council, caller, verified=False))
    response = client.get(reverse("portal:start", args=["graffiti-removal"]))
    jid = re.search(r"/request/([0-9a-f]+)/", response["Location"]).group(1)
    assert step_of(_through(client, catalogue, jid)) == "details"


def _representative(council, customer, user, **fields):
    return Representative.objects.create(
        organisation=council, customer=customer, name="Citizens Advice Kingsmere",
        relationship=Representative.Relationship.ADVICE_AGENCY,
        consent_given_on=datetime.date(2026, 1, 1), user=user, **fields,
    )  # fmt: skip


def test_representative_acts_for_the_customer(client, council, caller, catalogue):
    adviser = UserFactory(username="adviser")
    representative = _representative(council, caller, adviser)
    client.force_login(adviser)
    session = client.session
    session[journey.ACTING_FOR_KEY] = representative.pk
    session.save()
    response = client.get(reverse("portal:start", args=["graffiti-removal"]))
    jid = re.search(r"/request/([0-9a-f]+)/", response["Location"]).group(1)
    assert step_of(_through(client, catalogue, jid)) == "check"
    assert "Acting for" in client.get(url(jid, "check")).content.decode()
    client.post(url(jid, "check"))
    case = Case.objects.get()
    assert case.customer == caller
    assert Contact.objects.get().representative == representative


def test_expired_consent_is_not_honoured(client, council, caller, catalogue):
    adviser = UserFactory(username="adviser")
    representative = _representative(
        council, caller, adviser, consent_expires_on=datetime.date(2020, 1, 1)
    )
    client.force_login(adviser)
    session = client.session
    session[journey.ACTING_FOR_KEY] = representative.pk
    session.save()
    response = client.get(reverse("portal:start", args=["graffiti-removal"]))
    jid = re.search(r"/request/([0-9a-f]+)/", response["Location"]).group(1)
    assert step_of(_through(client, catalogue, jid)) == "details"


def test_someone_elses_representation_is_ignored(client, council, caller, catalogue):
    representative = _representative(council, caller, UserFactory(username="real-adviser"))
    client.force_login(UserFactory(username="impostor"))
    session = client.session
    session[journey.ACTING_FOR_KEY] = representative.pk
    session.save()
    response = client.get(reverse("portal:start", args=["graffiti-removal"]))
    jid = re.search(r"/request/([0-9a-f]+)/", response["Location"]).group(1)
    assert step_of(_through(client, catalogue, jid)) == "details"


def test_consent_for_other_services_is_refused_at_sending(client, council, caller, catalogue):
    adviser = UserFactory(username="adviser")
    representative = _representative(council, caller, adviser, scope=Representative.Scope.SERVICES)
    representative.services.add(catalogue.council_tax)
    client.force_login(adviser)
    session = client.session
    session[journey.ACTING_FOR_KEY] = representative.pk
    session.save()
    response = client.get(reverse("portal:start", args=["graffiti-removal"]))
    jid = re.search(r"/request/([0-9a-f]+)/", response["Location"]).group(1)
    _through(client, catalogue, jid)
    page = client.post(url(jid, "check")).content.decode()
    assert "does not cover this service" in page
    assert not Case.objects.exists()
