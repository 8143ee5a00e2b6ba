"""SLA clock arithmetic on a case, kept apart from the database so it can be tested on its own.

A clock runs on the organisation's working calendar. While a case is in a pausing or stopping
status the clock does not run: when it runs again, every target still ahead of the pause moves
later by exactly the working time the case spent paused. Targets already missed stay missed.
"""

import datetime
from dataclasses import dataclass

from civicdesk.catalogue.models import SlaUnit
from civicdesk.catalogue.selectors import SlaPromise
from civicdesk.core.calendar import WorkingCalendar

WARNING_SHARE = 0.75  # the team leader hears when three quarters of the target has gone


def due_after(
    calendar: WorkingCalendar, start: datetime.datetime, promise: SlaPromise | None
) -> datetime.datetime | None:
    if promise is None:
        return None
    if promise.unit == SlaUnit.WORKING_HOURS:
        return calendar.add_working_time(start, datetime.timedelta(hours=promise.value))
    return calendar.add_working_days(start, promise.value)


def warning_point(
    calendar: WorkingCalendar, start: datetime.datetime, due: datetime.datetime | None
) -> datetime.datetime | None:
    """The moment WARNING_SHARE of the working time between start and due has passed."""
    if due is None:
        return None
    if due <= start:
        return due
    allowed = calendar.working_time_between(start, due)
    return calendar.add_working_time(start, allowed * WARNING_SHARE)


@dataclass(frozen=True)
class Clocks:
    first_response_due_at: datetime.datetime | None
    resolution_due_at: datetime.datetime | None
    resolution_warn_at: datetime.datetime | None


def start(
    calendar: WorkingCalendar,
    opened_at: datetime.datetime,
    first_response: SlaPromise | None,
    resolution: SlaPromise | None,
    paused_working_time: datetime.timedelta = datetime.timedelta(0),
) -> Clocks:
    """The due times for a case opened at `opened_at` that has already been paused for
    `paused_working_time` (non-zero when a priority change recomputes the targets)."""

    def shifted(moment: datetime.datetime | None) -> datetime.datetime | None:
        if moment is None or not paused_working_time:
            return moment
        return calendar.add_working_time(moment, paused_working_time)

    resolution_due = due_after(calendar, opened_at, resolution)
    return Clocks(
        first_response_due_at=shifted(due_after(calendar, opened_at, first_response)),
        resolution_due_at=shifted(resolution_due),
        resolution_warn_at=shifted(warning_point(calendar, opened_at, resolution_due)),
    )


def moved_by_pause(
    calendar: WorkingCalendar,
    due: datetime.datetime | None,
    paused_at: datetime.datetime,
    resumed_at: datetime.datetime,
) -> datetime.datetime | None:
    """A target after a pause: the working time that was left at the pause, counted again from
    the moment the clock runs again. A target missed before the pause does not move."""
    if due is None or due <= paused_at:
        return due
    left = calendar.working_time_between(paused_at, due)
    return calendar.add_working_time(resumed_at, left)
