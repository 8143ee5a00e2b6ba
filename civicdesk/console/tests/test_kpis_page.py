"""The quarterly performance indicator report: who reads it, what it shows, CSV and print, and
a manager reading it in a real browser with an accessibility check."""

import csv
import datetime
import io
import re

import pytest

from civicdesk.cases.tests.factories import PartnerFactory
from civicdesk.core.tests.browser import SCREENSHOTS, keep_screenshot, sign_in_staff
from civicdesk.insight.kpis import install_demo_indicators
from civicdesk.insight.models import PerformanceIndicator
from civicdesk.insight.tests.rows import contact_month
from civicdesk.organisations.models import Role
from civicdesk.organisations.tests.factories import MembershipFactory, TeamFactory

URL = "/staff/insight/indicators/"
Q3 = f"{URL}?year=2026&quarter=3"


@pytest.fixture
def manager(contact_centre):
    return MembershipFactory(team=contact_centre, role=Role.MANAGER).user


@pytest.fixture
def figures(council):
    """The demo indicators; Q3 2026 (October to December) and Q3 2025 contacts."""
    install_demo_indicators(organisation=council)
    PerformanceIndicator.objects.filter(organisation=council, code="CC01").update(
        formula="-1 + 1 + 100 * resolved_first_time / (contacts - abandoned)"
    )  # starts with "-": a spreadsheet would run it as a formula
    for month, resolved, other, avoidable in (
        (datetime.date(2026, 10, 1), 85, 15, 10),
        (datetime.date(2026, 11, 1), 78, 22, 30),
        (datetime.date(2025, 10, 1), 70, 30, 40),
    ):
        for outcome, count in (("resolved", resolved), ("case_raised", other)):
            contact_month(
                organisation=council, month=month, channel="phone", outcome=outcome,
                contacts=count, avoidable=avoidable if outcome == "resolved" else 0,
            )  # fmt: skip
    return council


@pytest.mark.django_db
def test_only_the_councils_managers_and_administrators_read_it(
    client, agent, manager, contact_centre, council
):
    assert client.get(URL).status_code == 302  # to sign in
    client.force_login(agent)
    assert client.get(URL).status_code == 403
    assert client.get(f"{Q3}&format=csv").status_code == 403
    team_leader = MembershipFactory(team=contact_centre, role=Role.TEAM_LEADER).user
    client.force_login(team_leader)
    assert client.get(URL).status_code == 403
    partner = PartnerFactory(parent=council)
    adviser = MembershipFactory(team=TeamFactory(organisation=partner), role=Role.AGENT).user
    client.force_login(adviser)
    assert client.get(URL).status_code == 403
    partner_manager = MembershipFactory(
        team=TeamFactory(organisation=partner), role=Role.MANAGER
    ).user
    client.force_login(partner_manager)
    assert client.get(URL).status_code == 403
    assert client.get(f"{Q3}&format=csv").status_code == 403
    client.force_login(manager)
    assert client.get(URL).status_code == 200
    client.force_login(MembershipFactory(team=contact_centre, role=Role.ADMINISTRATOR).user)
    assert client.get(Q3).status_code == 200


@pytest.mark.django_db
def test_the_report_shows_actual_target_status_in_words_and_last_year(client, manager, figures):
    client.force_login(manager)

    page = client.get(Q3).content.decode()

    assert "Quarter 3, 2026 to 27" in page
    assert "1 October 2026 to 31 December 2026" in page
    assert "quarter 1 is April to June" in page
    # First-contact resolution: 163 of 200 = 81.5%, on target; last year 70.0%, off target.
    row = _row(page, "First-contact resolution (agent&#x27;s outcome)")
    assert "≥ 80%" in row and "81.5%" in row and "70.0%" in row
    assert '<strong class="govuk-tag kpi-tag govuk-tag--green">Green: on target</strong>' in row
    assert '<strong class="govuk-tag kpi-tag govuk-tag--red">Red: off target</strong>' in row
    assert '<details class="govuk-details' in row
    assert "100 * resolved_first_time / (contacts - abandoned)</code>" in row
    # Avoidable contact: 40 of 200 = 20.0%, on the target (lower is better).
    row = _row(page, "Avoidable contact")
    assert "≤ 20%" in row and "20.0%" in row and "Green: on target" in row
    # Nothing to divide by: no data, said in words.
    row = _row(page, "Cases resolved in time")
    assert row.count("No data") == 4  # actual and last year, each value and status
    # Month by month for the monthly ones; December has not started on the demo clock or
    # is a month with no data.
    assert "October 2026" in page and "November 2026" in page and "December 2026" in page
    assert "Amber: near target" in page  # November's 78.0%
    assert 'href="?year=2026&amp;quarter=2"' in page
    assert "Print this report" in page and "@media print" in page and "A4 portrait" in page
    assert 'href="?year=2026&amp;quarter=3&amp;format=csv"' in page


