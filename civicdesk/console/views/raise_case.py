"""Raising a case from the agent's desktop, spotting a repeat report, and logging a chase.

A case is raised for a customer (or an anonymous caller) and a service, often straight after
the contact that led to it. "Find address" looks a postcode up with a GET round trip, so the
page works without JavaScript. Before a case is raised, open cases of the same service at the
same place are shown: the agent adds the report to one of them or raises a new case anyway.
"""

import datetime
import math
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from civicdesk.cases.models import Case
from civicdesk.cases.policy import case_access, staff_member
from civicdesk.cases.reports import chase_case, link_report
from civicdesk.cases.selectors import case_for_user, metres_between, possible_duplicate_cases
from civicdesk.cases.services import raise_case, record_case_view
from civicdesk.catalogue.models import Service
from civicdesk.catalogue.selectors import service_for_user, services_for
from civicdesk.console import tokens
from civicdesk.console.forms import ChooseServiceForm
from civicdesk.console.forms_raise import ChaseForm, RaiseCaseForm
from civicdesk.contacts.models import Contact
from civicdesk.contacts.selectors import popular_services
from civicdesk.organisations.models import Organisation
from civicdesk.organisations.selectors import organisation_for
from civicdesk.people.models import Customer
from civicdesk.people.selectors import customer_for_user

# Posted fields that steer the duplicate check rather than describe the case.
CONTROL_FIELDS = {"csrfmiddlewaretoken", "confirmed", "link_to", "action"}


def when(moment: datetime.datetime | None) -> str:
    """ "17:00 on 14 March 2026", in the council's time zone, or "" for no time."""
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    return _("%(time)s on %(date)s") % {
        "time": date_format(local, "H:i"),
        "date": date_format(local, "j F Y"),
    }


def _council(request: HttpRequest) -> Organisation:
    """Partner staff work the referrals sent to them; only council staff raise cases."""
    organisation = organisation_for(request.user)
    if organisation is None or organisation.kind != Organisation.Kind.COUNCIL:
        raise PermissionDenied(_("Only council staff can raise cases."))
    return organisation


def _customer(request: HttpRequest, reference: str | None) -> Customer | None:
    return customer_for_user(user=request.user, reference=reference) if reference else None


def _contact_id(request: HttpRequest) -> int | None:
    text = request.GET.get("contact", "")
    return int(text) if text.isdigit() else None


def _form_url(customer: Customer | None, service_pk: int, contact_id: int | None) -> str:
    if customer is None:
        url = reverse("console:raise-case-details", args=[service_pk])
    else:
        url = reverse(
            "console:raise-case-for-customer-details", args=[customer.reference, service_pk]
        )
    return f"{url}?{urlencode({'contact': contact_id})}" if contact_id else url


def _done_url(customer: Customer | None) -> str:
    if customer is None:
        return reverse("console:home")
    return reverse("console:customer", args=[customer.reference])


def case_url(user: Any, case: Case, customer: Customer | None = None) -> str:
    """The case page, or for someone who may not see a sensitive case's details, where they
    came from: the case is raised, but its page is not theirs to open."""
    if case_access(staff_member(user), case).sees_details:
        return reverse("console:case", args=[case.reference])
    return _done_url(customer)


@login_required
def choose_service(request: HttpRequest, reference: str | None = None) -> HttpResponse:
    """What the case is about: the services asked about most, and a list of all of them."""
    _council(request)
    customer = _customer(request, reference)
    contact_id = _contact_id(request)
    services = services_for(user=request.user)
    form = ChooseServiceForm(request.GET if "service" in request.GET else None, services=services)
    if form.is_valid():
        return redirect(_form_url(customer, form.cleaned_data["service"].pk, contact_id))
    form.fields["service"].label_size = "m"
    popular = popular_services(user=request.user)
    if not popular:
        form.fields["service"].label = _("Service")
    context = {
        "customer": customer,
        "form": form,
        "contact_id": contact_id,
        "popular": [(service, _form_url(customer, service.pk, contact_id)) for service in popular],
        "back_url": _done_url(customer),
    }
    return render(request, "console/raise_case_service.html", context)


