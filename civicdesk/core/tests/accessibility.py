"""Checking a page in the browser for the WCAG 2.2 AA failures axe can find."""

import os
from pathlib import Path
from typing import Any

WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def assert_accessible(page: Any, name: str) -> None:
    """Fail with axe's report if the page breaks WCAG 2.2 AA; keep a full-page screenshot when
    CIVICDESK_SCREENSHOTS names a folder."""
    from axe_playwright_python.sync_playwright import Axe

    page.wait_for_load_state("load")
    if folder := os.environ.get("CIVICDESK_SCREENSHOTS", ""):
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)
    results = Axe().run(
        page,
        options={"runOnly": {"type": "tag", "values": WCAG_22_AA}, "resultTypes": ["violations"]},
    )
    assert results.violations_count == 0, f"{name}: {results.generate_report()}"
