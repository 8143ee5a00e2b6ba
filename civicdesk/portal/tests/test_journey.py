"""The report and ask journeys, step by step, without a browser."""

import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from civicdesk.cases.models import Attachment, Case
from civicdesk.contacts.models import Contact
from civicdesk.notify.demo import install_demo_templates
from civicdesk.notify.models import Message
from civicdesk.people.models import Customer
from civicdesk.portal import journey
from civicdesk.portal.tests.conftest import png
from civicdesk.portal.tests.steps import step_of, url

pytestmark = pytest.mark.django_db


def start(client, slug="graffiti-removal"):
    response = client.get(reverse("portal:start", args=[slug]))
    assert response.status_code == 302
    match = re.match(r"^/request/([0-9a-f]+)/([a-z]+)/$", response["Location"])
    assert match, response["Location"]
    return match.group(1), match.group(2)


def through_location(client, jid, catalogue):
    assert step_of(client.post(url(jid, "location"), {"postcode": "km12ab"})) == "address"
    response = client.post(url(jid, "address"), {"address": catalogue.home.pk})
    return step_of(response)


def graffiti_to_check(client, catalogue, *, anonymous=False, photos=()):
    jid, first = start(client)
    assert first == "location"
    assert through_location(client, jid, catalogue) == "questions"
    response = client.post(url(jid, "questions"), {"surface": "wall", "offensive": "no"})
    assert step_of(response) == "description"
    response = client.post(url(jid, "description"), {"description": "Tags on the wall"})
    assert step_of(response) == "photos"
    response = client.post(url(jid, "photos"), {"action": "continue", "photos": list(photos)})
    assert step_of(response) == "details"
    details = (
        {"how": "anonymous"}
        if anonymous
        else {"how": "details", "forenames": "Priya", "surname": "Shah",
              "email": "priya@example.org", "phone": ""}
    )  # fmt: skip
    response = client.post(url(jid, "details"), details)
    assert step_of(response) == "check"
    return jid


def test_report_graffiti_from_start_to_reference(client, catalogue):
    jid = graffiti_to_check(client, catalogue)
    page = client.get(url(jid, "check")).content.decode()
    assert "Check your answers" in page
    assert "12" in page and "A wall" in page and "Tags on the wall" in page
    response = client.post(url(jid, "check"))
    assert response["Location"] == reverse("portal:confirmation", args=[jid])
    case = Case.objects.get()
    assert case.channel == "web"
    assert case.address == catalogue.home
    assert case.attributes == {"surface": "wall", "offensive": "no"}
    assert case.customer.email == "priya@example.org"
    assert Contact.objects.get().started_at <= case.opened_at  # when the journey began
    confirmation = client.get(response["Location"]).content.decode()
    assert case.reference in confirmation and "govuk-panel--confirmation" in confirmation


def test_acknowledgement_is_queued_for_a_named_reporter(
    client, catalogue, council, django_capture_on_commit_callbacks
):
    install_demo_templates(actor=None, organisation=council)
    jid = graffiti_to_check(client, catalogue)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(jid, "check"))
    assert Message.objects.filter(about_reference=Case.objects.get().reference).exists()


def test_anonymous_report(client, catalogue):
    jid = graffiti_to_check(client, catalogue, anonymous=True)
    client.post(url(jid, "check"))
    case = Case.objects.get()
    assert case.customer is None
    assert not Customer.objects.exists()


def test_anonymous_not_offered_where_the_service_needs_a_name(client, catalogue):
    jid, _first = start(client, "bulky-waste")
    page = client.get(url(jid, "details"))
    assert page.status_code == 200
    assert "report it anonymously" not in page.content.decode()
    response = client.post(url(jid, "details"), {"how": "anonymous"})
    assert response.status_code == 200
    assert "Enter your last name" in response.content.decode()


