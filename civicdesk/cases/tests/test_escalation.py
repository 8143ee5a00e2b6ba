"""The escalation sweep: warnings at 75%, missed targets marked at their due instant, once.

Cases raised on Monday 2 March 2026 at 10:00 for fly-tipping (first response in 4 working
hours, resolution in 5 working days): first response due 14:00, warning on Friday 6 March at
13:15, resolution due on Monday 9 March at 17:00.
"""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from civicdesk.cases import escalation, referrals, services, tasks
from civicdesk.cases.models import (
    Case,
    CaseEvent,
    CaseStatus,
    EventKind,
    Referral,
    ResolutionCode,
)
from civicdesk.notify.models import Message, MessageEvent
from civicdesk.organisations.models import Role
from civicdesk.organisations.tests.factories import MembershipFactory, TeamFactory

from .factories import CaseFactory, RoutingRuleFactory, ServiceFactory
from .support import london, reload

FIRST_RESPONSE_DUE = london(2026, 3, 2, 14)
WARN_AT = london(2026, 3, 6, 13, 15)
DUE = london(2026, 3, 9, 17)


@pytest.fixture
def leaders(streets_team, team_leader):
    second = MembershipFactory(team=streets_team, role=Role.TEAM_LEADER).user
    return [team_leader, second]


def warnings_sent():
    return Message.objects.filter(event=MessageEvent.SLA_WARNING)


def stamps():
    return list(
        Case.objects.order_by("pk").values_list(
            "warned_at", "first_response_breached_at", "resolution_breached_at"
        )
    )


def events(kind):
    return CaseEvent.objects.filter(kind=kind)


def test_the_due_times_the_tests_rely_on(raise_, clock):
    case = raise_()
    assert (case.first_response_due_at, case.resolution_warn_at, case.resolution_due_at) == (
        FIRST_RESPONSE_DUE,
        WARN_AT,
        DUE,
    )


def test_nothing_due_nothing_done(raise_, clock, leaders, message_templates):
    raise_()
    result = escalation.sweep(now=london(2026, 3, 2, 13, 59))
    assert (result.warned, result.first_response_breached, result.resolution_breached) == (0, 0, 0)
    assert not warnings_sent().exists()


def test_warning_at_three_quarters(raise_, clock, leaders, message_templates):
    cases = [raise_() for _ in range(3)]
    before = escalation.sweep(now=WARN_AT - datetime.timedelta(minutes=1))
    assert before.warned == 0
    now = london(2026, 3, 6, 14)
    result = escalation.sweep(now=now)
    assert result.warned == 3
    for case in cases:
        stored = reload(case)
        assert stored.warned_at == now
        (event,) = events(EventKind.SLA_WARNING).filter(case=case)
        assert event.occurred_at == WARN_AT
    # One message per team leader, listing every case warned in this sweep.
    messages = list(warnings_sent())
    assert sorted(message.staff_member_id for message in messages) == sorted(
        leader.pk for leader in leaders
    )
    for message in messages:
        assert message.personalisation["reference"] == ", ".join(c.reference for c in cases)
        assert message.about_reference == ""  # several cases: none singled out


def test_one_case_warning_names_the_case(raise_, clock, team_leader, message_templates):
    case = raise_()
    escalation.sweep(now=london(2026, 3, 6, 14))
    (message,) = warnings_sent()
    assert message.about_reference == case.reference
    assert message.staff_member == team_leader


def test_each_team_hears_about_its_own_cases(
    raise_, council, clock, team_leader, message_templates
):
    mine = raise_()
    other_team = TeamFactory(organisation=council)
    other_leader = MembershipFactory(team=other_team, role=Role.TEAM_LEADER).user
    theirs = raise_(service=ServiceFactory(organisation=council, owning_team=other_team))
    result = escalation.sweep(now=london(2026, 3, 6, 14))
    assert dict(result.warned_by_team) == {
        mine.team_id: [mine.reference],
        other_team.pk: [theirs.reference],
    }
    assert warnings_sent().get(staff_member=team_leader).about_reference == mine.reference
    assert warnings_sent().get(staff_member=other_leader).about_reference == theirs.reference


def test_inactive_team_leaders_are_not_told(raise_, clock, team_leader, message_templates):
    team_leader.is_active = False
    team_leader.save()
    raise_()
    assert escalation.sweep(now=london(2026, 3, 6, 14)).warned == 1
    assert not warnings_sent().exists()