def _source_contact(
    request: HttpRequest, organisation: Organisation, customer: Customer | None, service: Service
) -> Contact | None:
    """The contact the case comes from (`?contact=`): the same customer's, about the service."""
    contact_id = _contact_id(request)
    if contact_id is None:
        return None
    contact = (
        Contact.objects.filter(pk=contact_id, organisation=organisation, customer=customer)
        .select_related("service")
        .first()
    )
    if contact is None or contact.service_id not in (None, service.pk):
        raise Http404("No such contact.")
    return contact


def _distance(case: Case, address: Any, latitude: float | None, longitude: float | None) -> str:
    if address is not None and case.address_id == address.pk:
        return _("Same address")
    if latitude is None and address is not None and address.latitude is not None:
        latitude, longitude = float(address.latitude), float(address.longitude)
    if latitude is None or case.latitude is None:
        return _("Nearby")
    metres = metres_between(latitude, longitude, case.latitude, case.longitude)
    return _("About %(metres)s metres away") % {"metres": max(int(math.ceil(metres / 5) * 5), 5)}


def _possible_duplicates(request: HttpRequest, form: RaiseCaseForm, service: Service) -> list:
    """Open cases this may repeat, that the agent may see: (case, distance) pairs."""
    where = form.location_fields()
    address = where["address"]
    latitude, longitude = where.get("latitude"), where.get("longitude")
    member = staff_member(request.user)
    return [
        (case, _distance(case, address, latitude, longitude))
        for case in possible_duplicate_cases(
            service=service, address=address, latitude=latitude, longitude=longitude
        )
        if case_access(member, case).sees_details
    ]


def _with_due(message: str, case: Case) -> str:
    """The message, and when the case is due to be resolved, for the agent to tell the caller."""
    if case.resolution_due_at is None:
        return message
    due = _("It is due to be resolved by %(when)s.") % {"when": when(case.resolution_due_at)}
    return f"{message} {due}"


def _link(
    request: HttpRequest,
    form: RaiseCaseForm,
    reference: str,
    service: Service,
    customer: Customer | None,
    contact: Contact | None,
) -> HttpResponse | None:
    """Add the report to an open case instead of raising another."""
    case, _access = case_for_user(user=request.user, reference=reference)
    if case.service_id != service.pk:
        raise Http404("That case is about another service.")
    try:
        link_report(
            actor=request.user,
            case=case,
            customer=customer,
            contact=contact,
            description=form.cleaned_data["description"],
        )
    except ValidationError as error:
        form.add_service_errors(error)
        return None
    url = reverse("console:case", args=[case.reference])
    tokens.consume(request, form.cleaned_data["form_token"], outcome=url)
    added = _("Report added to case %(reference)s. Give the caller this reference.")
    messages.success(request, _with_due(added % {"reference": case.reference}, case))
    return redirect(url)


def _raise(
    request: HttpRequest,
    form: RaiseCaseForm,
    organisation: Organisation,
    service: Service,
    customer: Customer | None,
    contact: Contact | None,
) -> HttpResponse | None:
    """Raise the case once, after the agent has seen any open case it may repeat.

    None when the form has to be shown again with its errors.
    """
    data = form.cleaned_data
    token = data["form_token"]
    if tokens.was_used(request, token):
        messages.info(request, _("That case was raised already, so it was not raised again."))
        return redirect(tokens.outcome_of(request, token) or _done_url(customer))
    if not tokens.is_open(request, token):
        tokens.issue(request, token)
        form.add_error(
            None, _("The form had expired, so the case was not raised. Check it and try again.")
        )
        return None
    if link_to := request.POST.get("link_to", "").strip():
        return _link(request, form, link_to, service, customer, contact)
    if not data["confirmed"] and (duplicates := _possible_duplicates(request, form, service)):
        where = form.location_fields()
        context = {
            "customer": customer,
            "service": service,
            "description": data["description"],
            "where": where["address"].single_line
            if where["address"]
            else where["location_description"],
            "duplicates": duplicates,
            "carried": [
                (name, value)
                for name, values in request.POST.lists()
                if name not in CONTROL_FIELDS
                for value in values
            ],
        }
        return render(request, "console/raise_case_duplicates.html", context)
    try:
        case = raise_case(
            actor=request.user,
            organisation=organisation,
            service=service,
            description=data["description"],
            channel=contact.channel if contact else data["channel"],
            customer=customer,
            source_contact=contact,
            priority=data["priority"],
            submission_key=f"console-case:{token}",
            **form.location_fields(),
        )
    except ValidationError as error:
        form.add_service_errors(error)
        return None
    url = case_url(request.user, case, customer)
    tokens.consume(request, token, outcome=url)
    raised = _("Case raised. The reference is %(reference)s: read it out to the caller.")
    messages.success(request, _with_due(raised % {"reference": case.reference}, case))
    return redirect(url)


