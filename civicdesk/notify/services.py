"""Every write about messages: templates, choosing how to reach someone, sending, delivery.

Messages are created inside the caller's transaction (raising a case, closing it) and sent by
a task queued only once that transaction commits, so work that is rolled back never sends
anything. Delivery receipts, from Notify's callbacks or the simulator, go through one path.
"""

import datetime
import functools
import logging
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from civicdesk.catalogue.models import Channel, Service
from civicdesk.core.audit import record
from civicdesk.core.models import AuditAction
from civicdesk.notify import recipients, templating
from civicdesk.notify.clients import NotifyError, SimulatorClient, get_client
from civicdesk.notify.models import (
    DeliveryStatus,
    Message,
    MessageChannel,
    MessageEvent,
    MessageTemplate,
)
from civicdesk.organisations.models import Organisation
from civicdesk.people.models import Consent, Customer
from civicdesk.people.selectors import consents_in_force

logger = logging.getLogger(__name__)

# The personalisation callers give: customers' messages, and staff members' (see demo.py).
CUSTOMER_KEYS = ("name", "reference", "service", "location", "status", "update", "due", "url")
STAFF_KEYS = ("name", "reference", "service", "team", "due", "case_url")
# Letters also carry their address block and whether the customer reads large print.
LETTER_KEYS = (*recipients.ADDRESS_KEYS, "large_print")
STAFF_EVENTS = frozenset({MessageEvent.SLA_WARNING, MessageEvent.REFERRAL})

# Written confirmation goes by the first of these the customer can receive.
FALLBACK_ORDER = (MessageChannel.EMAIL, MessageChannel.SMS, MessageChannel.LETTER)
_CONSENT_FOR = {
    MessageChannel.EMAIL: Consent.Purpose.CONTACT_BY_EMAIL,
    MessageChannel.SMS: Consent.Purpose.CONTACT_BY_SMS,
}
_PREFERRED = {
    Channel.EMAIL: MessageChannel.EMAIL,
    Channel.SMS: MessageChannel.SMS,
    Channel.LETTER: MessageChannel.LETTER,
}

# How far along a message is: a receipt never moves a message back down this order.
_PROGRESS = {
    DeliveryStatus.CREATED: 0,
    DeliveryStatus.SENDING: 1,
    DeliveryStatus.PENDING: 1,
    DeliveryStatus.ACCEPTED: 1,
    DeliveryStatus.SENT: 2,
    **dict.fromkeys(DeliveryStatus.finished(), 3),
}


class UnknownMessage(LookupError):
    """A delivery receipt for a message that is not ours (or no longer exists)."""


