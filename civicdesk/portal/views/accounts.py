"""Residents' accounts: creating one, confirming the email address, signing in and out,
passwords, "Your account" and contact preferences. people.accounts does every write."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civicdesk.cases.models import Case
from civicdesk.cases.public import public_view
from civicdesk.catalogue.models import Sensitivity
from civicdesk.contacts.models import Contact
from civicdesk.core.throttle import client_address
from civicdesk.people import accounts
from civicdesk.people.models import Customer, PortalAccount, Representative
from civicdesk.portal.council import portal_council
from civicdesk.portal.forms_accounts import (
    CreateAccountForm,
    PortalPasswordChangeForm,
    PortalPasswordResetForm,
    PortalSetPasswordForm,
    PreferencesForm,
    SignInForm,
)
from civicdesk.portal.views.representing import account_required, acting_representation

HISTORY_LIMIT = 20


def _absolute(request: HttpRequest, name: str, *args: Any) -> str:
    return request.build_absolute_uri(reverse(name, args=args))


def _verify_link_for(request: HttpRequest) -> Callable[[str], str]:
    return lambda token: _absolute(request, "portal:account-verify", token)


def _home_url() -> str:
    try:
        return reverse("portal:home")
    except NoReverseMatch:
        return "/"


def _customer_of(account: PortalAccount) -> Customer:
    """The record the account's history is on, following merges to the survivor."""
    customer = account.customer
    while customer.merged_into_id:
        customer = customer.merged_into
    return customer


# Reads: what a resident, or someone acting for one, may see.


def own_cases(account: PortalAccount) -> QuerySet[Case]:
    """The resident's own requests. Safeguarding cases are never shown on the portal: they may
    be about the resident without being from them."""
    if not account.is_verified:
        return Case.objects.none()
    return (
        Case.objects.filter(customer=_customer_of(account))
        .exclude(service__sensitivity=Sensitivity.SAFEGUARDING)
        .select_related("service")
        .order_by("-opened_at", "-id")
    )


def represented_cases(representative: Representative) -> QuerySet[Case]:
    """A represented customer's requests that the consent covers, never sensitive ones."""
    cases = Case.objects.filter(
        customer=representative.customer, service__sensitivity=Sensitivity.STANDARD
    )
    if representative.scope != Representative.Scope.ALL:
        cases = cases.filter(service__in=representative.services.all())
    return cases.select_related("service").order_by("-opened_at", "-id")


def own_contacts(account: PortalAccount) -> QuerySet[Contact]:
    if not account.is_verified:
        return Contact.objects.none()
    return (
        Contact.objects.for_customer(_customer_of(account).pk)
        .exclude(service__sensitivity=Sensitivity.SAFEGUARDING)
        .select_related("service")
        .only("started_at", "channel", "outcome", "service__name", "service__sensitivity")
        .order_by("-started_at", "-id")
    )


# Creating an account and confirming the email address.


def create_account(request: HttpRequest) -> HttpResponse:
    council = portal_council()
    form = CreateAccountForm(request.POST or None, organisation=council)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        accounts.create_account(
            organisation=council,
            forenames=data["forenames"],
            surname=data["surname"],
            email=data["email"],
            password=data["password"],
            address=data.get("address"),
            verify_link_for=_verify_link_for(request),
            reset_link=_absolute(request, "portal:password-reset"),
        )
        # The same page whether or not the address already had an account, and nobody is
        # signed in either way: that too would tell them apart.
        request.session["portal_account_email"] = data["email"]
        return redirect("portal:account-check-email")
    return render(request, "portal/account/create.html", {"form": form})


def check_email(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portal/account/check_email.html",
        {"email": request.session.get("portal_account_email", "")},
    )


def verify_email(request: HttpRequest, token: str) -> HttpResponse:
    try:
        verification = accounts.verify_email(token=token)
    except accounts.InvalidLink as error:
        return render(
            request, "portal/account/verify_failed.html", {"reason": error.reason}, status=400
        )
    if verification.already_verified:
        messages.info(request, _("You've already confirmed your email address."))
    else:
        messages.success(request, _("Your email address is confirmed."))
    if request.user.is_authenticated and request.user.pk == verification.account.user_id:
        return redirect("portal:account")
    return redirect("portal:sign-in")


@require_POST
@account_required
def resend_verification(request: HttpRequest) -> HttpResponse:
    account = request.portal_account  # type: ignore[attr-defined]
    if not account.is_verified:
        accounts.send_verification(account=account, link_for=_verify_link_for(request))
        messages.success(
            request,
            _("We've sent a new link to %(email)s. It may take a few minutes to arrive.")
            % {"email": account.user.email},
        )
    return redirect("portal:account")


