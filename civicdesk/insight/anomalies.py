"""Unusual demand: days when a series (a service in a ward) gets far more contacts than usual.

"Usual" means the level expected for that weekday and that time of year, estimated from the
series' own history, so a busy Monday or the missed-bin peak after Christmas is not news but a
Tuesday with three times the usual reports of fly-tipping in one ward is.

The method, in short (METHOD.md in this folder explains it for a performance officer):

1. Baseline: the mean of the same weekday over the previous `lookback_weeks` weeks, leaving
   out days far from the rest (at most a quarter of them), so one or two earlier spikes do not
   raise the bar. Bank holidays are compared with Sundays, because councils are closed and
   demand looks like a Sunday's, and they are left out of every weekday's baseline.
2. Season: when a year of history exists, each baseline day is weighed by how busy last year
   was in the fortnight around it, against the fortnight around this date (a ratio estimate),
   so a peak building up or fading inside the baseline weeks is allowed for. Recent weeks say
   how busy the series is now; last year says how the season moves.
3. Test: the observed count is compared with the expected level twice, with a Poisson tail
   probability (right for small counts: 0 -> 3 is chance, 2 -> 25 is not) and with a z-score
   whose spread allows for the series' own extra scatter (estimated robustly from week-to-week
   changes), the uncertainty of the estimate and a 10% allowance for the model being imperfect.
   The weaker of the two is the score, so both must agree before anyone is alerted.

Pure Python on plain mappings, so the rollups, the alerts page and the tests can all use it.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import NormalDist

from django.utils.dates import MONTHS, WEEKDAYS
from django.utils.translation import gettext as _

from civicdesk.core.calendar import bank_holidays

Counts = Mapping[date, int]

DEFAULT_LOOKBACK_WEEKS = 8
DEFAULT_MIN_COUNT = 5
"""Below this many contacts in a day nothing is alerted, whatever the history says."""
DEFAULT_THRESHOLD = 4.0
"""Score (a one-sided z-score) to alert at: about 3 chances in 100,000 under normal demand."""
MIN_HISTORY_WEEKS = 4
"""Comparable days needed before a series is judged at all: a new series stays quiet."""

_SUNDAY = 6
_YEAR = timedelta(days=364)  # 52 weeks, so last year's date falls on the same weekday.
_LOW_LEVEL_FLOOR = 0.5
"""Least expected level: a series that has been at zero is not certain to stay at zero."""
_MODEL_ERROR = 0.10
"""Relative error allowed for the seasonal model itself (a peak a few days early, a trend)."""
_SEASON_PSEUDO_COUNT = 0.5
"""Contacts per day added to both sides of the seasonal ratio, pulling quiet series to 1."""
_WINDOW = 14
"""Days of last year read around a date: two of each weekday; a week proved too noisy."""
_HALF_WINDOW = 7
_OUTLIER_Z = 2.5
"""A baseline day this far above (or below) the fit is an earlier spike (or outage): left out."""
_POISSON_LIMIT = 1000.0
"""Above this expected level the normal approximation is exact enough and much cheaper."""
_STANDARD_NORMAL = NormalDist()


@dataclass(frozen=True)
class Expectation:
    """What a day's count is expected to be, and how firmly: the "usual" on the drill-down."""

    day: date
    level: float
    """Expected contacts on the day (baseline times seasonal factor), never below 0.5."""
    spread: float
    """Standard deviation of observed minus expected under normal demand."""
    baseline: float
    """Mean of the comparable days leaving out earlier spikes, before the seasonal factor."""
    seasonal_factor: float
    """Level over baseline: how much the time of year moves it; 1.0 without a year of history."""
    samples: tuple[int, ...]
    """The comparable days' counts, most recent first."""
    compared_with: int
    """Weekday (0 = Monday) of the comparable days: 6 (Sunday) for a bank holiday."""
    bank_holiday: bool
    estimate_error: float
    """Standard error of `level` itself (baseline, season and model allowance)."""


