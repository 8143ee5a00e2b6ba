"""Intermediaries on the portal: choosing whom to act for, and the banner while doing so.

The choice lives in the session under SESSION_KEY as the Representative's pk. It is checked
again on every use (still in force, still this user's, not information only), so revoked or
expired consent ends it at once. The request journey reads the same key.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civicdesk.people import accounts
from civicdesk.people.models import Representative
from civicdesk.portal.forms_accounts import ActingForForm

SESSION_KEY = "portal_acting_for"


def account_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in with a portal account: anonymous visitors sign in first; staff get nothing."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect(f"{reverse('portal:sign-in')}?next={request.get_full_path()}")
        account = accounts.account_for(request.user)
        if account is None:
            raise Http404
        request.portal_account = account  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapped


def acting_representation(request: HttpRequest) -> Representative | None:
    """The representation the signed-in user is acting on now, or None (and the stale choice
    forgotten) when there is none or it no longer holds."""
    session = getattr(request, "session", None)
    if session is None or SESSION_KEY not in session:
        return None
    representative = None
    if request.user.is_authenticated:
        representative = accounts.representation_for(request.user, session.get(SESSION_KEY))
    if representative is None:
        session.pop(SESSION_KEY, None)
    return representative


def acting_for(request: HttpRequest) -> dict[str, Any]:
    """Context processor: `portal_acting_for` for the banner in the portal's layout."""
    return {"portal_acting_for": acting_representation(request)}


@account_required
def choose(request: HttpRequest) -> HttpResponse:
    representations = list(accounts.representations_for(request.user))
    data = (request.POST or None) if representations else None
    form = ActingForForm(data, representations=representations)
    if form.is_bound and form.is_valid():
        chosen = next(
            rep for rep in representations if rep.pk == form.cleaned_data["representation"]
        )
        request.session[SESSION_KEY] = chosen.pk
        accounts.record_acting_for(user=request.user, representative=chosen, started=True)
        messages.success(
            request, _("You are now acting for %(name)s.") % {"name": chosen.customer.full_name}
        )
        return redirect("portal:account")
    return render(
        request,
        "portal/account/acting_for.html",
        {"form": form, "representations": representations},
    )


@require_POST
def stop(request: HttpRequest) -> HttpResponse:
    representative = acting_representation(request)
    request.session.pop(SESSION_KEY, None)
    if representative is not None:
        accounts.record_acting_for(user=request.user, representative=representative, started=False)
        messages.info(
            request,
            _("You are no longer acting for %(name)s.")
            % {"name": representative.customer.full_name},
        )
    return redirect("portal:account" if request.user.is_authenticated else "portal:sign-in")
