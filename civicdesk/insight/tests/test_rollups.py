"""The rollups agree with the raw records: after a random stream of contacts, cases, chases,
closures, reopenings and merges, refreshed now and then as the worker would, every day's and
month's figures equal what counting the raw rows directly gives, and a rebuild from scratch
gives the same rows again. The stream crosses the end of British Summer Time (25 October 2026),
when a local day is 25 hours long."""

import datetime
import random
from collections import defaultdict
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from civicdesk.cases import services as cases
from civicdesk.cases.models import Case, ResolutionCode
from civicdesk.cases.reports import chase_case
from civicdesk.cases.tests.factories import CustomerFactory, ServiceFactory
from civicdesk.contacts.models import AvoidableReason, Contact, Outcome
from civicdesk.contacts.services import log_contact
from civicdesk.insight import rollups, services
from civicdesk.insight.models import (
    BacklogDay,
    CaseDay,
    CaseDaySummary,
    CaseMonth,
    CaseMonthSummary,
    ContactDay,
    ContactDaySummary,
    ContactHour,
    ContactMonth,
    ContactMonthSummary,
    ContactSlot,
    RollupState,
    StaleDay,
)
from civicdesk.insight.selectors import (
    ContactFigures,
    Filters,
    contact_breakdown,
    contacts_by_hour,
)
from civicdesk.organisations.models import Role
from civicdesk.organisations.tests.factories import MembershipFactory, TeamFactory
from civicdesk.people.services import merge_customers
from civicdesk.places.tests.factories import AddressFactory, WardFactory

LONDON = ZoneInfo("Europe/London")
START = datetime.datetime(2026, 10, 20, 9, 0, tzinfo=LONDON)
CONTACT_KEYS = ("service_id", "channel", "ward_id", "team_id", "outcome")
CASE_KEYS = ("service_id", "channel", "ward_id", "team_id")


class Borough:
    """Two services run by two teams, two wards, six residents (two of them without a home on
    the gazetteer), an agent and an officer in each team."""

    def __init__(self, council: Any, contact_centre: Any, agent: Any) -> None:
        self.council = council
        self.agent = agent
        self.teams = [
            TeamFactory(organisation=council, name=name, slug=name.lower())
            for name in ("Streets", "Waste")
        ]
        self.officers = {
            team.pk: MembershipFactory(team=team, role=Role.TEAM_LEADER).user for team in self.teams
        }
        self.services = [
            ServiceFactory(organisation=council, owning_team=team) for team in self.teams
        ]
        wards = [WardFactory(organisation=council, name=name) for name in ("North", "South")]
        self.addresses = [AddressFactory(organisation=council, ward=ward) for ward in wards]
        self.customers = [
            CustomerFactory(
                organisation=council,
                address=self.addresses[index % 2] if index < 4 else None,
            )
            for index in range(6)
        ]
        self.contact_centre = contact_centre


def _step(rng: random.Random, borough: Borough, time_machine: Any, now: datetime.datetime):
    """One random thing happening, returning the time afterwards."""
    now += datetime.timedelta(minutes=rng.choice([1, 17, 45, 130, 400, 900, 1500]))
    time_machine.move_to(now, tick=False)
    live = [c for c in borough.customers if not c.merged_into_id]
    kind = rng.choices(["contact", "case", "close", "reopen", "chase", "merge"], [8, 4, 3, 1, 2, 1])
    kind = kind[0]
    if kind == "contact":
        customer = rng.choice([*live, None])
        reason = rng.choice(["", "", AvoidableReason.UNCLEAR_INFORMATION])
        started = now - datetime.timedelta(minutes=rng.choice([0, 5, 60, 60 * 30]))
        log_contact(
            actor=borough.agent,
            organisation=borough.council,
            channel=rng.choice(["phone", "web", "email"]),
            outcome=rng.choice(Outcome.values),
            customer=customer,
            service=rng.choice([*borough.services, None]),
            team=rng.choice([borough.contact_centre, None]),
            started_at=started,
            ended_at=started + datetime.timedelta(seconds=rng.randint(0, 900)),
            avoidable_reason=reason,
        )
    elif kind == "case":
        cases.raise_case(
            actor=borough.agent,
            organisation=borough.council,
            service=rng.choice(borough.services),
            description="Overflowing bin",
            channel=rng.choice(["phone", "web"]),
            customer=rng.choice(live),
            address=rng.choice([*borough.addresses, None]),
            location_description="By the shops",
        )
    elif kind in ("close", "reopen", "chase"):
        wanted = {"close": True, "chase": True, "reopen": False}[kind]
        found = list(Case.objects.filter(is_open=wanted).order_by("pk"))
        if not found:
            return now
        case = rng.choice(found)
        if kind == "close":
            cases.close_case(
                actor=borough.officers[case.team_id],
                case=case,
                resolution_code=ResolutionCode.DONE,
                message="Emptied.",
                final=rng.random() < 0.5,
            )
        elif kind == "chase":
            chase_case(actor=borough.agent, case=case, channel="phone")
        else:
            cases.reopen_case(actor=borough.officers[case.team_id], case=case, reason="Not done")
    elif len(live) > 2:
        survivor, duplicate = rng.sample(live, 2)
        merge_customers(actor=borough.agent, survivor=survivor, duplicate=duplicate)
        for customer in borough.customers:
            customer.refresh_from_db()
    return now


