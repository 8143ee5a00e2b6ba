"""An agent's whole call in a real browser, with an accessibility check on every page.

Set CIVICDESK_SCREENSHOTS to a folder to keep a screenshot of each page.
"""

import datetime
import re

import pytest
from django.utils import timezone

from civicdesk.catalogue.services import create_service, publish_article
from civicdesk.contacts.services import log_contact
from civicdesk.core.tests.browser import sign_in_staff
from civicdesk.organisations.models import Role
from civicdesk.organisations.tests.factories import MembershipFactory
from civicdesk.people.models import Customer
from civicdesk.people.services import create_customer
from civicdesk.places.tests.factories import AddressFactory, StreetFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def call_centre_data(council, agent):
    """John Smith, who has rung about his bins before, and the bins article."""
    john = create_customer(
        actor=None,
        organisation=council,
        forenames="John",
        surname="Smith",
        date_of_birth=datetime.date(1958, 3, 14),
        interpreter_language="Polish",
    )
    create_customer(actor=None, organisation=council, forenames="Sarah", surname="Jones")
    bins = create_service(actor=None, organisation=council, name="Bin collections")
    publish_article(
        actor=None,
        service=bins,
        question="My bin was not emptied",
        answer="Crews come back within 2 working days.",
        script=["Confirm the collection day", "Report the missed bin"],
        last_reviewed_on=datetime.date(2026, 9, 1),
    )
    log_contact(
        actor=agent,
        organisation=council,
        customer=john,
        service=bins,
        channel="phone",
        outcome="resolved",
        notes="Asked for the collection calendar",
        started_at=timezone.now() - datetime.timedelta(days=7),
    )
    return john


def test_an_agent_finds_a_caller_and_logs_the_call(
    live_server, page, check_page, agent, call_centre_data
):
    sign_in_staff(page, live_server, agent, check=check_page)

    page.get_by_label("Search by name, postcode, phone, email, address or reference").fill(
        "Jon Smyth"
    )
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=Jon"))
    check_page(page, "results")
    assert page.get_by_role("link", name="Sarah Jones").count() == 0

    page.get_by_role("link", name="John Smith").click()
    page.wait_for_url(re.compile(r"/customers/CUS-"))
    check_page(page, "single-view")
    assert "Interpreter: Polish" in page.locator(".govuk-notification-banner").inner_text()

    # Three clicks from the single view: "Log a contact", the service, "Save contact".
    page.get_by_role("button", name="Log a contact").click()
    page.wait_for_url(re.compile(r"/contacts/new/$"))
    check_page(page, "choose-service")

    page.get_by_role("link", name="Bin collections").click()
    page.wait_for_url(re.compile(r"/contacts/new/\d+/$"))
    check_page(page, "contact-form")
    assert page.get_by_label("Phone").is_checked()
    assert page.get_by_label("Resolved at first contact").is_checked()
    assert page.get_by_text("Report the missed bin").is_visible()

    page.get_by_label("Notes").fill("Missed bin reported, crew back on Thursday")
    page.get_by_role("button", name="Save contact").click()
    page.wait_for_url(re.compile(r"/customers/CUS-[^/]+/$"))
    check_page(page, "contact-saved")
    assert "Contact saved" in page.locator(".govuk-notification-banner--success").inner_text()
    timeline = page.locator("#contacts + .console-table-wrapper tbody tr")
    assert "Missed bin reported, crew back on Thursday" in timeline.first.inner_text()
    assert "Asked for the collection calendar" in timeline.nth(1).inner_text()

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/staff/sign-in/"))
    check_page(page, "signed-out")
    assert page.get_by_text("You have signed out.").is_visible()


