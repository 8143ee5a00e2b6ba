"""Answering on the portal: the signed single-use link, the form and its errors."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from civicdesk.core.models import AuditEvent
from civicdesk.surveys.models import SurveyInvitation
from civicdesk.surveys.services import answer_survey, survey_link, survey_token

DAY = datetime.timedelta(days=1)


@pytest.fixture
def invitation(council, make_customer, make_contact, now):
    customer = make_customer(forenames="Priya", surname="Shah")
    contact = make_contact(customer)
    return SurveyInvitation.objects.create(
        organisation=council, customer=customer, contact=contact, channel="email",
        sent_at=now, expires_at=now + 14 * DAY,
    )  # fmt: skip


def _url(invitation) -> str:
    return f"/survey/{survey_token(invitation)}/"


def test_the_link_is_on_the_portal():
    link = survey_link(SurveyInvitation(pk=42), base="https://council.example")

    assert link.startswith("https://council.example/survey/") and link.endswith("/")


@pytest.mark.django_db
def test_the_survey_says_what_it_is_about_and_nothing_personal(client, invitation):
    response = client.get(_url(invitation))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Bulky waste collection" in page
    assert f"{timezone.localdate(invitation.contact.ended_at):%-d %B %Y}" in page
    assert "Priya" not in page and "Shah" not in page and "@example" not in page
    assert "Very satisfied" in page and "Very dissatisfied" in page
    assert 'data-module="govuk-character-count"' in page
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_a_case_survey_gives_the_reference(client, council, make_customer, make_case, now):
    case = make_case(make_customer())
    invitation = SurveyInvitation.objects.create(
        organisation=council, customer=case.customer, case=case, channel="sms", sent_at=now,
        expires_at=now + DAY,
    )  # fmt: skip

    assert case.reference in client.get(_url(invitation)).content.decode()


@pytest.mark.django_db
def test_answering_once_and_only_once(client, invitation):
    url = _url(invitation)

    response = client.post(url, {"rating": "4", "resolved": "yes", "comment": " Quick and kind "})

    assert response.status_code == 302 and response["Location"] == f"{url}thank-you/"
    invitation.refresh_from_db()
    assert (invitation.rating, invitation.resolved, invitation.comment) == (
        4,
        True,
        "Quick and kind",
    )
    assert invitation.answered_at is not None
    assert "Thank you for your answers" in client.get(response["Location"]).content.decode()
    again = client.post(url, {"rating": "1", "resolved": "no"})
    assert "You have already answered this survey" in again.content.decode()
    assert "You have already answered" in client.get(url).content.decode()
    invitation.refresh_from_db()
    assert invitation.rating == 4
    assert AuditEvent.objects.filter(summary="Satisfaction survey answered").count() == 1


@pytest.mark.django_db
def test_resolved_is_optional(client, invitation):
    client.post(_url(invitation), {"rating": "2"})

    invitation.refresh_from_db()
    assert invitation.rating == 2 and invitation.resolved is None and invitation.comment == ""


@pytest.mark.django_db
def test_a_tampered_or_made_up_link_is_not_found(client, invitation):
    token = survey_token(invitation)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")

    for url in (f"/survey/{tampered}/", "/survey/not-a-token/", f"/survey/{tampered}/thank-you/"):
        response = client.get(url)
        assert response.status_code == 404
        assert "This link does not work" in response.content.decode()
    assert client.post(f"/survey/{tampered}/", {"rating": "5"}).status_code == 404
    invitation.refresh_from_db()
    assert invitation.answered_at is None


@pytest.mark.django_db
def test_an_expired_link_says_the_survey_has_closed(client, invitation, now):
    SurveyInvitation.objects.filter(pk=invitation.pk).update(expires_at=now - DAY)

    assert "This survey has closed" in client.get(_url(invitation)).content.decode()
    assert (
        "This survey has closed" in client.post(_url(invitation), {"rating": "5"}).content.decode()
    )
    invitation.refresh_from_db()
    assert invitation.answered_at is None


@pytest.mark.django_db
def test_the_errors_are_summarised_and_nothing_is_kept(client, invitation):
    response = client.post(_url(invitation), {"resolved": "maybe", "comment": "x" * 1001})

    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Select how satisfied you are with the service you got" in page
    assert "Your comments must be 1,000 characters or fewer" in page
    assert 'href="#id_rating_0"' in page and 'href="#id_comment"' in page
    assert page.count("x" * 1001) == 1  # what they typed is kept for them to shorten
    assert "<title>Error:" in page
    invitation.refresh_from_db()
    assert invitation.answered_at is None


@pytest.mark.django_db
def test_a_thousand_characters_is_allowed(client, invitation):
    client.post(_url(invitation), {"rating": "5", "comment": "y" * 1000})

    invitation.refresh_from_db()
    assert len(invitation.comment) == 1000


@pytest.mark.django_db
def test_the_form_needs_its_csrf_token(invitation):
    client = Client(enforce_csrf_checks=True)

    assert client.post(_url(invitation), {"rating": "5"}).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"rating": None}, "rating"),
        ({"rating": 0}, "rating"),
        ({"rating": 6}, "rating"),
        ({"rating": True}, "rating"),
        ({"resolved": "yes"}, "resolved"),
        ({"comment": "z" * 1001}, "comment"),
    ],
)
def test_the_service_checks_every_answer(invitation, answers, field):
    with pytest.raises(ValidationError) as refused:
        answer_survey(
            invitation=invitation, **{"rating": 3, "resolved": None, "comment": "", **answers}
        )

    assert field in refused.value.message_dict
    invitation.refresh_from_db()
    assert invitation.answered_at is None


@pytest.mark.django_db
def test_the_service_refuses_an_answered_or_expired_survey(invitation, now):
    answer_survey(invitation=invitation, rating=5, resolved=True, comment="")
    with pytest.raises(ValidationError) as answered:
        answer_survey(invitation=invitation, rating=1, resolved=False, comment="")
    assert answered.value.code == "answered"

    SurveyInvitation.objects.filter(pk=invitation.pk).update(answered_at=None)
    with pytest.raises(ValidationError) as expired:
        answer_survey(
            invitation=invitation, rating=1, resolved=None, comment="", now=now + 15 * DAY
        )
    assert expired.value.code == "expired"


@pytest.mark.django_db
def test_two_submissions_at_once_answer_once(invitation, monkeypatch):
    """The second of two requests read the row before the first wrote it (a database that
    does not lock rows for `select_for_update`): its write finds the survey answered."""
    stale = SurveyInvitation.objects.get(pk=invitation.pk)
    answer_survey(invitation=invitation, rating=5, resolved=True, comment="First")
    real = SurveyInvitation.objects.select_for_update

    class StaleRead:
        def get(self, **kwargs):
            real().get(**kwargs)
            return stale

    monkeypatch.setattr(SurveyInvitation.objects, "select_for_update", lambda: StaleRead())
    with pytest.raises(ValidationError) as second:
        answer_survey(invitation=invitation, rating=1, resolved=False, comment="Second")

    assert second.value.code == "answered"
    invitation.refresh_from_db()
    assert (invitation.rating, invitation.comment) == (5, "First")
    assert AuditEvent.objects.filter(summary="Satisfaction survey answered").count() == 1
