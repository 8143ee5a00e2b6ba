"""The working calendar: when a council is open, for SLA deadlines and clocks.

Opening hours are wall-clock times in the council's timezone, so "09:00" means nine in the
morning in London whether the clocks say GMT or BST. Working time is the real time that passes
inside those hours, so every sum and comparison is done on UTC instants: Python adds to, subtracts
and compares two datetimes with the same tzinfo by wall clock alone, which is an hour out across a
clock change.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from types import MappingProxyType
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")
ENGLAND_AND_WALES = "ENG"  # England and Wales share their bank holidays.

OpeningRange = tuple[time, time]


@functools.cache
def bank_holidays(year: int, region: str = ENGLAND_AND_WALES) -> frozenset[date]:
    """The UK bank holidays (with substitute days) of one year in one region, cached.

    `expand=False` keeps the lookup to the year asked for, so checking one date never quietly
    computes a second year.
    """
    return frozenset(
        holidays.country_holidays("GB", subdiv=region, years=year, expand=False).keys()
    )


def _require_aware(moment: datetime, name: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime.")


def _normalise_hours(
    opening_hours: Mapping[int, Iterable[OpeningRange]],
) -> Mapping[int, tuple[OpeningRange, ...]]:
    normalised: dict[int, tuple[OpeningRange, ...]] = {}
    for weekday, ranges in opening_hours.items():
        if weekday not in range(7):
            raise ValueError(f"Weekday {weekday!r} is not 0 (Monday) to 6 (Sunday).")
        day = tuple(sorted((opens, closes) for opens, closes in ranges))
        for opens, closes in day:
            if opens.tzinfo is not None or closes.tzinfo is not None:
                raise ValueError("Opening hours are local wall-clock times, without a timezone.")
            if opens >= closes:
                raise ValueError(f"Opening time {opens} is not before closing time {closes}.")
        for (_, earlier_close), (later_open, _) in pairwise(day):
            if later_open < earlier_close:
                raise ValueError(f"Opening hours overlap on weekday {weekday}.")
        if day:
            normalised[weekday] = day
    if not normalised:
        raise ValueError("A working calendar needs opening hours on at least one weekday.")
    return MappingProxyType(normalised)


@dataclass(frozen=True)
class WorkingCalendar:
    """Opening hours per weekday (0 = Monday), extra closure dates and bank holidays.

    A working day is a weekday with opening hours that is neither a bank holiday nor a closure
    date. A weekday may have several ranges, e.g. to close for lunch. Each range is an opening and
    a closing wall-clock time on the same day, so a range cannot run past midnight.
    """

    opening_hours: Mapping[int, Iterable[OpeningRange]]
    closure_dates: Collection[date] = frozenset()
    timezone: ZoneInfo = LONDON
    bank_holiday_region: str | None = ENGLAND_AND_WALES
    """A `holidays` subdivision of GB ("ENG", "WLS", "SCT", "NIR"), or None for none."""

    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        hours = _normalise_hours(self.opening_hours)
        closures = frozenset(self.closure_dates)
        object.__setattr__(self, "opening_hours", hours)
        object.__setattr__(self, "closure_dates", closures)
        key = (tuple(sorted(hours.items())), closures, self.timezone, self.bank_holiday_region)
        object.__setattr__(self, "_hash", hash(key))

    def __hash__(self) -> int:
        return self._hash

    def is_working_day(self, day: date) -> bool:
        """Whether the council is open at some point on this local date."""
        if isinstance(day, datetime):
            # A datetime's date may not be the local date; make the caller say which they mean.
            raise TypeError("Pass a date, e.g. moment.astimezone(calendar.timezone).date().")
        if day.weekday() not in self.opening_hours or day in self.closure_dates:
            return False
        region = self.bank_holiday_region
        return region is None or day not in bank_holidays(day.year, region)

    def hours_on(self, day: date) -> tuple[OpeningRange, ...]:
        """The opening ranges on a local date: empty when it is not a working day."""
        if not self.is_working_day(day):
            return ()
        return tuple(self.opening_hours[day.weekday()])

    def add_working_time(self, start: datetime, delta: timedelta) -> datetime:
        """The moment `delta` of working time after `start`, in the calendar's timezone.

        A start outside opening hours counts from the next opening, so even a zero delta
        moves such a start forward; the result is always within opening hours, and a result
        that lands exactly on closing time stays there rather than moving to the next morning.
        """
        _require_aware(start, "start")
        if delta < timedelta(0):
            raise ValueError("Working time to add cannot be negative.")
        cursor = start.astimezone(UTC)
        remaining = delta
        for opens, closes in self._intervals_from(start):
            if closes < cursor:
                continue
            begin = max(cursor, opens)
            available = closes - begin
            if remaining <= available:
                return (begin + remaining).astimezone(self.timezone)
            remaining -= available
        raise AssertionError("unreachable: working days never run out")  # pragma: no cover

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """The SLA deadline `days` working days after `start`: closing time on the last one.

        The day of `start` never counts, whatever the time: day 1 is the first working day after
        it. So 1 working day from any time on a Monday is Tuesday's close, and from a Saturday
        it is Monday's close. Zero days means the close of the current working day, or of the
        next one if today is not a working day or has already closed.
        """
        _require_aware(start, "start")
        if days < 0:
            raise ValueError("Working days to add cannot be negative.")
        day = start.astimezone(self.timezone).date()
        if days == 0:
            # Compared as UTC instants: two London datetimes compare by wall clock alone.
            begin = start.astimezone(UTC)
            while (close := self._close_of(day)) is None or close < begin:
                day += timedelta(days=1)
            return close.astimezone(self.timezone)
        counted = 0
        while counted < days:
            day += timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        close = self._close_of(day)
        assert close is not None
        return close.astimezone(self.timezone)

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """How much working time passes from `start` to `end`, e.g. while an SLA is paused."""
        _require_aware(start, "start")
        _require_aware(end, "end")
        if end < start:
            raise ValueError("The end is before the start.")
        begin, finish = start.astimezone(UTC), end.astimezone(UTC)
        total = timedelta(0)
        for opens, closes in self._intervals_from(start):
            if opens >= finish:
                break
            total += max(timedelta(0), min(closes, finish) - max(opens, begin))
        return total

    def _intervals_from(self, start: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Opening intervals as UTC instants, day by day from the local date of `start`."""
        day = start.astimezone(self.timezone).date()
        while True:
            for opens, closes in self.hours_on(day):
                yield self._instant(day, opens), self._instant(day, closes)
            day += timedelta(days=1)

    def _close_of(self, day: date) -> datetime | None:
        """Closing time on a local date as a UTC instant, or None if it is not a working day."""
        ranges = self.hours_on(day)
        return self._instant(day, ranges[-1][1]) if ranges else None

    def _instant(self, day: date, wall_clock: time) -> datetime:
        # A wall-clock time skipped in spring resolves with the winter offset (fold=0), which
        # is the hour after the change; an hour repeated in autumn resolves to its first pass.
        return datetime.combine(day, wall_clock, tzinfo=self.timezone).astimezone(UTC)
