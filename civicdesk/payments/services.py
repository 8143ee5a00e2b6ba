"""Every write to payments: starting one, learning its outcome from the provider, refunds.

A payment becomes `success` only in `refresh_payment`, from the provider's own answer to
`get_payment`: never from the return URL, a webhook's body or anything the browser says.
"""

import datetime
import hashlib
import json
import logging
import secrets
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from civicdesk.core import audit
from civicdesk.core.models import AuditAction
from civicdesk.core.references import make_reference
from civicdesk.organisations.models import Organisation, Role
from civicdesk.organisations.selectors import has_role
from civicdesk.payments import clients, hooks, webhooks
from civicdesk.payments.models import (
    FINISHED_STATUSES,
    Payment,
    PaymentEvent,
    PaymentStatus,
    Refund,
    RefundStatus,
)

logger = logging.getLogger(__name__)
PAYMENT_PREFIX = "PAY"
REFUND_ROLES = (Role.TEAM_LEADER, Role.MANAGER, Role.ADMINISTRATOR)


class RefundRefused(Exception):
    """A refund that may not be made; the message is for the member of staff."""


class WebhookRefused(Exception):
    """The webhook's signature is missing or wrong."""


class WebhookInvalid(Exception):
    """The webhook is signed correctly but is not a JSON object."""


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def start_payment(
    *,
    actor: Any | None,
    organisation: Organisation,
    amount_pence: int,
    description: str,
    return_url_for: Callable[[str], str],
    customer: Any | None = None,
    service: Any | None = None,
    purpose: str = "",
    purpose_reference: str = "",
    email: str = "",
) -> Payment:
    """Ask the provider for a payment and return it; the caller redirects to `next_url`.

    `return_url_for(secret)` makes the address the provider sends the resident back to: it must
    carry the secret, which `selectors.payment_for_return` turns back into the payment. A
    PayError from the provider leaves nothing behind.
    """
    secret = secrets.token_urlsafe(32)
    is_person = actor is not None and getattr(actor, "is_authenticated", False)
    payment = Payment.objects.create(
        organisation=organisation,
        amount_pence=amount_pence,
        description=description[:255],
        service=service,
        customer=customer,
        purpose=purpose,
        purpose_reference=str(purpose_reference),
        provider=_backend(),
        return_secret_hash=hash_secret(secret),
        email=email,
        created_by=actor if is_person else None,
    )
    payment.reference = make_reference(PAYMENT_PREFIX, payment.pk)
    metadata = {"civicdesk_reference": payment.reference}
    if purpose:
        metadata["purpose"] = purpose[:50]
    if purpose_reference:
        metadata["purpose_reference"] = str(purpose_reference)[:50]
    answer = clients.get_client().create_payment(
        amount=amount_pence,
        reference=payment.reference,
        description=payment.description,
        return_url=return_url_for(secret),
        email=email,
        metadata=metadata,
    )
    payment.provider_payment_id = str(answer["payment_id"])
    payment.next_url = str(answer.get("_links", {}).get("next_url", {}).get("href", ""))
    _apply_state(payment, answer.get("state") or {}, source="start", first=True)
    payment.save()
    audit.record(
        actor=actor,
        action=AuditAction.CREATED,
        target=payment,
        summary=f"Payment {payment.reference} of {payment.amount_pounds} started",
        detail={"purpose": purpose, "purpose_reference": str(purpose_reference)},
    )
    return payment


def _backend() -> str:
    return settings.CIVICDESK_PAY_BACKEND


def refresh_payment(*, payment: Payment, source: str = "") -> Payment:
    """Ask the provider where the payment is and record it: the only way to `success`.

    Locks the row, so a double-clicked return, a webhook and the sweep arriving together ask
    in turn; a finished payment is not asked again. The purpose's handlers run once, in the
    transaction that first records a finished state.
    """
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if locked.finished or not locked.provider_payment_id:
            return locked
        answer = clients.get_client().get_payment(locked.provider_payment_id)
        if str(answer.get("payment_id")) != locked.provider_payment_id:
            raise clients.PayError(
                status_code=502, code="InvalidResponse", detail="Pay answered for another payment"
            )
        changed = _apply_state(locked, answer.get("state") or {}, source=source)
        if changed:
            locked.save()
            if locked.finished:
                audit.record(
                    actor=None,
                    action=AuditAction.UPDATED,
                    target=locked,
                    summary=f"Payment {locked.reference} finished: {locked.status}",
                    detail={"status": locked.status, "code": locked.failure_code},
                )
                hooks.run(locked)
        return locked


