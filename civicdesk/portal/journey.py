"""The state of one "report a problem" or "ask a question" journey, kept in the session.

Each journey has its own random id in its addresses and its own entry in the session, so two
tabs never mix. Photos are kept on the server between steps, under random names in
MEDIA_ROOT/tmp/portal, and removed when the request is sent or the journey is abandoned.
"""

import os
import re
import secrets
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest
from django.utils import timezone

from civicdesk.catalogue.models import Channel, RequestKind, Service
from civicdesk.catalogue.questions import questions_for
from civicdesk.organisations.models import Organisation, Role
from civicdesk.organisations.selectors import has_role
from civicdesk.people.models import Customer, PortalAccount, Representative
from civicdesk.places.models import Address

SESSION_KEY = "portal_journeys"
ACTING_FOR_KEY = "portal_acting_for"
KEEP = 10  # journeys kept in one session; the oldest is dropped (and its photos removed)
TMP_MAX_AGE = 24 * 60 * 60  # abandoned photos older than this are swept away
PHOTO_KEY = re.compile(r"^[A-Za-z0-9_-]{20,40}\.(jpg|jpeg|png|webp)$")
ASSISTING_ROLES = (Role.AGENT, Role.TEAM_LEADER, Role.OFFICER, Role.MANAGER, Role.ADMINISTRATOR)

# The steps in order; the "location" step leads to "address" or "place".
STEPS = ("channel", "location", "questions", "description", "photos", "details", "check")
LOCATION_STEPS = ("location", "address", "place")


def tmp_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "tmp" / "portal"


def _journeys(request: HttpRequest) -> dict[str, dict[str, Any]]:
    return request.session.get(SESSION_KEY, {})


def start(
    request: HttpRequest,
    *,
    service: Service,
    customer: Customer | None = None,
    channel: str = Channel.WEB,
) -> dict[str, Any]:
    """A new journey for `service`; `customer` set when an agent makes it for a caller."""
    sweep_tmp()
    journeys = _journeys(request)
    while len(journeys) >= KEEP:
        oldest = min(journeys, key=lambda key: journeys[key]["started_at"])
        remove_photos(journeys.pop(oldest))
    journey_id = secrets.token_hex(8)
    state = {
        "id": journey_id,
        "service": service.pk,
        "assisted": customer is not None,
        "customer": customer.pk if customer else None,
        "channel": channel,
        "postcode": "",
        "address": None,
        "place": "",
        "answers": {},
        "description": "",
        "photos": [],
        "details": {},
        "anonymous": False,
        "done": [],
        "submission": str(uuid.uuid4()),
        "reference": "",
        "started_at": timezone.now().isoformat(),
    }
    journeys[journey_id] = state
    request.session[SESSION_KEY] = journeys
    return state


def load(request: HttpRequest, journey_id: str) -> dict[str, Any]:
    state = _journeys(request).get(journey_id)
    if state is None:
        raise Http404("No such journey.")
    return state


def save(request: HttpRequest, state: dict[str, Any]) -> None:
    journeys = _journeys(request)
    journeys[state["id"]] = state
    request.session[SESSION_KEY] = journeys
    request.session.modified = True


def mark_done(state: dict[str, Any], step: str) -> None:
    if step in LOCATION_STEPS:
        step = "location"
    if step not in state["done"]:
        state["done"].append(step)


def steps_for(state: dict[str, Any], service: Service, customer: Customer | None) -> list[str]:
    """The steps this journey asks, in order."""
    steps = []
    for step in STEPS:
        if step == "channel" and not state["assisted"]:
            continue
        if step == "location" and service.request_kind != RequestKind.PROBLEM:
            continue
        if step == "questions" and not questions_for(service):
            continue
        if step == "details" and customer is not None:
            continue
        steps.append(step)
    return steps


def next_step(steps: list[str], current: str, state: dict[str, Any]) -> str:
    """The step after `current`; the check page once every step has been answered."""
    if current == "location":
        return "address"
    current = "location" if current in LOCATION_STEPS else current
    if "check" in state["done"]:
        return "check"
    index = steps.index(current) if current in steps else -1
    return steps[index + 1] if index + 1 < len(steps) else "check"


def first_unanswered(steps: list[str], state: dict[str, Any]) -> str | None:
    for step in steps:
        if step != "check" and step not in state["done"]:
            return step
    return None


# Who the request is from ---------------------------------------------------------------------


@dataclass(frozen=True)
class Requester:
    """Who is making the request: the actor, the customer when known, a representative."""

    actor: Any
    customer: Customer | None
    representative: Representative | None
    assisted: bool


