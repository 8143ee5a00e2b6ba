"""Demand alerts: days when a service got unusually many contacts and requests in one ward.

Demand for a service in a ward on a day is what residents brought to the council, each thing
counted once (METHOD.md, "What the alerts count"):

- every case opened that day about the service at a location in the ward (Case.ward), and
- every contact that day about the service from a customer living in the ward (Contact.ward),
  except those that raised a case: that request is already counted, where it is.

The counts come from the day rollups (ContactDay, CaseDay), never from the raw tables, and go
through `anomalies.detect`, which judges each day against the usual level for that weekday and
time of year. The contacts and cases behind one alert are read from the raw tables for that one
day only, through the (organisation, time) indexes.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from civicdesk.cases.models import Case
from civicdesk.contacts.models import Contact, Outcome
from civicdesk.core.audit import record
from civicdesk.core.models import AuditAction
from civicdesk.insight import anomalies, rollups
from civicdesk.insight.models import CaseDay, ContactDay, DemandAlert
from civicdesk.organisations.models import Organisation

SeriesKey = tuple[int, int]
"""(service id, ward id)."""

# What anomalies.expected_level reads before a day: the lookback weeks plus the four weeks it
# searches to make up for bank holidays, then last year's fortnight around the oldest of them.
HISTORY_DAYS = (anomalies.DEFAULT_LOOKBACK_WEEKS + 4) * 7 + 364 + 7
LEAD_IN_DAYS = 28
"""Read before the history: a series with rows here existed before it, so its history is
taken to start at the window's first day (missing days are zero), not at its first row in it."""
CHART_WEEKS = 8


def demand_series(
    *,
    organisation_id: int,
    first: datetime.date,
    last: datetime.date,
    service_id: int | None = None,
    ward_id: int | None = None,
) -> dict[SeriesKey, dict[datetime.date, int]]:
    """Daily demand per service and ward from `first` to `last`, from the day rollups.

    Two grouped queries over the (organisation, day) range. Contacts and cases without a
    service or a ward are left out: they belong to no series. A series with rows in the lead-in
    gets an explicit zero on `first`, so quiet days at the window's start are not mistaken for
    the series not having existed yet.
    """
    lead_in = first - datetime.timedelta(days=LEAD_IN_DAYS)
    contact_rows = ContactDay.objects.filter(
        organisation_id=organisation_id,
        day__gte=lead_in,
        day__lte=last,
        service_id__isnull=False,
        ward_id__isnull=False,
        contacts__gt=0,
    ).exclude(outcome=Outcome.CASE_RAISED)
    case_rows = CaseDay.objects.filter(
        organisation_id=organisation_id,
        day__gte=lead_in,
        day__lte=last,
        service_id__isnull=False,
        ward_id__isnull=False,
        opened__gt=0,
    )
    if service_id is not None:
        contact_rows = contact_rows.filter(service_id=service_id)
        case_rows = case_rows.filter(service_id=service_id)
    if ward_id is not None:
        contact_rows = contact_rows.filter(ward_id=ward_id)
        case_rows = case_rows.filter(ward_id=ward_id)
    series: dict[SeriesKey, dict[datetime.date, int]] = defaultdict(dict)
    grouped = (
        contact_rows.order_by()
        .values_list("service_id", "ward_id", "day")
        .annotate(Sum("contacts")),
        case_rows.order_by().values_list("service_id", "ward_id", "day").annotate(Sum("opened")),
    )
    for rows in grouped:
        for service, ward, day, count in rows:
            counts = series[(service, ward)]
            counts[day] = counts.get(day, 0) + count
    for counts in series.values():
        earlier = [day for day in counts if day < first]
        if earlier:
            for day in earlier:
                del counts[day]
            counts.setdefault(first, 0)
    return dict(series)


def _yesterday(now: datetime.datetime | None = None) -> datetime.date:
    return rollups.local_day(now or timezone.now()) - datetime.timedelta(days=1)


def _store(
    organisation: Organisation, day: datetime.date, found: Iterable[anomalies.Alert]
) -> list[DemandAlert]:
    """Replace the day's unacknowledged alerts with those found; acknowledged ones stay."""
    with transaction.atomic():
        existing = DemandAlert.objects.select_for_update().filter(
            organisation=organisation, day=day
        )
        existing.filter(acknowledged_at__isnull=True).delete()
        kept = set(existing.values_list("service_id", "ward_id"))
        detected_at = timezone.now()
        DemandAlert.objects.bulk_create(
            DemandAlert(
                organisation=organisation,
                day=day,
                service_id=alert.key[0],
                ward_id=alert.key[1],
                observed=alert.observed,
                expected=alert.expected,
                score=alert.score,
                probability=alert.probability,
                description=alert.reason[:300],
                detected_at=detected_at,
            )
            for alert in found
            if alert.key not in kept
        )
    return list(
        DemandAlert.objects.filter(organisation=organisation, day=day)
        .select_related("service", "ward")
        .order_by("-score", "pk")
    )


