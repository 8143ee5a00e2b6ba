"""Pages outside the journeys keep to the Content Security Policy too: the API's documentation
and Django's admin (the `context` fixture fails the test on any refusal)."""

import re
from pathlib import Path
from typing import Any

import pytest

from civicdesk.console.tests.test_browser_cases import CHROMIUM, PASSWORD
from civicdesk.organisations.tests.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium is not installed"),
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]


def test_the_api_documentation_and_the_admin_keep_to_the_policy(
    page: Any, live_server: Any, transactional_db: Any
) -> None:
    page.goto(f"{live_server.url}/api/v1/docs")
    assert page.get_by_role("heading", level=1).first.is_visible()

    administrator = UserFactory(password=PASSWORD, is_staff=True, is_superuser=True)
    page.goto(f"{live_server.url}/staff/sign-in/")
    page.get_by_label("Username").fill(administrator.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/staff/$"))
    page.goto(f"{live_server.url}/admin/organisations/user/{administrator.pk}/change/")
    assert page.get_by_role("heading", name="Change user").is_visible()