def _row(page: str, name: str) -> str:
    start = page.index(name)
    return page[start : page.index("</tr>", start)]


@pytest.mark.django_db
def test_the_quarter_picker_stops_at_the_current_quarter(client, manager, council):
    client.force_login(manager)
    page = client.get(URL).content.decode()  # the current quarter on the real clock
    assert "Next quarter" not in page and "Previous quarter" in page
    assert "No performance indicators are set up" in page
    page = client.get(f"{URL}?year=2025&quarter=4").content.decode()
    assert "Quarter 4, 2025 to 26" in page
    assert 'href="?year=2026&amp;quarter=1"' in page  # next
    assert 'href="?year=2025&amp;quarter=3"' in page  # previous
    for nonsense in ("?year=abc&quarter=1", "?year=2026&quarter=9", "?year=99999&quarter=1"):
        assert client.get(f"{URL}{nonsense}").status_code == 200


@pytest.mark.django_db
def test_csv_export(client, manager, figures):
    client.force_login(manager)

    response = client.get(f"{Q3}&format=csv")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="indicators-2026-q3.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:8] == [
        "Code", "Indicator", "Period", "Unit", "Better when", "Target", "Actual", "Status",
    ]  # fmt: skip
    assert len(rows) == 7
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["Code"] == "CC01" and first["Actual"] == "81.5"
    assert first["Status"] == "Green: on target" and first["Target"] == "80.00"
    assert (first["Month 1"], first["Month 2"]) == ("85.0", "78.0")
    assert first["Same quarter last year"] == "70.0"
    assert first["Status last year"] == "Red: off target"
    assert first["Formula"].startswith("'-1 + 1")  # not run by a spreadsheet
    satisfaction = dict(zip(rows[0], rows[6], strict=True))
    assert satisfaction["Actual"] == "" and satisfaction["Status"] == "No data"
    assert satisfaction["Month 1"] == ""  # quarterly: no months


# --- in a browser -------------------------------------------------------------------------------


@pytest.mark.browser
def test_a_manager_reads_the_quarterly_report(
    live_server, page, check_page, transactional_db, contact_centre
):
    council = contact_centre.organisation
    manager = MembershipFactory(team=contact_centre, role=Role.MANAGER).user
    install_demo_indicators(organisation=council)
    for month, resolved, other in (
        (datetime.date(2026, 4, 1), 41, 9),
        (datetime.date(2025, 5, 1), 30, 20),
    ):
        for outcome, count in (("resolved", resolved), ("case_raised", other)):
            contact_month(
                organisation=council, month=month, channel="phone", outcome=outcome,
                contacts=count,
            )  # fmt: skip

    sign_in_staff(page, live_server, manager)
    page.goto(f"{live_server.url}{URL}?year=2026&quarter=2")
    page.get_by_role("link", name=re.compile("Previous quarter")).click()
    page.wait_for_url(re.compile(r"year=2026&quarter=1$"))
    page.wait_for_load_state("load")

    assert page.get_by_role("heading", level=1).inner_text() == "Quarter 1, 2026 to 27"
    table = page.get_by_role("table", name="The quarter against target")
    row = table.get_by_role("row").filter(has_text="First-contact resolution (agent")
    assert "82.0%" in row.inner_text() and "Green: on target" in row.inner_text()
    assert "60.0%" in row.inner_text() and "Red: off target" in row.inner_text()
    formula = row.get_by_text("100 * resolved_first_time")
    assert not formula.is_visible()
    row.get_by_text("How it is worked out").click()
    assert formula.is_visible()
    assert page.get_by_role("button", name="Print this report").is_visible()  # JavaScript is on

    check_page(page, "indicators")

    # Printed: no navigation, no buttons, the formulas shown, on A4 portrait (186 mm wide
    # between the margins, 703 CSS pixels).
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 703, "height": 1000})
    assert page.evaluate("document.documentElement.scrollWidth") <= 703  # nothing cut off
    assert not page.get_by_role("button", name="Print this report").is_visible()
    assert not page.locator(".govuk-service-navigation").is_visible()
    assert not page.get_by_role("link", name="Download as CSV").is_visible()
    keep_screenshot(page, "indicators-print")
    if SCREENSHOTS:
        page.pdf(path=f"{SCREENSHOTS}/indicators.pdf", format="A4")
    with page.expect_download() as download:
        page.emulate_media(media="screen")
        page.get_by_role("link", name="Download as CSV").click()
    assert download.value.suggested_filename == "indicators-2026-q1.csv"
