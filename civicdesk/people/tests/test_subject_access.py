"""A subject access export holds everything about its customer, and nothing about anyone else.

Ada Okafor and Bea Adeyemi live in the same borough and share some history: Ada reported the
fly-tip on Bea's case too, and Ada acts for Bea with her own sign-in. Ada was registered twice;
the old record was merged into hers. Everything of Bea's that must stay out of Ada's export is
marked "BEA-".
"""

import datetime
import json
import time
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from civicdesk.cases.models import Attachment, Case, CaseEvent, EventKind
from civicdesk.cases.referrals import refer_case
from civicdesk.cases.reports import link_report
from civicdesk.cases.services import add_note, raise_case
from civicdesk.catalogue.models import Sensitivity
from civicdesk.catalogue.services import create_service
from civicdesk.contacts.models import Contact
from civicdesk.contacts.services import log_contact
from civicdesk.core.models import AuditAction, AuditEvent
from civicdesk.forms.models import Application, Evidence, Form, FormVersion
from civicdesk.notify.models import DeliveryStatus
from civicdesk.notify.tests.factories import MessageFactory
from civicdesk.organisations.models import Role
from civicdesk.organisations.tests.factories import MembershipFactory, TeamFactory, UserFactory
from civicdesk.payments.models import Payment, PaymentStatus, Provider, Refund
from civicdesk.people.models import Consent, Customer, PortalAccount, Representative
from civicdesk.people.services import (
    add_representative,
    create_customer,
    merge_customers,
    record_consent,
)
from civicdesk.people.subject_access import (
    COVERED_RELATIONS,
    SCHEMA,
    SCHEMA_VERSION,
    subject_access_export,
)
from civicdesk.places.tests.factories import AddressFactory, WardFactory
from civicdesk.surveys.models import Rating, SurveyInvitation

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 12, 7, 9, 30, tzinfo=datetime.UTC)


@dataclass
class Borough:
    ada: Customer
    old_ada: Customer
    bea: Customer
    ada_case: Case
    sensitive_case: Case
    bea_case: Case
    ada_user: Any


def _payment(council, customer, description: str, reference: str) -> Payment:
    return Payment.objects.create(
        organisation=council, reference=reference, amount_pence=2500, description=description,
        customer=customer, provider=Provider.SIMULATOR, provider_payment_id=f"sim-{reference}",
        status=PaymentStatus.SUCCESS, finished=True, return_secret_hash=reference.ljust(64, "0"),
    )  # fmt: skip


def _application(council, version, customer, answers: dict) -> Application:
    return Application.objects.create(
        organisation=council, form_version=version, customer=customer, channel="web",
        status="submitted", answers=answers, submitted_at=timezone.now(),
        assessment={"outcome": "eligible", "reasons": ["Gets the higher rate of PIP"]},
    )  # fmt: skip


