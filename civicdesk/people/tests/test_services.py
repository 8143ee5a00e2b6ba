import datetime

import pytest
from django.core.exceptions import ValidationError

from civicdesk.contacts.models import Contact
from civicdesk.contacts.services import log_contact
from civicdesk.core.models import AuditAction, AuditEvent
from civicdesk.core.references import parse_reference
from civicdesk.organisations.tests.factories import OrganisationFactory
from civicdesk.people.models import Consent, Customer
from civicdesk.people.services import (
    add_representative,
    create_customer,
    merge_customers,
    record_consent,
    revoke_representative,
    update_customer,
)


def make(council, forenames="Ada", surname="Lovelace", **fields):
    return create_customer(
        actor=None, organisation=council, forenames=forenames, surname=surname, **fields
    )


def test_a_new_customer_gets_a_checked_reference_and_an_audit_entry(council, agent):
    customer = create_customer(
        actor=agent, organisation=council, forenames="Ada", surname="Lovelace"
    )

    assert parse_reference(customer.reference) == ("CUS", customer.pk)
    entry = AuditEvent.objects.for_record("people.customer", customer.pk).get()
    assert (entry.action, entry.actor) == (AuditAction.CREATED, agent)


def test_a_customer_needs_a_name_and_a_valid_email(council):
    with pytest.raises(ValidationError):
        make(council, forenames=" ", surname="")
    with pytest.raises(ValidationError):
        make(council, email="not-an-email")
    assert not Customer.objects.exists()


def test_update_refreshes_search_keys_and_audits_field_names_only(council, agent):
    customer = make(council, mobile="07700 900001")
    update_customer(actor=agent, customer=customer, surname="Byron", mobile="07700 900002")

    customer.refresh_from_db()
    assert (customer.surname_normalised, customer.mobile_normalised) == ("byron", "07700900002")
    entry = AuditEvent.objects.filter(action=AuditAction.UPDATED).get()
    assert entry.detail == {"fields": ["surname", "mobile"]}
    assert "Byron" not in entry.summary


def test_update_with_no_change_writes_nothing(council, agent):
    customer = make(council)
    update_customer(actor=agent, customer=customer, surname="Lovelace")
    assert not AuditEvent.objects.filter(action=AuditAction.UPDATED).exists()


def test_unknown_fields_are_refused(council):
    with pytest.raises(TypeError):
        make(council, merged_into=None)


def test_merge_moves_all_history_and_fills_blanks(council, agent):
    survivor = make(council, email="")
    duplicate = make(council, email="ada@example.org", needs_large_print=True)
    log_contact(
        actor=agent, organisation=council, customer=duplicate, channel="phone", outcome="resolved"
    )
    log_contact(
        actor=agent, organisation=council, customer=survivor, channel="web", outcome="resolved"
    )
    record_consent(actor=agent, customer=duplicate, purpose=Consent.Purpose.SURVEYS, granted=True)
    add_representative(
        actor=agent,
        customer=duplicate,
        name="Carer",
        relationship="carer",
        consent_given_on=datetime.date(2026, 1, 1),
    )

    merge_customers(actor=agent, survivor=survivor, duplicate=duplicate)

    survivor.refresh_from_db()
    duplicate.refresh_from_db()
    assert Contact.objects.filter(customer=survivor).count() == 2
    assert survivor.consents.count() == 1
    assert survivor.representatives.count() == 1
    assert survivor.email == "ada@example.org"
    assert survivor.email_normalised == "ada@example.org"
    assert survivor.needs_large_print
    assert duplicate.merged_into == survivor
    merges = AuditEvent.objects.filter(action=AuditAction.MERGED)
    assert {e.record_id for e in merges} == {str(survivor.pk), str(duplicate.pk)}
    assert merges.first().detail["moved"] == {
        "contacts.contact": 1,
        "people.consent": 1,
        "people.representative": 1,
    }


def test_merging_into_a_record_also_moves_records_merged_earlier(council, agent):
    first, second, third = make(council), make(council), make(council)
    merge_customers(actor=agent, survivor=second, duplicate=first)
    merge_customers(actor=agent, survivor=third, duplicate=second)

    first.refresh_from_db()
    assert first.merged_into == third


def test_merge_refuses_the_same_record_other_councils_and_merged_records(council, agent):
    one, two = make(council), make(council)
    other = make(OrganisationFactory(name="Other", slug="other"))
    with pytest.raises(ValidationError):
        merge_customers(actor=agent, survivor=one, duplicate=one)
    with pytest.raises(ValidationError):
        merge_customers(actor=agent, survivor=one, duplicate=other)
    merge_customers(actor=agent, survivor=one, duplicate=two)
    with pytest.raises(ValidationError):
        merge_customers(actor=agent, survivor=two, duplicate=one)


def test_representatives_need_a_sensible_scope_and_expiry(council, agent):
    customer = make(council)
    with pytest.raises(ValidationError):
        add_representative(
            actor=agent,
            customer=customer,
            name="X",
            relationship="family",
            consent_given_on=datetime.date(2026, 5, 1),
            consent_expires_on=datetime.date(2026, 4, 1),
        )
    with pytest.raises(ValidationError):
        add_representative(
            actor=agent,
            customer=customer,
            name="X",
            relationship="family",
            consent_given_on=datetime.date(2026, 5, 1),
            scope="services",
        )

    representative = add_representative(
        actor=agent,
        customer=customer,
        name="X",
        relationship="family",
        consent_given_on=datetime.date(2026, 5, 1),
    )
    revoke_representative(actor=agent, representative=representative)
    revoke_representative(actor=agent, representative=representative)

    assert representative.revoked_at is not None
    assert AuditEvent.objects.filter(action=AuditAction.ACCESS_REVOKED).count() == 1