@dataclass(frozen=True)
class Alert:
    """One unusual day in one series."""

    key: Hashable
    day: date
    observed: int
    expected: float
    score: float
    """How unusual, as a one-sided z-score (higher is stranger); alerts are sorted by it."""
    probability: float
    """Chance of a count at least this high under normal demand."""
    reason: str
    """In words, e.g. "3.4 times the usual for a Tuesday in November"."""

    @property
    def ratio(self) -> float:
        """Observed over expected (the expected level is never below the floor of 0.5)."""
        return self.observed / max(self.expected, _LOW_LEVEL_FLOOR)


def is_bank_holiday(day: date) -> bool:
    """Whether a date is a bank holiday in England and Wales (the council's calendar)."""
    return day in bank_holidays(day.year)


def _history_start(counts: Counts) -> date | None:
    """The first day the series existed: its earliest date. Later missing days count as zero."""
    return min(counts) if counts else None


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    n = len(ordered)
    mid = n // 2
    return ordered[mid] if n % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def _comparable_days(on: date, weeks: int, start: date) -> tuple[date, ...]:
    """Up to `weeks` earlier days like `on`, most recent first.

    Like means the same weekday, or a Sunday for a bank holiday; bank holidays themselves are
    skipped, so a holiday Monday does not drag down the Monday baseline. Up to four extra weeks
    are searched to make up for skipped holidays, never before the series began.
    """
    holiday = is_bank_holiday(on)
    if holiday:
        cursor = on - timedelta(days=(on.weekday() - _SUNDAY) % 7 or 7)
    else:
        cursor = on - timedelta(days=7)
    found: list[date] = []
    for _step in range(weeks + 4):
        if cursor < start or len(found) == weeks:
            break
        if not is_bank_holiday(cursor):
            found.append(cursor)
        cursor -= timedelta(days=7)
    return tuple(found)


def _window_mean(counts: Counts, first: date, days: int) -> float:
    """Mean count per day over a window, leaving out bank holidays (they move between years)."""
    window = [first + timedelta(days=i) for i in range(days)]
    kept = [day for day in window if not is_bank_holiday(day)] or window
    return sum(counts.get(day, 0) for day in kept) / len(kept)


def _seasonal_weights(
    counts: Counts, on: date, sample_days: tuple[date, ...], start: date
) -> tuple[float, tuple[float, ...], float] | None:
    """Last year's demand around the date of `on` and around each baseline day.

    Read in fortnights centred on the dates 52 weeks earlier (two of each weekday, so the
    weekday pattern cancels out; bank holidays left out, because they move between years),
    plus half a contact a day so a quiet series' season is not made of noise. Returns (near,
    weights, relative variance of the season), or None when the series is not a year and a
    baseline old.
    """
    if not sample_days or min(sample_days) - _YEAR - timedelta(days=_HALF_WINDOW) < start:
        return None

    def last_year_around(day: date) -> float:
        first = day - _YEAR - timedelta(days=_HALF_WINDOW)
        return _window_mean(counts, first, _WINDOW) + _SEASON_PSEUDO_COUNT

    near = last_year_around(on)
    weights = tuple(last_year_around(day) for day in sample_days)
    relative_variance = 1 / (_WINDOW * near) + 1 / (_WINDOW * sum(weights))
    return near, weights, relative_variance


