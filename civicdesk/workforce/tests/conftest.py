"""Fixtures for workforce planning: a phone standard, a rota and forecast half-hours."""

from collections.abc import Callable
from datetime import UTC, date, datetime, time

import pytest

from civicdesk.core.calendar import LONDON
from civicdesk.organisations.models import Role
from civicdesk.organisations.tests.factories import MembershipFactory
from civicdesk.workforce.models import ForecastRun, ForecastSlot
from civicdesk.workforce.services import add_shift, set_staffing_standard

WEEK = date(2026, 11, 30)  # a Monday with no bank holiday near it
MADE_AT = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A local wall-clock time as the UTC instant the forecast stores."""
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON).astimezone(UTC)


@pytest.fixture
def manager(contact_centre):
    return MembershipFactory(team=contact_centre, role=Role.MANAGER).user


@pytest.fixture
def standard(council):
    return set_staffing_standard(
        actor=None,
        organisation=council,
        channel="phone",
        target_share=0.80,
        target_seconds=20,
        shrinkage=0.30,
        max_occupancy=0.85,
        handling_seconds=240,
    )


@pytest.fixture
def rota(council):
    """Monday: 08:00-16:00 x5, 09:00-17:00 x8 and 10:00-18:00 x5, overlapping."""
    for starts, ends, agents in ((8, 16, 5), (9, 17, 8), (10, 18, 5)):
        add_shift(
            actor=None,
            organisation=council,
            channel="phone",
            weekday=0,
            starts=time(starts),
            ends=time(ends),
            agents=agents,
        )


@pytest.fixture
def make_forecast_slots(council) -> Callable[..., ForecastRun]:
    """Store a forecast: {UTC start: contacts}, plus the run that made it."""

    def make(slots: dict[datetime, float], *, channel: str = "phone") -> ForecastRun:
        ForecastSlot.objects.bulk_create(
            ForecastSlot(
                organisation=council,
                channel=channel,
                starts_at=starts_at,
                contacts=contacts,
                made_at=MADE_AT,
            )
            for starts_at, contacts in slots.items()
        )
        return ForecastRun.objects.create(
            organisation=council,
            channel=channel,
            made_at=MADE_AT,
            history_from=date(2026, 10, 1),
            history_to=date(2026, 11, 28),
            horizon_from=date(2026, 11, 29),
            horizon_weeks=6,
            wape=0.123,
            mape=0.2,
            bias=0.021,
            folds=4,
            seconds=0.5,
        )

    return make
