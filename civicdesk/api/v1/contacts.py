"""The contact log: a customer's contacts with the privacy rules applied, and logging one
through `contacts.services.log_contact`."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Status

from civicdesk.api.v1.common import (
    IDEMPOTENCY,
    PageParams,
    paginate,
    staff_name,
    submission_key,
)
from civicdesk.api.v1.schemas import ERRORS, ContactIn, ContactOut, ContactPage
from civicdesk.catalogue.selectors import services_for
from civicdesk.contacts.models import Contact
from civicdesk.contacts.selectors import contacts_for_customer, may_see_details
from civicdesk.contacts.services import log_contact, record_sensitive_view
from civicdesk.organisations.selectors import organisation_for, teams_for
from civicdesk.people.selectors import customer_for_user

router = Router(tags=["contacts"])


class ContactFilters(PageParams):
    customer: str = Field(..., max_length=40, description="The customer's reference.")


def contact_out(contact: Contact, *, restricted: bool) -> dict[str, Any]:
    """A restricted contact keeps its date and channel, so staff know something exists."""
    shown = {
        "id": contact.pk,
        "started_at": contact.started_at,
        "ended_at": contact.ended_at,
        "channel": contact.channel,
        "restricted": restricted,
        "customer": contact.customer.reference if contact.customer_id else None,
        "service": None,
        "outcome": None,
        "avoidable_reason": None,
        "notes": None,
        "agent": None,
    }
    if not restricted:
        shown.update(
            service={"slug": contact.service.slug, "name": contact.service.name}
            if contact.service_id
            else None,
            outcome=contact.outcome,
            avoidable_reason=contact.avoidable_reason,
            notes=contact.notes,
            agent=staff_name(contact.agent) if contact.agent_id else None,
        )
    return shown


@router.get("", response={200: ContactPage, **ERRORS}, summary="A customer's contacts")
def list_contacts(request: HttpRequest, filters: Query[ContactFilters]) -> dict[str, Any]:
    customer = customer_for_user(user=request.user, reference=filters.customer)
    page = paginate(contacts_for_customer(customer=customer).select_related("customer"), filters)
    team_ids = set(teams_for(request.user).values_list("pk", flat=True))
    shown = [
        (contact, not may_see_details(user=request.user, contact=contact, team_ids=team_ids))
        for contact in page["results"]
    ]
    # Showing a sensitive service's contact is a look at sensitive data: audited, as on the
    # customer's single view.
    record_sensitive_view(
        actor=request.user,
        contacts=[
            contact
            for contact, restricted in shown
            if not restricted and contact.service and contact.service.is_sensitive
        ],
    )
    page["results"] = [contact_out(contact, restricted=restricted) for contact, restricted in shown]
    return page


@router.post("", response={201: ContactOut, **ERRORS}, summary="Log a contact")
def create_contact(
    request: HttpRequest,
    payload: ContactIn,
    idempotency_key: str | None = IDEMPOTENCY,
) -> Status:
    user = request.user
    customer = None
    if payload.customer:
        try:
            customer = customer_for_user(user=user, reference=payload.customer)
        except Http404:
            raise ValidationError({"customer": _("No customer with that reference.")}) from None
    organisation = customer.organisation if customer else organisation_for(user)
    if organisation is None:
        raise PermissionDenied(_("You are not a member of any organisation."))
    service = None
    if payload.service:
        service = services_for(user=user).filter(slug=payload.service).first()
        if service is None:
            raise ValidationError({"service": _("No service with that slug.")})
    contact = log_contact(
        actor=user,
        organisation=organisation,
        channel=payload.channel,
        outcome=payload.outcome,
        customer=customer,
        service=service,
        started_at=payload.started_at,
        ended_at=payload.ended_at,
        avoidable_reason=payload.avoidable_reason or "",
        notes=payload.notes,
        submission_key=submission_key(request, idempotency_key, "contact"),
    )
    return Status(201, contact_out(contact, restricted=False))