@pytest.fixture
def borough(council, agent) -> Borough:
    streets = TeamFactory(organisation=council, name="Street cleansing", slug="streets")
    safety = TeamFactory(organisation=council, name="Community safety", slug="safety")
    parks = TeamFactory(organisation=council, name="Parks", slug="parks")
    officer = MembershipFactory(team=streets, role=Role.OFFICER).user
    flytipping = create_service(
        actor=None, organisation=council, name="Fly-tipping", owning_team=streets, sla_value=5
    )
    asb = create_service(
        actor=None, organisation=council, name="Anti-social behaviour", owning_team=safety,
        sensitivity=Sensitivity.SENSITIVE, sla_value=5,
    )  # fmt: skip
    home = AddressFactory(organisation=council, ward=WardFactory(organisation=council))

    ada = create_customer(
        actor=agent, organisation=council, forenames="Ada", surname="Okafor",
        date_of_birth=datetime.date(1961, 5, 2), email="ada@example.org", mobile="07700 900123",
        address=home, needs_large_print=True, interpreter_language="Igbo",
    )  # fmt: skip
    old_ada = create_customer(
        actor=agent, organisation=council, forenames="Ada", surname="Okafor",
        email="a.okafor@old.example.org",
    )  # fmt: skip
    bea = create_customer(
        actor=agent, organisation=council, forenames="Bea", surname="Adeyemi",
        email="BEA-bea@example.org", phone="BEA-01632 960001",
    )  # fmt: skip

    def call(customer, notes, **fields):
        return log_contact(
            actor=agent, organisation=council, customer=customer, channel="phone",
            outcome="resolved", notes=notes, **fields,
        )  # fmt: skip

    call(old_ada, "Asked about Council Tax before she moved")
    merge_customers(actor=agent, survivor=ada, duplicate=old_ada)
    ada.refresh_from_db()

    record_consent(actor=agent, customer=ada, purpose=Consent.Purpose.SURVEYS, granted=True)
    record_consent(actor=agent, customer=ada, purpose=Consent.Purpose.SURVEYS, granted=False)
    record_consent(actor=agent, customer=bea, purpose=Consent.Purpose.SURVEYS, granted=True)
    add_representative(
        actor=agent, customer=ada, name="Chidi Okafor", relationship="family",
        consent_given_on=datetime.date(2026, 1, 5), phone="07700 900456",
    )  # fmt: skip
    add_representative(
        actor=agent, customer=bea, name="BEA-brother Femi", relationship="family",
        consent_given_on=datetime.date(2026, 1, 5),
    )  # fmt: skip
    ada_user = UserFactory(username="ada@example.org", email="ada@example.org")
    PortalAccount.objects.create(
        organisation=council, user=ada_user, customer=ada, email_verified_at=timezone.now()
    )
    acting = add_representative(
        actor=agent, customer=bea, name="Ada Okafor", relationship="carer",
        consent_given_on=datetime.date(2026, 2, 1), email="ada@example.org",
    )  # fmt: skip
    Representative.objects.filter(pk=acting.pk).update(user=ada_user)

    first = call(ada, "Asked when her bins are collected")
    call(ada, "Reported a mattress behind the garages", service=flytipping)
    bea_call = call(bea, "BEA-contact notes about her rent")

    ada_case = raise_case(
        actor=agent, organisation=council, service=flytipping, customer=ada, channel="phone",
        description="Mattress dumped behind the garages", location_description="Acacia garages",
        attributes={"size": "One item", "blocking_path": True},
    )  # fmt: skip
    add_note(actor=officer, case=ada_case, text="Crew says it is a double mattress")
    add_note(actor=officer, case=ada_case, text="We will collect it on Tuesday", public=True)
    Attachment.objects.create(
        case=ada_case, file="cases/2026/12/mattress.jpg", name="mattress.jpg",
        content_type="image/jpeg", size=48213, sha256="0" * 64, uploaded_at=timezone.now(),
    )  # fmt: skip
    refer_case(actor=officer, case=ada_case, to_team=parks, scope="Check the park's cameras")
    sensitive_case = raise_case(
        actor=agent, organisation=council, service=asb, customer=ada, channel="phone",
        description="Neighbour shouting threats through the letterbox",
    )  # fmt: skip
    bea_case = raise_case(
        actor=agent, organisation=council, service=flytipping, customer=bea, channel="phone",
        description="BEA-description of the fly-tip", location_description="Acacia garages",
    )  # fmt: skip
    add_note(actor=officer, case=bea_case, text="BEA-internal note")
    link_report(actor=agent, case=bea_case, customer=ada, description="Ada saw it too")
    add_note(actor=officer, case=bea_case, text="Cleared this morning", public=True)

    form = Form.objects.create(
        organisation=council, service=flytipping, slug="blue-badge", title="Apply for a Blue Badge"
    )
    version = FormVersion.objects.create(form=form, number=1, status="published")
    application = _application(council, version, ada, {"has_pip": True, "pip_points": 10})
    Evidence.objects.create(
        application=application, question_code="proof", file="evidence/2026/12/pip.pdf",
        original_name="pip-award.pdf", content_type="application/pdf", size=120400,
    )  # fmt: skip
    _application(council, version, bea, {"has_pip": "BEA-answer"})

    paid = _payment(council, ada, "Bulky waste collection", "PAY-ADA1")
    Refund.objects.create(payment=paid, amount_pence=500, reason="Two items, not three")
    _payment(council, bea, "BEA-payment", "PAY-BEA1")

    MessageFactory(
        organisation=council, customer=ada, recipient="ada@example.org", subject="Your request",
        body="Dear Ada, we have your request.", status=DeliveryStatus.DELIVERED,
    )  # fmt: skip
    MessageFactory(organisation=council, customer=bea, recipient="BEA-bea@example.org",
                   body="BEA-message")  # fmt: skip

    SurveyInvitation.objects.create(
        organisation=council, customer=ada, contact=first, channel="email", sent_at=NOW,
        expires_at=NOW + datetime.timedelta(days=14), answered_at=NOW,
        rating=Rating.SATISFIED, resolved=True, comment="Quick and kind",
    )  # fmt: skip
    SurveyInvitation.objects.create(
        organisation=council, customer=bea, contact=bea_call, channel="email", sent_at=NOW,
        expires_at=NOW + datetime.timedelta(days=14), answered_at=NOW,
        rating=Rating.DISSATISFIED, comment="BEA-comment",
    )  # fmt: skip
    return Borough(ada, old_ada, bea, ada_case, sensitive_case, bea_case, ada_user)


