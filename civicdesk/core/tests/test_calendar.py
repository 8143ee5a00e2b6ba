from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from civicdesk.core.calendar import LONDON, WorkingCalendar, bank_holidays

NINE_TO_FIVE = {day: [(time(9), time(17))] for day in range(5)}
HOUR = timedelta(hours=1)

# Few examples and no example database, so the suite stays fast and leaves no files behind.
quick = settings(max_examples=60, database=None, deadline=timedelta(seconds=1))


@pytest.fixture
def calendar() -> WorkingCalendar:
    return WorkingCalendar(NINE_TO_FIVE)


def london(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=LONDON)  # type: ignore[misc]


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


class TestWorkingDays:
    def test_weekdays_work_and_weekends_do_not(self, calendar):
        assert calendar.is_working_day(date(2026, 3, 6))  # Friday
        assert not calendar.is_working_day(date(2026, 3, 7))
        assert not calendar.is_working_day(date(2026, 3, 8))

    def test_easter_bank_holidays(self, calendar):
        assert not calendar.is_working_day(date(2026, 4, 3))  # Good Friday
        assert not calendar.is_working_day(date(2026, 4, 6))  # Easter Monday
        assert calendar.is_working_day(date(2026, 4, 7))

    def test_boxing_day_on_a_saturday_is_made_up_on_monday(self, calendar):
        assert not calendar.is_working_day(date(2026, 12, 25))
        assert not calendar.is_working_day(date(2026, 12, 28))
        assert calendar.is_working_day(date(2026, 12, 29))

    def test_christmas_on_a_weekend_moves_both_holidays(self, calendar):
        # 2027: Christmas Day is a Saturday and Boxing Day a Sunday.
        assert not calendar.is_working_day(date(2027, 12, 27))
        assert not calendar.is_working_day(date(2027, 12, 28))
        assert calendar.is_working_day(date(2027, 12, 29))

    def test_closure_dates(self):
        calendar = WorkingCalendar(NINE_TO_FIVE, closure_dates={date(2026, 12, 24)})
        assert not calendar.is_working_day(date(2026, 12, 24))
        assert calendar.is_working_day(date(2026, 12, 23))

    def test_bank_holidays_can_be_switched_off(self):
        calendar = WorkingCalendar(NINE_TO_FIVE, bank_holiday_region=None)
        assert calendar.is_working_day(date(2026, 4, 3))

    def test_bank_holidays_come_from_the_holidays_package(self):
        assert sorted(day for day in bank_holidays(2026) if day.weekday() < 5) == [
            date(2026, 1, 1),
            date(2026, 4, 3),
            date(2026, 4, 6),
            date(2026, 5, 4),
            date(2026, 5, 25),
            date(2026, 8, 31),
            date(2026, 12, 25),
            date(2026, 12, 28),
        ]

    def test_bank_holidays_are_computed_once_per_year_on_demand(self, calendar):
        bank_holidays.cache_clear()
        calendar.is_working_day(date(2031, 1, 2))
        calendar.is_working_day(date(2031, 6, 2))
        info = bank_holidays.cache_info()
        assert (info.currsize, info.misses, info.hits) == (1, 1, 1)

    def test_a_datetime_is_refused(self, calendar):
        with pytest.raises(TypeError):
            calendar.is_working_day(london(2026, 3, 6, 12))

    def test_hours_on(self, calendar):
        assert calendar.hours_on(date(2026, 3, 6)) == ((time(9), time(17)),)
        assert calendar.hours_on(date(2026, 4, 3)) == ()


