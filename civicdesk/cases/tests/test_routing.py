"""Routing a new case to a team, and choosing who in the team takes it."""

import pytest
from django.core.exceptions import ValidationError

from civicdesk.cases.models import AssignmentCursor, CaseStatus
from civicdesk.catalogue.selectors import team_for_place
from civicdesk.organisations.models import Role, Team
from civicdesk.organisations.tests.factories import MembershipFactory, TeamFactory
from civicdesk.places.tests.factories import AddressFactory, WardFactory

from .factories import CaseFactory, RoutingRuleFactory, ServiceFactory


@pytest.fixture
def north_team(council):
    return TeamFactory(organisation=council, name="Streets north", slug="streets-north")


@pytest.fixture
def contractor_team(council):
    return TeamFactory(organisation=council, name="Cleansing contractor", slug="contractor")


def test_a_ward_rule_beats_the_council_wide_rule_beats_the_owning_team(
    raise_, service, streets_team, north_team, contractor_team, address, ward, council
):
    assert raise_(address=address).team == streets_team  # no rules: the owning team
    RoutingRuleFactory(service=service, ward=None, team=contractor_team)
    assert raise_(address=address).team == contractor_team
    assert raise_().team == contractor_team  # no address, no ward: the council-wide rule
    RoutingRuleFactory(service=service, ward=ward, team=north_team)
    assert raise_(address=address).team == north_team
    elsewhere = AddressFactory(organisation=council, ward=WardFactory(organisation=council))
    assert raise_(address=elsewhere).team == contractor_team
    assert raise_().team == contractor_team


def test_a_ward_rule_without_a_council_wide_rule(service, streets_team, north_team, ward):
    RoutingRuleFactory(service=service, ward=ward, team=north_team)
    assert team_for_place(service=service, ward_id=ward.pk) == north_team
    assert team_for_place(service=service, ward_id=None) == streets_team
    assert team_for_place(service=service, ward_id=ward.pk + 1000) == streets_team


def test_rules_of_another_service_do_not_count(service, council, north_team, ward, streets_team):
    other = ServiceFactory(organisation=council, owning_team=north_team)
    RoutingRuleFactory(service=other, ward=ward, team=north_team)
    RoutingRuleFactory(service=other, ward=None, team=north_team)
    assert team_for_place(service=service, ward_id=ward.pk) == streets_team


def test_a_rule_may_send_the_work_to_a_partner_team(raise_, service, partner_team, council):
    RoutingRuleFactory(service=service, ward=None, team=partner_team)
    case = raise_()
    assert case.team == partner_team
    assert case.organisation == council  # still the council's case


def test_no_team_is_a_clear_error(raise_, service):
    service.owning_team = None
    service.save()
    with pytest.raises(ValidationError) as caught:
        raise_()
    assert caught.value.message_dict["service"] == [
        "No team works this service yet: ask an administrator to set one."
    ]


def test_manual_assignment_leaves_the_case_in_the_pool(raise_, streets_team, officer):
    assert streets_team.case_assignment == Team.CaseAssignment.MANUAL
    case = raise_()
    assert case.assignee is None
    assert case.status == CaseStatus.OPEN


def _officers(team, count):
    return [MembershipFactory(team=team, role=Role.OFFICER).user for _ in range(count)]


def test_round_robin_cycles_through_the_officers_skipping_inactive_ones(raise_, streets_team):
    streets_team.case_assignment = Team.CaseAssignment.ROUND_ROBIN
    streets_team.save()
    MembershipFactory(team=streets_team, role=Role.TEAM_LEADER)  # leaders are not in the rota
    first, away, third = _officers(streets_team, 3)
    away.is_active = False
    away.save()
    picks = [raise_() for _ in range(5)]
    assert [case.assignee for case in picks] == [first, third, first, third, first]
    assert {case.status for case in picks} == {CaseStatus.ASSIGNED}
    assert AssignmentCursor.objects.get(team=streets_team).last_assignee == first


def test_round_robin_continues_after_the_last_with_a_newcomer(raise_, streets_team):
    streets_team.case_assignment = Team.CaseAssignment.ROUND_ROBIN
    streets_team.save()
    first, second = _officers(streets_team, 2)
    assert [raise_().assignee for _ in range(2)] == [first, second]
    (newcomer,) = _officers(streets_team, 1)
    assert [raise_().assignee for _ in range(3)] == [newcomer, first, second]


def test_round_robin_shares_among_team_leaders_when_there_are_no_officers(raise_, streets_team):
    streets_team.case_assignment = Team.CaseAssignment.ROUND_ROBIN
    streets_team.save()
    leaders = [MembershipFactory(team=streets_team, role=Role.TEAM_LEADER).user for _ in range(2)]
    MembershipFactory(team=streets_team, role=Role.AGENT)
    assert [raise_().assignee for _ in range(3)] == [leaders[0], leaders[1], leaders[0]]


def test_automatic_assignment_with_nobody_to_assign(raise_, streets_team):
    streets_team.case_assignment = Team.CaseAssignment.ROUND_ROBIN
    streets_team.save()
    assert raise_().assignee is None


def test_least_loaded_picks_the_officer_with_fewest_open_cases(raise_, service, streets_team):
    streets_team.case_assignment = Team.CaseAssignment.LEAST_LOADED
    streets_team.save()
    busy, quiet, also_quiet = _officers(streets_team, 3)
    for _ in range(2):
        CaseFactory(service=service, assignee=busy)
    CaseFactory(service=service, assignee=quiet)
    CaseFactory(service=service, assignee=also_quiet)
    # Closed cases and other teams' cases are no load.
    for _ in range(3):
        CaseFactory(service=service, assignee=quiet, is_open=False, status=CaseStatus.CLOSED)
    other = ServiceFactory(organisation=service.organisation)
    MembershipFactory(team=other.owning_team, user=also_quiet, role=Role.OFFICER)
    CaseFactory(service=other, assignee=also_quiet)
    # quiet and also_quiet tie on one open case each here: the lower id wins.
    assert raise_().assignee == quiet
    assert raise_().assignee == also_quiet
    assert raise_().assignee == busy  # now all on two: the lowest id again
    assert raise_().assignee == quiet


def test_least_loaded_skips_inactive_officers(raise_, streets_team):
    streets_team.case_assignment = Team.CaseAssignment.LEAST_LOADED
    streets_team.save()
    away, present = _officers(streets_team, 2)
    away.is_active = False
    away.save()
    assert {raise_().assignee for _ in range(3)} == {present}