def test_missed_targets_are_marked_at_the_due_instant(raise_, clock, message_templates):
    answered = services.change_status(actor=None, case=raise_(), status=CaseStatus.IN_PROGRESS)
    silent = raise_()
    result = escalation.sweep(now=FIRST_RESPONSE_DUE)  # due at or before now: missed
    assert result.first_response_breached == 1
    assert reload(silent).first_response_breached_at == FIRST_RESPONSE_DUE
    assert reload(answered).first_response_breached_at is None
    (event,) = events(EventKind.FIRST_RESPONSE_BREACHED)
    assert (event.case_id, event.occurred_at) == (silent.pk, FIRST_RESPONSE_DUE)

    result = escalation.sweep(now=london(2026, 3, 10, 9, 30))
    assert (result.warned, result.resolution_breached) == (2, 2)
    assert result.first_response_breached == 0
    for case in (answered, silent):
        assert reload(case).resolution_breached_at == DUE
    assert set(events(EventKind.RESOLUTION_BREACHED).values_list("occurred_at", flat=True)) == {DUE}


def test_paused_and_closed_cases_are_left_alone(raise_, council, clock, message_templates):
    services.set_clock_policy(
        actor=None,
        organisation=council,
        pausing=[CaseStatus.WAITING_CUSTOMER, CaseStatus.WAITING_THIRD_PARTY],
        stopping=[CaseStatus.RESOLVED, CaseStatus.CLOSED],
    )
    waiting = services.change_status(actor=None, case=raise_(), status=CaseStatus.WAITING_CUSTOMER)
    # Waiting for a contractor before anyone answered the customer: no first response yet.
    third_party = services.change_status(
        actor=None, case=raise_(), status=CaseStatus.WAITING_THIRD_PARTY
    )
    closed = services.close_case(
        actor=None, case=raise_(), resolution_code=ResolutionCode.DONE, message="Cleared."
    )
    resolved = services.close_case(
        actor=None,
        case=raise_(),
        resolution_code=ResolutionCode.DONE,
        message="Cleared.",
        final=False,
    )
    result = escalation.sweep(now=london(2026, 6, 1, 12))
    assert (result.warned, result.first_response_breached, result.resolution_breached) == (0, 0, 0)
    for case in (waiting, third_party, closed, resolved):
        stored = reload(case)
        assert stored.warned_at is None
        assert stored.first_response_breached_at is None
        assert stored.resolution_breached_at is None


def test_sweeping_twice_changes_nothing_the_second_time(raise_, clock, leaders, message_templates):
    for _ in range(3):
        raise_()
    now = london(2026, 3, 10, 10)
    first = escalation.sweep(now=now)
    assert (first.warned, first.first_response_breached, first.resolution_breached) == (3, 3, 3)
    counts = (CaseEvent.objects.count(), Message.objects.count())
    marks = stamps()
    for later in (now, london(2026, 3, 20, 10)):
        again = escalation.sweep(now=later)
        assert (again.warned, again.first_response_breached, again.resolution_breached) == (
            0,
            0,
            0,
        )
        assert (again.referral_acknowledgements_missed, again.referrals_overdue) == (0, 0)
        assert (CaseEvent.objects.count(), Message.objects.count()) == counts
    assert stamps() == marks
    assert warnings_sent().count() == len(leaders)


def test_batches_larger_than_the_batch_size(raise_, clock, leaders, message_templates, monkeypatch):
    monkeypatch.setattr(escalation, "BATCH", 2)
    cases = [raise_() for _ in range(5)]
    result = escalation.sweep(now=london(2026, 3, 10, 10))
    assert (result.warned, result.first_response_breached, result.resolution_breached) == (5, 5, 5)
    for kind in (
        EventKind.SLA_WARNING,
        EventKind.FIRST_RESPONSE_BREACHED,
        EventKind.RESOLUTION_BREACHED,
    ):
        assert sorted(events(kind).values_list("case_id", flat=True)) == [c.pk for c in cases]
    # One message per leader per batch, written with the marks it reports; together they
    # list every case once.
    assert warnings_sent().count() == 3 * len(leaders)
    listed = [
        reference
        for message in warnings_sent().filter(staff_member=leaders[0])
        for reference in message.personalisation["reference"].split(", ")
    ]
    assert sorted(listed) == sorted(case.reference for case in cases)


# Referrals