def export_of(customer: Customer) -> dict[str, Any]:
    return subject_access_export(customer=customer, now=NOW)


def as_json(export: dict[str, Any]) -> str:
    return json.dumps(export, cls=DjangoJSONEncoder, ensure_ascii=False)


def test_the_document_says_what_it_is_whose_and_when(borough, council):
    export = json.loads(as_json(export_of(borough.ada)))

    assert export["schema"] == SCHEMA
    assert export["schema_version"] == SCHEMA_VERSION
    assert export["generated_at"] == "2026-12-07T09:30:00Z"
    assert export["council"]["name"] == council.name
    assert export["subject"] == {"reference": borough.ada.reference, "name": "Ada Okafor"}
    assert set(COVERED_RELATIONS.values()) <= set(export["sections"])


def test_every_relation_to_a_customer_is_exported():
    """A new foreign key to Customer fails this until subject_access covers it."""
    relations = {
        f"{relation.related_model._meta.label_lower}.{relation.field.name}"
        for relation in Customer._meta.related_objects
    }
    assert relations == set(COVERED_RELATIONS)


def test_the_customer_record_with_its_consent_history(borough):
    record = export_of(borough.ada)["sections"]["customer"]

    assert record["reference"] == borough.ada.reference
    assert (record["forenames"], record["surname"]) == ("Ada", "Okafor")
    assert record["date_of_birth"] == datetime.date(1961, 5, 2)
    assert (record["email"], record["mobile"]) == ("ada@example.org", "07700 900123")
    assert record["address"]["uprn"] == borough.ada.address.uprn
    assert record["address"]["ward"] == borough.ada.address.ward.name
    assert record["communication_needs"]["interpreter_language"] == "Igbo"
    assert record["communication_needs"]["large_print"] is True
    assert [(c["purpose"], c["granted"]) for c in record["consents"]] == [
        ("Customer satisfaction surveys", True),
        ("Customer satisfaction surveys", False),
    ]


def test_a_merged_record_and_its_history_are_included(borough):
    sections = export_of(borough.ada)["sections"]

    [merged] = sections["merged_records"]
    assert merged["reference"] == borough.old_ada.reference
    assert merged["email"] == "a.okafor@old.example.org"
    assert merged["merged_into"] == borough.ada.reference
    assert "Asked about Council Tax before she moved" in [c["notes"] for c in sections["contacts"]]
    assert f"Customer record {borough.old_ada.reference}" in {
        entry["record"] for entry in sections["audit_log"]
    }


def test_records_merged_earlier_follow_on_to_the_next_survivor(borough, council, agent):
    survivor = create_customer(actor=agent, organisation=council, forenames="Ada", surname="O")
    merge_customers(actor=agent, survivor=survivor, duplicate=borough.ada)

    sections = export_of(survivor)["sections"]

    assert [(m["reference"], m["merged_into"]) for m in sections["merged_records"]] == [
        (borough.ada.reference, survivor.reference),
        (borough.old_ada.reference, survivor.reference),
    ]
    assert len(sections["contacts"]) == 3


