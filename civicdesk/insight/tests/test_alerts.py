"""Demand alerts from the day rollups: an injected spike is found, the usual winter peak is not
news, re-detecting a day is idempotent, acknowledging is audited, and the contacts and cases
behind an alert are the ones it counted."""

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from civicdesk.cases.tests.factories import CaseFactory, CustomerFactory, ServiceFactory
from civicdesk.contacts.models import Outcome
from civicdesk.contacts.services import log_contact
from civicdesk.core.models import AuditAction, AuditEvent
from civicdesk.insight import alert_tasks, alerts, services
from civicdesk.insight.models import DemandAlert
from civicdesk.insight.tests.alert_data import (
    demand_alert_table,  # noqa: F401 (a fixture)
    flat,
    new_year_peak,
    seed_demand,
)
from civicdesk.organisations.models import Role
from civicdesk.organisations.tests.factories import MembershipFactory
from civicdesk.places.tests.factories import AddressFactory, WardFactory

pytestmark = pytest.mark.usefixtures("demand_alert_table")
LONDON = ZoneInfo("Europe/London")
FIRST = datetime.date(2024, 8, 5)  # a Monday: 15 months before the first day judged
LAST = datetime.date(2026, 1, 31)
SPIKE_DAY = datetime.date(2025, 11, 18)  # a Tuesday


@pytest.fixture
def borough(council):
    """Fly-tipping (flat all year) and missed bins (the new-year peak) in three wards, busy to
    quiet, seeded daily from August 2024 to January 2026, with fly-tipping tripled in
    Eastfield on one Tuesday."""
    fly_tipping = ServiceFactory(organisation=council, name="Fly-tipping")
    missed_bins = ServiceFactory(organisation=council, name="Missed bin")
    wards = [
        WardFactory(organisation=council, name=name) for name in ("North", "Eastfield", "Moor")
    ]
    plan = [
        (service, ward, level, season)
        for service, season in ((fly_tipping, flat), (missed_bins, new_year_peak))
        for ward, level in zip(wards, (40.0, 20.0, 6.0), strict=True)
    ]
    written = seed_demand(
        organisation=council,
        plan=plan,
        first=FIRST,
        last=LAST,
        spikes={(fly_tipping.pk, wards[1].pk, SPIKE_DAY): 3.0},
    )
    return council, fly_tipping, missed_bins, wards, written


def test_an_injected_spike_is_found_and_only_it(borough):
    council, fly_tipping, _bins, wards, written = borough
    [alert] = alerts.detect_demand(organisation=council, day=SPIKE_DAY)
    assert (alert.service, alert.ward, alert.day) == (fly_tipping, wards[1], SPIKE_DAY)
    assert alert.observed == written[(fly_tipping.pk, wards[1].pk, SPIKE_DAY)]
    assert 15 < alert.expected < 30
    assert alert.score >= 4.0
    assert "times the usual for a Tuesday in November" in alert.description
    # The days around it are ordinary.
    around = alerts.detect_demand_range(
        organisation=council,
        start=SPIKE_DAY - datetime.timedelta(days=3),
        end=SPIKE_DAY + datetime.timedelta(days=3),
    )
    assert {day for day, found in around.items() if found} == {SPIKE_DAY}


def test_the_usual_new_year_peak_raises_no_alert(borough):
    council, _fly, missed_bins, wards, written = borough

    def mean(first: datetime.date, days: int) -> float:
        span = [first + datetime.timedelta(days=i) for i in range(days)]
        return sum(written[(missed_bins.pk, wards[0].pk, day)] for day in span) / days

    # The fortnight after Christmas is far busier than November, as it was the year before.
    assert mean(datetime.date(2025, 12, 29), 14) > 1.8 * mean(datetime.date(2025, 11, 3), 14)
    found = alerts.detect_demand_range(
        organisation=council, start=datetime.date(2025, 12, 20), end=datetime.date(2026, 1, 16)
    )
    assert [alert for day_alerts in found.values() for alert in day_alerts] == []


def test_detecting_again_replaces_unacknowledged_alerts_and_keeps_acknowledged_ones(
    borough, django_capture_on_commit_callbacks
):
    council, *_rest = borough
    manager = MembershipFactory(team__organisation=council, role=Role.MANAGER).user
    [first] = alerts.detect_demand(organisation=council, day=SPIKE_DAY)
    [again] = alerts.detect_demand(organisation=council, day=SPIKE_DAY)
    assert again.pk != first.pk
    assert DemandAlert.objects.filter(organisation=council).count() == 1

    acknowledged = alerts.acknowledge_alert(actor=manager, alert=again)
    assert acknowledged.acknowledged_by == manager
    assert acknowledged.acknowledged_at is not None
    [entry] = AuditEvent.objects.for_record("insight.demandalert", again.pk)
    assert entry.action == AuditAction.UPDATED
    assert entry.actor == manager
    # Acknowledging twice changes nothing and writes nothing more.
    assert alerts.acknowledge_alert(actor=manager, alert=again).acknowledged_at == (
        acknowledged.acknowledged_at
    )
    assert AuditEvent.objects.for_record("insight.demandalert", again.pk).count() == 1

    [kept] = alerts.detect_demand(organisation=council, day=SPIKE_DAY)
    assert kept.pk == again.pk
    assert kept.acknowledged_at == acknowledged.acknowledged_at


