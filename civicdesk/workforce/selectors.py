"""Reads for workforce planning: contact history, the stored forecast and the staffing plan.

The caller applies the access policy (the console lets managers and administrators read it) and
passes the organisation. Nothing here reads more than one channel's half-hours for a few weeks,
except `slot_history`, which is what the forecast is made from.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Sum

from civicdesk.core.calendar import LONDON, WorkingCalendar, bank_holidays
from civicdesk.insight import erlang
from civicdesk.insight.forecasting import day_intervals
from civicdesk.insight.models import ContactSlot
from civicdesk.organisations.models import Organisation
from civicdesk.organisations.selectors import calendar_for
from civicdesk.workforce.models import ForecastRun, ForecastSlot, RotaShift, StaffingStandard

INTERVAL_SECONDS = 30 * 60
AHT_WEEKS = 8
# When a channel has no standard AHT and nothing handled to measure: a common phone figure.
ASSUMED_HANDLING_SECONDS = 300


def local_midnight(day: date, timezone=LONDON) -> datetime:
    """The UTC instant a local day starts."""
    return datetime.combine(day, time(0), tzinfo=timezone).astimezone(UTC)


def calendar_or_none(organisation: Organisation) -> WorkingCalendar | None:
    """The council's calendar, or None (open every half-hour) when its hours cannot be read."""
    try:
        return calendar_for(organisation)
    except ValueError:
        return None


def slot_history(
    *, organisation: Organisation, channel: str, since: datetime, until: datetime
) -> Iterator[tuple[datetime, int]]:
    """Contacts per half-hour (UTC start, count) on a channel from `since` up to `until`."""
    return (
        ContactSlot.objects.filter(
            organisation=organisation,
            channel=channel,
            starts_at__gte=since,
            starts_at__lt=until,
        )
        .order_by("starts_at")
        .values_list("starts_at", "contacts")
        .iterator(chunk_size=5000)
    )


@dataclass(frozen=True)
class HandlingTime:
    seconds: float
    source: str  # "standard", "measured" or "assumed"


def handling_time(
    *, organisation: Organisation, channel: str, standard: StaffingStandard | None, now: datetime
) -> HandlingTime:
    """The AHT the plan uses: the standard's, else the last 8 weeks' measured average."""
    if standard is not None and standard.handling_seconds:
        return HandlingTime(float(standard.handling_seconds), "standard")
    totals = ContactSlot.objects.filter(
        organisation=organisation,
        channel=channel,
        starts_at__gte=now - timedelta(weeks=AHT_WEEKS),
        starts_at__lt=now,
    ).aggregate(contacts=Sum("contacts"), seconds=Sum("handled_seconds"))
    if totals["contacts"] and totals["seconds"]:
        return HandlingTime(totals["seconds"] / totals["contacts"], "measured")
    return HandlingTime(float(ASSUMED_HANDLING_SECONDS), "assumed")


def standard_for(*, organisation: Organisation, channel: str) -> StaffingStandard | None:
    return StaffingStandard.objects.filter(organisation=organisation, channel=channel).first()


def latest_run(*, organisation: Organisation, channel: str) -> ForecastRun | None:
    return ForecastRun.objects.filter(organisation=organisation, channel=channel).first()


def planned_channels(*, organisation: Organisation) -> list[str]:
    """Channels with a standard, a rota or a forecast, in the order the choices list them."""
    found = set(
        StaffingStandard.objects.filter(organisation=organisation).values_list("channel", flat=True)
    )
    found.update(
        RotaShift.objects.filter(organisation=organisation).values_list("channel", flat=True)
    )
    found.update(
        ForecastRun.objects.filter(organisation=organisation).values_list("channel", flat=True)
    )
    return sorted(found, key=["phone", "face_to_face"].index)


def rota_by_weekday(*, organisation: Organisation, channel: str) -> dict[int, list[RotaShift]]:
    shifts: dict[int, list[RotaShift]] = defaultdict(list)
    for shift in RotaShift.objects.filter(organisation=organisation, channel=channel):
        shifts[shift.weekday].append(shift)
    return shifts


def rostered_at(shifts: list[RotaShift], moment: time) -> int:
    """Agents rostered in the half-hour starting at `moment`: every shift covering it counts."""
    return sum(shift.agents for shift in shifts if shift.covers(moment))


def week_start(day: date) -> date:
    """The Monday of the week holding `day`."""
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class PlanRow:
    starts_at: datetime  # local time
    forecast: float | None  # None: the forecast does not cover this half-hour
    handling_seconds: float
    agents_on_phones: int | None
    agents_needed: int | None  # to roster, shrinkage included
    rostered: int
    service_level: float | None  # with the rostered agents; None without contacts expected

    @property
    def gap(self) -> int | None:
        """Rostered minus needed: negative is a shortfall."""
        return None if self.agents_needed is None else self.rostered - self.agents_needed

    @property
    def service_level_percent(self) -> float | None:
        return None if self.service_level is None else self.service_level * 100

    @property
    def shortfall(self) -> int:
        return max(0, -(self.gap or 0))

    @property
    def short(self) -> bool:
        return self.gap is not None and self.gap < 0

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=30)


