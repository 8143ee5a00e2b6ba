import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from civicdesk.catalogue.models import Sensitivity
from civicdesk.catalogue.services import create_service
from civicdesk.contacts.models import AvoidableReason, Contact, Outcome
from civicdesk.contacts.selectors import contact_counts, customer_timeline
from civicdesk.contacts.services import log_contact, record_sensitive_view
from civicdesk.core.models import AuditAction, AuditEvent
from civicdesk.organisations.models import Role
from civicdesk.organisations.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    TeamFactory,
)
from civicdesk.people.services import create_customer


@pytest.fixture
def customer(council):
    return create_customer(actor=None, organisation=council, forenames="Ada", surname="Lovelace")


@pytest.fixture
def benefits(council):
    return TeamFactory(organisation=council, name="Benefits", slug="benefits")


@pytest.fixture
def benefit_claims(council, benefits):
    return create_service(
        actor=None,
        organisation=council,
        name="Housing benefit claims",
        owning_team=benefits,
        sensitivity=Sensitivity.SENSITIVE,
    )


def test_a_resolved_phone_contact_is_logged_and_audited(council, agent, customer):
    contact = log_contact(
        actor=agent,
        organisation=council,
        customer=customer,
        channel="phone",
        outcome=Outcome.RESOLVED,
        notes="  Told them the bin day  ",
    )

    assert (contact.agent, contact.notes) == (agent, "Told them the bin day")
    assert contact.ended_at >= contact.started_at
    assert AuditEvent.objects.for_record("contacts.contact", contact.pk).get().action == (
        AuditAction.LOGGED
    )


def test_anonymous_callers_are_logged_without_a_customer(council, agent):
    contact = log_contact(
        actor=agent, organisation=council, channel="phone", outcome=Outcome.SIGNPOSTED
    )
    assert contact.customer is None


def test_bad_input_is_refused_with_every_reason_and_nothing_saved(council, agent, customer):
    other_council = OrganisationFactory(name="Other", slug="other")
    foreign_service = create_service(actor=None, organisation=other_council, name="Theirs")
    start = timezone.now()
    with pytest.raises(ValidationError) as refused:
        log_contact(
            actor=agent,
            organisation=council,
            customer=customer,
            channel="pigeon",
            outcome="shrugged",
            service=foreign_service,
            avoidable_reason="bored",
            started_at=start,
            ended_at=start - datetime.timedelta(minutes=1),
        )

    assert set(refused.value.message_dict) == {
        "channel",
        "outcome",
        "service",
        "avoidable_reason",
        "ended_at",
    }
    assert not Contact.objects.exists()


def test_a_repeat_is_avoidable_and_must_be_of_the_same_customer(council, agent, customer):
    first = log_contact(
        actor=agent,
        organisation=council,
        customer=customer,
        channel="phone",
        outcome=Outcome.CASE_RAISED,
    )
    repeat = log_contact(
        actor=agent,
        organisation=council,
        customer=customer,
        channel="phone",
        outcome=Outcome.RESOLVED,
        repeat_of=first,
    )
    assert repeat.avoidable_reason == AvoidableReason.REPEAT

    stranger = create_customer(actor=None, organisation=council, forenames="B", surname="C")
    with pytest.raises(ValidationError):
        log_contact(
            actor=agent,
            organisation=council,
            customer=stranger,
            channel="phone",
            outcome=Outcome.RESOLVED,
            repeat_of=first,
        )


def test_sensitive_contacts_are_restricted_to_entitled_teams(
    council, agent, customer, benefits, benefit_claims
):
    log_contact(
        actor=agent,
        organisation=council,
        customer=customer,
        channel="phone",
        outcome=Outcome.CASE_RAISED,
        service=benefit_claims,
        notes="Income details",
    )
    log_contact(
        actor=agent,
        organisation=council,
        customer=customer,
        channel="web",
        outcome=Outcome.RESOLVED,
    )
    officer = MembershipFactory(team=benefits, role=Role.OFFICER).user
    revenues = TeamFactory(organisation=council, name="Revenues", slug="revenues")
    benefit_claims.entitled_teams.add(revenues)
    revenues_officer = MembershipFactory(team=revenues, role=Role.OFFICER).user

    as_agent, _ = customer_timeline(user=agent, customer=customer)
    as_officer, _ = customer_timeline(user=officer, customer=customer)
    as_revenues, _ = customer_timeline(user=revenues_officer, customer=customer)

    assert [e.restricted for e in as_agent] == [False, True]
    assert [e.restricted for e in as_officer] == [False, False]
    assert [e.restricted for e in as_revenues] == [False, False]


def test_viewing_sensitive_details_is_audited(council, agent, customer, benefit_claims):
    contact = log_contact(
        actor=agent,
        organisation=council,
        customer=customer,
        channel="phone",
        outcome=Outcome.RESOLVED,
        service=benefit_claims,
    )
    record_sensitive_view(actor=agent, contacts=[contact])

    entry = AuditEvent.objects.filter(action=AuditAction.VIEWED_SENSITIVE).get()
    assert (entry.actor, entry.record_id) == (agent, str(contact.pk))


def test_timeline_pages_newest_first(council, agent, customer):
    start = timezone.now() - datetime.timedelta(days=30)
    for day in range(30):
        log_contact(
            actor=agent,
            organisation=council,
            customer=customer,
            channel="phone",
            outcome=Outcome.RESOLVED,
            started_at=start + datetime.timedelta(days=day),
        )

    first, more = customer_timeline(user=agent, customer=customer, page=1)
    second, more_after = customer_timeline(user=agent, customer=customer, page=2)

    assert more and not more_after
    assert len(first) == 25 and len(second) == 5
    assert first[0].contact.started_at > first[-1].contact.started_at > second[0].contact.started_at
    assert contact_counts(customer=customer) == {"total": 30, "avoidable": 0}
