"""A resident pays on the simulator's pages in a real browser: the success card, then the
declined one. Every page is checked for WCAG 2.2 AA failures axe can find."""

import re

import pytest

from civicdesk.payments.models import Payment

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.browser


def _pay(page, live_server, start):
    payment = start(base=live_server.url)
    page.goto(f"{live_server.url}{payment.next_url}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter card details")
    return payment


def test_resident_pays_then_is_declined(live_server, page, check_page, start):
    payment = _pay(page, live_server, start)
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a card number")
    check_page(page, "card-errors")
    page.get_by_label("Card number").fill("4000 0582 6000 0005")
    page.get_by_label("Expiry date").fill("12/39")
    page.get_by_label("Name on card").fill("Ada Lovelace")
    page.get_by_label("Card security code").fill("123")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/payments/return/"))
    expect(page.locator(".govuk-panel__title")).to_have_text("Payment received")
    check_page(page, "paid")
    assert Payment.objects.get(pk=payment.pk).status == "success"

    declined = _pay(page, live_server, start)
    check_page(page, "card")
    page.get_by_label("Card number").fill("4000000000000002")
    page.get_by_label("Expiry date").fill("12/39")
    page.get_by_label("Name on card").fill("Ada Lovelace")
    page.get_by_label("Card security code").fill("123")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/payments/return/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your payment was not taken")
    check_page(page, "declined")
    declined.refresh_from_db()
    assert (declined.status, declined.failure_code) == ("failed", "P0010")