class InvalidReceipt(ValueError):
    """A delivery receipt that does not have Notify's shape; `errors` says what is wrong."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(error["message"] for error in errors))


def allowed_keys(*, event: str, channel: str) -> tuple[str, ...]:
    """The placeholders a template for this event and channel may use."""
    keys = STAFF_KEYS if event in STAFF_EVENTS else CUSTOMER_KEYS
    return (*keys, *LETTER_KEYS) if channel == MessageChannel.LETTER else keys


def check_wording(*, event: str, channel: str, subject: str, body: str) -> None:
    """Every placeholder must be one the callers give, and the text must read well both with
    every value given and with every value empty."""
    keys = allowed_keys(event=event, channel=channel)
    errors: dict[str, str] = {}
    if not body.strip():
        errors["body"] = _("Enter the message.")
    if channel == MessageChannel.SMS and subject.strip():
        errors["subject"] = _("Text messages have no subject: leave it empty.")
    elif channel != MessageChannel.SMS and not subject.strip():
        errors["subject"] = _("Enter a subject.")
    for field, text in (("subject", subject), ("body", body)):
        if field in errors:
            continue
        unknown = [name for name in templating.placeholder_names(text) if name not in keys]
        if unknown:
            errors[field] = _("%(unknown)s cannot be filled in. You can use: %(keys)s.") % {
                "unknown": ", ".join(f"(({name}))" for name in unknown),
                "keys": ", ".join(f"(({key}))" for key in keys),
            }
            continue
        for sample in ("example", ""):
            rendered = templating.render(text, personalisation=dict.fromkeys(keys, sample))
            if "((" in rendered or "))" in rendered:
                errors[field] = _("Check the brackets: a placeholder is not closed.")
                break
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_template(
    *,
    actor: Any,
    organisation: Organisation,
    event: str,
    channel: str,
    body: str,
    subject: str = "",
    service: Service | None = None,
    easy_read: bool = False,
    notify_template_id: uuid.UUID | None = None,
) -> MessageTemplate:
    """Add the wording for one event and channel, for a service or (no service) for all.

    The placeholders are checked against the personalisation callers give, so a template can
    never stop a message being sent for want of a value.
    """
    if event not in MessageEvent.values:
        raise ValidationError({"event": _("Choose an event.")})
    if channel not in MessageChannel.values:
        raise ValidationError({"channel": _("Choose email, text message or letter.")})
    if service is not None and service.organisation_id != organisation.pk:
        raise ValidationError({"service": _("The service belongs to another organisation.")})
    check_wording(event=event, channel=channel, subject=subject, body=body)
    # The unique constraint treats "every service" as one value, but SQLite does not enforce it.
    if MessageTemplate.objects.filter(
        organisation=organisation,
        service=service,
        event=event,
        channel=channel,
        easy_read=easy_read,
    ).exists():
        raise ValidationError(_("There is already a template for that event and channel."))
    template = MessageTemplate(
        organisation=organisation,
        service=service,
        event=event,
        channel=channel,
        easy_read=easy_read,
        subject=subject.strip(),
        body=body.strip(),
        notify_template_id=notify_template_id or uuid.uuid4(),
    )
    template.full_clean(validate_constraints=False)
    template.save()
    record(
        actor=actor,
        action=AuditAction.CREATED,
        target=template,
        summary=f"Message template added: {event} by {channel}"
        + (f" for {service.name}" if service else ""),
    )
    return template


@dataclass(frozen=True)
class _Route:
    """One way to reach someone: the channel, the recipient as stored and, for letters, lines."""

    channel: str
    recipient: str
    address_lines: tuple[str, ...] = ()


def _email_route(*candidates: str) -> _Route | None:
    for candidate in candidates:
        if candidate and candidate.strip():
            try:
                return _Route(MessageChannel.EMAIL, recipients.normalise_email(candidate))
            except recipients.InvalidRecipient:
                continue
    return None


def _sms_route(*candidates: str) -> _Route | None:
    for candidate in candidates:
        if candidate and candidate.strip():
            try:
                return _Route(MessageChannel.SMS, recipients.normalise_uk_mobile(candidate))
            except recipients.InvalidRecipient:
                continue
    return None


def _letter_route(customer: Customer) -> _Route | None:
    if customer.address is None:
        return None
    try:
        lines = recipients.validate_address_lines(
            recipients.address_lines(name=customer.full_name, address=customer.address)
        )
    except recipients.InvalidRecipient:
        return None
    return _Route(MessageChannel.LETTER, "\n".join(lines), tuple(lines))


def _routes(customer: Customer | None, *, email: str, mobile: str) -> list[_Route]:
    """The ways to reach the customer, best first: their preferred written channel, then email,
    text message and letter. Someone who prefers the phone or a visit still gets it in writing.
    A channel whose consent the customer has refused is left out."""
    if customer is None:
        found = [_email_route(email), _sms_route(mobile)]
        return [route for route in found if route is not None]
    refused = {
        consent.purpose for consent in consents_in_force(customer=customer) if not consent.granted
    }
    available = {
        MessageChannel.EMAIL: _email_route(customer.email, email),
        MessageChannel.SMS: _sms_route(customer.mobile, customer.phone, mobile),
        MessageChannel.LETTER: _letter_route(customer),
    }
    order = list(FALLBACK_ORDER)
    preferred = _PREFERRED.get(customer.preferred_channel)
    if preferred is not None:
        order.remove(preferred)
        order.insert(0, preferred)
    return [
        route
        for channel in order
        if (route := available[channel]) is not None and _CONSENT_FOR.get(channel) not in refused
    ]


def _templates(
    *,
    organisation: Organisation,
    service: Service | None,
    event: str,
    channels: Iterable[str],
    easy_read: bool,
) -> dict[str, MessageTemplate]:
    """The template to use per channel: the service's own before the organisation's default,
    and for someone who needs easy read, an easy-read one before either standard one."""
    scope = Q(service__isnull=True) | Q(service=service) if service else Q(service__isnull=True)
    rows = MessageTemplate.objects.filter(
        scope, organisation=organisation, event=event, channel__in=list(channels), is_active=True
    )
    if not easy_read:
        rows = rows.filter(easy_read=False)
    best: dict[str, MessageTemplate] = {}
    for template in sorted(rows, key=lambda t: (not t.easy_read, t.service_id is None, t.pk)):
        best.setdefault(template.channel, template)
    return best


def _enqueue_send(message_id: int) -> None:
    from civicdesk.notify.tasks import send_message_task

    send_message_task.enqueue(message_id=message_id)


def _create_message(
    *,
    organisation: Organisation,
    template: MessageTemplate,
    route: _Route,
    event: str,
    about_reference: str,
    personalisation: Mapping[str, Any],
    customer: Customer | None = None,
    service: Service | None = None,
    staff_member: Any = None,
    large_print: bool = False,
) -> Message | None:
    """Render, store, audit, and queue the send for when the caller's transaction commits."""
    values = {
        str(key): "" if value is None else str(value) for key, value in personalisation.items()
    }
    if route.channel == MessageChannel.LETTER:
        lines = list(route.address_lines)
        values.update(zip(recipients.ADDRESS_KEYS, lines + [""] * 7, strict=False))
        values["large_print"] = "yes" if large_print else "no"
    try:
        subject = templating.render(template.subject, personalisation=values)
        body = templating.render(template.body, personalisation=values)
    except templating.MissingPersonalisation as error:
        logger.error("Message template %s not sent: %s", template.pk, error)
        return None
    message = Message.objects.create(
        organisation=organisation,
        customer=customer,
        service=service,
        staff_member=staff_member,
        about_reference=about_reference[:20],
        event=event,
        template=template,
        channel=route.channel,
        recipient=route.recipient,
        personalisation=values,
        large_print=large_print and route.channel == MessageChannel.LETTER,
        subject=subject[:300],
        body=body,
    )
    record(
        actor=None,
        action=AuditAction.CREATED,
        target=message,
        summary=f"{event} message queued by {route.channel}"
        + (f" about {about_reference}" if about_reference else ""),
        detail={
            "channel": route.channel,
            "template": template.pk,
            "customer": customer.reference if customer else None,
            "staff_member": getattr(staff_member, "pk", None),
            "about": about_reference,
        },
    )
    transaction.on_commit(functools.partial(_enqueue_send, message.pk), robust=True)
    return message


