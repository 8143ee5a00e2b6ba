"""SLA clocks on the working calendar: Monday to Friday 09:00-17:00 in London, England and Wales
bank holidays, clocks that pause while the council waits and stop once the work is done.

Dates used: 2 March 2026 is a Monday; Good Friday is 3 April 2026 and Easter Monday 6 April;
British Summer Time starts on 29 March 2026 and ends on 25 October 2026.
"""

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from civicdesk.cases import escalation, services
from civicdesk.cases.models import CaseEvent, CaseStatus, EventKind, ResolutionCode, SlaClockPolicy
from civicdesk.catalogue.models import Priority, SlaUnit
from civicdesk.catalogue.selectors import SlaPromise, sla_promises_for

from .factories import SlaTargetFactory
from .support import london, reload

HOUR = datetime.timedelta(hours=1)
WORKING_DAY = 8 * HOUR
S = CaseStatus


def status(case: Any, new: str, actor: Any = None) -> Any:
    return services.change_status(actor=actor, case=case, status=new)


def close(case: Any, *, final: bool = True) -> Any:
    return services.close_case(
        actor=None,
        case=case,
        resolution_code=ResolutionCode.DONE,
        message="We cleared the rubbish.",
        final=final,
    )


# Due times when a case is raised


def test_friday_afternoon_first_response_is_due_on_monday(raise_, clock):
    clock(2026, 3, 6, 16)  # Friday 16:00: one working hour left today
    case = raise_()
    assert case.first_response_due_at == london(2026, 3, 9, 12)


def test_resolution_in_working_days_ends_at_closing_time(raise_, clock):
    case = raise_()  # Monday 2 March 10:00, 5 working days
    assert case.resolution_due_at == london(2026, 3, 9, 17)
    assert case.first_response_due_at == london(2026, 3, 2, 14)


def test_easter_bank_holidays_do_not_count(raise_, service, clock):
    service.sla_value = 2
    service.save()
    clock(2026, 4, 2, 11)  # the Thursday before Good Friday
    case = raise_()
    # Friday 3 and Monday 6 April are bank holidays: day 1 is Tuesday, day 2 Wednesday.
    assert case.resolution_due_at == london(2026, 4, 8, 17)
    # Four working hours from Thursday 11:00 end at 15:00 the same day.
    assert case.first_response_due_at == london(2026, 4, 2, 15)


def test_first_response_over_easter(raise_, clock):
    clock(2026, 4, 2, 16)
    case = raise_()
    assert case.first_response_due_at == london(2026, 4, 7, 12)


def test_clocks_going_forward_in_march(raise_, clock):
    clock(2026, 3, 27, 16)  # Friday 16:00 GMT; BST starts on Sunday
    case = raise_()
    assert case.first_response_due_at == london(2026, 3, 30, 12)
    assert case.first_response_due_at.astimezone(datetime.UTC).hour == 11
    # Day 5 would be Good Friday; with Easter Monday that leaves Tuesday 7 April.
    assert case.resolution_due_at == london(2026, 4, 7, 17)


def test_clocks_going_back_in_october(raise_, clock):
    clock(2026, 10, 23, 16)  # Friday 16:00 BST; GMT from Sunday
    case = raise_()
    assert case.first_response_due_at == london(2026, 10, 26, 12)
    assert case.first_response_due_at.astimezone(datetime.UTC).hour == 12


def test_a_pause_across_the_clock_change_counts_real_working_time(raise_, clock):
    clock(2026, 3, 27, 11)
    case = status(raise_(), S.IN_PROGRESS)
    clock(2026, 3, 27, 16)
    case = status(case, S.WAITING_CUSTOMER)
    clock(2026, 3, 30, 10)
    case = status(case, S.IN_PROGRESS)
    # Friday 16:00-17:00 GMT and Monday 09:00-10:00 BST: two hours, not one or three.
    assert reload(case).paused_working_seconds == 2 * 3600


def test_warning_point_is_three_quarters_of_the_working_time(raise_, service, clock):
    case = raise_()
    # 47 working hours from Monday 10:00 to the next Monday 17:00; 75% is 35h15m.
    assert case.resolution_warn_at == london(2026, 3, 6, 13, 15)
    service.sla_value = 2
    service.save()
    case = raise_()
    # 23 working hours to Wednesday 17:00; 75% is 17h15m: Wednesday 11:15.
    assert case.resolution_warn_at == london(2026, 3, 4, 11, 15)


