"""Bad input the fuzzers found answered with a server error, now answered on the page."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from civicdesk.forms import runner, services
from civicdesk.forms.models import Application, QuestionKind
from civicdesk.forms.tests.applying import *  # noqa: F403 (the fixtures)
from civicdesk.forms.tests.conftest import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def points_page(council: Any, badge_service: Any) -> Any:
    """A page asking for a number with no least or greatest."""
    form = services.create_form(
        actor=None, organisation=council, service=badge_service, title="Count", slug="count"
    )
    page = services.add_page(actor=None, version=form.versions.get(number=1), title="Points")
    services.add_question(actor=None, page=page, code="points", kind=QuestionKind.NUMBER,
                          label="Points")  # fmt: skip
    return page


@pytest.mark.parametrize("number", ["1e100", "-1e5000", "9e999999999", "1000000000000000"])
def test_a_number_too_big_to_keep_is_refused(points_page: Any, number: str):
    """1e100 could not be written as a whole number to keep (decimal.InvalidOperation, a 500)."""
    form = runner.page_form(points_page, {}, on=TODAY, data={"points": number})
    assert not form.is_valid()
    assert form.errors["points"] == ["Points must be a smaller number"]


def test_a_large_number_that_fits_is_kept(points_page: Any):
    form = runner.page_form(points_page, {}, on=TODAY, data={"points": "999,999,999,999,999"})
    assert form.is_valid(), form.errors
    assert form.cleaned_answers() == {"points": "999999999999999"}


def test_removing_a_file_that_is_not_there_says_so(started: Application, resident: Any):
    """A second Remove (from another tab, or an old page) was a 500."""
    client = Client()
    client.force_login(resident)
    page = reverse("portal:apply-page", args=[started.form_version.form.slug, started.pk, 3])
    response = client.post(page, {"remove": "999999"}, follow=True)
    assert response.redirect_chain == [(page, 302)]
    assert "That file is not part of this application." in response.content.decode()
