"""Raising a case (checks, reference, place, acknowledgement after commit) and chasing one."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from civicdesk.cases import reports
from civicdesk.cases.models import Case, CaseEvent, CaseStatus, EventKind
from civicdesk.contacts.models import AvoidableReason, Contact, Outcome
from civicdesk.contacts.services import log_contact
from civicdesk.core.models import AuditAction, AuditEvent
from civicdesk.core.references import parse_reference
from civicdesk.notify.models import Message, MessageEvent
from civicdesk.organisations.models import Role
from civicdesk.organisations.tests.factories import MembershipFactory, TeamFactory
from civicdesk.places.tests.factories import AddressFactory

from .factories import CustomerFactory, ServiceFactory
from .support import london


def acknowledgements():
    return Message.objects.filter(event=MessageEvent.ACKNOWLEDGEMENT)


def sends_queued():
    return DBTaskResult.objects.filter(task_path__startswith="civicdesk.notify.")


def test_a_raised_case(
    raise_, agent, customer, address, ward, message_templates, streets_team, clock
):
    case = raise_(
        actor=agent,
        customer=customer,
        address=address,
        description="  Mattress on the verge  ",
        location_description=" by the gate ",
    )
    assert parse_reference(case.reference) == ("CAS", case.pk)
    assert case.description == "Mattress on the verge"
    assert case.location_description == "by the gate"
    assert (case.ward, case.latitude, case.longitude) == (ward, 51.5, -0.1)
    assert (case.team, case.status, case.is_open) == (streets_team, CaseStatus.OPEN, True)
    assert (case.raised_by, case.opened_at) == (agent, london(2026, 3, 2, 10))
    raised = CaseEvent.objects.get(case=case, kind=EventKind.RAISED)
    assert raised.actor == agent
    assert raised.text == "Raised by phone for Street cleansing"
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATED, record_type="cases.case", record_id=str(case.pk)
    ).exists()
    (message,) = acknowledgements()
    assert (message.customer, message.about_reference) == (customer, case.reference)
    assert CaseEvent.objects.get(case=case, kind=EventKind.MESSAGE_SENT).data["message"] == (
        message.pk
    )


def test_coordinates_given_beat_the_addresses(raise_, address):
    case = raise_(address=address, latitude=51.6, longitude=-0.2)
    assert (case.latitude, case.longitude) == (51.6, -0.2)


def test_a_point_without_an_address(raise_):
    case = raise_(latitude=51.51, longitude=-0.12, location_description="Lamp post 12")
    assert (case.address, case.ward, case.latitude) == (None, None, 51.51)
    assert case.where == "Lamp post 12"


def test_the_same_submission_twice_makes_one_case(raise_, customer, message_templates):
    first = raise_(customer=customer, submission_key="web-form-123")
    second = raise_(customer=customer, submission_key="web-form-123")
    assert first.pk == second.pk
    assert Case.objects.count() == 1
    assert acknowledgements().count() == 1
    third = raise_(customer=customer, submission_key="web-form-124")
    assert third.pk != first.pk


def test_references_are_all_valid_and_distinct(raise_):
    references = [raise_().reference for _ in range(40)]
    assert len(set(references)) == 40
    for case in Case.objects.all():
        assert parse_reference(case.reference) == ("CAS", case.pk)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"description": "   "}, "description"),
        ({"channel": "pigeon"}, "channel"),
        ({"priority": "whenever"}, "priority"),
        ({"latitude": 51.5}, "latitude"),
        ({"longitude": -0.1}, "latitude"),
        ({"latitude": 95.0, "longitude": 0.0}, "latitude"),
    ],
)
def test_raise_case_checks_what_it_is_given(raise_, fields, field):
    with pytest.raises(ValidationError) as caught:
        raise_(**fields)
    assert field in caught.value.message_dict
    assert not Case.objects.exists()


def test_another_councils_customer_address_and_service(raise_, other_council):
    cases = [
        ({"customer": CustomerFactory(organisation=other_council)}, "customer"),
        ({"address": AddressFactory(organisation=other_council)}, "address"),
        ({"service": ServiceFactory(organisation=other_council)}, "service"),
    ]
    for fields, field in cases:
        with pytest.raises(ValidationError) as caught:
            raise_(**fields)
        assert field in caught.value.message_dict
    assert not Case.objects.exists()


def test_another_councils_contact(raise_, other_council):
    contact = log_contact(
        actor=None, organisation=other_council, channel="phone", outcome=Outcome.CASE_RAISED
    )
    with pytest.raises(ValidationError) as caught:
        raise_(source_contact=contact)
    assert "source_contact" in caught.value.message_dict


def test_an_inactive_service(raise_, service):
    service.is_active = False
    service.save()
    with pytest.raises(ValidationError) as caught:
        raise_()
    assert "service" in caught.value.message_dict


def test_a_merged_customer(raise_, customer, council):
    survivor = CustomerFactory(organisation=council)
    customer.merged_into = survivor
    customer.save(update_fields=["merged_into"])
    with pytest.raises(ValidationError) as caught:
        raise_(customer=customer)
    assert "customer" in caught.value.message_dict


def test_not_opened_in_the_future(raise_, clock):
    with pytest.raises(ValidationError) as caught:
        raise_(opened_at=london(2026, 3, 2, 11))
    assert "opened_at" in caught.value.message_dict
    case = raise_(opened_at=london(2026, 2, 27, 16))  # a letter that arrived on Friday
    assert case.first_response_due_at == london(2026, 3, 2, 12)


def test_partner_staff_do_not_raise_the_councils_cases(raise_, partner_officer):
    with pytest.raises(PermissionDenied):
        raise_(actor=partner_officer)


def test_other_councils_staff_do_not_raise_its_cases(raise_, other_council):
    outsider = MembershipFactory(team=TeamFactory(organisation=other_council)).user
    with pytest.raises(PermissionDenied):
        raise_(actor=outsider)


def test_a_superuser_may_raise(raise_, superuser):
    assert raise_(actor=superuser).raised_by == superuser


def test_no_customer_no_message(raise_, message_templates):
    raise_()
    assert not acknowledgements().exists()


def test_the_acknowledgement_is_sent_only_after_commit(
    raise_, customer, message_templates, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        raise_(customer=customer)
    assert len(callbacks) == 1  # the send, queued for when the transaction commits
    assert not sends_queued().exists()
    for callback in callbacks:
        callback()
    assert sends_queued().count() == 1


def test_a_raise_that_is_rolled_back_sends_nothing(
    raise_, customer, message_templates, django_capture_on_commit_callbacks
):
    class Abandoned(Exception):
        pass

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Abandoned),
        transaction.atomic(),
    ):
        raise_(customer=customer)
        raise Abandoned
    assert callbacks == []
    assert not Case.objects.exists()
    assert not acknowledgements().exists()
    assert not sends_queued().exists()


# Chasing


def test_chasing_logs_an_avoidable_contact_on_the_case(raise_, customer, agent, clock):
    case = raise_(customer=customer)
    clock(2026, 3, 4, 15)
    contact = reports.chase_case(
        actor=agent, case=case, channel="phone", notes=" Any news? ", submission_key="chase-1"
    )
    assert contact.avoidable_reason == AvoidableReason.CHASING
    assert (contact.service, contact.customer, contact.agent) == (case.service, customer, agent)
    assert contact.channel == "phone"
    event = CaseEvent.objects.get(case=case, kind=EventKind.CHASED)
    assert (event.contact, event.actor, event.text) == (contact, agent, "Any news?")
    assert event.occurred_at == london(2026, 3, 4, 15)
    assert Case.objects.get(pk=case.pk).chase_count == 1
    again = reports.chase_case(
        actor=agent, case=case, channel="phone", notes="Any news?", submission_key="chase-1"
    )
    assert again.pk == contact.pk
    assert Case.objects.get(pk=case.pk).chase_count == 1
    assert CaseEvent.objects.filter(case=case, kind=EventKind.CHASED).count() == 1
    assert Contact.objects.count() == 1
    reports.chase_case(actor=agent, case=case, channel="email")
    assert Case.objects.get(pk=case.pk).chase_count == 2


def test_a_follower_chasing(raise_, customer, council, agent):
    case = raise_(customer=customer)
    neighbour = CustomerFactory(organisation=council)
    contact = reports.chase_case(actor=agent, case=case, channel="phone", customer=neighbour)
    assert contact.customer == neighbour


def test_only_those_who_may_read_a_sensitive_case_log_a_chase_on_it(
    raise_, sensitive_service, customer, agent
):
    """An agent outside the entitled teams logs the call as a contact, not on the case."""
    case = raise_(service=sensitive_service, customer=customer)
    with pytest.raises(PermissionDenied):
        reports.chase_case(actor=agent, case=case, channel="phone")
    housing_officer = MembershipFactory(team=sensitive_service.owning_team, role=Role.OFFICER)
    contact = reports.chase_case(actor=housing_officer.user, case=case, channel="phone")
    assert contact.service == sensitive_service


def test_other_councils_staff_cannot_chase(raise_, other_council):
    outsider = MembershipFactory(team=TeamFactory(organisation=other_council), role=Role.AGENT)
    with pytest.raises(PermissionDenied):
        reports.chase_case(actor=outsider.user, case=raise_(), channel="phone")