@transaction.atomic
def notify_customer(
    *,
    organisation: Organisation,
    customer: Customer | None,
    event: str,
    about_reference: str,
    service: Service | None,
    personalisation: dict[str, str],
    email: str = "",
    mobile: str = "",
) -> Message | None:
    """Tell a customer (or a reporter with no record: `email`, `mobile`) about their request,
    the way they can and will read it.

    Returns None, and sends nothing, when there is no way to reach them or no template for any
    way there is: a missing message must never stop the work that wanted to send it.
    """
    while customer is not None and customer.merged_into_id:
        customer = customer.merged_into
    routes = _routes(customer, email=email, mobile=mobile)
    if not routes:
        return None
    templates = _templates(
        organisation=organisation,
        service=service,
        event=event,
        channels={route.channel for route in routes},
        easy_read=bool(customer and customer.needs_easy_read),
    )
    for route in routes:
        if route.channel in templates:
            return _create_message(
                organisation=organisation,
                template=templates[route.channel],
                route=route,
                event=event,
                about_reference=about_reference,
                personalisation=personalisation,
                customer=customer,
                service=service,
                large_print=bool(customer and customer.needs_large_print),
            )
    return None


@transaction.atomic
def notify_staff(
    *,
    organisation: Organisation,
    staff_member: Any,
    event: str,
    about_reference: str,
    personalisation: dict[str, str],
) -> Message | None:
    """Email a member of staff, e.g. an SLA warning to a team leader; None if they cannot get
    it (no email address, account closed) or there is no template."""
    if not getattr(staff_member, "is_active", False):
        return None
    route = _email_route(staff_member.email)
    if route is None:
        return None
    template = _templates(
        organisation=organisation,
        service=None,
        event=event,
        channels=[MessageChannel.EMAIL],
        easy_read=False,
    ).get(MessageChannel.EMAIL)
    if template is None:
        return None
    return _create_message(
        organisation=organisation,
        template=template,
        route=route,
        event=event,
        about_reference=about_reference,
        personalisation=personalisation,
        staff_member=staff_member,
    )


