"""Every change to customers, their consents and representatives goes through here."""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicdesk.core.audit import record
from civicdesk.core.idempotency import SubmissionKey, once
from civicdesk.core.models import AuditAction
from civicdesk.core.references import make_reference
from civicdesk.organisations.models import Organisation
from civicdesk.people import matching
from civicdesk.people.models import Consent, Customer, Representative

CUSTOMER_PREFIX = "CUS"

# Fields an agent may set on a customer record; the derived search keys are not among them.
EDITABLE_FIELDS = (
    "title", "forenames", "surname", "date_of_birth", "email", "phone", "mobile",
    "preferred_channel", "address", "interpreter_language", "needs_large_print", "needs_bsl",
    "needs_easy_read", "other_needs",
)  # fmt: skip


def refresh_search_keys(customer: Customer) -> list[str]:
    """Recompute the stored search keys from the names, phones and email; return the fields."""
    customer.surname_key = matching.name_key(customer.surname)
    customer.forename_key = matching.name_key(matching.first_name(customer.forenames))
    customer.surname_normalised = matching.fold(customer.surname).replace(" ", "")
    customer.email_normalised = matching.normalise_email(customer.email)
    customer.phone_normalised = matching.normalise_phone(customer.phone)
    customer.mobile_normalised = matching.normalise_phone(customer.mobile)
    return [
        "surname_key", "forename_key", "surname_normalised", "email_normalised",
        "phone_normalised", "mobile_normalised",
    ]  # fmt: skip


def customer_reference(pk: int) -> str:
    return make_reference(CUSTOMER_PREFIX, pk)


def _validated(customer: Customer) -> None:
    if not customer.forenames.strip() and not customer.surname.strip():
        raise ValidationError({"surname": _("Enter the customer's name.")})
    if customer.address_id and customer.address.organisation_id != customer.organisation_id:
        raise ValidationError({"address": _("The address is outside this council's area.")})
    customer.full_clean(exclude=["reference", "merged_into"])


@transaction.atomic
def create_customer(
    *,
    actor: Any,
    organisation: Organisation,
    submission_key: str | SubmissionKey = "",
    **fields: Any,
) -> Customer:
    """Register a customer; the reference is derived from the new row's id.

    A retried submission with the same `submission_key` returns the customer the first one made.
    """
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Not customer fields: {', '.join(sorted(unknown))}")
    customer = Customer(organisation=organisation, **fields)
    refresh_search_keys(customer)
    _validated(customer)

    def create() -> Customer:
        customer.save()
        customer.reference = customer_reference(customer.pk)
        customer.save(update_fields=["reference"])
        record(
            actor=actor,
            action=AuditAction.CREATED,
            target=customer,
            summary=f"Customer {customer.reference} registered",
        )
        return customer

    registered, _created = once(key=submission_key, model=Customer, create=create)
    return registered


@transaction.atomic
def find_or_register_customer(
    *,
    actor: Any,
    organisation: Organisation,
    forenames: str,
    surname: str,
    email: str = "",
    phone: str = "",
) -> Customer:
    """The record a request from the public is about, found by email and surname or registered.

    Both must match one record, so a stranger who knows only an email address is not joined
    to someone else's record; a near miss registers a new record for the merge tool to find.
    The details on a found record are not changed: only staff and the customer's own account do
    that.
    """
    email_key = matching.normalise_email(email)
    surname_key = matching.fold(surname).replace(" ", "")
    if email_key and surname_key:
        found = list(
            Customer.objects.filter(
                organisation=organisation,
                email_normalised=email_key,
                surname_normalised=surname_key,
                merged_into__isnull=True,
            )[:2]
        )
        if len(found) == 1:
            return found[0]
    is_mobile = matching.normalise_phone(phone).startswith("07")
    return create_customer(
        actor=actor,
        organisation=organisation,
        forenames=forenames.strip(),
        surname=surname.strip(),
        email=email.strip(),
        mobile=phone.strip() if is_mobile else "",
        phone="" if is_mobile else phone.strip(),
    )


