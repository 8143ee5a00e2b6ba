"""The staffing plan: Erlang C per half-hour, rostered agents from overlapping shifts, and
closed half-hours left out."""

from datetime import date, time, timedelta

import pytest
from django.core.exceptions import ValidationError

from civicdesk.insight import erlang
from civicdesk.insight.models import ContactSlot
from civicdesk.workforce.selectors import (
    handling_time,
    rostered_at,
    rota_by_weekday,
    staffing_plan,
)
from civicdesk.workforce.services import add_shift, set_staffing_standard
from civicdesk.workforce.tests.conftest import WEEK, at

pytestmark = pytest.mark.django_db


def test_overlapping_shifts_add_up(council, rota):
    monday = rota_by_weekday(organisation=council, channel="phone")[0]
    assert rostered_at(monday, time(7, 30)) == 0
    assert rostered_at(monday, time(8, 0)) == 5
    assert rostered_at(monday, time(9, 30)) == 13
    assert rostered_at(monday, time(12, 0)) == 18
    assert rostered_at(monday, time(15, 30)) == 18
    assert rostered_at(monday, time(16, 0)) == 13  # the early shift has gone home
    assert rostered_at(monday, time(17, 30)) == 5
    assert rostered_at(monday, time(18, 0)) == 0


def test_the_plan_agrees_with_erlang_c(council, standard, rota, make_forecast_slots):
    make_forecast_slots({at(WEEK, 10): 30.0, at(WEEK, 8): 2.0, at(WEEK, 18): 0.5})

    plan = staffing_plan(organisation=council, channel="phone", week=WEEK)

    monday = plan.day(WEEK)
    row = next(row for row in monday.rows if row.starts_at.time() == time(10))
    expected = erlang.agents_required(30, 240, 1800, 0.80, 20, shrinkage=0.30, max_occupancy=0.85)
    assert row.forecast == 30.0 and row.handling_seconds == 240
    assert row.agents_on_phones == expected.agents
    assert row.agents_needed == expected.rostered
    assert row.rostered == 18
    assert row.gap == 18 - expected.rostered
    # 18 rostered less 30% shrinkage leaves 12 on the phones (whole people).
    assert row.service_level == pytest.approx(erlang.service_level(30, 240, 1800, 12, 20))
    assert plan.handling.source == "standard" and plan.has_forecast


def test_closed_half_hours_are_left_out(council, standard, rota, make_forecast_slots):
    make_forecast_slots({at(WEEK, 7): 0.0, at(WEEK, 10): 30.0, at(WEEK, 18): 0.5})

    monday = staffing_plan(organisation=council, channel="phone", week=WEEK).day(WEEK)

    times = [row.starts_at.time() for row in monday.rows]
    # 08:00 to 18:00 is rostered; 18:00 has a little forecast demand and nobody there.
    assert times[0] == time(8) and times[-1] == time(18)
    assert time(7) not in times and len(times) == 21
    late = monday.rows[-1]
    assert late.rostered == 0 and late.short and late.shortfall == late.agents_needed
    assert late.service_level == 0.0
    # Rostered but not forecast: shown, with nothing worked out.
    nine = next(row for row in monday.rows if row.starts_at.time() == time(9))
    assert nine.forecast is None and nine.agents_needed is None and nine.gap is None
    # Tuesday: nothing forecast and no rota.
    assert (
        staffing_plan(organisation=council, channel="phone", week=WEEK)
        .day(WEEK + timedelta(days=1))
        .rows
        == []
    )


def test_the_rota_does_not_apply_on_a_bank_holiday(council, standard, rota):
    boxing_day_week = date(2026, 12, 28)  # Monday 28 December 2026 is the substitute day
    plan = staffing_plan(organisation=council, channel="phone", week=boxing_day_week)
    assert plan.days[0].closed and plan.days[0].rows == []
    assert not plan.has_forecast


def test_measured_handling_time(council, standard):
    now = at(WEEK, 0)
    for hours, contacts, seconds in ((1, 10, 3000), (30, 5, 2000), (24 * 70, 100, 1)):
        ContactSlot.objects.create(
            organisation=council,
            channel="phone",
            starts_at=now - timedelta(hours=hours),
            contacts=contacts,
            handled_seconds=seconds,
        )
    standard.handling_seconds = None
    standard.save()
    measured = handling_time(organisation=council, channel="phone", standard=standard, now=now)
    assert measured.source == "measured" and measured.seconds == pytest.approx(5000 / 15)
    assumed = handling_time(organisation=council, channel="face_to_face", standard=None, now=now)
    assert assumed.source == "assumed"


def test_no_standard_no_plan(council):
    assert staffing_plan(organisation=council, channel="phone", week=WEEK) is None


def test_shifts_and_standards_are_checked(council):
    with pytest.raises(ValidationError):
        add_shift(
            actor=None, organisation=council, channel="phone", weekday=0,
            starts=time(9, 15), ends=time(12), agents=2,
        )  # fmt: skip
    with pytest.raises(ValidationError):
        add_shift(
            actor=None, organisation=council, channel="phone", weekday=0,
            starts=time(12), ends=time(9), agents=2,
        )  # fmt: skip
    with pytest.raises(ValidationError):
        set_staffing_standard(actor=None, organisation=council, channel="web")
    with pytest.raises(ValidationError):
        set_staffing_standard(actor=None, organisation=council, channel="phone", shrinkage=1.0)
