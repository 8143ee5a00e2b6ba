"""A resident answers a survey in a real browser; every page passes axe's WCAG 2.2 AA checks."""

import datetime
import re

import pytest

from civicdesk.surveys.models import SurveyInvitation
from civicdesk.surveys.services import survey_token

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.browser


def test_a_resident_answers_a_survey(
    live_server, new_context, check_page, council, make_customer, make_contact, now
):
    customer = make_customer()
    invitation = SurveyInvitation.objects.create(
        organisation=council, customer=customer, contact=make_contact(customer), channel="email",
        sent_at=now, expires_at=now + datetime.timedelta(days=14),
    )  # fmt: skip
    page = new_context().new_page()
    page.goto(f"{live_server.url}/survey/{survey_token(invitation)}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tell us how we did")
    check_page(page, "survey")

    page.get_by_role("button", name="Send your answers").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select how satisfied you are")
    check_page(page, "survey with errors")

    page.get_by_label("Satisfied", exact=True).check()
    page.get_by_role("group", name=re.compile("resolved")).get_by_label("Yes").check()
    page.get_by_label("Is there anything you would like to tell us?").fill("Friendly and quick")
    expect(page.locator(".govuk-character-count__status")).to_contain_text("982 characters")
    page.get_by_role("button", name="Send your answers").click()
    page.wait_for_url(re.compile(r"/thank-you/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for your answers")
    check_page(page, "thank you")

    invitation.refresh_from_db()
    assert (invitation.rating, invitation.resolved, invitation.comment) == (
        4, True, "Friendly and quick",
    )  # fmt: skip