@dataclass(frozen=True)
class DayPlan:
    day: date
    rows: list[PlanRow]
    closed: bool  # a bank holiday or closure date: the rota does not apply

    @property
    def forecast_total(self) -> float:
        return sum(row.forecast or 0.0 for row in self.rows)

    @property
    def short_rows(self) -> int:
        return sum(1 for row in self.rows if row.short)

    @property
    def peak_needed(self) -> int:
        return max((row.agents_needed or 0 for row in self.rows), default=0)

    @property
    def peak_rostered(self) -> int:
        return max((row.rostered for row in self.rows), default=0)


@dataclass(frozen=True)
class StaffingPlan:
    channel: str
    week: date
    days: list[DayPlan]
    standard: StaffingStandard
    handling: HandlingTime
    run: ForecastRun | None
    has_forecast: bool  # some half-hour of the week is forecast

    def day(self, day: date) -> DayPlan | None:
        return next((plan for plan in self.days if plan.day == day), None)


def _rostered_ignores(day: date, calendar: WorkingCalendar | None) -> bool:
    """Bank holidays and closure dates: the council is shut, whatever the weekly rota says."""
    if calendar is None:
        return day in bank_holidays(day.year)
    region = calendar.bank_holiday_region
    return day in calendar.closure_dates or (
        region is not None and day in bank_holidays(day.year, region)
    )


def plan_row(
    *,
    starts_at: datetime,
    forecast: float | None,
    handling_seconds: float,
    rostered: int,
    standard: StaffingStandard,
) -> PlanRow:
    """One half-hour of the plan, worked out with Erlang C from the standard."""
    if forecast is None:
        return PlanRow(starts_at, None, handling_seconds, None, None, rostered, None)
    staffing = erlang.agents_required(
        forecast,
        handling_seconds,
        INTERVAL_SECONDS,
        standard.target_share,
        standard.target_seconds,
        shrinkage=standard.shrinkage,
        max_occupancy=standard.max_occupancy,
    )
    level = None
    if forecast > 0:
        # Of the rostered agents, shrinkage leaves this many on the phones (whole people).
        on_phones = math.floor(round(rostered * (1.0 - standard.shrinkage), 9))
        level = erlang.service_level(
            forecast, handling_seconds, INTERVAL_SECONDS, on_phones, standard.target_seconds
        )
    return PlanRow(
        starts_at=starts_at,
        forecast=forecast,
        handling_seconds=handling_seconds,
        agents_on_phones=staffing.agents,
        agents_needed=staffing.rostered,
        rostered=rostered,
        service_level=level,
    )


def staffing_plan(
    *, organisation: Organisation, channel: str, week: date, now: datetime | None = None
) -> StaffingPlan | None:
    """Per half-hour of each day of the week starting on Monday `week`: forecast contacts, the
    AHT, agents needed on the phones and to roster, agents rostered, the gap and the service
    level the rostered agents would give. Closed half-hours (nothing forecast, nobody rostered)
    are left out. None when the channel has no staffing standard."""
    standard = standard_for(organisation=organisation, channel=channel)
    if standard is None:
        return None
    calendar = calendar_or_none(organisation)
    timezone = calendar.timezone if calendar else LONDON
    begin = local_midnight(week, timezone)
    end = local_midnight(week + timedelta(days=7), timezone)
    forecasts = dict(
        ForecastSlot.objects.filter(
            organisation=organisation, channel=channel, starts_at__gte=begin, starts_at__lt=end
        ).values_list("starts_at", "contacts")
    )
    run = latest_run(organisation=organisation, channel=channel)
    handling = handling_time(
        organisation=organisation,
        channel=channel,
        standard=standard,
        now=run.made_at if run else (now or datetime.now(UTC)),
    )
    rota = rota_by_weekday(organisation=organisation, channel=channel)
    days = []
    for offset in range(7):
        day = week + timedelta(days=offset)
        closed = _rostered_ignores(day, calendar)
        shifts = [] if closed else rota.get(day.weekday(), [])
        rows = []
        for local in day_intervals(day, timezone):
            expected = forecasts.get(local.astimezone(UTC))
            rostered = rostered_at(shifts, local.time())
            if not expected and rostered == 0:
                continue  # closed: nothing expected and nobody there
            rows.append(
                plan_row(
                    starts_at=local,
                    forecast=expected,
                    handling_seconds=handling.seconds,
                    rostered=rostered,
                    standard=standard,
                )
            )
        days.append(DayPlan(day=day, rows=rows, closed=closed))
    return StaffingPlan(
        channel=channel,
        week=week,
        days=days,
        standard=standard,
        handling=handling,
        run=run,
        has_forecast=bool(forecasts),
    )
