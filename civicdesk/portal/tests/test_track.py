"""Track a request: public updates only, the same answer for every miss, and a limit on guesses."""

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from civicdesk.cases.intake import ContactDetails, submit_request
from civicdesk.cases.models import CaseStatus, EventKind
from civicdesk.cases.public import find_request
from civicdesk.cases.services import append_event
from civicdesk.portal import tracking

pytestmark = pytest.mark.django_db

NOT_FOUND = "We could not find a request with that reference"
INTERNAL = "Caller sounded drunk; crew to ignore"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def reported(council, catalogue):
    case = submit_request(
        actor=None,
        organisation=council,
        service=catalogue.graffiti,
        channel="web",
        description="Tags on the wall",
        answers={"surface": "wall"},
        details=ContactDetails(forenames="Priya", surname="Shah", email="Priya@Example.org"),
        address=catalogue.home,
    )
    now = timezone.now()
    append_event(case, EventKind.NOTE, actor=None, at=now, text=INTERNAL)
    append_event(
        case, EventKind.PUBLIC_UPDATE, actor=None, at=now, text="A crew is booked for Friday.",
        is_public=True,
    )  # fmt: skip
    append_event(
        case, EventKind.STATUS_CHANGED, actor=None, at=now, text="internal reason",
        data={"from": "open", "to": CaseStatus.IN_PROGRESS},
    )  # fmt: skip
    return case


def track(client, reference, proof):
    return client.post(
        reverse("portal:track"), {"reference": reference, "email_or_postcode": proof}
    )


def test_track_page_asks_for_reference_and_email_or_postcode(client, catalogue):
    page = client.get(reverse("portal:track")).content.decode()
    assert "Reference" in page and "Email address or postcode" in page


def test_track_by_email(client, reported):
    response = track(client, reported.reference, "priya@example.org")
    page = response.content.decode()
    assert response.status_code == 200
    assert reported.reference in page
    assert "Graffiti removal" in page
    assert "A crew is booked for Friday." in page
    assert "Status: In progress" in page


def test_track_by_postcode_typed_loosely(client, reported):
    page = track(client, reported.reference.lower(), "km12ab").content.decode()
    assert "A crew is booked for Friday." in page


def test_track_never_shows_internal_notes_or_status_reasons(client, reported):
    page = track(client, reported.reference, "priya@example.org").content.decode()
    assert INTERNAL not in page
    assert "internal reason" not in page


def test_track_never_shows_personal_details(client, reported):
    page = track(client, reported.reference, "KM1 2AB").content.decode()
    assert "Priya" not in page and "Shah" not in page
    assert "priya@example.org" not in page.lower()
    assert "Tags on the wall" not in page


def test_track_shows_expected_date(client, reported):
    reported.resolution_due_at = timezone.now() + timezone.timedelta(days=3)
    reported.save(update_fields=["resolution_due_at"])
    page = track(client, reported.reference, "KM1 2AB").content.decode()
    assert "We expect to finish by" in page


def test_wrong_details_and_unknown_reference_get_the_same_answer(client, reported):
    wrong_email = track(client, reported.reference, "someone@example.org").content.decode()
    wrong_postcode = track(client, reported.reference, "KM4 7QT").content.decode()
    unknown = track(client, "CAS-999999", "priya@example.org").content.decode()
    nonsense = track(client, "hello", "priya@example.org").content.decode()
    for page in (wrong_email, wrong_postcode, unknown, nonsense):
        assert NOT_FOUND in page
        assert "A crew is booked" not in page


def test_sensitive_service_shows_only_status(client, council, catalogue):
    case = submit_request(
        actor=None,
        organisation=council,
        service=catalogue.safeguarding,
        channel="web",
        description="I am worried about my neighbour",
        details=ContactDetails(forenames="Ann", surname="Lee", email="ann@example.org"),
    )
    append_event(
        case, EventKind.PUBLIC_UPDATE, actor=None, at=timezone.now(),
        text="Social worker visiting Mrs Jones", is_public=True,
    )  # fmt: skip
    page = track(client, case.reference, "ann@example.org").content.decode()
    assert "Received" in page
    assert "Social worker visiting" not in page
    assert "Updates" not in page


def test_guesses_are_limited_per_session(client, reported):
    for _ in range(tracking.MAX_GUESSES):
        track(client, "CAS-999999", "x@example.org")
    response = track(client, reported.reference, "priya@example.org")
    assert response.status_code == 429
    assert "too many times" in response.content.decode()
    assert "A crew is booked" not in response.content.decode()


def test_guesses_are_limited_per_address_across_sessions(client, reported):
    from django.test import Client

    for _ in range(tracking.MAX_GUESSES):
        Client().post(
            reverse("portal:track"), {"reference": "CAS-999999", "email_or_postcode": "x@y.org"}
        )
    assert track(client, reported.reference, "priya@example.org").status_code == 429


def test_successful_look_ups_do_not_count(client, reported):
    for _ in range(tracking.MAX_GUESSES + 2):
        response = track(client, reported.reference, "priya@example.org")
    assert response.status_code == 200


def test_track_response_is_not_cached(client, reported):
    assert track(client, reported.reference, "KM1 2AB")["Cache-Control"] == "no-store"


def test_track_form_needs_both_answers(client, catalogue):
    page = track(client, "", "").content.decode()
    assert "Enter your reference" in page and "Enter your email address or a postcode" in page


def test_closure_message_is_shown(client, reported):
    append_event(
        reported, EventKind.CLOSED, actor=None, at=timezone.now(), text="We cleaned the wall.",
        is_public=True,
    )  # fmt: skip
    page = track(client, reported.reference, "KM1 2AB").content.decode()
    assert "We cleaned the wall." in page


def test_other_councils_cases_are_not_found(council, reported):
    from civicdesk.organisations.tests.factories import OrganisationFactory

    other = OrganisationFactory(slug="other", name="Other")
    assert find_request(organisation=other, reference=reported.reference, proof="KM1 2AB") is None
