"""More than one report of the same thing: a customer chasing a case, a second report joined
to an open case, and a case raised twice closed as a duplicate. Each is counted, because
avoidable contact and repeat reports are what the council wants to see fall."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicdesk.cases.models import Case, EventKind, ResolutionCode
from civicdesk.cases.services import (
    access_for,
    append_event,
    close_case,
    lock_case,
    message_personalisation,
    require_permission,
)
from civicdesk.contacts.models import AvoidableReason, Contact, Outcome
from civicdesk.contacts.services import log_contact
from civicdesk.core.audit import record
from civicdesk.core.idempotency import once
from civicdesk.core.models import AuditAction
from civicdesk.notify.models import MessageEvent
from civicdesk.notify.services import notify_customer
from civicdesk.people.models import Customer


@transaction.atomic
def chase_case(
    *,
    actor: Any,
    case: Case,
    channel: str,
    customer: Customer | None = None,
    notes: str = "",
    submission_key: str = "",
) -> Contact:
    """Someone asks how the case is going: a contact on the case, counted as avoidable."""
    case = lock_case(case)
    require_permission(access_for(actor, case).may_chase, _("You cannot see this case."))
    customer = customer or case.customer

    def create() -> Contact:
        contact = log_contact(
            actor=actor,
            organisation=case.organisation,
            channel=channel,
            outcome=Outcome.RESOLVED,
            customer=customer,
            service=case.service,
            avoidable_reason=AvoidableReason.CHASING,
            notes=notes,
        )
        case.chase_count += 1
        case.save(update_fields=["chase_count"])
        append_event(
            case,
            EventKind.CHASED,
            actor=actor,
            at=contact.started_at,
            text=notes.strip(),
            contact=contact,
        )
        return contact

    contact, _created = once(key=submission_key, model=Contact, create=create)
    return contact


@transaction.atomic
def link_report(
    *,
    actor: Any,
    case: Case,
    customer: Customer | None = None,
    contact: Contact | None = None,
    description: str = "",
) -> Case:
    """A second report of something already reported: join it to the case instead of raising
    another, and keep the reporter informed."""
    case = lock_case(case)
    require_permission(access_for(actor, case).may_chase, _("You cannot see this case."))
    if not case.is_open:
        raise ValidationError(_("That case is finished: raise a new one."))
    errors: dict[str, str] = {}
    if customer is not None:
        if customer.organisation_id != case.organisation_id:
            errors["customer"] = _("That customer belongs to another council.")
        elif customer.merged_into_id:
            errors["customer"] = _("That record has been merged; use the surviving record.")
    if contact is not None and contact.organisation_id != case.organisation_id:
        errors["contact"] = _("That contact belongs to another council.")
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    case.linked_report_count += 1
    case.save(update_fields=["linked_report_count"])
    # Someone reporting again is counted again, but told about the case only the first time.
    newly_following = (
        customer is not None
        and customer.pk != case.customer_id
        and not case.followers.filter(pk=customer.pk).exists()
    )
    if newly_following:
        case.followers.add(customer)
    append_event(
        case,
        EventKind.DUPLICATE_LINKED,
        actor=actor,
        at=now,
        text=description.strip(),
        contact=contact,
        data={"customer": customer.pk if customer else None},
    )
    if newly_following:
        message = notify_customer(
            organisation=case.organisation,
            customer=customer,
            event=MessageEvent.ACKNOWLEDGEMENT,
            about_reference=case.reference,
            service=case.service,
            personalisation=message_personalisation(case),
        )
        if message is not None:
            append_event(
                case, EventKind.MESSAGE_SENT, actor=None, at=now, data={"message": message.pk}
            )
    record(actor=actor, action=AuditAction.UPDATED, target=case, summary="Another report linked")
    return case


@transaction.atomic
def mark_duplicate(*, actor: Any, case: Case, original: Case, message: str) -> Case:
    """Close a case raised twice, pointing at the one that carries on."""
    if original.pk == case.pk or original.organisation_id != case.organisation_id:
        raise ValidationError({"original": _("Choose another case of the same council.")})
    # Checked first so the officer hears about the original, not link_report's "raise a new
    # one" after this case has already been closed (and rolled back).
    if not Case.objects.filter(pk=original.pk, is_open=True).exists():
        raise ValidationError({"original": _("That case is finished: choose an open one.")})
    case = close_case(
        actor=actor, case=case, resolution_code=ResolutionCode.DUPLICATE, message=message
    )
    case.duplicate_of = original
    case.save(update_fields=["duplicate_of"])
    link_report(actor=actor, case=original, customer=case.customer, description=case.description)
    return case
