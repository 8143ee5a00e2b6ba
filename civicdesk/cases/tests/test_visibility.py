"""Who sees what of a case: the council's own staff, sensitive services, partners, the audit."""

import pytest
from django.http import Http404

from civicdesk.cases import referrals, reports, services
from civicdesk.cases.models import Case
from civicdesk.cases.policy import (
    NO_ACCESS,
    CaseAccess,
    case_access,
    referral_access,
    staff_member,
)
from civicdesk.cases.selectors import case_for_user, cases_for_customer, cases_for_user
from civicdesk.core.models import AuditAction, AuditEvent
from civicdesk.organisations.models import Role
from civicdesk.organisations.tests.factories import MembershipFactory, TeamFactory, UserFactory

from .factories import RoutingRuleFactory


def access(user, case) -> CaseAccess:
    return case_access(staff_member(user), case)


@pytest.fixture
def sensitive_case(raise_, sensitive_service, customer):
    return raise_(service=sensitive_service, customer=customer, description="Sofa surfing")


def member_of(team, role=Role.OFFICER):
    return MembershipFactory(team=team, role=role).user


def test_standard_case_is_open_to_council_colleagues(raise_, agent, officer, team_leader):
    case = raise_()
    assert access(agent, case) == CaseAccess(True, True, True, True, False, False)
    assert access(officer, case) == CaseAccess(True, True, True, True, True, False)
    assert access(team_leader, case) == CaseAccess(True, True, True, True, True, True)


def test_colleague_outside_the_entitled_teams_learns_only_that_it_exists(sensitive_case, agent):
    got = access(agent, sensitive_case)
    assert (got.sees_case, got.sees_details) == (True, False)
    assert (got.may_note, got.may_work, got.may_assign) == (False, False, False)
    # The caller is told it is with housing options; the chase is theirs to log.
    assert not got.may_chase


def test_owning_team_sees_the_details(sensitive_case, sensitive_service):
    housing_officer = member_of(sensitive_service.owning_team)
    assert sensitive_case.team == sensitive_service.owning_team
    got = access(housing_officer, sensitive_case)
    assert (got.sees_details, got.may_work) == (True, True)


def test_entitled_team_sees_the_details_but_does_not_work_the_case(
    sensitive_case, sensitive_service
):
    hub_officer = member_of(sensitive_service.entitled_teams.get())
    got = access(hub_officer, sensitive_case)
    assert (got.sees_details, got.may_note, got.may_work) == (True, True, False)


def test_the_team_the_case_was_routed_to_sees_the_details(raise_, sensitive_service, council):
    outreach = TeamFactory(organisation=council, name="Street outreach")
    RoutingRuleFactory(service=sensitive_service, ward=None, team=outreach)
    case = raise_(service=sensitive_service)
    assert case.team == outreach
    got = access(member_of(outreach), case)
    assert (got.sees_details, got.may_work) == (True, True)


def test_a_manager_outside_the_entitled_teams_sees_no_details(sensitive_case, council):
    manager = member_of(TeamFactory(organisation=council), Role.MANAGER)
    got = access(manager, sensitive_case)
    assert (got.sees_case, got.sees_details, got.may_work, got.may_assign) == (
        True,
        False,
        False,
        False,
    )


def test_a_manager_in_an_entitled_team_works_and_assigns(sensitive_case, sensitive_service):
    manager = member_of(sensitive_service.entitled_teams.get(), Role.MANAGER)
    got = access(manager, sensitive_case)
    assert (got.sees_details, got.may_work, got.may_assign) == (True, True, True)


def test_a_superuser_sees_everything(sensitive_case, superuser):
    assert access(superuser, sensitive_case) == CaseAccess(True, True, True, True, True, True)
    found, _access = case_for_user(user=superuser, reference=sensitive_case.reference)
    assert found == sensitive_case


def test_another_councils_staff_see_nothing(raise_, other_council):
    outsider = member_of(TeamFactory(organisation=other_council), Role.MANAGER)
    case = raise_()
    assert access(outsider, case) == NO_ACCESS
    with pytest.raises(Http404):
        case_for_user(user=outsider, reference=case.reference)


def test_nobody_signed_in_or_deactivated_sees_nothing(raise_, officer):
    case = raise_()
    officer.is_active = False
    officer.save()
    assert access(officer, case) == NO_ACCESS
    assert access(UserFactory(), case) == NO_ACCESS  # no membership anywhere


def test_case_for_user_hides_restricted_cases(sensitive_case, sensitive_service, agent):
    with pytest.raises(Http404):
        case_for_user(user=agent, reference=sensitive_case.reference)
    housing_officer = member_of(sensitive_service.owning_team)
    found, got = case_for_user(user=housing_officer, reference=sensitive_case.reference.lower())
    assert found == sensitive_case
    assert got.may_work
    for nonsense in ("", "CAS-000000", "not a reference", "CAS-0000012"):
        with pytest.raises(Http404):
            case_for_user(user=housing_officer, reference=nonsense)


