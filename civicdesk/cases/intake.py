"""Requests from the public: the portal, Open311 clients, the JSON API and agents using the
portal's journeys for a caller all come through `submit_request`, so a report is checked,
recorded and acknowledged the same way whichever road it came by.

One request is one contact (the channel it came by, outcome "case raised") and one case raised
from it, with the service's questions answered and any photos attached.
"""

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction
from django.utils.translation import gettext as _

from civicdesk.cases.models import Case
from civicdesk.cases.services import attach_file, raise_case
from civicdesk.cases.uploads import PHOTO_TYPES, check_upload
from civicdesk.catalogue.models import Channel, RequestKind, Service
from civicdesk.catalogue.questions import clean_answers
from civicdesk.contacts.models import Outcome
from civicdesk.contacts.services import log_contact
from civicdesk.core.idempotency import SubmissionKey, once
from civicdesk.organisations.models import Organisation
from civicdesk.people.models import Customer, Representative
from civicdesk.people.services import find_or_register_customer
from civicdesk.places.models import Address

MAX_DESCRIPTION = 4000  # Open311's limit, kept for every channel
MAX_PHOTOS = 3
PUBLIC_CHANNELS = (Channel.WEB, Channel.API, Channel.PARTNER, Channel.PHONE, Channel.FACE_TO_FACE)


@dataclass(frozen=True)
class ContactDetails:
    """Who a request is from, as they gave it; blank throughout for an anonymous report."""

    forenames: str = ""
    surname: str = ""
    email: str = ""
    phone: str = ""

    @property
    def given(self) -> bool:
        fields = (self.forenames, self.surname, self.email, self.phone)
        return any(value.strip() for value in fields)


def check_details(details: ContactDetails, errors: dict[str, str]) -> None:
    """What a request needs to be answered: a name, and an email address or a phone number."""
    if not details.given:
        return
    if not details.forenames.strip():
        errors["forenames"] = _("Enter your first name.")
    if not details.surname.strip():
        errors["surname"] = _("Enter your last name.")
    if not details.email.strip() and not details.phone.strip():
        errors["email"] = _("Enter an email address or a phone number so we can reply.")
    if details.email.strip():
        try:
            EmailValidator()(details.email.strip())
        except ValidationError:
            errors["email"] = _(
                "Enter an email address in the correct format, like name@example.com."
            )
    if len(details.phone.strip()) > 30:
        errors["phone"] = _("Enter a phone number of 30 characters or fewer.")


def check_request(
    *,
    organisation: Organisation,
    service: Service,
    description: str,
    customer: Customer | None,
    details: ContactDetails,
    representative: Representative | None,
    address: Address | None,
    latitude: float | None,
    longitude: float | None,
    location_description: str,
    media_url: str,
) -> dict[str, str]:
    """Everything about a request that can be wrong, keyed by field, before anything is written.

    The journeys call this page by page too, so a resident hears about a problem where they can
    fix it rather than only at the end.
    """
    errors: dict[str, str] = {}
    if (
        service.organisation_id != organisation.pk
        or not service.is_active
        or not service.is_public
        or service.request_kind == RequestKind.NONE
    ):
        errors["service"] = _("Choose a service that takes requests online.")
        return errors
    text = description.strip()
    if not text:
        errors["description"] = (
            _("Describe the problem.")
            if service.request_kind == RequestKind.PROBLEM
            else _("Enter your question.")
        )
    elif len(text) > MAX_DESCRIPTION:
        errors["description"] = _("The description must be %(limit)s characters or fewer.") % {
            "limit": f"{MAX_DESCRIPTION:,}"
        }
    located = address is not None or latitude is not None or location_description.strip()
    if service.request_kind == RequestKind.PROBLEM and not located:
        errors["location"] = _("Give the address or describe where the problem is.")
    if (latitude is None) != (longitude is None):
        errors["location"] = _("Give both the latitude and the longitude.")
    if customer is None:
        check_details(details, errors)
        if not details.given and not service.allows_anonymous:
            errors["email"] = _("Give your name and an email address or phone number.")
    if representative is not None:
        if customer is None or representative.customer_id != customer.pk:
            errors["representative"] = _("You cannot act for this person.")
        elif not representative.may_act_for(service):
            errors["representative"] = _(
                "Your consent to act for %(name)s does not cover this service."
            ) % {"name": customer.full_name}
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError:
            errors["media_url"] = _("The photo link must be a web address.")
    return errors


@transaction.atomic
def submit_request(
    *,
    actor: Any,
    organisation: Organisation,
    service: Service,
    channel: str,
    description: str,
    answers: Mapping[str, Any] | None = None,
    customer: Customer | None = None,
    details: ContactDetails = ContactDetails(),
    representative: Representative | None = None,
    address: Address | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    location_description: str = "",
    photos: Sequence[UploadedFile] = (),
    media_url: str = "",
    submitted_via: str = "",
    started_at: datetime.datetime | None = None,
    submission_key: str | SubmissionKey = "",
    submission_window: datetime.timedelta | None = None,
) -> Case:
    """Record a request from the public and raise its case; return the case.

    `customer` is the person the request is about when they are known (a signed-in resident,
    someone a representative acts for, a caller an agent has found); otherwise `details`
    finds or registers them, or, left blank, makes the report anonymous where the service
    allows it. `submitted_via` names the client or journey, noted on the contact. A retried
    submission with the same `submission_key` returns the first one's case, and nothing is
    written twice; a key made from the request's content counts only within
    `submission_window`.
    """
    errors = check_request(
        organisation=organisation,
        service=service,
        description=description,
        customer=customer,
        details=details,
        representative=representative,
        address=address,
        latitude=latitude,
        longitude=longitude,
        location_description=location_description,
        media_url=media_url,
    )
    if channel not in PUBLIC_CHANNELS:
        errors["channel"] = _("Choose how the request came in.")
    cleaned: dict[str, Any] = {}
    if "service" not in errors:
        try:
            cleaned = clean_answers(service, answers or {})
        except ValidationError as error:
            errors.update({code: messages[0] for code, messages in error.message_dict.items()})
    if len(photos) > MAX_PHOTOS:
        errors["photos"] = _("Add up to %(count)s photos.") % {"count": MAX_PHOTOS}
    else:
        for photo in photos:
            try:
                check_upload(photo, photo.name or "", photo.size or 0, accepted=PHOTO_TYPES)
            except ValidationError as error:
                errors["photos"] = error.message_dict.get("file", error.messages)[0]
                break
    if errors:
        raise ValidationError(errors)

    def create() -> Case:
        who = customer
        if who is None and details.given:
            who = find_or_register_customer(
                actor=actor,
                organisation=organisation,
                forenames=details.forenames,
                surname=details.surname,
                email=details.email,
                phone=details.phone,
            )
        contact = log_contact(
            actor=actor,
            organisation=organisation,
            channel=channel,
            outcome=Outcome.CASE_RAISED,
            customer=who,
            service=service,
            representative=representative,
            started_at=started_at,
            notes=submitted_via,
        )
        case = raise_case(
            actor=actor,
            organisation=organisation,
            service=service,
            description=description,
            channel=channel,
            customer=who,
            source_contact=contact,
            address=address,
            latitude=latitude,
            longitude=longitude,
            location_description=location_description,
            attributes=cleaned,
            media_url=media_url,
            from_public=True,
        )
        for photo in photos:
            photo.seek(0)
            attach_file(actor=actor, case=case, upload=photo)
        return case

    case, _created = once(key=submission_key, model=Case, create=create, window=submission_window)
    return case
