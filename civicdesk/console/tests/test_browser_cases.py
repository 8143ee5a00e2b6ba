"""A case from the first call to the closing email, in a real browser, as the people do it.

An agent in the contact centre takes a call about a missed bin and raises a case; an officer
of the crew the service routes to works it and closes it; the database-backed worker sends
the messages through the Notify simulator; staff then read the closing email as it was sent.
Every page is checked for WCAG 2.2 AA failures axe can find.

Set CIVICDESK_SCREENSHOTS to a folder to keep a screenshot of each page, numbered in the
order they were seen.
"""

import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from civicdesk.cases.models import Case, CaseStatus, EventKind, ResolutionCode
from civicdesk.cases.services import raise_case
from civicdesk.catalogue.models import RoutingRule, Service
from civicdesk.catalogue.services import create_service, set_interaction
from civicdesk.console.views.raise_case import when
from civicdesk.contacts.models import Contact, Outcome
from civicdesk.contacts.services import log_contact
from civicdesk.core.tests.browser import sign_in_staff
from civicdesk.insight.services import refresh as refresh_rollups
from civicdesk.notify.demo import install_demo_templates
from civicdesk.notify.models import DeliveryStatus, Message, MessageChannel, MessageEvent
from civicdesk.notify.tasks import send_message_task
from civicdesk.organisations.models import Role, Team
from civicdesk.organisations.tests.factories import MembershipFactory, TeamFactory, UserFactory
from civicdesk.people.models import Customer
from civicdesk.people.services import create_customer
from civicdesk.places.tests.factories import AddressFactory, StreetFactory, WardFactory

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.browser

SEARCH = "Search by name, postcode, phone, email, address or reference"
SUCCESS = ".govuk-notification-banner--success .govuk-notification-banner__content"

DESCRIPTION = "Green bin not emptied on Tuesday. The rest of the street was done."
NOTE = "Crew sheet says the bin was blocked by a parked van."
UPDATE = "A crew will come back for your green bin on Thursday morning."
CLOSING = "We emptied your green bin this morning. Sorry it was missed."


@dataclass(frozen=True)
class BinRound:
    customer: Customer
    namesake: Customer
    missed_bin: Service
    crew: Team
    officer: Any


@pytest.fixture
def bin_round(council, settings) -> BinRound:
    """Priya Shah of 12 Acacia Avenue, who prefers email, and a namesake across town; "Missed
    bin", owned by Waste services but routed in Riverside ward to the Riverside crew, whose
    queue already holds two other cases; the council's default message wording."""
    settings.CIVICDESK_NOTIFY_BACKEND = "simulator"  # whatever the environment says
    install_demo_templates(actor=None, organisation=council)
    riverside = WardFactory(organisation=council, name="Riverside")
    acacia = StreetFactory(organisation=council, name="Acacia Avenue")
    home = AddressFactory(
        organisation=council, street=acacia, ward=riverside, postcode="KM1 2AB", pao_start_number=12
    )
    across_town = AddressFactory(
        organisation=council,
        street=StreetFactory(organisation=council, name="Mill Lane"),
        postcode="KM4 7QT",
        pao_start_number=3,
    )
    waste = TeamFactory(organisation=council, name="Waste services", slug="waste-services")
    crew = TeamFactory(organisation=council, name="Riverside crew", slug="riverside-crew")
    officer = MembershipFactory(
        team=crew,
        role=Role.OFFICER,
        user=UserFactory(first_name="Omar", last_name="Okoro", username="omar.okoro"),
    ).user
    missed_bin = create_service(
        actor=None, organisation=council, name="Missed bin", owning_team=waste, sla_value=2
    )
    fly_tipping = create_service(
        actor=None, organisation=council, name="Fly-tipping", owning_team=waste, sla_value=5
    )
    for service in (missed_bin, fly_tipping):
        RoutingRule.objects.create(service=service, ward=riverside, team=crew)
    create_service(actor=None, organisation=council, name="Council Tax")
    # Already in the crew's queue: reported by people who gave no name, so nobody is messaged.
    raise_case(
        actor=None,
        organisation=council,
        service=missed_bin,
        description="Black bin missed",
        channel="web",
        address=AddressFactory(
            organisation=council, street=acacia, ward=riverside, pao_start_number=40
        ),
        priority="low",
    )
    raise_case(
        actor=None,
        organisation=council,
        service=fly_tipping,
        description="Mattress dumped by the recycling bank",
        channel="phone",
        address=AddressFactory(
            organisation=council, street=acacia, ward=riverside, pao_start_number=2
        ),
    )
    customer = create_customer(
        actor=None,
        organisation=council,
        forenames="Priya",
        surname="Shah",
        email="priya.shah@example.org",
        mobile="07700 900456",
        preferred_channel="email",
        address=home,
    )
    namesake = create_customer(
        actor=None, organisation=council, forenames="Priya", surname="Shah", address=across_town
    )
    return BinRound(customer, namesake, missed_bin, crew, officer)


