"""Unusual-demand detection on seeded synthetic demand: spikes found, seasons left alone.

The synthetic council has five services with their own seasons (missed bins after Christmas,
gritting in January, council tax bills in March, noise in summer, fly-tipping flat) in ten
wards from busy (about 60 a day) to very quiet (about 0.3 a day), with a weekday pattern,
Sunday-like bank holidays, Poisson noise and a little extra day-to-day scatter, over two years.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from datetime import date, timedelta
from functools import cache

from hypothesis import given, settings
from hypothesis import strategies as st

from civicdesk.insight.anomalies import (
    Alert,
    detect,
    detect_range,
    expected_level,
    is_bank_holiday,
)

START = date(2023, 7, 3)  # a Monday
END = date(2025, 6, 29)  # two years later, a Sunday
SECOND_YEAR = date(2024, 7, 1)  # from here a year of history exists
WEEKDAY_SHAPE = (1.3, 1.1, 1.0, 1.0, 0.9, 0.4, 0.3)
BANK_HOLIDAY_SHAPE = 0.3  # closed, like a Sunday
WARD_LEVELS = (60.0, 40.0, 25.0, 15.0, 10.0, 6.0, 3.0, 2.0, 1.0, 0.3)


def _bump(day: date, month: int, mday: int, width_days: float) -> float:
    """A smooth yearly peak centred on a date: 1 at the centre, tailing off either side."""
    centre = date(day.year, month, mday)
    distance = min(abs((day - centre.replace(year=y)).days) for y in (day.year - 1, day.year))
    distance = min(distance, abs((day - date(day.year + 1, month, mday)).days))
    return math.exp(-((distance / width_days) ** 2) / 2)


SEASONS: dict[str, Callable[[date], float]] = {
    "missed-bins": lambda d: 1 + 1.5 * _bump(d, 1, 2, 7),
    "gritting": lambda d: 0.3 + 2.5 * _bump(d, 1, 15, 14),
    "council-tax": lambda d: 1 + 1.0 * _bump(d, 3, 20, 10),
    "noise": lambda d: 1 + 0.6 * _bump(d, 7, 20, 30),
    "fly-tipping": lambda d: 1.0,
}


def _poisson(rng: random.Random, rate: float) -> int:
    """A Poisson draw: Knuth's method for small rates, normal approximation above 30."""
    if rate > 30:
        return max(0, round(rng.gauss(rate, math.sqrt(rate))))
    limit, k, product = math.exp(-rate), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def _mean(service: str, ward_level: float, day: date) -> float:
    shape = BANK_HOLIDAY_SHAPE if is_bank_holiday(day) else WEEKDAY_SHAPE[day.weekday()]
    return ward_level * shape * SEASONS[service](day)


@cache
def synthetic() -> dict[tuple[str, int], dict[date, int]]:
    """The seeded clean series: (service, ward number) -> every day's count."""
    rng = random.Random(20261123)
    data: dict[tuple[str, int], dict[date, int]] = {}
    for service in SEASONS:
        for ward, level in enumerate(WARD_LEVELS, start=1):
            counts: dict[date, int] = {}
            day = START
            while day <= END:
                scatter = rng.gammavariate(100, 1 / 100)  # about 10% day-to-day scatter
                counts[day] = _poisson(rng, _mean(service, level, day) * scatter)
                day += timedelta(days=1)
            data[(service, ward)] = counts
    return data


def _all_days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


@cache
def clean_alerts() -> tuple[Alert, ...]:
    first_judged = START + timedelta(weeks=8)
    return tuple(detect_range(synthetic(), start=first_judged, end=END))


@cache
def spiked() -> tuple[dict[tuple[str, int], dict[date, int]], dict[tuple, str]]:
    """The same data with spikes injected in the second year: (data, {(key, day): kind})."""
    rng = random.Random(6)
    data = {key: dict(counts) for key, counts in synthetic().items()}
    injected: dict[tuple, str] = {}
    days = _all_days(SECOND_YEAR, END)
    busy = [key for key in data if key[1] <= 3]
    quiet = [key for key in data if key[1] in (7, 8, 9)]
    plan = [("busy x2", busy), ("busy x3", busy), ("busy x5", busy)]
    plan += [("quiet +10", quiet), ("quiet +25", quiet)]
    for kind, keys in plan:
        for key in keys:
            for _ in range(3):
                day = rng.choice(days)
                if (key, day) in injected:
                    continue
                usual = _mean(key[0], WARD_LEVELS[key[1] - 1], day)
                if kind.startswith("busy"):
                    extra = round(usual * (int(kind[-1]) - 1))
                else:
                    extra = int(kind.split("+")[1])
                data[key][day] += extra
                injected[(key, day)] = kind
    return data, injected


