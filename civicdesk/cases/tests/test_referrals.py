"""Referring a case to another of the council's teams or to a partner agency, and the answers."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from civicdesk.cases import referrals, services
from civicdesk.cases.models import CaseEvent, EventKind, ReferralStatus, ResolutionCode
from civicdesk.cases.policy import NO_ACCESS, case_access, referral_access, staff_member
from civicdesk.cases.selectors import (
    case_for_user,
    referral_for_user,
    referrals_for_case,
    referrals_for_team,
)
from civicdesk.notify.models import Message, MessageEvent
from civicdesk.organisations.models import Role
from civicdesk.organisations.tests.factories import MembershipFactory, TeamFactory
from civicdesk.people.models import Consent
from civicdesk.people.services import record_consent

from .factories import PartnerFactory
from .support import london


@pytest.fixture
def housing_team(council):
    return TeamFactory(
        organisation=council,
        name="Housing options",
        slug="housing-options",
        referral_acknowledge_hours=8,
        referral_complete_days=10,
    )


@pytest.fixture
def case(raise_, customer, clock):
    return raise_(customer=customer)


def refer(case, to_team, actor=None, **fields):
    return referrals.refer_case(
        actor=actor, case=case, to_team=to_team, scope="Check on the tenant", **fields
    )


def test_referral_to_a_council_team(case, housing_team, officer, streets_team):
    referral = refer(case, housing_team, actor=officer)
    assert referral.from_team == streets_team
    assert referral.status == ReferralStatus.PENDING
    assert referral.referred_at == london(2026, 3, 2, 10)
    # 8 working hours from Monday 10:00; 10 working days to close on Monday 16 March.
    assert referral.acknowledge_due_at == london(2026, 3, 3, 10)
    assert referral.due_at == london(2026, 3, 16, 17)
    assert referral.share_customer_details  # within the council, details go with the case
    event = CaseEvent.objects.get(case=case, kind=EventKind.REFERRED)
    assert (event.referral, event.actor, event.text) == (referral, officer, "Check on the tenant")
    assert referrals_for_case(case=case) == [referral]


def test_referral_to_a_partner_agency(case, partner_team, partner_officer, team_leader):
    referral = refer(case, partner_team, actor=team_leader)
    assert referral.acknowledge_due_at == london(2026, 3, 2, 14)
    assert referral.due_at == london(2026, 3, 5, 17)
    assert not referral.share_customer_details
    assert list(referrals_for_team(user=partner_officer, team=partner_team)) == [referral]


def test_referral_clocks_skip_bank_holidays(case, partner_team, clock):
    clock(2026, 4, 2, 16)  # the Thursday before Easter
    referral = refer(case, partner_team)
    assert referral.acknowledge_due_at == london(2026, 4, 7, 12)
    assert referral.due_at == london(2026, 4, 9, 17)


def test_the_receiving_team_leaders_are_told(case, partner_team, message_templates):
    """In the council's words: a partner agency working in CivicDesk has no templates of its
    own, and the message is the council's, about the council's case."""
    leader = MembershipFactory(team=partner_team, role=Role.TEAM_LEADER).user
    MembershipFactory(team=partner_team, role=Role.OFFICER)  # officers are not told
    refer(case, partner_team)
    (message,) = Message.objects.filter(event=MessageEvent.REFERRAL)
    assert (message.staff_member, message.about_reference) == (leader, case.reference)
    assert message.organisation == case.organisation
    assert message.personalisation["due"] == "5 March 2026"


def test_not_to_the_team_that_has_the_case(case, streets_team):
    with pytest.raises(ValidationError) as caught:
        refer(case, streets_team)
    assert "to_team" in caught.value.message_dict


def test_not_to_another_council_or_its_partners(case, other_council):
    for team in (
        TeamFactory(organisation=other_council),
        TeamFactory(organisation=PartnerFactory(parent=other_council)),
        TeamFactory(organisation=PartnerFactory(parent=None)),
    ):
        with pytest.raises(ValidationError) as caught:
            refer(case, team)
        assert "to_team" in caught.value.message_dict
    assert not case.referrals.exists()


def test_not_twice_while_one_is_active(case, partner_team, partner_officer):
    first = refer(case, partner_team)
    with pytest.raises(ValidationError) as caught:
        refer(case, partner_team)
    assert "to_team" in caught.value.message_dict
    referrals.acknowledge_referral(actor=partner_officer, referral=first)
    with pytest.raises(ValidationError):
        refer(case, partner_team)
    referrals.decline_referral(actor=partner_officer, referral=first, reason="Not our tenant")
    second = refer(case, partner_team)
    assert second.status == ReferralStatus.PENDING


def test_a_finished_case_is_not_referred(case, partner_team):
    services.close_case(
        actor=None, case=case, resolution_code=ResolutionCode.DONE, message="All done"
    )
    with pytest.raises(ValidationError) as caught:
        refer(case, partner_team)
    assert "case" in caught.value.message_dict


def test_the_scope_is_required(case, partner_team):
    with pytest.raises(ValidationError) as caught:
        referrals.refer_case(actor=None, case=case, to_team=partner_team, scope="  ")
    assert "scope" in caught.value.message_dict


def test_sharing_details_with_a_partner_needs_consent(case, customer, partner_team):
    with pytest.raises(ValidationError) as caught:
        refer(case, partner_team, share_customer_details=True)
    assert "share_customer_details" in caught.value.message_dict
    record_consent(
        actor=None, customer=customer, purpose=Consent.Purpose.SHARE_WITH_PARTNERS, granted=True
    )
    referral = refer(case, partner_team, share_customer_details=True)
    assert referral.share_customer_details


def test_withdrawn_consent_counts(case, customer, partner_team, clock):
    record_consent(
        actor=None, customer=customer, purpose=Consent.Purpose.SHARE_WITH_PARTNERS, granted=True
    )
    clock(2026, 3, 2, 11)
    record_consent(
        actor=None, customer=customer, purpose=Consent.Purpose.SHARE_WITH_PARTNERS, granted=False
    )
    with pytest.raises(ValidationError):
        refer(case, partner_team, share_customer_details=True)


def test_other_consents_do_not_count(case, customer, partner_team):
    record_consent(actor=None, customer=customer, purpose=Consent.Purpose.SURVEYS, granted=True)
    with pytest.raises(ValidationError):
        refer(case, partner_team, share_customer_details=True)


def test_only_this_cases_attachments_are_shared(case, raise_, partner_team, media):
    other = raise_()
    photo = services.add_attachment(
        actor=None, case=other, upload=SimpleUploadedFile("a.txt", b"A note about it")
    )
    with pytest.raises(ValidationError) as caught:
        refer(case, partner_team, attachments=[photo])
    assert "attachments" in caught.value.message_dict
    mine = services.add_attachment(
        actor=None, case=case, upload=SimpleUploadedFile("b.txt", b"Another note")
    )
    referral = refer(case, partner_team, attachments=[mine])
    assert list(referral.shared_attachments.all()) == [mine]


def test_only_those_who_work_the_case_refer_it(case, partner_team, agent):
    with pytest.raises(PermissionDenied):
        refer(case, partner_team, actor=agent)


# Answers


def test_only_the_receiving_team_answers(case, partner_team, partner_officer, officer, clock):
    referral = refer(case, partner_team, actor=officer)
    for answer in (
        lambda actor: referrals.acknowledge_referral(actor=actor, referral=referral),
        lambda actor: referrals.complete_referral(actor=actor, referral=referral, outcome="Done"),
        lambda actor: referrals.decline_referral(actor=actor, referral=referral, reason="No"),
    ):
        with pytest.raises(PermissionDenied):
            answer(officer)
    clock(2026, 3, 2, 11)
    acknowledged = referrals.acknowledge_referral(actor=partner_officer, referral=referral)
    assert acknowledged.status == ReferralStatus.ACKNOWLEDGED
    assert (acknowledged.acknowledged_at, acknowledged.acknowledged_by) == (
        london(2026, 3, 2, 11),
        partner_officer,
    )
    with pytest.raises(ValidationError):  # acknowledged already
        referrals.acknowledge_referral(actor=partner_officer, referral=referral)
    with pytest.raises(ValidationError):
        referrals.complete_referral(actor=partner_officer, referral=referral, outcome=" ")
    clock(2026, 3, 3, 15)
    done = referrals.complete_referral(
        actor=partner_officer, referral=referral, outcome="Tenant visited"
    )
    assert (done.status, done.finished_at, done.outcome) == (
        ReferralStatus.COMPLETED,
        london(2026, 3, 3, 15),
        "Tenant visited",
    )
    with pytest.raises(ValidationError):
        referrals.decline_referral(actor=partner_officer, referral=referral, reason="Late")
    kinds = list(CaseEvent.objects.filter(referral=referral).values_list("kind", flat=True))
    assert kinds == [
        EventKind.REFERRED,
        EventKind.REFERRAL_ACKNOWLEDGED,
        EventKind.REFERRAL_COMPLETED,
    ]


def test_completing_a_pending_referral_acknowledges_it_too(case, partner_team, partner_officer):
    referral = refer(case, partner_team)
    done = referrals.complete_referral(actor=partner_officer, referral=referral, outcome="Done")
    assert done.acknowledged_at == done.finished_at


def test_declining_needs_a_reason(case, partner_team, partner_officer):
    referral = refer(case, partner_team)
    with pytest.raises(ValidationError):
        referrals.decline_referral(actor=partner_officer, referral=referral, reason="")
    declined = referrals.decline_referral(
        actor=partner_officer, referral=referral, reason="Not one of our tenants"
    )
    assert (declined.status, declined.outcome) == (
        ReferralStatus.DECLINED,
        "Not one of our tenants",
    )


def test_only_the_referring_side_withdraws(case, partner_team, partner_officer, officer):
    referral = refer(case, partner_team)
    with pytest.raises(PermissionDenied):
        referrals.withdraw_referral(actor=partner_officer, referral=referral, reason="Oops")
    with pytest.raises(ValidationError):
        referrals.withdraw_referral(actor=officer, referral=referral, reason=" ")
    withdrawn = referrals.withdraw_referral(
        actor=officer, referral=referral, reason="Sorted it ourselves"
    )
    assert withdrawn.status == ReferralStatus.WITHDRAWN
    with pytest.raises(ValidationError):
        referrals.withdraw_referral(actor=officer, referral=referral, reason="Again")
    with pytest.raises(ValidationError):
        referrals.acknowledge_referral(actor=partner_officer, referral=referral)


def test_notes_between_the_two_sides(case, partner_team, partner_officer, officer, agent):
    referral = refer(case, partner_team)
    referrals.add_referral_note(actor=partner_officer, referral=referral, text="Visiting Friday")
    referrals.add_referral_note(actor=officer, referral=referral, text="Thanks")
    with pytest.raises(ValidationError):
        referrals.add_referral_note(actor=officer, referral=referral, text="  ")
    with pytest.raises(PermissionDenied):  # a council agent outside the case team
        referrals.add_referral_note(actor=agent, referral=referral, text="Hello")
    texts = list(
        CaseEvent.objects.filter(referral=referral, kind=EventKind.REFERRAL_NOTE).values_list(
            "text", flat=True
        )
    )
    assert texts == ["Visiting Friday", "Thanks"]


# What partner staff see


def test_partner_staff_see_the_referral_not_the_case(case, partner_team, partner_officer):
    member = staff_member(partner_officer)
    assert member.is_partner
    assert case_access(member, case) == NO_ACCESS
    referral = refer(case, partner_team)
    access = referral_access(member, referral)
    assert (access.sees_referral, access.may_respond, access.may_withdraw) == (True, True, False)
    found, found_access = referral_for_user(user=partner_officer, pk=referral.pk)
    assert found == referral
    assert found_access == access
    with pytest.raises(Http404):
        case_for_user(user=partner_officer, reference=case.reference)


def test_other_partner_staff_see_nothing(case, partner_team, partner):
    stranger = MembershipFactory(team=TeamFactory(organisation=partner), role=Role.OFFICER).user
    referral = refer(case, partner_team)
    access = referral_access(staff_member(stranger), referral)
    assert (access.sees_referral, access.may_respond, access.may_withdraw) == (False, False, False)
    with pytest.raises(Http404):
        referral_for_user(user=stranger, pk=referral.pk)
    with pytest.raises(Http404):
        referral_for_user(user=stranger, pk=referral.pk + 100)


def test_the_referring_team_sees_the_referral(case, partner_team, officer):
    referral = refer(case, partner_team)
    access = referral_access(staff_member(officer), referral)
    assert (access.sees_referral, access.may_respond, access.may_withdraw) == (True, False, True)


def test_closing_the_case_withdraws_its_open_referrals(case, housing_team, partner_team, officer):
    open_one = refer(case, housing_team, actor=officer)
    done = refer(case, partner_team, actor=officer)
    referrals.complete_referral(actor=None, referral=done, outcome="Visited")

    services.close_case(
        actor=officer, case=case, resolution_code=ResolutionCode.DONE, message="Sorted."
    )

    open_one.refresh_from_db()
    done.refresh_from_db()
    assert open_one.status == ReferralStatus.WITHDRAWN
    assert open_one.outcome == "The case was closed."
    assert done.status == ReferralStatus.COMPLETED  # finished work keeps its own outcome
