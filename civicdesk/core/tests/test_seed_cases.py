"""The demo's cases: their clocks agree with `cases.clock`, their timelines with their state.

The seed is run small (a few hundred contacts), so these stay quick.
"""

import datetime
import random
from collections import defaultdict
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from civicdesk.cases import clock, escalation
from civicdesk.cases.models import (
    TRANSITIONS,
    Case,
    CaseEvent,
    CaseStatus,
    EventKind,
    Referral,
    ReferralStatus,
)
from civicdesk.catalogue.models import RoutingRule, Service, SlaTarget, SlaUnit
from civicdesk.catalogue.selectors import SlaPromise, sla_promises_for
from civicdesk.contacts.models import Contact
from civicdesk.core.calendar import WorkingCalendar
from civicdesk.core.demo import loader
from civicdesk.core.demo.cases import WorkingTimeline, bulk_cases, to_datetime, to_seconds
from civicdesk.core.demo.residents import RESIDENT_EMAIL
from civicdesk.core.models import AuditEvent
from civicdesk.notify.models import Message, MessageTemplate
from civicdesk.organisations.models import Membership, Team, User
from civicdesk.organisations.selectors import calendar_for, parse_opening_hours

pytestmark = pytest.mark.django_db(transaction=False)
RESPONDING = {CaseStatus.IN_PROGRESS, CaseStatus.WAITING_CUSTOMER, CaseStatus.RESOLVED,
              CaseStatus.CLOSED}  # fmt: skip


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed", *args, stdout=out)
    return out.getvalue()


# The working timeline against the clock module it stands in for.