def test_service_without_targets_has_no_clocks(raise_, service, clock):
    service.sla_value = service.first_response_value = None
    service.save()
    case = raise_()
    assert (case.first_response_due_at, case.resolution_due_at, case.resolution_warn_at) == (
        None,
        None,
        None,
    )
    status(case, S.WAITING_CUSTOMER)
    clock(2026, 3, 4, 10)
    case = status(case, S.IN_PROGRESS)
    assert reload(case).resolution_due_at is None


# Targets per priority


def test_priority_target_overrides_the_service_default(raise_, service, clock):
    SlaTargetFactory(
        service=service,
        priority=Priority.URGENT,
        first_response_value=1,
        first_response_unit=SlaUnit.WORKING_HOURS,
        resolution_value=4,
        resolution_unit=SlaUnit.WORKING_HOURS,
    )
    SlaTargetFactory(service=service, priority=Priority.LOW, resolution_value=10)
    urgent = raise_(priority=Priority.URGENT)
    assert urgent.first_response_due_at == london(2026, 3, 2, 11)
    assert urgent.resolution_due_at == london(2026, 3, 2, 14)
    low = raise_(priority=Priority.LOW)
    assert low.resolution_due_at == london(2026, 3, 16, 17)
    assert low.first_response_due_at == london(2026, 3, 2, 14)  # the service's default
    normal = raise_(priority=Priority.NORMAL)
    assert normal.resolution_due_at == london(2026, 3, 9, 17)


def test_sla_promises_for(service):
    assert sla_promises_for(service=service, priority=Priority.HIGH) == (
        SlaPromise(4, SlaUnit.WORKING_HOURS),
        SlaPromise(5, SlaUnit.WORKING_DAYS),
    )
    SlaTargetFactory(service=service, priority=Priority.HIGH, first_response_value=2)
    assert sla_promises_for(service=service, priority=Priority.HIGH) == (
        SlaPromise(2, SlaUnit.WORKING_HOURS),
        SlaPromise(5, SlaUnit.WORKING_DAYS),
    )


def test_change_priority_recomputes_from_opening_plus_time_paused(raise_, service, clock):
    SlaTargetFactory(service=service, priority=Priority.URGENT, resolution_value=2)
    case = status(raise_(), S.IN_PROGRESS)
    clock(2026, 3, 3, 10)
    case = status(case, S.WAITING_CUSTOMER)
    clock(2026, 3, 5, 10)
    case = status(case, S.IN_PROGRESS)  # 16 working hours paused
    clock(2026, 3, 5, 11)
    with pytest.raises(ValidationError):
        services.change_priority(actor=None, case=case, priority=Priority.URGENT, reason=" ")
    with pytest.raises(ValidationError):
        services.change_priority(actor=None, case=case, priority="whenever", reason="Because")
    case = services.change_priority(
        actor=None, case=case, priority=Priority.URGENT, reason="Blocking a fire exit"
    )
    stored = reload(case)
    # Two working days from Monday 10:00 is Wednesday 17:00; plus 16 working hours paused.
    assert stored.resolution_due_at == london(2026, 3, 6, 17)
    assert stored.priority == Priority.URGENT
    event = CaseEvent.objects.filter(case=case, kind=EventKind.PRIORITY_CHANGED).get()
    assert event.data == {"from": Priority.NORMAL, "to": Priority.URGENT}
    assert event.text == "Blocking a fire exit"


def test_change_priority_while_paused_then_resume(raise_, service, clock):
    SlaTargetFactory(service=service, priority=Priority.URGENT, resolution_value=2)
    case = status(raise_(), S.IN_PROGRESS)
    clock(2026, 3, 3, 10)
    case = status(case, S.WAITING_CUSTOMER)
    clock(2026, 3, 4, 10)
    case = services.change_priority(
        actor=None, case=case, priority=Priority.URGENT, reason="Now blocking a path"
    )
    assert reload(case).resolution_due_at == london(2026, 3, 4, 17)
    clock(2026, 3, 5, 10)
    case = status(case, S.IN_PROGRESS)
    # The 16 working hours of this pause still count once the clock runs again.
    assert reload(case).resolution_due_at == london(2026, 3, 6, 17)


