"""Requests Django refuses before any view runs: a body over DATA_UPLOAD_MAX_MEMORY_SIZE, more
fields or files than DATA_UPLOAD_MAX_NUMBER_FIELDS / _FILES, a body it cannot parse, a Host we
do not serve. Residents and staff get a GOV.UK page saying what to do; the JSON API and Open311
refuse the same bodies in their own formats."""

import json
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from civicdesk.api.open311.services import issue_client
from civicdesk.api.services import issue_api_token

pytestmark = pytest.mark.django_db

TOO_LARGE = "What you sent was too large"
UNREADABLE = "Sorry, we could not accept what you sent"


def too_much_text() -> dict[str, str]:
    return {"notes": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)}


def too_many_fields() -> dict[str, str]:
    count = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1
    return {f"answer{number}": "yes" for number in range(count)}


def too_many_files() -> dict[str, list[SimpleUploadedFile]]:
    count = settings.DATA_UPLOAD_MAX_NUMBER_FILES + 1
    return {"files": [SimpleUploadedFile(f"photo{n}.txt", b"x") for n in range(count)]}


def post_from_the_form(client: Client, url: str, data: dict[str, Any]) -> Any:
    """As a browser would: the form's page first (the CSRF cookie), then the post with its token,
    through the CSRF check that reads the body before any view."""
    assert client.get(url).status_code == 200
    return client.post(url, {"csrfmiddlewaretoken": client.cookies["csrftoken"].value, **data})


def assert_our_page(response: Any, heading: str) -> None:
    html = response.content.decode()
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert f'<h1 class="govuk-heading-l">{heading}</h1>' in html
    assert 'class="govuk-template"' in html and "Bad Request (400)" not in html
    assert "Traceback" not in html and "DATA_UPLOAD" not in html


@pytest.mark.parametrize("data", [too_much_text, too_many_fields, too_many_files])
def test_a_resident_sending_too_much_is_told_to_send_less(data):
    client = Client(enforce_csrf_checks=True)
    response = post_from_the_form(client, "/account/sign-in/", data())
    assert_our_page(response, TOO_LARGE)
    assert "add fewer files at a time" in response.content.decode()


@pytest.mark.parametrize("data", [too_much_text, too_many_fields, too_many_files])
def test_a_staff_member_sending_too_much_is_told_to_send_less(agent, data):
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)
    response = post_from_the_form(client, "/staff/customers/new/", data())
    assert_our_page(response, TOO_LARGE)


def test_a_body_that_cannot_be_read_gets_the_general_page():
    client = Client(enforce_csrf_checks=True)
    client.get("/account/sign-in/")
    response = client.post(
        "/account/sign-in/", b"--x\r\n", content_type="multipart/form-data; boundary="
    )
    assert_our_page(response, UNREADABLE)


@pytest.mark.parametrize("path", ["/", "/staff/sign-in/", "/api/v1/services"])
def test_a_host_we_do_not_serve_gets_the_general_page(path):
    """Refused by CommonMiddleware before any URL is matched, so the API's paths too."""
    response = Client().get(path, headers={"host": "council.example.net"})
    assert_our_page(response, UNREADABLE)


def test_the_json_api_refuses_too_much_in_its_own_format(agent):
    _token, key = issue_api_token(actor=None, user=agent, name="Bins app")
    body = json.dumps({"service": "missed-bin", **too_much_text()})
    response = Client().post(
        "/api/v1/cases",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "The request is too large.", "errors": {}}


@pytest.mark.parametrize("data", [too_much_text, too_many_fields, too_many_files])
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_open311_refuses_too_much_in_its_own_format(council, data, fmt):
    _client, key = issue_client(actor=None, organisation=council, name="FixMyStreet")
    response = Client(enforce_csrf_checks=True).post(
        f"/open311/v2/requests.{fmt}", {"api_key": key, **data()}
    )
    assert response.status_code == 400
    if fmt == "json":
        assert response.json() == [{"code": 400, "description": "The request could not be read."}]
    else:
        assert b"<description>The request could not be read.</description>" in response.content
