"""Background work for cases, run by the database-backed worker (`manage.py db_worker`)."""

import datetime
import logging
from dataclasses import asdict

from django.tasks import task
from django.utils import timezone

from civicdesk.cases import escalation
from civicdesk.core.recurring import queue_next_run

logger = logging.getLogger(__name__)
SWEEP_INTERVAL = datetime.timedelta(minutes=5)


@task
def sweep_sla() -> dict[str, int]:
    """Warn and mark what has fallen due, then queue the next sweep."""
    try:
        result = escalation.sweep()
    finally:
        schedule_sweep()
    counts = {key: value for key, value in asdict(result).items() if isinstance(value, int)}
    logger.info("SLA sweep: %s", counts)
    return counts


def schedule_sweep(*, delay: datetime.timedelta = SWEEP_INTERVAL) -> bool:
    """Queue a sweep unless one is already waiting: every sweep queues its successor, and
    `make run` calls this at start, so exactly one chain of sweeps runs. A second chain, if two
    processes raced here, would only repeat work the sweep makes idempotent."""
    return queue_next_run(sweep_sla, run_after=timezone.now() + delay)
