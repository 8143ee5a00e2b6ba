"""The half-hourly forecast on synthetic series whose true pattern we know."""

import itertools
import math
import random
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta

import pytest

from civicdesk.core.calendar import LONDON, WorkingCalendar, bank_holidays
from civicdesk.insight.forecasting import (
    Interval,
    backtest,
    day_intervals,
    forecast,
    observations,
    trimmed_mean,
)

WEEKDAY_SHAPE = [1.3, 1.1, 1.0, 1.0, 0.9, 0.35, 0.2]  # Monday busiest, Sunday quietest.


def _profile(slot: int) -> float:
    """A day that builds to a late-morning peak: 1.0 at 11:00, a low trickle at night."""
    return 0.05 + 0.95 * math.exp(-(((slot - 22) / 7) ** 2))


def _season(day: date) -> float:
    """Busiest in mid-January (council tax bills, bins after Christmas), quietest in July."""
    return 1 + 0.3 * math.cos(2 * math.pi * (day.timetuple().tm_yday - 15) / 365.25)


def _truth(local: datetime, peak: float, seasonal: bool) -> float:
    day = local.date()
    weekday = 6 if day in bank_holidays(day.year) else day.weekday()
    slot = local.hour * 2 + local.minute // 30
    return peak * WEEKDAY_SHAPE[weekday] * _profile(slot) * (_season(day) if seasonal else 1)


def _synthetic(
    first: date, last: date, *, peak: float = 80, seasonal: bool = True, seed: int = 6
) -> dict[datetime, int]:
    """Counts with Poisson-like noise (normal approximation) around the true pattern."""
    rng = random.Random(seed)
    history = {}
    day = first
    while day <= last:
        for local in day_intervals(day):
            mean = _truth(local, peak, seasonal)
            count = max(0, round(rng.gauss(mean, math.sqrt(mean))))
            if count:  # Rollups store only half-hours with contacts.
                history[local] = count
        day += timedelta(days=1)
    return history


def _wape(pairs: list[tuple[float, float]]) -> float:
    return sum(abs(f - a) for f, a in pairs) / sum(a for _, a in pairs)


def test_recovers_weekly_daily_and_seasonal_pattern() -> None:
    """Two years of history; four weeks ahead within 8% WAPE of the noise-free truth.

    The level window (mid-January to February) is 20% busier than March by the seasonal curve,
    so this only passes if the seasonal factor works: without it the error is well over 10%.
    """
    history = _synthetic(date(2024, 2, 26), date(2026, 3, 1))
    result = forecast(history, date(2026, 3, 2), 4)
    assert len(result) == 28 * 48 - 2  # The clocks go forward on Sunday 29 March.
    pairs = [(i.expected, _truth(i.start, 80, True)) for i in result]
    assert _wape(pairs) < 0.08
    monday = sum(i.expected for i in result if i.start.date() == date(2026, 3, 9))
    sunday = sum(i.expected for i in result if i.start.date() == date(2026, 3, 8))
    assert monday / sunday == pytest.approx(1.3 / 0.2, rel=0.15)

    flat_season = forecast(
        {k: v for k, v in history.items() if k.date() >= date(2025, 12, 1)}, date(2026, 3, 2), 4
    )
    without_season = [(i.expected, _truth(i.start, 80, True)) for i in flat_season]
    assert _wape(without_season) > 0.10


def test_flat_series_forecasts_flat() -> None:
    history = {}
    day = date(2025, 9, 1)
    while day < date(2025, 11, 10):  # Includes the October clock change, both 01:00s.
        for local in day_intervals(day):
            history[local] = 10
        day += timedelta(days=1)
    result = forecast(history, date(2025, 11, 10), 3)
    assert len(result) == 21 * 48
    assert {i.expected for i in result} == {10}


def test_bank_holiday_is_forecast_like_a_sunday() -> None:
    """Easter Monday 2026 (6 April) gets Sunday's pattern, the Tuesday after a Tuesday's."""
    history = {}
    day = date(2026, 2, 2)
    while day < date(2026, 3, 30):
        for local in day_intervals(day):
            history[local] = 2 if day.weekday() == 6 else 20
        day += timedelta(days=1)
    result = forecast(history, date(2026, 3, 30), 2)
    by_day = {i.start.date(): i.expected for i in result}
    assert by_day[date(2026, 4, 6)] == pytest.approx(2)
    assert by_day[date(2026, 4, 3)] == pytest.approx(2)  # Good Friday.
    assert by_day[date(2026, 4, 7)] == pytest.approx(20)
    assert by_day[date(2026, 4, 2)] == pytest.approx(20)


