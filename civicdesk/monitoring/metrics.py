"""Prometheus metrics, with the official client (`prometheus_client`).

Request counts and latencies are kept by each process. Under gunicorn, set
PROMETHEUS_MULTIPROC_DIR (an empty directory, emptied at every start) before the server starts:
each worker process then writes its figures to files there and a scrape, whichever process
answers it, adds them up. Figures from the database (the queue, open cases, today's contacts)
are read at scrape time, once per scrape rather than once per process.
"""

import logging
from collections.abc import Iterator

from django import db
from django.conf import settings
from django.utils import timezone
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

from civicdesk.monitoring import selectors

logger = logging.getLogger(__name__)

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

# This process's own figures; a registry of our own keeps the client's default process and
# platform collectors (versions, paths) out of the output.
_process = CollectorRegistry()
REQUESTS = Counter(
    "civicdesk_http_requests",
    "Requests answered, by method, route name and status class.",
    ["method", "route", "status"],
    registry=_process,
)
LATENCY = Histogram(
    "civicdesk_http_request_duration_seconds",
    "Time to answer a request, by route name.",
    ["route"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=_process,
)


def observe_request(*, method: str, route: str, status: int, seconds: float) -> None:
    """Count one answered request; `method` is one of METHODS or "OTHER"."""
    REQUESTS.labels(method=method, route=route, status=f"{status // 100}xx").inc()
    LATENCY.labels(route=route).observe(seconds)


def _database_up(answered: bool) -> GaugeMetricFamily:
    """The same series, with the same help text, whether the database answered or not."""
    return GaugeMetricFamily(
        "civicdesk_database_up", "Whether the database answered the scrape.", value=int(answered)
    )


class DatabaseFigures:
    """Figures read from the database at each scrape. If it does not answer,
    `civicdesk_database_up` is 0 and the request figures are still served."""

    def collect(self) -> Iterator[Metric]:
        now = timezone.now()
        try:
            heartbeat = selectors.last_heartbeat()
            queue = selectors.task_queue(now=now)
            workload = selectors.workload_by_organisation(now=now)
        except db.Error:  # any failure of the database or its driver
            logger.warning("Metrics: the database did not answer", exc_info=True)
            yield _database_up(False)
            return
        yield _database_up(True)
        yield GaugeMetricFamily(
            "civicdesk_tasks_ready", "Background tasks due and waiting for a worker.", queue.ready
        )
        yield GaugeMetricFamily(
            "civicdesk_tasks_scheduled",
            "Background tasks queued for a later time.",
            queue.scheduled,
        )
        oldest = GaugeMetricFamily(
            "civicdesk_tasks_oldest_ready_age_seconds",
            "How long the longest-waiting due task has waited (0 when none waits).",
        )
        since = queue.oldest_ready_since
        oldest.add_metric([], max(0.0, (now - since).total_seconds()) if since else 0.0)
        yield oldest
        if heartbeat is not None:
            yield GaugeMetricFamily(
                "civicdesk_worker_heartbeat_age_seconds",
                "Time since a task worker last ran the heartbeat task.",
                max(0.0, (now - heartbeat).total_seconds()),
            )
        families = {
            "open_cases": GaugeMetricFamily(
                "civicdesk_cases_open", "Cases not yet resolved.", labels=["organisation"]
            ),
            "open_cases_past_due": GaugeMetricFamily(
                "civicdesk_cases_past_resolution_due",
                "Unresolved cases past their resolution due time (SLA breaches).",
                labels=["organisation"],
            ),
            "contacts_today": GaugeMetricFamily(
                "civicdesk_contacts_today",
                "Contacts started today (local time).",
                labels=["organisation"],
            ),
        }
        for row in workload:
            for field, family in families.items():
                family.add_metric([row.organisation], getattr(row, field))
        yield from families.values()


def exposition() -> bytes:
    """The metrics in Prometheus' text format."""
    registry = CollectorRegistry()
    if settings.CIVICDESK_METRICS_MULTIPROC_DIR:
        MultiProcessCollector(registry, path=settings.CIVICDESK_METRICS_MULTIPROC_DIR)
    else:
        registry.register(_process)
    registry.register(DatabaseFigures())
    return generate_latest(registry)
