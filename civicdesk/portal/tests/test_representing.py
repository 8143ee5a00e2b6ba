"""Intermediaries on the portal: linking a representative's sign-in, choosing whom to act
for, the banner, and seeing only what the customer's consent covers."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from civicdesk.cases.services import raise_case
from civicdesk.catalogue.models import Sensitivity
from civicdesk.catalogue.services import create_service
from civicdesk.core.models import AuditAction, AuditEvent
from civicdesk.notify.demo import install_demo_templates
from civicdesk.organisations.models import Role
from civicdesk.organisations.tests.factories import MembershipFactory, TeamFactory
from civicdesk.people import accounts
from civicdesk.people.models import Representative
from civicdesk.people.services import add_representative, create_customer, revoke_representative
from civicdesk.portal.views.representing import SESSION_KEY

pytestmark = pytest.mark.django_db

PASSWORD = "quiet-harbour-4127"
CONTEXT_PROCESSOR = "civicdesk.portal.views.representing.acting_for"


@pytest.fixture(autouse=True)
def banner_in_templates(settings):
    """The context processor the lead adds to settings.TEMPLATES (see the report)."""
    engine = {**settings.TEMPLATES[0]}
    options = {**engine["OPTIONS"]}
    if CONTEXT_PROCESSOR not in options["context_processors"]:
        options["context_processors"] = [*options["context_processors"], CONTEXT_PROCESSOR]
    engine["OPTIONS"] = options
    settings.TEMPLATES = [engine]


@pytest.fixture(autouse=True)
def templates(council):
    return install_demo_templates(actor=None, organisation=council)


@pytest.fixture
def team(council):
    return TeamFactory(organisation=council, name="Waste", slug="waste")


@pytest.fixture
def officer(team):
    return MembershipFactory(team=team, role=Role.OFFICER).user


@pytest.fixture
def services(council, team):
    return {
        name: create_service(
            actor=None,
            organisation=council,
            name=name,
            owning_team=team,
            sla_value=5,
            sensitivity=sensitivity,
        )
        for name, sensitivity in (
            ("Missed bin", Sensitivity.STANDARD),
            ("Council tax", Sensitivity.STANDARD),
            ("Anti-social behaviour", Sensitivity.SENSITIVE),
        )
    }


@pytest.fixture
def ada(council):
    return create_customer(
        actor=None, organisation=council, forenames="Ada", surname="Okafor", email="ada@x.org"
    )


@pytest.fixture
def adviser(council):
    account = accounts.create_account(
        organisation=council,
        forenames="Cal",
        surname="Adviser",
        email="cal@advice.example",
        password=PASSWORD,
        verify_link_for=lambda token: f"http://testserver/account/verify/{token}/",
        reset_link="http://testserver/account/password-reset/",
    )
    accounts.verify_email(token=accounts.verification_token(account))
    return account


def represent(customer, email="cal@advice.example", **fields):
    return add_representative(
        actor=None,
        customer=customer,
        name="Kingsmere Citizens Advice",
        relationship=Representative.Relationship.ADVICE_AGENCY,
        consent_given_on=timezone.localdate(),
        email=email,
        **fields,
    )


def linked(customer, user, **fields):
    rep = represent(customer, **fields)
    rep.user = user
    rep.save(update_fields=["user"])
    return rep


def test_signing_in_links_a_representation_and_offers_the_choice(client, ada, adviser):
    rep = represent(ada)  # staff recorded it after the adviser's account was confirmed
    response = client.post(
        reverse("portal:sign-in"), {"email": "cal@advice.example", "password": PASSWORD}
    )
    assert response["Location"] == reverse("portal:acting-for")
    rep.refresh_from_db()
    assert rep.user == adviser.user
    page = client.get(response["Location"]).content.decode()
    assert "Who are you acting for?" in page
    assert "Ada Okafor" in page


def test_choosing_sets_the_session_and_shows_the_banner_on_every_page(client, ada, adviser):
    rep = linked(ada, adviser.user)
    client.force_login(adviser.user)
    response = client.post(reverse("portal:acting-for"), {"representation": rep.pk})
    assert response["Location"] == reverse("portal:account")
    assert client.session[SESSION_KEY] == rep.pk
    for name in ("portal:account", "portal:account-preferences", "portal:password-change"):
        page = client.get(reverse(name)).content.decode()
        assert "You are acting for Ada Okafor" in page, name
        assert reverse("portal:acting-for-stop") in page
    assert AuditEvent.objects.filter(
        action=AuditAction.ACCESS_GRANTED, summary__contains="started acting"
    ).exists()


def test_stop_ends_acting_for(client, ada, adviser):
    rep = linked(ada, adviser.user)
    client.force_login(adviser.user)
    client.post(reverse("portal:acting-for"), {"representation": rep.pk})
    assert client.get(reverse("portal:acting-for-stop")).status_code == 405
    response = client.post(reverse("portal:acting-for-stop"))
    assert response.status_code == 302
    assert SESSION_KEY not in client.session
    assert "You are acting for" not in client.get(reverse("portal:account")).content.decode()


def test_someone_elses_representation_is_refused(client, council, ada, adviser):
    other = accounts.create_account(
        organisation=council,
        forenames="Di",
        surname="Other",
        email="di@example.org",
        password=PASSWORD,
        verify_link_for=lambda token: token,
        reset_link="",
    )
    theirs = linked(ada, other.user, email="di@example.org")
    linked(
        create_customer(actor=None, organisation=council, forenames="Bo", surname="Ng"),
        adviser.user,
    )
    client.force_login(adviser.user)
    response = client.post(reverse("portal:acting-for"), {"representation": theirs.pk})
    assert response.status_code == 200
    assert b"govuk-error-summary" in response.content
    assert SESSION_KEY not in client.session


def test_information_only_consent_does_not_let_anyone_act(client, ada, adviser):
    rep = linked(ada, adviser.user, scope=Representative.Scope.INFORMATION_ONLY)
    client.force_login(adviser.user)
    page = client.get(reverse("portal:acting-for")).content.decode()
    assert "You are not recorded as acting for anyone" in page
    client.post(reverse("portal:acting-for"), {"representation": rep.pk})
    assert SESSION_KEY not in client.session


def test_a_session_value_set_by_hand_is_ignored_and_forgotten(client, ada, adviser):
    someone = represent(ada, email="nobody@example.org")
    client.force_login(adviser.user)
    session = client.session
    session[SESSION_KEY] = someone.pk
    session.save()
    page = client.get(reverse("portal:account")).content.decode()
    assert "You are acting for" not in page
    assert SESSION_KEY not in client.session


def test_expired_consent_ends_acting_for_at_once(client, ada, adviser):
    rep = linked(ada, adviser.user)
    client.force_login(adviser.user)
    client.post(reverse("portal:acting-for"), {"representation": rep.pk})
    Representative.objects.filter(pk=rep.pk).update(
        consent_given_on=timezone.localdate() - datetime.timedelta(days=60),
        consent_expires_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    page = client.get(reverse("portal:account")).content.decode()
    assert "You are acting for" not in page
    assert SESSION_KEY not in client.session


def test_revoked_consent_ends_acting_for(client, ada, adviser):
    rep = linked(ada, adviser.user)
    client.force_login(adviser.user)
    client.post(reverse("portal:acting-for"), {"representation": rep.pk})
    revoke_representative(actor=None, representative=rep)
    assert "You are acting for" not in client.get(reverse("portal:account")).content.decode()


def raise_for(customer, service, officer, description):
    return raise_case(
        actor=officer,
        organisation=customer.organisation,
        service=service,
        customer=customer,
        description=description,
        channel="phone",
        location_description="Acacia Avenue",
    )


def test_a_representative_sees_only_cases_the_consent_covers(
    client, ada, adviser, services, officer
):
    rep = linked(
        ada,
        adviser.user,
        scope=Representative.Scope.SERVICES,
        services=[services["Missed bin"], services["Anti-social behaviour"]],
    )
    bins = raise_for(ada, services["Missed bin"], officer, "Bin missed again")
    tax = raise_for(ada, services["Council tax"], officer, "Council tax bill query")
    asb = raise_for(ada, services["Anti-social behaviour"], officer, "Threats from number 14")
    client.force_login(adviser.user)
    client.post(reverse("portal:acting-for"), {"representation": rep.pk})

    page = client.get(reverse("portal:account")).content.decode()
    assert bins.reference in page
    assert tax.reference not in page  # not covered by the consent
    assert asb.reference not in page  # sensitive: never for a representative
    covered = client.get(reverse("portal:account-case", args=[bins.reference]))
    assert covered.status_code == 200
    assert "Bin missed again" in covered.content.decode()
    for case in (tax, asb):
        url = reverse("portal:account-case", args=[case.reference])
        assert client.get(url).status_code == 404


def test_without_acting_for_a_representative_sees_none_of_the_customers_cases(
    client, ada, adviser, services, officer
):
    linked(ada, adviser.user)
    bins = raise_for(ada, services["Missed bin"], officer, "Bin missed again")
    client.force_login(adviser.user)
    assert bins.reference not in client.get(reverse("portal:account")).content.decode()
    url = reverse("portal:account-case", args=[bins.reference])
    assert client.get(url).status_code == 404


def test_signing_out_forgets_acting_for(client, ada, adviser):
    rep = linked(ada, adviser.user)
    client.force_login(adviser.user)
    client.post(reverse("portal:acting-for"), {"representation": rep.pk})
    client.post(reverse("portal:sign-out"))
    assert SESSION_KEY not in client.session


def test_the_acting_for_page_needs_a_portal_account(client, agent):
    assert client.get(reverse("portal:acting-for")).status_code == 302
    client.force_login(agent)
    assert client.get(reverse("portal:acting-for")).status_code == 404
