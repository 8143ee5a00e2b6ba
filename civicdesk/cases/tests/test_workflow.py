"""The case workflow: every transition TRANSITIONS allows works through the services, and the
services refuse every one it does not."""

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from civicdesk.cases import services
from civicdesk.cases.models import (
    FINISHED_STATUSES,
    TRANSITIONS,
    CaseEvent,
    CaseStatus,
    EventKind,
    ResolutionCode,
)
from civicdesk.core.models import AuditAction, AuditEvent
from civicdesk.organisations.models import Role
from civicdesk.organisations.tests.factories import MembershipFactory, TeamFactory

from .support import london, reload

S = CaseStatus
WORKING = (S.IN_PROGRESS, S.WAITING_CUSTOMER, S.WAITING_THIRD_PARTY)


def bring_to(case: Any, status: str, *, actor: Any, assignee: Any) -> Any:
    """A fresh case moved to `status` by the shortest road the services allow."""
    if status == S.OPEN:
        return case
    if status == S.ASSIGNED:
        return services.assign_case(actor=actor, case=case, assignee=assignee)
    if status in WORKING:
        return services.change_status(actor=actor, case=case, status=status)
    if status in (S.RESOLVED, S.CLOSED):
        return services.close_case(
            actor=actor,
            case=case,
            resolution_code=ResolutionCode.DONE,
            message="We cleared the rubbish.",
            final=status == S.CLOSED,
        )
    assert status == S.REOPENED
    case = bring_to(case, S.CLOSED, actor=actor, assignee=assignee)
    return services.reopen_case(actor=actor, case=case, reason="More bags were left.")


def move(case: Any, status: str, *, actor: Any, assignee: Any) -> Any:
    """Ask the service that owns a move to make it."""
    if status == S.ASSIGNED:
        return services.assign_case(actor=actor, case=case, assignee=assignee)
    if status == S.OPEN:
        return services.assign_case(actor=actor, case=case, assignee=None)
    if status in WORKING:
        return services.change_status(actor=actor, case=case, status=status)
    if status in (S.RESOLVED, S.CLOSED):
        return services.close_case(
            actor=actor,
            case=case,
            resolution_code=ResolutionCode.NO_ACTION_NEEDED,
            message="Inspected: nothing to clear.",
            final=status == S.CLOSED,
        )
    return services.reopen_case(actor=actor, case=case, reason="The customer rang back.")


ALLOWED = sorted((start, end) for start, ends in TRANSITIONS.items() for end in ends)


@pytest.mark.parametrize(("start", "end"), ALLOWED)
def test_every_allowed_transition_works(start, end, raise_, team_leader, officer, clock):
    case = bring_to(raise_(), start, actor=team_leader, assignee=officer)
    assert case.status == start
    if end == S.OPEN:  # taking a case back into the pool needs someone to take it from
        assert case.assignee == officer
    clock(2026, 3, 2, 11)
    moved = move(case, end, actor=team_leader, assignee=officer)
    stored = reload(moved)
    assert stored.status == end
    assert stored.is_open is (end not in FINISHED_STATUSES)
    change = CaseEvent.objects.filter(case=case, kind=EventKind.STATUS_CHANGED).last()
    assert change.data == {"from": start, "to": end}


# Moves TRANSITIONS does not allow, each through the service that would make it.
# A finished or reopened case cannot be finished or reopened again either.
FORBIDDEN = [
    *sorted(
        (start, end)
        for start in S.values
        for end in (*WORKING, S.RESOLVED, S.CLOSED, S.REOPENED)
        if end not in TRANSITIONS[start] and end != start
    ),
    (S.RESOLVED, S.RESOLVED),
    (S.CLOSED, S.CLOSED),
    (S.REOPENED, S.REOPENED),
]