def _apply_state(
    payment: Payment, state: dict[str, Any], *, source: str, first: bool = False
) -> bool:
    """Copy Pay's `state` onto the payment (unsaved) and log the change; whether it changed."""
    status = str(state.get("status") or "")
    if status not in PaymentStatus.values:
        raise clients.PayError(
            status_code=502, code="InvalidResponse", detail=f"Unknown payment status {status!r}"
        )
    code = str(state.get("code") or "")[:10]
    if not first and status == payment.status and code == payment.failure_code:
        return False
    payment.status = status
    payment.failure_code = code
    payment.failure_message = str(state.get("message") or "")[:255]
    payment.finished = status in FINISHED_STATUSES
    if payment.finished and payment.finished_at is None:
        payment.finished_at = timezone.now()
        payment.next_url = ""
    PaymentEvent.objects.create(payment=payment, status=status, code=code, source=source)
    return True


def receive_webhook(*, body: bytes, signature: str) -> Payment | None:
    """A webhook from Pay: verified, then only a prompt to refresh the payment it names.

    Events may come twice or out of order, so nothing in the body is believed: the payment is
    asked for again. An event about a payment we do not hold answers None.
    """
    if not webhooks.is_valid(body, signature):
        raise WebhookRefused("The webhook's signature is wrong.")
    try:
        event = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise WebhookInvalid("The webhook is not JSON.") from error
    if not isinstance(event, dict):
        raise WebhookInvalid("The webhook is not a JSON object.")
    resource = event.get("resource") if isinstance(event.get("resource"), dict) else {}
    payment_id = event.get("resource_id") or resource.get("payment_id")
    if not isinstance(payment_id, str) or not payment_id:
        return None
    payment = Payment.objects.filter(provider_payment_id=payment_id).first()
    if payment is None:
        return None
    return refresh_payment(payment=payment, source="webhook")


def refund_payment(*, actor: Any, payment: Payment, amount_pence: int, reason: str) -> Refund:
    """Give back some or all of a successful payment: team leaders, managers and
    administrators of the payment's organisation only."""
    if not has_role(actor, *REFUND_ROLES, organisation=payment.organisation):
        raise PermissionDenied("Only team leaders, managers and administrators make refunds.")
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if locked.status != PaymentStatus.SUCCESS:
            raise RefundRefused(_("Only a payment that was made can be refunded"))
        available = remaining_pence(locked)
        if amount_pence < 1:
            raise RefundRefused(_("Enter an amount of at least 1p"))
        if amount_pence > available:
            raise RefundRefused(_("The refund cannot be more than the amount left to refund"))
        try:
            answer = clients.get_client().create_refund(
                locked.provider_payment_id,
                amount=amount_pence,
                refund_amount_available=available,
            )
        except clients.PayError as error:
            logger.warning("Refund of %s refused: %s", locked.reference, error)
            raise RefundRefused(_("The payment provider did not accept the refund")) from error
        status = str(answer.get("status") or RefundStatus.SUBMITTED)
        refund = Refund.objects.create(
            payment=locked,
            amount_pence=amount_pence,
            reason=reason[:255],
            status=status if status in RefundStatus.values else RefundStatus.SUBMITTED,
            provider_refund_id=str(answer.get("refund_id") or ""),
            requested_by=actor,
        )
        audit.record(
            actor=actor,
            action=AuditAction.CREATED,
            target=refund,
            summary=f"Refund of {refund.amount_pounds} on {locked.reference}",
            detail={"payment": locked.reference, "amount_pence": amount_pence, "reason": reason},
            organisation_id=locked.organisation_id,
        )
        return refund


def remaining_pence(payment: Payment) -> int:
    """What is left to refund: refunds that failed give nothing back."""
    given = (
        payment.refunds.exclude(status=RefundStatus.ERROR).aggregate(total=Sum("amount_pence"))[
            "total"
        ]
        or 0
    )
    return max(payment.amount_pence - given, 0)


def reconcile_unfinished(*, older_than: datetime.timedelta) -> int:
    """Refresh every unfinished payment older than `older_than` (the resident closed the
    browser before coming back); how many were asked about. One failure does not stop the rest."""
    cutoff = timezone.now() - older_than
    waiting = list(
        Payment.objects.filter(finished=False, created_at__lt=cutoff)
        .exclude(provider_payment_id=None)
        .order_by("created_at")
        .values_list("pk", flat=True)
    )
    asked = 0
    for pk in waiting:
        try:
            refresh_payment(payment=Payment(pk=pk), source="sweep")
        except clients.PayError as error:
            logger.warning("Could not refresh payment %s: %s", pk, error)
            continue
        asked += 1
    return asked
