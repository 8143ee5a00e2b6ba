"""Signing in and out, and changing a password, with Django's own views in GOV.UK dress.

With two-factor authentication on (CIVICDESK_STAFF_TWO_FACTOR), the password step signs nobody
in: it keeps who passed it in the session for a few minutes and sends them to the code step (or,
the first time, to set up an authenticator app). Only that step calls `login()`, so no page,
the admin's included, opens on a password alone.
"""

import time
from dataclasses import dataclass
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache

from civicdesk.console.forms import ChangePasswordForm, SecondFactorForm, SignInForm
from civicdesk.console.middleware import mark_active
from civicdesk.core.throttle import client_address
from civicdesk.organisations import totp
from civicdesk.organisations.models import Membership, User
from civicdesk.organisations.security import (
    CodeOutcome,
    Stage,
    check_sign_in_code,
    has_authenticator,
    record_failed_sign_in,
    set_up_authenticator,
)
from civicdesk.organisations.services import change_password, record_sign_in, record_sign_out
from civicdesk.people.accounts import is_staff_account

PENDING = "console_sign_in"
PENDING_SECONDS = 5 * 60
NEW_KEY = "console_new_authenticator_key"


def _is_staff(user: Any) -> bool:
    return user.is_authenticated and is_staff_account(user)


def _landing_page(user: User) -> str:
    """Where signing in leads without a `next`: the console, or the admin site for an account
    that has only that."""
    if user.is_superuser or Membership.objects.filter(user=user).exists():
        return resolve_url(settings.LOGIN_REDIRECT_URL)
    return reverse("admin:index")


@dataclass(frozen=True)
class PendingSignIn:
    """Someone who has given the right password and has yet to give a code."""

    user: User
    backend: str
    next_url: str

    @property
    def redirect_to(self) -> str:
        return self.next_url or _landing_page(self.user)


def _pending(request: HttpRequest) -> PendingSignIn | None:
    """The sign-in waiting for its second step, unless it is older than PENDING_SECONDS."""
    pending = request.session.get(PENDING)
    if not pending or time.time() - pending["started"] > PENDING_SECONDS:
        return None
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    if user is None:
        return None
    return PendingSignIn(user=user, backend=pending["backend"], next_url=pending["next"])


def _start_again(request: HttpRequest) -> HttpResponse:
    if request.session.pop(PENDING, None):
        messages.info(request, _("You took more than 5 minutes to sign in. Sign in again."))
    return redirect("console:sign-in")


def _sign_in(request: HttpRequest, pending: PendingSignIn, *, second_factor: str = "") -> None:
    request.session.pop(PENDING, None)
    request.session.pop(NEW_KEY, None)
    login(request, pending.user, backend=pending.backend)
    mark_active(request)
    record_sign_in(user=pending.user, second_factor=second_factor)


def show_recovery_codes(
    request: HttpRequest, codes: list[str], *, continue_to: str, first_time: bool = False
) -> HttpResponse:
    """New recovery codes, shown in the answer to the form that made them and never again."""
    return render(
        request,
        "console/recovery_codes.html",
        {"codes": codes, "continue_to": continue_to, "first_time": first_time},
    )


