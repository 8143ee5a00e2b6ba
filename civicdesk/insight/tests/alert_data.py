"""Shared by the demand alert tests: the alerts table, and seeded synthetic daily demand written
as day rollups (ContactDay rows) for a few services in a few wards."""

import datetime
import math
import random
from typing import Any

import pytest
from django.db import connection

from civicdesk.contacts.models import Outcome
from civicdesk.insight.anomalies import is_bank_holiday
from civicdesk.insight.models import ContactDay, DemandAlert

WEEKDAY_SHAPE = (1.3, 1.1, 1.0, 1.0, 0.9, 0.4, 0.3)
HOLIDAY_SHAPE = 0.3  # the council is closed: a bank holiday looks like a Sunday


@pytest.fixture(scope="session")
def demand_alert_table(django_db_setup: Any, django_db_blocker: Any) -> None:
    """DemandAlert lives at the end of insight/models.py until the lead moves it and makes its
    migration; until then the test database gets its table here. A no-op once migrated."""
    with django_db_blocker.unblock():
        if DemandAlert._meta.db_table not in connection.introspection.table_names():
            with connection.schema_editor() as editor:
                editor.create_model(DemandAlert)


def _poisson(rng: random.Random, rate: float) -> int:
    if rate > 30:
        return max(0, round(rng.gauss(rate, math.sqrt(rate))))
    limit, count, product = math.exp(-rate), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def new_year_peak(day: datetime.date) -> float:
    """Missed bins: 2.5 times the usual in the days after Christmas, fading over a fortnight."""
    distance = min(abs((day - datetime.date(year, 1, 2)).days) for year in (day.year, day.year + 1))
    return 1 + 1.5 * math.exp(-((distance / 7) ** 2) / 2)


def flat(day: datetime.date) -> float:
    return 1.0


def usual(level: float, season: Any, day: datetime.date) -> float:
    shape = HOLIDAY_SHAPE if is_bank_holiday(day) else WEEKDAY_SHAPE[day.weekday()]
    return level * shape * season(day)


def seed_demand(
    *,
    organisation: Any,
    plan: list[tuple[Any, Any, float, Any]],
    first: datetime.date,
    last: datetime.date,
    spikes: dict[tuple[int, int, datetime.date], float] | None = None,
    seed: int = 20261123,
) -> dict[tuple[int, int, datetime.date], int]:
    """ContactDay rows, one a day per (service, ward, level, season) in `plan` (one channel and
    outcome: detection sums over them); `spikes` multiply a day's demand. Returns the counts."""
    rng = random.Random(seed)
    spikes = spikes or {}
    rows, written = [], {}
    for service, ward, level, season in plan:
        day = first
        while day <= last:
            scatter = rng.gammavariate(100, 1 / 100)
            count = _poisson(rng, usual(level, season, day) * scatter)
            count = round(count * spikes.get((service.pk, ward.pk, day), 1))
            written[(service.pk, ward.pk, day)] = count
            if count:
                rows.append(
                    ContactDay(
                        organisation=organisation,
                        day=day,
                        service=service,
                        ward=ward,
                        channel="phone",
                        outcome=Outcome.RESOLVED,
                        contacts=count,
                    )
                )
            day += datetime.timedelta(days=1)
    ContactDay.objects.bulk_create(rows, batch_size=2000)
    return written
