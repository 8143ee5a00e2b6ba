"""The console's one Print button script, console/print.js: the pages meant for paper (the
indicators report, a subject access export) load it from our static files under the strict
Content Security Policy, with no inline copy; in a browser the button prints, and the report's
formulas are opened for the printer and closed again after."""

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from civicdesk.core.tests.browser import sign_in_staff
from civicdesk.insight.kpis import install_demo_indicators
from civicdesk.organisations.models import Role
from civicdesk.organisations.tests.factories import MembershipFactory, TeamFactory

# Counts the calls instead of opening the browser's print dialogue.
COUNT_PRINTS = "window.printed = 0; window.print = () => { window.printed += 1 }"
FORMULAS_OPEN = "[...document.querySelectorAll('[data-console-print-open]')].map(d => d.open)"


@pytest.fixture
def administrator(council: Any) -> Any:
    """Reads the indicators and answers subject access requests."""
    corporate = TeamFactory(organisation=council, name="Corporate services", slug="corporate")
    return MembershipFactory(team=corporate, role=Role.ADMINISTRATOR).user


@pytest.fixture
def paper_pages(council: Any, make_customer: Any) -> dict[str, str]:
    """Each page meant for paper, by the name of its Print button."""
    install_demo_indicators(organisation=council)
    ada = make_customer("Ada", "Okafor")
    return {
        "Print this report": reverse("console:indicators"),
        "Print this page": reverse("console:customer-subject-access", args=[ada.reference]),
    }


@pytest.mark.django_db
def test_each_page_for_paper_loads_the_one_print_script(
    client: Client, administrator: Any, paper_pages: dict[str, str]
) -> None:
    client.force_login(administrator)
    for button, url in paper_pages.items():
        response = client.get(url)
        html = response.content.decode()
        nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
        assert f'<script type="module" src="/static/console/print.js" nonce="{nonce}">' in html
        assert re.search(rf"<button [^>]*data-console-print>{button}</button>", html)
        assert "window.print" not in html  # no inline copy


@pytest.mark.browser
def test_the_print_buttons_print(
    page: Any, live_server: Any, administrator: Any, paper_pages: dict[str, str]
) -> None:
    page.add_init_script(COUNT_PRINTS)
    sign_in_staff(page, live_server, administrator)

    for button, url in paper_pages.items():
        page.goto(f"{live_server.url}{url}")
        page.get_by_role("button", name=button).click()
        assert page.evaluate("window.printed") == 1, url

    # The report's formulas: printed open, then as the reader left them (the first one open).
    page.goto(f"{live_server.url}{paper_pages['Print this report']}")
    page.get_by_text("How it is worked out").first.click()
    shown = page.evaluate(FORMULAS_OPEN)
    assert len(shown) > 1 and shown == [True] + [False] * (len(shown) - 1)
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert all(page.evaluate(FORMULAS_OPEN))
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    assert page.evaluate(FORMULAS_OPEN) == shown