def test_representatives_both_ways(borough):
    people = export_of(borough.ada)["sections"]["representatives"]

    [chidi] = people["acting_for_the_customer"]
    assert (chidi["name"], chidi["relationship"], chidi["phone"]) == (
        "Chidi Okafor", "Family member", "07700 900456",
    )  # fmt: skip
    assert chidi["in_force"] is True
    [bea] = people["the_customer_acts_for"]
    assert (bea["name"], bea["relationship"]) == ("Bea Adeyemi", "Carer")


def test_the_portal_account_without_its_secrets(borough):
    portal = export_of(borough.ada)["sections"]["portal_accounts"]

    [account] = portal["accounts"]
    assert account["email"] == "ada@example.org"
    assert account["email_verified"] is True
    assert "password" not in json.dumps(portal, cls=DjangoJSONEncoder)
    assert borough.ada_user.password not in as_json(export_of(borough.ada))


def test_contacts_oldest_first(borough):
    contacts = export_of(borough.ada)["sections"]["contacts"]

    assert [c["notes"] for c in contacts] == [
        "Asked about Council Tax before she moved",
        "Asked when her bins are collected",
        "Reported a mattress behind the garages",
    ]
    assert contacts[2]["service"] == "Fly-tipping"
    assert (contacts[0]["channel"], contacts[0]["outcome"]) == (
        "Phone",
        "Resolved at first contact",
    )


def test_cases_with_internal_notes_sensitive_ones_and_files(borough):
    cases = {case["reference"]: case for case in export_of(borough.ada)["sections"]["cases"]}

    assert set(cases) == {borough.ada_case.reference, borough.sensitive_case.reference}
    case = cases[borough.ada_case.reference]
    assert case["description"] == "Mattress dumped behind the garages"
    assert case["answers"] == [
        {"question": "size", "answer": "One item"},
        {"question": "blocking_path", "answer": True},
    ]
    assert case["location"]["description"] == "Acacia garages"
    events = {(event["text"], event["visible_to_customer"]) for event in case["events"]}
    assert ("Crew says it is a double mattress", False) in events
    assert ("We will collect it on Tuesday", True) in events
    assert case["attachments"] == [
        {"name": "mattress.jpg", "content_type": "image/jpeg", "size": 48213,
         "uploaded_at": case["attachments"][0]["uploaded_at"]},
    ]  # fmt: skip
    sensitive = cases[borough.sensitive_case.reference]
    assert sensitive["description"] == "Neighbour shouting threats through the letterbox"


def test_a_followed_case_shows_only_what_the_customer_was_told(borough):
    [followed] = export_of(borough.ada)["sections"]["followed_cases"]

    assert followed["reference"] == borough.bea_case.reference
    assert followed["where"] == "Acacia garages"
    assert [update["text"] for update in followed["updates"]] == ["Cleared this morning"]


def test_a_case_of_their_own_that_a_merged_record_followed_is_listed_once(borough, council, agent):
    duplicate = create_customer(actor=agent, organisation=council, forenames="A", surname="Okafor")
    link_report(actor=agent, case=borough.ada_case, customer=duplicate)
    merge_customers(actor=agent, survivor=borough.ada, duplicate=duplicate)

    sections = export_of(borough.ada)["sections"]

    assert [case["reference"] for case in sections["followed_cases"]] == [
        borough.bea_case.reference
    ]
    assert [case["reference"] for case in sections["cases"]].count(borough.ada_case.reference) == 1