class TestAddWorkingTime:
    def test_within_a_day(self, calendar):
        assert calendar.add_working_time(london(2026, 3, 2, 10), 3 * HOUR) == london(2026, 3, 2, 13)

    def test_over_a_weekend(self, calendar):
        result = calendar.add_working_time(london(2026, 3, 6, 16), 2 * HOUR)
        assert result == london(2026, 3, 9, 10)

    def test_over_easter(self, calendar):
        result = calendar.add_working_time(london(2026, 4, 2, 16), 2 * HOUR)
        assert result == london(2026, 4, 7, 10)

    def test_over_christmas_2027(self, calendar):
        result = calendar.add_working_time(london(2027, 12, 24, 16), 2 * HOUR)
        assert result == london(2027, 12, 29, 10)

    def test_over_a_closure_date(self):
        calendar = WorkingCalendar(NINE_TO_FIVE, closure_dates={date(2026, 12, 24)})
        result = calendar.add_working_time(london(2026, 12, 23, 16), 2 * HOUR)
        assert result == london(2026, 12, 29, 10)

    def test_start_before_opening(self, calendar):
        assert calendar.add_working_time(london(2026, 3, 2, 7, 30), HOUR) == london(2026, 3, 2, 10)

    def test_start_after_closing(self, calendar):
        assert calendar.add_working_time(london(2026, 3, 2, 18), HOUR) == london(2026, 3, 3, 10)

    def test_start_on_a_bank_holiday(self, calendar):
        assert calendar.add_working_time(london(2026, 4, 3, 10), HOUR) == london(2026, 4, 7, 10)

    def test_start_on_a_weekend(self, calendar):
        assert calendar.add_working_time(london(2026, 3, 7, 12), HOUR) == london(2026, 3, 9, 10)

    def test_zero_inside_hours_is_the_start(self, calendar):
        start = london(2026, 3, 2, 11, 15)
        assert calendar.add_working_time(start, timedelta(0)) == start

    def test_zero_outside_hours_is_the_next_opening(self, calendar):
        result = calendar.add_working_time(london(2026, 3, 6, 20), timedelta(0))
        assert result == london(2026, 3, 9, 9)

    def test_a_full_day_ends_at_closing_not_the_next_morning(self, calendar):
        result = calendar.add_working_time(london(2026, 3, 2, 9), 8 * HOUR)
        assert result == london(2026, 3, 2, 17)

    def test_lunchtime_closure(self):
        hours = {0: [(time(9), time(12, 30)), (time(13, 30), time(17))]}
        calendar = WorkingCalendar(hours)
        result = calendar.add_working_time(london(2026, 3, 2, 12), HOUR)
        assert result == london(2026, 3, 2, 14)

    def test_result_is_in_the_calendar_timezone(self, calendar):
        result = calendar.add_working_time(utc(2026, 7, 1, 9), HOUR)
        assert result.tzinfo == LONDON
        assert result == london(2026, 7, 1, 11)

    def test_spring_clock_change(self, calendar):
        # Friday 09:00 GMT; the clocks go forward on Sunday 29 March 2026.
        result = calendar.add_working_time(utc(2026, 3, 27, 9), 16 * HOUR)
        assert result == utc(2026, 3, 30, 16)  # Monday 17:00 BST
        assert result.utcoffset() == HOUR

    def test_autumn_clock_change(self, calendar):
        # Friday 09:00 BST; the clocks go back on Sunday 25 October 2026.
        result = calendar.add_working_time(utc(2026, 10, 23, 8), 16 * HOUR)
        assert result == utc(2026, 10, 26, 17)  # Monday 17:00 GMT
        assert result.utcoffset() == timedelta(0)

    @time_machine.travel(utc(2026, 3, 27, 15), tick=False)
    def test_from_now_on_the_friday_before_the_clocks_change(self, calendar):
        # 15:00 GMT: two hours left on Friday, then two on Monday morning in BST.
        result = calendar.add_working_time(timezone.now(), 4 * HOUR)
        assert result == london(2026, 3, 30, 11)
        assert result == utc(2026, 3, 30, 10)

    def test_naive_start_is_refused(self, calendar):
        with pytest.raises(ValueError, match="timezone-aware"):
            calendar.add_working_time(datetime(2026, 3, 2, 10), HOUR)

    def test_negative_time_is_refused(self, calendar):
        with pytest.raises(ValueError, match="negative"):
            calendar.add_working_time(london(2026, 3, 2, 10), -HOUR)