def test_details_need_a_way_to_reply(client, catalogue):
    jid, _ = start(client)
    response = client.post(
        url(jid, "details"), {"how": "details", "forenames": "A", "surname": "B"}
    )
    assert "Enter an email address or a phone number" in response.content.decode()


def test_details_email_must_look_right(client, catalogue):
    jid, _ = start(client)
    response = client.post(url(jid, "details"), {"how": "details", "surname": "B", "email": "nope"})
    assert "correct format" in response.content.decode()


def test_details_need_a_choice_where_anonymous_is_allowed(client, catalogue):
    jid, _ = start(client)
    response = client.post(url(jid, "details"), {})
    assert "Select whether you want us to reply to you" in response.content.decode()


def test_postcode_must_be_valid(client, catalogue):
    jid, _ = start(client)
    response = client.post(url(jid, "location"), {"postcode": "not a postcode"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Enter a full UK postcode" in page and "govuk-error-summary" in page


def test_postcode_with_no_addresses_offers_describing_the_place(client, catalogue):
    jid, _ = start(client)
    client.post(url(jid, "location"), {"postcode": "KM9 9ZZ"})
    page = client.get(url(jid, "address")).content.decode()
    assert "could not find any addresses" in page
    assert url(jid, "place") in page


def test_address_must_be_in_the_postcode(client, catalogue):
    jid, _ = start(client)
    client.post(url(jid, "location"), {"postcode": "KM1 2AB"})
    response = client.post(url(jid, "address"), {"address": catalogue.other.pk})
    assert response.status_code == 200
    assert "Select the address" in response.content.decode()


def test_address_list_shows_the_count(client, catalogue):
    jid, _ = start(client)
    client.post(url(jid, "location"), {"postcode": "KM1 2AB"})
    assert "2 addresses found" in client.get(url(jid, "address")).content.decode()


def test_describing_the_place_instead_of_an_address(client, catalogue):
    jid, _ = start(client)
    response = client.post(url(jid, "place"), {"place": "The underpass by the station"})
    assert step_of(response) == "questions"
    state = client.session[journey.SESSION_KEY][jid]
    assert state["place"] == "The underpass by the station" and state["address"] is None


def test_place_description_is_required(client, catalogue):
    jid, _ = start(client)
    response = client.post(url(jid, "place"), {"place": "  "})
    assert "Describe where it is" in response.content.decode()
    assert response.status_code == 200


def test_required_question_must_be_answered(client, catalogue):
    jid, _ = start(client)
    response = client.post(url(jid, "questions"), {"offensive": "no"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Select an answer for “What is the graffiti on?”" in page
    assert 'href="#id_surface_0"' in page


def test_question_choice_must_be_offered(client, catalogue):
    jid, _ = start(client)
    response = client.post(url(jid, "questions"), {"surface": "moon"})
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()


def test_questions_render_by_datatype(client, catalogue):
    jid, _ = start(client, "bulky-waste")
    page = client.get(url(jid, "questions")).content.decode()
    assert 'type="checkbox"' in page and 'name="items"' in page
    assert 'name="count"' in page and 'inputmode="decimal"' in page
    assert 'type="date"' in page and 'type="time"' in page and 'name="seen__time"' in page
    assert "<textarea" in page and 'name="notes"' in page
    assert "When did you see it? (optional)" in page


def test_multiple_choice_number_and_datetime_answers_are_kept(client, catalogue):
    jid, _ = start(client, "bulky-waste")
    response = client.post(
        url(jid, "questions"),
        {"items": ["sofa", "fridge"], "count": "2", "seen": "2026-11-20", "seen__time": "09:15"},
    )
    assert step_of(response) == "description"
    answers = client.session[journey.SESSION_KEY][jid]["answers"]
    assert answers["items"] == ["sofa", "fridge"]
    assert answers["seen"] == "2026-11-20T09:15"


def test_number_must_be_a_number(client, catalogue):
    jid, _ = start(client, "bulky-waste")
    response = client.post(url(jid, "questions"), {"items": ["sofa"], "count": "lots"})
    assert "must be a number" in response.content.decode()


def test_date_without_time_is_an_error(client, catalogue):
    jid, _ = start(client, "bulky-waste")
    response = client.post(url(jid, "questions"), {"items": ["sofa"], "seen": "2026-11-20"})
    assert "Enter the time" in response.content.decode()


def test_description_is_required(client, catalogue):
    jid, _ = start(client)
    response = client.post(url(jid, "description"), {"description": " "})
    assert "Describe the problem." in response.content.decode()


def test_description_has_a_limit(client, catalogue):
    jid, _ = start(client)
    response = client.post(url(jid, "description"), {"description": "x" * 4001})
    assert "4,000 characters or fewer" in response.content.decode()


def test_enquiry_has_no_location_or_anonymous_step(client, catalogue):
    jid, first = start(client, "council-tax-bills")
    assert first == "description"
    page = client.get(url(jid, "description")).content.decode()
    assert "What is your question?" in page
    assert client.get(url(jid, "location")).status_code == 404


def test_enquiry_from_the_choose_page(client, catalogue):
    page = client.get(reverse("portal:ask")).content.decode()
    assert "Council Tax bills" in page and "Graffiti removal" not in page
    response = client.post(reverse("portal:ask"), {"service": catalogue.council_tax.pk})
    assert step_of(response) == "description"


def test_choose_page_needs_a_choice(client, catalogue):
    response = client.post(reverse("portal:report"), {})
    assert "Select what it is about" in response.content.decode()


def test_report_choose_lists_problem_services_only(client, catalogue):
    page = client.get(reverse("portal:report")).content.decode()
    assert "Graffiti removal" in page and "Council Tax bills" not in page
    assert "Libraries" not in page


def test_cannot_start_an_information_only_service(client, catalogue):
    assert client.get(reverse("portal:start", args=["libraries"])).status_code == 404


def test_check_page_sends_back_to_unanswered_steps(client, catalogue):
    jid, _ = start(client)
    response = client.get(url(jid, "check"))
    assert step_of(response) == "location"


def test_check_page_has_change_links_that_come_back(client, catalogue):
    jid = graffiti_to_check(client, catalogue)
    page = client.get(url(jid, "check")).content.decode()
    for step in ("location", "questions", "description", "photos", "details"):
        assert url(jid, step) in page
    response = client.post(url(jid, "description"), {"description": "Changed"})
    assert step_of(response) == "check"


def test_double_submit_makes_one_case(client, catalogue):
    jid = graffiti_to_check(client, catalogue)
    first = client.post(url(jid, "check"))
    second = client.post(url(jid, "check"))
    assert first["Location"] == second["Location"]
    assert Case.objects.count() == 1
    assert Contact.objects.count() == 1


def test_resubmitting_with_the_same_key_after_losing_the_session_returns_the_case(
    client, catalogue
):
    jid = graffiti_to_check(client, catalogue)
    session = client.session
    saved = dict(session[journey.SESSION_KEY][jid])
    client.post(url(jid, "check"))
    session = client.session
    session[journey.SESSION_KEY][jid] = saved  # the state before sending, as another tab had it
    session.save()
    client.post(url(jid, "check"))
    assert Case.objects.count() == 1


def test_sent_journey_cannot_be_changed(client, catalogue):
    jid = graffiti_to_check(client, catalogue)
    client.post(url(jid, "check"))
    assert client.get(url(jid, "description")).status_code == 404


def test_journeys_in_two_tabs_do_not_mix(client, catalogue):
    first, _ = start(client)
    second, _ = start(client)
    client.post(url(first, "description"), {"description": "First"})
    client.post(url(second, "description"), {"description": "Second"})
    journeys = client.session[journey.SESSION_KEY]
    assert journeys[first]["description"] == "First"
    assert journeys[second]["description"] == "Second"


def test_another_sessions_journey_is_not_found(client, catalogue):
    jid, _ = start(client)
    client.logout()
    client.cookies.clear()
    assert client.get(url(jid, "location")).status_code == 404


def test_unknown_step_is_not_found(client, catalogue):
    jid, _ = start(client)
    assert client.get(url(jid, "payment")).status_code == 404


def test_photos_are_kept_between_steps_and_attached(client, catalogue):
    jid = graffiti_to_check(client, catalogue, photos=[png()])
    state = client.session[journey.SESSION_KEY][jid]
    assert len(state["photos"]) == 1
    kept = journey.photo_path(state["photos"][0])
    assert kept.exists() and kept.parent == Path(django_settings.MEDIA_ROOT) / "tmp" / "portal"
    assert "wall.png" in client.get(url(jid, "check")).content.decode()
    client.post(url(jid, "check"))
    attachment = Attachment.objects.get()
    assert attachment.name == "wall.png" and attachment.case == Case.objects.get()
    assert not kept.exists()  # the temporary copy is gone


def test_photo_that_is_not_an_image_is_refused(client, catalogue):
    from django.core.files.uploadedfile import SimpleUploadedFile

    jid, _ = start(client)
    fake = SimpleUploadedFile("wall.png", b"plain text, not a picture")
    response = client.post(url(jid, "photos"), {"action": "continue", "photos": [fake]})
    assert response.status_code == 200
    assert "wall.png:" in response.content.decode()
    assert not client.session[journey.SESSION_KEY][jid]["photos"]


def test_pdf_is_not_a_photo(client, catalogue):
    from django.core.files.uploadedfile import SimpleUploadedFile

    jid, _ = start(client)
    pdf = SimpleUploadedFile("scan.pdf", b"%PDF-1.4 something")
    response = client.post(url(jid, "photos"), {"action": "continue", "photos": [pdf]})
    assert "must be a JPG, PNG or WebP" in response.content.decode()


def test_no_more_than_three_photos(client, catalogue):
    jid, _ = start(client)
    response = client.post(
        url(jid, "photos"), {"action": "add", "photos": [png("a.png"), png("b.png")]}
    )
    assert step_of(response) == "photos"
    response = client.post(
        url(jid, "photos"), {"action": "add", "photos": [png("c.png"), png("d.png")]}
    )
    assert "You can add 1 more photos" in response.content.decode()
    assert len(client.session[journey.SESSION_KEY][jid]["photos"]) == 2


def test_photo_can_be_removed(client, catalogue):
    jid, _ = start(client)
    client.post(url(jid, "photos"), {"action": "add", "photos": [png()]})
    photo = client.session[journey.SESSION_KEY][jid]["photos"][0]
    path = journey.photo_path(photo)
    assert path.exists()
    client.post(url(jid, "photos"), {"remove": photo["key"]})
    assert not path.exists()
    assert client.session[journey.SESSION_KEY][jid]["photos"] == []


def test_photo_keys_cannot_reach_outside_the_folder():
    assert journey.photo_path({"key": "../../settings.py"}) is None
    assert journey.photo_path({"key": "a" * 24 + ".exe"}) is None


def test_old_temporary_photos_are_swept(settings, tmp_path):
    folder = journey.tmp_dir()
    folder.mkdir(parents=True)
    old = folder / ("a" * 24 + ".png")
    old.write_bytes(b"x")
    import os

    os.utime(old, (0, 0))
    fresh = folder / ("b" * 24 + ".png")
    fresh.write_bytes(b"x")
    assert journey.sweep_tmp() == 1
    assert not old.exists() and fresh.exists()


def test_oldest_journey_is_dropped_past_the_limit(client, catalogue):
    ids = [start(client)[0] for _ in range(journey.KEEP + 1)]
    journeys = client.session[journey.SESSION_KEY]
    assert len(journeys) == journey.KEEP
    assert ids[0] not in journeys and ids[-1] in journeys
