"""Deciding an application on its case: approve, refuse, ask for more, withdraw; who may."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from civicdesk.cases.models import Attachment, CaseEvent, CaseStatus, EventKind
from civicdesk.catalogue.models import Sensitivity
from civicdesk.core.models import AuditAction, AuditEvent
from civicdesk.forms import applications
from civicdesk.forms.models import ApplicationStatus
from civicdesk.forms.tests.applying import *  # noqa: F403 (the fixtures)
from civicdesk.forms.tests.applying import photo

pytestmark = pytest.mark.django_db


def test_approving_sets_the_expiry_and_closes_the_case(sent, officer):
    approved = applications.approve_application(
        actor=officer, application=sent, note="Your badge will be posted within 10 days."
    )
    assert approved.status == ApplicationStatus.APPROVED
    assert approved.decided_by == officer and approved.decided_at
    assert approved.expires_on == timezone.localdate() + datetime.timedelta(days=1095)
    approved.case.refresh_from_db()
    assert approved.case.status == CaseStatus.CLOSED and approved.case.resolution_code == "done"
    with pytest.raises(ValidationError):
        applications.refuse_application(actor=officer, application=approved, reasons="Late")


def test_refusing_needs_reasons(sent, officer):
    with pytest.raises(ValidationError) as refused:
        applications.refuse_application(actor=officer, application=sent, reasons="  ")
    assert "reasons" in refused.value.message_dict
    done = applications.refuse_application(
        actor=officer, application=sent, reasons="You get fewer than 8 PIP points."
    )
    assert done.status == ApplicationStatus.REFUSED
    assert done.decision_reasons == "You get fewer than 8 PIP points."
    done.case.refresh_from_db()
    assert not done.case.is_open


def test_more_information_pauses_the_clock_until_the_answer(sent, officer, resident):
    asked = applications.ask_for_information(
        actor=officer, application=sent, request="Send your PIP award letter."
    )
    case = asked.case
    case.refresh_from_db()
    assert asked.status == ApplicationStatus.MORE_INFORMATION
    assert asked.information_requested == "Send your PIP award letter."
    assert case.status == CaseStatus.WAITING_CUSTOMER and case.clock_paused_at is not None
    answered = applications.provide_information(
        actor=resident,
        application=asked,
        text="Here is the letter.",
        files=[photo("letter.png")],
    )
    case.refresh_from_db()
    assert answered.status == ApplicationStatus.SUBMITTED
    assert case.status == CaseStatus.IN_PROGRESS and case.clock_paused_at is None
    update = CaseEvent.objects.get(case=case, kind=EventKind.REPORTER_UPDATE)
    assert update.text == "Here is the letter." and update.is_public
    assert Attachment.objects.filter(case=case, name="letter.png").exists()
    assert CaseEvent.objects.filter(case=case, kind=EventKind.CLOCK_RESUMED).exists()


def test_information_can_only_be_given_when_asked(sent, resident):
    with pytest.raises(ValidationError):
        applications.provide_information(actor=resident, application=sent, text="Hi", files=[])


def test_withdrawing_a_sent_application_closes_its_case(sent, resident):
    withdrawn = applications.withdraw_application(actor=resident, application=sent)
    withdrawn.case.refresh_from_db()
    assert withdrawn.status == ApplicationStatus.WITHDRAWN
    assert withdrawn.case.resolution_code == "withdrawn" and not withdrawn.case.is_open


def test_a_colleague_without_access_cannot_decide(sent, colleague, badge_service, client):
    badge_service.sensitivity = Sensitivity.SENSITIVE
    badge_service.save()
    with pytest.raises(PermissionDenied):
        applications.approve_application(actor=colleague, application=sent)
    client.force_login(colleague)
    url = reverse("console:case-application-approve", args=[sent.case.reference])
    assert client.get(url).status_code == 404
    sent.refresh_from_db()
    assert sent.status == ApplicationStatus.SUBMITTED


def test_the_resident_cannot_decide(sent, resident):
    with pytest.raises(PermissionDenied):
        applications.approve_application(actor=resident, application=sent)


def test_the_case_page_shows_the_application_and_the_decisions(sent, officer, client):
    client.force_login(officer)
    page = client.get(reverse("console:case", args=[sent.case.reference]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Apply for a Blue Badge (version 1)" in html and "Eligible" in html
    assert "face.png" in html and "Ada Lovelace" in html
    assert reverse("console:case-application-approve", args=[sent.case.reference]) in html


def test_deciding_through_the_console(sent, officer, client, badge_service):
    badge_service.sensitivity = Sensitivity.SENSITIVE
    badge_service.save()
    client.force_login(officer)
    url = reverse("console:case-application-refuse", args=[sent.case.reference])
    form = client.get(url)
    assert form.status_code == 200
    assert AuditEvent.objects.filter(actor=officer, action=AuditAction.VIEWED_SENSITIVE).count()
    token = form.context["form"].initial["form_token"]
    empty = client.post(url, {"form_token": token, "reasons": ""})
    assert "Explain why the application is refused" in empty.content.decode()
    done = client.post(url, {"form_token": token, "reasons": "Fewer than 8 points."}, follow=True)
    assert "The application is refused" in done.content.decode()
    sent.refresh_from_db()
    assert sent.status == ApplicationStatus.REFUSED
    # The buttons are gone once it is decided.
    again = client.get(url)
    assert again.status_code == 302
