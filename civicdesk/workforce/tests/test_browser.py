"""A manager reads the workforce plan in a real browser, with an accessibility check.

Set CIVICDESK_SCREENSHOTS to a folder to keep a screenshot of the page.
"""

import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from civicdesk.workforce.tests.conftest import PASSWORD, WEEK, at

expect = pytest.importorskip("playwright.sync_api").expect
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium is not installed"),
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"],
    }


def check(page: Any, name: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    page.wait_for_load_state("load")
    if folder := os.environ.get("CIVICDESK_SCREENSHOTS", ""):
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{folder}/workforce-{name}.png", full_page=True)
    results = Axe().run(
        page,
        options={"runOnly": {"type": "tag", "values": WCAG_22_AA}, "resultTypes": ["violations"]},
    )
    assert results.violations_count == 0, f"{name}: {results.generate_report()}"


def test_a_manager_reads_the_workforce_plan(
    page: Any, live_server: Any, manager: Any, standard: Any, rota: Any, make_forecast_slots: Any
) -> None:
    make_forecast_slots(
        {
            at(WEEK, 8 + n // 2, 30 * (n % 2)): [6, 14, 25, 40, 55, 70, 80][min(n, 6)]
            for n in range(20)
        }
    )
    page.goto(f"{live_server.url}/staff/")
    page.wait_for_url(re.compile(r"/staff/sign-in/"))
    page.get_by_label("Username").fill(manager.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/staff/$"))

    page.goto(f"{live_server.url}/staff/insight/workforce/?channel=phone&week={WEEK.isoformat()}")
    check(page, "plan")

    main = page.locator("main")
    expect(main.get_by_role("heading", level=1)).to_have_text("Workforce plan: Phone")
    expect(main).to_contain_text("Over the last 4 weeks the forecast was out by 12.3%")
    expect(main.get_by_role("img")).to_have_attribute("aria-label", re.compile("short of agents"))
    expect(main.get_by_role("row", name=re.compile("^12:00 to 12:30"))).to_contain_text("short")

    main.get_by_role("link", name=re.compile("Tuesday")).click()
    check(page, "tuesday")
    expect(main).to_contain_text("Nothing is forecast and nobody is rostered on this day.")