class TestAddWorkingDays:
    def test_any_time_on_monday_gives_tuesdays_close(self, calendar):
        for hour in (0, 8, 12, 23):
            assert calendar.add_working_days(london(2026, 3, 2, hour), 1) == london(2026, 3, 3, 17)

    def test_a_weekend_start_counts_from_monday(self, calendar):
        assert calendar.add_working_days(london(2026, 3, 7, 12), 1) == london(2026, 3, 9, 17)

    def test_ten_days_over_easter(self, calendar):
        # From Wednesday 1 April 2026; Good Friday and Easter Monday do not count.
        assert calendar.add_working_days(london(2026, 4, 1, 10), 10) == london(2026, 4, 17, 17)

    def test_boxing_day_substitute(self, calendar):
        assert calendar.add_working_days(london(2026, 12, 24, 10), 1) == london(2026, 12, 29, 17)

    def test_christmas_2027(self, calendar):
        assert calendar.add_working_days(london(2027, 12, 23, 10), 2) == london(2027, 12, 29, 17)

    def test_thirty_days(self, calendar):
        # 2 January 2026 onwards: six weeks of weekdays, no bank holidays in between.
        assert calendar.add_working_days(london(2026, 1, 2, 10), 30) == london(2026, 2, 13, 17)

    def test_zero_days_is_todays_close(self, calendar):
        assert calendar.add_working_days(london(2026, 3, 2, 10), 0) == london(2026, 3, 2, 17)

    def test_zero_days_after_closing_is_the_next_close(self, calendar):
        assert calendar.add_working_days(london(2026, 3, 6, 18), 0) == london(2026, 3, 9, 17)

    def test_across_the_spring_clock_change(self, calendar):
        result = calendar.add_working_days(utc(2026, 3, 27, 10), 1)
        assert result == utc(2026, 3, 30, 16)

    def test_closing_time_is_that_of_the_last_range(self):
        calendar = WorkingCalendar({0: [(time(9), time(12)), (time(13), time(16, 30))]})
        assert calendar.add_working_days(london(2026, 3, 1, 9), 1) == london(2026, 3, 2, 16, 30)

    @time_machine.travel(utc(2026, 12, 24, 11), tick=False)
    def test_from_now_on_christmas_eve(self, calendar):
        # Day 1 is Tuesday 29 December; New Year's Day does not count.
        assert calendar.add_working_days(timezone.now(), 5) == london(2027, 1, 5, 17)

    def test_naive_and_negative_are_refused(self, calendar):
        with pytest.raises(ValueError):
            calendar.add_working_days(datetime(2026, 3, 2), 1)
        with pytest.raises(ValueError):
            calendar.add_working_days(london(2026, 3, 2), -1)


class TestWorkingTimeBetween:
    def test_over_a_weekend(self, calendar):
        elapsed = calendar.working_time_between(london(2026, 3, 6, 15), london(2026, 3, 9, 10))
        assert elapsed == 3 * HOUR

    def test_outside_hours_is_nothing(self, calendar):
        elapsed = calendar.working_time_between(london(2026, 3, 27, 17), london(2026, 3, 30, 9))
        assert elapsed == timedelta(0)

    def test_a_year(self, calendar):
        # 261 weekdays in 2026, 8 of them bank holidays.
        elapsed = calendar.working_time_between(london(2026, 1, 1), london(2027, 1, 1))
        assert elapsed == 253 * 8 * HOUR

    def test_real_time_is_counted_when_hours_span_a_clock_change(self):
        calendar = WorkingCalendar({6: [(time(0), time(4))]})
        day = timedelta(days=1)
        spring, autumn = london(2026, 3, 29), london(2026, 10, 25)
        assert calendar.working_time_between(spring, spring + day) == 3 * HOUR
        assert calendar.working_time_between(autumn, autumn + day) == 5 * HOUR

    def test_end_before_start_is_refused(self, calendar):
        with pytest.raises(ValueError):
            calendar.working_time_between(london(2026, 3, 3), london(2026, 3, 2))

    def test_naive_is_refused(self, calendar):
        with pytest.raises(ValueError):
            calendar.working_time_between(london(2026, 3, 3), datetime(2026, 3, 4))


