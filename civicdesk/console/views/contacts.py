"""Logging a contact in three clicks: "Log a contact", the service, "Save contact"."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from civicdesk.catalogue.models import Service
from civicdesk.catalogue.selectors import articles_for, service_for_user, services_for
from civicdesk.console import tokens
from civicdesk.console.forms import ChooseServiceForm, LogContactForm
from civicdesk.contacts.models import Contact, Outcome
from civicdesk.contacts.selectors import popular_services
from civicdesk.contacts.services import log_contact
from civicdesk.organisations.models import Organisation
from civicdesk.organisations.selectors import organisation_for
from civicdesk.people.models import Customer, Representative
from civicdesk.people.selectors import active_representatives, customer_for_user


def _customer(request: HttpRequest, reference: str | None) -> Customer | None:
    return customer_for_user(user=request.user, reference=reference) if reference else None


def _form_url(customer: Customer | None, service_pk: int | None) -> str:
    """Where the contact form for this customer (or an anonymous caller) and service lives."""
    if customer is None:
        if service_pk is None:
            return reverse("console:log-anonymous-contact-general")
        return reverse("console:log-anonymous-contact-details", args=[service_pk])
    if service_pk is None:
        return reverse("console:log-contact-general", args=[customer.reference])
    return reverse("console:log-contact-details", args=[customer.reference, service_pk])


def _raise_case_url(customer: Customer | None, service: Service | None, contact: Contact) -> str:
    """The raise-case page for the contact just logged; without a service, choose one first."""
    if service is None:
        if customer is None:
            url = reverse("console:raise-case")
        else:
            url = reverse("console:raise-case-for-customer", args=[customer.reference])
    elif customer is None:
        url = reverse("console:raise-case-details", args=[service.pk])
    else:
        url = reverse(
            "console:raise-case-for-customer-details", args=[customer.reference, service.pk]
        )
    return f"{url}?{urlencode({'contact': contact.pk})}"


def _raises_cases(request: HttpRequest) -> bool:
    """Council staff raise cases; partner staff log contacts for the customers they represent."""
    organisation = organisation_for(request.user)
    return organisation is not None and organisation.kind == Organisation.Kind.COUNCIL


def _done_url(customer: Customer | None) -> str:
    if customer is None:
        return reverse("console:home")
    return reverse("console:customer", args=[customer.reference])


@login_required
def choose_service(request: HttpRequest, reference: str | None = None) -> HttpResponse:
    """Step 2: the services asked about most, as links, and a list of all the others."""
    customer = _customer(request, reference)
    services = services_for(user=request.user)
    form = ChooseServiceForm(request.GET or None, services=services)
    if form.is_valid():
        return redirect(_form_url(customer, form.cleaned_data["service"].pk))
    popular = popular_services(user=request.user)
    form.fields["service"].label_size = "m"
    if not popular:
        form.fields["service"].label = _("Service")
    context = {
        "customer": customer,
        "form": form,
        "popular": [(service, _form_url(customer, service.pk)) for service in popular],
        "general_url": _form_url(customer, None),
        "back_url": _done_url(customer),
    }
    return render(request, "console/choose_service.html", context)


def _organisation_for_contact(request: HttpRequest, customer: Customer | None) -> Any:
    if customer is not None:
        return customer.organisation
    organisation = organisation_for(request.user)
    if organisation is None:
        raise PermissionDenied(_("You are not a member of any organisation."))
    return organisation


def _save(
    request: HttpRequest,
    form: LogContactForm,
    customer: Customer | None,
    service: Service | None,
    representatives: list[Representative],
) -> HttpResponse | None:
    """Log the contact once; None when the form has to be shown again with its errors."""
    token = form.cleaned_data["form_token"]
    if tokens.was_used(request, token):
        messages.info(request, _("That contact was saved already, so it was not saved again."))
        return redirect(tokens.outcome_of(request, token) or _done_url(customer))
    if not tokens.is_open(request, token):
        tokens.issue(request, token)
        form.add_error(
            None, _("The form had expired, so the contact was not saved. Check it and save again.")
        )
        return None
    data = form.cleaned_data
    try:
        contact = log_contact(
            actor=request.user,
            organisation=_organisation_for_contact(request, customer),
            customer=customer,
            service=service,
            channel=data["channel"],
            outcome=data["outcome"],
            representative=next(
                (rep for rep in representatives if rep.pk == data.get("representative")), None
            ),
            avoidable_reason=data["avoidable_reason"],
            notes=data["notes"],
            submission_key=f"console-contact:{token}",
        )
    except ValidationError as error:
        for field, messages_for_field in error.message_dict.items():
            for message in messages_for_field:
                form.add_error(field if field in form.fields else None, message)
        return None
    if data["outcome"] == Outcome.CASE_RAISED and _raises_cases(request):
        # One step on: the case, with the contact's customer, service and channel filled in.
        url = _raise_case_url(customer, service, contact)
        tokens.consume(request, token, outcome=url)
        messages.success(request, _("Contact saved. Now raise the case."))
        return redirect(url)
    tokens.consume(request, token)
    messages.success(request, _("Contact saved"))
    return redirect(_done_url(customer))


@login_required
def contact_form(
    request: HttpRequest, reference: str | None = None, service_pk: int | None = None
) -> HttpResponse:
    """Step 3: what happened, beside the knowledge articles for the service."""
    customer = _customer(request, reference)
    service = service_for_user(user=request.user, pk=service_pk) if service_pk else None
    representatives = active_representatives(customer=customer) if customer else []
    form = LogContactForm(request.POST or None, representatives=representatives)
    if request.method == "POST" and form.is_valid():
        if saved := _save(request, form, customer, service, representatives):
            return saved
    elif request.method == "GET":
        tokens.issue(request, form.initial["form_token"])
    context = {
        "customer": customer,
        "service": service,
        "articles": list(articles_for(service=service)) if service else [],
        "form": form,
        "back_url": reverse("console:log-contact", args=[customer.reference])
        if customer
        else reverse("console:log-anonymous-contact"),
    }
    return render(request, "console/contact_form.html", context)
