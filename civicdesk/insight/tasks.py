"""Background work for management information, run by the database-backed worker."""

import datetime
import logging

from django.tasks import task
from django.utils import timezone

from civicdesk.core.recurring import queue_next_run
from civicdesk.insight import services
from civicdesk.organisations.models import Organisation

logger = logging.getLogger(__name__)
REFRESH_INTERVAL = datetime.timedelta(minutes=1)


@task
def refresh_rollups() -> dict[str, int]:
    """Bring every council's rollups up to date, then queue the next refresh."""
    days = backlog_days = 0
    try:
        for organisation in Organisation.objects.all():
            result = services.refresh(organisation=organisation)
            days += result.days
            backlog_days += result.backlog_days
    finally:
        schedule_refresh()
    logger.info("Rollups: %s days recomputed, %s backlogs taken", days, backlog_days)
    return {"days": days, "backlog_days": backlog_days}


def schedule_refresh(*, delay: datetime.timedelta = REFRESH_INTERVAL) -> bool:
    """Queue a refresh unless one is waiting already: each refresh queues the next, so one chain
    runs (the same pattern as the SLA sweep in civicdesk.cases.tasks)."""
    return queue_next_run(refresh_rollups, run_after=timezone.now() + delay)