# Pausing and stopping


def test_pause_and_resume_moves_the_due_time_by_the_working_time_paused(raise_, clock):
    case = status(raise_(), S.IN_PROGRESS)  # first response given at once
    before = reload(case)
    clock(2026, 3, 3, 10)  # Tuesday 10:00
    case = status(case, S.WAITING_CUSTOMER)
    paused = reload(case)
    assert paused.clock_paused_at == london(2026, 3, 3, 10)
    assert paused.is_paused
    clock(2026, 3, 5, 10)  # Thursday 10:00
    case = status(case, S.IN_PROGRESS)
    after = reload(case)
    assert after.clock_paused_at is None
    assert after.paused_working_seconds == 2 * WORKING_DAY.total_seconds()
    assert before.resolution_due_at == london(2026, 3, 9, 17)
    assert after.resolution_due_at == london(2026, 3, 11, 17)
    assert after.resolution_warn_at == london(2026, 3, 10, 13, 15)
    kinds = list(
        CaseEvent.objects.filter(
            case=case, kind__in=[EventKind.CLOCK_PAUSED, EventKind.CLOCK_RESUMED]
        ).values_list("kind", flat=True)
    )
    assert kinds == [EventKind.CLOCK_PAUSED, EventKind.CLOCK_RESUMED]


def test_a_pause_over_a_weekend_counts_no_weekend_time(raise_, clock):
    case = status(raise_(), S.IN_PROGRESS)
    due = reload(case).resolution_due_at
    clock(2026, 3, 6, 17)  # Friday at closing time
    case = status(case, S.WAITING_CUSTOMER)
    clock(2026, 3, 9, 9)  # Monday at opening time
    case = status(case, S.IN_PROGRESS)
    stored = reload(case)
    assert stored.paused_working_seconds == 0
    assert stored.resolution_due_at == due


def test_a_pause_from_friday_afternoon_to_monday_morning(raise_, clock):
    case = status(raise_(), S.IN_PROGRESS)
    clock(2026, 3, 6, 15)
    case = status(case, S.WAITING_CUSTOMER)
    clock(2026, 3, 9, 11)
    case = status(case, S.IN_PROGRESS)
    stored = reload(case)
    assert stored.paused_working_seconds == 4 * 3600
    # Due Monday 17:00 with 10 working hours left at the pause, counted again from Monday 11:00.
    assert stored.resolution_due_at == london(2026, 3, 10, 13)


def test_a_target_missed_before_the_pause_does_not_move(raise_, service, clock):
    service.sla_value = 1
    service.save()
    case = status(raise_(), S.IN_PROGRESS)
    assert reload(case).resolution_due_at == london(2026, 3, 3, 17)
    clock(2026, 3, 4, 10)  # a day late
    case = status(case, S.WAITING_CUSTOMER)
    clock(2026, 3, 5, 10)
    case = status(case, S.IN_PROGRESS)
    stored = reload(case)
    assert stored.resolution_due_at == london(2026, 3, 3, 17)
    assert stored.paused_working_seconds == WORKING_DAY.total_seconds()


def test_waiting_for_a_third_party_runs_the_clock_by_default(raise_, clock):
    case = status(raise_(), S.WAITING_THIRD_PARTY)
    assert reload(case).clock_paused_at is None


def test_a_clock_policy_can_pause_for_third_parties_too(raise_, council, clock):
    services.set_clock_policy(
        actor=None,
        organisation=council,
        pausing=[S.WAITING_CUSTOMER, S.WAITING_THIRD_PARTY],
        stopping=[S.RESOLVED, S.CLOSED],
    )
    case = status(raise_(), S.IN_PROGRESS)
    clock(2026, 3, 3, 10)
    case = status(case, S.WAITING_THIRD_PARTY)
    assert reload(case).clock_paused_at == london(2026, 3, 3, 10)
    clock(2026, 3, 4, 10)
    case = status(case, S.WAITING_CUSTOMER)  # from one pause to another: still paused
    assert reload(case).clock_paused_at == london(2026, 3, 3, 10)
    clock(2026, 3, 5, 10)
    case = status(case, S.IN_PROGRESS)
    stored = reload(case)
    assert stored.paused_working_seconds == 2 * WORKING_DAY.total_seconds()
    assert stored.resolution_due_at == london(2026, 3, 11, 17)


