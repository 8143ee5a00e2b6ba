"""Who is asked: the sampling rate, every exclusion, quiet days and the high-water mark."""

import datetime
import io
import math
import random

import pytest
from django.core.management import call_command

from civicdesk.contacts.models import Contact
from civicdesk.notify.models import Message, MessageEvent
from civicdesk.people.models import Consent, Customer
from civicdesk.people.services import record_consent
from civicdesk.surveys.models import SurveyChannel, SurveyInvitation, SurveySettings
from civicdesk.surveys.services import invitation_id_from_token, invite_sample
from civicdesk.surveys.tasks import sample_surveys, schedule_surveys

pytestmark = pytest.mark.django_db
HOUR = datetime.timedelta(hours=1)


def _invited() -> set[tuple[int | None, int | None]]:
    return set(SurveyInvitation.objects.values_list("contact_id", "case_id"))


def test_contacts_are_drawn_at_the_sample_rate(council, service, survey_templates, now):
    """2,000 finished contacts of 2,000 customers at 10%: the count falls inside the binomial
    distribution's 99.9% interval (z = 3.29). The generator is seeded, so it never flakes."""
    customers = Customer.objects.bulk_create(
        Customer(
            organisation=council, forenames="Sam", surname=f"Jones{n}",
            email=f"sam{n}@example.org",
        )
        for n in range(2000)
    )  # fmt: skip
    Contact.objects.bulk_create(
        Contact(
            organisation=council, customer=customer, service=service, channel="phone",
            outcome="resolved", started_at=now - 2 * HOUR, ended_at=now - HOUR,
        )
        for customer in customers
    )  # fmt: skip

    invited = invite_sample(organisation=council, now=now, rng=random.Random(20261123))

    n, p = 2000, 0.10
    margin = 3.29 * math.sqrt(n * p * (1 - p))
    assert n * p - margin <= invited <= n * p + margin
    assert SurveyInvitation.objects.count() == invited
    assert Message.objects.filter(event=MessageEvent.SURVEY).count() == invited


def test_cases_are_drawn_with_their_own_rate(council, make_customer, make_contact, make_case,
                                             survey_templates, now):  # fmt: skip
    SurveySettings.objects.create(
        organisation=council, contact_sample_percent=0, case_sample_percent=100
    )
    make_contact(make_customer())
    case = make_case(make_customer())

    assert invite_sample(organisation=council, now=now, rng=random.Random(1)) == 1
    assert _invited() == {(None, case.pk)}


def test_everyone_drawn_who_may_be_asked_is_asked_and_nobody_else(
    council, every_one, make_customer, make_contact, make_case, safeguarding, survey_templates,
    now,
):  # fmt: skip
    asked = make_contact(make_customer())
    asked_case = make_case(make_customer())
    make_contact(None)  # nobody to ask
    merged = make_customer()
    make_contact(merged)
    Customer.objects.filter(pk=merged.pk).update(merged_into=make_customer(email="x@example.org"))
    make_contact(make_customer(email=""))  # no email and no mobile
    make_contact(make_customer(), outcome="abandoned")
    make_contact(make_customer(), service=safeguarding)
    make_case(make_customer(), service=safeguarding)  # never survey a safeguarding case
    refused = make_customer()  # refused email, and no mobile to text
    record_consent(
        actor=None, customer=refused, purpose=Consent.Purpose.CONTACT_BY_EMAIL, granted=False
    )
    make_contact(refused)

    invited = invite_sample(organisation=council, now=now, rng=random.Random(1))

    assert invited == 2
    assert _invited() == {(asked.pk, None), (None, asked_case.pk)}
    assert Message.objects.filter(event=MessageEvent.SURVEY).count() == 2


def test_a_text_message_when_there_is_no_email(council, every_one, make_customer, make_contact,
                                               survey_templates, now):  # fmt: skip
    customer = make_customer(email="", mobile="07700 900123")
    make_contact(customer)

    invite_sample(organisation=council, now=now, rng=random.Random(1))

    invitation = SurveyInvitation.objects.get()
    assert invitation.channel == SurveyChannel.SMS
    assert invitation.expires_at == now + datetime.timedelta(days=14)
    message = Message.objects.get(event=MessageEvent.SURVEY)
    assert message.channel == "sms" and message.customer == customer


