"""Paying through the simulator: its pages, the return, the sweep and the success hook."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from civicdesk.core.models import AuditEvent
from civicdesk.payments.models import Payment, PaymentStatus, SimulatedPayment
from civicdesk.payments.services import reconcile_unfinished, refresh_payment
from civicdesk.payments.tests.conftest import DECLINED_CARD, ERROR_CARD, card

pytestmark = pytest.mark.django_db


def _return_path(payment: Payment) -> str:
    simulated = SimulatedPayment.objects.get(pk=payment.provider_payment_id)
    return simulated.return_url.removeprefix("http://testserver")


def test_start_payment_asks_the_provider_and_keeps_only_a_hash_of_the_secret(start):
    payment = start()
    assert payment.reference.startswith("PAY-")
    assert payment.status == PaymentStatus.CREATED and not payment.finished
    assert payment.next_url == f"/payments/simulator/{payment.provider_payment_id}/"
    simulated = SimulatedPayment.objects.get(pk=payment.provider_payment_id)
    assert simulated.amount == 1000 and simulated.reference == payment.reference
    secret = simulated.return_url.rstrip("/").rsplit("/", 1)[1]
    assert secret not in payment.return_secret_hash and len(payment.return_secret_hash) == 64
    assert simulated.metadata["civicdesk_reference"] == payment.reference
    assert AuditEvent.objects.for_record("payments.payment", payment.pk).exists()


def test_success_is_recorded_only_when_the_provider_confirms(client, start, finished_calls):
    payment = start()
    page = client.get(payment.next_url)
    assert page.status_code == 200 and b"Enter card details" in page.content
    answer = client.post(payment.next_url, card())
    assert answer.status_code == 302 and answer["Location"].endswith("/")
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.CREATED  # nothing believed until we ask
    result = client.get(_return_path(payment))
    assert b"Payment received" in result.content
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCESS and payment.finished and payment.finished_at
    assert finished_calls == [(payment.reference, "success")]
    # A double-clicked return asks nothing new and calls the hook no more.
    again = client.get(_return_path(payment))
    assert b"Payment received" in again.content
    assert finished_calls == [(payment.reference, "success")]
    assert [event.status for event in payment.events.all()] == ["created", "success"]


@pytest.mark.parametrize(
    ("number", "status", "code"),
    [(DECLINED_CARD, "failed", "P0010"), (ERROR_CARD, "error", "P0050")],
)
def test_declined_and_error_cards(client, start, finished_calls, number, status, code):
    payment = start()
    client.post(payment.next_url, card(number))
    result = client.get(_return_path(payment))
    assert b"Your payment was not taken" in result.content
    payment.refresh_from_db()
    assert (payment.status, payment.failure_code, payment.finished) == (status, code, True)
    assert finished_calls == [(payment.reference, status)]


def test_resident_cancels(client, start, finished_calls):
    payment = start()
    client.get(payment.next_url)
    answer = client.post(f"{payment.next_url}cancel/")
    assert answer.status_code == 302
    payment = refresh_payment(payment=payment)
    assert (payment.status, payment.failure_code) == ("failed", "P0030")
    # The card page of a finished payment sends the resident back rather than taking a card.
    assert client.get(payment.next_url or f"/payments/simulator/{payment.provider_payment_id}/")[
        "Location"
    ].startswith("http://testserver/payments/return/")


def test_payment_expires_after_90_minutes(client, start, finished_calls):
    payment = start()
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=91)):
        answer = client.get(payment.next_url)
        assert answer.status_code == 302
        payment = refresh_payment(payment=payment)
    assert (payment.status, payment.failure_code) == ("failed", "P0020")
    assert finished_calls == [(payment.reference, "failed")]


def test_invalid_card_details_show_an_error_summary(client, start):
    payment = start()
    answer = client.post(
        payment.next_url,
        {"card_number": "4000058260000006", "expiry": "13/30", "name": "", "security_code": "1"},
    )
    assert answer.status_code == 400
    content = answer.content.decode()
    assert "govuk-error-summary" in content and "There is a problem" in content
    for message in (
        "Enter a valid card number",
        "Enter the expiry date as month and year",
        "Enter the name as it appears on the card",
        "Enter the 3 or 4 digit card security code",
    ):
        assert message in content
    assert "<title>Error:" in content
    assert SimulatedPayment.objects.get(pk=payment.provider_payment_id).state == "started"


def test_any_other_luhn_valid_number_succeeds(client, start):
    payment = start()
    client.post(payment.next_url, card("4242 4242 4242 4242"))
    payment = refresh_payment(payment=payment)
    assert payment.status == "success"
    assert SimulatedPayment.objects.get(pk=payment.provider_payment_id).card_last_four == "4242"


def test_abandoned_browser_is_found_by_the_sweep(client, start, finished_calls):
    paid, waiting = start(), start()
    client.post(paid.next_url, card())
    client.get(waiting.next_url)
    later = timezone.now() + datetime.timedelta(minutes=15)
    with time_machine.travel(later):
        young = start()
        assert reconcile_unfinished(older_than=datetime.timedelta(minutes=10)) == 2
    paid.refresh_from_db()
    waiting.refresh_from_db()
    assert paid.status == "success" and waiting.status == "started" and not waiting.finished
    assert young.status == "created"
    assert finished_calls == [(paid.reference, "success")]
    # Finished payments are not asked again: only the one still waiting.
    assert reconcile_unfinished(older_than=datetime.timedelta(0)) == 1


def test_unknown_return_secret_is_not_found(client):
    assert client.get("/payments/return/not-a-secret/").status_code == 404
    assert client.get("/payments/simulator/nothing/").status_code == 404
