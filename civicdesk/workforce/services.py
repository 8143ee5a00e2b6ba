"""Every write for workforce planning: staffing standards, the rota and the stored forecast."""

from __future__ import annotations

import logging
import time as clock
from datetime import UTC, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone as django_timezone

from civicdesk.core.audit import record
from civicdesk.core.calendar import LONDON
from civicdesk.core.models import AuditAction
from civicdesk.insight.forecasting import backtest, forecast
from civicdesk.organisations.models import Organisation
from civicdesk.workforce import selectors
from civicdesk.workforce.models import ForecastRun, ForecastSlot, RotaShift, StaffingStandard

logger = logging.getLogger(__name__)

HISTORY_WEEKS = 106  # two years and a little: enough for last year's season around any date
BACKTEST_FOLDS = 4
LEVEL_WEEKS = 6
_UNSET: Any = object()


# --- staffing standards ---------------------------------------------------------------------


@transaction.atomic
def set_staffing_standard(
    *,
    actor: Any,
    organisation: Organisation,
    channel: str,
    target_share: float = 0.80,
    target_seconds: int = 20,
    shrinkage: float = 0.30,
    max_occupancy: float = 0.85,
    handling_seconds: int | None = None,
) -> StaffingStandard:
    """Create or change the service level a channel is staffed for."""
    standard = StaffingStandard.objects.filter(
        organisation=organisation, channel=channel
    ).first() or StaffingStandard(organisation=organisation, channel=channel)
    created = standard.pk is None
    standard.target_share = target_share
    standard.target_seconds = target_seconds
    standard.shrinkage = shrinkage
    standard.max_occupancy = max_occupancy
    standard.handling_seconds = handling_seconds
    standard.full_clean()
    standard.save()
    record(
        actor=actor,
        action=AuditAction.CREATED if created else AuditAction.UPDATED,
        target=standard,
        summary=f"Staffing standard for {standard.get_channel_display()} set",
        detail={
            "target_share": target_share,
            "target_seconds": target_seconds,
            "shrinkage": shrinkage,
            "max_occupancy": max_occupancy,
            "handling_seconds": handling_seconds,
        },
    )
    return standard


# --- the rota -------------------------------------------------------------------------------


def _shift_detail(shift: RotaShift) -> dict[str, Any]:
    return {
        "channel": shift.channel,
        "weekday": shift.weekday,
        "starts": shift.starts.isoformat("minutes"),
        "ends": shift.ends.isoformat("minutes"),
        "agents": shift.agents,
        "name": shift.name,
    }


@transaction.atomic
def add_shift(
    *,
    actor: Any,
    organisation: Organisation,
    channel: str,
    weekday: int,
    starts: time,
    ends: time,
    agents: int,
    name: str = "",
) -> RotaShift:
    """Put a weekly shift on the rota."""
    shift = RotaShift(
        organisation=organisation,
        channel=channel,
        weekday=weekday,
        starts=starts,
        ends=ends,
        agents=agents,
        name=name,
    )
    shift.full_clean()
    shift.save()
    record(
        actor=actor,
        action=AuditAction.CREATED,
        target=shift,
        summary=f"Shift {shift} added to the {shift.get_channel_display()} rota",
        detail=_shift_detail(shift),
    )
    return shift


@transaction.atomic
def change_shift(
    *,
    actor: Any,
    shift: RotaShift,
    weekday: int = _UNSET,
    starts: time = _UNSET,
    ends: time = _UNSET,
    agents: int = _UNSET,
    name: str = _UNSET,
) -> RotaShift:
    """Change a shift's day, times, agents or name; what is not given stays as it is."""
    changes = {
        field: value
        for field, value in {
            "weekday": weekday,
            "starts": starts,
            "ends": ends,
            "agents": agents,
            "name": name,
        }.items()
        if value is not _UNSET
    }
    for field, value in changes.items():
        setattr(shift, field, value)
    shift.full_clean()
    if changes:
        shift.save(update_fields=list(changes))
    record(
        actor=actor,
        action=AuditAction.UPDATED,
        target=shift,
        summary=f"Shift {shift} changed",
        detail=_shift_detail(shift),
    )
    return shift


@transaction.atomic
def remove_shift(*, actor: Any, shift: RotaShift) -> None:
    """Take a shift off the rota (the audit log keeps what it was)."""
    record(
        actor=actor,
        action=AuditAction.UPDATED,
        target=shift,
        summary=f"Shift {shift} removed from the rota",
        detail={**_shift_detail(shift), "removed": True},
    )
    shift.delete()


# --- the forecast ---------------------------------------------------------------------------


def make_forecast(
    *,
    organisation: Organisation,
    channel: str,
    weeks: int = 6,
    now: datetime | None = None,
    actor: Any = None,
) -> ForecastRun:
    """Forecast `weeks` weeks of half-hours from today (local) on a channel, from the last two
    years of whole days of ContactSlot history, backtest the method on the last four weeks, and
    replace the channel's stored forecast in one transaction."""
    now = now or django_timezone.now()
    calendar = selectors.calendar_or_none(organisation)
    zone = calendar.timezone if calendar else LONDON
    today = now.astimezone(zone).date()
    started = clock.perf_counter()
    since = selectors.local_midnight(today - timedelta(weeks=HISTORY_WEEKS), zone)
    until = selectors.local_midnight(today, zone)
    history = list(
        selectors.slot_history(organisation=organisation, channel=channel, since=since, until=until)
    )
    intervals = forecast(history, today, weeks, calendar=calendar, level_weeks=LEVEL_WEEKS)
    accuracy = backtest(history, BACKTEST_FOLDS, 1, calendar=calendar, level_weeks=LEVEL_WEEKS)
    slots = [
        ForecastSlot(
            organisation=organisation,
            channel=channel,
            starts_at=interval.start.astimezone(UTC),
            contacts=round(interval.expected, 4),
            made_at=now,
        )
        for interval in intervals
    ]
    with transaction.atomic():
        ForecastSlot.objects.filter(organisation=organisation, channel=channel).delete()
        ForecastSlot.objects.bulk_create(slots, batch_size=1000)
        run, created = ForecastRun.objects.update_or_create(
            organisation=organisation,
            channel=channel,
            defaults={
                "made_at": now,
                "history_from": history[0][0].astimezone(zone).date() if history else None,
                "history_to": history[-1][0].astimezone(zone).date() if history else None,
                "horizon_from": today,
                "horizon_weeks": weeks,
                "wape": accuracy.wape,
                "mape": accuracy.mape,
                "bias": accuracy.bias,
                "folds": accuracy.folds,
                "seconds": round(clock.perf_counter() - started, 3),
            },
        )
        record(
            actor=actor,
            action=AuditAction.CREATED if created else AuditAction.UPDATED,
            target=run,
            summary=f"{run.get_channel_display()} forecast made for {weeks} weeks",
            detail={"history_rows": len(history), "wape": accuracy.wape, "bias": accuracy.bias},
        )
    logger.info(
        "Forecast for %s %s: %s half-hours of history, %.2fs",
        organisation.slug,
        channel,
        len(history),
        run.seconds,
    )
    return run


def make_all_forecasts(*, now: datetime | None = None, weeks: int = 6) -> list[ForecastRun]:
    """A forecast for every channel of every council that has a staffing standard."""
    return [
        make_forecast(
            organisation=standard.organisation, channel=standard.channel, weeks=weeks, now=now
        )
        for standard in StaffingStandard.objects.select_related("organisation").order_by(
            "organisation_id", "channel"
        )
    ]
