"""One middleware for every request: a request id, an access log line and the request metrics.

It comes first in MIDDLEWARE so that it times, and sees the final status of, everything the
other middleware does. Routes are named by their URL pattern's name, never by the path, which
may hold a customer's reference; the query string and the body are never read.
"""

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.urls import ResolverMatch
from django.utils.functional import empty

from civicdesk.cases.policy import StaffMember
from civicdesk.monitoring import logs, metrics

access_log = logging.getLogger("civicdesk.access")
# What a proxy or a client may send as X-Request-ID: e.g. a UUID, or a load balancer's trace id.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,127}")
UNMATCHED = "unmatched"  # no URL pattern matched: the path is not worth a series of its own


def route_name(match: ResolverMatch | None) -> str:
    """The URL pattern's name with its namespaces, e.g. "console:case"; an unnamed pattern
    gives its view's dotted path."""
    return match.view_name if match is not None else UNMATCHED


def _user_and_organisation(request: HttpRequest) -> tuple[int | None, int | None]:
    """The signed-in user's id and home organisation's id, if the request already looked them
    up: the access log must not cost a query of its own."""
    user = getattr(request, "user", None)
    loaded = getattr(user, "_wrapped", user)  # request.user is lazy
    if loaded is None or loaded is empty or not loaded.is_authenticated:
        return None, None
    # Cached on the user by civicdesk.cases.policy.staff_member, e.g. for every console page.
    member = getattr(loaded, "_civicdesk_staff_member", None)
    return loaded.pk, member.organisation_id if isinstance(member, StaffMember) else None


class RequestMonitoringMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get("X-Request-ID", "")
        request_id = given if SANE_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        token = logs.begin_request(request, request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            seconds = time.perf_counter() - started
            route = route_name(getattr(request, "resolver_match", None))
            logs.set_route(route)
            # A client inventing methods must not invent new series or log lines.
            method = request.method if request.method in metrics.METHODS else "OTHER"
            metrics.observe_request(
                method=method, route=route, status=response.status_code, seconds=seconds
            )
            user_id, organisation_id = _user_and_organisation(request)
            access_log.info(
                "%s %s %s %.0fms",
                method,
                route,
                response.status_code,
                seconds * 1000,
                extra={
                    "status": response.status_code,
                    "duration_ms": round(seconds * 1000, 1),
                    "user_id": user_id,
                    "organisation_id": organisation_id,
                },
            )
        finally:
            logs.end_request(token)
        response["X-Request-ID"] = request_id
        return response

    def process_view(self, request: HttpRequest, view: Callable, args: list, kwargs: dict) -> None:
        # From here on, whatever the view logs carries the route name too.
        logs.set_route(route_name(request.resolver_match))