def test_an_agent_registers_a_new_caller_and_corrects_their_details(
    live_server, page, check_page, agent, council
):
    street = StreetFactory(organisation=council, name="Acacia Avenue")
    for number in (12, 14, 16):
        AddressFactory(
            organisation=council, street=street, postcode="KM1 2AB", pao_start_number=number
        )
    # Someone else of the same name and postcode, so the duplicate check has to be answered.
    create_customer(
        actor=None,
        organisation=council,
        forenames="Ada",
        surname="Lovelace",
        address=AddressFactory(organisation=council, street=street, postcode="KM1 2AB"),
    )
    sign_in_staff(page, live_server, agent, check=check_page)

    page.get_by_label("Search by name, postcode, phone, email, address or reference").fill(
        "Ada Lovelace"
    )
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=Ada"))
    check_page(page, "results")

    page.get_by_role("link", name="Ada Lovelace").wait_for()
    page.get_by_role("link", name="Register a customer").click()
    page.wait_for_url(re.compile(r"/customers/new/"))
    check_page(page, "form")
    assert page.get_by_label("First names").input_value() == "Ada"
    assert page.get_by_label("Last name").input_value() == "Lovelace"

    page.get_by_label("Day").fill("10")
    page.get_by_label("Month").fill("12")
    page.get_by_label("Year").fill("2185")
    page.get_by_label("Postcode").fill("km1 2ab")
    page.get_by_role("button", name="Find address").click()
    page.wait_for_load_state("load")
    check_page(page, "addresses-found")
    assert page.get_by_label("Year").input_value() == "2185"  # kept, not yet checked

    page.get_by_label("Address", exact=True).select_option(
        label="14 Acacia Avenue, Kingsmere, KM1 2AB"
    )
    page.get_by_label("Mobile number (optional)").fill("07700 900982")
    page.get_by_label("British Sign Language").check()
    page.get_by_role("button", name="Register customer").click()
    page.wait_for_load_state("load")
    check_page(page, "mistake")
    assert "Date of birth must be in the past" in page.locator(".govuk-error-summary").inner_text()

    page.get_by_label("Year").fill("1985")
    page.get_by_role("button", name="Register customer").click()
    page.wait_for_load_state("load")
    check_page(page, "possible-duplicate")
    assert page.get_by_role("heading", name="Check they are not already registered").is_visible()

    page.get_by_role("button", name="These are different people: register anyway").click()
    page.wait_for_url(re.compile(r"/customers/CUS-[^/]+/$"))
    check_page(page, "registered")
    customer = Customer.objects.latest("pk")
    banner = page.locator(".govuk-notification-banner--success").inner_text()
    assert f"Ada Lovelace registered. Their reference is {customer.reference}" in banner
    needs = page.locator(".govuk-notification-banner", has_text="Communication needs")
    assert "British Sign Language" in needs.inner_text()
    assert page.get_by_text("14 Acacia Avenue, Kingsmere, KM1 2AB").is_visible()

    page.get_by_role("link", name="Change details").click()
    page.wait_for_url(re.compile(r"/change/$"))
    check_page(page, "change-details")
    page.get_by_label("Email address (optional)").fill("ada@example.org")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url(re.compile(r"/customers/CUS-[^/]+/$"))
    check_page(page, "details-saved")
    assert "Details saved" in page.locator(".govuk-notification-banner--success").inner_text()
    assert page.get_by_text("ada@example.org").is_visible()


def test_a_team_leader_merges_a_duplicate_record(
    live_server, page, check_page, contact_centre, call_centre_data
):
    john = call_centre_data
    leader = MembershipFactory(team=contact_centre, role=Role.TEAM_LEADER).user
    street = StreetFactory(organisation=john.organisation, name="Acacia Avenue")
    duplicate = create_customer(
        actor=None,
        organisation=john.organisation,
        forenames="John",
        surname="Smith",
        email="john.smith@example.org",
        mobile="07700 900982",
        address=AddressFactory(
            organisation=john.organisation, street=street, postcode="KM1 2AB", pao_start_number=12
        ),
    )
    log_contact(
        actor=None,
        organisation=john.organisation,
        customer=duplicate,
        channel="email",
        outcome="resolved",
        notes="Asked when the garden waste collections start",
        started_at=timezone.now() - datetime.timedelta(days=30),
    )
    sign_in_staff(page, live_server, leader, check=check_page)

    page.goto(f"{live_server.url}/staff/customers/{john.reference}/")
    check_page(page, "single-view")
    page.get_by_role("link", name="Merge a duplicate record").click()
    page.wait_for_url(re.compile(r"/merge/$"))
    check_page(page, "question")

    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state("load")
    check_page(page, "no-reference")
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "Enter the customer reference of the duplicate record" in summary

    page.get_by_label("Customer reference of the duplicate record").fill(
        duplicate.reference.lower()
    )
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(rf"/merge/{re.escape(duplicate.reference)}/$"))
    check_page(page, "check")
    assert page.get_by_text("12 Acacia Avenue").is_visible()
    assert page.get_by_text("This cannot be undone.").is_visible()

    page.get_by_role("button", name="Merge records").click()
    page.wait_for_url(re.compile(rf"/customers/{re.escape(john.reference)}/$"))
    check_page(page, "merged")
    banner = page.locator(".govuk-notification-banner--success").inner_text()
    assert f"Records merged. {duplicate.reference} now leads to this record." in banner
    assert page.get_by_text("john.smith@example.org").is_visible()
    assert page.get_by_text("Asked when the garden waste collections start").is_visible()
    assert Customer.objects.get(pk=duplicate.pk).merged_into_id == john.pk
