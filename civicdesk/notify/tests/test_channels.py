"""Which channel and which template a customer's message uses."""

import pytest

from civicdesk.catalogue.services import create_service
from civicdesk.core.models import AuditAction, AuditEvent
from civicdesk.notify.models import DeliveryStatus, Message, MessageChannel, MessageEvent
from civicdesk.notify.services import notify_customer, notify_staff
from civicdesk.notify.tests.factories import MessageTemplateFactory
from civicdesk.organisations.models import Role
from civicdesk.organisations.tests.factories import MembershipFactory, UserFactory
from civicdesk.people.models import Consent
from civicdesk.people.services import merge_customers, record_consent
from civicdesk.places.tests.factories import AddressFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def send(council, service, personalisation, templates):
    def send(customer, event=MessageEvent.ACKNOWLEDGEMENT, **kwargs):
        return notify_customer(
            organisation=council,
            customer=customer,
            event=event,
            about_reference="CAS-000042",
            service=kwargs.pop("service", service),
            personalisation=kwargs.pop("personalisation", personalisation),
            **kwargs,
        )

    return send


def everything(make_customer, address, **fields):
    """A customer the council could reach on every channel."""
    return make_customer(email="ada@example.org", mobile="07700 900123", address=address, **fields)


@pytest.mark.parametrize(
    ("preferred", "channel"),
    [
        ("email", "email"),
        ("sms", "sms"),
        ("letter", "letter"),
        ("", "email"),
        ("phone", "email"),
        ("face_to_face", "email"),
        ("web", "email"),
    ],
)
def test_the_preferred_written_channel_comes_first_then_email(
    send, make_customer, address, preferred, channel
):
    customer = everything(make_customer, address, preferred_channel=preferred)
    assert send(customer).channel == channel


def test_someone_who_prefers_the_phone_gets_written_confirmation_by_what_they_have(
    send, make_customer, address
):
    assert send(make_customer(preferred_channel="phone", mobile="07700900123")).channel == "sms"
    assert send(make_customer(preferred_channel="phone", address=address)).channel == "letter"
    assert send(make_customer(preferred_channel="face_to_face")) is None


def test_a_refused_consent_rules_the_channel_out_until_it_is_given_again(
    send, make_customer, address
):
    customer = everything(make_customer, address, preferred_channel="email")
    record_consent(
        actor=None, customer=customer, purpose=Consent.Purpose.CONTACT_BY_EMAIL, granted=False
    )
    assert send(customer).channel == "sms"

    record_consent(
        actor=None, customer=customer, purpose=Consent.Purpose.CONTACT_BY_SMS, granted=False
    )
    assert send(customer).channel == "letter"

    record_consent(
        actor=None, customer=customer, purpose=Consent.Purpose.CONTACT_BY_EMAIL, granted=True
    )
    assert send(customer).channel == "email"


def test_a_preferred_channel_without_the_details_falls_back(send, make_customer, address):
    assert send(make_customer(preferred_channel="sms", email="ada@example.org")).channel == "email"
    assert send(make_customer(preferred_channel="email", address=address)).channel == "letter"


def test_a_landline_cannot_get_a_text_but_a_mobile_in_the_phone_field_can(send, make_customer):
    landline_only = make_customer(preferred_channel="sms", mobile="01632 960123")
    assert send(landline_only) is None

    message = send(make_customer(preferred_channel="sms", phone="+44 (0)7700 900456"))
    assert (message.channel, message.recipient) == ("sms", "07700900456")


def test_a_letter_goes_to_the_address_lines_with_the_name_first(send, make_customer, council):
    address = AddressFactory(
        organisation=council, sao_text="Flat 2", pao_start_number=14,
        street__name="Acacia Avenue", postcode="KM1 2AB",
    )  # fmt: skip
    customer = make_customer(title="Ms", preferred_channel="letter", address=address)

    message = send(customer)

    assert message.recipient == "Ms Ada Lovelace\nFlat 2\n14 Acacia Avenue\nKingsmere\nKM1 2AB"
    assert message.personalisation["address_line_1"] == "Ms Ada Lovelace"
    assert message.personalisation["address_line_5"] == "KM1 2AB"
    assert message.personalisation["address_line_6"] == ""
    assert message.personalisation["large_print"] == "no"
    assert not message.large_print


def test_an_address_without_a_real_postcode_cannot_get_a_letter(send, make_customer, council):
    address = AddressFactory(organisation=council, postcode="NOWHERE")
    assert send(make_customer(preferred_channel="letter", address=address)) is None


def test_large_print_is_for_letters(send, make_customer, address):
    letter = send(
        make_customer(preferred_channel="letter", address=address, needs_large_print=True)
    )
    email = send(make_customer(email="ada@example.org", needs_large_print=True))

    assert letter.large_print
    assert letter.personalisation["large_print"] == "yes"
    assert not email.large_print
    assert "large_print" not in email.personalisation


def test_a_reporter_without_a_customer_record_is_reached_by_email_or_text(send):
    assert send(None, email="reporter@example.org").recipient == "reporter@example.org"
    assert send(None, mobile="07700 900789").recipient == "07700900789"
    assert send(None, email="not an email", mobile="01632 960123") is None
    assert send(None) is None
    assert Message.objects.filter(customer__isnull=True).count() == 2


