"""POST /api/notify/delivery-status, as Notify calls it."""

import json
import uuid

import pytest
from django.urls import reverse

from civicdesk.notify.models import DeliveryStatus
from civicdesk.notify.tests.conftest import CALLBACK_TOKEN
from civicdesk.notify.tests.factories import MessageFactory

pytestmark = pytest.mark.django_db
URL = "/api/notify/delivery-status"


@pytest.fixture
def message(council):
    return MessageFactory(
        organisation=council, status=DeliveryStatus.SENDING, notify_id=str(uuid.uuid4())
    )


def receipt(message, status="delivered", **changes):
    return {
        "id": message.notify_id,
        "reference": str(message.reference),
        "to": message.recipient,
        "status": status,
        "created_at": "2026-11-23T12:00:00.000000Z",
        "completed_at": "2026-11-23T12:00:05.000000Z",
        "sent_at": "2026-11-23T12:00:01.000000Z",
        "notification_type": "email",
        "template_id": str(uuid.uuid4()),
        "template_version": 1,
        **changes,
    }


def post(client, body, token=CALLBACK_TOKEN, **headers):
    if token is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(URL, data=data, content_type="application/json", **headers)


def test_the_address_is_the_one_notify_is_given():
    assert reverse("api:notify-delivery-status") == URL


def test_a_delivery_receipt_is_recorded(client, message):
    response = post(client, receipt(message))

    assert response.status_code == 200
    assert response.json() == {
        "id": message.notify_id,
        "reference": str(message.reference),
        "status": "delivered",
    }
    message.refresh_from_db()
    assert message.status == DeliveryStatus.DELIVERED


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer wrong-token",
        f"Basic {CALLBACK_TOKEN}",
        f"Bearer {CALLBACK_TOKEN}x",
    ],
)
def test_without_the_token_nothing_is_recorded(client, message, authorization):
    headers = {} if authorization is None else {"HTTP_AUTHORIZATION": authorization}
    response = client.post(
        URL, data=json.dumps(receipt(message)), content_type="application/json", **headers
    )

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert response.json()["errors"][0]["error"] == "AuthError"
    message.refresh_from_db()
    assert message.status == DeliveryStatus.SENDING


def test_the_scheme_is_not_case_sensitive(client, message):
    response = post(
        client, receipt(message), token=None, HTTP_AUTHORIZATION=f"bearer {CALLBACK_TOKEN}"
    )
    assert response.status_code == 200


def test_with_no_token_configured_every_callback_is_refused(client, message, settings):
    settings.CIVICDESK_NOTIFY_CALLBACK_TOKEN = ""
    response = post(client, receipt(message), token="")
    assert response.status_code == 503
    assert response.json()["errors"][0]["error"] == "ServiceUnavailable"


@pytest.mark.parametrize(
    "body", ["", "{", "not json", "[1, 2", b"\xff\xfe", "[" * 100_000 + "]" * 100_000]
)
def test_a_body_that_is_not_json_is_a_400_not_a_500(client, body):
    response = post(client, body)
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "The request body is not valid JSON."


@pytest.mark.parametrize(
    "body",
    [
        [],
        "a string",
        {"reference": str(uuid.uuid4())},
        {"id": 12, "status": "delivered"},
        {"id": "x", "reference": ["list"], "status": "delivered"},
        {"id": "x", "status": "delivered", "completed_at": "soon"},
        {"id": "x", "status": {"nested": True}},
    ],
)
def test_json_of_the_wrong_shape_is_a_400_with_notifys_error_shape(client, body):
    response = post(client, body)

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors
    assert all(set(error) == {"error", "message"} for error in errors)


def test_an_unknown_reference_is_a_404(client, message):
    response = post(client, receipt(message, reference=str(uuid.uuid4()), id=str(uuid.uuid4())))
    assert response.status_code == 404
    assert response.json()["errors"][0]["error"] == "NotFound"


def test_out_of_order_callbacks_leave_the_latest_status(client, message):
    assert post(client, receipt(message, "delivered")).status_code == 200
    response = post(client, receipt(message, "sending", completed_at=None))

    assert response.status_code == 200
    assert response.json()["status"] == "delivered"


def test_only_post_is_allowed(client):
    response = client.get(URL, HTTP_AUTHORIZATION=f"Bearer {CALLBACK_TOKEN}")
    assert response.status_code == 405
    assert response["Allow"] == "POST"


def test_callbacks_need_no_csrf_token(message):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert post(strict, receipt(message)).status_code == 200