@transaction.atomic
def update_customer(*, actor: Any, customer: Customer, **changes: Any) -> Customer:
    """Change a customer's details; the audit entry lists the fields changed, not their values."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Not customer fields: {', '.join(sorted(unknown))}")
    changed = [name for name, value in changes.items() if getattr(customer, name) != value]
    if not changed:
        return customer
    for name in changed:
        setattr(customer, name, changes[name])
    derived = refresh_search_keys(customer)
    _validated(customer)
    customer.save(update_fields=[*changed, *derived, "updated_at"])
    record(
        actor=actor,
        action=AuditAction.UPDATED,
        target=customer,
        summary=f"Changed {', '.join(changed)}",
        detail={"fields": changed},
    )
    return customer


@transaction.atomic
def record_consent(
    *, actor: Any, customer: Customer, purpose: Consent.Purpose, granted: bool, channel: str = ""
) -> Consent:
    """Consents are a history: a new row each time, the latest per purpose is in force."""
    consent = Consent.objects.create(
        organisation_id=customer.organisation_id,
        customer=customer,
        purpose=purpose,
        granted=granted,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
        channel=channel,
    )
    record(
        actor=actor,
        action=AuditAction.UPDATED,
        target=customer,
        summary=f"Consent to {consent.get_purpose_display().lower()}: "
        f"{'given' if granted else 'withdrawn'}",
    )
    return consent


@transaction.atomic
def add_representative(
    *,
    actor: Any,
    customer: Customer,
    name: str,
    relationship: str,
    consent_given_on: datetime.date,
    consent_expires_on: datetime.date | None = None,
    scope: str = Representative.Scope.ALL,
    services: list | None = None,
    partner_organisation: Organisation | None = None,
    email: str = "",
    phone: str = "",
    notes: str = "",
) -> Representative:
    """Record that someone may act for the customer, within a scope and until consent expires."""
    if consent_expires_on and consent_expires_on < consent_given_on:
        raise ValidationError({"consent_expires_on": _("Expiry must be after consent was given.")})
    if scope == Representative.Scope.SERVICES and not services:
        raise ValidationError({"services": _("Choose the services the representative may act on.")})
    representative = Representative(
        organisation_id=customer.organisation_id,
        customer=customer,
        name=name,
        relationship=relationship,
        consent_given_on=consent_given_on,
        consent_expires_on=consent_expires_on,
        scope=scope,
        partner_organisation=partner_organisation,
        email=email,
        phone=phone,
        notes=notes,
    )
    representative.full_clean(exclude=["customer", "organisation"])
    representative.save()
    if services:
        representative.services.set(services)
    record(
        actor=actor,
        action=AuditAction.ACCESS_GRANTED,
        target=customer,
        summary=f"{name} may act for the customer",
        detail={"representative": representative.pk},
    )
    return representative


@transaction.atomic
def revoke_representative(*, actor: Any, representative: Representative) -> Representative:
    if representative.revoked_at is None:
        representative.revoked_at = timezone.now()
        representative.save(update_fields=["revoked_at"])
        record(
            actor=actor,
            action=AuditAction.ACCESS_REVOKED,
            target=representative.customer,
            summary=f"{representative.name} may no longer act for the customer",
            detail={"representative": representative.pk},
        )
    return representative


def _history_relations() -> list[models.ForeignKey]:
    """Every foreign key that points at a customer, in any app: the history a merge moves."""
    return [
        relation.field
        for relation in Customer._meta.related_objects
        if relation.one_to_many or relation.one_to_one
    ]


def _linking_relations() -> list[models.ManyToManyField]:
    """Every many-to-many link to a customer, e.g. the cases a customer follows."""
    return [relation.field for relation in Customer._meta.related_objects if relation.many_to_many]


def _move_links(field: models.ManyToManyField, duplicate: Customer, survivor: Customer) -> int:
    """Point the duplicate's links at the survivor, dropping any the survivor already has."""
    through = field.remote_field.through
    customer, other = field.m2m_reverse_field_name(), field.m2m_field_name()
    held = through.objects.filter(**{customer: survivor}).values(other)
    through.objects.filter(**{customer: duplicate, f"{other}__in": held}).delete()
    return through.objects.filter(**{customer: duplicate}).update(**{customer: survivor})


@transaction.atomic
def merge_customers(*, actor: Any, survivor: Customer, duplicate: Customer) -> Customer:
    """Fold a duplicate record into the survivor.

    All history (contacts, consents, representatives, and whatever later apps attach to a
    customer) moves to the survivor; blanks on the survivor are filled from the duplicate; the
    duplicate stays, marked as merged, so its old reference still leads to the survivor.
    """
    if survivor.pk == duplicate.pk:
        raise ValidationError(_("A customer cannot be merged with itself."))
    if survivor.organisation_id != duplicate.organisation_id:
        raise ValidationError(_("Customers of different councils cannot be merged."))
    locked = {
        c.pk: c
        for c in Customer.objects.select_for_update().filter(pk__in=[survivor.pk, duplicate.pk])
    }
    survivor, duplicate = locked[survivor.pk], locked[duplicate.pk]
    if survivor.merged_into_id or duplicate.merged_into_id:
        raise ValidationError(_("One of these records has already been merged."))

    moved: dict[str, int] = {}
    for field in _history_relations():
        count = field.model._default_manager.filter(**{field.name: duplicate}).update(
            **{field.name: survivor}
        )
        if count:
            moved[field.model._meta.label_lower] = count
    for field in _linking_relations():
        count = _move_links(field, duplicate, survivor)
        if count:
            moved[f"{field.model._meta.label_lower}.{field.name}"] = count

    filled = []
    for name in EDITABLE_FIELDS:
        attname = Customer._meta.get_field(name).attname
        if getattr(survivor, attname) in ("", None, False) and getattr(duplicate, attname):
            setattr(survivor, attname, getattr(duplicate, attname))
            filled.append(name)
    if filled:
        derived = refresh_search_keys(survivor)
        survivor.save(update_fields=[*filled, *derived, "updated_at"])
    duplicate.merged_into = survivor
    duplicate.save(update_fields=["merged_into", "updated_at"])

    detail = {
        "survivor": survivor.reference,
        "duplicate": duplicate.reference,
        "moved": moved,
        "filled": filled,
    }
    record(
        actor=actor,
        action=AuditAction.MERGED,
        target=survivor,
        summary=f"{duplicate.reference} merged into this record",
        detail=detail,
    )
    record(
        actor=actor,
        action=AuditAction.MERGED,
        target=duplicate,
        summary=f"Merged into {survivor.reference}",
        detail=detail,
    )
    return survivor


@transaction.atomic
def record_subject_access(*, actor: Any, customer: Customer, export_format: str) -> None:
    """A subject access export shows everything held about the customer, sensitive services'
    cases and internal notes included: who made one, about whom and when is itself a record."""
    record(
        actor=actor,
        action=AuditAction.VIEWED_SENSITIVE,
        target=customer,
        summary=f"Subject access export ({export_format})",
        detail={"format": export_format},
    )