def test_the_working_timeline_agrees_with_the_sla_clock():
    calendar = WorkingCalendar(
        parse_opening_hours(loader.CONTACT_CENTRE_HOURS),
        closure_dates={datetime.date(2026, 12, 24)},
    )
    timeline = WorkingTimeline(calendar, datetime.date(2025, 12, 1), datetime.date(2028, 1, 31))
    rng = random.Random(3)
    promises = [SlaPromise(value, SlaUnit.WORKING_HOURS) for value in (1, 2, 4, 8, 9, 30)] + [
        SlaPromise(value, SlaUnit.WORKING_DAYS) for value in (1, 2, 5, 10, 30)
    ]
    # Ordinary days, both clock changes, Christmas (a closure and bank holidays), and moments
    # on the edges of opening hours.
    days = [(3, 27), (3, 29), (10, 23), (10, 25), (12, 23), (4, 2)]
    times = [(0, 0), (8, 29), (8, 30), (12, 0), (16, 30), (17, 30), (23, 59)]
    starts = [to_seconds(datetime.datetime(2026, month, day, hour, minute, tzinfo=datetime.UTC))
              for month, day in days for hour, minute in times]  # fmt: skip
    start_of_2026 = to_seconds(datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
    starts += [start_of_2026 + rng.randrange(365 * 86400) for _ in range(400)]
    for start in starts:
        moment = to_datetime(start)
        for promise in rng.sample(promises, 3):
            due = timeline.due(start, promise)
            assert to_datetime(due) == clock.due_after(calendar, moment, promise), (moment, promise)
            warn = timeline.warning(start, due)
            expected = clock.warning_point(calendar, moment, to_datetime(due))
            assert to_datetime(*warn) == expected, (moment, promise)
            paused_at = start + rng.randrange(4 * 86400)
            resumed_at = paused_at + rng.randrange(1, 6 * 86400)
            paused = timeline.worked(resumed_at) - timeline.worked(paused_at)
            assert datetime.timedelta(seconds=paused) == calendar.working_time_between(
                to_datetime(paused_at), to_datetime(resumed_at)
            )
            if warn[0] > paused_at and paused:
                moved = clock.moved_by_pause(
                    calendar, expected, to_datetime(paused_at), to_datetime(resumed_at)
                )
                assert to_datetime(timeline.shifted(warn[0], warn[1], paused), warn[1]) == moved


# Checking every case against its own timeline.


def replay(
    case: Case, events: list[CaseEvent], calendar: WorkingCalendar, promises: dict
) -> dict[str, Any]:
    """Work the case's clocks and status out again from its timeline, as the services would."""
    key = (case.service_id, case.priority)
    if key not in promises:
        promises[key] = sla_promises_for(service=case.service, priority=case.priority)
    first, resolution = promises[key]
    clocks = clock.start(calendar, case.opened_at, first, resolution)
    state = {
        "status": CaseStatus.OPEN, "first_response_at": None, "warned": False,
        "first_response_due_at": clocks.first_response_due_at,
        "resolution_due_at": clocks.resolution_due_at,
        "resolution_warn_at": clocks.resolution_warn_at,
        "paused": datetime.timedelta(0), "paused_at": None,
    }  # fmt: skip
    for event in events:
        at = event.occurred_at
        if event.kind == EventKind.STATUS_CHANGED:
            assert event.data["from"] == state["status"], (case.reference, event.data)
            assert event.data["to"] in TRANSITIONS[state["status"]], (case.reference, event.data)
            state["status"] = event.data["to"]
            if event.data["to"] in RESPONDING and state["first_response_at"] is None:
                state["first_response_at"] = at
        elif event.kind == EventKind.PUBLIC_UPDATE and state["first_response_at"] is None:
            state["first_response_at"] = at
        elif event.kind == EventKind.SLA_WARNING:
            state["warned"] = True
        elif event.kind == EventKind.CLOCK_PAUSED:
            state["paused_at"] = at
        elif event.kind == EventKind.CLOCK_RESUMED:
            paused_at = state["paused_at"]
            if state["first_response_at"] is None:
                state["first_response_due_at"] = clock.moved_by_pause(
                    calendar, state["first_response_due_at"], paused_at, at
                )
            state["resolution_due_at"] = clock.moved_by_pause(
                calendar, state["resolution_due_at"], paused_at, at
            )
            if not state["warned"]:
                state["resolution_warn_at"] = clock.moved_by_pause(
                    calendar, state["resolution_warn_at"], paused_at, at
                )
            state["paused"] += calendar.working_time_between(paused_at, at)
            state["paused_at"] = None
    return state


def check_cases(before: datetime.datetime, after: datetime.datetime) -> dict[str, int]:
    """Every case agrees with its timeline, and was warned and marked where the escalation
    sweep would have done it by `before` (and not after `after`)."""
    events: dict[int, list[CaseEvent]] = defaultdict(list)
    for event in CaseEvent.objects.order_by("occurred_at", "pk"):
        events[event.case_id].append(event)
    members = set(Membership.objects.values_list("team_id", "user_id"))
    calendars: dict[int, WorkingCalendar] = {}
    promises: dict = {}
    seen: dict[str, int] = defaultdict(int)
    for case in Case.objects.select_related("service", "organisation"):
        timeline = events[case.pk]
        calendar = calendars.setdefault(case.organisation_id, calendar_for(case.organisation))
        state = replay(case, timeline, calendar, promises)
        label = case.reference
        raised = [event for event in timeline if event.kind == EventKind.RAISED]
        assert len(raised) == 1 and raised[0].occurred_at == case.opened_at, label
        assert case.is_open == (case.status not in (CaseStatus.RESOLVED, CaseStatus.CLOSED))
        # The benchmark's finished cases keep only their raised, missed and closed events.
        compact = not case.is_open and all(e.kind != EventKind.STATUS_CHANGED for e in timeline)
        if compact:
            seen["compact"] += 1
        else:
            assert state["status"] == case.status, label
            assert case.first_response_at == state["first_response_at"], label
            assert case.paused_working_seconds == state["paused"].total_seconds(), label
        if not compact or not case.paused_working_seconds:
            for name in ("first_response_due_at", "resolution_due_at", "resolution_warn_at"):
                assert getattr(case, name) == state[name], (label, name)
        if case.assignee_id:
            assert (case.team_id, case.assignee_id) in members, label
        due = case.resolution_due_at
        if case.resolution_breached_at:
            assert case.resolution_breached_at == due, label
            assert any(e.kind == EventKind.RESOLUTION_BREACHED for e in timeline), label
            seen["breached"] += 1
        if case.first_response_breached_at:
            assert case.first_response_breached_at == case.first_response_due_at, label
        if case.warned_at:
            assert case.warned_at >= case.resolution_warn_at, label
        if not case.is_open:
            assert case.resolution_code and case.resolved_at and case.clock_paused_at, label
            assert (case.closed_at is not None) == (case.status == CaseStatus.CLOSED), label
            assert bool(case.resolution_breached_at) == (case.resolved_at > due), label
            public = [e for e in timeline if e.is_public and "resolution_code" in e.data]
            assert public and public[-1].data["resolution_code"] == case.resolution_code, label
            seen["finished"] += 1
        elif case.clock_paused_at:
            assert case.status == CaseStatus.WAITING_CUSTOMER, label
            assert bool(case.resolution_breached_at) == (due <= case.clock_paused_at), label
            seen["paused"] += 1
        else:
            if due <= before:
                assert case.resolution_breached_at, label
            if case.resolution_breached_at:
                assert due <= after, label
            if case.resolution_warn_at <= before:
                assert case.warned_at, label
            seen["open"] += 1
    return dict(seen)


# The demo seed.


def test_the_seeded_cases_agree_with_their_timelines_and_give_the_officers_work():
    before = timezone.now()
    # Enough addresses for several wards, so the second waste team's wards have some.
    seed("--customers", "300", "--contacts", "2500", "--open-cases", "60")
    seen = check_cases(before, timezone.now())

    assert seen["finished"] > 200
    assert seen["open"] + seen.get("paused", 0) >= 20
    assert seen.get("paused", 0) >= 2
    assert 0 < seen["breached"] < seen["finished"]
    # The seed ended with a sweep, so nothing is left for the next one.
    result = escalation.sweep()
    assert (result.warned, result.first_response_breached, result.resolution_breached) == (0, 0, 0)

    open_cases = Case.objects.filter(is_open=True)
    assert 30 <= open_cases.count() <= 120
    assert open_cases.filter(assignee__username="revenues").exists()
    assert open_cases.filter(team__slug="waste").exists()
    # Street reports in two wards go to the second waste team, which assigns automatically.
    north = Case.objects.filter(team__slug="waste-north")
    assert north.exists() and not north.filter(is_open=True, assignee__isnull=True).exists()
    assert open_cases.filter(status=CaseStatus.WAITING_CUSTOMER, clock_paused_at__isnull=False)
    referrals = Referral.objects.all()
    assert referrals.filter(to_team__slug="advice").exists()
    assert referrals.exclude(to_team__slug="advice").exists()
    assert referrals.filter(status=ReferralStatus.ACKNOWLEDGED).exists()
    # The recent backlog was raised and worked through the services: audited, and the
    # customers told.
    assert MessageTemplate.objects.exists() and Message.objects.exists()
    assert AuditEvent.objects.filter(record_type="cases.case").exists()

    # The settings behind it, which a second run (the benchmark's top-up) leaves alone.
    trees = Service.objects.get(slug="trees")
    assert trees.first_response_value == 2 and trees.sla_targets.filter(priority="urgent")
    assert Team.objects.get(slug="waste-north").case_assignment == "round_robin"
    assert RoutingRule.objects.filter(team__slug="waste-north").count() == 10
    counts = [model.objects.count() for model in (User, Membership, SlaTarget, RoutingRule)]
    loader.prepare_for_cases(
        council=loader.load_council(loader.find_council()), rng=random.Random(0)
    )
    assert [model.objects.count() for model in (User, Membership, SlaTarget, RoutingRule)] == counts


def test_the_same_seed_gives_the_same_cases(time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 23, 10, 0, tzinfo=datetime.UTC), tick=False)
    prints = []
    for _ in range(2):
        with transaction.atomic():
            seed("--customers", "40", "--contacts", "600", "--seed", "5")
            columns = ("service__slug", "customer__surname", "opened_at", "status", "priority",
                       "team__slug", "assignee__username", "description",
                       "resolution_due_at")  # fmt: skip
            prints.append(list(Case.objects.order_by("pk").values_list(*columns)))
            transaction.set_rollback(True)

    assert prints[0] and prints[0] == prints[1]


