"""Background work for satisfaction surveys, run by the database-backed worker."""

import datetime
import logging

from django.tasks import task
from django.utils import timezone

from civicdesk.core.recurring import queue_next_run
from civicdesk.surveys.services import invite_samples

logger = logging.getLogger(__name__)
RUN_EVERY = datetime.timedelta(hours=1)


@task
def sample_surveys() -> int:
    """Invite the hour's sample of customers, then queue the next run."""
    try:
        invited = invite_samples()
    finally:
        schedule_surveys()
    logger.info("Satisfaction surveys: %s invited", invited)
    return invited


def schedule_surveys(*, delay: datetime.timedelta = RUN_EVERY) -> bool:
    """Queue a run unless one is already waiting: every run queues its successor, and
    `make run` calls this at start, so one chain of runs goes on. Two chains, if two processes
    raced here, would do no harm: each council's run locks its settings and moves its mark."""
    return queue_next_run(sample_surveys, run_after=timezone.now() + delay)
