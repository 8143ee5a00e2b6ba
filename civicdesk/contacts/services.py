"""The only way contacts are written: every channel logs through `log_contact`."""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from civicdesk.catalogue.models import Channel, Service
from civicdesk.contacts.models import AvoidableReason, Contact, Outcome
from civicdesk.core.audit import record, record_each
from civicdesk.core.idempotency import SubmissionKey, once
from civicdesk.core.models import AuditAction
from civicdesk.organisations.models import Organisation, Team
from civicdesk.people.models import Customer, Representative


@transaction.atomic
def log_contact(
    *,
    actor: Any,
    organisation: Organisation,
    channel: str,
    outcome: str,
    customer: Customer | None = None,
    service: Service | None = None,
    team: Team | None = None,
    representative: Representative | None = None,
    started_at: datetime.datetime | None = None,
    ended_at: datetime.datetime | None = None,
    avoidable_reason: str = "",
    repeat_of: Contact | None = None,
    notes: str = "",
    submission_key: str | SubmissionKey = "",
) -> Contact:
    """Record one interaction. Anonymous callers have no customer; the agent is the actor.

    A retried submission with the same `submission_key` returns the contact the first one made.
    """
    now = timezone.now()
    started_at = started_at or now
    errors: dict[str, str] = {}
    if channel not in Channel.values:
        errors["channel"] = _("Choose how the customer got in touch.")
    if outcome not in Outcome.values:
        errors["outcome"] = _("Choose what happened.")
    if avoidable_reason and avoidable_reason not in AvoidableReason.values:
        errors["avoidable_reason"] = _("Choose a reason from the list.")
    if ended_at and ended_at < started_at:
        errors["ended_at"] = _("The contact cannot end before it started.")
    if started_at > now + datetime.timedelta(minutes=5):
        errors["started_at"] = _("The contact cannot start in the future.")
    for name, related in (("customer", customer), ("service", service), ("team", team)):
        if related is not None and related.organisation_id != organisation.pk:
            errors[name] = "That belongs to another organisation."
    if customer is not None and customer.merged_into_id:
        errors["customer"] = _("That record has been merged; log against the surviving record.")
    if representative is not None and representative.customer_id != getattr(customer, "pk", None):
        errors["representative"] = _("The representative does not act for this customer.")
    if repeat_of is not None:
        if repeat_of.customer_id != getattr(customer, "pk", None):
            errors["repeat_of"] = _("A repeat must be of the same customer's contact.")
        elif not avoidable_reason:
            avoidable_reason = AvoidableReason.REPEAT
    if errors:
        raise ValidationError(errors)

    def create() -> Contact:
        contact = Contact.objects.create(
            organisation=organisation,
            customer=customer,
            representative=representative,
            channel=channel,
            service=service,
            agent=actor if getattr(actor, "is_authenticated", False) else None,
            team=team,
            ward_id=customer.address.ward_id if customer and customer.address_id else None,
            started_at=started_at,
            ended_at=ended_at or now,
            outcome=outcome,
            avoidable_reason=avoidable_reason,
            repeat_of=repeat_of,
            notes=notes.strip(),
        )
        record(
            actor=actor,
            action=AuditAction.LOGGED,
            target=contact,
            summary=f"{contact.get_channel_display()} contact: {contact.get_outcome_display()}",
        )
        return contact

    contact, _created = once(key=submission_key, model=Contact, create=create)
    return contact


def record_home_wards(*, organisation: Organisation) -> int:
    """Give contacts loaded in bulk (without `log_contact`) the ward of the customer's home, as
    `log_contact` does for each one."""
    home_ward = Customer.objects.filter(pk=OuterRef("customer_id")).values("address__ward_id")[:1]
    return Contact.objects.filter(
        organisation=organisation, customer__isnull=False, ward__isnull=True
    ).update(ward_id=Subquery(home_ward))


def record_sensitive_view(*, actor: Any, contacts: list[Contact]) -> None:
    """Every look at the details of a sensitive service's contacts is written to the audit log."""
    record_each(
        actor=actor,
        action=AuditAction.VIEWED_SENSITIVE,
        targets=contacts,
        summary="Viewed the details of a contact about a sensitive service",
    )