def _band(kind: str, usual: float) -> str:
    if kind.startswith("quiet"):
        return kind
    return f"{kind}, usual {'40+' if usual >= 40 else '15-40' if usual >= 15 else 'under 15'}"


@cache
def spike_results() -> tuple[dict[str, tuple[int, int]], tuple[Alert, ...]]:
    """({kind and usual level: (found, injected)}, alerts on days without a spike)."""
    data, injected = spiked()
    alerts = detect_range(data, start=SECOND_YEAR, end=END)
    found = {(alert.key, alert.day) for alert in alerts}
    results: dict[str, tuple[int, int]] = {}
    for (key, day), kind in injected.items():
        band = _band(kind, _mean(key[0], WARD_LEVELS[key[1] - 1], day))
        hits, total = results.get(band, (0, 0))
        results[band] = (hits + ((key, day) in found), total + 1)
    extra = tuple(alert for alert in alerts if (alert.key, alert.day) not in injected)
    return dict(sorted(results.items())), extra


def test_injected_spikes_are_found():
    results, _ = spike_results()
    recall = {band: hits / total for band, (hits, total) in results.items()}
    # Measured on this seed (METHOD.md has the table). A doubling is only news where the usual
    # level is high enough for it to stand out from chance; tripling is found from about 15 a
    # day, and 25 extra contacts in a ward that gets one or two a day always.
    assert recall["busy x2, usual 40+"] >= 0.6, results
    assert recall["busy x3, usual 40+"] == 1.0, results
    assert recall["busy x3, usual 15-40"] >= 0.9, results
    assert recall["busy x5, usual 40+"] == 1.0, results
    assert recall["busy x5, usual 15-40"] == 1.0, results
    assert recall["busy x5, usual under 15"] >= 0.8, results
    assert recall["quiet +25"] == 1.0, results
    assert recall["quiet +10"] >= 0.7, results


def test_spikes_do_not_set_off_alerts_on_other_days():
    _, extra = spike_results()
    series_days = len(synthetic()) * len(_all_days(SECOND_YEAR, END))
    assert len(extra) / series_days < 0.001, extra[:5]


def test_normal_seasons_and_weekdays_raise_almost_no_alerts():
    alerts = clean_alerts()
    second_year = [alert for alert in alerts if alert.day >= SECOND_YEAR]
    series_days = len(synthetic()) * len(_all_days(SECOND_YEAR, END))
    # With a year of history the winter peaks are expected: the bound in METHOD.md is 0.5%.
    assert len(second_year) / series_days < 0.001, second_year[:5]
    # In the first year the season is not known yet, so the winter and council tax peaks are
    # news the first time round (a limit stated in METHOD.md); the weekday pattern and bank
    # holidays raise nothing in the other months.
    first_year = [alert for alert in alerts if alert.day < SECOND_YEAR]
    assert {alert.day.month for alert in first_year} <= {12, 1, 3}, first_year[:5]
    assert {alert.key[0] for alert in first_year} <= {"gritting", "missed-bins", "council-tax"}


def test_the_winter_peak_is_expected_once_a_year_of_history_exists():
    counts = synthetic()[("missed-bins", 1)]
    peak = date(2025, 1, 2)
    expectation = expected_level(counts, on=peak)
    assert expectation is not None
    assert expectation.seasonal_factor > 1.8
    assert abs(expectation.level - counts[peak]) < 0.3 * counts[peak]
    assert detect({"bins": counts}, on=peak) == []


def test_small_absolute_changes_in_a_quiet_series_do_not_alarm():
    quiet = {date(2025, 1, 6) + timedelta(days=i): 0 for i in range(70)}
    day = date(2025, 3, 17)
    for observed in (3, 4, 5):
        assert detect({"quiet": quiet | {day: observed}}, on=day, min_count=0) == [], observed
    ones = {d: 1 if d.weekday() == 0 else 0 for d in quiet}
    assert detect({"quiet": ones | {day: 5}}, on=day) == []
    twos = {d: 2 for d in quiet}
    [alert] = detect({"quiet": twos | {day: 25}}, on=day)
    assert alert.observed == 25
    assert alert.expected == 2.0
    assert alert.reason == "12.5 times the usual for a Monday in March"
    assert alert.probability < 1e-4