# Signing in and out.


def _next_url(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse("portal:account")


def sign_in(request: HttpRequest) -> HttpResponse:
    if accounts.account_for(request.user) is not None:
        return redirect("portal:account")
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = _authenticate(request, form)
        if user is not None:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            linked = accounts.record_portal_sign_in(user=user)
            if linked:
                messages.success(
                    request,
                    _("You can now act for the people who asked you to. Choose who below."),
                )
                return redirect("portal:acting-for")
            return HttpResponseRedirect(_next_url(request))
    return render(
        request,
        "portal/account/sign_in.html",
        {"form": form, "next": request.POST.get("next") or request.GET.get("next", "")},
    )


def _authenticate(request: HttpRequest, form: SignInForm) -> Any:
    """The user, or None with the reason added to the form. One message for a wrong email or
    password, so the form says nothing about who has an account."""
    email = form.cleaned_data["email"]
    address = client_address(request)
    if accounts.is_throttled(email=email, ip_address=address):
        form.add_error(
            None,
            _(
                "You've tried to sign in too many times. Wait 15 minutes and try again, "
                "or reset your password."
            ),
        )
        return None
    user = authenticate(
        request, username=accounts.username_for(email), password=form.cleaned_data["password"]
    )
    if user is None:
        accounts.record_failed_sign_in(
            email=email, ip_address=address, organisation=portal_council()
        )
        form.add_error(None, _("Enter a correct email address and password"))
        return None
    if accounts.is_staff_account(user) or accounts.account_for(user) is None:
        form.add_error(
            None,
            _("This is a staff account. Staff sign in on the staff sign-in page, not here."),
        )
        return None
    return user


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and accounts.account_for(request.user) is not None:
        accounts.record_portal_sign_out(user=request.user)
        logout(request)
        messages.info(request, _("You have signed out."))
    return redirect(_home_url())


# Passwords.


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "portal/account/password_reset.html"
    form_class = PortalPasswordResetForm
    success_url = reverse_lazy("portal:password-reset-sent")


class PasswordResetSentView(auth_views.PasswordResetDoneView):
    template_name = "portal/account/password_reset_sent.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "portal/account/password_reset_confirm.html"
    form_class = PortalSetPasswordForm
    success_url = reverse_lazy("portal:password-reset-complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "portal/account/password_reset_complete.html"


@account_required
def change_password(request: HttpRequest) -> HttpResponse:
    form = PortalPasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)
        messages.success(request, _("Your password has been changed."))
        return redirect("portal:account")
    return render(request, "portal/account/password_change.html", {"form": form})


# "Your account".


@account_required
def account_home(request: HttpRequest) -> HttpResponse:
    account = request.portal_account  # type: ignore[attr-defined]
    representative = acting_representation(request)
    context = {
        "account": account,
        "customer": _customer_of(account),
        "cases": list(own_cases(account)[:HISTORY_LIMIT]),
        "contacts": list(own_contacts(account)[:HISTORY_LIMIT]),
        "representative": representative,
        "represented_cases": (
            list(represented_cases(representative)[:HISTORY_LIMIT]) if representative else []
        ),
        "can_act_for_others": accounts.representations_for(request.user).exists(),
    }
    return render(request, "portal/account/home.html", context)


@account_required
def account_case(request: HttpRequest, reference: str) -> HttpResponse:
    """One request: its status and the updates meant for the customer, nothing internal."""
    account = request.portal_account  # type: ignore[attr-defined]
    case = own_cases(account).filter(reference=reference).first()
    on_behalf = None
    if case is None:
        on_behalf = acting_representation(request)
        if on_behalf is not None:
            case = represented_cases(on_behalf).filter(reference=reference).first()
    if case is None:
        raise Http404
    return render(
        request,
        "portal/account/case.html",
        {"case": case, "tracked": public_view(case), "on_behalf": on_behalf},
    )


@account_required
def preferences(request: HttpRequest) -> HttpResponse:
    account = request.portal_account  # type: ignore[attr-defined]
    if not account.is_verified:
        messages.info(request, _("Confirm your email address before you change your details."))
        return redirect("portal:account")
    customer = _customer_of(account)
    initial = {name: getattr(customer, name) for name in accounts.PREFERENCE_FIELDS}
    form = PreferencesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        account.customer = customer
        accounts.save_preferences(
            account=account,
            **{name: form.cleaned_data[name] for name in accounts.PREFERENCE_FIELDS},
        )
        messages.success(request, _("Your contact preferences have been saved."))
        return redirect("portal:account")
    return render(request, "portal/account/preferences.html", {"form": form})
