"""Background work for payments, run by the database-backed worker (`manage.py db_worker`)."""

import datetime
import json
import logging
import uuid

from django.tasks import task
from django.utils import timezone

from civicdesk.core.recurring import queue_next_run
from civicdesk.payments import services, webhooks
from civicdesk.payments.clients import payment_response
from civicdesk.payments.models import PaymentStatus, SimulatedPayment

logger = logging.getLogger(__name__)
SWEEP_INTERVAL = datetime.timedelta(minutes=10)
# A payment younger than this may still have its resident on the card details pages.
UNFINISHED_AFTER = datetime.timedelta(minutes=10)
EVENT_TYPES = {
    PaymentStatus.SUCCESS: "card_payment_succeeded",
    PaymentStatus.CAPTURABLE: "card_payment_captured",
}


@task
def reconcile_payments() -> int:
    """Ask the provider about payments left unfinished, then queue the next sweep."""
    try:
        asked = services.reconcile_unfinished(older_than=UNFINISHED_AFTER)
    finally:
        schedule_reconciliation()
    logger.info("Payments sweep: asked about %s", asked)
    return asked


def schedule_reconciliation(*, delay: datetime.timedelta = SWEEP_INTERVAL) -> bool:
    """Queue a sweep unless one is already waiting, so that one chain of sweeps runs."""
    return queue_next_run(reconcile_payments, run_after=timezone.now() + delay)


def simulated_webhook_body(simulated: SimulatedPayment, *, event_type: str) -> bytes:
    """The body Pay would post about this payment."""
    return json.dumps(
        {
            "webhook_message_id": uuid.uuid4().hex,
            "api_version": 1,
            "created_date": timezone.now().isoformat(),
            "resource_id": simulated.pk,
            "resource_type": "payment",
            "event_type": event_type,
            "resource": payment_response(simulated),
        }
    ).encode()


@task
def deliver_simulated_webhook(payment_id: str, event_type: str) -> bool:
    """The simulator's webhook, signed and received through the same check as a real one."""
    simulated = SimulatedPayment.objects.filter(pk=payment_id).first()
    if simulated is None:
        return False
    body = simulated_webhook_body(simulated, event_type=event_type)
    payment = services.receive_webhook(body=body, signature=webhooks.sign(body))
    return payment is not None
