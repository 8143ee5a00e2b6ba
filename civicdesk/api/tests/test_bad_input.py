"""Bad input the fuzzers found answered with a server error, now refused in the API's own
error format (or taken): numbers too big to keep, text no database keeps inside answers, times
without an offset or with one PostgreSQL refuses, and bodies too big."""

import datetime
import json
from typing import Any

import pytest
from django.test import override_settings

from civicdesk.api.tests.conftest import ApiClient
from civicdesk.catalogue.models import QuestionType
from civicdesk.catalogue.services import add_question

pytestmark = pytest.mark.django_db


@pytest.fixture
def asking(missed_bin: Any) -> Any:
    """The missed bin service, asking also how many bins and for a note."""
    add_question(actor=None, service=missed_bin, code="count", prompt="How many bins?",
                 datatype=QuestionType.NUMBER)  # fmt: skip
    add_question(actor=None, service=missed_bin, code="note", prompt="Anything else?",
                 datatype=QuestionType.STRING)  # fmt: skip
    return missed_bin


def raise_case(api: ApiClient, answers: dict[str, Any]) -> Any:
    return api.post(
        "/cases",
        {
            "service": "missed-bin",
            "description": "Not emptied",
            "location_description": "Mill Lane",
            "answers": {"bin_type": "general", **answers},
        },
    )


@pytest.mark.parametrize("number", ["1e5000", "-1e5000", "9e999999999", "1000000000000000"])
def test_a_number_too_big_to_keep_is_refused(waste_api: ApiClient, asking: Any, number: str):
    """Kept as a whole number, 1e5000 had 5,001 digits, which JSON cannot write (a 500), and
    9e999999999 would have taken the worker minutes to work out."""
    response = raise_case(waste_api, {"count": number})
    assert response.status_code == 422, response.content
    assert response.json()["errors"] == {"count": ["“How many bins?” must be a smaller number."]}


def test_a_large_number_that_fits_is_kept(waste_api: ApiClient, asking: Any, bin_case: Any):
    response = raise_case(waste_api, {"count": "999999999999999"})
    assert response.status_code == 201, response.content
    case = waste_api.get(f"/cases/{response.json()['reference']}").json()
    assert case["answers"]["count"] == 999_999_999_999_999


@pytest.mark.parametrize(
    "answers",
    [
        {"note": "Three\x00bags"},
        {"note\x00": "Three bags"},
        {"note": "\ud800"},  # half of a UTF-16 pair, sent as "\ud800" in JSON
        {"other": ["fine", "\udfff"]},
    ],
)
def test_text_no_database_keeps_is_refused_inside_answers(
    waste_api: ApiClient, asking: Any, answers: dict[str, Any]
):
    """PostgreSQL refused these in the case's answers: a 500 there, and kept on SQLite."""
    response = raise_case(waste_api, answers)
    assert response.status_code == 422, response.content
    assert set(response.json()["errors"]) == {"answers"}


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_a_body_too_big_is_a_400_not_a_500(waste_api: ApiClient, missed_bin: Any):
    response = waste_api.client.post(
        "/api/v1/cases",
        json.dumps({"service": "missed-bin", "description": "x" * 2000}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {waste_api.key}"},
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "The request is too large.", "errors": {}}


@pytest.mark.parametrize(
    ("started_at", "kept"),
    [
        # Without an offset: the council's time (GMT in January). Was a 500: naive and aware
        # times compared.
        ("2026-01-06T10:00:00", datetime.datetime(2026, 1, 6, 10, tzinfo=datetime.UTC)),
        ("2026-01-06", datetime.datetime(2026, 1, 6, tzinfo=datetime.UTC)),
        # An offset Python reads and PostgreSQL refuses (a 500 there): kept as the same moment.
        ("2026-01-06T20:30:00+20:30", datetime.datetime(2026, 1, 6, tzinfo=datetime.UTC)),
    ],
)
def test_a_contact_time_in_any_form_is_kept_as_the_same_moment(
    agent_api: ApiClient, customer: Any, started_at: str, kept: datetime.datetime
):
    body = {"channel": "phone", "outcome": "resolved", "customer": customer.reference}
    response = agent_api.post("/contacts", {**body, "started_at": started_at})
    assert response.status_code == 201, response.content
    assert customer.contacts.get().started_at == kept


def test_a_time_before_the_first_moment_there_is_is_refused(agent_api: ApiClient, customer: Any):
    body = {"channel": "phone", "outcome": "resolved", "customer": customer.reference}
    response = agent_api.post("/contacts", {**body, "started_at": "0001-01-01T00:00:00+05:00"})
    assert response.status_code == 422, response.content
    assert response.json()["errors"] == {"started_at": ["Value error, Enter a date and time."]}
    response = agent_api.get("/cases", {"updated_since": "0001-01-01T00:00:00+05:00"})
    assert response.status_code == 422, response.content
    assert list(response.json()["errors"]) == ["updated_since"]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/cases?team=a%00b", 422),
        ("/cases?service=%00", 422),
        ("/contacts?customer=CUS%00", 422),
        ("/customers/CUS%00", 404),
        ("/services/bins%00", 404),
    ],
)
def test_a_nul_in_a_filter_or_a_path_is_refused(
    waste_api: ApiClient, customer: Any, path: str, status: int
):
    """PostgreSQL refuses a NUL in text: these were 500s there, found by the stateful run."""
    response = waste_api.client.get(
        "/api/v1" + path, headers={"Authorization": f"Bearer {waste_api.key}"}
    )
    assert response.status_code == status, response.content
    assert response.json()["detail"]
    assert waste_api.patch("/customers/CUS\x00", {"forenames": "Ada"}).status_code == 404
