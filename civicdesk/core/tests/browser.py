"""What every browser test shares: Debian's Chromium, the checks each page must pass, and
signing a member of staff in through the console.

A test marked `browser` is skipped where Chromium or Playwright is missing, and its `context`,
`new_context` and `check_page` fixtures come from civicdesk/conftest.py.
"""

import importlib.util
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from civicdesk.core.tests.accessibility import assert_accessible
from civicdesk.organisations.tests.factories import PASSWORD

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Playwright cannot download its own browser here (STACK.md): Debian's, quiet and offline.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = os.environ.get("CIVICDESK_SCREENSHOTS", "")
# What a server answers with a 4xx on purpose (a form with mistakes is a 400 page); the test
# reads that page, so the browser's note of the status is no fault of it.
_ANSWERED_4XX = "Failed to load resource: the server responded with a status of 4"


def missing() -> str:
    """Why browser tests cannot run here, or "" when they can."""
    if importlib.util.find_spec("playwright") is None:
        return "Playwright is not installed"
    if not Path(CHROMIUM).exists():
        return "Chromium is not installed"
    return ""


def _expected(message: Any) -> bool:
    """A 4xx for the page itself, or for the icon Chromium asks for unbidden on pages (such as
    the API's documentation) that name none."""
    if not message.text.startswith(_ANSWERED_4XX):
        return False
    url = message.location.get("url", "")
    return url == (message.page.url if message.page else "") or url.endswith("/favicon.ico")


def watch_for_faults(context: Any, faults: list[str]) -> None:
    """Note every fault of any page the context shows: a refusal under the Content Security
    Policy (an inline script or style without the nonce, say), a script's uncaught error, or
    any other error the browser reports."""

    def seen(message: Any) -> None:
        refused = "Content Security Policy" in message.text
        if refused or (message.type == "error" and not _expected(message)):
            faults.append(f"{message.page.url if message.page else ''}: {message.text}")

    def thrown(error: Any) -> None:
        faults.append(f"{error.page.url if error.page else ''}: {error.error}")

    context.on("console", seen)
    context.on("weberror", thrown)


def keep_screenshot(page: Any, name: str) -> None:
    """A full-page screenshot, when CIVICDESK_SCREENSHOTS names a folder to look at them in."""
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SCREENSHOTS}/{name}.png", full_page=True)


class PageChecks:
    """check_page(page, name): the page, once loaded, passes axe's WCAG 2.2 AA checks; its
    screenshot is kept, numbered in the order the test saw it (see `keep_screenshot`).

    A page shown without JavaScript cannot run axe, so `scripts=False` checks the same address
    in a page that runs scripts and carries the same cookies (for GET pages only).
    """

    def __init__(self, request: pytest.FixtureRequest) -> None:
        self.request = request
        self.prefix = re.sub(r"[^\w-]+", "-", request.node.name).strip("-")
        self.seen = 0
        self.with_scripts: Any = None

    def __call__(self, page: Any, name: str, *, scripts: bool = True) -> None:
        page.wait_for_load_state("load")
        self.seen += 1
        keep_screenshot(page, f"{self.prefix}-{self.seen:02d}-{name}")
        assert_accessible(page if scripts else self._with_scripts(page), name)

    def _with_scripts(self, page: Any) -> Any:
        """The address `page` shows, opened in a page that runs scripts."""
        if self.with_scripts is None:
            self.with_scripts = self.request.getfixturevalue("new_context")().new_page()
        self.with_scripts.context.clear_cookies()
        self.with_scripts.context.add_cookies(page.context.cookies())
        self.with_scripts.goto(page.url)
        self.with_scripts.wait_for_load_state("load")
        return self.with_scripts


def give_staff_password(page: Any, username: str) -> None:
    """Fill in and send the console's sign-in form with the password every UserFactory user has."""
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def sign_in_staff(
    page: Any, live_server: Any, user: Any, *, check: Callable[[Any, str], None] | None = None
) -> None:
    """Sign a member of staff in as a person does: the console's front door sends them to the
    sign-in page, and the password to the console's home page. `check` checks both pages."""
    page.goto(f"{live_server.url}/staff/")
    page.wait_for_url(re.compile(r"/staff/sign-in/"))
    if check:
        check(page, "sign-in")
    give_staff_password(page, user.username)
    page.wait_for_url(re.compile(r"/staff/$"))
    if check:
        check(page, "home")
