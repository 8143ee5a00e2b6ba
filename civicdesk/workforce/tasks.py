"""Background work for workforce planning: the nightly forecast, run by the database worker."""

import datetime
import logging

from django.tasks import task
from django.utils import timezone

from civicdesk.core.calendar import LONDON
from civicdesk.core.recurring import queue_next_run
from civicdesk.workforce.services import make_all_forecasts

logger = logging.getLogger(__name__)
RUN_AT = datetime.time(2, 0)  # local time: after the day's rollups, before anyone reads them


@task
def forecast_contacts() -> int:
    """Make every channel's forecast, then queue the next night's run."""
    try:
        runs = make_all_forecasts()
    finally:
        schedule_forecasts()
    logger.info("Forecasts made: %s", len(runs))
    return len(runs)


def next_run_after(moment: datetime.datetime) -> datetime.datetime:
    """The next 02:00 in London after `moment` (a wall-clock time, so it follows BST)."""
    local = moment.astimezone(LONDON)
    candidate = datetime.datetime.combine(local.date(), RUN_AT, tzinfo=LONDON)
    if candidate <= local:
        candidate = datetime.datetime.combine(
            local.date() + datetime.timedelta(days=1), RUN_AT, tzinfo=LONDON
        )
    return candidate


def schedule_forecasts(*, at_once: bool = False, now: datetime.datetime | None = None) -> bool:
    """Queue the forecast run for the next 02:00 (or now) unless one is already waiting: each
    run queues the next, so exactly one chain runs."""
    now = now or timezone.now()
    return queue_next_run(forecast_contacts, run_after=now if at_once else next_run_after(now))
