"""Merging a duplicate customer record into the one on screen."""

import datetime
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from civicdesk.contacts.models import Contact
from civicdesk.contacts.services import log_contact
from civicdesk.core.models import AuditAction, AuditEvent
from civicdesk.organisations.models import Organisation, Role
from civicdesk.organisations.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    TeamFactory,
)
from civicdesk.people.models import Customer
from civicdesk.people.services import add_representative, create_customer, merge_customers

BANNER = "Records merged. {reference} now leads to this record."


def merge_url(customer):
    return reverse("console:merge-customer", args=[customer.reference])


def confirm_url(survivor, duplicate):
    return reverse("console:merge-customer-confirm", args=[survivor.reference, duplicate.reference])


def single_view(customer):
    return reverse("console:customer", args=[customer.reference])


def call(customer, notes):
    return log_contact(
        actor=None,
        organisation=customer.organisation,
        customer=customer,
        channel="phone",
        outcome="resolved",
        notes=notes,
        started_at=timezone.now() - datetime.timedelta(days=1),
    )


@pytest.fixture
def leader(contact_centre):
    return MembershipFactory(team=contact_centre, role=Role.TEAM_LEADER).user


@pytest.fixture
def leader_client(client, leader):
    client.force_login(leader)
    return client


@pytest.fixture
def records(make_customer):
    """John Smith registered twice: once with a date of birth, once with an email address."""
    survivor = make_customer(date_of_birth=datetime.date(1958, 3, 14), mobile="07700 900982")
    duplicate = make_customer(email="john.smith@example.org", needs_bsl=True)
    call(survivor, "Asked about his bins")
    call(duplicate, "Asked about Council Tax")
    call(duplicate, "Paid Council Tax")
    return survivor, duplicate


def errors_of(response):
    content = response.content.decode()
    assert "There is a problem" in content
    return content


@pytest.mark.django_db
def test_a_team_leader_merges_a_duplicate_record(leader_client, leader, records):
    survivor, duplicate = records

    view = leader_client.get(single_view(survivor)).content.decode()
    assert merge_url(survivor) in view
    assert "Merge a duplicate record" in view

    question = leader_client.get(merge_url(survivor))
    assert question.status_code == 200
    assert "For example, CUS-00016JD" in question.content.decode()

    # Typed as read over the phone: lower case, a space for the hyphen.
    answer = leader_client.post(
        merge_url(survivor), {"reference": duplicate.reference.lower().replace("-", " ")}
    )
    assert answer.status_code == 302
    assert answer["Location"] == confirm_url(survivor, duplicate)

    check = leader_client.get(answer["Location"])
    content = check.content.decode()
    assert check.status_code == 200
    assert "14 March 1958" in content
    assert "john.smith@example.org" in content
    assert "British Sign Language" in content
    assert "This cannot be undone. The duplicate's history moves to this record" in content
    assert "govuk-button--warning" in content
    assert Customer.objects.get(pk=duplicate.pk).merged_into_id is None  # nothing merged yet

    merged = leader_client.post(confirm_url(survivor, duplicate), follow=True)

    assert merged.redirect_chain == [(single_view(survivor), 302)]
    assert BANNER.format(reference=duplicate.reference) in merged.content.decode()
    duplicate.refresh_from_db()
    survivor.refresh_from_db()
    assert duplicate.merged_into == survivor
    assert Contact.objects.filter(customer=survivor).count() == 3
    assert not Contact.objects.filter(customer=duplicate).exists()
    assert survivor.email == "john.smith@example.org"  # a blank filled from the duplicate
    for customer in (survivor, duplicate):
        events = AuditEvent.objects.for_record("people.customer", customer.pk)
        assert events.filter(action=AuditAction.MERGED, actor=leader).count() == 1
    # The duplicate's reference now leads to the survivor.
    assert leader_client.get(single_view(duplicate))["Location"] == single_view(survivor)


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.MANAGER, Role.ADMINISTRATOR])
def test_managers_and_administrators_may_merge(client, contact_centre, records, role):
    survivor, duplicate = records
    client.force_login(MembershipFactory(team=contact_centre, role=role).user)

    assert client.get(confirm_url(survivor, duplicate)).status_code == 200
    assert client.post(confirm_url(survivor, duplicate)).status_code == 302
    assert Customer.objects.get(pk=duplicate.pk).merged_into_id == survivor.pk


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.AGENT, Role.OFFICER])
def test_agents_and_officers_may_not_merge(client, contact_centre, records, role):
    survivor, duplicate = records
    client.force_login(MembershipFactory(team=contact_centre, role=role).user)

    view = client.get(single_view(survivor)).content.decode()
    assert merge_url(survivor) not in view
    assert "Merge a duplicate record" not in view
    assert client.get(merge_url(survivor)).status_code == 403
    assert client.post(merge_url(survivor), {"reference": duplicate.reference}).status_code == 403
    assert client.get(confirm_url(survivor, duplicate)).status_code == 403
    assert client.post(confirm_url(survivor, duplicate)).status_code == 403
    assert Customer.objects.get(pk=duplicate.pk).merged_into_id is None