def test_the_link_names_the_invitation_and_nothing_about_the_customer(
    council, every_one, make_customer, make_contact, survey_templates, now
):
    customer = make_customer(forenames="Priya", surname="Shah", email="priya@example.org")
    make_contact(customer)

    invite_sample(organisation=council, now=now, rng=random.Random(1))

    invitation = SurveyInvitation.objects.get()
    message = Message.objects.get(event=MessageEvent.SURVEY)
    url = message.personalisation["url"]
    assert url.endswith("/") and "/survey/" in url
    token = url.rstrip("/").rsplit("/", 1)[1]
    assert invitation_id_from_token(token) == invitation.pk
    assert "priya" not in url.lower() and "shah" not in url.lower() and "@" not in url
    assert message.personalisation["service"] == "Bulky waste collection"
    assert "Priya Shah" in message.body  # the message greets them; the link does not name them


def test_nothing_is_sent_without_a_template(council, every_one, make_customer, make_contact, now):
    make_contact(make_customer())

    assert invite_sample(organisation=council, now=now, rng=random.Random(1)) == 0
    assert not SurveyInvitation.objects.exists()


def test_nobody_is_asked_twice_within_the_quiet_days(
    council, every_one, make_customer, make_contact, make_case, survey_templates, now
):
    recently, long_ago, twice = make_customer(), make_customer(), make_customer()
    for customer, days in ((recently, 30), (long_ago, 91)):
        earlier = make_contact(customer, ended=datetime.timedelta(days=days))
        SurveyInvitation.objects.create(
            organisation=council, customer=customer, contact=earlier, channel="email",
            sent_at=now - datetime.timedelta(days=days),
            expires_at=now - datetime.timedelta(days=days - 14),
        )  # fmt: skip
    make_contact(recently)
    again = make_contact(long_ago)
    first = make_contact(twice, ended=2 * HOUR)
    make_case(twice)  # the same customer twice in one run: asked once

    invited = invite_sample(organisation=council, now=now, rng=random.Random(1))

    assert invited == 2
    new = SurveyInvitation.objects.filter(sent_at=now)
    assert set(new.values_list("contact_id", flat=True)) == {again.pk, first.pk}


def test_the_high_water_mark_means_a_second_run_invites_nobody_new(
    council, every_one, make_customer, make_contact, survey_templates, now
):
    make_contact(make_customer(), ended=datetime.timedelta(days=2))  # before the first look-back
    inside = make_contact(make_customer())

    assert invite_sample(organisation=council, now=now, rng=random.Random(1)) == 1
    assert _invited() == {(inside.pk, None)}
    assert SurveySettings.objects.get(organisation=council).last_sampled_at == now
    assert invite_sample(organisation=council, now=now + HOUR, rng=random.Random(1)) == 0

    later = make_contact(make_customer())  # ends after the second run, as recorded below
    Contact.objects.filter(pk=later.pk).update(ended_at=now + HOUR + datetime.timedelta(minutes=5))
    assert invite_sample(organisation=council, now=now + 2 * HOUR, rng=random.Random(1)) == 1
    assert (later.pk, None) in _invited()


def test_a_retried_contact_is_invited_once(council, every_one, make_customer, make_contact,
                                           survey_templates, now):  # fmt: skip
    make_contact(make_customer())
    invite_sample(organisation=council, now=now, rng=random.Random(1))
    SurveySettings.objects.filter(organisation=council).update(last_sampled_at=None)

    assert invite_sample(organisation=council, now=now, rng=random.Random(1)) == 0
    assert SurveyInvitation.objects.count() == 1


def test_a_council_that_turned_surveys_off_sends_none(council, make_customer, make_contact,
                                                      survey_templates, now):  # fmt: skip
    SurveySettings.objects.create(organisation=council, is_enabled=False)
    make_contact(make_customer())

    assert invite_sample(organisation=council, now=now, rng=random.Random(1)) == 0
    assert SurveySettings.objects.get(organisation=council).last_sampled_at == now


def test_settings_are_made_with_the_defaults(council, now):
    invite_sample(organisation=council, now=now)

    made = SurveySettings.objects.get(organisation=council)
    assert (made.is_enabled, made.contact_sample_percent, made.case_sample_percent) == (
        True, 10, 20,
    )  # fmt: skip
    assert (made.quiet_days, made.valid_days) == (90, 14)


def test_the_sampler_queues_itself_once(council):
    assert schedule_surveys() is True
    assert schedule_surveys() is False
    call_command("schedule_surveys", stdout=io.StringIO())
    assert sample_surveys.call() == 0
