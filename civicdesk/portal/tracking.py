"""Limiting the guesses on "track a request", per session and per address, so references
cannot be fished for. `cases.public.find_request` answers a wrong reference and wrong details
alike, so a guess learns nothing either way."""

from django.core.cache import cache
from django.http import HttpRequest

from civicdesk.core.throttle import client_address

MAX_GUESSES = 10  # failed look-ups allowed per session and per IP address in a window
WINDOW_SECONDS = 60 * 60
SESSION_KEY = "portal_track_failures"


def _ip(request: HttpRequest) -> str:
    return client_address(request) or "unknown"


def _cache_key(request: HttpRequest) -> str:
    return f"portal-track-failures:{_ip(request)}"


def is_throttled(request: HttpRequest) -> bool:
    return (
        request.session.get(SESSION_KEY, 0) >= MAX_GUESSES
        or cache.get(_cache_key(request), 0) >= MAX_GUESSES
    )


def record_failure(request: HttpRequest) -> None:
    request.session[SESSION_KEY] = request.session.get(SESSION_KEY, 0) + 1
    key = _cache_key(request)
    if cache.add(key, 1, WINDOW_SECONDS) is False:
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, WINDOW_SECONDS)
