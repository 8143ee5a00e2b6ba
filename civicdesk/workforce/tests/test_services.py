"""Making the forecast, the nightly task that does it, the commands and the demo data."""

import io
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from civicdesk.core.calendar import LONDON
from civicdesk.core.models import AuditEvent
from civicdesk.insight.models import ContactSlot
from civicdesk.workforce import tasks
from civicdesk.workforce.demo import install_demo_workforce
from civicdesk.workforce.models import ForecastRun, ForecastSlot, RotaShift, StaffingStandard
from civicdesk.workforce.selectors import rostered_at, rota_by_weekday
from civicdesk.workforce.services import change_shift, make_forecast, remove_shift
from civicdesk.workforce.tests.conftest import WEEK, at

NOW = at(WEEK, 1)  # 01:00 on Monday 30 November 2026


def history(council, weeks: int = 3, per_slot: int = 10) -> None:
    """`per_slot` phone contacts in every half-hour from 09:00 to 17:00 on weekdays."""
    rows = []
    for offset in range(1, weeks * 7 + 1):
        day = WEEK - timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        for slot in range(16):
            rows.append(
                ContactSlot(
                    organisation=council,
                    channel="phone",
                    starts_at=at(day, 9 + slot // 2, 30 * (slot % 2)),
                    contacts=per_slot,
                    handled_seconds=per_slot * 300,
                )
            )
    ContactSlot.objects.bulk_create(rows)


@pytest.mark.django_db
def test_make_forecast_replaces_the_stored_forecast(council, standard):
    history(council)
    stale = ForecastSlot.objects.create(
        organisation=council, channel="phone", starts_at=at(date(2026, 1, 5), 9),
        contacts=99, made_at=NOW - timedelta(days=300),
    )  # fmt: skip
    other_channel = ForecastSlot.objects.create(
        organisation=council, channel="face_to_face", starts_at=at(WEEK, 9),
        contacts=3, made_at=NOW,
    )  # fmt: skip

    run = make_forecast(organisation=council, channel="phone", weeks=2, now=NOW)

    slots = ForecastSlot.objects.filter(organisation=council, channel="phone")
    assert slots.count() == 14 * 48  # every half-hour of two weeks, no clock change
    assert not ForecastSlot.objects.filter(pk=stale.pk).exists()
    assert ForecastSlot.objects.filter(pk=other_channel.pk).exists()
    assert slots.get(starts_at=at(WEEK, 10)).contacts == pytest.approx(10)
    assert slots.get(starts_at=at(WEEK, 20)).contacts == 0  # closed, no history
    assert run.horizon_from == WEEK and run.horizon_weeks == 2
    assert run.history_from == WEEK - timedelta(days=21)
    assert run.history_to == WEEK - timedelta(days=3)  # the last Friday
    assert run.wape == pytest.approx(0) and run.bias == pytest.approx(0) and run.folds >= 1
    assert run.seconds >= 0
    assert AuditEvent.objects.for_record("workforce.forecastrun", run.pk).exists()

    again = make_forecast(organisation=council, channel="phone", weeks=1, now=NOW)
    assert again.pk == run.pk and ForecastRun.objects.count() == 1
    assert slots.count() == 7 * 48


@pytest.mark.django_db
def test_make_forecast_without_history(council, standard):
    run = make_forecast(organisation=council, channel="phone", weeks=1, now=NOW)
    assert run.wape is None and run.folds == 0 and run.history_from is None
    assert set(ForecastSlot.objects.values_list("contacts", flat=True)) == {0.0}


@pytest.mark.django_db
def test_make_forecasts_command_covers_channels_with_a_standard(council, standard):
    out = io.StringIO()
    call_command("make_forecasts", "--weeks", "1", stdout=out)
    assert "Phone: 1 weeks" in out.getvalue()
    assert ForecastRun.objects.filter(channel="phone").exists()
    assert not ForecastRun.objects.filter(channel="face_to_face").exists()


# The nightly task


def waiting():
    return DBTaskResult.objects.filter(
        task_path=tasks.forecast_contacts.module_path, status="READY"
    )


def test_the_next_run_is_at_two_in_the_morning_local_time():
    summer = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    assert tasks.next_run_after(summer) == datetime(2026, 7, 2, 1, 0, tzinfo=UTC)  # BST
    winter_night = datetime(2026, 12, 1, 0, 30, tzinfo=UTC)
    assert tasks.next_run_after(winter_night) == datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_schedule_forecasts_queues_one_run(capsys):
    call_command("schedule_forecasts")
    call_command("schedule_forecasts")
    assert capsys.readouterr().out.splitlines() == [
        "The contact forecast is queued.",
        "The contact forecast was already queued.",
    ]
    (queued,) = waiting()
    assert queued.run_after.astimezone(LONDON).time() == time(2, 0)


@pytest.mark.django_db(transaction=True)
def test_the_worker_makes_the_forecasts_and_queues_the_next_night(council, standard):
    history(council, weeks=1)
    assert tasks.schedule_forecasts(at_once=True)
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    done = DBTaskResult.objects.get(
        task_path=tasks.forecast_contacts.module_path, status="SUCCESSFUL"
    )
    assert done.return_value == 1
    assert ForecastRun.objects.filter(organisation=council, channel="phone").exists()
    (successor,) = waiting()
    assert successor.run_after.astimezone(LONDON).time() == time(2, 0)
    assert successor.run_after > datetime.now(UTC)


# Demo data and the rota services


@pytest.mark.django_db
def test_the_demo_installs_once(council):
    install_demo_workforce(organisation=council)
    install_demo_workforce(organisation=council)
    standard = StaffingStandard.objects.get(organisation=council)
    assert (standard.channel, standard.target_share, standard.target_seconds) == ("phone", 0.8, 20)
    assert (standard.shrinkage, standard.max_occupancy, standard.handling_seconds) == (
        0.3,
        0.85,
        None,
    )
    rota = rota_by_weekday(organisation=council, channel="phone")
    assert rostered_at(rota[2], time(7, 30)) == 0
    assert rostered_at(rota[2], time(8)) > 0 and rostered_at(rota[2], time(17, 30)) > 0
    assert rostered_at(rota[2], time(18)) == 0
    assert rostered_at(rota[5], time(9)) > 0 and rostered_at(rota[5], time(13)) == 0
    assert 6 not in rota
    count = RotaShift.objects.count()
    install_demo_workforce(organisation=council)
    assert RotaShift.objects.count() == count


@pytest.mark.django_db
def test_shifts_change_and_go(council, rota):
    shift = RotaShift.objects.get(starts=time(8))
    pk = shift.pk
    change_shift(actor=None, shift=shift, agents=7, name="Early")
    shift.refresh_from_db()
    assert (shift.agents, shift.name, shift.ends) == (7, "Early", time(16))
    remove_shift(actor=None, shift=shift)
    assert not RotaShift.objects.filter(pk=pk).exists()
    assert AuditEvent.objects.for_record("workforce.rotashift", pk).count() == 3
