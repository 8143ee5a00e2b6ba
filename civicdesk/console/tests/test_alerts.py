"""The demand alert pages: who reads them, the list and its filters, the drill-down to the
contacts and cases behind an alert (counts only for a sensitive service's outsiders), and
acknowledging an alert."""

import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from civicdesk.cases.tests.factories import (
    CaseFactory,
    CustomerFactory,
    PartnerFactory,
    ServiceFactory,
)
from civicdesk.console.views import alerts as alert_views
from civicdesk.contacts.models import Outcome
from civicdesk.contacts.services import log_contact
from civicdesk.core.models import AuditAction, AuditEvent
from civicdesk.insight import services as rollups
from civicdesk.insight.models import DemandAlert
from civicdesk.insight.tests.alert_data import demand_alert_table  # noqa: F401 (a fixture)
from civicdesk.organisations.models import Role
from civicdesk.organisations.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    TeamFactory,
)
from civicdesk.places.tests.factories import AddressFactory, WardFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demand_alert_table")]
LONDON = ZoneInfo("Europe/London")
LIST = "/staff/insight/alerts/"
DAY = datetime.date(2026, 5, 12)
AT = datetime.datetime(2026, 5, 12, 10, 30, tzinfo=LONDON)


def make_alert(council: Any, service: Any, ward: Any, day: datetime.date = DAY, **fields: Any):
    values = {
        "observed": 12, "expected": 3.9, "score": 5.2, "probability": 1e-7,
        "description": "3.1 times the usual for a Tuesday in May", "detected_at": timezone.now(),
    }  # fmt: skip
    return DemandAlert.objects.create(
        organisation=council, day=day, service=service, ward=ward, **(values | fields)
    )


@pytest.fixture
def manager(contact_centre):
    return MembershipFactory(team=contact_centre, role=Role.MANAGER).user


@pytest.fixture
def place(council):
    """Fly-tipping in Riverside: a resident's phone call and a case on one Tuesday, and a
    contact from a resident of another ward that the alert does not count."""
    service = ServiceFactory(organisation=council, name="Fly-tipping")
    riverside, hilltop = (
        WardFactory(organisation=council, name=n) for n in ("Riverside", "Hilltop")
    )
    resident = CustomerFactory(
        organisation=council,
        forenames="Priya",
        surname="Shah",
        address=AddressFactory(organisation=council, ward=riverside),
    )
    neighbour = CustomerFactory(
        organisation=council,
        forenames="Tom",
        surname="Hill",
        address=AddressFactory(organisation=council, ward=hilltop),
    )
    for customer in (resident, neighbour):
        log_contact(
            actor=None, organisation=council, channel="phone", outcome=Outcome.RESOLVED,
            customer=customer, service=service, started_at=AT,
        )  # fmt: skip
    case = CaseFactory(service=service, ward=riverside, opened_at=AT, customer=resident)
    rollups.rebuild(organisation=council, now=AT + datetime.timedelta(days=2))
    return service, riverside, hilltop, resident, case


def test_only_managers_and_administrators_of_the_council_read_alerts(
    client, agent, manager, contact_centre, council, place
):
    service, riverside, *_rest = place
    alert = make_alert(council, service, riverside)
    detail = f"{LIST}{alert.pk}/"
    client.force_login(agent)
    assert client.get(LIST).status_code == 403
    assert client.get(detail).status_code == 403
    assert client.post(f"{detail}acknowledge/").status_code == 403
    partner = PartnerFactory(parent=council)
    partner_manager = MembershipFactory(
        team=TeamFactory(organisation=partner), role=Role.MANAGER
    ).user
    client.force_login(partner_manager)
    assert client.get(LIST).status_code == 403
    assert client.get(detail).status_code == 403
    client.force_login(MembershipFactory(team=contact_centre, role=Role.ADMINISTRATOR).user)
    assert client.get(LIST).status_code == 200
    client.force_login(manager)
    assert client.get(LIST).status_code == 200
    assert client.get(detail).status_code == 200
    # Another council's manager finds no such alert.
    elsewhere = OrganisationFactory(name="Ashcombe District Council", slug="ashcombe")
    other = MembershipFactory(team=TeamFactory(organisation=elsewhere), role=Role.MANAGER).user
    client.force_login(other)
    assert client.get(detail).status_code == 404


def test_the_list_is_newest_first_and_filters(client, manager, council):
    bins, tipping = (
        ServiceFactory(organisation=council, name=n) for n in ("Missed bin", "Graffiti")
    )
    north, south = (WardFactory(organisation=council, name=n) for n in ("North", "South"))
    older = make_alert(council, bins, north, day=DAY - datetime.timedelta(days=3))
    newer = make_alert(council, tipping, south, observed=25, expected=4.2)
    seen = make_alert(
        council, bins, south, day=DAY - datetime.timedelta(days=1),
        acknowledged_at=timezone.now(), acknowledged_by=manager,
    )  # fmt: skip
    client.force_login(manager)

    page = client.get(LIST).content.decode()
    assert page.index(f"/alerts/{newer.pk}/") < page.index(f"/alerts/{older.pk}/")
    assert f"/alerts/{seen.pk}/" not in page
    assert "25 contacts and requests where about 4 is usual" in page

    page = client.get(LIST, {"service": bins.pk, "acknowledged": "yes"}).content.decode()
    assert f"/alerts/{seen.pk}/" in page and f"/alerts/{older.pk}/" in page
    assert f"/alerts/{newer.pk}/" not in page
    page = client.get(LIST, {"ward": north.pk}).content.decode()
    assert f"/alerts/{older.pk}/" in page and f"/alerts/{newer.pk}/" not in page
    assert client.get(LIST, {"ward": "nonsense"}).status_code == 200


