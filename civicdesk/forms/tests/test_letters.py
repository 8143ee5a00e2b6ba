"""Decision letters and renewal reminders, in the simulated outbox with the right wording."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from civicdesk.forms import applications
from civicdesk.forms.applications import send_renewal_reminders
from civicdesk.forms.models import Application
from civicdesk.forms.tasks import remind_renewals
from civicdesk.forms.tests.applying import *  # noqa: F403 (the fixtures)
from civicdesk.notify.models import Message, MessageEvent
from civicdesk.places.tests.factories import AddressFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def by_letter(customer, council):
    customer.preferred_channel = "letter"
    customer.address = AddressFactory(
        organisation=council, pao_start_number=14, street__name="Acacia Avenue", postcode="KM1 2AB"
    )
    customer.save()
    return customer


def test_the_approval_letter(by_letter, sent, officer):
    approved = applications.approve_application(
        actor=officer, application=sent, note="Your badge will be posted within 10 days."
    )
    letter = Message.objects.get(event=MessageEvent.APPLICATION_APPROVED)
    assert letter.channel == "letter" and letter.recipient.startswith("Ada Lovelace\n14 Acacia")
    expiry = approved.expires_on
    assert letter.personalisation["due"] == f"{expiry.day} {expiry:%B %Y}"
    assert letter.personalisation["reference"] == approved.case.reference
    assert "Your application about Blue Badges has been approved." in letter.body
    assert "Your badge will be posted within 10 days." in letter.body
    assert f"It lasts until: {expiry.day} {expiry:%B %Y}" in letter.body


def test_the_refusal_letter_gives_the_reasons(by_letter, sent, officer):
    applications.refuse_application(
        actor=officer, application=sent, reasons="You told us you get 4 PIP points."
    )
    letter = Message.objects.get(event=MessageEvent.APPLICATION_REFUSED)
    assert letter.channel == "letter"
    assert "You told us you get 4 PIP points." in letter.body
    assert "ask us to look at it again" in letter.body


def test_the_request_for_more_information_by_email(sent, officer):
    applications.ask_for_information(
        actor=officer, application=sent, request="Send your PIP award letter."
    )
    message = Message.objects.get(event=MessageEvent.APPLICATION_MORE_INFORMATION)
    assert message.channel == "email" and message.recipient == "ada@example.org"
    assert "Send your PIP award letter." in message.body
    assert sent.case.reference in message.subject


def test_the_renewal_reminder_goes_once_eight_weeks_before(sent, officer):
    approved = applications.approve_application(actor=officer, application=sent)
    today = timezone.localdate()
    Application.objects.filter(pk=approved.pk).update(
        expires_on=today + datetime.timedelta(weeks=9)
    )
    assert send_renewal_reminders(today=today) == 0
    later = today + datetime.timedelta(weeks=1, days=1)
    assert send_renewal_reminders(today=later) == 1
    assert send_renewal_reminders(today=later) == 0
    reminder = Message.objects.get(event=MessageEvent.APPLICATION_RENEWAL_DUE)
    assert "Apply again now" in reminder.body and reminder.personalisation["due"]
    approved.refresh_from_db()
    assert approved.renewal_reminded_at is not None


def test_the_daily_task_queues_itself_once(db):
    from django_tasks_db.models import DBTaskResult

    call_command("schedule_renewals", stdout=io.StringIO())
    call_command("schedule_renewals", stdout=io.StringIO())
    waiting = DBTaskResult.objects.filter(task_path=remind_renewals.module_path, status="READY")
    assert waiting.count() == 1
