"""Properties of pausing SLA clocks, over many random pause sequences.

Whatever the sequence: the working time counted as paused is the sum of the pauses' working
time; a due time never moves earlier; and, while every pause starts before the target is
missed, the target ends up exactly that much working time later than it started.
"""

import datetime

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from civicdesk.cases import clock, services
from civicdesk.cases.models import CaseStatus
from civicdesk.core.calendar import WorkingCalendar
from civicdesk.organisations.models import default_opening_hours
from civicdesk.organisations.selectors import calendar_for, parse_opening_hours

from .support import london, reload

CALENDAR_HOURS = parse_opening_hours(default_opening_hours())

# Any minute of 2026 (weekends, nights, bank holidays and both clock changes included).
moments = st.integers(min_value=0, max_value=364 * 24 * 60).map(
    lambda minutes: london(2026, 1, 1) + datetime.timedelta(minutes=minutes)
)
pauses = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=4 * 24 * 60),  # running time before the pause
        st.integers(min_value=1, max_value=5 * 24 * 60),  # length of the pause
    ),
    max_size=6,
)


def _calendar() -> WorkingCalendar:
    """The default organisation's calendar: Monday to Friday, 09:00 to 17:00."""
    return WorkingCalendar(CALENDAR_HOURS)


@given(opened=moments, days=st.integers(min_value=1, max_value=20), sequence=pauses)
@settings(max_examples=300, deadline=None)
def test_moving_a_target_by_pauses(opened, days, sequence):
    calendar = _calendar()
    original = due = calendar.add_working_days(opened, days)
    moment = opened
    paused_in_time = datetime.timedelta(0)
    missed_before_a_pause = False
    for running, length in sequence:
        paused_at = moment + datetime.timedelta(minutes=running)
        resumed_at = paused_at + datetime.timedelta(minutes=length)
        paused = calendar.working_time_between(paused_at, resumed_at)
        moved = clock.moved_by_pause(calendar, due, paused_at, resumed_at)
        assert moved >= due
        if due > paused_at:
            assert calendar.working_time_between(due, moved) == paused
            paused_in_time += paused
        else:
            assert moved == due  # missed before the pause: stays missed
            missed_before_a_pause = True
        due, moment = moved, resumed_at
    if not missed_before_a_pause:
        assert due == calendar.add_working_time(original, paused_in_time)


@given(
    start=moments,
    end_after=st.integers(min_value=0, max_value=30 * 24 * 60),
    split=st.floats(min_value=0, max_value=1),
)
@settings(max_examples=200, deadline=None)
def test_working_time_adds_up(start, end_after, split):
    """Working time over a stretch is the sum over its parts: pauses can be counted piecemeal."""
    calendar = _calendar()
    end = start + datetime.timedelta(minutes=end_after)
    middle = start + datetime.timedelta(minutes=int(end_after * split))
    whole = calendar.working_time_between(start, end)
    assert whole == calendar.working_time_between(start, middle) + calendar.working_time_between(
        middle, end
    )


@given(opened=moments, promised=st.integers(min_value=1, max_value=60))
@settings(max_examples=200, deadline=None)
def test_the_warning_comes_before_the_due_time(opened, promised):
    calendar = _calendar()
    due = calendar.add_working_time(opened, datetime.timedelta(hours=promised))
    warn = clock.warning_point(calendar, opened, due)
    assert opened <= warn <= due
    allowed = calendar.working_time_between(opened, due)
    assert calendar.working_time_between(opened, warn) == allowed * clock.WARNING_SHARE


# The same through the services, with the database and frozen time.

service_pauses = st.lists(
    st.tuples(
        st.integers(min_value=1, max_value=3 * 24 * 60),
        st.integers(min_value=1, max_value=4 * 24 * 60),
    ),
    min_size=1,
    max_size=4,
)


@pytest.mark.django_db
@given(sequence=service_pauses)
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
def test_pausing_through_the_services(raise_, service, clock, council, sequence):
    service.sla_value = 30  # far enough ahead that no pause starts after the target
    service.save()
    calendar = calendar_for(council)
    with transaction.atomic():
        start = clock(2026, 3, 2, 10)
        case = services.change_status(actor=None, case=raise_(), status=CaseStatus.IN_PROGRESS)
        original = reload(case)
        moment = start
        total = datetime.timedelta(0)
        due, warn = original.resolution_due_at, original.resolution_warn_at
        for running, length in sequence:
            moment = clock.at(moment + datetime.timedelta(minutes=running))
            services.change_status(actor=None, case=case, status=CaseStatus.WAITING_CUSTOMER)
            paused_at = moment
            moment = clock.at(moment + datetime.timedelta(minutes=length))
            services.change_status(actor=None, case=case, status=CaseStatus.IN_PROGRESS)
            total += calendar.working_time_between(paused_at, moment)
            stored = reload(case)
            assert stored.resolution_due_at >= due
            assert stored.resolution_warn_at >= warn
            due, warn = stored.resolution_due_at, stored.resolution_warn_at
        assert stored.paused_working_seconds == total.total_seconds()
        assert stored.resolution_due_at == calendar.add_working_time(
            original.resolution_due_at, total
        )
        transaction.set_rollback(True)