def test_a_spike_on_a_bank_holiday_is_compared_with_sundays():
    easter_monday = date(2025, 4, 21)
    assert is_bank_holiday(easter_monday)
    counts = {
        d: (4 if d.weekday() == 6 else 40)
        for d in _all_days(date(2025, 1, 6), date(2025, 4, 20))
        if not is_bank_holiday(d)
    }
    expectation = expected_level(counts | {easter_monday: 5}, on=easter_monday)
    assert expectation is not None
    assert expectation.bank_holiday
    assert expectation.compared_with == 6
    assert expectation.level == 4.0
    assert detect({"s": counts | {easter_monday: 5}}, on=easter_monday) == []
    [alert] = detect({"s": counts | {easter_monday: 30}}, on=easter_monday)
    assert alert.reason == "7.5 times the usual for a bank holiday in April"
    # An ordinary Monday's baseline leaves the bank holiday out.
    after = expected_level(counts | {easter_monday: 30}, on=date(2025, 4, 28))
    assert after is not None
    assert 30 not in after.samples
    assert after.level == 40.0


def test_a_new_series_is_not_judged_until_it_has_enough_weeks():
    begins = date(2025, 3, 3)
    counts = {d: 20 for d in _all_days(begins, date(2025, 5, 31))}
    for weeks in range(4):
        day = begins + timedelta(weeks=weeks, days=2)
        assert expected_level(counts, on=day) is None
        assert detect({"new": counts | {day: 500}}, on=day) == []
    day = begins + timedelta(weeks=4, days=2)
    assert [a.key for a in detect({"new": counts | {day: 500}}, on=day)] == ["new"]


def test_alerts_are_sorted_by_score_and_deterministic():
    quiet_days = _all_days(date(2025, 1, 6), date(2025, 3, 16))
    series = {
        "a": {d: 10 for d in quiet_days} | {date(2025, 3, 17): 40},
        "b": {d: 10 for d in quiet_days} | {date(2025, 3, 17): 80},
        "c": {d: 10 for d in quiet_days} | {date(2025, 3, 18): 60},
    }
    alerts = detect_range(series, start=date(2025, 3, 17), end=date(2025, 3, 18))
    assert [a.score for a in alerts] == sorted((a.score for a in alerts), reverse=True)
    assert [a.key for a in alerts] == ["b", "c", "a"]
    assert alerts == detect_range(series, start=date(2025, 3, 17), end=date(2025, 3, 18))


def test_an_earlier_spike_does_not_raise_the_usual_level():
    days = _all_days(date(2025, 1, 6), date(2025, 3, 16))
    counts = {d: 20 for d in days} | {date(2025, 2, 17): 200, date(2025, 3, 3): 150}
    expectation = expected_level(counts, on=date(2025, 3, 17))
    assert expectation is not None
    assert expectation.samples == (20, 150, 20, 200, 20, 20, 20, 20)
    assert expectation.level == 20.0
    assert [
        a.observed for a in detect({"s": counts | {date(2025, 3, 17): 60}}, on=date(2025, 3, 17))
    ] == [60]


def test_nothing_to_judge():
    assert detect({}, on=date(2025, 1, 1)) == []
    assert detect({"empty": {}}, on=date(2025, 1, 1)) == []
    assert expected_level({}, on=date(2025, 1, 1)) is None


_counts = st.dictionaries(
    st.dates(min_value=date(2023, 1, 1), max_value=date(2025, 6, 30)),
    st.one_of(st.integers(0, 3), st.integers(0, 10**12)),
    max_size=120,
)


@settings(max_examples=60, deadline=None)
@given(
    series=st.dictionaries(st.sampled_from("abc"), _counts, max_size=3),
    on=st.dates(min_value=date(2023, 1, 1), max_value=date(2025, 7, 31)),
    lookback_weeks=st.integers(1, 12),
    observed=st.one_of(st.integers(0, 10), st.integers(0, 10**15)),
)
def test_detect_never_raises(series, on, lookback_weeks, observed):
    if series:
        first = sorted(series)[0]
        series = series | {first: series[first] | {on: observed}}
    alerts = detect(series, on=on, lookback_weeks=lookback_weeks)
    for alert in alerts:
        assert math.isfinite(alert.score)
        assert 0.0 <= alert.probability <= 1.0
        assert alert.reason