def _robust_rate(values: list[float], weights: tuple[float, ...]) -> tuple[float, float]:
    """Contacts per unit of weight, leaving out earlier spikes: (rate, weight kept).

    A ratio of sums (total count over total weight) is the right estimate for counts, even
    sparse ones where most days are zero; a trimmed mean would throw the few ones away. Days
    that sit more than 2.5 standard deviations from a first fit are then left out, at most a
    quarter of them, so a spike a few weeks ago does not raise the bar for today.
    """
    first = sum(values) / sum(weights)
    residuals = sorted(
        (
            abs(value - first * weight) / math.sqrt(first * weight + 1),
            index,
        )
        for index, (value, weight) in enumerate(zip(values, weights, strict=True))
    )
    dropped = {
        index
        for residual, index in residuals[len(residuals) - len(residuals) // 4 :]
        if residual > _OUTLIER_Z
    }
    kept = [i for i in range(len(values)) if i not in dropped]
    kept_weight = sum(weights[i] for i in kept)
    return sum(values[i] for i in kept) / kept_weight, kept_weight


def _dispersion_index(counts: Counts, on: date, weeks: int, start: date) -> float:
    """How much more scattered than pure chance (Poisson) this series is, at least 1.

    Pure chance gives a day-to-day variance equal to the level; real demand has more (weather,
    a newsletter, a busy road). It is estimated from the change between the same weekday in
    consecutive weeks, for all seven weekdays over the lookback weeks: differences ignore a
    slow trend or season, pooling the weekdays gives some fifty pairs rather than eight, and
    the median keeps an earlier spike from counting as scatter.
    """
    scaled: list[float] = []
    for offset in range(1, 8):
        previous: int | None = None
        for week in range(weeks):
            day = on - timedelta(days=offset + 7 * week)
            if day < start:
                break
            if is_bank_holiday(day):
                previous = None
                continue
            value = counts.get(day, 0)
            if previous is not None:
                scaled.append(abs(previous - value) / math.sqrt(previous + value + 1))
            previous = value
    if len(scaled) < 7:
        return 1.0
    return max(1.0, (1.4826 * _median(scaled)) ** 2)


def expected_level(
    counts: Counts, *, on: date, lookback_weeks: int = DEFAULT_LOOKBACK_WEEKS
) -> Expectation | None:
    """The expected count for one series on one day, or None without enough history.

    Only days before `on` are used, so the answer for a past day is what the alert saw then.
    """
    start = _history_start(counts)
    if start is None or lookback_weeks < 1:
        return None
    sample_days = _comparable_days(on, lookback_weeks, start)
    if len(sample_days) < min(MIN_HISTORY_WEEKS, lookback_weeks):
        return None
    samples = tuple(counts.get(day, 0) for day in sample_days)
    values = [float(v) for v in samples]
    baseline, _ = _robust_rate(values, (1.0,) * len(values))
    seasonal = _seasonal_weights(counts, on, sample_days, start)
    if seasonal is None:
        near, weights, season_variance = 1.0, (1.0,) * len(values), 0.0
    else:
        near, weights, season_variance = seasonal
    rate, kept_weight = _robust_rate(values, weights)
    level = max(rate * near, _LOW_LEVEL_FLOOR)
    factor = rate * near / baseline if baseline > 0 else near * len(weights) / sum(weights)
    index = _dispersion_index(counts, on, lookback_weeks, start)
    # Variance of a single day: Poisson (the level) times the series' own extra scatter.
    dispersion = level * index
    # Uncertainty of the estimate itself: the counts behind the rate (a Poisson ratio estimate
    # with the same extra scatter), last year's counts behind the season, and the allowance.
    estimate_variance = (
        index * level * near / kept_weight
        + level**2 * season_variance
        + (_MODEL_ERROR * level) ** 2
    )
    return Expectation(
        day=on,
        level=level,
        spread=math.sqrt(dispersion + estimate_variance),
        baseline=baseline,
        seasonal_factor=factor,
        samples=samples,
        compared_with=_SUNDAY if is_bank_holiday(on) else on.weekday(),
        bank_holiday=is_bank_holiday(on),
        estimate_error=math.sqrt(estimate_variance),
    )


def _poisson_log_sf(observed: int, rate: float) -> float:
    """log P(X >= observed) for X ~ Poisson(rate), accurate far into the tail."""
    if observed <= 0:
        return 0.0
    log_rate = math.log(rate)

    def log_pmf(i: int) -> float:
        return i * log_rate - rate - math.lgamma(i + 1)

    if observed > rate:
        # Sum upwards from `observed`: terms shrink by rate / i, so this converges fast.
        total, term, i = 1.0, 1.0, observed
        while term > 1e-17 * total and i < observed + 10_000:
            i += 1
            term *= rate / i
            total += term
        return min(0.0, log_pmf(observed) + math.log(total))
    below = sum(math.exp(log_pmf(i)) for i in range(observed))
    return math.log(max(1.0 - below, 1e-300))


def _z_from_log_p(log_p: float) -> float:
    """The one-sided z-score with upper tail probability exp(log_p)."""
    if log_p > -690:
        p = min(max(math.exp(log_p), 1e-300), 1 - 1e-16)
        return -_STANDARD_NORMAL.inv_cdf(p)
    # Far tail: invert p ~ phi(z) / z asymptotically.
    x = -2 * log_p - math.log(2 * math.pi)
    return math.sqrt(x - math.log(x))


def score_day(observed: int, expectation: Expectation) -> tuple[float, float]:
    """(score, probability) of a count against an expectation: the weaker of two tests.

    Poisson tail with the expected level raised by one standard error of its estimate (small
    counts), and a z-score with the full spread (scatter the Poisson model does not know of).
    """
    observed_f = float(observed)
    z_normal = (observed_f - expectation.level) / expectation.spread
    score = z_normal
    rate = expectation.level + expectation.estimate_error
    if rate < _POISSON_LIMIT:
        score = min(score, _z_from_log_p(_poisson_log_sf(observed, rate)))
    return score, _STANDARD_NORMAL.cdf(-score) if score < 38 else 0.0


def _describe(observed: int, expectation: Expectation) -> str:
    month = MONTHS[expectation.day.month]
    if expectation.bank_holiday:
        when = _("a bank holiday in %(month)s") % {"month": month}
    else:
        when = _("a %(weekday)s in %(month)s") % {
            "weekday": WEEKDAYS[expectation.compared_with],
            "month": month,
        }
    if expectation.level >= 1:
        return _("%(ratio)s times the usual for %(when)s") % {
            "ratio": f"{observed / expectation.level:.1f}",
            "when": when,
        }
    return _("%(observed)s contacts where fewer than 1 is usual for %(when)s") % {
        "observed": observed,
        "when": when,
    }


def _sort_key(alert: Alert) -> tuple[float, date, str]:
    return (-alert.score, alert.day, str(alert.key))


def detect[K: Hashable](
    series: Mapping[K, Counts],
    *,
    on: date,
    lookback_weeks: int = DEFAULT_LOOKBACK_WEEKS,
    min_count: int = DEFAULT_MIN_COUNT,
    threshold: float = DEFAULT_THRESHOLD,
) -> list[Alert]:
    """Alerts for one day across many series, most unusual first.

    A series is judged only once it has `MIN_HISTORY_WEEKS` comparable days, and a day with
    fewer than `min_count` contacts is never alerted: a small ward's three reports are not news.
    """
    alerts: list[Alert] = []
    for key, counts in series.items():
        observed = counts.get(on, 0)
        if observed < min_count:
            continue
        expectation = expected_level(counts, on=on, lookback_weeks=lookback_weeks)
        if expectation is None:
            continue
        score, probability = score_day(observed, expectation)
        if score >= threshold:
            alerts.append(
                Alert(
                    key=key,
                    day=on,
                    observed=observed,
                    expected=expectation.level,
                    score=score,
                    probability=probability,
                    reason=_describe(observed, expectation),
                )
            )
    return sorted(alerts, key=_sort_key)


def detect_range[K: Hashable](
    series: Mapping[K, Counts],
    *,
    start: date,
    end: date,
    lookback_weeks: int = DEFAULT_LOOKBACK_WEEKS,
    min_count: int = DEFAULT_MIN_COUNT,
    threshold: float = DEFAULT_THRESHOLD,
) -> list[Alert]:
    """Alerts for every day from `start` to `end` inclusive, most unusual first."""
    alerts: list[Alert] = []
    day = start
    while day <= end:
        alerts.extend(
            detect(
                series,
                on=day,
                lookback_weeks=lookback_weeks,
                min_count=min_count,
                threshold=threshold,
            )
        )
        day += timedelta(days=1)
    return sorted(alerts, key=_sort_key)
