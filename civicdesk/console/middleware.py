"""The console is for staff: a resident signed in on the portal shares the session cookie, so
every /staff/ page (bar signing in and out) refuses an account with no staff membership here,
once, rather than in each view."""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from civicdesk.cases.policy import staff_member


class StaffOnlyConsoleMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view: Callable, args: list, kwargs: dict) -> None:
        match = request.resolver_match
        if match is None or match.namespace != "console":
            return None
        if match.url_name in ("sign-in", "sign-out"):
            return None
        user = request.user
        if not user.is_authenticated:
            return None  # the views send visitors to sign in
        member = staff_member(user)
        if member.is_superuser or member.team_ids:
            return None
        raise PermissionDenied("The staff console is for council and partner staff.")
