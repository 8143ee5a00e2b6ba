"""Forecast contacts per half-hour for one channel, and measure how wrong the forecast is.

The method is deliberately simple, so a manager can follow it and it cannot go badly wrong:

1. History is counts per half-hour, keyed by the interval's start in local time (London).
   A half-hour's "slot" is its wall-clock position in the day (0 = 00:00, 19 = 09:30), so
   09:00 is the same slot in GMT and in BST. On the late-March Sunday the 01:00 and 01:30
   slots do not exist; on the late-October Sunday they happen twice, and each of the two
   intervals gets the slot's forecast.
2. Rollups store only half-hours that had contacts, so a missing half-hour inside opening hours
   is a zero. Outside opening hours (or on days the council is closed) a missing half-hour is
   unknown, not zero: it is left out rather than dragging the average down. Without a calendar
   every half-hour counts as open (a channel such as web forms that never closes).
3. The level of each (day type, slot) is the trimmed mean of that slot over the last
   `level_weeks` weeks: the highest and lowest weeks are dropped once there are five or more,
   so one storm or one outage does not move the forecast much.
4. Bank holidays (and the calendar's closure dates) are treated like a Sunday: their history
   feeds the Sunday level, and their forecast is Sunday's. Councils' phones are closed then, but
   online contact carries on at about a Sunday's rate.
5. With a year or more of history, each forecast day is multiplied by a seasonal factor: in each
   earlier year, the average daily demand in the three weeks around the same date, divided by
   the average in the weeks that matched the level window. Years are 364 days (52 weeks) so
   weekdays line up. With less history the factor is 1.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from civicdesk.core.calendar import (
    ENGLAND_AND_WALES,
    LONDON,
    WorkingCalendar,
    bank_holidays,
)

HALF_HOUR = timedelta(minutes=30)
YEAR = timedelta(days=364)
SUNDAY = 6
SEASON_HALF_WIDTH = timedelta(days=10)

History = Mapping[datetime, int] | Iterable[tuple[datetime, int]]


@dataclass(frozen=True)
class Interval:
    """The expected number of contacts in the half-hour starting at `start` (London time)."""

    start: datetime
    expected: float


@dataclass(frozen=True)
class Accuracy:
    """How far backtested forecasts were from what happened.

    `wape` is sum |forecast - actual| / sum actual and `mape` the mean of |forecast - actual| /
    actual, both over half-hours that had contacts (a percentage error of a zero is undefined).
    `bias` is (sum forecast - sum actual) / sum actual over every half-hour compared: positive
    means the forecast runs high. None when there was nothing to compare.
    """

    wape: float | None
    mape: float | None
    bias: float | None
    intervals: int
    folds: int


# --- time -----------------------------------------------------------------------------------


def _local(moment: datetime, timezone: ZoneInfo) -> datetime:
    """A history key in local time: naive keys are local wall-clock times (fold honoured)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone)
    return moment.astimezone(timezone)


def _instant(moment: datetime, timezone: ZoneInfo) -> datetime:
    """The UTC start of the half-hour holding `moment`.

    UK offsets are whole hours, so flooring in UTC is flooring on the local clock too.
    """
    utc = _local(moment, timezone).astimezone(UTC)
    return utc.replace(minute=utc.minute - utc.minute % 30, second=0, microsecond=0)


def _slot(local: datetime) -> int:
    return local.hour * 2 + local.minute // 30


def day_intervals(day: date, timezone: ZoneInfo = LONDON) -> list[datetime]:
    """Every half-hour start of a local day, in local time: 46, 48 or 50 of them.

    Steps are taken on UTC instants, so the skipped hour in March and the repeated hour in
    October come out right.
    """
    begin = datetime.combine(day, time(0), tzinfo=timezone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=timezone).astimezone(UTC)
    count = int((end - begin) / HALF_HOUR)
    return [(begin + n * HALF_HOUR).astimezone(timezone) for n in range(count)]


# --- calendar -------------------------------------------------------------------------------


def _is_holiday(day: date, calendar: WorkingCalendar | None) -> bool:
    """A bank holiday or closure on a day that would otherwise be open."""
    if calendar is None:
        return day in bank_holidays(day.year, ENGLAND_AND_WALES)
    return day.weekday() in calendar.opening_hours and not calendar.is_working_day(day)


