"""An administrator answers a subject access request in a real browser: opens the export from the
customer's single view, checks the page (and how it prints) and downloads the JSON."""

import json
import re
from pathlib import Path
from typing import Any

import pytest

from civicdesk.cases.services import add_note, raise_case
from civicdesk.catalogue.models import Sensitivity
from civicdesk.catalogue.services import create_service
from civicdesk.contacts.services import log_contact
from civicdesk.core.models import AuditAction, AuditEvent
from civicdesk.core.tests.browser import give_staff_password
from civicdesk.organisations.models import Role
from civicdesk.organisations.tests.factories import MembershipFactory, TeamFactory
from civicdesk.people.models import Consent
from civicdesk.people.services import create_customer, record_consent

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.browser


@pytest.fixture
def ada(council: Any, agent: Any) -> Any:
    """Ada Okafor, who rang about her neighbour, and an administrator to answer her request."""
    safety = TeamFactory(organisation=council, name="Community safety", slug="safety")
    officer = MembershipFactory(team=safety, role=Role.OFFICER).user
    asb = create_service(
        actor=None, organisation=council, name="Anti-social behaviour", owning_team=safety,
        sensitivity=Sensitivity.SENSITIVE, sla_value=5,
    )  # fmt: skip
    ada = create_customer(
        actor=agent, organisation=council, forenames="Ada", surname="Okafor",
        email="ada@example.org", needs_large_print=True,
    )  # fmt: skip
    record_consent(actor=agent, customer=ada, purpose=Consent.Purpose.SURVEYS, granted=True)
    log_contact(
        actor=agent, organisation=council, customer=ada, service=asb, channel="phone",
        outcome="case_raised", notes="Neighbour shouting through the letterbox",
    )  # fmt: skip
    case = raise_case(
        actor=agent, organisation=council, service=asb, customer=ada, channel="phone",
        description="Threats shouted through the letterbox every night",
    )  # fmt: skip
    add_note(actor=officer, case=case, text="Spoke to the housing officer")
    return ada


def test_an_administrator_prints_and_downloads_everything_held_about_a_customer(
    page: Any, live_server: Any, check_page: Any, council: Any, ada: Any
) -> None:
    corporate = TeamFactory(organisation=council, name="Corporate services", slug="corporate")
    administrator = MembershipFactory(team=corporate, role=Role.ADMINISTRATOR).user

    page.goto(f"{live_server.url}/staff/customers/{ada.reference}/")
    page.wait_for_url(re.compile(r"/staff/sign-in/"))
    give_staff_password(page, administrator.username)
    page.wait_for_url(re.compile(rf"/staff/customers/{ada.reference}/$"))

    page.get_by_role("link", name="Subject access request: everything we hold").click()
    page.wait_for_url(re.compile(r"/subject-access/$"))
    check_page(page, "subject-access")
    expect(page.get_by_role("heading", level=1)).to_have_text("Everything we hold about Ada Okafor")
    main = page.locator("main")
    expect(main).to_contain_text("Threats shouted through the letterbox every night")
    expect(main).to_contain_text("Spoke to the housing officer")  # an internal note
    expect(main).to_contain_text("Neighbour shouting through the letterbox")

    # On paper: no navigation, buttons or contents list; every section still there.
    page.emulate_media(media="print")
    expect(page.locator(".govuk-service-navigation")).to_be_hidden()
    expect(page.get_by_role("button", name="Print this page")).to_be_hidden()
    expect(
        page.get_by_role("heading", name="Who has seen or changed these records")
    ).to_be_visible()
    page.emulate_media(media="screen")
    expect(page.get_by_role("button", name="Print this page")).to_be_visible()

    with page.expect_download() as download:
        page.get_by_role("button", name="Download as JSON").click()
    assert download.value.suggested_filename.startswith(f"subject-access-{ada.reference}-")
    export = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert export["subject"] == {"reference": ada.reference, "name": "Ada Okafor"}
    [case] = export["sections"]["cases"]
    assert [event["text"] for event in case["events"] if event["kind"] == "Internal note"] == [
        "Spoke to the housing officer"
    ]

    audited = AuditEvent.objects.filter(
        actor=administrator, action=AuditAction.VIEWED_SENSITIVE, record_id=str(ada.pk)
    )
    assert sorted(entry.detail["format"] for entry in audited) == ["json", "page"]
