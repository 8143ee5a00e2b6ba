"""A manager opens a demand alert in a real browser, reads the drill-down and acknowledges it;
every page is checked for WCAG 2.2 AA failures axe can find."""

import datetime
import re
from typing import Any

import pytest
from django.utils import timezone

from civicdesk.cases.tests.factories import CaseFactory, CustomerFactory, ServiceFactory
from civicdesk.contacts.models import Outcome
from civicdesk.contacts.services import log_contact
from civicdesk.core.tests.browser import sign_in_staff
from civicdesk.insight import services as rollups
from civicdesk.insight.models import DemandAlert
from civicdesk.insight.tests.alert_data import demand_alert_table  # noqa: F401 (a fixture)
from civicdesk.organisations.models import Role
from civicdesk.organisations.tests.factories import MembershipFactory
from civicdesk.places.tests.factories import AddressFactory, WardFactory

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demand_alert_table")]


def test_a_manager_opens_and_acknowledges_a_demand_alert(
    page: Any,
    live_server: Any,
    check_page: Any,
    council: Any,
    contact_centre: Any,
) -> None:
    manager = MembershipFactory(team=contact_centre, role=Role.MANAGER).user
    service = ServiceFactory(organisation=council, name="Fly-tipping")
    ward = WardFactory(organisation=council, name="Riverside")
    resident = CustomerFactory(
        organisation=council, forenames="Priya", surname="Shah",
        address=AddressFactory(organisation=council, ward=ward),
    )  # fmt: skip
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    at = timezone.make_aware(datetime.datetime.combine(yesterday, datetime.time(11, 0)))
    log_contact(
        actor=None, organisation=council, channel="phone", outcome=Outcome.RESOLVED,
        customer=resident, service=service, started_at=at,
    )  # fmt: skip
    case = CaseFactory(service=service, ward=ward, opened_at=at, customer=resident)
    rollups.rebuild(organisation=council)
    DemandAlert.objects.create(
        organisation=council, day=yesterday, service=service, ward=ward, observed=2,
        expected=0.5, score=4.6, probability=2e-6, detected_at=timezone.now(),
        description="2 contacts where fewer than 1 is usual for a Tuesday in May",
    )  # fmt: skip

    sign_in_staff(page, live_server, manager, check=check_page)
    page.goto(f"{live_server.url}/staff/insight/alerts/")
    check_page(page, "demand-alerts")
    page.get_by_role("link", name=re.compile("Fly-tipping.*in Riverside")).click()
    page.wait_for_url(re.compile(r"/staff/insight/alerts/\d+/$"))
    check_page(page, "demand-alert")
    expect(page.get_by_role("img")).to_have_accessible_name(re.compile("over 8 weeks"))
    page.get_by_text("The figures day by day").click()
    check_page(page, "demand-alert-figures")
    expect(page.get_by_role("link", name=case.reference)).to_be_visible()
    expect(page.get_by_role("link", name="Priya Shah").first).to_be_visible()

    page.get_by_role("button", name="Acknowledge alert").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Alert acknowledged")
    check_page(page, "demand-alert-acknowledged")