@pytest.fixture
def referred(raise_, partner_team, clock):
    """Three referrals to a team promising acknowledgement in 4 working hours (Monday 14:00)
    and completion in 3 working days (Thursday 5 March at 17:00)."""
    made = [
        referrals.refer_case(actor=None, case=raise_(), to_team=partner_team, scope="Clear it")
        for _ in range(3)
    ]
    assert {(r.acknowledge_due_at, r.due_at) for r in made} == {
        (london(2026, 3, 2, 14), london(2026, 3, 5, 17))
    }
    return made


def test_referral_acknowledgement_and_completion_breaches(referred, clock, monkeypatch):
    monkeypatch.setattr(escalation, "BATCH", 2)
    waiting, acknowledged, completed = referred
    clock(2026, 3, 2, 11)
    referrals.acknowledge_referral(actor=None, referral=acknowledged)
    referrals.acknowledge_referral(actor=None, referral=completed)
    referrals.complete_referral(actor=None, referral=completed, outcome="Tenant spoken to")

    result = escalation.sweep(now=london(2026, 3, 2, 15))
    assert (result.referral_acknowledgements_missed, result.referrals_overdue) == (1, 0)
    assert Referral.objects.get(pk=waiting.pk).acknowledge_breached_at == london(2026, 3, 2, 14)
    assert Referral.objects.get(pk=acknowledged.pk).acknowledge_breached_at is None

    result = escalation.sweep(now=london(2026, 3, 6, 9))
    assert (result.referral_acknowledgements_missed, result.referrals_overdue) == (0, 2)
    stored = {r.pk: r for r in Referral.objects.all()}
    assert stored[waiting.pk].breached_at == london(2026, 3, 5, 17)
    assert stored[acknowledged.pk].breached_at == london(2026, 3, 5, 17)
    assert stored[completed.pk].breached_at is None

    again = escalation.sweep(now=london(2026, 3, 20, 9))
    assert (again.referral_acknowledgements_missed, again.referrals_overdue) == (0, 0)


def test_referral_batches(referred, monkeypatch):
    monkeypatch.setattr(escalation, "BATCH", 2)
    result = escalation.sweep(now=london(2026, 3, 6, 9))
    assert (result.referral_acknowledgements_missed, result.referrals_overdue) == (3, 3)
    assert not Referral.objects.filter(breached_at__isnull=True).exists()
    assert not Referral.objects.filter(acknowledge_breached_at__isnull=True).exists()


# The task that runs the sweep


def sweeps_waiting():
    return DBTaskResult.objects.filter(task_path=tasks.sweep_sla.module_path, status="READY")


def test_schedule_sweep_queues_one_sweep(db):
    before = timezone.now()
    assert tasks.schedule_sweep() is True
    assert tasks.schedule_sweep() is False
    (queued,) = sweeps_waiting()
    assert queued.run_after >= before + tasks.SWEEP_INTERVAL


def test_schedule_escalation_command(db, capsys):
    call_command("schedule_escalation")
    call_command("schedule_escalation")
    assert capsys.readouterr().out.splitlines() == [
        "The SLA sweep is queued.",
        "The SLA sweep was already queued.",
    ]
    assert sweeps_waiting().count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_the_sweep_and_queues_the_next(council, service):
    opened = timezone.now() - datetime.timedelta(days=30)
    late = CaseFactory(
        service=service,
        opened_at=opened,
        first_response_due_at=opened,
        resolution_warn_at=opened,
        resolution_due_at=opened + datetime.timedelta(days=1),
    )
    assert tasks.schedule_sweep(delay=datetime.timedelta(0))
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    done = DBTaskResult.objects.get(task_path=tasks.sweep_sla.module_path, status="SUCCESSFUL")
    assert done.return_value["resolution_breached"] == 1
    stored = reload(late)
    assert stored.resolution_breached_at == late.resolution_due_at
    assert stored.first_response_breached_at == opened
    assert stored.warned_at is not None
    (successor,) = sweeps_waiting()
    assert successor.run_after > timezone.now() + datetime.timedelta(minutes=4)


def test_a_partner_team_is_warned_in_the_councils_words(
    raise_, service, partner_team, clock, message_templates
):
    RoutingRuleFactory(service=service, ward=None, team=partner_team)
    leader = MembershipFactory(team=partner_team, role=Role.TEAM_LEADER).user
    case = raise_()
    escalation.sweep(now=london(2026, 3, 6, 14))
    (message,) = warnings_sent()
    assert (message.staff_member, message.about_reference) == (leader, case.reference)
    assert message.organisation == case.organisation