def test_clock_policy_is_checked(council):
    with pytest.raises(ValidationError):
        services.set_clock_policy(
            actor=None, organisation=council, pausing=["napping"], stopping=[]
        )
    with pytest.raises(ValidationError):
        services.set_clock_policy(
            actor=None, organisation=council, pausing=[S.RESOLVED], stopping=[S.RESOLVED]
        )
    with pytest.raises(ValidationError):
        services.set_clock_policy(
            actor=None, organisation=council, pausing=[S.IN_PROGRESS], stopping=[]
        )
    assert not SlaClockPolicy.objects.exists()
    policy = services.set_clock_policy(
        actor=None, organisation=council, pausing=[S.WAITING_THIRD_PARTY], stopping=[S.CLOSED]
    )
    again = services.set_clock_policy(
        actor=None, organisation=council, pausing=[S.WAITING_CUSTOMER], stopping=[S.CLOSED]
    )
    assert again.pk == policy.pk
    assert SlaClockPolicy.objects.get().pausing_statuses == [S.WAITING_CUSTOMER]


def test_resolving_stops_the_clock_and_reopening_restarts_it(raise_, clock):
    case = status(raise_(), S.IN_PROGRESS)
    clock(2026, 3, 3, 10)
    case = close(case, final=False)
    stored = reload(case)
    assert stored.clock_paused_at == london(2026, 3, 3, 10)
    paused = CaseEvent.objects.get(case=case, kind=EventKind.CLOCK_PAUSED)
    assert paused.data == {"reason": "stopped", "status": S.RESOLVED}
    clock(2026, 3, 5, 10)
    case = services.reopen_case(actor=None, case=case, reason="Bags are back")
    stored = reload(case)
    assert stored.clock_paused_at is None
    assert stored.paused_working_seconds == 2 * WORKING_DAY.total_seconds()
    assert stored.resolution_due_at == london(2026, 3, 11, 17)


def test_closing_after_the_due_time_marks_the_breach_at_the_due_instant(raise_, service, clock):
    service.sla_value = 1
    service.save()
    case = status(raise_(), S.IN_PROGRESS)
    clock(2026, 3, 4, 10)
    case = close(case)
    stored = reload(case)
    assert stored.resolution_breached_at == london(2026, 3, 3, 17)
    event = CaseEvent.objects.get(case=case, kind=EventKind.RESOLUTION_BREACHED)
    assert event.occurred_at == london(2026, 3, 3, 17)


def test_closing_in_time_is_no_breach(raise_, clock):
    case = status(raise_(), S.IN_PROGRESS)
    clock(2026, 3, 9, 17)  # exactly at the due time
    case = close(case)
    assert reload(case).resolution_breached_at is None
    assert not CaseEvent.objects.filter(case=case, kind=EventKind.RESOLUTION_BREACHED).exists()


def test_closing_while_paused_counts_the_pause(raise_, service, clock):
    """The due time of a paused case is still ahead of it however long the pause."""
    service.sla_value = 1
    service.save()
    case = status(raise_(), S.IN_PROGRESS)
    clock(2026, 3, 3, 10)  # due at 17:00 today
    case = status(case, S.WAITING_CUSTOMER)
    clock(2026, 3, 6, 10)  # the customer never answered
    case = close(case)
    assert reload(case).resolution_breached_at is None


def test_closing_while_paused_after_missing_the_target_is_a_breach(raise_, service, clock):
    service.sla_value = 1
    service.save()
    case = status(raise_(), S.IN_PROGRESS)
    clock(2026, 3, 4, 10)  # due yesterday at 17:00
    case = status(case, S.WAITING_CUSTOMER)
    clock(2026, 3, 6, 10)
    case = close(case)
    assert reload(case).resolution_breached_at == london(2026, 3, 3, 17)


# First response


