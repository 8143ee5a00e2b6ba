"""Team queues: whose queues a member of staff opens, and what each lists."""

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from civicdesk.cases import escalation, services
from civicdesk.cases.models import CaseStatus, ResolutionCode
from civicdesk.cases.selectors import (
    QueueFilters,
    cases_for_customer,
    queues_for,
    team_for_queue,
    team_queue,
)
from civicdesk.catalogue.models import Priority
from civicdesk.organisations.models import Role
from civicdesk.organisations.tests.factories import MembershipFactory, TeamFactory, UserFactory
from civicdesk.places.tests.factories import AddressFactory, WardFactory

from .factories import RoutingRuleFactory, ServiceFactory, SlaTargetFactory
from .support import london


def queue(user, team, **filters):
    return list(team_queue(user=user, team=team, filters=QueueFilters(**filters)))


def test_whose_queues(council, streets_team, contact_centre, agent, officer, partner_officer):
    housing = TeamFactory(organisation=council, name="Housing options")
    manager = MembershipFactory(team=housing, role=Role.MANAGER).user
    assert queues_for(user=officer) == [streets_team]
    assert queues_for(user=agent) == []  # the contact centre has no queue
    assert {team.pk for team in queues_for(user=manager)} == {streets_team.pk, housing.pk}
    assert [team.name for team in queues_for(user=partner_officer)] == ["Tenancy support"]
    assert queues_for(user=UserFactory()) == []
    assert team_for_queue(user=manager, slug=streets_team.slug) == streets_team
    with pytest.raises(Http404):
        team_for_queue(user=officer, slug=housing.slug)


def test_a_superuser_without_a_team_sees_every_queue(superuser, streets_team, partner_team):
    assert {team.pk for team in queues_for(user=superuser)} >= {streets_team.pk, partner_team.pk}


def test_the_queue_soonest_due_first_open_only(raise_, service, officer, streets_team, clock):
    SlaTargetFactory(service=service, priority=Priority.URGENT, resolution_value=1)
    normal = raise_()
    clock(2026, 3, 2, 11)
    urgent = raise_(priority=Priority.URGENT)
    closed = services.close_case(
        actor=None, case=raise_(), resolution_code=ResolutionCode.DONE, message="Done"
    )
    assert queue(officer, streets_team) == [urgent, normal]
    assert queue(officer, streets_team, sort="opened") == [urgent, normal]
    assert queue(officer, streets_team, sort="priority") == [urgent, normal]
    assert set(queue(officer, streets_team, include_closed=True)) == {urgent, normal, closed}


def test_queue_filters(raise_, service, officer, team_leader, streets_team, council, clock):
    ward = WardFactory(organisation=council, name="Hillside")
    here = AddressFactory(organisation=council, ward=ward)
    mine = services.assign_case(actor=team_leader, case=raise_(address=here), assignee=officer)
    waiting = services.change_status(actor=None, case=raise_(), status=CaseStatus.WAITING_CUSTOMER)
    other_service = ServiceFactory(organisation=council, owning_team=streets_team)
    other = raise_(service=other_service)
    assert queue(officer, streets_team, status=CaseStatus.WAITING_CUSTOMER) == [waiting]
    assert queue(officer, streets_team, ward_id=ward.pk) == [mine]
    assert queue(officer, streets_team, service_id=other_service.pk) == [other]
    assert queue(officer, streets_team, assignee="me") == [mine]
    assert queue(officer, streets_team, assignee=str(officer.pk)) == [mine]
    assert set(queue(officer, streets_team, assignee="nobody")) == {waiting, other}
    clock(2026, 3, 8, 18)  # Sunday: the running cases fall due within 24 hours
    assert set(queue(officer, streets_team, due="soon")) == {mine, other}  # not the paused one
    clock(2026, 3, 10, 9)
    services.change_status(actor=None, case=mine, status=CaseStatus.IN_PROGRESS)
    escalation.sweep(now=london(2026, 3, 10, 9))
    assert set(queue(officer, streets_team, due="breached")) == {mine, other}


def test_a_manager_outside_the_entitled_teams_is_not_listed_sensitive_cases(
    raise_, council, sensitive_service, customer, streets_team, superuser
):
    housing = sensitive_service.owning_team
    homeless = raise_(service=sensitive_service, customer=customer)
    RoutingRuleFactory(service=sensitive_service, ward=None, team=streets_team)
    routed = raise_(service=sensitive_service, customer=customer)
    flytip = raise_()
    outsider = MembershipFactory(team=TeamFactory(organisation=council), role=Role.MANAGER).user
    assert queue(outsider, housing) == []
    assert queue(outsider, streets_team) == [flytip]
    hub_manager = MembershipFactory(
        team=sensitive_service.entitled_teams.get(), role=Role.MANAGER
    ).user
    assert queue(hub_manager, housing) == [homeless]
    assert set(queue(hub_manager, streets_team)) == {routed, flytip}
    housing_officer = MembershipFactory(team=housing, role=Role.OFFICER).user
    assert queue(housing_officer, housing) == [homeless]
    street_officer = MembershipFactory(team=streets_team, role=Role.OFFICER).user
    assert set(queue(street_officer, streets_team)) == {routed, flytip}  # the case team
    assert set(queue(superuser, streets_team)) == {routed, flytip}


def _queries(function) -> int:
    with CaptureQueriesContext(connection) as captured:
        function()
    return len(captured)


def test_lists_take_the_same_queries_however_long(
    raise_, customer, sensitive_service, officer, streets_team, agent
):
    def read_all():
        list(team_queue(user=officer, team=streets_team, filters=QueueFilters()))
        entries = cases_for_customer(user=agent, customer=customer)
        return [(entry.case.team.name, entry.case.service.name) for entry in entries]

    raise_(customer=customer)
    raise_(service=sensitive_service, customer=customer)
    read_all()  # the users' memberships are looked up once and kept on the user object
    few = _queries(read_all)
    for _ in range(4):
        raise_(customer=customer)
        raise_(service=sensitive_service, customer=customer)
    assert _queries(read_all) == few
