"""Residents and an agent use the portal in a real browser, with and without JavaScript.

Every page is checked for WCAG 2.2 AA failures axe can find. Set CIVICDESK_SCREENSHOTS to a
folder to keep a screenshot of each page.
"""

import re
from pathlib import Path
from typing import Any

import pytest

from civicdesk.cases.models import Attachment, Case
from civicdesk.core.references import parse_reference
from civicdesk.core.tests.browser import sign_in_staff
from civicdesk.people.services import create_customer
from civicdesk.portal.tests.conftest import PNG

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.browser


def _report_graffiti(page: Any, live_server: Any, check: Any, tmp_path: Path, js: bool) -> str:
    scripts = js
    page.goto(f"{live_server.url}/")
    check(page, "home", scripts=scripts)
    page.get_by_role("link", name="Report a problem").click()
    page.wait_for_url(re.compile(r"/report/$"))
    check(page, "choose", scripts=scripts)
    page.get_by_role("button", name="Continue").click()  # nothing chosen: an error
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select what it is about")
    if js:
        check(page, "choose-error")
    page.get_by_label("Graffiti removal").check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/location/$"))
    check(page, "location", scripts=scripts)
    page.get_by_label("Postcode").fill("km1 2ab")
    page.get_by_role("button", name="Find address").click()
    page.wait_for_url(re.compile(r"/address/$"))
    check(page, "address", scripts=scripts)
    page.get_by_label("Address", exact=True).select_option(
        label="12 Acacia Avenue, Kingsmere, KM1 2AB"
    )
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/questions/$"))
    check(page, "questions", scripts=scripts)
    page.get_by_label("A wall").check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/description/$"))
    check(page, "description", scripts=scripts)
    page.get_by_label("Describe the problem").fill("Blue tags along the garden wall")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/photos/$"))
    check(page, "photos", scripts=scripts)
    photo = tmp_path / "wall.png"
    photo.write_bytes(PNG)
    page.get_by_label("Upload photos (optional)").set_input_files(str(photo))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/details/$"))
    check(page, "details", scripts=scripts)
    page.get_by_label("Yes, I will give my contact details").check()
    page.get_by_label("First name").fill("Priya")
    page.get_by_label("Last name").fill("Shah")
    page.get_by_label("Email address").fill("priya@example.org")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/check/$"))
    check(page, "check", scripts=scripts)
    assert "wall.png" in page.locator(".govuk-summary-list").inner_text()
    page.get_by_role("button", name="Send request").click()
    page.wait_for_url(re.compile(r"/sent/$"))
    check(page, "confirmation", scripts=scripts)
    reference = page.locator(".govuk-panel__body strong").inner_text().strip()
    assert parse_reference(reference)[0] == "CAS"  # the check character may be * ~ $ = or U
    return reference


def _track(page: Any, live_server: Any, check: Any, reference: str, js: bool) -> None:
    page.get_by_role("link", name="track your request").click()
    page.wait_for_url(re.compile(r"/track/$"))
    check(page, "track", scripts=js)
    page.get_by_label("Reference").fill(reference)
    page.get_by_label("Email address or postcode").fill("PRIYA@example.org")
    page.get_by_role("button", name="Find my request").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Request {reference}")
    assert "Received" in page.locator(".govuk-summary-list").inner_text()
    if js:
        check(page, "tracked")


def test_resident_reports_graffiti_without_javascript(
    live_server, new_context, check_page, catalogue, tmp_path
):
    page = new_context(java_script_enabled=False).new_page()
    reference = _report_graffiti(page, live_server, check_page, tmp_path, js=False)
    case = Case.objects.get(reference=reference)
    assert case.channel == "web" and case.address == catalogue.home
    assert Attachment.objects.filter(case=case).count() == 1
    _track(page, live_server, check_page, reference, js=False)


def test_resident_reports_graffiti_with_javascript(
    live_server, page, check_page, catalogue, tmp_path
):
    reference = _report_graffiti(page, live_server, check_page, tmp_path, js=True)
    assert Case.objects.get(reference=reference).attributes == {"surface": "wall"}
    _track(page, live_server, check_page, reference, js=True)


def test_resident_finds_a_service(live_server, page, check_page, catalogue):
    page.goto(f"{live_server.url}/")
    page.get_by_label("Search for a service").fill("spray paint")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"/services/search/\?q="))
    check_page(page, "search")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Services A to Z").click()
    page.wait_for_url(re.compile(r"/services/$"))
    check_page(page, "a-to-z")
    page.get_by_role("link", name="G", exact=True).click()
    page.get_by_role("link", name="Graffiti removal").click()
    page.wait_for_url(re.compile(r"/services/graffiti-removal/$"))
    check_page(page, "service")
    expect(page.get_by_text("5 working days")).to_be_visible()
    page.get_by_role("button", name="Start now").click()
    page.wait_for_url(re.compile(r"/location/$"))


def test_agent_reports_for_a_caller(live_server, page, check_page, catalogue, agent, council):
    caller = create_customer(
        actor=None, organisation=council, forenames="Ada", surname="Lovelace",
        email="ada@example.org",
    )  # fmt: skip
    sign_in_staff(page, live_server, agent)
    page.goto(f"{live_server.url}/staff/customers/{caller.reference}/")
    page.get_by_role("link", name="Report or ask online for this caller").click()
    page.wait_for_url(re.compile(r"/report/\?customer="))
    check_page(page, "agent-choose")
    page.get_by_role("link", name="Ask a question instead").click()
    page.get_by_label("Council Tax bills").check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/channel/$"))
    check_page(page, "agent-channel")
    page.get_by_label("By phone").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("What is your question?").fill("Why has my bill gone up?")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/photos/$"))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/check/$"))
    check_page(page, "agent-check")
    assert "Ada Lovelace" in page.locator(".govuk-summary-list").inner_text()
    page.get_by_role("button", name="Send request").click()
    page.wait_for_url(re.compile(r"/sent/$"))
    check_page(page, "agent-confirmation")
    case = Case.objects.get()
    assert case.customer == caller and case.channel == "phone" and case.raised_by == agent
    page.get_by_role("link", name="Back to Ada Lovelace in the staff console").click()
    page.wait_for_url(re.compile(rf"/staff/customers/{caller.reference}/$"))