def test_referrals_applications_payments_messages_and_surveys(borough):
    sections = export_of(borough.ada)["sections"]

    [referral] = sections["referrals"]
    assert (referral["case"], referral["to_team"], referral["scope"]) == (
        borough.ada_case.reference, "Parks", "Check the park's cameras",
    )  # fmt: skip
    [application] = sections["applications"]
    assert application["form"] == "Apply for a Blue Badge"
    assert {(a["question"], a["answer"]) for a in application["answers"]} == {
        ("has_pip", True), ("pip_points", 10),
    }  # fmt: skip
    assert application["assessment"]["outcome"] == "eligible"
    assert [(e["name"], e["size"]) for e in application["evidence"]] == [("pip-award.pdf", 120400)]
    [payment] = sections["payments"]
    assert (payment["reference"], payment["amount"], payment["status"]) == (
        "PAY-ADA1", "£25.00", "Paid",
    )  # fmt: skip
    assert [(r["amount"], r["reason"]) for r in payment["refunds"]] == [
        ("£5.00", "Two items, not three")
    ]
    bodies = [message["body"] for message in sections["messages"]]
    assert "Dear Ada, we have your request." in bodies
    delivered = next(m for m in sections["messages"] if m["body"].startswith("Dear Ada"))
    assert (delivered["to"], delivered["status"], delivered["channel"]) == (
        "ada@example.org", "Delivered", "Email",
    )  # fmt: skip
    [survey] = sections["surveys"]
    assert (survey["rating"], survey["resolved"], survey["comment"]) == (
        "Satisfied", True, "Quick and kind",
    )  # fmt: skip


def test_the_audit_log_about_the_customers_records(borough, agent):
    audit = export_of(borough.ada)["sections"]["audit_log"]

    records = {entry["record"] for entry in audit}
    assert f"Customer record {borough.ada.reference}" in records
    assert f"Case {borough.ada_case.reference}" in records
    assert f"Case {borough.sensitive_case.reference}" in records
    assert any(record.startswith("Contact on ") for record in records)
    assert f"Case {borough.bea_case.reference}" not in records  # Bea's, though Ada follows it
    assert f"Customer record {borough.bea.reference}" not in records
    registered = next(e for e in audit if e["summary"].endswith("registered"))
    assert (registered["by"], registered["action"]) == (agent.username, "Created")
    assert [entry["occurred_at"] for entry in audit] == sorted(e["occurred_at"] for e in audit)


def test_nothing_of_another_customers_leaks_in(borough):
    text = as_json(export_of(borough.ada))

    assert "BEA-" not in text
    assert "Bea Adeyemi" in text  # whom Ada acts for, and nothing more of hers
    bea = as_json(export_of(borough.bea))
    assert "Ada Okafor" in bea  # acts for Bea
    for adas in ("ada@example.org", "Mattress dumped", "double mattress", "Quick and kind"):
        assert adas not in bea.replace('"email": "ada@example.org"', "")


def test_the_same_data_gives_the_same_document(borough):
    assert as_json(export_of(borough.ada)) == as_json(export_of(borough.ada))


def test_two_thousand_contacts_in_a_bounded_number_of_queries_and_well_under_a_second(
    borough, council, agent, django_assert_max_num_queries
):
    ada = borough.ada
    start = NOW - datetime.timedelta(days=3650)
    contacts = Contact.objects.bulk_create(
        Contact(
            organisation=council,
            customer=ada,
            channel="phone",
            outcome="resolved",
            started_at=start + datetime.timedelta(days=n * 1.8),
            notes=f"Call {n}",
        )
        for n in range(2000)
    )
    AuditEvent.objects.bulk_create(
        AuditEvent(
            organisation_id=council.pk,
            actor=agent,
            actor_label=agent.username,
            action=AuditAction.LOGGED,
            record_type="contacts.contact",
            record_id=str(c.pk),
        )
        for c in contacts
    )
    CaseEvent.objects.bulk_create(
        CaseEvent(case=borough.ada_case, kind=EventKind.NOTE, occurred_at=NOW, text=f"Note {n}")
        for n in range(200)
    )

    began = time.perf_counter()
    with django_assert_max_num_queries(24):
        export = subject_access_export(customer=ada)
    as_json(export)
    took = time.perf_counter() - began

    assert len(export["sections"]["contacts"]) == 2003
    assert len(export["sections"]["audit_log"]) > 2000
    assert took < 1.0, f"{took:.2f} s"
