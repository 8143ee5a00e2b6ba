"""Carrying out a submission at most once, whatever the sender retries."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from civicdesk.core.models import Submission


@dataclass(frozen=True)
class SubmissionKey:
    """A sender's key with a fingerprint of what it sent under it (a hash of the body): the same
    key sent again with other content is refused (KeyReused), where a bare key would answer with
    the first submission's record and the second submission would be silently lost."""

    key: str
    fingerprint: str


class KeyReused(Exception):
    """The sender used this key before, for a submission with other content."""


def _earlier(
    key: str,
    model: type[models.Model],
    window: datetime.timedelta | None = None,
    fingerprint: str = "",
) -> models.Model | None:
    done = Submission.objects.filter(key=key).first()
    if done is None:
        return None
    if window is not None and done.created_at < timezone.now() - window:
        done.delete()  # the same content again after the window is a new submission
        return None
    if fingerprint and done.fingerprint and fingerprint != done.fingerprint:
        raise KeyReused(key)
    if done.record_type != model._meta.label_lower:
        raise ValueError(f"The submission key {key!r} was used for another kind of record.")
    return model._default_manager.get(pk=done.record_id)


def once[M: models.Model](
    *,
    key: str | SubmissionKey,
    model: type[M],
    create: Callable[[], M],
    window: datetime.timedelta | None = None,
) -> tuple[M, bool]:
    """Return (record, created): `create()`'s record, or the one an earlier call with `key` made.

    Without a key, `create` simply runs. With one, the record and the key are saved together, so
    a second request with the same key either finds the first one's record or, racing it, fails
    on the unique key, rolls back its own record and returns the winner's. With a `window`, a
    key older than that no longer counts: for keys made from the content of a request, which
    may honestly be sent again another day. A SubmissionKey's fingerprint is kept with it: the
    same key with another fingerprint raises KeyReused.
    """
    fingerprint = ""
    if isinstance(key, SubmissionKey):
        key, fingerprint = key.key, key.fingerprint
    if not key:
        return create(), True
    try:
        with transaction.atomic():
            earlier = _earlier(key, model, window, fingerprint)
            if earlier is not None:
                return earlier, False
            record = create()
            Submission.objects.create(
                key=key,
                fingerprint=fingerprint,
                record_type=model._meta.label_lower,
                record_id=str(record.pk),
            )
            return record, True
    except IntegrityError:
        earlier = _earlier(key, model, fingerprint=fingerprint)
        if earlier is None:
            raise
        return earlier, False
