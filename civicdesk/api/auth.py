"""`Authorization: Bearer <key>`: the request then acts as the token's member of staff."""

import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import HttpError
from ninja.security import HttpBearer

from civicdesk.api.key_guessing import guessing_blocked, record_bad_key
from civicdesk.api.models import ApiToken
from civicdesk.api.services import hash_key, is_staff_member

# Noting every use would write a row per request; once a minute says enough.
LAST_USED_GRANULARITY = datetime.timedelta(minutes=1)
MAX_KEY_LENGTH = 200


def user_for_key(key: str) -> tuple[ApiToken, Any] | None:
    if not key or len(key) > MAX_KEY_LENGTH:
        return None
    token = (
        ApiToken.objects.in_force().filter(key_hash=hash_key(key)).select_related("user").first()
    )
    if token is None or not is_staff_member(token.user):
        return None
    now = timezone.now()
    if token.last_used_at is None or token.last_used_at < now - LAST_USED_GRANULARITY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token, token.user


class TokenAuth(HttpBearer):
    """Staff integrations' keys, made in the admin or with `manage.py api_token`."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        if guessing_blocked(request):
            raise HttpError(429, "Too many requests with keys that are not valid came from your "
                            "address: try again in 15 minutes.")  # fmt: skip
        found = user_for_key(token.strip())
        if found is None:
            record_bad_key(request, kind=ApiToken)
            return None
        api_token, user = found
        request.user = user
        request.api_token = api_token
        return user
