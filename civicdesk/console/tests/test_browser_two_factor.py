"""A member of staff sets up an authenticator app on their first sign-in, then signs in with a
code, in a real browser with an accessibility check on every page.

Set CIVICDESK_SCREENSHOTS to a folder to keep a screenshot of each page.
"""

import re
import time

import pytest

from civicdesk.core.tests.browser import give_staff_password
from civicdesk.organisations import totp

pytestmark = pytest.mark.browser


def test_an_agent_sets_up_an_app_then_signs_in_with_a_code(
    live_server, page, check_page, agent, settings
):
    settings.CIVICDESK_STAFF_TWO_FACTOR = True

    page.goto(f"{live_server.url}/staff/")
    give_staff_password(page, agent.username)
    page.wait_for_url(re.compile(r"/staff/sign-in/set-up/$"))
    check_page(page, "set-up")
    key = totp.key_bytes(page.locator("#setup-key").inner_text())

    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Continue").click()
    check_page(page, "set-up-wrong-code")
    assert "The code is not right" in page.locator(".govuk-error-summary").inner_text()

    page.get_by_label("Code").fill(totp.totp(key, time.time()))
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Save your recovery codes").wait_for()
    check_page(page, "recovery-codes")
    assert page.locator(".console-recovery-codes li").count() == 10

    page.get_by_role("button", name="I have saved my recovery codes").click()
    page.wait_for_url(re.compile(r"/staff/$"))
    page.get_by_role("link", name=agent.get_full_name()).click()
    page.wait_for_url(re.compile(r"/staff/account/$"))
    check_page(page, "account")
    assert "10 left" in page.locator(".govuk-summary-list").inner_text()

    page.get_by_role("button", name="Sign out", exact=True).click()
    page.wait_for_url(re.compile(r"/staff/sign-in/"))
    page.goto(f"{live_server.url}/staff/")
    give_staff_password(page, agent.username)
    page.wait_for_url(re.compile(r"/staff/sign-in/code/$"))
    check_page(page, "code")
    page.get_by_text("I cannot use my authenticator app").click()
    check_page(page, "code-help")

    # The next step's code: the one shown now may be the set-up code, which cannot be reused.
    page.get_by_label("Code").fill(totp.totp(key, time.time() + totp.STEP_SECONDS))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/staff/$"))
    assert page.get_by_role("button", name="Sign out", exact=True).is_visible()