def test_moving_to_in_progress_is_the_first_response(raise_, team_leader, officer, clock):
    case = services.assign_case(actor=team_leader, case=raise_(), assignee=officer)
    services.add_note(actor=team_leader, case=case, text="Internal only")
    assert reload(case).first_response_at is None  # assigning and internal notes are not
    clock(2026, 3, 2, 11)
    status(case, S.IN_PROGRESS)
    clock(2026, 3, 2, 12)
    status(case, S.WAITING_CUSTOMER)
    assert reload(case).first_response_at == london(2026, 3, 2, 11)


def test_a_public_update_is_the_first_response(raise_, team_leader, clock):
    case = raise_()
    clock(2026, 3, 2, 12)
    services.add_note(actor=team_leader, case=case, text="Booked for Friday", public=True)
    assert reload(case).first_response_at == london(2026, 3, 2, 12)


def test_a_late_first_response_is_marked_at_the_due_instant(raise_, team_leader, clock):
    """Answering after the due time is a breach even if no sweep ran in between."""
    case = raise_()
    clock(2026, 3, 2, 16)  # due at 14:00
    services.add_note(actor=team_leader, case=case, text="Booked for Friday", public=True)
    stored = reload(case)
    assert stored.first_response_breached_at == london(2026, 3, 2, 14)
    assert CaseEvent.objects.filter(case=case, kind=EventKind.FIRST_RESPONSE_BREACHED).count() == 1
    other = raise_()  # due Tuesday 12:00
    clock(2026, 3, 3, 13)
    status(other, S.IN_PROGRESS)
    assert reload(other).first_response_breached_at == london(2026, 3, 3, 12)


def test_first_response_due_does_not_move_once_answered(raise_, clock):
    case = status(raise_(), S.WAITING_CUSTOMER)  # the question to the customer answers them
    due = reload(case).first_response_due_at
    clock(2026, 3, 4, 10)
    case = status(case, S.IN_PROGRESS)
    assert reload(case).first_response_due_at == due


def test_a_policy_change_while_paused_does_not_strand_the_clock(raise_, council, clock):
    """Paused under one policy, resumed under another: the clock still runs again."""
    services.set_clock_policy(
        actor=None,
        organisation=council,
        pausing=[S.WAITING_CUSTOMER, S.WAITING_THIRD_PARTY],
        stopping=[S.RESOLVED, S.CLOSED],
    )
    case = status(raise_(), S.IN_PROGRESS)
    clock(2026, 3, 3, 10)
    case = status(case, S.WAITING_THIRD_PARTY)
    services.set_clock_policy(
        actor=None, organisation=council, pausing=[S.WAITING_CUSTOMER], stopping=[S.CLOSED]
    )
    clock(2026, 3, 5, 10)
    case = status(case, S.IN_PROGRESS)
    stored = reload(case)
    assert stored.clock_paused_at is None
    assert stored.paused_working_seconds == 2 * WORKING_DAY.total_seconds()
    assert stored.resolution_due_at == london(2026, 3, 11, 17)


def test_a_finished_case_clock_stops_whatever_the_policy(raise_, council, clock):
    services.set_clock_policy(
        actor=None, organisation=council, pausing=[S.WAITING_CUSTOMER], stopping=[]
    )
    case = status(raise_(), S.IN_PROGRESS)
    clock(2026, 3, 3, 10)
    case = close(case)
    assert reload(case).clock_paused_at == london(2026, 3, 3, 10)
    clock(2026, 3, 5, 10)
    case = services.reopen_case(actor=None, case=case, reason="Bags are back")
    assert reload(case).resolution_due_at == london(2026, 3, 11, 17)


def test_a_lower_priority_lifts_marks_made_against_the_old_targets(raise_, service, clock):
    SlaTargetFactory(service=service, priority=Priority.URGENT, resolution_value=1)
    case = raise_(priority=Priority.URGENT)  # Monday 10:00, due Tuesday 17:00
    escalation.sweep(now=london(2026, 3, 4, 9))
    assert reload(case).resolution_breached_at == london(2026, 3, 3, 17)
    clock(2026, 3, 4, 9)

    services.change_priority(actor=None, case=case, priority=Priority.NORMAL, reason="Not urgent")

    stored = reload(case)
    assert stored.resolution_due_at == london(2026, 3, 9, 17)
    assert stored.resolution_breached_at is None
    assert stored.warned_at is None  # the new warning point is still ahead
