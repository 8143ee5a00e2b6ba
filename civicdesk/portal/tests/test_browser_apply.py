"""A resident applies for a Blue Badge in a real browser: signs in, answers every page, adds a
photo, pays £10 on the payment simulator and sees the reference; an officer of the case's team
then approves it in the console, and the approval letter is in the simulated outbox.

Every page is checked for WCAG 2.2 AA failures axe can find. Set CIVICDESK_SCREENSHOTS to a
folder to keep a screenshot of each page.
"""

import re
from typing import Any

import pytest

from civicdesk.catalogue.services import create_service
from civicdesk.core.tests.browser import sign_in_staff
from civicdesk.forms.demo import install_demo_forms
from civicdesk.forms.models import Application, ApplicationStatus
from civicdesk.notify.demo import install_demo_templates
from civicdesk.notify.models import Message, MessageEvent
from civicdesk.organisations.models import Role
from civicdesk.organisations.tests.factories import MembershipFactory, TeamFactory
from civicdesk.payments.models import Payment
from civicdesk.people import accounts
from civicdesk.places.tests.factories import AddressFactory, StreetFactory, WardFactory
from civicdesk.portal.tests.conftest import PNG

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.browser

RESIDENT_PASSWORD = "quiet-harbour-4127"
SUCCESS_CARD = "4000058260000005"
ADDRESS = "12 Acacia Avenue, Kingsmere, KM1 2AB"


@pytest.fixture
def blue_badge(council):
    team = TeamFactory(organisation=council, name="Blue Badges", slug="blue-badges")
    create_service(
        actor=None,
        organisation=council,
        name="Blue Badge",
        slug="blue-badge",
        owning_team=team,
        sla_value=20,
    )
    install_demo_forms(actor=None, organisation=council)
    install_demo_templates(actor=None, organisation=council)
    street = StreetFactory(organisation=council, name="Acacia Avenue")
    ward = WardFactory(organisation=council, name="Riverside")
    AddressFactory(
        organisation=council, street=street, ward=ward, postcode="KM1 2AB", pao_start_number=12
    )
    account = accounts.create_account(
        organisation=council,
        forenames="Priya",
        surname="Shah",
        email="priya@example.org",
        password=RESIDENT_PASSWORD,
        verify_link_for=lambda token: f"http://testserver/account/verify/{token}/",
        reset_link="http://testserver/account/password-reset/",
    )
    accounts.verify_email(token=accounts.verification_token(account))
    officer = MembershipFactory(team=team, role=Role.OFFICER).user
    return account, officer


def _answer(page: Any, question: str, answer: str) -> None:
    page.get_by_role("group", name=question).get_by_label(answer, exact=True).check()


def _continue(page: Any, expected: str) -> None:
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(expected)