# The benchmark's bulk cases.


def test_bulk_cases_are_consistent_open_as_asked_and_resume_where_they_stopped():
    seed("--customers", "60", "--contacts", "1500")
    for model in (CaseEvent, Referral, Message, Case):
        model.objects.all().delete()
    # The demo resident's request, made as the demo was loaded, is not the seeded history's.
    Contact.objects.filter(customer__email=RESIDENT_EMAIL).delete()
    council = loader.load_council(loader.find_council())
    before = timezone.now()
    arguments = {"council": council, "seed": 9, "target": 800, "open_cases": 80,
                 "now": to_seconds(before), "last_contact_id": 10**9,
                 "say": lambda text: None}  # fmt: skip

    made, events, _referrals = bulk_cases(**arguments)

    assert made == 800 and Case.objects.count() == 800 and events >= 2 * made
    assert 40 <= Case.objects.filter(is_open=True).count() <= 130
    seen = check_cases(before, before)
    assert seen["compact"] > 600 and seen["breached"] > 50
    result = escalation.sweep(now=before)
    assert (result.warned, result.first_response_breached, result.resolution_breached) == (0, 0, 0)

    def rows(low: int) -> list[tuple]:
        columns = ("pk", "reference", "service_id", "customer_id", "opened_at", "status",
                   "resolution_due_at", "assignee_id", "description")  # fmt: skip
        return list(Case.objects.filter(pk__gt=low).order_by("pk").values_list(*columns))

    later_half = rows(400)
    CaseEvent.objects.filter(case_id__gt=400).delete()
    Referral.objects.filter(case_id__gt=400).delete()
    Case.objects.filter(pk__gt=400).delete()

    assert bulk_cases(**arguments)[0] == 400
    assert rows(400) == later_half
    assert bulk_cases(**arguments) == (0, 0, 0)
