"""Second reports of the same thing: finding them, linking them, closing a case raised twice."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from civicdesk.cases import reports, services
from civicdesk.cases.models import CaseEvent, CaseStatus, EventKind, ResolutionCode
from civicdesk.cases.selectors import metres_between, possible_duplicate_cases
from civicdesk.contacts.models import Outcome
from civicdesk.contacts.services import log_contact
from civicdesk.notify.models import Message, MessageEvent
from civicdesk.organisations.tests.factories import MembershipFactory, OrganisationFactory
from civicdesk.people.services import merge_customers
from civicdesk.places.tests.factories import AddressFactory

from .factories import CaseFactory, CustomerFactory, ServiceFactory
from .support import reload

LAT, LON = 51.5, -0.1
METRE_OF_LATITUDE = 1 / 111_320


def north_of(metres: float) -> tuple[float, float]:
    return LAT + metres * METRE_OF_LATITUDE, LON


def test_the_test_points_are_where_they_say(db):
    assert metres_between(LAT, LON, *north_of(30)) == pytest.approx(30, abs=0.5)
    assert metres_between(LAT, LON, *north_of(80)) == pytest.approx(80, abs=0.5)


@pytest.fixture
def nearby(service, address, clock):
    """Cases around the customer's address (51.5, -0.1): which are possible duplicates."""
    now = clock(2026, 3, 16, 10)
    make = CaseFactory
    lat30, lon30 = north_of(30)
    lat80, lon80 = north_of(80)
    return {
        "same_uprn": make(service=service, address=address, opened_at=now),
        "thirty_metres": make(service=service, latitude=lat30, longitude=lon30, opened_at=now),
        "eighty_metres": make(service=service, latitude=lat80, longitude=lon80, opened_at=now),
        "closed": make(
            service=service,
            address=address,
            status=CaseStatus.CLOSED,
            is_open=False,
            opened_at=now,
        ),
        "too_old": make(
            service=service, address=address, opened_at=now - datetime.timedelta(days=15)
        ),
        "another_service": make(
            service=ServiceFactory(organisation=service.organisation),
            address=address,
            opened_at=now,
        ),
    }


def test_possible_duplicates_by_address(service, address, nearby):
    found = possible_duplicate_cases(service=service, address=address)
    # The address has coordinates, so the 30 m case is found too; the same UPRN comes first.
    assert found == [nearby["same_uprn"], nearby["thirty_metres"]]


def test_possible_duplicates_by_point(service, nearby):
    found = possible_duplicate_cases(service=service, latitude=LAT, longitude=LON)
    assert found == [nearby["thirty_metres"]]
    found = possible_duplicate_cases(service=service, latitude=LAT, longitude=LON + 0.01)
    assert found == []


def test_the_radius_is_the_services(service, nearby):
    service.duplicate_radius_metres = 100
    service.save()
    found = possible_duplicate_cases(service=service, latitude=LAT, longitude=LON)
    assert found == [nearby["thirty_metres"], nearby["eighty_metres"]]


def test_an_address_without_coordinates_matches_by_uprn(service, council, clock):
    bare = AddressFactory(organisation=council)
    case = CaseFactory(service=service, address=bare)
    CaseFactory(service=service, latitude=LAT, longitude=LON)
    assert possible_duplicate_cases(service=service, address=bare) == [case]


def test_window_of_the_service(service, address, nearby):
    service.duplicate_window_days = 16
    service.save()
    found = possible_duplicate_cases(service=service, address=address)
    assert nearby["too_old"] in found
    service.duplicate_window_days = 0
    service.save()
    assert possible_duplicate_cases(service=service, address=address) == []


def test_no_place_no_duplicates(service, nearby):
    assert possible_duplicate_cases(service=service) == []


# Linking a second report


def test_link_report_adds_a_follower_and_tells_them(raise_, customer, council, message_templates):
    case = raise_(customer=customer)
    neighbour = CustomerFactory(organisation=council, forenames="Bo", surname="Neighbour")
    linked = reports.link_report(
        actor=None, case=case, customer=neighbour, description="Still there"
    )
    stored = reload(linked)
    assert stored.linked_report_count == 1
    assert list(stored.followers.all()) == [neighbour]
    ack = Message.objects.filter(customer=neighbour, event=MessageEvent.ACKNOWLEDGEMENT)
    assert ack.count() == 1
    assert ack.get().about_reference == case.reference
    event = CaseEvent.objects.get(case=case, kind=EventKind.DUPLICATE_LINKED)
    assert (event.text, event.data) == ("Still there", {"customer": neighbour.pk})
    # Followers hear about progress too.
    services.close_case(
        actor=None, case=case, resolution_code=ResolutionCode.DONE, message="All cleared."
    )
    closures = Message.objects.filter(event=MessageEvent.CLOSURE, about_reference=case.reference)
    assert set(closures.values_list("customer", flat=True)) == {customer.pk, neighbour.pk}