def _each_contact() -> list[tuple[Contact, list[int]]]:
    """Every contact with its measures, counted from the raw rows."""
    rows = list(Contact.objects.all())
    window = datetime.timedelta(days=7)
    measured = []
    for contact in rows:
        identified = bool(contact.customer_id and contact.service_id)
        repeated = identified and any(
            other.customer_id == contact.customer_id
            and other.service_id == contact.service_id
            and (other.started_at, other.pk) > (contact.started_at, contact.pk)
            and other.started_at <= contact.started_at + window
            for other in rows
        )
        figures = [
            1,
            int((contact.ended_at - contact.started_at).total_seconds()),
            int(bool(contact.avoidable_reason)),
            int(contact.avoidable_reason == AvoidableReason.CHASING),
            int(identified),
            int(repeated),
        ]
        measured.append((contact, figures))
    return measured


def _grouped(items: list[tuple[tuple, list[int]]]) -> dict[tuple, list[int]]:
    grouped: dict[tuple, list[int]] = {}
    for key, figures in items:
        total = grouped.setdefault(key, [0] * len(figures))
        for index, value in enumerate(figures):
            total[index] += value
    return grouped


def _expected_contacts() -> dict[tuple, list[int]]:
    return _grouped(
        [
            (
                (
                    contact.started_at.astimezone(LONDON).date(),
                    *(getattr(contact, name) for name in CONTACT_KEYS),
                ),
                figures,
            )
            for contact, figures in _each_contact()
        ]
    )


def _expected_cases() -> dict[tuple, list[int]]:
    expected: dict[tuple, list[int]] = defaultdict(lambda: [0] * 6)
    for case in Case.objects.all():
        key = tuple(getattr(case, name) for name in CASE_KEYS)
        expected[(case.opened_at.astimezone(LONDON).date(), *key)][0] += 1
        if case.resolved_at:
            figures = expected[(case.resolved_at.astimezone(LONDON).date(), *key)]
            figures[1] += 1
            figures[2] += case.resolution_breached_at is None
            figures[3] += int((case.resolved_at - case.opened_at).total_seconds())
            figures[4] += case.chase_count > 0
            figures[5] += case.chase_count
    return dict(expected)


# What each summary dimension reads off a contact or a case.
SUMMARY_VALUES = {
    "": lambda record: (None, None, None, "", None),
    "service": lambda record: (record.service_id, None, None, "", None),
    "ward": lambda record: (None, record.ward_id, None, "", None),
    "team": lambda record: (None, None, record.team_id, "", None),
    "outcome": lambda record: (None, None, None, record.outcome, None),
    "hour": lambda record: (None, None, None, "", record.started_at.astimezone(LONDON).hour),
}
SUMMARY_KEYS = (
    "channel",
    "dimension",
    "service_id",
    "ward_id",
    "team_id",
    "outcome",
    "hour_of_day",
)
SUMMARY_MEASURES = (
    *("contacts", "handled_seconds", "avoidable", "chasing", "identified", "repeated"),
    *("resolved_first_time", "resolved_and_necessary", "abandoned"),
)