def test_the_drill_down_shows_the_series_and_what_is_behind_the_alert(
    client, manager, council, place, monkeypatch
):
    service, riverside, _hilltop, resident, case = place
    alert = make_alert(council, service, riverside, observed=2, expected=0.5)
    client.force_login(manager)

    page = client.get(f"{LIST}{alert.pk}/").content.decode()

    assert "Fly-tipping in Riverside" in page
    assert f'href="/staff/cases/{case.reference}/"' in page
    assert f'href="/staff/customers/{resident.reference}/"' in page
    assert "Priya Shah" in page
    assert "Tom Hill" not in page  # lives in another ward
    assert '<svg role="img"' in page
    assert "Tue 12 May 2026" in page  # the data table's last row
    # Two lists on one page, each paginated on its own.
    monkeypatch.setattr(alert_views, "DRILL_PAGE_SIZE", 1)
    log_contact(
        actor=None, organisation=council, channel="web", outcome=Outcome.SIGNPOSTED,
        customer=resident, service=service, started_at=AT + datetime.timedelta(hours=1),
    )  # fmt: skip
    page = client.get(f"{LIST}{alert.pk}/").content.decode()
    assert "?contacts=2" in page
    assert "Signposted elsewhere" not in page
    assert "Signposted elsewhere" in client.get(f"{LIST}{alert.pk}/?contacts=2").content.decode()


def test_a_sensitive_service_shows_only_counts_to_those_not_entitled(
    client, manager, council, housing_team
):
    homelessness = ServiceFactory(
        organisation=council, name="Homelessness advice", sensitivity="sensitive",
        owning_team=housing_team,
    )  # fmt: skip
    ward = WardFactory(organisation=council, name="Riverside")
    resident = CustomerFactory(
        organisation=council, forenames="Priya", surname="Shah",
        address=AddressFactory(organisation=council, ward=ward),
    )  # fmt: skip
    contact = log_contact(
        actor=None, organisation=council, channel="phone", outcome=Outcome.RESOLVED,
        customer=resident, service=homelessness, started_at=AT,
    )  # fmt: skip
    case = CaseFactory(service=homelessness, ward=ward, opened_at=AT, customer=resident)
    alert = make_alert(council, homelessness, ward, observed=2, expected=0.5)
    url = f"{LIST}{alert.pk}/"

    client.force_login(manager)
    page = client.get(url).content.decode()
    assert "1 contact" in page and "1 case." in page
    assert "Priya Shah" not in page and case.reference not in page
    assert resident.reference not in page

    housing_manager = MembershipFactory(team=housing_team, role=Role.MANAGER).user
    client.force_login(housing_manager)
    page = client.get(url).content.decode()
    assert "Priya Shah" in page and case.reference in page
    [viewed] = AuditEvent.objects.for_record("contacts.contact", contact.pk).filter(
        action=AuditAction.VIEWED_SENSITIVE
    )
    assert viewed.actor == housing_manager


def test_acknowledging_an_alert(manager, council, place):
    service, riverside, *_rest = place
    alert = make_alert(council, service, riverside)
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)
    url = f"{LIST}{alert.pk}/acknowledge/"
    assert client.post(url).status_code == 403  # no CSRF token
    assert client.get(url).status_code == 405

    page = client.get(f"{LIST}{alert.pk}/")
    token = page.context["csrf_token"]
    response = client.post(url, {"csrfmiddlewaretoken": str(token)}, follow=True)

    assert response.redirect_chain[-1][0] == f"{LIST}{alert.pk}/"
    assert "Alert acknowledged" in response.content.decode()
    alert.refresh_from_db()
    assert alert.acknowledged_by == manager
    assert "Acknowledge alert" not in response.content.decode()
    assert "Acknowledged on" in response.content.decode()
    assert f"/alerts/{alert.pk}/" not in client.get(LIST).content.decode()
    response = client.post(url, {"csrfmiddlewaretoken": str(token)}, follow=True)
    assert "already acknowledged" in response.content.decode()


def test_the_list_reads_a_fixed_number_of_queries(
    client, manager, council, django_assert_max_num_queries
):
    service = ServiceFactory(organisation=council, name="Missed bin")
    for index in range(6):
        ward = WardFactory(organisation=council, name=f"Ward {index}")
        make_alert(council, service, ward, day=DAY - datetime.timedelta(days=index))
    client.force_login(manager)
    client.get(LIST)  # the session and the member looked up once
    with django_assert_max_num_queries(12):
        response = client.get(LIST)
    assert response.content.decode().count("/staff/insight/alerts/") >= 6
