"""Tracking a request: a reference and something only the requester knows find its public face.

Nothing here tells a wrong reference from a right one with the wrong details, and guesses are
limited per session and per address, so references cannot be fished for.
"""

from django.core.cache import cache
from django.http import HttpRequest

from civicdesk.cases.models import Case
from civicdesk.core.references import InvalidReference, make_reference, parse_reference
from civicdesk.organisations.models import Organisation
from civicdesk.people.matching import normalise_email
from civicdesk.places.postcodes import is_valid_postcode, normalise_postcode

MAX_GUESSES = 10  # failed look-ups allowed per session and per IP address in a window
WINDOW_SECONDS = 60 * 60
SESSION_KEY = "portal_track_failures"


def _ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _cache_key(request: HttpRequest) -> str:
    return f"portal-track-failures:{_ip(request)}"


def is_throttled(request: HttpRequest) -> bool:
    return (
        request.session.get(SESSION_KEY, 0) >= MAX_GUESSES
        or cache.get(_cache_key(request), 0) >= MAX_GUESSES
    )


def record_failure(request: HttpRequest) -> None:
    request.session[SESSION_KEY] = request.session.get(SESSION_KEY, 0) + 1
    key = _cache_key(request)
    if cache.add(key, 1, WINDOW_SECONDS) is False:
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, WINDOW_SECONDS)


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
    """The case, if the reference is one and the email address or postcode goes with it."""
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
