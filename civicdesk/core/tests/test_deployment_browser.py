"""Pages outside the journeys keep to the Content Security Policy too: the API's documentation
and Django's admin (the `context` fixture fails the test on any refusal)."""

from typing import Any

import pytest

from civicdesk.core.tests.browser import sign_in_staff
from civicdesk.organisations.tests.factories import UserFactory

pytestmark = pytest.mark.browser


def test_the_api_documentation_and_the_admin_keep_to_the_policy(
    page: Any, live_server: Any, transactional_db: Any
) -> None:
    page.goto(f"{live_server.url}/api/v1/docs")
    assert page.get_by_role("heading", level=1).first.is_visible()

    administrator = UserFactory(is_staff=True, is_superuser=True)
    sign_in_staff(page, live_server, administrator)
    page.goto(f"{live_server.url}/admin/organisations/user/{administrator.pk}/change/")
    assert page.get_by_role("heading", name="Change user").is_visible()
