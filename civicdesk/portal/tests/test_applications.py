"""Applying on the portal: the forms on offer, the start page, each page, check your answers,
paying (and a failed payment tried again), the confirmation, and "Your applications" with
more information and withdrawing; an agent applying for a caller; and every access check."""

import re
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from civicdesk.cases.models import Attachment, Case
from civicdesk.catalogue.services import create_service
from civicdesk.forms import applications as application_services
from civicdesk.forms import services as form_services
from civicdesk.forms.models import Application, ApplicationStatus, Evidence, QuestionKind
from civicdesk.notify.demo import install_demo_templates
from civicdesk.organisations.models import Role
from civicdesk.organisations.tests.factories import MembershipFactory, TeamFactory
from civicdesk.payments.models import Payment, SimulatedPayment
from civicdesk.people import accounts
from civicdesk.people.models import Representative
from civicdesk.people.services import add_representative, create_customer
from civicdesk.portal.tests.conftest import PNG
from civicdesk.portal.views.representing import SESSION_KEY

pytestmark = pytest.mark.django_db

PASSWORD = "quiet-harbour-4127"
SUCCESS_CARD = "4000058260000005"
DECLINED_CARD = "4000000000000002"


def png(name="me.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


@pytest.fixture(autouse=True)
def templates(council):
    return install_demo_templates(actor=None, organisation=council)


@pytest.fixture
def team(council):
    return TeamFactory(organisation=council, name="Parking permits", slug="parking-permits")


@pytest.fixture
def service(council, team):
    return create_service(
        actor=None, organisation=council, name="Blue Badges", owning_team=team, sla_value=10
    )


def _publish(form, pages):
    draft = form.versions.get(number=1)
    for title, show_if, questions in pages:
        page = form_services.add_page(actor=None, version=draft, title=title, show_if=show_if)
        for question in questions:
            form_services.add_question(actor=None, page=page, **question)
    form_services.publish_version(actor=None, version=draft)
    return form


@pytest.fixture
def badge(council, service):
    """A £10 form: about you, PIP points only for those who get PIP, and a photo."""
    form = form_services.create_form(
        actor=None,
        organisation=council,
        service=service,
        title="Apply for a Blue Badge",
        summary="Park closer to where you need to go.",
        fee_pence=1000,
        grant_valid_for_days=1095,
    )
    return _publish(
        form,
        [
            (
                "About you",
                "",
                [
                    {"code": "full_name", "kind": QuestionKind.TEXT, "label": "Full name"},
                    {"code": "gets_pip", "kind": QuestionKind.YES_NO, "label": "Do you get PIP?"},
                ],
            ),
            (
                "Your PIP points",
                "gets_pip == True",
                [
                    {
                        "code": "pip_points",
                        "kind": QuestionKind.NUMBER,
                        "label": "PIP points for moving around",
                        "minimum": 0,
                        "maximum": 12,
                    }
                ],
            ),
            (
                "Your photo",
                "",
                [{"code": "photo", "kind": QuestionKind.FILE, "label": "A photo of your face"}],
            ),
        ],
    )


@pytest.fixture
def free(council, service):
    form = form_services.create_form(
        actor=None, organisation=council, service=service, title="Ask for a replacement badge"
    )
    return _publish(
        form,
        [("Why", "", [{"code": "reason", "kind": QuestionKind.LONG_TEXT, "label": "Why?"}])],
    )


def _account(council, email, forenames="Priya", surname="Shah", verify=True):
    account = accounts.create_account(
        organisation=council,
        forenames=forenames,
        surname=surname,
        email=email,
        password=PASSWORD,
        verify_link_for=lambda token: f"http://testserver/account/verify/{token}/",
        reset_link="http://testserver/account/password-reset/",
    )
    if verify:
        accounts.verify_email(token=accounts.verification_token(account))
        account.refresh_from_db()
    return account


@pytest.fixture
def resident(council):
    return _account(council, "priya@example.org")


@pytest.fixture
def signed_in(client, resident):
    client.force_login(resident.user)
    return client


def _url(name, *args):
    return reverse(f"portal:{name}", args=args)


def _start(client, form):
    response = client.post(_url("apply-start", form.slug))
    assert response.status_code == 302
    return Application.objects.latest("pk"), response["Location"]


def _fill_badge(client, form, *, pip=False):
    application, location = _start(client, form)
    assert location == _url("apply-page", form.slug, application.pk, 1)
    response = client.post(
        location, {"full_name": "Priya Shah", "gets_pip": "yes" if pip else "no"}
    )
    if pip:
        assert response["Location"] == _url("apply-page", form.slug, application.pk, 2)
        response = client.post(response["Location"], {"pip_points": "10"})
    assert response["Location"] == _url("apply-page", form.slug, application.pk, 3)
    response = client.post(response["Location"], {"photo": png()})
    assert response["Location"] == _url("apply-check", form.slug, application.pk)
    application.refresh_from_db()
    return application


def _card(number):
    return {
        "card_number": number,
        "expiry": "12/39",
        "name": "Priya Shah",
        "security_code": "123",
    }


def _pay(client, application, number):
    """Press "Pay £10 and send", fill in the simulator's card page, follow the return."""
    slug = application.form_version.form.slug
    response = client.post(_url("apply-check", slug, application.pk))
    assert response.status_code == 302
    payment = Payment.objects.filter(purpose_reference=str(application.pk)).latest("pk")
    assert response["Location"] == payment.next_url
    response = client.post(payment.next_url, _card(number))
    assert response.status_code == 302
    return client.get(response["Location"]), payment


# The forms on offer and the start page.


def test_the_list_shows_published_forms_with_their_fees(client, badge, free, council, service):
    hidden = form_services.create_form(
        actor=None, organisation=council, service=service, title="Not published yet"
    )
    response = client.get(_url("apply"))
    text = response.content.decode()
    assert "Apply for a Blue Badge" in text and "It costs £10." in text
    assert "Ask for a replacement badge" in text and "It is free." in text
    assert hidden.title not in text


def test_the_service_page_and_home_page_link_to_applying(client, badge, service):
    response = client.get(_url("service", service.slug))
    assert _url("apply-start", badge.slug) in response.content.decode()
    assert "Apply online" in response.content.decode()
    assert _url("apply") in client.get(_url("home")).content.decode()


def test_the_start_page_says_what_is_needed_and_asks_to_sign_in(client, badge):
    response = client.get(_url("apply-start", badge.slug))
    text = response.content.decode()
    assert response.status_code == 200
    assert "A photo of your face" in text and "It costs £10" in text
    assert "10 working days" in text
    assert f"{_url('sign-in')}?next=" in text and "Sign in and start" in text
    response = client.post(_url("apply-start", badge.slug))
    assert response.status_code == 302 and response["Location"].startswith(_url("sign-in"))
    assert not Application.objects.exists()


def test_an_unpublished_or_inactive_or_unknown_form_is_not_found(signed_in, badge, council):
    assert signed_in.get(_url("apply-start", "no-such-form")).status_code == 404
    badge.is_active = False
    badge.save(update_fields=["is_active"])
    assert signed_in.get(_url("apply-start", badge.slug)).status_code == 404
    assert signed_in.post(_url("apply-start", badge.slug)).status_code == 404


def test_an_unconfirmed_account_confirms_its_email_first(client, council, badge):
    account = _account(council, "new@example.org", verify=False)
    client.force_login(account.user)
    response = client.post(_url("apply-start", badge.slug))
    assert response.status_code == 403
    assert "Confirm your email address first" in response.content.decode()
    assert not Application.objects.exists()


# Filling in.


def test_a_resident_fills_in_pays_and_sees_the_confirmation(signed_in, badge, resident):
    application = _fill_badge(signed_in, badge, pip=True)
    assert application.status == ApplicationStatus.DRAFT
    assert application.customer == resident.customer and application.channel == "web"
    check = signed_in.get(_url("apply-check", badge.slug, application.pk))
    text = check.content.decode()
    assert "PIP points for moving around" in text and "me.png" in text
    assert "Pay £10 and send" in text
    assert f"{_url('apply-page', badge.slug, application.pk, 2)}?return=check" in text

    response, payment = _pay(signed_in, application, SUCCESS_CARD)
    assert response.status_code == 302
    assert response["Location"] == _url("apply-sent", badge.slug, application.pk)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    payment.refresh_from_db()
    assert payment.status == "success" and payment.customer == resident.customer
    sent = signed_in.get(response["Location"])
    text = sent.content.decode()
    assert application.case.reference in text and "govuk-panel" in text
    assert "An officer will check your application" in text
    assert "eligib" not in text.lower()  # the rules' outcome is not a decision to show
    assert Attachment.objects.filter(case=application.case).count() == 1


def test_hiding_a_page_drops_its_answers_and_back_links_follow(signed_in, badge):
    application = _fill_badge(signed_in, badge, pip=True)
    assert application.answers["pip_points"] == "10"
    page1 = _url("apply-page", badge.slug, application.pk, 1)
    response = signed_in.post(f"{page1}?return=check", {"full_name": "Priya", "gets_pip": "no"})
    assert response["Location"] == _url("apply-check", badge.slug, application.pk)
    application.refresh_from_db()
    assert "pip_points" not in application.answers
    # The PIP page no longer shows, and the photo page's back link skips it.
    assert signed_in.get(_url("apply-page", badge.slug, application.pk, 2)).status_code == 404
    photo_page = signed_in.get(_url("apply-page", badge.slug, application.pk, 3))
    assert f'href="{page1}" class="govuk-back-link"' in photo_page.content.decode()


def test_missing_answers_show_errors_and_nothing_is_saved(signed_in, badge):
    application, location = _start(signed_in, badge)
    response = signed_in.post(location, {"full_name": ""})
    text = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in text and "Enter full name" in text
    assert "Error:" in text  # the title says so too
    application.refresh_from_db()
    assert application.answers == {}


def test_check_your_answers_sends_back_to_a_missing_page(signed_in, badge):
    application, location = _start(signed_in, badge)
    signed_in.post(location, {"full_name": "Priya", "gets_pip": "no"})
    check_url = _url("apply-check", badge.slug, application.pk)
    response = signed_in.get(check_url)
    assert response["Location"] == _url("apply-page", badge.slug, application.pk, 3)
    response = signed_in.post(check_url)
    assert response.status_code == 400
    text = response.content.decode()
    assert "Your photo" in text and _url("apply-page", badge.slug, application.pk, 3) in text
    assert not Payment.objects.exists()


def test_a_bad_file_is_refused_with_a_clear_message(signed_in, badge):
    application, location = _start(signed_in, badge)
    signed_in.post(location, {"full_name": "Priya", "gets_pip": "no"})
    page3 = _url("apply-page", badge.slug, application.pk, 3)
    fake = SimpleUploadedFile("me.png", b"%PDF-1.4 not an image at all", content_type="image/png")
    response = signed_in.post(page3, {"photo": fake})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    text = SimpleUploadedFile("notes.txt", b"hello", content_type="text/plain")
    response = signed_in.post(page3, {"photo": text})
    assert "must be a PDF, JPG or PNG" in response.content.decode()
    assert not Evidence.objects.exists()


def test_files_are_listed_and_can_be_removed(signed_in, badge):
    application = _fill_badge(signed_in, badge)
    page3 = _url("apply-page", badge.slug, application.pk, 3)
    response = signed_in.get(page3)
    text = response.content.decode()
    evidence = Evidence.objects.get(application=application)
    assert "Files you have added" in text and f'value="{evidence.pk}"' in text
    response = signed_in.post(page3, {"remove": evidence.pk})
    assert response.status_code == 302
    assert not Evidence.objects.filter(pk=evidence.pk).exists()
    application.refresh_from_db()
    assert "photo" not in application.answers


def test_save_and_come_back_later_keeps_what_is_right_so_far(signed_in, badge):
    application, location = _start(signed_in, badge)
    response = signed_in.post(location, {"full_name": "Priya", "action": "save"})
    assert response["Location"] == _url("account")
    application.refresh_from_db()
    assert application.answers == {"full_name": "Priya"}
    account = signed_in.get(_url("account")).content.decode()
    assert "Your applications" in account and "Continue: Apply for a Blue Badge" in account
    assert location in account  # picks up at the first page still missing an answer


def test_a_free_application_is_sent_once_even_if_sent_twice(signed_in, free):
    application, location = _start(signed_in, free)
    response = signed_in.post(location, {"reason": "It was stolen"})
    check_url = _url("apply-check", free.slug, application.pk)
    assert response["Location"] == check_url
    assert "Send application" in signed_in.get(check_url).content.decode()
    first = signed_in.post(check_url)
    second = signed_in.post(check_url)
    sent_url = _url("apply-sent", free.slug, application.pk)
    assert first["Location"] == sent_url and second["Location"] == sent_url
    assert Case.objects.count() == 1
    # After sending, the pages go to the confirmation, not back into the form.
    page = signed_in.get(location)
    assert page.status_code == 302 and page["Location"] == _url(
        "account-application", application.pk
    )


def test_a_declined_payment_can_be_tried_again(signed_in, badge):
    application = _fill_badge(signed_in, badge)
    response, declined = _pay(signed_in, application, DECLINED_CARD)
    text = response.content.decode()
    assert response.status_code == 200 and "Your payment was not taken" in text
    assert "Try again" in text and response["Cache-Control"] == "no-store"
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT and application.case is None
    response, paid = _pay(signed_in, application, SUCCESS_CARD)
    assert paid.pk != declined.pk
    assert response["Location"] == _url("apply-sent", badge.slug, application.pk)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_a_resident_who_closed_the_browser_while_paying_is_caught_up(signed_in, badge):
    application = _fill_badge(signed_in, badge)
    check_url = _url("apply-check", badge.slug, application.pk)
    signed_in.post(check_url)
    payment = Payment.objects.get()
    # Paid on the simulator, but never came back to the return address.
    response = signed_in.post(payment.next_url, _card(SUCCESS_CARD))
    assert response.status_code == 302
    response = signed_in.get(check_url)
    assert response["Location"] == _url("apply-sent", badge.slug, application.pk)


def test_a_return_address_for_another_application_is_refused(signed_in, badge, free):
    application = _fill_badge(signed_in, badge)
    signed_in.post(_url("apply-check", badge.slug, application.pk))
    payment = Payment.objects.get()
    other, _location = _start(signed_in, free)
    secret = re.search(r"/paid/([^/]+)/$", _return_url(payment)).group(1)
    assert signed_in.get(_url("apply-paid", free.slug, other.pk, secret)).status_code == 404
    assert signed_in.get(_url("apply-paid", badge.slug, application.pk, "nope")).status_code == 404


def _return_url(payment):
    return SimulatedPayment.objects.get(pk=payment.provider_payment_id).return_url


# Access.


def test_someone_elses_application_is_not_found(client, signed_in, badge, council):
    application = _fill_badge(signed_in, badge)
    other = _account(council, "someone@example.org", forenames="Sam", surname="Jones")
    client.force_login(other.user)
    for url in (
        _url("apply-page", badge.slug, application.pk, 1),
        _url("apply-check", badge.slug, application.pk),
        _url("apply-sent", badge.slug, application.pk),
        _url("account-application", application.pk),
        _url("account-application-withdraw", application.pk),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(_url("apply-check", badge.slug, application.pk)).status_code == 404
    assert "Apply for a Blue Badge" not in client.get(_url("account")).content.decode()


def test_the_wrong_form_in_the_address_is_not_found(signed_in, badge, free):
    application, _location = _start(signed_in, badge)
    assert signed_in.get(_url("apply-page", free.slug, application.pk, 1)).status_code == 404
    assert signed_in.get(_url("apply-page", badge.slug, application.pk, 9)).status_code == 404


def test_signed_out_pages_send_to_sign_in(client, signed_in, badge):
    _application, location = _start(signed_in, badge)
    client.logout()
    response = client.get(location)
    assert response.status_code == 302 and response["Location"].startswith(_url("sign-in"))


def test_staff_without_a_caller_cannot_apply(client, agent, badge):
    client.force_login(agent)
    assert client.post(_url("apply-start", badge.slug)).status_code == 404


# Acting for someone, and an agent for a caller.


def test_a_representative_applies_for_the_person_they_act_for(client, council, badge, service):
    ada = create_customer(
        actor=None, organisation=council, forenames="Ada", surname="Okafor", email="ada@x.org"
    )
    adviser = _account(council, "cal@advice.example", forenames="Cal", surname="Adviser")
    representative = add_representative(
        actor=None,
        customer=ada,
        name="Kingsmere Citizens Advice",
        relationship=Representative.Relationship.ADVICE_AGENCY,
        consent_given_on=timezone.localdate(),
        email="cal@advice.example",
    )
    representative.user = adviser.user
    representative.save(update_fields=["user"])
    client.force_login(adviser.user)
    session = client.session
    session[SESSION_KEY] = representative.pk
    session.save()
    assert (
        "You are applying for Ada Okafor"
        in client.get(_url("apply-start", badge.slug)).content.decode()
    )
    application = _fill_badge(client, badge)
    assert application.customer == ada and application.representative == representative
    account = client.get(_url("account")).content.decode()
    assert "For Ada Okafor" in account


def test_a_representative_without_consent_for_the_service_is_refused(client, council, badge):
    ada = create_customer(actor=None, organisation=council, forenames="Ada", surname="Okafor")
    other_service = create_service(actor=None, organisation=council, name="Libraries")
    adviser = _account(council, "cal@advice.example", forenames="Cal", surname="Adviser")
    representative = add_representative(
        actor=None,
        customer=ada,
        name="Kingsmere Citizens Advice",
        relationship=Representative.Relationship.ADVICE_AGENCY,
        consent_given_on=timezone.localdate(),
        scope=Representative.Scope.SERVICES,
        services=[other_service],
    )
    representative.user = adviser.user
    representative.save(update_fields=["user"])
    client.force_login(adviser.user)
    session = client.session
    session[SESSION_KEY] = representative.pk
    session.save()
    response = client.post(_url("apply-start", badge.slug))
    assert response.status_code == 403 and not Application.objects.exists()


def test_an_agent_applies_for_a_caller_by_phone(client, agent, council, free):
    caller = create_customer(
        actor=None, organisation=council, forenames="Ada", surname="Lovelace", email="a@x.org"
    )
    client.force_login(agent)
    customer_page = client.get(reverse("console:customer", args=[caller.reference]))
    text = customer_page.content.decode()
    assert "Apply for something for this caller" in text
    assert f"{_url('apply')}?customer={quote(caller.reference)}" in text
    assert 'id="payments"' in text
    start = client.get(f"{_url('apply-start', free.slug)}?customer={quote(caller.reference)}")
    assert "You are applying for Ada Lovelace" in start.content.decode()
    response = client.post(_url("apply-start", free.slug), {"customer": caller.reference})
    application = Application.objects.get()
    assert application.customer == caller and application.channel == "phone"
    assert application.started_by == agent
    response = client.post(response["Location"], {"reason": "Lost it"})
    response = client.post(response["Location"])
    sent = client.get(response["Location"]).content.decode()
    application.refresh_from_db()
    assert application.case.reference in sent and "Back to Ada Lovelace" in sent
    assert application.case.channel == "phone"


def test_an_agent_cannot_open_a_residents_application(client, signed_in, agent, badge):
    _application, location = _start(signed_in, badge)
    client.force_login(agent)
    assert client.get(location).status_code == 404


def test_an_agent_with_an_unknown_caller_is_refused(client, agent, free):
    client.force_login(agent)
    response = client.post(_url("apply-start", free.slug), {"customer": "CUS-NOPE"})
    assert response.status_code == 404 and not Application.objects.exists()


def test_a_resident_cannot_use_the_caller_parameter(signed_in, free, council):
    caller = create_customer(actor=None, organisation=council, forenames="Ada", surname="L")
    response = signed_in.post(_url("apply-start", free.slug), {"customer": caller.reference})
    assert response.status_code == 404 and not Application.objects.exists()


# "Your applications": more information and withdrawing.


@pytest.fixture
def sent_badge(signed_in, badge):
    application = _fill_badge(signed_in, badge)
    _pay(signed_in, application, SUCCESS_CARD)
    application.refresh_from_db()
    return application


@pytest.fixture
def officer(team):
    return MembershipFactory(team=team, role=Role.OFFICER).user


def test_the_account_lists_sent_and_approved_applications(signed_in, sent_badge, officer):
    text = signed_in.get(_url("account")).content.decode()
    assert sent_badge.case.reference in text and "Sent" in text
    application_services.approve_application(actor=officer, application=sent_badge)
    sent_badge.refresh_from_db()
    text = signed_in.get(_url("account")).content.decode()
    assert "Approved" in text and f"Until {sent_badge.expires_on:%-d %B %Y}" in text
    page = signed_in.get(_url("account-application", sent_badge.pk)).content.decode()
    assert "Valid until" in page and "Withdraw your application" not in page


def test_a_resident_answers_a_request_for_more_information(signed_in, sent_badge, officer):
    application_services.ask_for_information(
        actor=officer, application=sent_badge, request="Send a clearer photo, please."
    )
    page = signed_in.get(_url("account-application", sent_badge.pk)).content.decode()
    assert "Send a clearer photo, please." in page
    url = _url("account-application-information", sent_badge.pk)
    assert "Send the information we asked for" in page and url in page
    response = signed_in.post(url, {"text": ""})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    bad = SimpleUploadedFile("x.png", b"not a png", content_type="image/png")
    response = signed_in.post(url, {"text": "Here", "files": [bad]})
    assert response.status_code == 200 and "There is a problem" in response.content.decode()
    before = Attachment.objects.filter(case=sent_badge.case).count()
    response = signed_in.post(url, {"text": "Here it is", "files": [png("clear.png")]})
    assert response["Location"] == _url("account-application", sent_badge.pk)
    sent_badge.refresh_from_db()
    assert sent_badge.status == ApplicationStatus.SUBMITTED
    assert Attachment.objects.filter(case=sent_badge.case).count() == before + 1


def test_a_resident_withdraws_before_a_decision(signed_in, sent_badge):
    url = _url("account-application-withdraw", sent_badge.pk)
    confirm = signed_in.get(url).content.decode()
    assert "Are you sure you want to withdraw your application?" in confirm
    assert "refund" in confirm
    response = signed_in.post(url)
    assert response["Location"] == _url("account")
    sent_badge.refresh_from_db()
    assert sent_badge.status == ApplicationStatus.WITHDRAWN
    assert not sent_badge.case.is_open
    # Withdrawn: nothing more to withdraw.
    assert signed_in.get(url)["Location"] == _url("account-application", sent_badge.pk)


def test_more_information_is_only_for_applications_asked_about(signed_in, sent_badge):
    url = _url("account-application-information", sent_badge.pk)
    response = signed_in.post(url, {"text": "Unasked"})
    assert response["Location"] == _url("account-application", sent_badge.pk)