def _dispatch(client: Any, message: Message) -> dict[str, Any]:
    if message.template is None:
        raise NotifyError(status_code=400, error="BadRequestError", detail="Template not found")
    arguments = {
        "template_id": str(message.template.notify_template_id),
        "personalisation": message.personalisation,
        "reference": str(message.reference),
    }
    if message.channel == MessageChannel.EMAIL:
        return client.send_email(email_address=message.recipient, **arguments)
    if message.channel == MessageChannel.SMS:
        return client.send_sms(phone_number=message.recipient, **arguments)
    return client.send_letter(**arguments)


@transaction.atomic
def _record_failure(message_id: int, detail: str) -> Message:
    message = Message.objects.select_for_update().get(pk=message_id)
    message.status = DeliveryStatus.TECHNICAL_FAILURE
    message.failure_detail = detail[:300]
    message.completed_at = timezone.now()
    message.save(update_fields=["status", "failure_detail", "completed_at"])
    record(
        actor=None,
        action=AuditAction.UPDATED,
        target=message,
        summary=f"Sending failed: {detail}",
        detail={"status": message.status},
    )
    return message


@transaction.atomic
def _record_sent(message_id: int, response: Mapping[str, Any], at: datetime.datetime) -> Message:
    message = Message.objects.select_for_update().get(pk=message_id)
    # A fast callback may have got here first: keep what it recorded.
    message.notify_id = message.notify_id or str(response["id"])[:64]
    message.sent_at = message.sent_at or at
    fields = ["notify_id", "sent_at"]
    content = response.get("content") or {}
    if isinstance(content.get("body"), str):  # what Notify made of the template: as sent
        message.body = content["body"]
        fields.append("body")
    if isinstance(content.get("subject"), str):
        message.subject = content["subject"][:300]
        fields.append("subject")
    message.save(update_fields=fields)
    record(
        actor=None,
        action=AuditAction.UPDATED,
        target=message,
        summary="Sent to Notify",
        detail={"notify_id": message.notify_id},
    )
    return message


def send_message(*, message_id: int, resumed: bool = False) -> Message:
    """Hand a created message to Notify, once.

    The message is first claimed (created -> sending) by a conditional update, so a task run
    twice, or by two workers, sends it once. Notify is called outside any transaction, so no
    lock is held while it answers. A refusal or an error marks the message as a technical
    failure with a reason that names no personal data.

    `resumed` is for a task run again because its worker died under it: a message that run left
    at "sending" without Notify's id is taken over. Notify is first asked for it by our
    reference, so it goes a second time only if Notify never got it.
    """
    client = get_client()
    claimable = Q(status=DeliveryStatus.CREATED)
    if resumed:
        claimable |= Q(status=DeliveryStatus.SENDING, notify_id="")
    claimed = Message.objects.filter(claimable, pk=message_id).update(status=DeliveryStatus.SENDING)
    message = Message.objects.select_related("template").get(pk=message_id)
    if not claimed:
        return message
    try:
        response = resumed and client.find_sent(reference=str(message.reference))
        if not response:
            response = _dispatch(client, message)
    except NotifyError as error:
        return _record_failure(message_id, f"{error.status_code} {error.error}: {error.detail}")
    except Exception as error:  # anything else must not leave the message stuck at "sending"
        logger.exception("Sending message %s failed", message_id)
        return _record_failure(message_id, f"Unexpected error: {type(error).__name__}")
    now = timezone.now()
    message = _record_sent(message_id, response, now)
    if isinstance(client, SimulatorClient):
        receipt = client.receipt(notification_id=str(response["id"]), at=now.isoformat())
        message = record_delivery_status(payload=receipt)
    return message


@dataclass(frozen=True)
class DeliveryReceipt:
    """The parts of Notify's delivery callback that CivicDesk keeps (not `to`: personal data)."""

    notify_id: str
    reference: uuid.UUID | None
    status: str
    sent_at: datetime.datetime | None
    completed_at: datetime.datetime | None