def _expected_contact_summaries() -> dict[tuple, list[int]]:
    """Each contact counted once by channel alone and once by each dimension, with the
    outcome's measures: resolved (less the avoidable) and abandoned."""
    items = []
    for contact, figures in _each_contact():
        resolved = contact.outcome == Outcome.RESOLVED
        measures = [
            *figures,
            int(resolved),
            int(resolved and not contact.avoidable_reason),
            int(contact.outcome == Outcome.ABANDONED),
        ]
        day = contact.started_at.astimezone(LONDON).date()
        for dimension, values in SUMMARY_VALUES.items():
            items.append(((day, contact.channel, dimension, *values(contact)), measures))
    return _grouped(items)


CONTACT_MEASURES = ("contacts", "handled_seconds", "avoidable", "chasing", "identified", "repeated")
CASE_MEASURES = ("opened", "resolved", "resolved_in_time", "cycle_seconds", "chased", "chases")


def _stored(model: Any, period: str, keys: tuple, measures: tuple) -> dict[tuple, list[int]]:
    stored: dict[tuple, list[int]] = {}
    for row in model.objects.values(period, *keys, *measures):
        key = (row[period], *(row[name] for name in keys))
        assert key not in stored, f"two rows for {key}"
        stored[key] = [row[name] for name in measures]
    return stored


def _by_month(by_day: dict[tuple, list[int]]) -> dict[tuple, list[int]]:
    return _grouped(
        [((day.replace(day=1), *key), figures) for (day, *key), figures in by_day.items()]
    )


def _nonzero(figures: dict[tuple, list[int]]) -> dict[tuple, list[int]]:
    return {key: values for key, values in figures.items() if any(values)}


def _check_against_raw(council: Any) -> None:
    contacts = _expected_contacts()
    assert _stored(ContactDay, "day", CONTACT_KEYS, CONTACT_MEASURES) == contacts
    assert _stored(ContactMonth, "month", CONTACT_KEYS, CONTACT_MEASURES) == _by_month(contacts)
    hourly = defaultdict(lambda: [0] * 6)
    for row in ContactHour.objects.values("hour", *CONTACT_KEYS, *CONTACT_MEASURES):
        total = hourly[(rollups.local_day(row["hour"]), *(row[k] for k in CONTACT_KEYS))]
        for index, name in enumerate(CONTACT_MEASURES):
            total[index] += row[name]
    assert dict(hourly) == contacts
    slots = sum(ContactSlot.objects.values_list("contacts", flat=True))
    assert slots == Contact.objects.count()

    summaries = _expected_contact_summaries()
    assert _stored(ContactDaySummary, "day", SUMMARY_KEYS, SUMMARY_MEASURES) == summaries
    assert _stored(ContactMonthSummary, "month", SUMMARY_KEYS, SUMMARY_MEASURES) == _by_month(
        summaries
    )

    case_figures = _nonzero(_expected_cases())
    assert _nonzero(_stored(CaseDay, "day", CASE_KEYS, CASE_MEASURES)) == case_figures
    assert _nonzero(_stored(CaseMonth, "month", CASE_KEYS, CASE_MEASURES)) == _by_month(
        case_figures
    )
    case_summaries = _nonzero(
        _grouped(
            [
                ((day, channel, dimension, *values[1:4]), figures)
                for (
                    day,
                    service_id,
                    channel,
                    ward_id,
                    team_id,
                ), figures in _expected_cases().items()
                for dimension, values in (
                    ("", (None, None, None, None)),
                    ("service", (None, service_id, None, None)),
                    ("ward", (None, None, ward_id, None)),
                    ("team", (None, None, None, team_id)),
                )
            ]
        )
    )
    keys = SUMMARY_KEYS[:5]
    assert _nonzero(_stored(CaseDaySummary, "day", keys, CASE_MEASURES)) == case_summaries
    assert _nonzero(_stored(CaseMonthSummary, "month", keys, CASE_MEASURES)) == _by_month(
        case_summaries
    )
    today = rollups.local_day(datetime.datetime.now(datetime.UTC))
    backlog = defaultdict(int)
    for case in Case.objects.filter(resolved_at__isnull=True):
        backlog[(case.service_id, case.team_id, case.ward_id)] += 1
    stored = {
        (row.service_id, row.team_id, row.ward_id): row.open
        for row in BacklogDay.objects.filter(day=today)
    }
    assert stored == dict(backlog)