@pytest.mark.parametrize(("start", "end"), FORBIDDEN)
def test_every_forbidden_transition_is_refused(start, end, raise_, team_leader, officer, clock):
    case = bring_to(raise_(), start, actor=team_leader, assignee=officer)
    events = CaseEvent.objects.filter(case=case).count()
    with pytest.raises(ValidationError):
        move(case, end, actor=team_leader, assignee=officer)
    stored = reload(case)
    assert stored.status == start
    assert CaseEvent.objects.filter(case=case).count() == events


@pytest.mark.parametrize(
    ("start", "end"),
    [(S.CLOSED, S.IN_PROGRESS), (S.OPEN, S.REOPENED), (S.RESOLVED, S.WAITING_CUSTOMER)],
)
def test_the_named_forbidden_moves(start, end, raise_, team_leader, officer):
    case = bring_to(raise_(), start, actor=team_leader, assignee=officer)
    with pytest.raises(ValidationError):
        move(case, end, actor=team_leader, assignee=officer)


def test_only_working_statuses_are_set_directly(raise_, team_leader):
    case = raise_()
    for status in (S.OPEN, S.ASSIGNED, S.RESOLVED, S.CLOSED, S.REOPENED, "lost"):
        with pytest.raises(ValidationError) as caught:
            services.change_status(actor=team_leader, case=case, status=status)
        assert "status" in caught.value.message_dict


def test_setting_the_status_a_case_already_has_changes_nothing(raise_, team_leader):
    """A retried form (double click) must not fail or write a second event."""
    case = services.change_status(actor=team_leader, case=raise_(), status=S.IN_PROGRESS)
    events = CaseEvent.objects.filter(case=case).count()
    again = services.change_status(actor=team_leader, case=case, status=S.IN_PROGRESS)
    assert again.status == S.IN_PROGRESS
    assert CaseEvent.objects.filter(case=case).count() == events


def test_a_finished_case_cannot_be_assigned(raise_, team_leader, officer):
    case = bring_to(raise_(), S.CLOSED, actor=team_leader, assignee=officer)
    with pytest.raises(ValidationError):
        services.assign_case(actor=team_leader, case=case, assignee=officer)


def test_assigning_a_case_being_worked_keeps_its_status(raise_, team_leader, officer):
    case = bring_to(raise_(), S.WAITING_CUSTOMER, actor=team_leader, assignee=officer)
    case = services.assign_case(actor=team_leader, case=case, assignee=officer)
    assert (case.status, case.assignee) == (S.WAITING_CUSTOMER, officer)


def test_closing_needs_a_resolution_code_and_a_message(raise_, team_leader):
    case = raise_()
    with pytest.raises(ValidationError) as caught:
        services.close_case(actor=team_leader, case=case, resolution_code="", message="  ")
    assert set(caught.value.message_dict) == {"resolution_code", "message"}
    with pytest.raises(ValidationError) as caught:
        services.close_case(actor=team_leader, case=case, resolution_code="sorted", message="Done")
    assert set(caught.value.message_dict) == {"resolution_code"}
    assert reload(case).status == S.OPEN


def test_resolving_then_closing(raise_, team_leader, clock):
    case = raise_()
    clock(2026, 3, 3, 10)
    case = services.close_case(
        actor=team_leader,
        case=case,
        resolution_code=ResolutionCode.DONE,
        message="Cleared.",
        final=False,
    )
    stored = reload(case)
    assert (stored.status, stored.is_open) == (S.RESOLVED, False)
    assert stored.resolved_at == london(2026, 3, 3, 10)
    assert stored.closed_at is None
    resolved_at = stored.resolved_at
    clock(2026, 3, 5, 10)
    # A resolved case closes later without a new code or message.
    case = services.close_case(actor=team_leader, case=case, resolution_code="", message="")
    stored = reload(case)
    assert (stored.status, stored.resolution_code) == (S.CLOSED, ResolutionCode.DONE)
    assert stored.resolved_at == resolved_at
    assert stored.closed_at > resolved_at


