"""The console is for staff: a resident signed in on the portal shares the session cookie, so
every /staff/ page (bar the sign-in steps and signing out) refuses an account with no staff
membership here, once, rather than in each view.

A staff session also ends after CIVICDESK_STAFF_IDLE_MINUTES without a request, wherever on the
site (the admin too): desks are shared, and a screen left signed in shows customers' details.
Sessions signed in through the console carry the time of their last request for this.
"""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from civicdesk.cases.policy import staff_member
from civicdesk.organisations.services import record_sign_out

LAST_SEEN = "console_last_seen"
# Writing the time on every request would save the session every time; a minute is near enough.
TOUCH_EVERY_SECONDS = 60
OPEN_PAGES = ("sign-in", "sign-in-code", "sign-in-set-up", "sign-out")


def mark_active(request: HttpRequest) -> None:
    """Start the idle clock of a session that has just signed in."""
    request.session[LAST_SEEN] = int(time.time())


class StaffOnlyConsoleMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._idle_too_long(request):
            return self._sign_out_idle(request)
        return self.get_response(request)

    def _idle_too_long(self, request: HttpRequest) -> bool:
        last_seen = request.session.get(LAST_SEEN)
        if last_seen is None:
            return False
        now = time.time()
        if now - last_seen > settings.CIVICDESK_STAFF_IDLE_MINUTES * 60:
            return True
        if now - last_seen >= TOUCH_EVERY_SECONDS:
            request.session[LAST_SEEN] = int(now)
        return False

    def _sign_out_idle(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            record_sign_out(user=request.user, idle=True)
        logout(request)
        messages.info(
            request,
            _(
                "You were signed out because you had not used %(service)s for %(minutes)s "
                "minutes. Sign in again to carry on."
            )
            % {
                "service": settings.CIVICDESK_SERVICE_NAME,
                "minutes": settings.CIVICDESK_STAFF_IDLE_MINUTES,
            },
        )
        return redirect_to_login(request.get_full_path())

    def process_view(self, request: HttpRequest, view: Callable, args: list, kwargs: dict) -> None:
        match = request.resolver_match
        if match is None or match.namespace != "console":
            return None
        if match.url_name in OPEN_PAGES:
            return None
        user = request.user
        if not user.is_authenticated:
            return None  # the views send visitors to sign in
        member = staff_member(user)
        if member.is_superuser or member.team_ids:
            return None
        raise PermissionDenied("The staff console is for council and partner staff.")
