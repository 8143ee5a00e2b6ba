"""Background work for applications: the daily "time to renew" messages."""

import datetime
import logging

from django.tasks import task
from django.utils import timezone

from civicdesk.core.recurring import queue_next_run
from civicdesk.forms.applications import send_renewal_reminders

logger = logging.getLogger(__name__)
RUN_EVERY = datetime.timedelta(days=1)


@task
def remind_renewals() -> int:
    """Send the day's renewal reminders, then queue tomorrow's run."""
    try:
        sent = send_renewal_reminders()
    finally:
        schedule_renewals()
    logger.info("Renewal reminders sent: %s", sent)
    return sent


def schedule_renewals(*, delay: datetime.timedelta = RUN_EVERY) -> bool:
    """Queue the reminders unless a run is already waiting: each run queues the next."""
    return queue_next_run(remind_renewals, run_after=timezone.now() + delay)
