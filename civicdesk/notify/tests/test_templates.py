"""Adding templates: the checks that keep a template from ever failing to fill in."""

import pytest
from django.core.exceptions import ValidationError

from civicdesk.catalogue.services import create_service
from civicdesk.core.models import AuditEvent
from civicdesk.notify.demo import install_demo_templates
from civicdesk.notify.models import MessageChannel, MessageEvent, MessageTemplate
from civicdesk.notify.services import CUSTOMER_KEYS, allowed_keys, create_template
from civicdesk.notify.templating import render
from civicdesk.organisations.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def add(council, **fields):
    values = {
        "actor": None,
        "organisation": council,
        "event": MessageEvent.UPDATE,
        "channel": MessageChannel.EMAIL,
        "subject": "Update on ((reference))",
        "body": "((update))",
    }
    return create_template(**{**values, **fields})


def error_text(raised):
    return " ".join(
        message for messages in raised.value.message_dict.values() for message in messages
    )


def test_a_template_is_added_and_audited(council, agent):
    template = add(council, actor=agent)
    assert template.service is None
    entry = AuditEvent.objects.for_record("notify.messagetemplate", template.pk).get()
    assert entry.actor == agent


def test_a_placeholder_callers_do_not_give_is_refused_with_the_ones_they_do(council):
    with pytest.raises(ValidationError) as raised:
        add(council, body="Dear ((first_name)), ((case_url))")
    text = error_text(raised)
    assert "((first_name)), ((case_url)) cannot be filled in" in text
    assert "((reference))" in text


def test_staff_and_letter_templates_have_their_own_placeholders(council):
    add(council, event=MessageEvent.REFERRAL, body="((team)) ((case_url))")
    add(council, channel=MessageChannel.LETTER, body="((update))((large_print?? Large print.))")
    with pytest.raises(ValidationError):
        add(council, event=MessageEvent.SLA_WARNING, body="((location))")


def test_subjects_belong_to_emails_and_letters_only(council):
    with pytest.raises(ValidationError, match="Enter a subject"):
        add(council, subject=" ")
    with pytest.raises(ValidationError, match="Text messages have no subject"):
        add(council, channel=MessageChannel.SMS)
    add(council, channel=MessageChannel.SMS, subject="")


def test_unclosed_brackets_and_empty_bodies_are_refused(council):
    with pytest.raises(ValidationError, match="Check the brackets"):
        add(council, body="Hello ((name)")
    with pytest.raises(ValidationError, match="Enter the message"):
        add(council, body="  ")


def test_one_template_per_event_channel_and_service(council):
    add(council)
    with pytest.raises(ValidationError, match="already a template"):
        add(council)
    add(council, easy_read=True)
    service = create_service(actor=None, organisation=council, name="Bins")
    add(council, service=service)
    assert MessageTemplate.objects.count() == 3


def test_another_councils_service_is_refused(council):
    other = OrganisationFactory(name="Elsewhere", slug="elsewhere")
    service = create_service(actor=None, organisation=other, name="Bins")
    with pytest.raises(ValidationError):
        add(council, service=service)


def test_the_demo_templates_cover_every_event_and_fill_in_with_or_without_values(council):
    templates = install_demo_templates(actor=None, organisation=council)

    assert {(t.event, t.channel) for t in templates} == {
        *((event, channel) for event in ("acknowledgement", "update", "closure",
                                          "application_received", "application_more_information",
                                          "application_approved", "application_refused",
                                          "application_renewal_due")
          for channel in ("email", "sms", "letter")),
        ("sla_warning", "email"),
        ("referral", "email"),
        ("verify_email", "email"),
        ("account_exists", "email"),
        ("password_reset", "email"),
        ("survey", "email"),
        ("survey", "sms"),
    }  # fmt: skip
    assert install_demo_templates(actor=None, organisation=council) == []
    for template in templates:
        keys = allowed_keys(event=template.event, channel=template.channel)
        for value in ("", "Something"):
            body = render(template.body, personalisation=dict.fromkeys(keys, value))
            assert "((" not in body
            assert "\n\n\n" not in body
        if template.channel != MessageChannel.SMS and set(keys) >= set(CUSTOMER_KEYS):
            nameless = render(template.body, personalisation=dict.fromkeys(keys, ""))
            assert nameless.startswith("Hello,\n\n")


def test_a_demo_text_message_fits_in_two_texts(council, personalisation):
    for template in install_demo_templates(actor=None, organisation=council):
        if template.channel == MessageChannel.SMS:
            text = render(template.body, personalisation={**personalisation, "update": ""})
            assert len(text) <= 306, text
