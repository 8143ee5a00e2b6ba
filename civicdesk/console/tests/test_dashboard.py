"""The management dashboard: who reads it, figures that agree with the records, filters, bad
input and CSV, and a manager reading it in a real browser with an accessibility check."""

import csv
import datetime
import io
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from civicdesk.cases.services import close_case, raise_case
from civicdesk.cases.tests.factories import CustomerFactory, PartnerFactory, ServiceFactory
from civicdesk.contacts.services import log_contact
from civicdesk.core.tests.browser import sign_in_staff
from civicdesk.insight import services as rollups
from civicdesk.organisations.models import Role
from civicdesk.organisations.tests.factories import MembershipFactory, TeamFactory
from civicdesk.places.tests.factories import AddressFactory, WardFactory

URL = "/staff/insight/"
expect = pytest.importorskip("playwright.sync_api").expect


@pytest.fixture
def borough(council: Any, contact_centre: Any, agent: Any) -> dict[str, Any]:
    """Bins (the waste team's) and parking (the parking team's), a resident of Riverside,
    a day of contacts and cases, rolled up."""
    waste = TeamFactory(organisation=council, name="Waste", slug="waste")
    parking = TeamFactory(organisation=council, name="Parking", slug="parking")
    bins = ServiceFactory(organisation=council, owning_team=waste, name="Missed bin")
    permits = ServiceFactory(organisation=council, owning_team=parking, name="Parking permit")
    riverside = WardFactory(organisation=council, name="Riverside")
    home = AddressFactory(organisation=council, ward=riverside)
    resident = CustomerFactory(organisation=council, address=home)
    crew = MembershipFactory(team=waste, role=Role.TEAM_LEADER).user
    now = timezone.now()
    for channel, outcome, service in (
        ("phone", "resolved", bins), ("phone", "case_raised", bins),
        ("web", "resolved", permits), ("phone", "abandoned", None),
    ):  # fmt: skip
        log_contact(
            actor=agent, organisation=council, channel=channel, outcome=outcome,
            customer=resident if service else None, service=service, team=contact_centre,
            started_at=now - datetime.timedelta(minutes=30),
            ended_at=now - datetime.timedelta(minutes=24),
        )  # fmt: skip
    cases = [
        raise_case(
            actor=agent,
            organisation=council,
            service=service,
            description="Please help",
            channel="phone",
            customer=resident,
            address=home,
        )
        for service in (bins, bins, permits)
    ]
    close_case(actor=crew, case=cases[0], resolution_code="done", message="Emptied today.")
    rollups.refresh(organisation=council)
    return {"waste": waste, "parking": parking, "bins": bins, "crew": crew, "ward": riverside}


@pytest.fixture
def manager(contact_centre: Any) -> Any:
    return MembershipFactory(team=contact_centre, role=Role.MANAGER).user


def _table(client: Any, name: str, query: str = "") -> list[list[str]]:
    response = client.get(f"{URL}?{query}&format=csv&table={name}")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_who_reads_the_dashboard(client: Any, agent: Any, manager: Any, borough: Any) -> None:
    client.force_login(agent)
    assert client.get(URL).status_code == 403
    partner = PartnerFactory(parent=borough["waste"].organisation)
    adviser = MembershipFactory(team=TeamFactory(organisation=partner), role=Role.MANAGER).user
    client.force_login(adviser)
    assert client.get(URL).status_code == 403
    client.force_login(manager)
    page = client.get(URL).content.decode()
    assert "Dashboard" in page and 'href="/staff/insight/"' in page
    client.force_login(borough["crew"])
    assert client.get(URL).status_code == 200


def test_the_figures_agree_with_the_records(client: Any, manager: Any, borough: Any) -> None:
    client.force_login(manager)
    page = client.get(URL).content.decode()
    assert "66.7%" in page  # 2 of the 3 answered contacts resolved at first contact

    channels = {row[0]: row[1:] for row in _table(client, "channels")[1:]}
    assert channels["Phone"][0] == "3" and channels["Web"][0] == "1"
    services = {row[0]: row[1:] for row in _table(client, "services")[1:]}
    # Contacts, cases opened, resolved, resolved in time.
    assert services["Missed bin"][:4] == ["2", "2", "1", "100.0%"]
    assert services["Parking permit"][:3] == ["1", "1", "0"]
    wards = {row[0]: row[1:] for row in _table(client, "wards")[1:]}
    assert wards["Riverside"] == ["3", "3"]
    backlog = {row[0]: row[1:] for row in _table(client, "backlog")[1:]}
    assert backlog["Waste"][:2] == ["1", "0"] and backlog["Parking"][:2] == ["1", "0"]
    hours = _table(client, "hours")
    assert sum(int(row[1]) for row in hours[1:]) == 4


def test_filters_narrow_the_figures(client: Any, manager: Any, borough: Any) -> None:
    client.force_login(manager)
    by_channel = _table(client, "channels", "channel=web")
    assert [row[:2] for row in by_channel[1:]] == [["Web", "1"]]
    by_service = _table(client, "services", f"service={borough['bins'].pk}")
    assert [row[0] for row in by_service[1:]] == ["Missed bin"]
    last_year = _table(client, "channels", "period=custom&start=2020-01-01&end=2020-12-31")
    assert last_year[1:] == []


def test_a_team_leader_sees_only_their_teams(client: Any, borough: Any) -> None:
    client.force_login(borough["crew"])
    backlog = {row[0] for row in _table(client, "backlog")[1:]}
    assert backlog == {"Waste"}
    # Asking for another team is refused by the form, not obeyed.
    other = _table(client, "backlog", f"team={borough['parking'].pk}")
    assert {row[0] for row in other[1:]} == {"Waste"}


@pytest.mark.parametrize(
    "query",
    [
        "period=custom&start=2026-13-01&end=2026-12-01",
        "period=custom&start=2026-12-01&end=2026-01-01",
        "period=custom",
        "period=nonsense&service=abc&ward=-1",
        "period=custom&start=2000-01-01&end=2026-01-01",
    ],
)
def test_bad_filters_get_a_clear_error_not_a_500(
    client: Any, manager: Any, borough: Any, query: str
) -> None:
    client.force_login(manager)
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 200
    assert "govuk-error-message" in response.content.decode() or "There is a problem" in (
        response.content.decode()
    )


def test_an_unknown_table_is_not_found(client: Any, manager: Any, borough: Any) -> None:
    client.force_login(manager)
    assert client.get(f"{URL}?format=csv&table=salaries").status_code == 404


@pytest.mark.browser
def test_a_manager_reads_the_dashboard_and_downloads_a_table(
    live_server: Any, page: Any, check_page: Any, borough: Any, contact_centre: Any
) -> None:
    user = MembershipFactory(team=contact_centre, role=Role.MANAGER).user
    sign_in_staff(page, live_server, user)
    page.get_by_role("link", name="Figures").click()
    page.wait_for_url("**/staff/insight/")
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    check_page(page, "dashboard")
    page.get_by_label("Channel", exact=True).select_option("phone")
    page.get_by_role("button", name="Show figures").click()
    page.wait_for_url("**channel=phone**")
    table = page.get_by_role("table", name="Contacts by channel")
    assert table.get_by_role("rowheader").all_inner_texts() == ["Phone"]
    with page.expect_download() as download:
        page.get_by_role("link", name="Download contacts by channel (CSV)").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    assert rows[0][0] == "Channel" and rows[1][:2] == ["Phone", "3"]
    check_page(page, "dashboard-phone")
