"""The home page: one search box that finds customers and addresses."""

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from civicdesk.console.forms import SearchForm
from civicdesk.organisations.selectors import organisation_for
from civicdesk.people.models import Customer
from civicdesk.people.selectors import customers_visible_to, search_customers
from civicdesk.places.models import Address
from civicdesk.places.selectors import search_addresses

CUSTOMER_LIMIT = 20
ADDRESS_LIMIT = 10
# Matches that say nothing about where someone lives; an address search would only add noise.
EXACT_KINDS = {"reference", "email", "phone"}


@dataclass(frozen=True)
class AddressResult:
    address: Address
    residents: list[Customer]


def _addresses_with_residents(*, user: Any, text: str) -> list[AddressResult]:
    """Addresses matching the text, each with the customers the user may see living there."""
    organisation = organisation_for(user)
    if organisation is None:
        return []
    addresses = search_addresses(organisation_id=organisation.pk, text=text, limit=ADDRESS_LIMIT)
    if not addresses:
        return []
    residents: dict[int, list[Customer]] = {address.pk: [] for address in addresses}
    living_there = (
        customers_visible_to(user)
        .filter(address__in=list(residents), merged_into__isnull=True)
        .order_by("surname", "forenames", "pk")
        .only("reference", "title", "forenames", "surname", "address_id")
    )
    for customer in living_there:
        residents[customer.address_id].append(customer)
    return [AddressResult(address, residents[address.pk]) for address in addresses]


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Most calls start here, so one box takes whatever the caller gives first."""
    form = SearchForm(request.GET or None)
    query = " ".join(form.cleaned_data["q"].split()) if form.is_valid() else ""
    matches, addresses = [], []
    if query:
        matches = search_customers(user=request.user, query=query, limit=CUSTOMER_LIMIT)
        if len(matches) == 1 and matches[0].matched_on == "reference":
            return redirect("console:customer", matches[0].customer.reference)
        if not (matches and matches[0].matched_on in EXACT_KINDS):
            addresses = _addresses_with_residents(user=request.user, text=query)
    context = {
        "form": form,
        "query": query,
        "matches": matches,
        "customers": [match.customer for match in matches],
        "addresses": addresses,
        "more_matches": len(matches) >= CUSTOMER_LIMIT,
    }
    return render(request, "console/home.html", context)
