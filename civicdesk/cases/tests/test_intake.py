"""Requests from the public through `cases.intake.submit_request`: one contact and one case,
checked the same way for every channel, never written twice."""

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from civicdesk.cases.intake import ContactDetails, check_request, submit_request
from civicdesk.cases.models import Attachment, Case
from civicdesk.catalogue.models import QuestionType, RequestKind
from civicdesk.catalogue.services import add_question, set_public_details
from civicdesk.contacts.models import Contact, Outcome
from civicdesk.core.models import Submission
from civicdesk.people.models import Customer, Representative

from .factories import CustomerFactory

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
ADA = ContactDetails(forenames="Ada", surname="Okafor", email="ada@example.org")


@pytest.fixture
def public_service(service: Any) -> Any:
    set_public_details(
        actor=None, service=service, request_kind=RequestKind.PROBLEM, allows_anonymous=True
    )
    add_question(
        actor=None,
        service=service,
        code="waste",
        prompt="What has been dumped?",
        datatype=QuestionType.MULTIPLE_CHOICE,
        required=True,
        choices=[{"key": "bags", "name": "Bags"}, {"key": "sofa", "name": "A sofa"}],
    )
    return service


@pytest.fixture
def submit(council: Any, public_service: Any, address: Any) -> Any:
    def send(**fields: Any) -> Case:
        fields.setdefault("actor", None)
        fields.setdefault("organisation", council)
        fields.setdefault("service", public_service)
        fields.setdefault("channel", "web")
        fields.setdefault("description", "Six black bags by the bins")
        fields.setdefault("address", address)
        fields.setdefault("answers", {"waste": ["bags"]})
        return submit_request(**fields)

    return send


def test_a_report_is_one_contact_and_one_case_raised_from_it(submit, address):
    case = submit(details=ADA, submitted_via="Portal")

    contact = Contact.objects.get()
    assert case.source_contact == contact
    assert contact.outcome == Outcome.CASE_RAISED
    assert contact.channel == "web"
    assert contact.notes == "Portal"
    assert case.customer == contact.customer
    assert case.customer.email == "ada@example.org"
    assert case.attributes == {"waste": ["bags"]}
    assert case.address == address
    assert case.ward == address.ward


def test_a_known_customer_is_found_by_email_and_surname_not_registered_again(submit, council):
    known = CustomerFactory(organisation=council, surname="OKAFOR", email="Ada@Example.org")
    case = submit(details=ADA)
    assert case.customer == known
    assert Customer.objects.count() == 1


def test_an_email_alone_does_not_join_a_report_to_someone_elses_record(submit, council):
    CustomerFactory(organisation=council, surname="Smith", email="ada@example.org")
    case = submit(details=ADA)
    assert case.customer.surname == "Okafor"
    assert Customer.objects.count() == 2


def test_anonymous_reports_only_where_the_service_allows(submit, public_service):
    assert submit().customer is None
    set_public_details(actor=None, service=public_service, allows_anonymous=False)
    with pytest.raises(ValidationError) as error:
        submit()
    assert "email" in error.value.message_dict


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"description": "  "}, "description"),
        ({"description": "x" * 4001}, "description"),
        ({"address": None}, "location"),
        ({"address": None, "latitude": 51.5}, "location"),
        ({"answers": {}}, "waste"),
        ({"answers": {"waste": ["piano"]}}, "waste"),
        ({"media_url": "javascript:alert(1)"}, "media_url"),
        ({"channel": "carrier-pigeon"}, "channel"),
        ({"details": ContactDetails(forenames="Ada", surname="Okafor")}, "email"),
        ({"details": ContactDetails(surname="Okafor", email="ada@example.org")}, "forenames"),
        ({"details": ContactDetails(forenames="Ada", email="ada@example.org")}, "surname"),
        ({"details": ContactDetails(surname="O", email="not-an-address")}, "email"),
    ],
)
def test_bad_requests_are_refused_by_field_and_write_nothing(submit, fields, field):
    with pytest.raises(ValidationError) as error:
        submit(**fields)
    assert field in error.value.message_dict
    assert not Case.objects.exists()
    assert not Contact.objects.exists()
    assert not Customer.objects.exists()


def test_a_described_place_will_do_for_a_problem(submit):
    case = submit(address=None, location_description="Behind the library car park")
    assert case.location_description == "Behind the library car park"