class SignInView(auth_views.LoginView):
    """The password step."""

    template_name = "console/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # Only staff are sent on to the console; anyone else signed in sees the form.
        self.redirect_authenticated_user = _is_staff(request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_default_redirect_url(self) -> str:
        return _landing_page(self.request.user)

    def form_valid(self, form: SignInForm) -> HttpResponse:
        user = form.get_user()
        if not is_staff_account(user):
            # A resident's portal account (or any account with no place in a team).
            form.add_error(
                None,
                _(
                    "This account is not a staff account. If you have an account for the "
                    "council's website, sign in there instead."
                ),
            )
            return self.form_invalid(form)
        pending = PendingSignIn(user=user, backend=user.backend, next_url=self.get_redirect_url())
        if not settings.CIVICDESK_STAFF_TWO_FACTOR:
            _sign_in(self.request, pending)
            return HttpResponseRedirect(pending.redirect_to)
        self.request.session[PENDING] = {
            "user": user.pk,
            "backend": pending.backend,
            "next": pending.next_url,
            "started": time.time(),
        }
        if has_authenticator(user):
            return redirect("console:sign-in-code")
        return redirect("console:sign-in-set-up")

    def form_invalid(self, form: SignInForm) -> HttpResponse:
        if form.has_error(NON_FIELD_ERRORS, "invalid_login"):
            locked = record_failed_sign_in(
                username=form.cleaned_data.get("username", ""),
                ip_address=client_address(self.request),
                stage=Stage.PASSWORD,
            )
            if locked:
                form.show_locked()
        return super().form_invalid(form)


@never_cache
def sign_in_code(request: HttpRequest) -> HttpResponse:
    """The second step: a code from the authenticator app, or a recovery code."""
    pending = _pending(request)
    if pending is None:
        return _start_again(request)
    if not has_authenticator(pending.user):
        return redirect("console:sign-in-set-up")
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        check = check_sign_in_code(
            user=pending.user, code=form.cleaned_data["code"], ip_address=client_address(request)
        )
        if check.accepted:
            _sign_in(request, pending, second_factor=check.outcome.value)
            if check.outcome is CodeOutcome.RECOVERY_CODE:
                messages.info(request, _recovery_codes_left_message(check.recovery_codes_left))
            return HttpResponseRedirect(pending.redirect_to)
        form.refuse(check.outcome)
        if check.outcome is CodeOutcome.LOCKED:
            request.session.pop(PENDING, None)
    return render(request, "console/sign_in_code.html", {"form": form})


def _recovery_codes_left_message(left: int) -> str:
    return ngettext(
        "You signed in with a recovery code. You have %(left)s left: get new ones from "
        "Your account before they run out.",
        "You signed in with a recovery code. You have %(left)s left: get new ones from "
        "Your account before they run out.",
        left,
    ) % {"left": left}


@never_cache
def sign_in_set_up(request: HttpRequest) -> HttpResponse:
    """The first sign-in with two-factor on: add CivicDesk to an authenticator app."""
    pending = _pending(request)
    if pending is None:
        return _start_again(request)
    if has_authenticator(pending.user):
        return redirect("console:sign-in-code")
    # The key waits in the session until a code proves it went into the app; reloading the
    # page shows the same key.
    new_key = request.session.get(NEW_KEY)
    if not new_key or new_key["user"] != pending.user.pk:
        new_key = request.session[NEW_KEY] = {"user": pending.user.pk, "key": totp.new_key()}
    key = new_key["key"]
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        check = set_up_authenticator(
            user=pending.user,
            key=key,
            code=form.cleaned_data["code"],
            ip_address=client_address(request),
        )
        if check.accepted:
            _sign_in(request, pending, second_factor=check.outcome.value)
            return show_recovery_codes(
                request, check.recovery_codes, continue_to=pending.redirect_to, first_time=True
            )
        form.refuse(check.outcome)
        if check.outcome is CodeOutcome.LOCKED:
            request.session.pop(PENDING, None)
    account = pending.user.get_username()
    uri = totp.provisioning_uri(key=key, account=account, issuer=settings.CIVICDESK_SERVICE_NAME)
    context = {
        "form": form,
        "key": totp.key_for_typing(key),
        "uri": uri,
        # A picture of the link for the phone's camera: an image the page carries itself (the
        # Content Security Policy allows data: images), never one fetched from elsewhere.
        "qr_code": segno.make(uri, error="m").svg_data_uri(scale=5, dark="#0b0c0c"),
        "account": account,
    }
    return render(request, "console/sign_in_set_up.html", context)


class SignOutView(auth_views.LogoutView):
    """POST only (Django's default), so a link or a prefetch cannot sign anyone out."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            record_sign_out(user=request.user)
        response = super().post(request, *args, **kwargs)
        # The session is gone, so the message travels in the messages cookie.
        messages.info(request, _("You have signed out."))
        return response


class ChangePasswordView(auth_views.PasswordChangeView):
    template_name = "console/password_change.html"
    form_class = ChangePasswordForm
    success_url = reverse_lazy("console:password-change-done")

    def form_valid(self, form: ChangePasswordForm) -> HttpResponse:
        """The write goes through the service; Django's view then keeps this session signed in
        (the new password ends every other one)."""
        change_password(user=form.user, new_password=form.cleaned_data["new_password1"])
        update_session_auth_hash(self.request, form.user)
        return HttpResponseRedirect(self.get_success_url())


class PasswordChangedView(auth_views.PasswordChangeDoneView):
    template_name = "console/password_changed.html"
