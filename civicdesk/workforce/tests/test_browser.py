"""A manager reads the workforce plan in a real browser, with an accessibility check.

Set CIVICDESK_SCREENSHOTS to a folder to keep a screenshot of the page.
"""

import re
from typing import Any

import pytest

from civicdesk.core.tests.browser import sign_in_staff
from civicdesk.workforce.tests.conftest import WEEK, at

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.browser


def test_a_manager_reads_the_workforce_plan(
    page: Any,
    live_server: Any,
    check_page: Any,
    manager: Any,
    standard: Any,
    rota: Any,
    make_forecast_slots: Any,
) -> None:
    make_forecast_slots(
        {
            at(WEEK, 8 + n // 2, 30 * (n % 2)): [6, 14, 25, 40, 55, 70, 80][min(n, 6)]
            for n in range(20)
        }
    )
    sign_in_staff(page, live_server, manager)

    page.goto(f"{live_server.url}/staff/insight/workforce/?channel=phone&week={WEEK.isoformat()}")
    check_page(page, "plan")

    main = page.locator("main")
    expect(main.get_by_role("heading", level=1)).to_have_text("Workforce plan: Phone")
    expect(main).to_contain_text("Over the last 4 weeks the forecast was out by 12.3%")
    expect(main.get_by_role("img")).to_have_attribute("aria-label", re.compile("short of agents"))
    expect(main.get_by_role("row", name=re.compile("^12:00 to 12:30"))).to_contain_text("short")

    main.get_by_role("link", name=re.compile("Tuesday")).click()
    check_page(page, "tuesday")
    expect(main).to_contain_text("Nothing is forecast and nobody is rostered on this day.")