def test_information_only_and_private_services_take_no_requests(submit, public_service):
    set_public_details(actor=None, service=public_service, request_kind=RequestKind.NONE)
    with pytest.raises(ValidationError) as error:
        submit()
    assert "service" in error.value.message_dict
    set_public_details(
        actor=None, service=public_service, request_kind=RequestKind.PROBLEM, is_public=False
    )
    with pytest.raises(ValidationError):
        submit()


def test_a_service_of_another_council_is_refused(submit, other_council, public_service):
    with pytest.raises(ValidationError) as error:
        submit(organisation=other_council)
    assert "service" in error.value.message_dict


def test_photos_are_checked_first_and_attached_to_the_case(submit, media):
    photo = SimpleUploadedFile("bags.png", PNG, content_type="image/png")
    case = submit(photos=[photo])
    attachment = Attachment.objects.get(case=case)
    assert attachment.content_type == "image/png"

    fake = SimpleUploadedFile("bags.png", b"MZ\x90\x00not a picture", content_type="image/png")
    with pytest.raises(ValidationError) as error:
        submit(photos=[fake])
    assert "photos" in error.value.message_dict
    assert Case.objects.count() == 1


def test_a_document_is_not_taken_as_a_photo(submit, media):
    letter = SimpleUploadedFile("letter.pdf", b"%PDF-1.7\n%%EOF\n", content_type="application/pdf")
    with pytest.raises(ValidationError) as error:
        submit(photos=[letter])
    assert error.value.message_dict["photos"] == ["The selected file must be a JPG, PNG or WebP."]
    assert not Case.objects.exists()


def test_more_than_three_photos_are_refused(submit, media):
    photos = [SimpleUploadedFile(f"{n}.png", PNG, content_type="image/png") for n in range(4)]
    with pytest.raises(ValidationError) as error:
        submit(photos=photos)
    assert "photos" in error.value.message_dict


def test_a_retried_submission_returns_the_first_case(submit):
    first = submit(details=ADA, submission_key="portal:abc")
    again = submit(details=ADA, submission_key="portal:abc")
    assert again == first
    assert Case.objects.count() == 1
    assert Contact.objects.count() == 1
    assert Customer.objects.count() == 1


def test_a_content_key_counts_only_within_its_window(submit, clock):
    window = datetime.timedelta(minutes=10)
    first = submit(submission_key="open311:1:abc", submission_window=window)
    assert submit(submission_key="open311:1:abc", submission_window=window) == first
    clock(2026, 3, 2, 10, 11)
    later = submit(submission_key="open311:1:abc", submission_window=window)
    assert later != first
    assert Submission.objects.get(key="open311:1:abc").record_id == str(later.pk)


def test_a_representative_acts_within_consent(submit, council, customer, public_service):
    representative = Representative.objects.create(
        organisation=council,
        customer=customer,
        name="Citizens Advice Kingsmere",
        relationship=Representative.Relationship.ADVICE_AGENCY,
        consent_given_on=datetime.date(2026, 1, 1),
    )
    case = submit(customer=customer, representative=representative, channel="partner")
    assert case.source_contact.representative == representative

    representative.scope = Representative.Scope.INFORMATION_ONLY
    representative.save()
    with pytest.raises(ValidationError) as error:
        submit(customer=customer, representative=representative)
    assert "representative" in error.value.message_dict


def test_a_representative_of_someone_else_is_refused(submit, council, customer):
    other = CustomerFactory(organisation=council)
    representative = Representative.objects.create(
        organisation=council,
        customer=other,
        name="A carer",
        relationship=Representative.Relationship.CARER,
        consent_given_on=datetime.date(2026, 1, 1),
    )
    with pytest.raises(ValidationError) as error:
        submit(customer=customer, representative=representative)
    assert "representative" in error.value.message_dict


def test_a_resident_actor_is_not_refused_as_staff(submit, customer):
    from civicdesk.organisations.tests.factories import UserFactory

    resident = UserFactory()  # no staff membership
    case = submit(actor=resident, customer=customer)
    assert case.raised_by == resident


def test_check_request_reports_every_problem_without_writing(council, public_service):
    errors = check_request(
        organisation=council,
        service=public_service,
        description="",
        customer=None,
        details=ContactDetails(forenames="Ada", surname="Okafor"),
        representative=None,
        address=None,
        latitude=None,
        longitude=None,
        location_description="",
        media_url="",
    )
    assert set(errors) == {"description", "location", "email"}