@pytest.mark.django_db
def test_partner_staff_may_not_merge(client, council, records):
    survivor, duplicate = records
    advice = OrganisationFactory(
        name="Citizens Advice Kingsmere",
        slug="ca-kingsmere",
        kind=Organisation.Kind.PARTNER,
        parent=council,
    )
    adviser = MembershipFactory(team=TeamFactory(organisation=advice), role=Role.TEAM_LEADER).user
    for customer in records:
        add_representative(
            actor=None,
            customer=customer,
            name="Citizens Advice Kingsmere",
            relationship="advice_agency",
            partner_organisation=advice,
            consent_given_on=timezone.localdate(),
        )
    client.force_login(adviser)

    view = client.get(single_view(survivor))
    assert view.status_code == 200
    assert merge_url(survivor) not in view.content.decode()
    assert client.get(merge_url(survivor)).status_code == 403
    assert client.post(merge_url(survivor), {"reference": duplicate.reference}).status_code == 403
    assert client.get(confirm_url(survivor, duplicate)).status_code == 403
    assert client.post(confirm_url(survivor, duplicate)).status_code == 403
    assert Customer.objects.get(pk=duplicate.pk).merged_into_id is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the customer reference of the duplicate record"),
        ("John Smith", "Enter a real customer reference, like CUS-00016JD"),
        ("CUS-00016JX", "Enter a real customer reference, like CUS-00016JD"),  # check fails
        ("CAS-00016JD", "Enter a real customer reference, like CUS-00016JD"),  # not a customer
        ("CUS-00016JD", "No customer found with the reference CUS-00016JD"),
    ],
)
def test_a_reference_that_is_missing_wrong_or_unknown_is_an_error(
    leader_client, records, typed, message
):
    survivor, _duplicate = records

    response = leader_client.post(merge_url(survivor), {"reference": typed})

    assert response.status_code == 200
    content = errors_of(response)
    assert message in content
    assert 'href="#id_reference"' in content
    assert "govuk-input--error" in content
    assert "<title>Error: Merge a duplicate record" in content


@pytest.mark.django_db
def test_the_same_record_cannot_be_merged_with_itself(leader_client, records):
    survivor, _duplicate = records

    response = leader_client.post(merge_url(survivor), {"reference": survivor.reference})
    assert f"{survivor.reference} is this record." in errors_of(response)

    response = leader_client.get(confirm_url(survivor, survivor))
    assert f"{survivor.reference} is this record." in errors_of(response)
    assert leader_client.post(confirm_url(survivor, survivor)).status_code == 200
    assert not AuditEvent.objects.filter(action=AuditAction.MERGED).exists()


@pytest.mark.django_db
def test_a_record_already_merged_is_an_error(leader_client, make_customer, records):
    survivor, duplicate = records
    other = make_customer()
    merge_customers(actor=None, survivor=other, duplicate=duplicate)

    response = leader_client.post(merge_url(survivor), {"reference": duplicate.reference})

    content = errors_of(response)
    assert f"{duplicate.reference} has already been merged into {other.reference}." in content
    response = leader_client.post(confirm_url(survivor, duplicate))
    assert response.status_code == 200
    assert f"has already been merged into {other.reference}." in errors_of(response)
    assert Customer.objects.get(pk=duplicate.pk).merged_into_id == other.pk

    # Into this record already: said so on the form.
    merge_customers(actor=None, survivor=survivor, duplicate=other)
    response = leader_client.post(merge_url(survivor), {"reference": other.reference})
    assert f"{other.reference} has already been merged into this record." in errors_of(response)


