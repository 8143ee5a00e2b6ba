"""Applications: starting, saving answers and evidence, paying, and sending as a case."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from civicdesk.cases.models import Attachment, Case
from civicdesk.contacts.models import Contact
from civicdesk.forms import applications
from civicdesk.forms.models import Application, ApplicationStatus, Evidence
from civicdesk.forms.tests.applying import *  # noqa: F403 (the fixtures)
from civicdesk.forms.tests.applying import fill_in, pages, photo
from civicdesk.notify.models import Message, MessageEvent
from civicdesk.organisations.tests.factories import UserFactory
from civicdesk.payments.models import PaymentStatus
from civicdesk.payments.services import refresh_payment
from civicdesk.payments.tests.conftest import DECLINED_CARD, card

pytestmark = pytest.mark.django_db


def test_starts_a_draft_on_the_published_version(started, form):
    assert started.status == ApplicationStatus.DRAFT
    assert started.form_version.form == form and started.form_version.status == "published"
    assert started.channel == "web"


def test_an_inactive_form_is_refused(form, customer, resident):
    form.is_active = False
    form.save()
    with pytest.raises(ValidationError):
        applications.start_application(actor=resident, form=form, customer=customer, channel="web")


def test_saving_merges_prunes_and_keeps_evidence(started, resident):
    about = pages(started)[0]
    fill_in(started, actor=resident)
    started.refresh_from_db()
    stored = Evidence.objects.get(application=started)
    assert started.answers["pip_points"] == 10
    assert started.answers["photo"] == [{"evidence": stored.pk, "name": "face.png"}]
    with stored.file.open("rb") as stream:
        assert stored.content_type == "image/png" and stream.read().startswith(b"\x89PNG")
    # No PIP after all: the PIP page's answer is dropped.
    applications.save_answers(
        actor=resident, application=started, page=about, answers={"gets_pip": False}
    )
    started.refresh_from_db()
    assert "pip_points" not in started.answers and started.answers["full_name"] == "Ada Lovelace"


def test_a_file_of_the_wrong_type_is_refused(started, resident):
    evidence_page = pages(started)[2]
    with pytest.raises(ValidationError) as refused:
        applications.save_answers(
            actor=resident,
            application=started,
            page=evidence_page,
            answers={},
            files={"photo": [photo("face.png", b"MZ\x90\x00 not a picture")]},
        )
    assert "photo" in refused.value.message_dict
    assert not Evidence.objects.exists()


def test_removing_evidence_empties_the_answer(started, resident):
    fill_in(started, actor=resident)
    stored = Evidence.objects.get(application=started)
    applications.remove_evidence(actor=resident, application=started, evidence_id=stored.pk)
    started.refresh_from_db()
    assert "photo" not in started.answers and not Evidence.objects.exists()
    assert applications.problems(started, on=timezone.localdate()) == [
        "Answer the questions on the page “Your photo”."
    ]


def test_problems_name_the_pages_with_missing_answers(started):
    assert applications.problems(started, on=timezone.localdate()) == [
        "Answer the questions on the page “About you”.",
        "Answer the questions on the page “Your photo”.",
    ]
    with pytest.raises(ValidationError):
        applications.submit_application(actor=None, application=started)


def test_someone_else_cannot_change_it(started):
    stranger = UserFactory(username="someone@example.org")
    with pytest.raises(PermissionDenied):
        applications.save_answers(
            actor=stranger, application=started, page=pages(started)[0], answers={}
        )


def test_sending_assesses_logs_raises_attaches_and_acknowledges(sent, team, resident):
    assert sent.status == ApplicationStatus.SUBMITTED and sent.submitted_at
    assert sent.assessment["outcome"] == "eligible"
    assert sent.assessment["rules"] == "badge" and sent.assessment["version"] == 1
    case = sent.case
    assert case.team == team and case.attributes == {"application": sent.pk}
    assert case.description == "Application: Apply for a Blue Badge"
    assert case.source_contact.outcome == "case_raised" and case.source_contact.channel == "web"
    attachment = Attachment.objects.get(case=case)
    assert attachment.name == "face.png"
    assert Evidence.objects.get(application=sent).attachment == attachment
    received = Message.objects.get(event=MessageEvent.APPLICATION_RECEIVED)
    assert received.about_reference == case.reference and case.reference in received.body
    # Sending again, as a double click would, changes nothing.
    again = applications.submit_application(actor=resident, application=sent)
    assert again.case_id == case.pk and Case.objects.count() == 1
    assert Contact.objects.count() == 1


def test_further_assessment_when_no_rule_matches(started, resident):
    fill_in(started, actor=resident, points=4)
    sent = applications.submit_application(actor=resident, application=started)
    assert sent.assessment["outcome"] == "further_assessment"
    assert sent.assessment["reasons"]


def test_a_broken_rule_set_sends_it_for_further_assessment(started, resident):
    from civicdesk.forms.models import EligibilityRules

    EligibilityRules.objects.filter(code="badge").update(definition={"rules": "broken"})
    fill_in(started, actor=resident)
    sent = applications.submit_application(actor=resident, application=started)
    assert sent.assessment["outcome"] == "further_assessment" and sent.assessment["notes"]


def test_a_submission_key_sends_once(started, resident):
    fill_in(started, actor=resident)
    first = applications.submit_application(
        actor=resident, application=started, submission_key="k-1"
    )
    second = applications.submit_application(
        actor=resident, application=Application.objects.get(pk=started.pk), submission_key="k-1"
    )
    assert first.case_id == second.case_id and Case.objects.count() == 1


def test_an_agent_applies_for_a_caller(form, customer, templates, council):
    from civicdesk.organisations.tests.factories import MembershipFactory, TeamFactory

    agent = MembershipFactory(team=TeamFactory(organisation=council)).user
    application = applications.start_application(
        actor=agent, form=form, customer=customer, channel="phone"
    )
    fill_in(application, actor=agent)
    sent = applications.submit_application(actor=agent, application=application)
    assert sent.case.channel == "phone" and sent.case.raised_by == agent


# Paying.


@pytest.fixture
def to_pay(paid_form, customer, resident, templates):
    application = applications.start_application(
        actor=resident, form=paid_form, customer=customer, channel="web"
    )
    return fill_in(application, actor=resident)


def _request(application, actor):
    return applications.request_payment(
        actor=actor,
        application=application,
        return_url_for=lambda secret: f"http://testserver/return/{secret}/",
    )


def test_a_fee_must_be_paid_before_sending(to_pay, resident):
    with pytest.raises(ValidationError, match="Pay the fee"):
        applications.submit_application(actor=resident, application=to_pay)


def test_no_payment_for_a_form_without_a_fee(started, resident):
    fill_in(started, actor=resident)
    with pytest.raises(ValidationError):
        _request(started, resident)


def test_paying_sends_it_through_the_hook(to_pay, resident):
    payment = _request(to_pay, resident)
    to_pay.refresh_from_db()
    assert to_pay.status == ApplicationStatus.AWAITING_PAYMENT
    assert payment.amount_pence == 1000 and payment.purpose == "application"
    assert _request(to_pay, resident).pk == payment.pk  # one payment at a time
    Client().post(payment.next_url, card())
    refresh_payment(payment=payment, source="return")
    to_pay.refresh_from_db()
    assert to_pay.status == ApplicationStatus.SUBMITTED and to_pay.case_id
    # The resident's own "send" after the return (or a second refresh) makes no second case.
    again = applications.submit_application(actor=resident, application=to_pay)
    assert again.case_id == to_pay.case_id and Case.objects.count() == 1
    with pytest.raises(ValidationError):
        applications.save_answers(
            actor=resident, application=to_pay, page=pages(to_pay)[0], answers={}
        )


def test_a_declined_payment_goes_back_to_the_draft(to_pay, resident):
    payment = _request(to_pay, resident)
    Client().post(payment.next_url, card(DECLINED_CARD))
    payment = refresh_payment(payment=payment, source="return")
    assert payment.status == PaymentStatus.FAILED
    to_pay.refresh_from_db()
    assert to_pay.status == ApplicationStatus.DRAFT and to_pay.case_id is None
    second = _request(to_pay, resident)
    assert second.pk != payment.pk


def test_withdrawn_before_sending(started, resident):
    withdrawn = applications.withdraw_application(actor=resident, application=started)
    assert withdrawn.status == ApplicationStatus.WITHDRAWN
    with pytest.raises(ValidationError):
        applications.submit_application(actor=resident, application=withdrawn)


def test_selectors_find_the_residents_own(sent, resident, customer):
    from django.http import Http404

    from civicdesk.forms.selectors import (
        application_for_case,
        application_for_resident,
        applications_for_account,
    )

    assert list(applications_for_account(user=resident)) == [sent]
    assert application_for_resident(user=resident, pk=sent.pk) == sent
    assert application_for_case(case=sent.case) == sent
    with pytest.raises(Http404):
        application_for_resident(user=UserFactory(username="x@example.org"), pk=sent.pk)


def test_a_representative_sees_and_fills_in(started, customer, council):
    import datetime

    from civicdesk.forms.selectors import applications_for_account
    from civicdesk.people.models import Representative

    carer = UserFactory(username="carer@example.org")
    Representative.objects.create(
        organisation=council,
        customer=customer,
        name="Carla Carer",
        relationship="carer",
        consent_given_on=datetime.date(2026, 1, 1),
        user=carer,
    )
    assert list(applications_for_account(user=carer)) == [started]
    applications.save_answers(
        actor=carer, application=started, page=pages(started)[0], answers={"full_name": "Ada"}
    )


def test_model_has_no_resume_key():
    assert "resume_key_hash" not in {field.name for field in Application._meta.get_fields()}