def _parse_time(
    payload: Mapping[str, Any], field: str, errors: list[dict[str, str]]
) -> datetime.datetime | None:
    value = payload.get(field)
    if value is None or value == "":
        return None
    try:
        parsed = datetime.datetime.fromisoformat(str(value))
    except ValueError:
        errors.append({"error": "ValidationError", "message": f"{field} is not a date and time"})
        return None
    if timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=datetime.UTC)  # Notify's times are UTC
    return parsed


def parse_receipt(payload: Any) -> DeliveryReceipt:
    """Check a delivery receipt's shape; InvalidReceipt lists every problem found."""
    if not isinstance(payload, Mapping):
        raise InvalidReceipt([{"error": "ValidationError", "message": "Expected a JSON object"}])
    errors: list[dict[str, str]] = []
    notify_id, reference, status = (payload.get(key) for key in ("id", "reference", "status"))
    if notify_id is not None and not isinstance(notify_id, str):
        errors.append({"error": "ValidationError", "message": "id must be a string"})
    if reference is not None and not isinstance(reference, str):
        errors.append({"error": "ValidationError", "message": "reference must be a string"})
    if not notify_id and not reference:
        errors.append({"error": "ValidationError", "message": "id or reference is required"})
    if status not in DeliveryStatus.values:
        errors.append(
            {
                "error": "ValidationError",
                "message": f"status must be one of: {', '.join(DeliveryStatus.values)}",
            }
        )
    kind = payload.get("notification_type")
    if kind is not None and kind not in MessageChannel.values:
        errors.append(
            {
                "error": "ValidationError",
                "message": "notification_type must be email, sms or letter",
            }
        )
    sent_at = _parse_time(payload, "sent_at", errors)
    completed_at = _parse_time(payload, "completed_at", errors)
    _parse_time(payload, "created_at", errors)
    if errors:
        raise InvalidReceipt(errors)
    try:
        our_reference = uuid.UUID(reference) if reference else None
    except ValueError:
        our_reference = None  # someone else's reference: look the message up by Notify's id
    return DeliveryReceipt(
        notify_id=notify_id or "",
        reference=our_reference,
        status=status,
        sent_at=sent_at,
        completed_at=completed_at,
    )


def _is_news(message: Message, receipt: DeliveryReceipt) -> bool:
    """Callbacks can arrive late and out of order: never step back, and between two final
    statuses keep the later one."""
    current, incoming = _PROGRESS[message.status], _PROGRESS[receipt.status]
    if incoming != current:
        return incoming > current
    if receipt.status == message.status:
        return False
    if incoming < 3:
        return True
    return receipt.completed_at is not None and (
        message.completed_at is None or receipt.completed_at >= message.completed_at
    )


@transaction.atomic
def record_delivery_status(*, payload: dict[str, Any]) -> Message:
    """Apply a delivery receipt, from Notify's callback or the simulator.

    Raises InvalidReceipt for a payload of the wrong shape and UnknownMessage when neither our
    reference nor Notify's id names one of our messages. A receipt older than what is recorded
    changes nothing.
    """
    receipt = parse_receipt(payload)
    messages = Message.objects.select_for_update()
    message = None
    if receipt.reference is not None:
        message = messages.filter(reference=receipt.reference).first()
    if message is None and receipt.notify_id:
        message = messages.filter(notify_id=receipt.notify_id).first()
    if message is None:
        raise UnknownMessage("No message has that reference.")
    if not _is_news(message, receipt):
        return message
    previous = message.status
    message.status = receipt.status
    message.notify_id = message.notify_id or receipt.notify_id[:64]
    message.sent_at = message.sent_at or receipt.sent_at
    if receipt.status in DeliveryStatus.finished():
        message.completed_at = receipt.completed_at or timezone.now()
    if receipt.status not in DeliveryStatus.failed():
        message.failure_detail = ""
    message.save(update_fields=["status", "notify_id", "sent_at", "completed_at", "failure_detail"])
    record(
        actor=None,
        action=AuditAction.UPDATED,
        target=message,
        summary=f"Delivery status {previous} -> {message.status}",
        detail={"status": message.status, "previous": previous},
    )
    return message
