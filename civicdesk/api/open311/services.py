"""Issuing Open311 keys, knowing a client by its key, and counting its calls."""

import datetime
import secrets
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from civicdesk.api.open311.models import KEY_PREFIX_LENGTH, Open311Client, RateCounter, hash_key
from civicdesk.core.audit import record
from civicdesk.core.models import AuditAction
from civicdesk.organisations.models import Organisation

MAX_KEY_LENGTH = 200


def new_key() -> str:
    return secrets.token_urlsafe(32)


@transaction.atomic
def issue_client(
    *,
    actor: object,
    organisation: Organisation,
    name: str,
    rate_limit_per_minute: int = 60,
    key: str = "",
    is_active: bool = True,
) -> tuple[Open311Client, str]:
    """A new client and its key; the key is returned once and only its hash is kept.

    A new random key unless one is given (the demo's published key)."""
    key = key or new_key()
    client = Open311Client.objects.create(
        organisation=organisation,
        name=name.strip(),
        key_hash=hash_key(key),
        key_prefix=key[:KEY_PREFIX_LENGTH],
        rate_limit_per_minute=rate_limit_per_minute,
        is_active=is_active,
    )
    record(
        actor=actor,
        action=AuditAction.ACCESS_GRANTED,
        target=client,
        summary=f"Open311 key issued to {client.name}",
        organisation_id=organisation.pk,
    )
    return client, key


@transaction.atomic
def replace_key(*, actor: object, client: Open311Client) -> str:
    """A new key for an existing client; the old one stops working at once."""
    key = new_key()
    client.key_hash = hash_key(key)
    client.key_prefix = key[:KEY_PREFIX_LENGTH]
    client.save(update_fields=["key_hash", "key_prefix"])
    record(
        actor=actor,
        action=AuditAction.ACCESS_GRANTED,
        target=client,
        summary=f"Open311 key replaced for {client.name}",
        organisation_id=client.organisation_id,
    )
    return key


def client_for_key(key: str) -> Open311Client | None:
    """The active client holding this key, or None."""
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        return None
    return (
        Open311Client.objects.select_related("organisation")
        .filter(key_hash=hash_key(key), is_active=True)
        .first()
    )


@dataclass(frozen=True)
class RateCheck:
    allowed: bool
    retry_after: int  # seconds until the next minute starts


def count_call(*, client: Open311Client, now: datetime.datetime | None = None) -> RateCheck:
    """Count one call against the client's limit for this minute; say whether it may proceed.

    The counter row is incremented in the database, so several web processes share the count.
    """
    now = now or timezone.now()
    minute = now.replace(second=0, microsecond=0)
    retry_after = max(1, 60 - now.second)
    with transaction.atomic():
        updated = RateCounter.objects.filter(client=client, minute=minute).update(
            count=F("count") + 1
        )
        if not updated:
            try:
                with transaction.atomic():
                    RateCounter.objects.create(client=client, minute=minute, count=1)
            except IntegrityError:  # another process started this minute first
                RateCounter.objects.filter(client=client, minute=minute).update(
                    count=F("count") + 1
                )
            else:
                RateCounter.objects.filter(client=client, minute__lt=minute).delete()
                Open311Client.objects.filter(pk=client.pk).update(last_used_at=now)
        count = (
            RateCounter.objects.filter(client=client, minute=minute)
            .values_list("count", flat=True)
            .first()
        )
    return RateCheck(allowed=(count or 0) <= client.rate_limit_per_minute, retry_after=retry_after)