def _check_pages_against_raw(council: Any, borough: Borough) -> None:
    """What the pages read (the summaries, or the full rollups under a service, team or ward
    filter), over loose days of October and the whole of November, agrees with the raw rows."""
    first, last = datetime.date(2026, 10, 15), datetime.date(2026, 11, 30)
    contacts = [
        contact
        for contact in Contact.objects.all()
        if first <= contact.started_at.astimezone(LONDON).date() <= last
    ]
    service = borough.services[0]
    for extra in (
        {},
        {"channel": "phone"},
        {"service_id": service.pk},
        {"teams": (service.owning_team_id,)},
    ):
        filters = Filters(start=first, end=last, **extra)
        chosen = [
            contact
            for contact in contacts
            if all(
                getattr(contact, name) == value for name, value in extra.items() if name != "teams"
            )
            and contact.team_id in extra.get("teams", (contact.team_id,))
        ]
        dimensions = ("channel", "service_id", "ward_id", "team_id", "outcome")
        read = contact_breakdown(organisation=council, filters=filters, dimensions=dimensions)
        assert read[None].get(None, ContactFigures()).contacts == len(chosen)
        assert read[None].get(None, ContactFigures()).abandoned == sum(
            contact.outcome == Outcome.ABANDONED for contact in chosen
        )
        for name in dimensions:
            counted = defaultdict(int)
            for contact in chosen:
                counted[getattr(contact, name)] += 1
            assert {key: figures.contacts for key, figures in read[name].items()} == counted
        by_hour = defaultdict(int)
        for contact in chosen:
            by_hour[contact.started_at.astimezone(LONDON).hour] += 1
        assert contacts_by_hour(organisation=council, filters=filters) == [
            (hour, by_hour[hour]) for hour in range(24)
        ]


@pytest.mark.parametrize("seed", range(4))
def test_rollups_equal_the_raw_counts_after_a_random_stream(
    seed: int, council: Any, contact_centre: Any, agent: Any, time_machine: Any
) -> None:
    rng = random.Random(seed)
    time_machine.move_to(START, tick=False)
    borough = Borough(council, contact_centre, MembershipFactory(
        team=contact_centre, role=Role.TEAM_LEADER
    ).user)  # fmt: skip
    now = START
    for _ in range(70):
        now = _step(rng, borough, time_machine, now)
        if rng.random() < 0.15:
            services.refresh(organisation=council)
    services.refresh(organisation=council)
    assert not StaleDay.objects.exists()
    assert Contact.objects.count() > 20 and Case.objects.filter(resolved_at__isnull=False)
    _check_against_raw(council)
    _check_pages_against_raw(council, borough)
    incremental = {
        model: _stored(model, period, keys, measures)
        for model, period, keys, measures in (
            (ContactDay, "day", CONTACT_KEYS, CONTACT_MEASURES),
            (CaseDay, "day", CASE_KEYS, CASE_MEASURES),
        )
    }

    services.rebuild(organisation=council)
    _check_against_raw(council)
    assert _stored(ContactDay, "day", CONTACT_KEYS, CONTACT_MEASURES) == incremental[ContactDay]
    assert _stored(CaseDay, "day", CASE_KEYS, CASE_MEASURES) == incremental[CaseDay]

    # Rollups made before the summaries existed get them on the next refresh.
    for model in (ContactDaySummary, ContactMonthSummary, CaseDaySummary, CaseMonthSummary):
        model.objects.all().delete()
    RollupState.objects.filter(organisation=council).update(summarised=False)
    services.refresh(organisation=council)
    _check_against_raw(council)
    assert RollupState.objects.get(organisation=council).summarised