@pytest.mark.django_db
def test_another_councils_customer_is_not_found(leader_client, records):
    survivor, _duplicate = records
    elsewhere = OrganisationFactory(name="Elsewhere District Council", slug="elsewhere")
    stranger = create_customer(
        actor=None, organisation=elsewhere, forenames="John", surname="Smith"
    )

    response = leader_client.post(merge_url(survivor), {"reference": stranger.reference})

    assert f"No customer found with the reference {stranger.reference}" in errors_of(response)
    assert leader_client.get(confirm_url(survivor, stranger)).status_code == 200
    assert leader_client.post(confirm_url(survivor, stranger)).status_code == 200
    assert Customer.objects.get(pk=stranger.pk).merged_into_id is None
    # Nor can their record be the one kept.
    assert leader_client.get(merge_url(stranger)).status_code == 404
    assert leader_client.post(confirm_url(stranger, survivor)).status_code == 404


@pytest.mark.django_db
def test_pressing_merge_twice_merges_once_and_says_the_same(leader_client, records):
    survivor, duplicate = records

    first = leader_client.post(confirm_url(survivor, duplicate))
    second = leader_client.post(confirm_url(survivor, duplicate), follow=True)

    assert first["Location"] == single_view(survivor)
    assert second.redirect_chain == [(single_view(survivor), 302)]
    assert BANNER.format(reference=duplicate.reference) in second.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.MERGED).count() == 2  # one per record
    assert Contact.objects.filter(customer=survivor).count() == 3


@pytest.mark.django_db
def test_a_merge_that_loses_a_race_says_the_records_are_merged(leader_client, records):
    """Two presses at once: both pass the check, the service refuses the second."""
    survivor, duplicate = records

    def merged_by_the_other_press(**arguments):
        merge_customers(**arguments)
        raise ValidationError("One of these records has already been merged.")

    with mock.patch(
        "civicdesk.console.views.merge.merge_customers", side_effect=merged_by_the_other_press
    ):
        response = leader_client.post(confirm_url(survivor, duplicate), follow=True)

    assert response.redirect_chain == [(single_view(survivor), 302)]
    assert BANNER.format(reference=duplicate.reference) in response.content.decode()


@pytest.mark.django_db
def test_a_service_refusal_is_shown_in_the_error_summary(leader_client, records):
    survivor, duplicate = records

    with mock.patch(
        "civicdesk.console.views.merge.merge_customers",
        side_effect=ValidationError("Customers of different councils cannot be merged."),
    ):
        response = leader_client.post(confirm_url(survivor, duplicate))

    assert response.status_code == 200
    assert "Customers of different councils cannot be merged." in errors_of(response)
    assert Customer.objects.get(pk=duplicate.pk).merged_into_id is None


@pytest.mark.django_db
def test_a_merged_or_lower_case_record_leads_to_its_current_reference(
    leader_client, make_customer, records
):
    survivor, duplicate = records
    third = make_customer()

    lower = reverse("console:merge-customer", args=[survivor.reference.lower()])
    assert leader_client.get(lower)["Location"] == merge_url(survivor)
    lower = reverse(
        "console:merge-customer-confirm",
        args=[survivor.reference.lower(), duplicate.reference.lower()],
    )
    assert leader_client.get(lower)["Location"] == confirm_url(survivor, duplicate)

    # The record to keep was merged into another while the page was open: nothing happens.
    merge_customers(actor=None, survivor=third, duplicate=survivor)
    response = leader_client.post(confirm_url(survivor, duplicate), follow=True)
    assert response.redirect_chain == [(merge_url(third), 302)]
    assert "Nothing was merged" in response.content.decode()
    assert Customer.objects.get(pk=duplicate.pk).merged_into_id is None


@pytest.mark.django_db
def test_the_records_can_be_swapped_before_merging(leader_client, records):
    survivor, duplicate = records

    content = leader_client.get(confirm_url(survivor, duplicate)).content.decode()

    assert confirm_url(duplicate, survivor) in content
    assert f"Keep {duplicate.reference} instead, and merge {survivor.reference} into it" in content