def banner(page: Any) -> str:
    """What the success banner says, without its "Success" title."""
    return page.locator(SUCCESS).inner_text().strip()


def test_a_missed_bin_from_the_call_to_the_closing_email(
    live_server, page, new_context, check_page, run_tasks, agent, bin_round
):
    customer, officer = bin_round.customer, bin_round.officer
    started = timezone.now()

    # 1. The contact centre: Priya rings about her bin.
    sign_in_staff(page, live_server, agent, check=check_page)
    page.get_by_label(SEARCH).fill("Priya Shah")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=Priya"))
    check_page(page, "agent-results")
    results = page.get_by_role("row").filter(has=page.get_by_role("link", name="Priya Shah"))
    assert results.count() == 2  # the agent checks the address to pick the right one
    results.filter(has_text="12 Acacia Avenue").get_by_role("link", name="Priya Shah").click()
    page.wait_for_url(re.compile(rf"/customers/{re.escape(customer.reference)}/$"))
    check_page(page, "agent-single-view")
    assert page.get_by_text("priya.shah@example.org").is_visible()
    assert page.get_by_text("No cases.").is_visible()

    page.get_by_role("button", name="Log a contact").click()
    page.wait_for_url(re.compile(r"/contacts/new/$"))
    check_page(page, "agent-choose-service")
    page.get_by_label("Service", exact=True).select_option(label="Missed bin")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(rf"/contacts/new/{bin_round.missed_bin.pk}/$"))
    check_page(page, "agent-contact-form")
    assert page.get_by_label("Phone").is_checked()
    page.get_by_label("Case raised").check()
    page.get_by_label("Notes").fill("Green bin missed on Tuesday")
    page.get_by_role("button", name="Save contact").click()
    page.wait_for_url(re.compile(r"/cases/new/\d+/\?contact=\d+$"))
    check_page(page, "agent-raise-case")
    assert "Contact saved. Now raise the case." in banner(page)
    assert page.get_by_text("How did they get in touch?").count() == 0  # the contact's channel
    home = page.get_by_label("12 Acacia Avenue, Kingsmere, KM1 2AB")
    assert home.is_checked()  # preselected: the caller's own address
    home.check()
    page.get_by_label("What is the problem?").fill(DESCRIPTION)
    page.get_by_role("button", name="Raise case").click()
    page.wait_for_url(re.compile(r"/staff/cases/CAS-[^/]+/$"))
    check_page(page, "agent-case-raised")
    case = Case.objects.get(customer=customer)
    assert banner(page) == (
        f"Case raised. The reference is {case.reference}: read it out to the caller. "
        f"It is due to be resolved by {when(case.resolution_due_at)}."
    )
    summary = page.locator(".govuk-summary-list").first.inner_text()
    assert "Riverside crew" in summary  # routed by ward, not to the owning team
    assert "Nobody yet" in summary

    # The worker sends the acknowledgement; the simulator "delivers" it.
    sent = run_tasks()
    assert [result.task_path for result in sent] == [send_message_task.module_path]
    page.reload()
    check_page(page, "agent-acknowledgement-sent")
    messages = page.locator("#messages + .console-table-wrapper tbody tr")
    assert messages.count() == 1
    assert "Request received" in messages.first.inner_text()
    assert "Delivered" in messages.first.inner_text()

    # 2. The back office: an officer of the Riverside crew, in a browser of their own.
    officer_page = new_context().new_page()
    sign_in_staff(officer_page, live_server, officer, check=check_page)
    officer_page.get_by_role("link", name="Queues").click()
    officer_page.wait_for_url(re.compile(r"/staff/queues/riverside-crew/$"))
    check_page(officer_page, "officer-queue")
    assert officer_page.locator("#queue-count").inner_text().startswith("Showing 1 to 3 of 3 cases")
    officer_page.get_by_label("Service", exact=True).select_option(label="Missed bin")
    officer_page.get_by_label("Sort by").select_option(label="Newest")
    officer_page.get_by_role("button", name="Apply filters").click()
    officer_page.wait_for_url(re.compile(r"sort=opened"))
    check_page(officer_page, "officer-queue-filtered")
    assert officer_page.locator("#queue-count").inner_text().startswith("Showing 1 to 2 of 2 cases")
    newest = officer_page.locator(".console-queue tbody tr").first
    assert "Priya Shah" in newest.inner_text()
    assert "12 Acacia Avenue" in newest.inner_text()
    newest.get_by_role("link", name=case.reference).click()
    officer_page.wait_for_url(re.compile(rf"/staff/cases/{re.escape(case.reference)}/$"))
    check_page(officer_page, "officer-case")
    assert officer_page.get_by_text(DESCRIPTION).is_visible()

    officer_page.get_by_role("button", name="Assign to me").click()
    # The same address again: wait for the new page's banner, not just any loaded page.
    expect(officer_page.locator(SUCCESS)).to_be_visible()
    check_page(officer_page, "officer-assigned")
    assert "Case assigned to you" in banner(officer_page)
    assert "Omar Okoro" in officer_page.locator(".govuk-summary-list").first.inner_text()
    assert officer_page.get_by_role("button", name="Assign to me").count() == 0

    officer_page.get_by_role("link", name="Change status").click()
    officer_page.wait_for_url(re.compile(r"/status/$"))
    check_page(officer_page, "officer-change-status")
    officer_page.get_by_label("In progress").check()
    officer_page.get_by_role("button", name="Change status").click()
    officer_page.wait_for_url(re.compile(rf"/staff/cases/{re.escape(case.reference)}/$"))
    check_page(officer_page, "officer-in-progress")
    assert "Status changed to in progress" in banner(officer_page)

    officer_page.get_by_label("Add an internal note").fill(NOTE)
    officer_page.get_by_role("button", name="Add note").click()
    expect(officer_page.locator(SUCCESS)).to_contain_text("Note added")
    check_page(officer_page, "officer-note-added")
    assert "Note added" in banner(officer_page)
    assert officer_page.locator(".console-timeline").get_by_text(NOTE).is_visible()

    officer_page.get_by_role("link", name="Add an update for the customer").click()
    officer_page.wait_for_url(re.compile(r"/update/$"))
    check_page(officer_page, "officer-update")
    officer_page.get_by_label("Update for the customer").fill(UPDATE)
    officer_page.get_by_role("button", name="Send update").click()
    officer_page.wait_for_url(re.compile(rf"/staff/cases/{re.escape(case.reference)}/$"))
    check_page(officer_page, "officer-update-sent")
    assert "Update for the customer added" in banner(officer_page)
    assert officer_page.locator(".console-timeline").get_by_text(UPDATE).is_visible()

    officer_page.get_by_role("link", name="Close the case").click()
    officer_page.wait_for_url(re.compile(r"/close/$"))
    check_page(officer_page, "officer-close")
    officer_page.get_by_label(str(ResolutionCode.DONE.label)).check()
    officer_page.get_by_label("Message for the customer").fill(CLOSING)
    officer_page.get_by_role("button", name="Close case").click()
    officer_page.wait_for_url(re.compile(rf"/staff/cases/{re.escape(case.reference)}/$"))
    check_page(officer_page, "officer-closed")
    assert "Case closed" in banner(officer_page)
    summary = officer_page.locator(".govuk-summary-list").first.inner_text()
    assert "Closed" in summary
    assert str(ResolutionCode.DONE.label) in summary
    assert officer_page.get_by_role("link", name="Reopen the case").is_visible()

    # 3. The worker sends the update and the closing email; staff read what Priya was sent.
    sent = run_tasks()
    assert [result.task_path for result in sent] == [send_message_task.module_path] * 2
    page.get_by_role("link", name="Priya Shah").click()
    page.wait_for_url(re.compile(rf"/customers/{re.escape(customer.reference)}/$"))
    check_page(page, "agent-single-view-after")
    row = page.locator("#cases + .console-table-wrapper tbody tr").first
    assert case.reference in row.inner_text()
    assert "Closed" in row.inner_text()
    assert "Finished" in row.inner_text()
    messages = page.locator("#messages + .console-table-wrapper tbody tr")
    # Each link also says when, for screen readers: "Request closed sent 4 May 2026".
    titles = messages.get_by_role("link").all_inner_texts()
    assert [title.split(" sent ")[0].strip() for title in titles] == [
        "Request closed",
        "Progress update",
        "Request received",
    ]
    for line in messages.all_inner_texts():
        assert "Email" in line
        assert "Delivered" in line

    messages.first.get_by_role("link", name=re.compile("^Request closed")).click()
    page.wait_for_url(re.compile(r"/staff/messages/\d+/$"))
    check_page(page, "agent-closing-email")
    assert page.get_by_role("heading", level=1).inner_text() == "Request closed"
    details = page.locator(".govuk-summary-list").inner_text()
    assert "Delivered" in details
    assert "priya.shah@example.org" in details
    assert case.reference in details
    email = page.locator(".notify-message")
    assert email.locator(".notify-message__subject").inner_text() == (
        f"Your request is closed: {case.reference}"
    )
    body = email.locator(".notify-message__body").inner_text()
    assert "Hello Priya Shah," in body
    assert CLOSING in body

    # What the database holds.
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    assert case.resolution_code == ResolutionCode.DONE
    assert case.team == bin_round.crew
    assert case.assignee == officer
    assert case.address == customer.address
    assert case.channel == "phone"
    assert case.source_contact == Contact.objects.get(customer=customer)
    assert case.source_contact.outcome == Outcome.CASE_RAISED
    assert case.first_response_at is not None
    assert case.closed_at is not None
    events = {event.kind: event for event in case.events.all()}
    assert events.keys() >= {
        EventKind.RAISED,
        EventKind.ASSIGNED,
        EventKind.STATUS_CHANGED,
        EventKind.NOTE,
        EventKind.PUBLIC_UPDATE,
        EventKind.CLOSED,
        EventKind.MESSAGE_SENT,
    }
    assert events[EventKind.NOTE].text == NOTE and not events[EventKind.NOTE].is_public
    assert events[EventKind.PUBLIC_UPDATE].text == UPDATE
    assert events[EventKind.CLOSED].text == CLOSING
    assert case.events.filter(kind=EventKind.MESSAGE_SENT).count() == 3
    moves = case.events.filter(kind=EventKind.STATUS_CHANGED).order_by("occurred_at", "id")
    assert [(move.data["from"], move.data["to"]) for move in moves] == [
        (CaseStatus.OPEN, CaseStatus.ASSIGNED),
        (CaseStatus.ASSIGNED, CaseStatus.IN_PROGRESS),
        (CaseStatus.IN_PROGRESS, CaseStatus.CLOSED),
    ]
    # Three emails, and nothing else: status changes and notes send nothing.
    sent_messages = Message.objects.filter(about_reference=case.reference).order_by(
        "created_at", "id"
    )
    assert [message.event for message in sent_messages] == [
        MessageEvent.ACKNOWLEDGEMENT,
        MessageEvent.UPDATE,
        MessageEvent.CLOSURE,
    ]
    for message in sent_messages:
        assert message.customer == customer
        assert message.channel == MessageChannel.EMAIL
        assert message.recipient == "priya.shah@example.org"
        assert message.status == DeliveryStatus.DELIVERED
        assert message.completed_at >= started
    assert UPDATE in sent_messages[1].body
    assert CLOSING in sent_messages[2].body
    assert Message.objects.count() == 3  # the namesake and the anonymous reporters got nothing
    assert not Message.objects.filter(customer=bin_round.namesake).exists()


