"""Writes for monitoring."""

import datetime

from django.db import transaction

from civicdesk.monitoring.models import WorkerHeartbeat


@transaction.atomic
def record_heartbeat(*, worker: str, at: datetime.datetime) -> WorkerHeartbeat:
    """Note that `worker` ran a heartbeat at `at`.

    No audit entry: a beat changes no council record, and one every 30 seconds would bury the
    audit log in a million rows a year.
    """
    heartbeat, _created = WorkerHeartbeat.objects.update_or_create(
        worker=worker, defaults={"beat_at": at}
    )
    return heartbeat