def _day_type(day: date, calendar: WorkingCalendar | None) -> int:
    """The weekday whose pattern a day follows: bank holidays follow Sunday's."""
    return SUNDAY if _is_holiday(day, calendar) else day.weekday()


def _is_open(local: datetime, calendar: WorkingCalendar | None) -> bool:
    """Whether the half-hour starting at `local` overlaps the day's opening hours."""
    if calendar is None:
        return True
    start = local.time().replace(tzinfo=None)
    end = (datetime.combine(date.min, start) + HALF_HOUR).time()
    return any(
        start < closes and (end > opens or end == time(0))
        for opens, closes in calendar.hours_on(local.date())
    )


# --- history --------------------------------------------------------------------------------


def _items(history: History) -> Iterable[tuple[datetime, int]]:
    return history.items() if isinstance(history, Mapping) else history


def observations(
    history: History, calendar: WorkingCalendar | None = None
) -> dict[datetime, float]:
    """Known counts per half-hour (UTC start), with missing open half-hours filled with zero.

    The span runs from the first local day of the history to the end of the last one; pass
    whole days. Counts that share a half-hour are added together.
    """
    timezone = calendar.timezone if calendar else LONDON
    known: dict[datetime, float] = defaultdict(float)
    for moment, count in _items(history):
        if count < 0:
            raise ValueError("Contact counts cannot be negative.")
        known[_instant(moment, timezone)] += count
    if not known:
        return {}
    first = min(known).astimezone(timezone).date()
    last = max(known).astimezone(timezone).date()
    filled: dict[datetime, float] = {}
    day = first
    while day <= last:
        for local in day_intervals(day, timezone):
            utc = local.astimezone(UTC)
            if utc in known:
                filled[utc] = known[utc]
            elif _is_open(local, calendar):
                filled[utc] = 0.0
        day += timedelta(days=1)
    return filled


