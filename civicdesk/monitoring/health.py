"""The health check behind `GET /health/`.

Only a database that does not answer fails the check (HTTP 503): a load balancer then takes
this web server out of service, which is right, since it cannot serve anything. A stale worker
heartbeat or a queue that is not being worked only degrades it (HTTP 200): residents can still
report and agents can still log contacts while messages and SLA sweeps wait, and taking every
web server out of service for a stopped worker would turn a delay into an outage. Alert on
"degraded" (or on the metrics) instead.
"""

import datetime
import logging
from enum import StrEnum
from typing import Any

from django import db

from civicdesk.monitoring import selectors

logger = logging.getLogger(__name__)
# The heartbeat runs every 30 seconds: four missed beats mean the queue is not being worked.
STALE_AFTER = datetime.timedelta(minutes=2)


class Status(StrEnum):
    OK = "ok"
    DEGRADED = "degraded"
    FAILING = "failing"


def _age_seconds(since: datetime.datetime | None, now: datetime.datetime) -> int | None:
    # Never negative: the worker's clock may run a little ahead of this server's.
    return None if since is None else max(0, round((now - since).total_seconds()))


def _fresh(since: datetime.datetime | None, now: datetime.datetime) -> Status:
    return Status.OK if since is not None and now - since <= STALE_AFTER else Status.DEGRADED


def check_health(*, now: datetime.datetime) -> dict[str, Any]:
    """The overall status and each check's figures. No names, versions, hosts or paths."""
    try:
        database_ms = selectors.database_round_trip_ms()
        heartbeat = selectors.last_heartbeat()
        queue = selectors.task_queue(now=now)
    except db.Error:  # any failure of the database or its driver
        # The exception may name the database host; the response must not.
        logger.warning("Health check: the database did not answer", exc_info=True)
        return {"status": Status.FAILING, "checks": {"database": {"status": Status.FAILING}}}
    waiting = queue.oldest_ready_since
    checks = {
        "database": {"status": Status.OK, "time_ms": round(database_ms, 1)},
        "worker": {
            "status": _fresh(heartbeat, now),
            "heartbeat_age_seconds": _age_seconds(heartbeat, now),
        },
        "queue": {
            "status": Status.OK if waiting is None else _fresh(waiting, now),
            "ready": queue.ready,
            "scheduled": queue.scheduled,
            "oldest_ready_age_seconds": _age_seconds(waiting, now),
        },
    }
    worst = Status.DEGRADED if any(c["status"] != Status.OK for c in checks.values()) else Status.OK
    return {"status": worst, "checks": checks}
