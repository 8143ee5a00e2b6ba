"""The daily demand alert run, by the database-backed worker: at 06:00 local time every council's
yesterday is checked for unusual demand, then the next morning's run is queued."""

import datetime
import logging

from django.tasks import task
from django.utils import timezone

from civicdesk.core.recurring import queue_next_run
from civicdesk.insight import alerts, rollups
from civicdesk.organisations.models import Organisation

logger = logging.getLogger(__name__)
RUN_AT = datetime.time(6, 0)
"""Local time of the daily run: after midnight's rollup refresh has settled yesterday."""


@task
def detect_demand_alerts() -> dict[str, int]:
    """Detect yesterday's unusual demand for every council, then queue tomorrow's run."""
    found = 0
    try:
        for organisation in Organisation.objects.filter(kind=Organisation.Kind.COUNCIL):
            found += len(alerts.detect_demand(organisation=organisation))
    finally:
        schedule_alerts()
    logger.info("Demand alerts: %s for yesterday", found)
    return {"alerts": found}


def next_run(now: datetime.datetime | None = None) -> datetime.datetime:
    """The next 06:00 local time after `now` (an aware datetime, right across clock changes)."""
    now = now or timezone.now()
    today = rollups.local_day(now)
    for day in (today, today + datetime.timedelta(days=1)):
        run = datetime.datetime.combine(day, RUN_AT, tzinfo=rollups.LOCAL)
        if run > now:
            return run
    raise AssertionError("unreachable")  # pragma: no cover


def schedule_alerts(*, now: datetime.datetime | None = None) -> bool:
    """Queue the next morning's run unless one is waiting already: each run queues the next,
    so one chain runs (the pattern of civicdesk.cases.tasks.schedule_sweep)."""
    return queue_next_run(detect_demand_alerts, run_after=next_run(now))
