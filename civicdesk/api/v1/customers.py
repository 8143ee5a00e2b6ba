"""Customers: found as the console finds them, changed through `people.services`."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Status

from civicdesk.api.v1.common import (
    IDEMPOTENCY,
    REFERENCE,
    PageParams,
    link,
    links,
    paginate,
    submission_key,
)
from civicdesk.api.v1.schemas import ERRORS, CustomerIn, CustomerOut, CustomerPage, CustomerPatch
from civicdesk.organisations.models import Organisation
from civicdesk.organisations.selectors import organisation_for
from civicdesk.people.models import Customer
from civicdesk.people.selectors import customer_for_user, customers_visible_to, search_customers
from civicdesk.people.services import create_customer, update_customer
from civicdesk.places.models import Address

router = Router(tags=["customers"])
SEARCH_LIMIT = 100  # the best matches a search returns, as pages
# A customer just registered: their contacts, and contacts and cases logged for them.
REGISTERED = links(
    201,
    ListContacts=link("contacts_list_contacts", {"query.customer": REFERENCE}),
    LogContact=link("contacts_create_contact", body={"customer": REFERENCE}),
    RaiseCase=link("cases_raise_case", body={"customer": REFERENCE}),
)


def no_such_address() -> str:
    return _("No address in this council's area has that UPRN.")


class CustomerFilters(PageParams):
    q: str = Field(
        "",
        max_length=200,
        description="A reference, email address, phone number, postcode or name.",
    )


CUSTOMER_FIELDS = (
    "reference", "title", "forenames", "surname", "full_name", "date_of_birth", "email",
    "phone", "mobile", "preferred_channel", "interpreter_language", "needs_large_print",
    "needs_bsl", "needs_easy_read", "other_needs", "created_at", "updated_at",
)  # fmt: skip


def customer_out(customer: Customer) -> dict[str, Any]:
    address = customer.address
    shown = {name: getattr(customer, name) for name in CUSTOMER_FIELDS}
    shown["address"] = (
        {"uprn": address.uprn, "single_line": address.single_line} if address else None
    )
    return shown


def council_for_changes(request: HttpRequest) -> Organisation:
    """Council staff register and change customers; partner staff only read."""
    organisation = organisation_for(request.user)
    if organisation is None or organisation.kind != Organisation.Kind.COUNCIL:
        raise PermissionDenied(_("Only council staff can register or change customers."))
    return organisation


def _fields(payload: CustomerPatch, organisation: Organisation) -> dict[str, Any]:
    fields = payload.dict(exclude_unset=True)
    if "uprn" in fields:
        uprn = fields.pop("uprn")
        address = None
        if uprn is not None:
            address = Address.objects.filter(pk=uprn, organisation=organisation).first()
            if address is None:
                raise ValidationError(
                    {"uprn": _("No address in this council's area has that UPRN.")}
                )
        fields["address"] = address
    for name, value in list(fields.items()):
        if value is None and name not in ("address", "date_of_birth"):
            fields[name] = False if name.startswith("needs_") else ""
    return fields


@router.get("", response={200: CustomerPage, **ERRORS}, summary="Find customers")
def list_customers(request: HttpRequest, filters: Query[CustomerFilters]) -> dict[str, Any]:
    if filters.q.strip():
        matches = search_customers(user=request.user, query=filters.q, limit=SEARCH_LIMIT)
        page = paginate([match.customer for match in matches], filters)
    else:
        customers = (
            customers_visible_to(request.user)
            .filter(merged_into__isnull=True)
            .select_related("address")
            .order_by("pk")
        )
        page = paginate(customers, filters)
    page["results"] = [customer_out(customer) for customer in page["results"]]
    return page


@router.get("/{reference}", response={200: CustomerOut, **ERRORS}, summary="A customer")
def get_customer(request: HttpRequest, reference: str) -> dict[str, Any]:
    return customer_out(customer_for_user(user=request.user, reference=reference))


@router.post(
    "",
    response={201: CustomerOut, **ERRORS},
    summary="Register a customer",
    openapi_extra=REGISTERED,
)
def register_customer(
    request: HttpRequest,
    payload: CustomerIn,
    idempotency_key: str | None = IDEMPOTENCY,
) -> Status:
    organisation = council_for_changes(request)
    customer = create_customer(
        actor=request.user,
        organisation=organisation,
        submission_key=submission_key(request, idempotency_key, "customer"),
        **_fields(payload, organisation),
    )
    customer = customer_for_user(user=request.user, reference=customer.reference)
    return Status(201, customer_out(customer))


@router.patch("/{reference}", response={200: CustomerOut, **ERRORS}, summary="Change a customer")
def change_customer(request: HttpRequest, reference: str, payload: CustomerPatch) -> dict[str, Any]:
    organisation = council_for_changes(request)
    customer = customer_for_user(user=request.user, reference=reference)
    update_customer(actor=request.user, customer=customer, **_fields(payload, organisation))
    return customer_out(customer_for_user(user=request.user, reference=customer.reference))