def test_the_message_is_stored_rendered_and_audited_without_personal_data(
    send, make_customer, council
):
    customer = make_customer(email="ada@example.org")

    message = send(customer)

    assert message.status == DeliveryStatus.CREATED
    assert (message.organisation, message.customer, message.about_reference) == (
        council, customer, "CAS-000042",
    )  # fmt: skip
    assert message.subject == "We've received your request: CAS-000042"
    assert message.body.startswith("Hello Ada Lovelace,\n\nWe've received your request about")
    assert "Where: Acacia Avenue" in message.body
    assert "Track your request" not in message.body  # no url given
    entry = AuditEvent.objects.for_record("notify.message", message.pk).get()
    assert entry.action == AuditAction.CREATED
    assert "ada@example.org" not in entry.summary + str(entry.detail)


def test_an_empty_name_still_reads_well(send, personalisation):
    message = send(None, email="r@example.org", personalisation={**personalisation, "name": ""})
    assert message.body.startswith("Hello,\n\nWe've received")


def test_a_merged_customer_is_written_to_as_the_surviving_record(send, make_customer):
    survivor = make_customer(email="ada@example.org")
    duplicate = make_customer(email="old@example.org")
    merge_customers(actor=None, survivor=survivor, duplicate=duplicate)
    duplicate.refresh_from_db()

    message = send(duplicate)

    assert (message.customer, message.recipient) == (survivor, "ada@example.org")


def test_missing_personalisation_sends_nothing_rather_than_failing_the_caller(
    send, make_customer, caplog
):
    message = send(make_customer(email="ada@example.org"), personalisation={"name": "Ada"})

    assert message is None
    assert not Message.objects.exists()
    assert "((reference))" in caplog.text


class TestTemplateLookup:
    @pytest.fixture
    def customer(self, make_customer):
        return make_customer(email="ada@example.org")

    def test_the_services_own_template_before_the_councils_default(
        self, send, customer, service, council
    ):
        own = MessageTemplateFactory(organisation=council, service=service)
        assert send(customer).template == own

        own.is_active = False
        own.save()
        assert send(customer).template.service is None

    def test_another_services_template_is_never_used(self, send, customer, council, service):
        other = create_service(actor=None, organisation=council, name="Graffiti")
        MessageTemplateFactory(organisation=council, service=other)
        assert send(customer).template.service is None

    def test_another_councils_templates_are_never_used(self, send, customer, council):
        from civicdesk.organisations.tests.factories import OrganisationFactory

        elsewhere = OrganisationFactory(name="Elsewhere", slug="elsewhere")
        template = MessageTemplateFactory(organisation=elsewhere, event=MessageEvent.CLOSURE)
        assert send(customer, event=MessageEvent.CLOSURE).template != template

    def test_no_template_for_any_reachable_channel_sends_nothing(self, customer, council):
        message = notify_customer(
            organisation=council,
            customer=customer,
            event=MessageEvent.UPDATE,
            about_reference="CAS-000042",
            service=None,
            personalisation={},
        )
        assert message is None

    def test_a_channel_without_a_template_gives_way_to_the_next(
        self, make_customer, council, personalisation
    ):
        MessageTemplateFactory(organisation=council, channel=MessageChannel.EMAIL)
        customer = make_customer(
            preferred_channel="sms", mobile="07700900123", email="ada@example.org"
        )
        message = notify_customer(
            organisation=council,
            customer=customer,
            event=MessageEvent.ACKNOWLEDGEMENT,
            about_reference="CAS-000042",
            service=None,
            personalisation=personalisation,
        )
        assert message.channel == "email"

    def test_easy_read_wording_for_those_who_need_it(self, send, make_customer, council, service):
        easy = MessageTemplateFactory(
            organisation=council, service=service, easy_read=True, body="We got it. ((reference))"
        )
        needs = make_customer(email="ada@example.org", needs_easy_read=True)
        does_not = make_customer(email="bob@example.org")

        assert send(needs).template == easy
        assert send(needs).body == "We got it. CAS-000042"
        assert send(does_not).template.easy_read is False

        easy.delete()
        assert send(needs).template.easy_read is False  # standard wording rather than nothing


class TestStaff:
    @pytest.fixture
    def leader(self, council, contact_centre):
        return MembershipFactory(team=contact_centre, role=Role.TEAM_LEADER).user

    def notify(self, council, user, event=MessageEvent.REFERRAL):
        return notify_staff(
            organisation=council,
            staff_member=user,
            event=event,
            about_reference="CAS-000042",
            personalisation={
                "name": "Sam Agent", "reference": "CAS-000042", "service": "Fly-tipping",
                "team": "Street scene", "due": "", "case_url": "",
            },
        )  # fmt: skip

    def test_staff_are_emailed(self, council, leader, templates):
        message = self.notify(council, leader)

        assert (message.channel, message.recipient, message.staff_member) == (
            "email", leader.email, leader,
        )  # fmt: skip
        assert message.customer is None
        assert message.subject == "Work referred to Street scene: CAS-000042"
        assert "Complete it by" not in message.body

    def test_staff_who_cannot_get_it_are_skipped(self, council, templates):
        assert self.notify(council, UserFactory(email="")) is None
        assert self.notify(council, UserFactory(is_active=False)) is None

    def test_no_template_no_message(self, council, leader):
        assert self.notify(council, leader, event=MessageEvent.SLA_WARNING) is None