def _by_day_and_slot(
    observed: Mapping[datetime, float], timezone: ZoneInfo
) -> dict[date, dict[int, float]]:
    """Observations per local day and slot; October's repeated slots are averaged."""
    grouped: dict[date, dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
    for utc, count in observed.items():
        local = utc.astimezone(timezone)
        grouped[local.date()][_slot(local)].append(count)
    return {
        day: {slot: statistics.fmean(values) for slot, values in slots.items()}
        for day, slots in grouped.items()
    }


def trimmed_mean(values: list[float]) -> float:
    """The mean without the highest and lowest value once there are five or more."""
    if not values:
        return 0.0
    if len(values) >= 5:
        values = sorted(values)[1:-1]
    return statistics.fmean(values)


# --- the model ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Model:
    levels: dict[tuple[int, int], float]
    daily_totals: dict[date, float]
    window: tuple[date, date]
    first_day: date
    calendar: WorkingCalendar | None

    def level(self, day_type: int, slot: int) -> float:
        return self.levels.get((day_type, slot), 0.0)

    def seasonal_factor(self, day: date) -> float:
        """Last years' demand around `day` relative to their demand in the level window."""
        ratios = []
        years = 1
        while (base_start := self.window[0] - years * YEAR) >= self.first_day:
            base = self._mean_daily(base_start, self.window[1] - years * YEAR)
            target = self._mean_daily(
                day - years * YEAR - SEASON_HALF_WIDTH, day - years * YEAR + SEASON_HALF_WIDTH
            )
            if base and target is not None:
                ratios.append(target / base)
            years += 1
        return statistics.fmean(ratios) if ratios else 1.0

    def _mean_daily(self, first: date, last: date) -> float | None:
        """Average demand per ordinary (not bank holiday) day in a date range, if known."""
        totals = [
            total
            for day, total in self.daily_totals.items()
            if first <= day <= last and not _is_holiday(day, self.calendar)
        ]
        return statistics.fmean(totals) if totals else None


def _fit(
    observed: Mapping[datetime, float], calendar: WorkingCalendar | None, level_weeks: int
) -> _Model | None:
    if not observed:
        return None
    timezone = calendar.timezone if calendar else LONDON
    days = _by_day_and_slot(observed, timezone)
    last = max(days)
    window_start = last - timedelta(weeks=level_weeks) + timedelta(days=1)
    samples: dict[tuple[int, int], list[float]] = defaultdict(list)
    for day, slots in days.items():
        if day >= window_start:
            for slot, value in slots.items():
                samples[(_day_type(day, calendar), slot)].append(value)
    daily_totals: dict[date, float] = defaultdict(float)
    for utc, count in observed.items():
        daily_totals[utc.astimezone(timezone).date()] += count
    return _Model(
        levels={key: trimmed_mean(values) for key, values in samples.items()},
        daily_totals=dict(daily_totals),
        window=(max(window_start, min(days)), last),
        first_day=min(days),
        calendar=calendar,
    )


def _predict(
    model: _Model | None, start: date, days: int, calendar: WorkingCalendar | None
) -> list[Interval]:
    timezone = calendar.timezone if calendar else LONDON
    result = []
    for offset in range(days):
        day = start + timedelta(days=offset)
        factor = model.seasonal_factor(day) if model else 1.0
        day_type = _day_type(day, calendar)
        for local in day_intervals(day, timezone):
            level = model.level(day_type, _slot(local)) if model else 0.0
            result.append(Interval(start=local, expected=level * factor))
    return result


def forecast(
    history: History,
    start: date,
    weeks: int,
    *,
    calendar: WorkingCalendar | None = None,
    level_weeks: int = 6,
) -> list[Interval]:
    """Expected contacts for every half-hour of `weeks` weeks from `start` (a local date).

    Empty history forecasts zero everywhere, so a page can still draw its table.
    """
    if weeks < 0 or level_weeks < 1:
        raise ValueError("weeks must be zero or more and level_weeks at least 1.")
    model = _fit(observations(history, calendar), calendar, level_weeks)
    return _predict(model, start, weeks * 7, calendar)


def backtest(
    history: History,
    folds: int = 4,
    horizon_weeks: int = 1,
    *,
    calendar: WorkingCalendar | None = None,
    level_weeks: int = 6,
) -> Accuracy:
    """Forecast the last `folds` stretches of `horizon_weeks` from the history before each.

    Rolling origin: fold 1 forecasts the latest stretch from everything before it, fold 2 the
    stretch before that, and so on, so the error is what the forecast would really have scored.
    Half-hours whose actual is unknown (closed and missing) are not compared.
    """
    if folds < 1 or horizon_weeks < 1:
        raise ValueError("folds and horizon_weeks must be at least 1.")
    timezone = calendar.timezone if calendar else LONDON
    observed = observations(history, calendar)
    if not observed:
        return Accuracy(wape=None, mape=None, bias=None, intervals=0, folds=0)
    end = max(observed).astimezone(timezone).date() + timedelta(days=1)
    horizon = timedelta(weeks=horizon_weeks)
    pairs: list[tuple[float, float]] = []
    used = 0
    for fold in range(1, folds + 1):
        cutoff = end - fold * horizon
        cutoff_instant = datetime.combine(cutoff, time(0), tzinfo=timezone).astimezone(UTC)
        train = {utc: count for utc, count in observed.items() if utc < cutoff_instant}
        if not train:
            break
        model = _fit(train, calendar, level_weeks)
        for interval in _predict(model, cutoff, horizon_weeks * 7, calendar):
            actual = observed.get(interval.start.astimezone(UTC))
            if actual is not None:
                pairs.append((interval.expected, actual))
        used += 1
    return _accuracy(pairs, used)


def _accuracy(pairs: list[tuple[float, float]], folds: int) -> Accuracy:
    with_demand = [(f, a) for f, a in pairs if a > 0]
    total_actual = sum(a for _, a in pairs)
    demand_actual = sum(a for _, a in with_demand)
    return Accuracy(
        wape=sum(abs(f - a) for f, a in with_demand) / demand_actual if with_demand else None,
        mape=statistics.fmean(abs(f - a) / a for f, a in with_demand) if with_demand else None,
        bias=(sum(f for f, _ in pairs) - total_actual) / total_actual if total_actual else None,
        intervals=len(pairs),
        folds=folds,
    )


__all__ = [
    "Accuracy",
    "Interval",
    "backtest",
    "day_intervals",
    "forecast",
    "observations",
    "trimmed_mean",
]
