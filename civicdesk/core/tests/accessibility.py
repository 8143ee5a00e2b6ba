"""Checking a page in the browser for the WCAG 2.2 AA failures axe can find."""

from typing import Any

WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def _conditional_radios(violation: dict[str, Any]) -> bool:
    """GOV.UK Frontend puts aria-expanded on radios that reveal more questions, which ARIA does
    not list for radios; it does so on purpose, as screen readers announce it
    (alphagov/govuk-frontend#979). Only that attribute, on radios that control what they
    reveal, is let off."""
    return violation["id"] == "aria-allowed-attr" and all(
        "govuk-radios__input" in node["html"]
        and "aria-controls=" in node["html"]
        and all(
            attribute.startswith("aria-expanded=")
            for check in node["any"] + node["all"] + node["none"]
            for attribute in check["data"] or []
        )
        for node in violation["nodes"]
    )


def assert_accessible(page: Any, name: str) -> None:
    """Fail with axe's report, headed by the page's name, if the page breaks WCAG 2.2 AA.

    Tests call it through the `check_page` fixture (civicdesk/core/tests/browser.py), which
    waits for the page and keeps its screenshot."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        page,
        options={"runOnly": {"type": "tag", "values": WCAG_22_AA}, "resultTypes": ["violations"]},
    )
    results.response["violations"] = [
        violation
        for violation in results.response["violations"]
        if not _conditional_radios(violation)
    ]
    assert results.violations_count == 0, f"{name}: {results.generate_report()}"
