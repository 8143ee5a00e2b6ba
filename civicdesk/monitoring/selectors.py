"""Reads for the health check and the metrics. Each is one query through an index, so a scrape
stays cheap with 20 million contacts and 5 million cases."""

import datetime
import time
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, F, Max, Min, Q
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from civicdesk.cases.models import Case
from civicdesk.contacts.models import Contact
from civicdesk.monitoring.models import WorkerHeartbeat
from civicdesk.organisations.models import Organisation


def database_round_trip_ms() -> float:
    """The time a trivial query takes, in milliseconds."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return (time.perf_counter() - started) * 1000


def last_heartbeat() -> datetime.datetime | None:
    """The newest beat of any worker: the queue is worked if one of them is alive."""
    return WorkerHeartbeat.objects.aggregate(last=Max("beat_at"))["last"]


@dataclass(frozen=True)
class TaskQueue:
    ready: int  # due now, waiting for a worker
    scheduled: int  # waiting for their time (e.g. the next SLA sweep)
    oldest_ready_since: datetime.datetime | None  # when the longest-waiting ready task fell due


def task_queue(*, now: datetime.datetime) -> TaskQueue:
    """django-tasks-db's waiting tasks, read from its partial index on waiting tasks alone.

    A task queued without a time carries the far-future `run_after` sentinel and is due from
    when it was queued; a task queued for later is due from its `run_after`.
    """
    never = get_date_max()
    due = Q(run_after=never) | Q(run_after__lte=now)
    figures = DBTaskResult.objects.filter(status=TaskResultStatus.READY).aggregate(
        # Counting a column of the index (never null) keeps the count inside the index.
        ready=Count("run_after", filter=due),
        scheduled=Count("run_after", filter=Q(run_after__gt=now, run_after__lt=never)),
        queued_since=Min("enqueued_at", filter=Q(run_after=never)),
        due_since=Min("run_after", filter=Q(run_after__lte=now)),
    )
    since = [moment for moment in (figures["queued_since"], figures["due_since"]) if moment]
    return TaskQueue(
        ready=figures["ready"],
        scheduled=figures["scheduled"],
        oldest_ready_since=min(since, default=None),
    )


@dataclass(frozen=True)
class Workload:
    organisation: str  # slug
    open_cases: int
    open_cases_past_due: int
    contacts_today: int


def workload_by_organisation(*, now: datetime.datetime) -> list[Workload]:
    """Open cases, those past their resolution due time, and today's contacts, per organisation.

    Open means unresolved, as in the management information's backlog: the partial index
    `case_unresolved_idx` holds only those cases, so the count reads the backlog, not the
    history. Past due follows the SLA clock's rule (`cases.services._missed`): a paused clock
    is late only if it was late when it paused. Today's contacts are a range of
    `contact_org_time_idx` for each organisation, counted from the index alone.
    """
    slugs = dict(Organisation.objects.values_list("pk", "slug"))
    late = Q(resolution_due_at__lt=now) & (
        Q(clock_paused_at__isnull=True) | Q(resolution_due_at__lte=F("clock_paused_at"))
    )
    cases = {
        row["organisation_id"]: row
        for row in Case.objects.filter(organisation_id__in=list(slugs), resolved_at__isnull=True)
        .values("organisation_id")
        .annotate(open=Count("*"), late=Count("opened_at", filter=late))
        .order_by()
    }
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    contacts = dict(
        Contact.objects.filter(organisation_id__in=list(slugs), started_at__gte=midnight)
        .values("organisation_id")
        .annotate(today=Count("*"))
        .order_by()
        .values_list("organisation_id", "today")
    )
    return [
        Workload(
            organisation=slug,
            open_cases=cases.get(pk, {}).get("open", 0),
            open_cases_past_due=cases.get(pk, {}).get("late", 0),
            contacts_today=contacts.get(pk, 0),
        )
        for pk, slug in sorted(slugs.items(), key=lambda item: item[1])
    ]