def test_linking_the_reporter_again_only_counts(raise_, customer, message_templates):
    case = raise_(customer=customer)
    reports.link_report(actor=None, case=case, customer=customer)
    reports.link_report(actor=None, case=case)  # an anonymous second report
    stored = reload(case)
    assert stored.linked_report_count == 2
    assert not stored.followers.exists()
    assert Message.objects.filter(customer=customer).count() == 1  # the first acknowledgement


def test_link_report_refuses_a_finished_case(raise_, customer):
    case = services.close_case(
        actor=None, case=raise_(), resolution_code=ResolutionCode.DONE, message="Cleared"
    )
    with pytest.raises(ValidationError):
        reports.link_report(actor=None, case=case, customer=customer)
    assert reload(case).linked_report_count == 0


def test_staff_of_another_council_cannot_link(raise_, other_council):
    outsider = MembershipFactory(team__organisation=other_council).user
    with pytest.raises(PermissionDenied):
        reports.link_report(actor=outsider, case=raise_())


# Closing a case raised twice


def test_mark_duplicate(raise_, customer, council, message_templates, team_leader):
    original = raise_(customer=customer)
    neighbour = CustomerFactory(organisation=council, surname="Neighbour")
    repeat = raise_(customer=neighbour)
    closed = reports.mark_duplicate(
        actor=team_leader, case=repeat, original=original, message="Already reported."
    )
    stored = reload(closed)
    assert (stored.status, stored.resolution_code) == (CaseStatus.CLOSED, ResolutionCode.DUPLICATE)
    assert stored.duplicate_of == original
    kept = reload(original)
    assert kept.linked_report_count == 1
    assert list(kept.followers.all()) == [neighbour]
    assert kept.is_open


def test_mark_duplicate_refuses_itself_and_other_councils(raise_, other_council):
    case = raise_()
    with pytest.raises(ValidationError):
        reports.mark_duplicate(actor=None, case=case, original=case, message="Same")
    elsewhere = CaseFactory(
        service=ServiceFactory(organisation=OrganisationFactory(name="X", slug="x"))
    )
    with pytest.raises(ValidationError):
        reports.mark_duplicate(actor=None, case=case, original=elsewhere, message="Same")
    assert reload(case).is_open


def test_mark_duplicate_of_a_finished_case_is_refused(raise_):
    original = services.close_case(
        actor=None, case=raise_(), resolution_code=ResolutionCode.DONE, message="Cleared"
    )
    repeat = raise_()
    with pytest.raises(ValidationError) as caught:
        reports.mark_duplicate(actor=None, case=repeat, original=original, message="Same")
    assert "original" in caught.value.message_dict
    assert reload(repeat).is_open


def test_link_report_checks_the_customer_and_contact(raise_, customer, council, other_council):
    case = raise_(customer=customer)
    stranger = CustomerFactory(organisation=other_council)
    merged = CustomerFactory(organisation=council)
    merged.merged_into = customer
    merged.save(update_fields=["merged_into"])
    elsewhere = log_contact(
        actor=None, organisation=other_council, channel="phone", outcome=Outcome.RESOLVED
    )
    for fields, field in (
        ({"customer": stranger}, "customer"),
        ({"customer": merged}, "customer"),
        ({"contact": elsewhere}, "contact"),
    ):
        with pytest.raises(ValidationError) as caught:
            reports.link_report(actor=None, case=case, **fields)
        assert field in caught.value.message_dict
    stored = reload(case)
    assert stored.linked_report_count == 0
    assert not stored.followers.exists()


def test_merging_customers_moves_the_cases_they_follow(raise_, customer, council):
    first = raise_(customer=customer)
    second = raise_(customer=customer)
    survivor = CustomerFactory(organisation=council, forenames="Bo", surname="Neighbour")
    duplicate = CustomerFactory(organisation=council, forenames="Bo", surname="Neighbor")
    reports.link_report(actor=None, case=first, customer=duplicate)
    reports.link_report(actor=None, case=second, customer=duplicate)
    reports.link_report(actor=None, case=second, customer=survivor)

    merge_customers(actor=None, survivor=survivor, duplicate=duplicate)

    assert set(survivor.followed_cases.all()) == {first, second}  # each once
    assert not duplicate.followed_cases.exists()
