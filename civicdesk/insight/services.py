"""Keeping the rollups up to date: marking days stale as the raw records change, refreshing them
in the background, and rebuilding everything from scratch."""

import datetime
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F, Max, Min
from django.utils import timezone

from civicdesk.cases.models import Case
from civicdesk.contacts.models import Contact
from civicdesk.insight import rollups
from civicdesk.insight.models import (
    BacklogDay,
    CaseDay,
    CaseDaySummary,
    CaseMonth,
    CaseMonthSummary,
    ContactDay,
    ContactDaySummary,
    ContactHour,
    ContactMonth,
    ContactMonthSummary,
    ContactSlot,
    RollupState,
    StaleDay,
)
from civicdesk.organisations.models import Organisation

logger = logging.getLogger(__name__)


def mark_stale(*, organisation_id: int, moments: Iterable[datetime.datetime | None]) -> None:
    """Mark the local days of these moments for recomputation (in the caller's transaction, so
    a rolled-back change leaves no mark and a committed one always has one)."""
    for day in {rollups.local_day(moment) for moment in moments if moment is not None}:
        updated = StaleDay.objects.filter(organisation_id=organisation_id, day=day).update(
            version=F("version") + 1
        )
        if not updated:
            try:
                with transaction.atomic():
                    StaleDay.objects.create(organisation_id=organisation_id, day=day)
            except IntegrityError:  # marked meanwhile by another transaction
                StaleDay.objects.filter(organisation_id=organisation_id, day=day).update(
                    version=F("version") + 1
                )


@dataclass
class Refreshed:
    days: int
    backlog_days: int
    seconds: float


def refresh(*, organisation: Organisation, now: datetime.datetime | None = None) -> Refreshed:
    """Recompute the stale days, then take the backlog for every day since it was last taken at
    a day's end, and for today so far."""
    started = time.perf_counter()
    now = now or timezone.now()
    done = 0
    for stale in list(StaleDay.objects.filter(organisation=organisation).order_by("day")):
        rollups.recompute_days(organisation.pk, stale.day, stale.day)
        StaleDay.objects.filter(pk=stale.pk, version=stale.version).delete()
        done += 1
    today = rollups.local_day(now)
    state, _created = RollupState.objects.get_or_create(organisation=organisation)
    if not state.summarised:
        _summarise(organisation)
        RollupState.objects.filter(pk=state.pk).update(summarised=True)
    first = (
        state.backlog_through + datetime.timedelta(days=1)
        if state.backlog_through
        else today - datetime.timedelta(days=1)
    )
    backlog_days = 0
    day = first
    while day <= today:
        rollups.take_backlog(organisation.pk, day, now)
        backlog_days += 1
        day += datetime.timedelta(days=1)
    RollupState.objects.filter(pk=state.pk).update(
        backlog_through=today - datetime.timedelta(days=1)
    )
    return Refreshed(days=done, backlog_days=backlog_days, seconds=time.perf_counter() - started)


def _summarise(organisation: Organisation) -> None:
    """Derive the summaries of every day that has rollups, a month at a time (the rollups of a
    council upgraded from before the summaries existed)."""
    span = [
        model.objects.filter(organisation=organisation).aggregate(first=Min("day"), last=Max("day"))
        for model in (ContactDay, CaseDay)
    ]
    firsts = [s["first"] for s in span if s["first"]]
    if not firsts:
        return
    day, last = min(firsts), max(s["last"] for s in span if s["last"])
    while day <= last:
        until = min(rollups.month_end(day), last)
        rollups.summarise_days(organisation.pk, day, until)
        day = until + datetime.timedelta(days=1)


@dataclass
class Rebuilt:
    days: int
    backlog_rows: int
    seconds: float


def rebuild(
    *,
    organisation: Organisation,
    now: datetime.datetime | None = None,
    progress: Callable[[datetime.date], None] | None = None,
) -> Rebuilt:
    """Throw the rollups away and make them again from every contact and case."""
    started = time.perf_counter()
    now = now or timezone.now()
    today = rollups.local_day(now)
    for model in (
        ContactHour, ContactDay, ContactMonth, ContactDaySummary, ContactMonthSummary,
        ContactSlot, CaseDay, CaseMonth, CaseDaySummary, CaseMonthSummary, BacklogDay,
    ):  # fmt: skip
        model.objects.filter(organisation=organisation).delete()
    StaleDay.objects.filter(organisation=organisation).delete()
    span = [
        Contact.objects.filter(organisation=organisation).aggregate(
            first=Min("started_at"), last=Max("started_at")
        ),
        Case.objects.filter(organisation=organisation).aggregate(
            first=Min("opened_at"), last=Max("resolved_at")
        ),
    ]
    firsts = [rollups.local_day(s["first"]) for s in span if s["first"]]
    if not firsts:
        RollupState.objects.update_or_create(
            organisation=organisation, defaults={"backlog_through": today, "summarised": True}
        )
        return Rebuilt(days=0, backlog_rows=0, seconds=time.perf_counter() - started)
    first = min(firsts)
    last = max([today, *(rollups.local_day(s["last"]) for s in span if s["last"])])
    day = first
    days = 0
    while day <= last:  # a month at a time
        until = min(rollups.month_end(day), last)
        days += rollups.recompute_days(organisation.pk, day, until)
        if progress:
            progress(until)
        day = until + datetime.timedelta(days=1)
    yesterday = today - datetime.timedelta(days=1)
    backlog_rows = rollups.reconstruct_backlog(organisation.pk, first, yesterday)
    backlog_rows += rollups.take_backlog(organisation.pk, today, now)
    RollupState.objects.update_or_create(
        organisation=organisation, defaults={"backlog_through": yesterday, "summarised": True}
    )
    return Rebuilt(days=days, backlog_rows=backlog_rows, seconds=time.perf_counter() - started)