def test_reopening_clears_the_resolution(raise_, team_leader):
    case = bring_to(raise_(), S.CLOSED, actor=team_leader, assignee=None)
    with pytest.raises(ValidationError) as caught:
        services.reopen_case(actor=team_leader, case=case, reason=" ")
    assert "reason" in caught.value.message_dict
    case = services.reopen_case(actor=team_leader, case=case, reason="Rubbish is back.")
    stored = reload(case)
    assert (stored.status, stored.is_open) == (S.REOPENED, True)
    assert stored.resolved_at is None
    assert stored.closed_at is None
    assert stored.resolution_code == ""
    assert CaseEvent.objects.filter(case=case, kind=EventKind.REOPENED).count() == 1


def test_reopened_case_can_be_closed_again(raise_, team_leader, officer):
    case = bring_to(raise_(), S.REOPENED, actor=team_leader, assignee=officer)
    case = move(case, S.CLOSED, actor=team_leader, assignee=officer)
    assert reload(case).status == S.CLOSED
    assert reload(case).resolution_code == ResolutionCode.NO_ACTION_NEEDED


def test_unassigning_returns_the_case_to_the_pool(raise_, team_leader, officer):
    case = services.assign_case(actor=team_leader, case=raise_(), assignee=officer)
    case = services.assign_case(actor=team_leader, case=case, assignee=None)
    stored = reload(case)
    assert (stored.status, stored.assignee) == (S.OPEN, None)


def test_only_members_of_the_case_team_are_assigned(raise_, team_leader, council):
    outsider = MembershipFactory(team=TeamFactory(organisation=council), role=Role.OFFICER).user
    with pytest.raises(ValidationError) as caught:
        services.assign_case(actor=team_leader, case=raise_(), assignee=outsider)
    assert "assignee" in caught.value.message_dict


def test_an_officer_may_take_a_case_but_not_give_it_away(raise_, officer, streets_team):
    colleague = MembershipFactory(team=streets_team, role=Role.OFFICER).user
    case = raise_()
    with pytest.raises(PermissionDenied):
        services.assign_case(actor=officer, case=case, assignee=colleague)
    case = services.assign_case(actor=officer, case=case, assignee=officer)
    assert reload(case).assignee == officer


def test_bulk_assignment_is_all_or_nothing(raise_, team_leader, officer):
    first, finished = raise_(), bring_to(raise_(), S.CLOSED, actor=team_leader, assignee=None)
    with pytest.raises(ValidationError):
        services.assign_cases(actor=team_leader, cases=[first, finished], assignee=officer)
    assert reload(first).assignee is None
    second = raise_()
    services.assign_cases(actor=team_leader, cases=[first, second], assignee=officer)
    assert {reload(first).assignee, reload(second).assignee} == {officer}


def test_colleagues_outside_the_team_cannot_work_the_case(raise_, agent):
    case = raise_()
    with pytest.raises(PermissionDenied):
        services.change_status(actor=agent, case=case, status=S.IN_PROGRESS)
    with pytest.raises(PermissionDenied):
        services.close_case(
            actor=agent, case=case, resolution_code=ResolutionCode.DONE, message="Done"
        )


def test_changes_are_audited(raise_, team_leader):
    case = services.change_status(actor=team_leader, case=raise_(), status=S.IN_PROGRESS)
    entry = (
        AuditEvent.objects.filter(record_type="cases.case", record_id=str(case.pk))
        .order_by("pk")
        .last()
    )
    assert entry.action == AuditAction.UPDATED
    assert entry.actor == team_leader


def test_notes_internal_and_public(raise_, team_leader, agent):
    case = raise_()
    with pytest.raises(ValidationError):
        services.add_note(actor=team_leader, case=case, text="  ")
    note = services.add_note(actor=agent, case=case, text="Caller rang to add detail.")
    assert (note.kind, note.is_public) == (EventKind.NOTE, False)
    with pytest.raises(PermissionDenied):  # an agent notes; only the team updates the customer
        services.add_note(actor=agent, case=case, text="On its way", public=True)
    update = services.add_note(actor=team_leader, case=case, text="Booked for Friday", public=True)
    assert (update.kind, update.is_public) == (EventKind.PUBLIC_UPDATE, True)
