"""Reading customers, with the access policy applied: a selector always takes the acting user."""

import datetime
import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from civicdesk.core.references import InvalidReference, parse_reference
from civicdesk.organisations.models import Organisation
from civicdesk.organisations.selectors import organisation_for
from civicdesk.people import matching
from civicdesk.people.models import Consent, Customer, Representative
from civicdesk.people.services import CUSTOMER_PREFIX
from civicdesk.places.models import Address
from civicdesk.places.postcodes import normalise_postcode

_POSTCODE = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})\b", re.IGNORECASE)
_PHONE = re.compile(r"^[+()\d\s-]{6,}$")
CANDIDATE_LIMIT = 300


def customers_visible_to(user: Any) -> QuerySet[Customer]:
    """Council staff see their council's customers; partner staff only those they represent."""
    if not user.is_authenticated:
        return Customer.objects.none()
    if user.is_superuser:
        return Customer.objects.all()
    organisation = organisation_for(user)
    if organisation is None:
        return Customer.objects.none()
    if organisation.kind == Organisation.Kind.PARTNER:
        represented = Representative.objects.in_force().filter(partner_organisation=organisation)
        return Customer.objects.filter(pk__in=represented.values("customer_id"))
    return Customer.objects.filter(organisation=organisation)


def customer_for_user(*, user: Any, reference: str) -> Customer:
    """The customer with this reference, following merges; 404 for anything the user may not see."""
    visible = customers_visible_to(user).select_related(
        "address__ward", "address__street", "merged_into"
    )
    customer = visible.filter(reference=reference.upper()).first()
    if customer is None:
        raise Http404("No customer with that reference.")
    while customer.merged_into_id:
        customer = visible.get(pk=customer.merged_into_id)
    return customer


@dataclass(frozen=True)
class CustomerMatch:
    customer: Customer
    score: float
    matched_on: str


def _by_reference(visible: QuerySet[Customer], text: str) -> list[CustomerMatch]:
    try:
        prefix, number = parse_reference(text)
    except InvalidReference:
        return []
    if prefix != CUSTOMER_PREFIX:
        return []
    customer = visible.filter(pk=number).first()
    if customer and customer.merged_into_id:
        customer = visible.filter(pk=customer.merged_into_id).first()
    return [CustomerMatch(customer, 1.0, "reference")] if customer else []


def _by_name(visible: QuerySet[Customer], words: list[str], limit: int) -> list[CustomerMatch]:
    """Candidates by sound and by surname prefix (both indexed), ranked by spelling."""
    if "," in " ".join(words):  # "Smith, John"
        surname_part, _, forename_part = " ".join(words).partition(",")
        words = [*forename_part.split(), *surname_part.split()]
    folded = [matching.fold(word) for word in words]
    folded = [word for word in folded if word]
    if not folded:
        return []
    surname = folded[-1].replace(" ", "")
    forename = folded[0] if len(folded) > 1 else ""
    surname_key = matching.name_key(surname)
    # Candidate sets, most likely first; each is served by an index. A range rather than
    # LIKE for prefixes, so that SQLite uses the index too.
    surname_prefix = Q(surname_normalised__gte=surname, surname_normalised__lt=surname + "{")
    if forename:
        forename_key = matching.name_key(forename)
        tiers = [
            Q(surname_key=surname_key, forename_key=forename_key),
            surname_prefix & Q(forename_key=forename_key),
            Q(
                surname_key=surname_key,
                forename_key__gte=forename_key[:1],
                forename_key__lt=forename_key[:1] + "~",
            ),
            # The names given the other way round ("Smith John").
            Q(surname_key=matching.name_key(forename), forename_key=surname_key),
            # A slip in the surname that changes its sound ("John Smtih").
            Q(
                forename_key=forename_key,
                surname_normalised__gte=surname[:2],
                surname_normalised__lt=surname[:2] + "{",
            ),
        ]
    else:
        tiers = [Q(surname_normalised=surname), surname_prefix, Q(surname_key=surname_key)]
    # Rank on the few columns scoring needs; load whole records only for the best.
    candidates: dict[int, tuple[str, str]] = {}
    for tier in tiers:
        remaining = CANDIDATE_LIMIT - len(candidates)
        if remaining <= 0:
            break
        rows = visible.filter(tier).exclude(pk__in=list(candidates))
        candidates.update(
            (pk, (forenames, stored_surname))
            for pk, forenames, stored_surname in rows.values_list(
                "pk", "forenames", "surname_normalised"
            )[:remaining]
        )

    scored = []
    for pk, (forenames, stored_surname) in candidates.items():
        stored_forename = matching.first_name(forenames)
        if forename:
            straight = 0.6 * matching.similarity(surname, stored_surname) + 0.4 * (
                matching.similarity(forename, stored_forename)
            )
            swapped = 0.6 * matching.similarity(forename, stored_surname) + 0.4 * (
                matching.similarity(surname, stored_forename)
            )
            score = max(straight, swapped * 0.95)
        else:
            score = matching.similarity(surname, stored_surname)
        scored.append((-round(score, 4), stored_surname, forenames, pk))
    best = sorted(scored)[:limit]
    customers = visible.select_related("address").in_bulk([pk for *_, pk in best])
    return [CustomerMatch(customers[pk], -score, "name") for score, *_, pk in best]