@login_required
def raise_case_form(
    request: HttpRequest, service_pk: int, reference: str | None = None
) -> HttpResponse:
    """Where it is, what the problem is and how urgent: then "Raise case"."""
    organisation = _council(request)
    customer = _customer(request, reference)
    service = service_for_user(user=request.user, pk=service_pk)
    contact = _source_contact(request, organisation, customer, service)
    postcode = (
        request.POST.get("found_postcode", "")
        if request.method == "POST"
        else request.GET.get("postcode", "")
    ).strip()
    changing = request.method == "POST" and request.POST.get("action") == "change"
    # Back from the possible duplicates to change the answers: the same form, unchecked.
    form = RaiseCaseForm(
        request.POST if request.method == "POST" and not changing else None,
        initial=request.POST.dict() if changing else {},
        organisation_id=organisation.pk,
        customer_address=customer.address if customer else None,
        postcode=postcode,
        with_channel=contact is None,
    )
    if request.method == "POST" and not changing:
        if form.is_valid():
            done = _raise(request, form, organisation, service, customer, contact)
            if done is not None:
                return done
    else:
        tokens.issue(request, form.initial["form_token"])
    postcode_error = ""
    if request.method == "GET" and "postcode" in request.GET:
        if not postcode:
            postcode_error = _("Enter a postcode")
        elif not form.postcode:
            postcode_error = _("Enter a real postcode")
        elif not form.addresses:
            postcode_error = _("No addresses found for %(postcode)s. Check the postcode.") % {
                "postcode": form.postcode
            }
    if customer is not None:
        back_url = reverse("console:raise-case-for-customer", args=[customer.reference])
    else:
        back_url = reverse("console:raise-case")
    if contact is not None:
        back_url = f"{back_url}?{urlencode({'contact': contact.pk})}"
    context = {
        "customer": customer,
        "service": service,
        "contact": contact,
        "form": form,
        "postcode": postcode,
        "postcode_error": postcode_error,
        "back_url": back_url,
    }
    return render(request, "console/raise_case.html", context)


@login_required
def chase(request: HttpRequest, reference: str) -> HttpResponse:
    """Someone asks how a case is going: log the chase on the case, then tell them."""
    case, access = case_for_user(user=request.user, reference=reference)
    if not access.may_chase:
        raise PermissionDenied(_("You cannot chase this case."))
    form = ChaseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["form_token"]
        url = reverse("console:case", args=[case.reference])
        if tokens.was_used(request, token):
            messages.info(request, _("That chase was logged already, so it was not logged again."))
            return redirect(url)
        if not tokens.is_open(request, token):
            tokens.issue(request, token)
            form.add_error(
                None,
                _("The form had expired, so the chase was not logged. Check it and try again."),
            )
        else:
            try:
                chase_case(
                    actor=request.user,
                    case=case,
                    channel=form.cleaned_data["channel"],
                    notes=form.cleaned_data["notes"],
                    submission_key=f"console-chase:{token}",
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                tokens.consume(request, token, outcome=url)
                messages.success(request, _with_due(_("Chase logged."), case))
                return redirect(url)
    elif request.method == "GET":
        tokens.issue(request, form.initial["form_token"])
    record_case_view(actor=request.user, case=case)
    context = {"case": case, "form": form, "due": when(case.resolution_due_at)}
    return render(request, "console/raise_case_chase.html", context)