def test_a_day_changed_during_a_refresh_stays_marked(council: Any) -> None:
    day = datetime.date(2026, 10, 25)
    moment = datetime.datetime(2026, 10, 25, 12, tzinfo=LONDON)
    services.mark_stale(organisation_id=council.pk, moments=[moment])
    stale = StaleDay.objects.get()
    services.mark_stale(organisation_id=council.pk, moments=[moment, None])
    # A refresh that read version 1 must not clear the mark version 2 made.
    StaleDay.objects.filter(pk=stale.pk, version=stale.version).delete()
    assert StaleDay.objects.get(day=day).version == 2


def test_a_local_day_at_the_clock_change_has_25_hours() -> None:
    start, end = rollups.day_bounds(datetime.date(2026, 10, 25))
    assert end - start == datetime.timedelta(hours=25)
    start, end = rollups.day_bounds(datetime.date(2026, 3, 29))
    assert end - start == datetime.timedelta(hours=23)


def test_the_backlog_is_reconstructed_for_past_days(council: Any, time_machine: Any) -> None:
    """A case open from Monday to Wednesday, overdue from Tuesday: in the backlog at the end of
    Monday and Tuesday, overdue on Tuesday, and gone on Wednesday."""
    service = ServiceFactory(organisation=council)
    monday = datetime.datetime(2026, 11, 2, 10, tzinfo=LONDON)
    Case.objects.create(
        organisation=council, service=service, team=service.owning_team, channel="phone",
        description="Bin", opened_at=monday,
        resolution_due_at=monday + datetime.timedelta(days=1),
        resolved_at=monday + datetime.timedelta(days=2), is_open=False, status="closed",
    )  # fmt: skip
    Case.objects.create(
        organisation=council, service=service, team=service.owning_team, channel="phone",
        description="Bin", opened_at=monday - datetime.timedelta(days=30),
    )  # fmt: skip
    time_machine.move_to(monday + datetime.timedelta(days=10), tick=False)
    services.rebuild(organisation=council)
    by_day = {
        row.day: row
        for row in BacklogDay.objects.filter(
            day__range=(monday.date(), monday.date() + datetime.timedelta(days=2))
        )
    }
    figures = {day: (row.open, row.overdue, row.older_than_week) for day, row in by_day.items()}
    assert figures == {
        monday.date(): (2, 0, 1),
        monday.date() + datetime.timedelta(days=1): (2, 1, 1),
        monday.date() + datetime.timedelta(days=2): (1, 0, 1),
    }


def test_survey_answers_reach_the_rollups_of_the_day_surveyed(council, agent, time_machine):
    """An answer given days later counts on the day of the contact or case it is about."""
    from civicdesk.surveys.models import SurveyInvitation
    from civicdesk.surveys.services import answer_survey

    time_machine.move_to(START, tick=False)
    service = ServiceFactory(organisation=council)
    customer = CustomerFactory(organisation=council)
    contact = log_contact(
        actor=agent, organisation=council, channel="phone", outcome="resolved",
        customer=customer, service=service,
    )  # fmt: skip
    case = Case.objects.create(
        organisation=council, service=service, team=service.owning_team, channel="web",
        description="Bin", opened_at=START - datetime.timedelta(days=3), resolved_at=START,
        is_open=False, status="closed",
    )  # fmt: skip
    invitations = [
        SurveyInvitation.objects.create(
            organisation=council,
            customer=customer,
            sent_at=START,
            expires_at=START + datetime.timedelta(days=14),
            **about,
        )
        for about in ({"contact": contact}, {"case": case})
    ]
    services.refresh(organisation=council)
    time_machine.move_to(START + datetime.timedelta(days=4), tick=False)
    answer_survey(invitation=invitations[0], rating=4, resolved=True, comment="")
    answer_survey(invitation=invitations[1], rating=2, resolved=None, comment="Slow")
    services.refresh(organisation=council)

    day = ContactDay.objects.get(day=START.date())
    assert (day.responses, day.rating_total, day.answered_resolved, day.said_resolved) == (
        1, 4, 1, 1
    )  # fmt: skip
    case_day = CaseDay.objects.get(day=START.date(), resolved=1)
    assert (case_day.responses, case_day.rating_total, case_day.answered_resolved) == (1, 2, 0)
