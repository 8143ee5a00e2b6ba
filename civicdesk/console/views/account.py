"""A staff member's own account: two-factor authentication, recovery codes, signing out of
other computers, and the way to change the password."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from civicdesk.console.forms import SecondFactorForm
from civicdesk.console.views.auth import show_recovery_codes
from civicdesk.core.throttle import client_address
from civicdesk.organisations.models import Authenticator
from civicdesk.organisations.security import (
    has_authenticator,
    recovery_codes_left,
    regenerate_recovery_codes,
    sign_out_everywhere,
)


def _account_page(request: HttpRequest, form: SecondFactorForm) -> HttpResponse:
    user = request.user
    context = {
        "authenticator": Authenticator.objects.filter(user=user).first(),
        "recovery_codes_left": recovery_codes_left(user),
        "form": form,
    }
    return render(request, "console/account.html", context)


@login_required
def account(request: HttpRequest) -> HttpResponse:
    return _account_page(request, SecondFactorForm())


@never_cache
@login_required
@require_POST
def new_recovery_codes(request: HttpRequest) -> HttpResponse:
    """Replace the recovery codes; a current code from the app is needed."""
    if not has_authenticator(request.user):
        return redirect("console:account")
    form = SecondFactorForm(request.POST)
    if form.is_valid():
        check = regenerate_recovery_codes(
            user=request.user, code=form.cleaned_data["code"], ip_address=client_address(request)
        )
        if check.accepted:
            return show_recovery_codes(
                request, check.recovery_codes, continue_to=reverse("console:account")
            )
        form.refuse(check.outcome)
    return _account_page(request, form)


@login_required
@require_POST
def sign_out_elsewhere(request: HttpRequest) -> HttpResponse:
    """End every other session of this staff member; this one stays signed in."""
    sign_out_everywhere(user=request.user)
    update_session_auth_hash(request, request.user)
    messages.success(
        request,
        _("You have been signed out of %(service)s on every other computer and browser.")
        % {"service": settings.CIVICDESK_SERVICE_NAME},
    )
    return redirect("console:account")