def detect_demand(
    *,
    organisation: Organisation,
    day: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> list[DemandAlert]:
    """Detect unusual demand on one local day (yesterday by default) and store the alerts.

    Re-running replaces the day's unacknowledged alerts, so a day whose rollups changed can be
    detected again; an acknowledged alert is never thrown away. Returns the day's alerts, most
    unusual first.
    """
    day = day or _yesterday(now)
    return detect_demand_range(organisation=organisation, start=day, end=day)[day]


def detect_demand_range(
    *, organisation: Organisation, start: datetime.date, end: datetime.date
) -> dict[datetime.date, list[DemandAlert]]:
    """`detect_demand` for every day from `start` to `end`, reading the rollups once."""
    series = demand_series(
        organisation_id=organisation.pk,
        first=start - datetime.timedelta(days=HISTORY_DAYS),
        last=end,
    )
    stored: dict[datetime.date, list[DemandAlert]] = {}
    day = start
    while day <= end:
        stored[day] = _store(organisation, day, anomalies.detect(series, on=day))
        day += datetime.timedelta(days=1)
    return stored


def acknowledge_alert(*, actor: Any, alert: DemandAlert) -> DemandAlert:
    """Mark an alert as seen and dealt with; acknowledging it again changes nothing."""
    with transaction.atomic():
        alert = DemandAlert.objects.select_for_update().get(pk=alert.pk)
        if alert.acknowledged_at is not None:
            return alert
        alert.acknowledged_at = timezone.now()
        alert.acknowledged_by = actor
        alert.save(update_fields=["acknowledged_at", "acknowledged_by"])
        record(
            actor=actor,
            action=AuditAction.UPDATED,
            target=alert,
            summary="Acknowledged a demand alert",
            detail={
                "day": alert.day.isoformat(),
                "service_id": alert.service_id,
                "ward_id": alert.ward_id,
                "observed": alert.observed,
            },
        )
    return alert


# Reads for the console.


def alerts_for(
    *,
    organisation: Organisation,
    service_id: int | None = None,
    ward_id: int | None = None,
    include_acknowledged: bool = False,
) -> QuerySet[DemandAlert]:
    """The council's alerts, newest day first and most unusual first within a day."""
    alerts = DemandAlert.objects.filter(organisation=organisation)
    if service_id is not None:
        alerts = alerts.filter(service_id=service_id)
    if ward_id is not None:
        alerts = alerts.filter(ward_id=ward_id)
    if not include_acknowledged:
        alerts = alerts.filter(acknowledged_at__isnull=True)
    return alerts.select_related("service", "ward", "acknowledged_by").order_by(
        "-day", "-score", "pk"
    )


def alert_for(*, organisation: Organisation, pk: int) -> DemandAlert:
    """One of the council's alerts, or a not-found (another council's is as absent)."""
    alert = (
        DemandAlert.objects.filter(organisation=organisation, pk=pk)
        .select_related("service__owning_team", "ward", "acknowledged_by")
        .first()
    )
    if alert is None:
        raise Http404("No such alert.")
    return alert


@dataclass(frozen=True)
class SeriesDay:
    day: datetime.date
    observed: int
    expected: float | None
    """The usual level as the detection saw it; None without enough history."""


def alert_history(*, alert: DemandAlert, weeks: int = CHART_WEEKS) -> list[SeriesDay]:
    """The alert's series over the `weeks` weeks up to its day, with the usual level each day."""
    first = alert.day - datetime.timedelta(days=7 * weeks - 1)
    counts = demand_series(
        organisation_id=alert.organisation_id,
        first=first - datetime.timedelta(days=HISTORY_DAYS),
        last=alert.day,
        service_id=alert.service_id,
        ward_id=alert.ward_id,
    ).get((alert.service_id, alert.ward_id), {})
    days = []
    for offset in range(7 * weeks):
        day = first + datetime.timedelta(days=offset)
        expectation = anomalies.expected_level(counts, on=day) if counts else None
        days.append(
            SeriesDay(
                day=day,
                observed=counts.get(day, 0),
                expected=expectation.level if expectation else None,
            )
        )
    return days


def contacts_behind(*, alert: DemandAlert) -> QuerySet[Contact]:
    """The contacts the alert counted: that day, service and customer's ward, no case raised."""
    start, end = rollups.day_bounds(alert.day)
    return (
        Contact.objects.filter(
            organisation_id=alert.organisation_id,
            started_at__gte=start,
            started_at__lt=end,
            service_id=alert.service_id,
            ward_id=alert.ward_id,
        )
        .exclude(outcome=Outcome.CASE_RAISED)
        .select_related("customer", "team")
        .order_by("started_at", "id")
    )


def cases_behind(*, alert: DemandAlert) -> QuerySet[Case]:
    """The cases the alert counted: opened that day about the service, located in the ward."""
    start, end = rollups.day_bounds(alert.day)
    return (
        Case.objects.filter(
            organisation_id=alert.organisation_id,
            opened_at__gte=start,
            opened_at__lt=end,
            service_id=alert.service_id,
            ward_id=alert.ward_id,
        )
        .select_related("customer", "team")
        .order_by("opened_at", "id")
    )
