"""Updates the reporter sends through their own system, e.g. a comment left on FixMyStreet.

An update is a contact from the reporter (logged like any other) and a line on the case's
timeline for the team. It never moves the case: a reporter saying a problem is fixed or should
be reopened is noted for an officer, who decides.
"""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicdesk.cases.intake import MAX_DESCRIPTION, ContactDetails, check_details
from civicdesk.cases.models import Case, CaseEvent, EventKind
from civicdesk.cases.services import append_event
from civicdesk.catalogue.models import Channel
from civicdesk.contacts.models import Outcome
from civicdesk.contacts.services import log_contact
from civicdesk.core.audit import record
from civicdesk.core.idempotency import once
from civicdesk.core.models import AuditAction
from civicdesk.people.services import find_or_register_customer

# What a reporter may say about the problem, in mySociety's extended statuses.
SAYS_FINISHED = frozenset({"FIXED", "CLOSED", "NO_FURTHER_ACTION", "CANCELLED"})
SAYS_OPEN = frozenset({"OPEN", "REOPEN"})
REPORTER_STATUSES = frozenset(
    {
        "OPEN", "CLOSED", "FIXED", "IN_PROGRESS", "PLANNED", "ACTION_SCHEDULED",
        "INVESTIGATING", "DUPLICATE", "NOT_COUNCILS_RESPONSIBILITY", "NO_FURTHER_ACTION",
        "INTERNAL_REFERRAL", "CANCELLED", "REOPEN", "FOR_TRIAGE",
    }
)  # fmt: skip


NO_DETAILS = ContactDetails()


def _notice(status: str, case: Case) -> str:
    if status in SAYS_FINISHED and case.is_open:
        return _("The reporter says this is fixed. The case stays open until an officer closes it.")
    if status in SAYS_OPEN and not case.is_open:
        return _(
            "The reporter says this is not fixed. The case stays closed unless an officer "
            "reopens it."
        )
    return ""


@transaction.atomic
def record_reporter_update(
    *,
    actor: Any,
    case: Case,
    status: str,
    description: str,
    submitted_via: str,
    details: ContactDetails = NO_DETAILS,
    reported_at: datetime.datetime | None = None,
    media_url: str = "",
    their_reference: str = "",
    submission_key: str = "",
) -> CaseEvent:
    """Log the reporter's update as a contact and put it on the case's timeline.

    `status` is the reporter's view in mySociety's extended statuses (FIXED, OPEN ...); it is
    noted, never acted on. A retry with the same `submission_key` returns the first event.
    """
    status = status.strip().upper()
    description = description.strip()
    errors: dict[str, str] = {}
    if status not in REPORTER_STATUSES:
        errors["status"] = _("Give a status such as OPEN, FIXED or CLOSED.")
    if len(description) > MAX_DESCRIPTION:
        errors["description"] = _("The update must be %(limit)s characters or fewer.") % {
            "limit": f"{MAX_DESCRIPTION:,}"
        }
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError:
            errors["media_url"] = _("The photo link must be a web address.")
    check_details(details, errors)
    if errors:
        raise ValidationError(errors)

    def create() -> CaseEvent:
        now = timezone.now()
        customer = None
        if details.given:
            customer = find_or_register_customer(
                actor=actor,
                organisation=case.organisation,
                forenames=details.forenames,
                surname=details.surname,
                email=details.email,
                phone=details.phone,
            )
        contact = log_contact(
            actor=actor,
            organisation=case.organisation,
            channel=Channel.API,
            outcome=Outcome.REFERRED,
            customer=customer,
            service=case.service,
            team=case.team,
            notes=f"{submitted_via}: update on {case.reference}",
        )
        notice = _notice(status, case)
        text = "\n\n".join(part for part in (notice, description) if part)
        event = append_event(
            case,
            EventKind.REPORTER_UPDATE,
            actor=actor,
            at=now,
            text=text,
            data={
                "status": status,
                "via": submitted_via,
                "their_reference": their_reference,
                "reported_at": reported_at.isoformat() if reported_at else "",
                "media_url": media_url,
            },
            contact=contact,
        )
        record(
            actor=actor,
            action=AuditAction.UPDATED,
            target=case,
            summary=f"Update from the reporter on {case.reference} ({status})",
        )
        return event

    event, _created = once(key=submission_key, model=CaseEvent, create=create)
    return event