def test_the_command_detects_the_last_days(borough, time_machine):
    _council, fly_tipping, *_rest = borough
    time_machine.move_to(datetime.datetime(2025, 11, 20, 9, 0, tzinfo=LONDON), tick=False)
    out = io.StringIO()
    call_command("detect_demand", "--days", "3", stdout=out)
    assert "1 demand alerts from 2025-11-17 to 2025-11-19" in out.getvalue()
    assert list(DemandAlert.objects.values_list("day", "service")) == [(SPIKE_DAY, fly_tipping.pk)]


def test_the_daily_run_is_queued_for_six_in_the_morning(db, time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 28, 7, 0, tzinfo=LONDON), tick=False)
    # The clocks go forward overnight: 06:00 on Sunday is 05:00 UTC.
    assert alert_tasks.next_run() == datetime.datetime(2026, 3, 29, 6, 0, tzinfo=LONDON)
    assert alert_tasks.next_run().astimezone(datetime.UTC).hour == 5
    out = io.StringIO()
    call_command("schedule_alerts", stdout=out)
    assert "queued for 2026-03-29 06:00" in out.getvalue()
    assert alert_tasks.schedule_alerts() is False
    [queued] = DBTaskResult.objects.filter(task_path=alert_tasks.detect_demand_alerts.module_path)
    assert queued.run_after == datetime.datetime(2026, 3, 29, 5, 0, tzinfo=datetime.UTC)


def test_demand_counts_each_request_once_where_it_happened(council, agent):
    """A contact that raised a case is counted as the case, in the ward of its place; other
    contacts in the customer's ward; and the drill-down lists exactly what was counted."""
    service = ServiceFactory(organisation=council, name="Fly-tipping")
    home, elsewhere = (WardFactory(organisation=council, name=n) for n in ("Home", "Elsewhere"))
    resident = CustomerFactory(
        organisation=council, address=AddressFactory(organisation=council, ward=home)
    )
    day = datetime.date(2026, 5, 12)
    at = datetime.datetime(2026, 5, 12, 10, 0, tzinfo=LONDON)
    enquiry = log_contact(
        actor=agent, organisation=council, channel="phone", outcome=Outcome.RESOLVED,
        customer=resident, service=service, started_at=at,
    )  # fmt: skip
    log_contact(
        actor=agent, organisation=council, channel="phone", outcome=Outcome.CASE_RAISED,
        customer=resident, service=service, started_at=at,
    )  # fmt: skip
    in_home = CaseFactory(service=service, ward=home, opened_at=at)
    in_elsewhere = CaseFactory(service=service, ward=elsewhere, opened_at=at, customer=resident)
    CaseFactory(service=service, ward=home, opened_at=at + datetime.timedelta(days=1))
    services.rebuild(organisation=council, now=at + datetime.timedelta(days=3))

    series = alerts.demand_series(organisation_id=council.pk, first=day, last=day)
    assert series[(service.pk, home.pk)][day] == 2  # the enquiry and the case placed at home
    assert series[(service.pk, elsewhere.pk)][day] == 1

    alert = DemandAlert.objects.create(
        organisation=council, day=day, service=service, ward=home, observed=2, expected=0.5,
        score=5.0, probability=1e-6, description="test", detected_at=at,
    )  # fmt: skip
    assert list(alerts.contacts_behind(alert=alert)) == [enquiry]
    assert list(alerts.cases_behind(alert=alert)) == [in_home]
    assert in_elsewhere not in alerts.cases_behind(alert=alert)
    history = alerts.alert_history(alert=alert)
    assert len(history) == 56
    assert history[-1].day == day
    assert history[-1].observed == 2


def test_detection_reads_the_rollups_in_a_few_queries(borough, django_assert_max_num_queries):
    council, *_rest = borough
    with django_assert_max_num_queries(8):  # two grouped reads, then storing the day
        alerts.detect_demand(organisation=council, day=SPIKE_DAY)


def test_the_daily_task_checks_yesterday_and_queues_the_next_run(borough, time_machine):
    _council, fly_tipping, *_rest = borough
    time_machine.move_to(datetime.datetime(2025, 11, 19, 6, 0, tzinfo=LONDON), tick=False)
    assert alert_tasks.detect_demand_alerts.call() == {"alerts": 1}
    assert DemandAlert.objects.get().service == fly_tipping
    [queued] = DBTaskResult.objects.filter(task_path=alert_tasks.detect_demand_alerts.module_path)
    assert queued.run_after == datetime.datetime(2025, 11, 20, 6, 0, tzinfo=LONDON)
