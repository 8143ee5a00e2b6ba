"""Guessing API keys: every request with a wrong key (JSON API or Open311) is audited with the
address it came from, and an address with too many lately gets 429 for every key, good or bad,
until they age out, so guessing cannot go on at the speed of the network.

The same audit-entry counting as staff sign-in (civicdesk.core.throttle), so every web process
shares the count and nothing else needs storing."""

import datetime

from django.db import models
from django.http import HttpRequest

from civicdesk.core.audit import record
from civicdesk.core.models import AuditAction
from civicdesk.core.throttle import client_address, recent_failures

WINDOW = datetime.timedelta(minutes=15)
MAX_BAD_KEYS_PER_ADDRESS = 20


def guessing_blocked(request: HttpRequest) -> bool:
    address = client_address(request)
    failures = recent_failures(window=WINDOW, api_key=True, ip=address)
    return failures.count() >= MAX_BAD_KEYS_PER_ADDRESS


def record_bad_key(request: HttpRequest, *, kind: type[models.Model]) -> None:
    """Audit one wrong key (never the key itself) against the kind of key it claimed to be."""
    record(
        actor=None,
        action=AuditAction.SIGN_IN_FAILED,
        target=kind(),  # no key matched, so no record to name: an unsaved one (id "None")
        summary="A request with a key that is not valid",
        detail={"api_key": True, "ip": client_address(request)},
    )