def search_customers(*, user: Any, query: str, limit: int = 20) -> list[CustomerMatch]:
    """One search box: a reference, an email, a phone number, a postcode or a name.

    A name may carry a postcode ("John Smith KM1 2AB") to narrow it. Results are ranked, best
    first; merged records are left out (their references still find the survivor).
    """
    text = " ".join(query.split())
    if not text:
        return []
    everyone = customers_visible_to(user)
    visible = everyone.filter(merged_into__isnull=True)

    if found := _by_reference(everyone, text):
        return found
    if "@" in text:
        email = matching.normalise_email(text)
        rows = visible.filter(email_normalised=email).select_related("address")[:limit]
        return [CustomerMatch(customer, 1.0, "email") for customer in rows]
    if _PHONE.match(text) and sum(ch.isdigit() for ch in text) >= 6:
        phone = matching.normalise_phone(text)
        # Two indexed look-ups rather than an OR, which SQLite may answer with a full scan.
        found: dict[int, Customer] = {}
        for field in ("phone_normalised", "mobile_normalised"):
            rows = visible.filter(**{field: phone}).select_related("address").order_by("pk")
            found.update((customer.pk, customer) for customer in rows[:limit])
        return [CustomerMatch(customer, 1.0, "phone") for customer in found.values()][:limit]

    postcode_match = _POSTCODE.search(text)
    if postcode_match:
        postcode = (postcode_match.group(1) + postcode_match.group(2)).upper()
        # The postcode's few addresses first, then who lives there: two index look-ups, a plan
        # that does not depend on the database's statistics being fresh.
        uprns = list(
            Address.objects.filter(postcode_normalised=postcode).values_list("uprn", flat=True)
        )
        visible = visible.filter(address_id__in=uprns)
        text = (text[: postcode_match.start()] + text[postcode_match.end() :]).strip()
        if not text:
            rows = visible.select_related("address").order_by(
                "address__pao_start_number", "address__sao_start_number", "surname", "pk"
            )[:limit]
            return [CustomerMatch(customer, 1.0, "postcode") for customer in rows]

    return _by_name(visible, text.split(), limit)


def active_representatives(*, customer: Customer) -> list[Representative]:
    """Who may act for the customer today."""
    return list(
        customer.representatives.in_force()
        .select_related("partner_organisation")
        .prefetch_related("services")
    )


def consents_in_force(*, customer: Customer) -> list[Consent]:
    """The latest consent per purpose: consents are a history and the newest one counts."""
    latest: dict[str, Consent] = {}
    for consent in customer.consents.order_by("purpose", "-recorded_at", "-pk"):
        latest.setdefault(consent.purpose, consent)
    return list(latest.values())


DUPLICATE_SCORE = 0.9


def possible_duplicates(
    *,
    user: Any,
    forenames: str,
    surname: str,
    date_of_birth: datetime.date | None,
    postcode: str,
) -> list[Customer]:
    """Customers about to be registered twice: a very similar name and the same birthday or home."""
    postcode = normalise_postcode(postcode)
    return [
        match.customer
        for match in search_customers(user=user, query=f"{forenames} {surname}")
        if match.score >= DUPLICATE_SCORE
        and (
            (date_of_birth and match.customer.date_of_birth == date_of_birth)
            or (
                postcode
                and match.customer.address is not None
                and match.customer.address.postcode_normalised == postcode
            )
        )
    ]
