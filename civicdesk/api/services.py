"""Issuing and revoking API tokens: the admin and the `api_token` command both come here."""

import hashlib
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicdesk.api.models import ApiToken
from civicdesk.core.audit import record
from civicdesk.core.models import AuditAction
from civicdesk.organisations.models import Membership

KEY_PREFIX = "cdk_"
PREFIX_LENGTH = len(KEY_PREFIX) + 8


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def is_staff_member(user: Any) -> bool:
    """Whoever a token acts for works for an organisation (or administers the system)."""
    if user is None or not user.is_active:
        return False
    return user.is_superuser or Membership.objects.filter(user=user).exists()


@transaction.atomic
def issue_api_token(*, actor: Any, user: Any, name: str) -> tuple[ApiToken, str]:
    """Make a token for `user`; return it with the key, which is not kept and cannot be shown
    again."""
    errors = {}
    if not is_staff_member(user):
        errors["user"] = _("Choose an active member of staff.")
    if not name.strip():
        errors["name"] = _("Enter what the key is for.")
    elif len(name.strip()) > 100:
        errors["name"] = _("The name must be 100 characters or fewer.")
    if errors:
        raise ValidationError(errors)
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name.strip(), key_hash=hash_key(key), prefix=key[:PREFIX_LENGTH]
    )
    record(
        actor=actor,
        action=AuditAction.ACCESS_GRANTED,
        target=token,
        summary=f"API token {token.prefix}… issued to {user.get_username()}",
    )
    return token, key


@transaction.atomic
def revoke_api_token(*, actor: Any, token: ApiToken) -> ApiToken:
    """Stop a key working at once. Revoking twice changes nothing."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record(
        actor=actor,
        action=AuditAction.ACCESS_REVOKED,
        target=token,
        summary=f"API token {token.prefix}… revoked",
    )
    return token
