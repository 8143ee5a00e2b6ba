"""A resident creates an account, confirms the address from the (simulated) email, signs in
and sees "Your account", in a real browser; every page checked for WCAG 2.2 AA failures axe
can find."""

import re

import pytest

from civicdesk.notify.demo import install_demo_templates
from civicdesk.notify.models import Message, MessageEvent
from civicdesk.people.models import PortalAccount

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.browser

PASSWORD = "quiet-harbour-4127"


def test_a_resident_creates_an_account_confirms_it_and_signs_in(
    transactional_db, live_server, page, council, check_page, settings
):
    settings.CIVICDESK_NOTIFY_BACKEND = "simulator"
    install_demo_templates(actor=None, organisation=council)

    page.goto(f"{live_server.url}/account/create/")
    check_page(page, "create-account")
    page.get_by_role("button", name="Create account").click()
    check_page(page, "create-account-errors")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your first name")

    page.get_by_label("First name").fill("Priya")
    page.get_by_label("Last name").fill("Shah")
    page.get_by_label("Email address").fill("priya.shah@example.org")
    page.get_by_label("Create a password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(re.compile(r"/account/create/check-email/$"))
    check_page(page, "check-your-email")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")

    # The simulated email, as stored by notify.
    message = Message.objects.get(event=MessageEvent.VERIFY_EMAIL)
    assert message.recipient == "priya.shah@example.org"
    assert message.personalisation["url"] in message.body
    page.goto(message.personalisation["url"])
    page.wait_for_url(re.compile(r"/account/sign-in/$"))
    check_page(page, "sign-in-confirmed")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Your email address is confirmed"
    )
    assert PortalAccount.objects.get().is_verified

    page.get_by_label("Email address").fill("priya.shah@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/account/$"))
    check_page(page, "your-account")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    expect(page.get_by_text("You have no requests with us.")).to_be_visible()

    page.get_by_role("link", name="Change how we contact you").click()
    page.wait_for_url(re.compile(r"/account/preferences/$"))
    check_page(page, "preferences")
    page.get_by_label("Text message", exact=True).check()
    page.get_by_label("Mobile number for text messages").fill("07700 900123")
    page.get_by_label("Large print letters").check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/account/$"))
    expect(page.locator(".govuk-summary-list")).to_contain_text("Large print")

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state("load")
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
