"""The public face of a case: what the person who made the request may read of it, on the
portal's tracking page and in their account alike. Internal notes, assignments and referrals
never appear; sensitive services show their status only."""

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext_lazy as _

from civicdesk.cases.models import Case, CaseStatus, EventKind
from civicdesk.core.references import InvalidReference, make_reference, parse_reference
from civicdesk.organisations.models import Organisation
from civicdesk.people.matching import normalise_email
from civicdesk.places.postcodes import is_valid_postcode, normalise_postcode

STATUS_WORDS = {
    CaseStatus.OPEN: _("Received"),
    CaseStatus.ASSIGNED: _("Received"),
    CaseStatus.IN_PROGRESS: _("In progress"),
    CaseStatus.WAITING_CUSTOMER: _("Waiting for information from you"),
    CaseStatus.WAITING_THIRD_PARTY: _("Waiting for someone else to act"),
    CaseStatus.RESOLVED: _("Dealt with"),
    CaseStatus.CLOSED: _("Closed"),
    CaseStatus.REOPENED: _("Reopened"),
}


@dataclass(frozen=True)
class PublicUpdate:
    at: datetime
    text: str


@dataclass(frozen=True)
class TrackedRequest:
    reference: str
    status: str
    service: str
    reported_at: datetime | None
    expected_by: datetime | None
    updates: list[PublicUpdate]
    sensitive: bool


def public_view(case: Case) -> TrackedRequest:
    """What the requester may see: status, service, dates and the public updates only."""
    sensitive = case.service.is_sensitive
    updates: list[PublicUpdate] = []
    if not sensitive:
        events = case.events.filter(
            kind__in=[
                EventKind.STATUS_CHANGED, EventKind.PUBLIC_UPDATE, EventKind.CLOSED,
                EventKind.REOPENED,
            ]
        ).order_by("occurred_at", "id")  # fmt: skip
        for event in events:
            if event.kind == EventKind.STATUS_CHANGED:
                status = event.data.get("to", "")
                words = STATUS_WORDS.get(status)
                if words:
                    updates.append(
                        PublicUpdate(event.occurred_at, _("Status: %(status)s") % {"status": words})
                    )
            elif event.kind == EventKind.REOPENED:
                updates.append(PublicUpdate(event.occurred_at, str(_("Reopened"))))
            elif event.is_public and event.text:
                updates.append(PublicUpdate(event.occurred_at, event.text))
        updates.reverse()  # newest first
    return TrackedRequest(
        reference=case.reference or "",
        status=str(STATUS_WORDS.get(case.status, case.get_status_display())),
        service=case.service.name,
        reported_at=None if sensitive else case.opened_at,
        expected_by=None if sensitive or not case.is_open else case.resolution_due_at,
        updates=updates,
        sensitive=sensitive,
    )


def _matches(case: Case, proof: str) -> bool:
    proof = proof.strip()
    if "@" in proof:
        email = normalise_email(proof)
        return bool(email) and case.customer is not None and case.customer.email_normalised == email
    postcode = normalise_postcode(proof)
    if not is_valid_postcode(postcode):
        return False
    postcodes = {case.address.postcode_normalised if case.address else ""}
    if case.customer is not None and case.customer.address is not None:
        postcodes.add(case.customer.address.postcode_normalised)
    return postcode in postcodes - {""}


def find_request(*, organisation: Organisation, reference: str, proof: str) -> Case | None:
    """The case, if the reference is one and the email address or postcode goes with it:
    what a requester without an account proves they made it with."""
    try:
        prefix, number = parse_reference(reference)
        reference = make_reference(prefix, number)
    except (InvalidReference, ValueError):
        return None
    case = (
        Case.objects.filter(organisation=organisation, reference=reference)
        .select_related("service", "address", "customer__address")
        .first()
    )
    if case is None or not _matches(case, proof):
        return None
    return case
