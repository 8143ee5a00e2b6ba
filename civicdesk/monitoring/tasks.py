"""The worker's heartbeat: a task that notes the time and queues itself again."""

import datetime
import socket

from django.tasks import task
from django.utils import timezone

from civicdesk.core.recurring import queue_next_run
from civicdesk.monitoring import services

HEARTBEAT_INTERVAL = datetime.timedelta(seconds=30)


@task
def heartbeat() -> None:
    """Note that a worker on this host is taking tasks off the queue, then queue the next beat."""
    try:
        services.record_heartbeat(worker=socket.gethostname(), at=timezone.now())
    finally:
        schedule_heartbeat()


def schedule_heartbeat(*, delay: datetime.timedelta = HEARTBEAT_INTERVAL) -> bool:
    """Queue a beat unless one is waiting already: each beat queues the next, so one chain runs
    (the pattern of the SLA sweep in civicdesk.cases.tasks)."""
    return queue_next_run(heartbeat, run_after=timezone.now() + delay)