class TestConfiguration:
    @pytest.mark.parametrize(
        "hours",
        [
            {},
            {0: []},
            {7: [(time(9), time(17))]},
            {0: [(time(17), time(9))]},
            {0: [(time(9), time(13)), (time(12), time(17))]},
        ],
    )
    def test_bad_opening_hours_are_refused(self, hours):
        with pytest.raises(ValueError):
            WorkingCalendar(hours)

    def test_equal_calendars_compare_and_hash_equal(self):
        first = WorkingCalendar(NINE_TO_FIVE, closure_dates=[date(2026, 12, 24)])
        second = WorkingCalendar(dict(NINE_TO_FIVE), closure_dates={date(2026, 12, 24)})
        assert first == second
        assert hash(first) == hash(second)


# Property tests, on an ordinary calendar and on awkward ones: a lunchtime closure and Saturday
# mornings, and a night service whose hours contain the clock changes.
WITH_LUNCH = [(time(8, 30), time(12, 30)), (time(13, 15), time(17, 45))]
CALENDARS = [
    WorkingCalendar(NINE_TO_FIVE, closure_dates={date(2026, 12, 24)}),
    WorkingCalendar({**dict.fromkeys(range(5), WITH_LUNCH), 5: [(time(9), time(12))]}),
    WorkingCalendar({6: [(time(0), time(4)), (time(22), time(23, 30))], 0: [(time(0), time(3))]}),
]
calendars = st.sampled_from(CALENDARS)
starts = st.datetimes(
    min_value=datetime(2025, 12, 1), max_value=datetime(2028, 1, 31), timezones=st.just(LONDON)
)
deltas = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=20))


# Python compares two datetimes with the same tzinfo by wall clock, which is wrong inside the
# repeated hour in October, so the properties compare UTC instants.
def instant(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def inside_opening_hours(calendar: WorkingCalendar, moment: datetime) -> bool:
    day = moment.astimezone(calendar.timezone).date()
    return any(
        instant(datetime.combine(day, opens, tzinfo=calendar.timezone))
        <= instant(moment)
        <= instant(datetime.combine(day, closes, tzinfo=calendar.timezone))
        for opens, closes in calendar.hours_on(day)
    )


@quick
@given(calendars, starts, deltas, deltas)
def test_more_time_never_gives_an_earlier_result(calendar, start, first, second):
    shorter, longer = sorted([first, second])
    earlier = calendar.add_working_time(start, shorter)
    assert instant(earlier) <= instant(calendar.add_working_time(start, longer))


@quick
@given(calendars, starts, starts, deltas)
def test_a_later_start_never_gives_an_earlier_result(calendar, first, second, delta):
    earlier, later = sorted([first, second], key=instant)
    first_result = calendar.add_working_time(earlier, delta)
    assert instant(first_result) <= instant(calendar.add_working_time(later, delta))


@quick
@given(calendars, starts, deltas)
def test_the_result_is_within_opening_hours(calendar, start, delta):
    result = calendar.add_working_time(start, delta)
    assert instant(result) >= instant(start)
    assert inside_opening_hours(calendar, result)
    if delta == timedelta(0) and inside_opening_hours(calendar, start):
        assert instant(result) == instant(start)


@quick
@given(calendars, starts, deltas)
def test_working_time_between_undoes_add_working_time(calendar, start, delta):
    assert calendar.working_time_between(start, calendar.add_working_time(start, delta)) == delta


@quick
@given(calendars, starts, deltas, deltas)
def test_adding_in_two_steps_is_adding_once(calendar, start, first, second):
    in_two = calendar.add_working_time(calendar.add_working_time(start, first), second)
    assert instant(in_two) == instant(calendar.add_working_time(start, first + second))


@quick
@given(calendars, starts, st.integers(min_value=0, max_value=30))
def test_working_day_deadlines_are_closing_times_on_working_days(calendar, start, days):
    deadline = calendar.add_working_days(start, days)
    local_day = deadline.astimezone(calendar.timezone).date()
    assert instant(deadline) >= instant(start)
    assert calendar.is_working_day(local_day)
    closes = calendar.hours_on(local_day)[-1][1]
    expected = datetime.combine(local_day, closes, tzinfo=calendar.timezone)
    assert instant(deadline) == instant(expected)
