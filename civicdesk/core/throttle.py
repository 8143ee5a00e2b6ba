"""Slowing down guessing: failed sign-ins (and codes) are audit entries, counted over a window.

The failures are audited anyway, so counting them needs no other store and holds across every
web process. Callers record nothing while a limit holds, so a limit lifts once the window has
passed.
"""

import datetime
import ipaddress
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from civicdesk.core.models import AuditAction, AuditEvent


def client_address(request: HttpRequest) -> str:
    """The IP address a request came from, for throttling and the audit log.

    Behind the reverse proxy (CIVICDESK_BEHIND_PROXY), the address the proxy saw is the last
    one in X-Forwarded-For: earlier ones are whatever the client chose to send, so they are
    never trusted."""
    if settings.CIVICDESK_BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").rsplit(",", 1)[-1].strip()
        try:
            return str(ipaddress.ip_address(forwarded))
        except ValueError:
            pass
    return request.META.get("REMOTE_ADDR", "")


def recent_failures(*, window: datetime.timedelta, **detail: Any) -> QuerySet[AuditEvent]:
    """Failed sign-ins audited within `window` whose detail holds these values."""
    return AuditEvent.objects.filter(
        action=AuditAction.SIGN_IN_FAILED,
        occurred_at__gte=timezone.now() - window,
        **{f"detail__{key}": value for key, value in detail.items()},
    )
