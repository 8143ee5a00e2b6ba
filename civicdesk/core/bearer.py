"""Checking a shared secret sent as `Authorization: Bearer <token>` (Notify's callbacks,
Prometheus's scrapes): compared in constant time, so the answer's timing gives nothing away."""

import hmac

from django.http import HttpRequest


def has_bearer_token(request: HttpRequest, token: str) -> bool:
    """Whether the request carries `token` as its bearer token (an empty one never matches)."""
    scheme, _space, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given.strip() or not token:
        return False
    return hmac.compare_digest(given.strip().encode(), token.encode())
