"""Webhooks: signed, possibly repeated or out of order, and only ever a prompt to ask Pay."""

import json

import pytest

from civicdesk.payments import webhooks
from civicdesk.payments.models import SimulatedPayment
from civicdesk.payments.services import WebhookRefused, receive_webhook
from civicdesk.payments.tasks import simulated_webhook_body
from civicdesk.payments.tests.conftest import card

URL = "/api/payments/webhook"


def _event(payment, event_type="card_payment_succeeded"):
    simulated = SimulatedPayment.objects.get(pk=payment.provider_payment_id)
    return simulated_webhook_body(simulated, event_type=event_type)


def _post(client, body, signature=None):
    signature = webhooks.sign(body) if signature is None else signature
    return client.post(
        URL, body, content_type="application/json", headers={"Pay-Signature": signature}
    )


@pytest.mark.django_db
def test_duplicate_and_out_of_order_webhooks_record_success_once(client, start, finished_calls):
    payment = start()
    # "captured" arrives before the resident has even paid: asking Pay finds nothing new.
    early = _event(payment, "card_payment_captured")
    client.post(payment.next_url, card())
    succeeded = _event(payment)
    # An out-of-order one sent before the payment finished still only prompts a refresh.
    assert _post(client, succeeded).status_code == 200
    assert _post(client, succeeded).status_code == 200
    assert _post(client, early).status_code == 200
    payment.refresh_from_db()
    assert payment.status == "success"
    assert finished_calls == [(payment.reference, "success")]


@pytest.mark.django_db
def test_webhook_body_is_not_believed(client, start, finished_calls):
    payment = start()
    body = _event(payment)
    event = json.loads(body)
    event["resource"]["state"] = {"status": "success", "finished": True}
    forged = json.dumps(event).encode()
    assert _post(client, forged).status_code == 200
    payment.refresh_from_db()
    assert payment.status == "created" and finished_calls == []


@pytest.mark.django_db
def test_forged_or_unsigned_webhook_is_refused(client, start):
    payment = start()
    client.post(payment.next_url, card())
    body = _event(payment)
    assert _post(client, body, webhooks.sign(body, secret="guessed")).status_code == 401
    assert _post(client, body, "").status_code == 401
    with pytest.raises(WebhookRefused):
        receive_webhook(body=body, signature="0" * 64)
    payment.refresh_from_db()
    assert payment.status == "created"


@pytest.mark.django_db
def test_bad_json_unknown_payments_and_methods(client, settings):
    assert _post(client, b"{not json").status_code == 400
    assert _post(client, b"[1, 2]").status_code == 400
    unknown = json.dumps({"resource_id": "nosuchpayment", "event_type": "x"}).encode()
    answer = _post(client, unknown)
    assert answer.status_code == 200 and answer.json() == {"received": True, "known": False}
    assert client.get(URL).status_code == 405


@pytest.mark.django_db
def test_a_body_too_large_to_be_pays_is_refused_not_retried(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"resource_id": "x" * 2000, "event_type": "x"}).encode()

    answer = _post(client, body)

    assert answer.status_code == 400  # a 5xx would have Pay send it again and again
    assert answer.json() == {"error": "body too large"}


@pytest.mark.django_db
def test_live_backend_without_a_webhook_secret_refuses_everything(client, settings):
    settings.CIVICDESK_PAY_BACKEND = "live"
    settings.CIVICDESK_PAY_API_KEY = "api_test_key"
    settings.CIVICDESK_PAY_WEBHOOK_SECRET = ""
    body = b"{}"
    assert _post(client, body, webhooks.sign(body, secret="")).status_code == 401


@pytest.mark.django_db
def test_configured_secret_is_used(client, settings, start):
    settings.CIVICDESK_PAY_WEBHOOK_SECRET = "webhook-secret-from-pay"
    payment = start()
    body = _event(payment)
    assert (
        _post(client, body, webhooks.sign(body, secret="webhook-secret-from-pay")).status_code
        == 200
    )


def test_simulator_delivers_its_webhook_through_the_worker(
    client, start, run_tasks, finished_calls
):
    payment = start()
    client.post(payment.next_url, card())
    run_tasks()
    payment.refresh_from_db()
    assert payment.status == "success"
    assert finished_calls == [(payment.reference, "success")]