def may_assist(user: Any, council: Organisation) -> bool:
    """Whether a member of staff may use the portal's journeys for a caller."""
    return user.is_authenticated and has_role(user, *ASSISTING_ROLES, organisation=council)


def requester_for(
    request: HttpRequest, council: Organisation, state: dict[str, Any] | None
) -> Requester:
    user = request.user
    actor = user if user.is_authenticated else None
    if state is not None and state["assisted"]:
        if not may_assist(user, council):
            raise Http404("No such journey.")
        customer = Customer.objects.filter(pk=state["customer"], organisation=council).first()
        if customer is None:
            raise Http404("No such customer.")
        return Requester(actor, customer, None, True)
    if not user.is_authenticated:
        return Requester(None, None, None, False)
    acting_for = request.session.get(ACTING_FOR_KEY)
    if acting_for:
        representative = (
            Representative.objects.in_force()
            .filter(pk=acting_for, user=user, organisation=council)
            .select_related("customer")
            .first()
        )
        if representative is not None:
            return Requester(actor, representative.customer, representative, False)
    account = (
        PortalAccount.objects.filter(user=user, organisation=council)
        .select_related("customer")
        .first()
    )
    # An unverified account may carry someone else's email address: its requests are not put
    # on that customer's record until the address is confirmed.
    if account is not None and account.is_verified:
        return Requester(actor, account.customer, None, False)
    return Requester(actor, None, None, False)


# What intake is given --------------------------------------------------------------------------


def address_of(state: dict[str, Any], council: Organisation) -> Address | None:
    if not state["address"]:
        return None
    return Address.objects.filter(pk=state["address"], organisation=council).first()


def intake_arguments(
    state: dict[str, Any], *, service: Service, council: Organisation, requester: Requester
) -> dict[str, Any]:
    """The arguments check_request takes, from what the journey has so far."""
    from civicdesk.cases.intake import ContactDetails

    details = state["details"] if not state["anonymous"] else {}
    return {
        "organisation": council,
        "service": service,
        "description": state["description"],
        "customer": requester.customer,
        "details": ContactDetails(
            forenames=details.get("forenames", ""),
            surname=details.get("surname", ""),
            email=details.get("email", ""),
            phone=details.get("phone", ""),
        ),
        "representative": requester.representative,
        "address": address_of(state, council),
        "latitude": None,
        "longitude": None,
        "location_description": state["place"],
        "media_url": "",
    }


# Photos ----------------------------------------------------------------------------------------


def keep_photo(upload: UploadedFile, name: str, content_type: str) -> dict[str, Any]:
    """Store a checked upload under a random name; return what the session keeps of it."""
    directory = tmp_dir()
    directory.mkdir(parents=True, exist_ok=True)
    extension = os.path.splitext(name)[1].lower()
    key = f"{secrets.token_urlsafe(18)}{extension}"
    upload.seek(0)
    with open(directory / key, "xb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return {"key": key, "name": name, "size": upload.size, "content_type": content_type}


def photo_path(photo: dict[str, Any]) -> Path | None:
    key = str(photo.get("key", ""))
    return tmp_dir() / key if PHOTO_KEY.fullmatch(key) else None


def open_photos(state: dict[str, Any]) -> list[UploadedFile]:
    """The journey's photos as uploads for intake; the caller closes them."""
    uploads = []
    for photo in state["photos"]:
        path = photo_path(photo)
        if path is None or not path.exists():
            continue
        uploads.append(
            UploadedFile(
                file=open(path, "rb"),  # noqa: SIM115 - closed by the caller
                name=photo["name"],
                content_type=photo["content_type"],
                size=path.stat().st_size,
            )
        )
    return uploads


def remove_photo(photo: dict[str, Any]) -> None:
    path = photo_path(photo)
    if path is not None:
        path.unlink(missing_ok=True)


def remove_photos(state: dict[str, Any]) -> None:
    for photo in state.get("photos", []):
        remove_photo(photo)
    state["photos"] = []


def sweep_tmp(max_age: int = TMP_MAX_AGE) -> int:
    """Remove photos left by journeys abandoned more than `max_age` seconds ago."""
    directory = tmp_dir()
    if not directory.is_dir():
        return 0
    removed = 0
    cutoff = time.time() - max_age
    with os.scandir(directory) as entries:
        for entry in entries:
            stale = entry.is_file() and entry.stat().st_mtime < cutoff
            if stale and PHOTO_KEY.fullmatch(entry.name):
                Path(entry.path).unlink(missing_ok=True)
                removed += 1
    return removed