# Figures: a manager reads e-enablement and channel shift (insight dashboards join here).


def test_a_manager_reads_the_e_enablement_figures(
    page: Any, live_server: Any, check_page: Any, council: Any, contact_centre: Any
) -> None:
    manager = MembershipFactory(team=contact_centre, role=Role.MANAGER).user
    tips = create_service(
        actor=None, organisation=council, name="Recycling", interaction_types=[0, 8],
        channels=["phone", "web"],
    )  # fmt: skip
    set_interaction(actor=None, service=tips, interaction_type=0, channels=["face_to_face"])
    for channel in ("phone", "web", "web", "email"):
        log_contact(
            actor=manager, organisation=council, channel=channel, outcome="resolved",
            service=tips, started_at=timezone.now(),
        )  # fmt: skip
    refresh_rollups(organisation=council)  # as the worker does every minute

    sign_in_staff(page, live_server, manager, check=check_page)
    page.get_by_role("link", name="Figures").click()
    page.wait_for_url("**/staff/insight/")
    page.get_by_role("link", name="E-enablement and channel shift").click()
    page.wait_for_url("**/staff/insight/e-enablement/")
    check_page(page, "e-enablement")

    text = page.locator("main").inner_text()
    assert "50.0%" in text  # information on the web: yes; applying only at the counter: no
    assert "75.0%" in text  # three of the quarter's four contacts were digital
    page.get_by_text("Every service and interaction type").click()
    check_page(page, "e-enablement-details")
