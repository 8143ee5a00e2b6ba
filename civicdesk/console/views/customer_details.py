"""Registering a customer and changing their details.

The address comes from the gazetteer by postcode: "Find address" posts the form back to the same
page, which lists the addresses and keeps everything else typed, so no JavaScript is needed.
"""

import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from civicdesk.console import tokens
from civicdesk.console.forms import CustomerForm
from civicdesk.organisations.models import Organisation
from civicdesk.organisations.selectors import organisation_for
from civicdesk.people.models import Customer
from civicdesk.people.selectors import customer_for_user, possible_duplicates
from civicdesk.people.services import create_customer, update_customer
from civicdesk.places.postcodes import format_postcode, is_valid_postcode

# Letters, with spaces, hyphens, apostrophes or full stops between them ("Mary-Jane O'Neil").
_NAME = re.compile(r"^[^\W\d_]+(?:[\s'\u2019.-]+[^\W\d_]+)*\.?$")
_PHONE = re.compile(r"^\+?[\d\s()-]{10,}$")
# Posted fields that steer the form rather than describe the customer.
CONTROL_FIELDS = {"csrfmiddlewaretoken", "action", "different_people"}


def _council(request: HttpRequest) -> Organisation:
    """Partner staff may read the customers they represent, but not register or change them."""
    organisation = organisation_for(request.user)
    if organisation is None or organisation.kind != Organisation.Kind.COUNCIL:
        raise PermissionDenied(_("Only council staff can register customers or change details."))
    return organisation


def prefill_from_search(query: str) -> dict[str, str]:
    """Turn what the agent searched for into starting answers, when it is clear what it was."""
    text = " ".join(query.split())
    if not text:
        return {}
    if is_valid_postcode(text):
        return {"postcode": format_postcode(text)}
    if "@" in text:
        return {"email": text}
    if _PHONE.match(text):
        return {"mobile" if text.replace(" ", "").startswith(("07", "+447")) else "phone": text}
    if "," in text:  # "Smith, John"
        surname, _comma, forenames = text.partition(",")
        text = f"{forenames.strip()} {surname.strip()}".strip()
    if not _NAME.match(text):
        return {}
    *forenames, surname = text.split()
    return {"forenames": " ".join(forenames), "surname": surname}


def _possible_duplicates(user: Any, form: CustomerForm) -> list[Customer]:
    data = form.cleaned_data
    return possible_duplicates(
        user=user,
        forenames=data["forenames"],
        surname=data["surname"],
        date_of_birth=data["date_of_birth"],
        postcode=data["postcode"],
    )


def _show_form(
    request: HttpRequest, form: CustomerForm, customer: Customer | None = None
) -> HttpResponse:
    if customer is None:
        back_url = reverse("console:home")
    else:
        back_url = reverse("console:customer", args=[customer.reference])
    context = {"form": form, "customer": customer, "back_url": back_url}
    return render(request, "console/customer_form.html", context)


def _show_duplicates(
    request: HttpRequest, form: CustomerForm, duplicates: list[Customer]
) -> HttpResponse:
    carried = [
        (name, value)
        for name, values in request.POST.lists()
        if name not in CONTROL_FIELDS
        for value in values
    ]
    context = {
        "form": form,
        "new": form.cleaned_data,
        "address": form.chosen_address(),
        "duplicates": duplicates,
        "carried": carried,
    }
    return render(request, "console/possible_duplicates.html", context)


def _register(request: HttpRequest, form: CustomerForm, organisation: Organisation) -> HttpResponse:
    """Register once, after the agent has seen any likely duplicates; else show the form."""
    token = form.cleaned_data["form_token"]
    if tokens.was_used(request, token):
        messages.info(
            request, _("That customer was registered already, so they were not registered again.")
        )
        return redirect(tokens.outcome_of(request, token) or reverse("console:home"))
    if not tokens.is_open(request, token):
        tokens.issue(request, token)
        form.add_error(
            None,
            _("The form had expired, so the customer was not registered. Check it and try again."),
        )
        return _show_form(request, form)
    duplicates = (
        [] if form.cleaned_data["different_people"] else _possible_duplicates(request.user, form)
    )
    if duplicates:
        return _show_duplicates(request, form, duplicates)
    try:
        customer = create_customer(
            actor=request.user,
            organisation=organisation,
            submission_key=f"console-customer:{token}",
            **form.customer_fields(),
        )
    except ValidationError as error:
        form.add_service_errors(error)
        return _show_form(request, form)
    url = reverse("console:customer", args=[customer.reference])
    tokens.consume(request, token, outcome=url)
    messages.success(
        request,
        _("%(name)s registered. Their reference is %(reference)s")
        % {"name": customer.full_name, "reference": customer.reference},
    )
    return redirect(url)


def _still_editing(request: HttpRequest, form: CustomerForm) -> bool:
    """Whether this post only looks up an address or returns to the form, saving nothing."""
    action = request.POST.get("action", "save")
    if action == "find" or (action == "save" and form.looks_up_address):
        # A postcode not looked up yet (Enter pressed in the box): list its addresses first.
        form.show_for_editing(check_postcode=True)
        return True
    if action == "change":
        form.show_for_editing(check_postcode=False)
        return True
    return False


@login_required
def register_customer(request: HttpRequest) -> HttpResponse:
    """A caller who is not on the system yet."""
    organisation = _council(request)
    if request.method != "POST":
        form = CustomerForm(
            initial=prefill_from_search(request.GET.get("q", "")), organisation_id=organisation.pk
        )
        tokens.issue(request, form.initial["form_token"])
        return _show_form(request, form)
    form = CustomerForm(request.POST, organisation_id=organisation.pk)
    if _still_editing(request, form):
        token = form.cleaned_data.get("form_token")
        if token and not tokens.was_used(request, token):
            tokens.issue(request, token)
        return _show_form(request, form)
    if form.is_valid():
        return _register(request, form, organisation)
    return _show_form(request, form)


@login_required
def change_customer(request: HttpRequest, reference: str) -> HttpResponse:
    """The same form, filled in with what is on record."""
    _council(request)
    customer = customer_for_user(user=request.user, reference=reference)
    if request.method != "POST":
        if customer.reference != reference:  # a merged record, or typed in lower case
            return redirect("console:change-customer", customer.reference)
        form = CustomerForm(
            initial=CustomerForm.initial_for(customer),
            organisation_id=customer.organisation_id,
            current_address=customer.address,
            with_token=False,
        )
        return _show_form(request, form, customer)
    form = CustomerForm(
        request.POST,
        organisation_id=customer.organisation_id,
        current_address=customer.address,
        with_token=False,
    )
    if _still_editing(request, form) or not form.is_valid():
        return _show_form(request, form, customer)
    try:
        update_customer(actor=request.user, customer=customer, **form.customer_fields())
    except ValidationError as error:
        form.add_service_errors(error)
        # The service changed the instance before refusing; show the record as it is stored.
        customer = customer_for_user(user=request.user, reference=customer.reference)
        return _show_form(request, form, customer)
    messages.success(request, _("Details saved"))
    return redirect("console:customer", customer.reference)
