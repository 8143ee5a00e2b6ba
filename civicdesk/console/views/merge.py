"""Merging a duplicate customer record into the one on screen.

Two steps: the duplicate's reference, then the two records side by side to confirm. Only team
leaders, managers and administrators of a council may merge; the people service does the work.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from civicdesk.console.forms import MergeCustomerForm
from civicdesk.contacts.selectors import contact_counts
from civicdesk.organisations.models import Organisation, Role
from civicdesk.organisations.selectors import has_role, organisation_for
from civicdesk.people.models import Customer
from civicdesk.people.selectors import customer_for_user
from civicdesk.people.services import merge_customers

MERGING_ROLES = (Role.TEAM_LEADER, Role.MANAGER, Role.ADMINISTRATOR)


def may_merge(user: Any, organisation: Organisation | None) -> bool:
    """Whether the user may merge customer records: council staff in a leading role."""
    return (
        organisation is not None
        and organisation.kind == Organisation.Kind.COUNCIL
        and has_role(user, *MERGING_ROLES, organisation=organisation)
    )


def _survivor(request: HttpRequest, reference: str) -> Customer:
    if not may_merge(request.user, organisation_for(request.user)):
        raise PermissionDenied(
            _("Only team leaders, managers and administrators can merge customer records.")
        )
    return customer_for_user(user=request.user, reference=reference)


def _show_form(request: HttpRequest, form: MergeCustomerForm) -> HttpResponse:
    return render(request, "console/merge_customer.html", {"form": form, "customer": form.survivor})


def _merged(request: HttpRequest, survivor: Customer, duplicate_reference: str) -> HttpResponse:
    messages.success(
        request,
        _("Records merged. %(reference)s now leads to this record.")
        % {"reference": duplicate_reference},
    )
    return redirect("console:customer", survivor.reference)


@login_required
@require_http_methods(["GET", "POST"])
def merge_customer(request: HttpRequest, reference: str) -> HttpResponse:
    """Ask for the duplicate's reference, then show the two records to confirm."""
    survivor = _survivor(request, reference)
    if survivor.reference != reference:  # a merged record, or typed in lower case
        return redirect("console:merge-customer", survivor.reference)
    if request.method != "POST":
        return _show_form(request, MergeCustomerForm(user=request.user, survivor=survivor))
    form = MergeCustomerForm(request.POST, user=request.user, survivor=survivor)
    if not form.is_valid():
        return _show_form(request, form)
    return redirect("console:merge-customer-confirm", survivor.reference, form.duplicate.reference)


@login_required
@require_http_methods(["GET", "POST"])
def confirm_merge(request: HttpRequest, reference: str, duplicate: str) -> HttpResponse:
    """The two records side by side; "Merge records" merges them.

    A repeated "Merge records" (a double click, or the browser resubmitting) finds the duplicate
    already leading here, merges nothing and says the same as the first.
    """
    survivor = _survivor(request, reference)
    if survivor.reference != reference.upper():
        if request.method == "POST":
            messages.info(
                request,
                _("Nothing was merged: %(old)s has been merged into %(new)s since. Check again.")
                % {"old": reference.upper(), "new": survivor.reference},
            )
        return redirect("console:merge-customer", survivor.reference)
    form = MergeCustomerForm({"reference": duplicate}, user=request.user, survivor=survivor)
    if not form.is_valid():
        if request.method == "POST" and form.merged_here:
            return _merged(request, survivor, form.duplicate_reference)
        return _show_form(request, form)
    if request.method != "POST":
        if (reference, duplicate) != (survivor.reference, form.duplicate.reference):
            # typed in lower case
            return redirect(
                "console:merge-customer-confirm", survivor.reference, form.duplicate.reference
            )
        records = [
            {"customer": customer, "contacts": contact_counts(customer=customer)["total"]}
            for customer in (survivor, form.duplicate)
        ]
        context = {"customer": survivor, "duplicate": form.duplicate, "records": records}
        return render(request, "console/merge_confirm.html", context)
    try:
        merge_customers(actor=request.user, survivor=survivor, duplicate=form.duplicate)
    except ValidationError as error:
        # Merged by a request that got there first: the same outcome, so say the same.
        again = MergeCustomerForm({"reference": duplicate}, user=request.user, survivor=survivor)
        if again.is_valid():
            again.add_error(None, error)
        elif again.merged_here:
            return _merged(request, survivor, again.duplicate_reference)
        return _show_form(request, again)
    return _merged(request, survivor, form.duplicate.reference)