def test_a_resident_applies_for_a_blue_badge_pays_and_an_officer_approves_it(
    live_server, page, new_context, check_page, blue_badge, tmp_path
):
    account, officer = blue_badge
    base = live_server.url

    page.goto(f"{base}/")
    page.get_by_role("link", name="Apply for something").click()
    page.wait_for_url(re.compile(r"/apply/$"))
    check_page(page, "list")
    page.get_by_role("link", name="Apply for a Blue Badge").click()
    page.wait_for_url(re.compile(r"/apply/apply-for-a-blue-badge/$"))
    check_page(page, "start-signed-out")
    expect(page.get_by_text("It costs £10.")).to_be_visible()
    page.get_by_role("button", name="Sign in and start").click()
    page.get_by_label("Email address").fill("priya@example.org")
    page.get_by_label("Password").fill(RESIDENT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/apply/apply-for-a-blue-badge/$"))
    check_page(page, "start")
    page.get_by_role("button", name="Start now").click()

    # Where you live: the postcode finds the address.
    page.wait_for_url(re.compile(r"/apply/apply-for-a-blue-badge/\d+/1/$"))
    check_page(page, "where-you-live")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("There is a problem")
    check_page(page, "where-you-live-errors")
    _answer(page, "Do you live in the borough?", "Yes")
    page.get_by_label("Your home address").fill("km1 2ab")
    page.get_by_role("button", name="Find address").click()
    page.get_by_label("Select the address").select_option(
        label="12 Acacia Avenue, Kingsmere, KM1 2AB"
    )
    _continue(page, "About you")
    check_page(page, "about-you")
    page.get_by_label("Full name").fill("Priya Shah")
    page.get_by_label("Day").fill("7")
    page.get_by_label("Month").fill("3")
    page.get_by_label("Year").fill("1950")
    page.get_by_label("Email address").fill("priya@example.org")
    _continue(page, "Disability Living Allowance")
    check_page(page, "dla")
    page.get_by_label("Higher rate").check()
    _continue(page, "Do you get Personal Independence Payment (PIP)?")
    check_page(page, "pip")
    page.get_by_label("No", exact=True).check()
    _continue(page, "Other benefits and conditions")
    check_page(page, "other-benefits")
    _answer(page, "Are you registered as severely sight impaired (blind)?", "No")
    _answer(page, "Do you get War Pensioners' Mobility Supplement?", "No")
    _answer(
        page,
        "Did you get a lump sum from the Armed Forces Compensation Scheme at tariff levels 1 to 8?",
        "No",
    )
    _continue(page, "Do you drive a vehicle regularly?")
    check_page(page, "driving")
    page.get_by_label("No", exact=True).check()
    _continue(page, "Children under 3")
    check_page(page, "children")
    for group in page.get_by_role("group").all():
        group.get_by_label("No", exact=True).check()
    _continue(page, "Evidence")  # no Walking page: higher-rate DLA qualifies on its own
    check_page(page, "evidence")
    photo = tmp_path / "priya.png"
    photo.write_bytes(PNG)
    page.get_by_label("A photo of your face").set_input_files(str(photo))
    _continue(page, "Check your answers before sending your application")
    check_page(page, "check")
    expect(page.locator("main")).to_contain_text("priya.png")
    expect(page.locator("main")).to_contain_text(ADDRESS)

    # Paying on the simulator.
    page.get_by_role("button", name="Pay £10 and send").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter card details")
    check_page(page, "card-details")
    page.get_by_label("Card number").fill(SUCCESS_CARD)
    page.get_by_label("Expiry date").fill("12/39")
    page.get_by_label("Name on card").fill("Priya Shah")
    page.get_by_label("Card security code").fill("123")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/apply/apply-for-a-blue-badge/\d+/sent/$"))
    check_page(page, "sent")
    expect(page.locator(".govuk-panel__title")).to_have_text("Application sent")
    reference = page.locator(".govuk-panel__body strong").inner_text().strip()

    application = Application.objects.get()
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.case.reference == reference
    assert application.customer == account.customer
    assert application.assessment.get("outcome")  # assessed, for the officer
    assert Payment.objects.get().status == "success"
    assert application.case.attachments.count() == 1

    page.get_by_role("link", name="See your application in your account").click()
    check_page(page, "account-application")
    page.goto(f"{base}/account/")
    check_page(page, "account")
    expect(page.locator("#applications + table")).to_contain_text(reference)

    # The officer approves it in the console.
    staff = new_context().new_page()
    sign_in_staff(staff, live_server, officer)
    staff.goto(f"{base}/staff/cases/{reference}/")
    check_page(staff, "officer-case")
    staff.get_by_role("button", name="Approve").first.click()
    staff.wait_for_url(re.compile(r"/application/approve/$"))
    check_page(staff, "officer-approve")
    staff.get_by_role("button", name="Approve").click()
    staff.wait_for_url(re.compile(rf"/staff/cases/{re.escape(reference)}/$"))
    check_page(staff, "officer-approved")

    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED and application.expires_on
    letter = Message.objects.get(event=MessageEvent.APPLICATION_APPROVED)
    assert letter.customer == account.customer and letter.about_reference == reference

    page.goto(f"{base}/account/")
    expect(page.locator("#applications + table")).to_contain_text("Approved")
    check_page(page, "account-approved")