def test_opening_hours_fill_missing_with_zero_only_when_open() -> None:
    """Inside opening hours a missing half-hour is zero; outside it is unknown, not zero."""
    calendar = WorkingCalendar(opening_hours={d: [(time(9), time(17))] for d in range(5)})
    mondays = [date(2026, 1, 5) + timedelta(weeks=n) for n in range(6)]
    history = {datetime.combine(date(2026, 2, 15), time(12)): 1}  # Ends the span on a Sunday.
    for n, monday in enumerate(mondays):
        if n % 2 == 0:  # Every other Monday only.
            history[datetime.combine(monday, time(10))] = 12
            history[datetime.combine(monday, time(20))] = 5
    filled = observations(history, calendar)
    ten = datetime.combine(mondays[1], time(10), tzinfo=LONDON).astimezone(UTC)
    eight_pm = datetime.combine(mondays[1], time(20), tzinfo=LONDON).astimezone(UTC)
    assert filled[ten] == 0
    assert eight_pm not in filled

    result = forecast(history, date(2026, 2, 16), 1, calendar=calendar)
    by_start = {i.start.replace(tzinfo=None): i.expected for i in result}
    assert by_start[datetime(2026, 2, 16, 10)] == pytest.approx(6)  # Trimmed [0,0,0,12,12,12].
    assert by_start[datetime(2026, 2, 16, 20)] == pytest.approx(5)
    assert by_start[datetime(2026, 2, 16, 11)] == 0


def test_calendar_bank_holiday_follows_a_closed_sunday() -> None:
    calendar = WorkingCalendar(opening_hours={d: [(time(9), time(17))] for d in range(5)})
    history = {}
    day = date(2026, 3, 30)
    while day < date(2026, 5, 4):
        for local in day_intervals(day):
            if calendar.is_working_day(day) and time(9) <= local.time() < time(17):
                history[local] = 12
        day += timedelta(days=1)
    result = forecast(history, date(2026, 5, 4), 1, calendar=calendar)  # Early May bank holiday.
    may_day = [i.expected for i in result if i.start.date() == date(2026, 5, 4)]
    tuesday = [i.expected for i in result if i.start.date() == date(2026, 5, 5)]
    assert sum(may_day) == 0
    assert sum(tuesday) == pytest.approx(12 * 16)


@pytest.mark.parametrize(
    ("day", "count", "repeated"),
    [(date(2026, 3, 29), 46, False), (date(2026, 10, 25), 50, True)],
)
def test_clock_change_days(day: date, count: int, repeated: bool) -> None:
    history = {
        local: 7 for offset in range(1, 43) for local in day_intervals(day - timedelta(days=offset))
    }
    result = [i for i in forecast(history, day - timedelta(days=6), 1) if i.start.date() == day]
    assert len(result) == count
    instants = [i.start.astimezone(UTC) for i in result]
    assert all(b - a == timedelta(minutes=30) for a, b in itertools.pairwise(instants))
    wall_clock = Counter(i.start.time() for i in result)
    assert (wall_clock[time(1)] == 2) is repeated
    assert (time(1, 30) in wall_clock) is repeated
    assert {i.expected for i in result} == {7}


def test_naive_and_aware_history_agree() -> None:
    history = _synthetic(date(2026, 1, 5), date(2026, 3, 1), seasonal=False, seed=3)
    naive = {k.replace(tzinfo=None, fold=k.fold): v for k, v in history.items()}
    pairs = list(history.items())
    expected = forecast(history, date(2026, 3, 2), 1)
    assert forecast(naive, date(2026, 3, 2), 1) == expected
    assert forecast(pairs, date(2026, 3, 2), 1) == expected


def test_empty_history() -> None:
    result = forecast({}, date(2026, 6, 1), 1)
    assert len(result) == 7 * 48
    assert all(isinstance(i, Interval) and i.expected == 0 for i in result)
    accuracy = backtest({})
    assert (accuracy.wape, accuracy.mape, accuracy.bias, accuracy.folds) == (None, None, None, 0)


def test_backtest_reports_small_error_on_the_synthetic_series() -> None:
    """Rolling-origin backtest, 4 folds of 1 week: WAPE under 17%, within 3 points of the noise.

    The noise alone (actuals against the true means over the same weeks) scores about 14%, so
    the forecast adds little error of its own.
    """
    history = _synthetic(date(2024, 1, 1), date(2025, 11, 2))
    accuracy = backtest(history, folds=4, horizon_weeks=1)
    assert accuracy.folds == 4
    assert accuracy.intervals == 4 * 7 * 48 + 2  # The October clock change adds two.
    tested = [
        (_truth(utc.astimezone(LONDON), 80, True), actual)
        for utc, actual in observations(history).items()
        if utc.astimezone(LONDON).date() >= date(2025, 10, 6)
    ]
    noise = _wape(tested)
    assert accuracy.wape is not None and accuracy.wape < min(0.17, noise + 0.03)
    assert accuracy.mape is not None and accuracy.mape < 0.45
    assert accuracy.bias is not None and abs(accuracy.bias) < 0.05


def test_refuses_negative_counts_and_weeks() -> None:
    with pytest.raises(ValueError):
        forecast({datetime(2026, 1, 5, 9): -1}, date(2026, 1, 12), 1)
    with pytest.raises(ValueError):
        forecast({}, date(2026, 1, 12), -1)
    with pytest.raises(ValueError):
        backtest({}, folds=0)


def test_trimmed_mean() -> None:
    assert trimmed_mean([]) == 0
    assert trimmed_mean([1, 2, 3]) == 2
    assert trimmed_mean([100, 1, 2, 3, 0]) == 2