def test_cases_for_customer_marks_restricted_entries(
    raise_, sensitive_case, sensitive_service, customer, council, agent, other_council
):
    standard = raise_(customer=customer)
    followed = raise_()
    reports.link_report(actor=None, case=followed, customer=customer)
    raise_()  # someone else's
    entries = cases_for_customer(user=agent, customer=customer)
    assert [(entry.case, entry.restricted) for entry in entries] == [
        (followed, False),
        (standard, False),
        (sensitive_case, True),
    ]
    housing_officer = member_of(sensitive_service.owning_team)
    entries = cases_for_customer(user=housing_officer, customer=customer)
    assert [entry.restricted for entry in entries] == [False, False, False]
    outsider = member_of(TeamFactory(organisation=other_council))
    assert cases_for_customer(user=outsider, customer=customer) == []


def test_reading_a_sensitive_case_is_audited(sensitive_case, raise_, sensitive_service):
    housing_officer = member_of(sensitive_service.owning_team)
    services.record_case_view(actor=housing_officer, case=sensitive_case)
    entry = AuditEvent.objects.get(action=AuditAction.VIEWED_SENSITIVE)
    assert (entry.actor, entry.record_type, entry.record_id) == (
        housing_officer,
        "cases.case",
        str(sensitive_case.pk),
    )
    services.record_case_view(actor=housing_officer, case=raise_())
    assert AuditEvent.objects.filter(action=AuditAction.VIEWED_SENSITIVE).count() == 1


def test_safeguarding_is_as_closed_as_sensitive(raise_, sensitive_service, agent):
    sensitive_service.sensitivity = "safeguarding"
    sensitive_service.save()
    case = raise_(service=sensitive_service)
    assert access(agent, case).sees_details is False


# A case routed straight to a partner's team (a contractor doing the council's work)


def test_a_partner_team_works_the_cases_routed_to_it(raise_, service, partner_team, partner):
    RoutingRuleFactory(service=service, ward=None, team=partner_team)
    case = raise_()
    officer = member_of(partner_team)
    leader = member_of(partner_team, Role.TEAM_LEADER)
    got = access(officer, case)
    assert (got.sees_case, got.sees_details, got.may_work, got.may_assign) == (
        True,
        True,
        True,
        False,
    )
    assert access(leader, case).may_assign
    found, _access = case_for_user(user=officer, reference=case.reference)
    assert found == case
    stranger = member_of(TeamFactory(organisation=partner))
    assert access(stranger, case) == NO_ACCESS
    services.assign_case(actor=leader, case=case, assignee=officer)
    services.change_status(actor=officer, case=case, status="in_progress")


def test_a_partner_team_withdraws_what_it_referred(raise_, service, partner_team, council):
    RoutingRuleFactory(service=service, ward=None, team=partner_team)
    case = raise_()
    officer = member_of(partner_team)
    housing = TeamFactory(organisation=council)
    referral = referrals.refer_case(actor=officer, case=case, to_team=housing, scope="Advice")
    got = referral_access(staff_member(officer), referral)
    assert (got.sees_referral, got.may_respond, got.may_withdraw) == (True, False, True)
    referrals.withdraw_referral(actor=officer, referral=referral, reason="Not needed")


def test_a_reference_is_found_however_it_is_typed(raise_, officer):
    case = raise_()
    body = case.reference.removeprefix("CAS-")
    for typed in (
        case.reference.lower(),
        f" CAS {body} ",
        f"CAS\u2013{body}",  # an en dash from a word processor
        f"CAS{body}",
        f"CAS-{body.replace('0', 'O')}",  # the letter O read for a zero
    ):
        found, _access = case_for_user(user=officer, reference=typed)
        assert found == case, typed


def test_the_list_of_cases_agrees_with_the_policy_case_by_case(
    raise_,
    service,
    sensitive_service,
    partner_team,
    partner,
    council,
    other_council,
    agent,
    superuser,
):
    """`cases_for_user` answers for many cases at once what `case_access` answers for one."""
    outreach = TeamFactory(organisation=council, name="Street outreach")
    cases = [raise_(), raise_(service=sensitive_service)]
    RoutingRuleFactory(service=sensitive_service, ward=None, team=outreach)
    cases.append(raise_(service=sensitive_service))
    RoutingRuleFactory(service=service, ward=None, team=partner_team)
    cases.append(raise_())
    staff = [
        agent,
        superuser,
        UserFactory(),
        member_of(sensitive_service.owning_team),
        member_of(sensitive_service.entitled_teams.get(), Role.MANAGER),
        member_of(TeamFactory(organisation=council), Role.MANAGER),
        member_of(outreach),
        member_of(partner_team),
        member_of(TeamFactory(organisation=partner)),
        member_of(TeamFactory(organisation=other_council), Role.MANAGER),
    ]
    for user in staff:
        listed = set(cases_for_user(user=user).values_list("pk", flat=True))
        for case in Case.objects.filter(pk__in=[c.pk for c in cases]):
            assert (case.pk in listed) == access(user, case).sees_details, (user, case)
