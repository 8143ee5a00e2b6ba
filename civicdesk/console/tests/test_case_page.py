"""The case page: what it shows, the actions on it, sensitive cases and attachments."""

import datetime
import io
import re
import uuid
import zipfile
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import Resolver404, resolve, reverse

from civicdesk.cases.models import Attachment, Case, CaseEvent, CaseStatus, EventKind
from civicdesk.cases.referrals import refer_case
from civicdesk.cases.services import (
    add_attachment,
    add_note,
    assign_case,
    change_status,
    close_case,
    raise_case,
)
from civicdesk.cases.tests import images
from civicdesk.catalogue.services import create_service
from civicdesk.core.models import AuditAction, AuditEvent
from civicdesk.core.tests.browser import sign_in_staff
from civicdesk.notify.models import Message
from civicdesk.notify.services import create_template
from civicdesk.organisations.models import Role
from civicdesk.organisations.tests.factories import MembershipFactory, TeamFactory, UserFactory
from civicdesk.places.tests.factories import AddressFactory, StreetFactory, WardFactory

LONDON = ZoneInfo("Europe/London")
MONDAY_MORNING = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=LONDON)
PNG = images.png(640, 480)  # a photo's header, as small as a PNG can be

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def monday(request: Any) -> datetime.datetime:
    """Monday 2 March 2026, 10:00, with time standing still unless a test moves it.

    Browser tests run in real time: the browser and the live server keep their own clocks.
    """
    if request.node.get_closest_marker("browser") is None:
        request.getfixturevalue("time_machine").move_to(MONDAY_MORNING, tick=False)
    return MONDAY_MORNING


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def streets(council):
    return TeamFactory(organisation=council, name="Street cleansing", slug="street-cleansing")


def member(team, role, first_name, last_name):
    user = UserFactory(first_name=first_name, last_name=last_name)
    return MembershipFactory(team=team, role=role, user=user).user


@pytest.fixture
def leader(streets):
    return member(streets, Role.TEAM_LEADER, "Lena", "Lead")


@pytest.fixture
def officer(streets):
    return member(streets, Role.OFFICER, "Omar", "Officer")


@pytest.fixture
def colleague(streets):
    return member(streets, Role.OFFICER, "Cara", "Colleague")


@pytest.fixture
def graffiti(council, streets):
    return create_service(
        actor=None, organisation=council, name="Graffiti", owning_team=streets, sla_value=10
    )


@pytest.fixture
def customer(make_customer):
    return make_customer(forenames="Ada", surname="Okafor", email="ada@example.org")


@pytest.fixture
def address(council):
    ward = WardFactory(organisation=council, name="Riverside")
    street = StreetFactory(organisation=council, name="Acacia Avenue")
    return AddressFactory(organisation=council, street=street, ward=ward, pao_start_number=12)


@pytest.fixture
def case(council, graffiti, customer, address, agent):
    return raise_case(
        actor=agent,
        organisation=council,
        service=graffiti,
        customer=customer,
        address=address,
        description="Tags sprayed on the bus shelter\nand on the wall behind it",
        channel="phone",
        attributes={"offensive": True, "surface": "Brick"},
    )


@pytest.fixture
def sensitive_case(council, housing_team, make_service, customer):
    homelessness = make_service(
        "Homelessness advice", sensitivity="sensitive", owning_team=housing_team
    )
    return raise_case(
        actor=None,
        organisation=council,
        service=homelessness,
        customer=customer,
        description="Sofa surfing, asked to leave on Friday",
        channel="phone",
    )


def case_url(case, action=None):
    if action is None:
        return reverse("console:case", args=[case.reference])
    return reverse(f"console:case-{action}", args=[case.reference])


def signed_in(client, user):
    client.force_login(user)
    return client


def token_from(client, url) -> str:
    html = client.get(url).content.decode()
    return re.search(r'name="form_token" value="([^"]+)"', html).group(1)


def post_action(client, case, action, **data):
    """Open the action's page (for its form token), then submit it."""
    data.setdefault("form_token", token_from(client, case_url(case, action)))
    return client.post(case_url(case, action), data)


def reload(case):
    return Case.objects.get(pk=case.pk)


def png(name="photo.png", content=PNG):
    return SimpleUploadedFile(name, content, content_type="image/png")


# What the page shows


def test_the_page_shows_the_case_in_full(client, officer, case, agent, customer, address):
    assign_case(actor=None, case=case, assignee=officer)
    add_note(actor=officer, case=case, text="Booked the jet wash for Thursday")
    add_note(actor=officer, case=case, text="We will clean it on Thursday", public=True)
    change_status(actor=officer, case=case, status=CaseStatus.WAITING_CUSTOMER)

    response = signed_in(client, officer).get(case_url(case))

    html = response.content.decode()
    assert response.status_code == 200
    assert case.reference in html
    for text in (
        "Graffiti",
        "Street cleansing",
        "Omar Officer",
        "12 Acacia Avenue",
        f"UPRN {address.uprn}",
        "Riverside ward",
        "Phone",  # came in by
        "2 March 2026",
        f"by {agent.get_full_name()}",
        "Tags sprayed on the bus shelter\nand on the wall behind it",
        "Offensive",
        "Brick",
        "Waiting for the customer",
        "Booked the jet wash for Thursday",
        "Sent to customer",
        "Since 2 Mar 2026 at 10:00",
        "Messages sent",
    ):
        assert text in html, text
    assert f'href="{reverse("console:customer", args=[customer.reference])}"' in html
    # Newest first, as on the customer's single view.
    timeline = html[html.index('class="console-timeline"') :]
    assert timeline.index("Update for the customer") < timeline.index("Internal note")
    assert timeline.index("Internal note") < timeline.index("Case raised")


def test_an_anonymous_case_says_so(client, officer, council, graffiti):
    case = raise_case(
        actor=None,
        organisation=council,
        service=graffiti,
        description="On the bridge",
        channel="web",
        location_description="Footbridge over the railway",
    )

    html = signed_in(client, officer).get(case_url(case)).content.decode()

    assert "Anonymous" in html
    assert "Footbridge over the railway" in html


def test_the_timeline_shows_pauses_attachments_and_referrals(
    client, council, officer, case, time_machine
):  # time_machine is the one `monday` froze
    change_status(actor=officer, case=case, status=CaseStatus.WAITING_CUSTOMER)
    time_machine.move_to(MONDAY_MORNING + datetime.timedelta(hours=2, minutes=30), tick=False)
    change_status(actor=officer, case=case, status=CaseStatus.IN_PROGRESS)
    add_attachment(actor=officer, case=case, upload=png("Bus shelter.PNG"))
    pest_control = TeamFactory(organisation=council, name="Pest control", slug="pest-control")
    referral = refer_case(actor=officer, case=case, to_team=pest_control, scope="Rats seen")

    html = signed_in(client, officer).get(case_url(case)).content.decode()

    assert "SLA clock paused" in html
    assert "Paused for 2 hours 30 minutes of working time." in html
    assert "2 hours 30 minutes of working time" in html  # the SLA panel's total
    attachment = Attachment.objects.get(case=case)
    download = reverse("console:case-attachment-download", args=[case.reference, attachment.pk])
    assert f'href="{download}"' in html
    assert "Bus shelter.png" in html
    assert "PNG image, 29" in html
    assert f'href="{reverse("console:referral", args=[referral.pk])}"' in html
    assert "Pest control" in html
    assert "Waiting to be acknowledged" in html


def test_a_lower_case_reference_leads_to_the_case(client, officer, case):
    response = signed_in(client, officer).get(f"/staff/cases/{case.reference.lower()}/")

    assert response.status_code == 302
    assert response["Location"] == case_url(case)


def test_an_unknown_reference_is_not_found(client, officer):
    assert signed_in(client, officer).get("/staff/cases/CAS-NOTREAL/").status_code == 404


def test_actions_offered_follow_the_role(client, officer, leader, agent, case):
    officer_html = signed_in(client, officer).get(case_url(case)).content.decode()
    leader_html = signed_in(client, leader).get(case_url(case)).content.decode()
    agent_html = signed_in(client, agent).get(case_url(case)).content.decode()

    assert "Change status" in officer_html
    assert "Assign to me" in officer_html
    assert case_url(case, "assign") not in officer_html
    assert case_url(case, "assign") in leader_html
    assert "Change status" not in agent_html
    assert "Assign to me" not in agent_html
    assert "Add an internal note" in agent_html  # the contact centre may leave a note
    assert "Log a chase" in agent_html


@pytest.mark.parametrize("events", [2, 20])
def test_the_page_reads_a_fixed_number_of_times(
    client, council, officer, colleague, case, events, django_assert_max_num_queries
):
    for number in range(events):
        add_note(actor=(officer, colleague)[number % 2], case=case, text=f"Note {number}")
        if number % 5 == 0:
            add_attachment(actor=officer, case=case, upload=png(f"photo-{number}.png"))
            team = TeamFactory(organisation=council, name=f"Team {number}", slug=f"t-{number}")
            refer_case(actor=officer, case=case, to_team=team, scope=f"Part {number}")
    signed_in(client, officer).get(case_url(case))  # the session exists from here on

    # 14: the service's questions, to show the answers as the resident saw them.
    with django_assert_max_num_queries(14):
        response = client.get(case_url(case))

    assert response.status_code == 200
    assert f"Note {events - 1}" in response.content.decode()


# Sensitive cases


def test_a_sensitive_case_is_hidden_from_colleagues_not_entitled(client, officer, sensitive_case):
    response = signed_in(client, officer).get(case_url(sensitive_case))

    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.VIEWED_SENSITIVE).exists()


def test_a_look_at_a_sensitive_case_is_audited(client, housing_officer, sensitive_case):
    response = signed_in(client, housing_officer).get(case_url(sensitive_case))

    assert response.status_code == 200
    assert "Sofa surfing" in response.content.decode()
    audit = AuditEvent.objects.get(action=AuditAction.VIEWED_SENSITIVE)
    assert audit.actor == housing_officer
    assert audit.record_id == str(sensitive_case.pk)


def test_an_ordinary_case_view_is_not_audited(client, officer, case):
    signed_in(client, officer).get(case_url(case))

    assert not AuditEvent.objects.filter(action=AuditAction.VIEWED_SENSITIVE).exists()


# Actions: change status


def test_change_status(client, officer, case):
    signed_in(client, officer)

    response = post_action(client, case, "status", status="in_progress", note="On site at 2pm")

    assert response.status_code == 302
    assert response["Location"] == case_url(case)
    assert reload(case).status == CaseStatus.IN_PROGRESS
    event = CaseEvent.objects.get(case=case, kind=EventKind.STATUS_CHANGED, text="On site at 2pm")
    assert event.actor == officer
    assert "Status changed to in progress" in client.get(case_url(case)).content.decode()


def test_change_status_needs_a_status(client, officer, case):
    signed_in(client, officer)

    response = post_action(client, case, "status", status="")

    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "Choose the case&#x27;s new status" in html
    assert reload(case).status == CaseStatus.OPEN


def test_an_agent_cannot_change_status(client, agent, case):
    signed_in(client, agent)

    page = client.get(case_url(case, "status"))
    response = client.post(
        case_url(case, "status"), {"form_token": str(uuid.uuid4()), "status": "in_progress"}
    )

    assert page.status_code == 403
    assert response.status_code == 403
    assert reload(case).status == CaseStatus.OPEN


def test_a_repeated_submission_saves_once(client, officer, case):
    signed_in(client, officer)
    token = token_from(client, case_url(case, "note"))

    first = client.post(case_url(case, "note"), {"form_token": token, "text": "Called them"})
    second = client.post(
        case_url(case, "note"), {"form_token": token, "text": "Called them"}, follow=True
    )

    assert first.status_code == 302
    assert "That was saved already" in second.content.decode()
    assert CaseEvent.objects.filter(case=case, kind=EventKind.NOTE).count() == 1


def test_an_expired_form_is_shown_again(client, officer, case):
    signed_in(client, officer)

    response = client.post(
        case_url(case, "note"), {"form_token": str(uuid.uuid4()), "text": "Called them"}
    )

    assert response.status_code == 200
    assert "The form had expired" in response.content.decode()
    assert not CaseEvent.objects.filter(case=case, kind=EventKind.NOTE).exists()


# Assigning


def test_a_team_leader_assigns(client, leader, officer, case):
    signed_in(client, leader)

    response = post_action(client, case, "assign", assignee=officer.pk)

    assert response.status_code == 302
    assert reload(case).assignee == officer
    assert reload(case).status == CaseStatus.ASSIGNED


def test_assigning_needs_someone(client, leader, case):
    signed_in(client, leader)

    response = post_action(client, case, "assign", assignee="")

    assert "Choose who to assign the case to" in response.content.decode()
    assert reload(case).assignee is None


def test_an_officer_cannot_assign_to_others(client, officer, colleague, case):
    signed_in(client, officer)

    response = client.post(
        case_url(case, "assign"), {"form_token": str(uuid.uuid4()), "assignee": colleague.pk}
    )

    assert response.status_code == 403
    assert reload(case).assignee is None


def test_an_officer_takes_a_case(client, officer, case):
    signed_in(client, officer)
    token = re.search(
        r'name="form_token" value="([^"]+)"', client.get(case_url(case)).content.decode()
    ).group(1)  # the "Assign to me" button's form comes first on the page

    response = client.post(case_url(case, "take"), {"form_token": token}, follow=True)

    assert reload(case).assignee == officer
    assert "Case assigned to you" in response.content.decode()


def test_a_closed_case_cannot_be_taken(client, officer, case):
    signed_in(client, officer)
    token = token_from(client, case_url(case, "take"))
    close_case(actor=officer, case=case, resolution_code="done", message="Cleaned")

    response = client.post(case_url(case, "take"), {"form_token": token})

    assert "Reopen the case before assigning it." in response.content.decode()
    assert reload(case).assignee is None


def test_an_agent_cannot_take_a_case(client, agent, case):
    response = signed_in(client, agent).post(
        case_url(case, "take"), {"form_token": str(uuid.uuid4())}
    )

    assert response.status_code == 403


# Priority


def test_change_priority(client, officer, case):
    due = case.resolution_due_at
    signed_in(client, officer)

    response = post_action(client, case, "priority", priority="urgent", reason="Racist words")

    assert response.status_code == 302
    assert reload(case).priority == "urgent"
    assert CaseEvent.objects.filter(case=case, kind=EventKind.PRIORITY_CHANGED).exists()
    assert reload(case).resolution_due_at == due  # the service has no urgent target of its own


def test_change_priority_needs_a_reason(client, officer, case):
    signed_in(client, officer)

    response = post_action(client, case, "priority", priority="urgent", reason=" ")

    assert "Say why the priority is changing" in response.content.decode()
    assert reload(case).priority == "normal"


def test_an_agent_cannot_change_priority(client, agent, case):
    response = signed_in(client, agent).post(
        case_url(case, "priority"),
        {"form_token": str(uuid.uuid4()), "priority": "urgent", "reason": "Caller is upset"},
    )

    assert response.status_code == 403
    assert reload(case).priority == "normal"


# Notes and updates


def test_an_agent_adds_an_internal_note(client, agent, case):
    signed_in(client, agent)

    response = post_action(client, case, "note", text="Customer rang: the tags are spreading")

    assert response.status_code == 302
    event = CaseEvent.objects.get(case=case, kind=EventKind.NOTE)
    assert event.actor == agent
    assert not event.is_public


def test_a_note_needs_text(client, officer, case):
    signed_in(client, officer)

    response = post_action(client, case, "note", text="")

    assert "Enter the note" in response.content.decode()


def test_a_colleague_not_entitled_cannot_note_a_sensitive_case(client, officer, sensitive_case):
    response = signed_in(client, officer).post(
        case_url(sensitive_case, "note"), {"form_token": str(uuid.uuid4()), "text": "Hello"}
    )

    assert response.status_code == 404
    assert not CaseEvent.objects.filter(case=sensitive_case, kind=EventKind.NOTE).exists()


def test_an_update_is_sent_to_the_customer(client, officer, case):
    signed_in(client, officer)

    response = post_action(client, case, "update", text="We will clean it on Thursday")

    assert response.status_code == 302
    event = CaseEvent.objects.get(case=case, kind=EventKind.PUBLIC_UPDATE)
    assert event.is_public
    assert reload(case).first_response_at is not None
    html = client.get(case_url(case)).content.decode()
    assert "Update for the customer added" in html
    assert "Sent to customer" in html


def test_messages_sent_about_the_case_are_listed(client, officer, council, case):
    create_template(
        actor=None,
        organisation=council,
        event="update",
        channel="email",
        subject="Your request ((reference))",
        body="Dear ((name)), ((update))",
    )
    signed_in(client, officer)

    post_action(client, case, "update", text="We will clean it on Thursday")

    html = client.get(case_url(case)).content.decode()
    messages = html[html.index('id="messages"') : html.index('id="timeline"')]
    message = Message.objects.get(about_reference=case.reference)
    assert f'href="{reverse("console:message", args=[message.pk])}"' in messages
    assert "Progress update" in messages
    assert "Email" in messages


def test_an_update_needs_text(client, officer, case):
    signed_in(client, officer)

    response = post_action(client, case, "update", text="  ")

    assert "Enter the update" in response.content.decode()
    assert not CaseEvent.objects.filter(case=case, kind=EventKind.PUBLIC_UPDATE).exists()


def test_an_agent_cannot_send_an_update(client, agent, case):
    response = signed_in(client, agent).post(
        case_url(case, "update"), {"form_token": str(uuid.uuid4()), "text": "Soon"}
    )

    assert response.status_code == 403


# Attachments


def upload(client, case, file):
    token = token_from(client, case_url(case, "attachment"))
    return client.post(case_url(case, "attachment"), {"form_token": token, "file": file})


def test_an_officer_uploads_a_photo(client, officer, case, media):
    signed_in(client, officer)

    response = upload(client, case, png("Shelter.png"))

    assert response.status_code == 302
    attachment = Attachment.objects.get(case=case)
    assert attachment.name == "Shelter.png"
    assert attachment.content_type == "image/png"
    assert "Shelter.png" not in attachment.file.name  # stored under a name of our choosing


@pytest.mark.parametrize(
    ("file", "message"),
    [
        (
            SimpleUploadedFile("run.exe", b"MZ\x90\x00\x03\x00\x00\x00"),
            "The selected file must be a PDF, JPG, PNG, WebP, Word, Excel, ODT, TXT or CSV",
        ),
        (
            SimpleUploadedFile("notes.pdf", PNG),
            "The file&#x27;s name says one type but it contains another: rename it.",
        ),
        (
            SimpleUploadedFile("huge.png", PNG + b"\x00" * (10 * 1024 * 1024)),
            "The selected file must be smaller than 10MB.",
        ),
        (SimpleUploadedFile("empty.png", b""), "The selected file is empty"),
    ],
    ids=["wrong-type", "mismatched-extension", "too-big", "empty"],
)
def test_uploads_are_refused_with_clear_messages(client, officer, case, file, message):
    signed_in(client, officer)

    response = upload(client, case, file)

    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert message in html
    assert 'href="#id_file"' in html
    assert not Attachment.objects.filter(case=case).exists()


def test_an_upload_needs_a_file(client, officer, case):
    signed_in(client, officer)

    response = post_action(client, case, "attachment")

    assert "Select a file" in response.content.decode()


def test_an_agent_cannot_upload(client, agent, case):
    response = signed_in(client, agent).post(
        case_url(case, "attachment"), {"form_token": str(uuid.uuid4()), "file": png()}
    )

    assert response.status_code == 403
    assert not Attachment.objects.exists()


def test_an_attachment_downloads_only_for_those_who_may_see_the_case(
    client, officer, agent, housing_officer, case, sensitive_case
):
    photo = add_attachment(actor=officer, case=case, upload=png("Shelter.png"))
    letter = add_attachment(actor=None, case=sensitive_case, upload=png("Letter.png"))
    photo_url = reverse("console:case-attachment-download", args=[case.reference, photo.pk])
    letter_url = reverse(
        "console:case-attachment-download", args=[sensitive_case.reference, letter.pk]
    )

    response = signed_in(client, agent).get(photo_url)

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'attachment; filename="Shelter.png"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert client.get(letter_url).status_code == 404  # the agent may not see that case
    # One case's address does not open another case's file.
    wrong = reverse("console:case-attachment-download", args=[case.reference, letter.pk])
    assert client.get(wrong).status_code == 404
    housing = signed_in(client, housing_officer).get(letter_url)
    assert housing.status_code == 200
    # Reading it all closes the file, without the end-of-request signal that would close the
    # database connection inside the test's transaction.
    assert b"".join(housing.streaming_content)
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEWED_SENSITIVE, actor=housing_officer
    ).exists()


def test_attachments_are_not_served_from_a_public_media_address(settings):
    with pytest.raises(Resolver404):
        resolve(f"/{settings.MEDIA_URL.strip('/')}/cases/2026/03/anything.png")


# Resolving, closing and reopening


def test_resolve_then_close(client, officer, case):
    signed_in(client, officer)

    resolved = post_action(
        client, case, "resolve", resolution_code="done", message="Cleaned off this morning"
    )
    closed = post_action(client, case, "close", message="")

    assert resolved.status_code == 302
    assert closed.status_code == 302
    case = reload(case)
    assert case.status == CaseStatus.CLOSED
    assert case.resolution_code == "done"


@pytest.mark.parametrize("action", ["resolve", "close"])
def test_resolving_or_closing_needs_a_code_and_a_message(client, officer, case, action):
    signed_in(client, officer)

    response = post_action(client, case, action)

    html = response.content.decode()
    assert "Choose how the case was resolved" in html
    assert "Write a message for the customer" in html
    assert reload(case).is_open


@pytest.mark.parametrize("action", ["resolve", "close"])
def test_an_agent_cannot_resolve_or_close(client, agent, case, action):
    response = signed_in(client, agent).post(
        case_url(case, action),
        {"form_token": str(uuid.uuid4()), "resolution_code": "done", "message": "Done"},
    )

    assert response.status_code == 403
    assert reload(case).is_open


def test_reopen(client, officer, case):
    close_case(actor=officer, case=case, resolution_code="done", message="Cleaned")
    signed_in(client, officer)

    assert "Reopen the case" in client.get(case_url(case)).content.decode()
    response = post_action(client, case, "reopen", reason="The tags are back")

    assert response.status_code == 302
    assert reload(case).status == CaseStatus.REOPENED


def test_reopen_needs_a_reason(client, officer, case):
    close_case(actor=officer, case=case, resolution_code="done", message="Cleaned")
    signed_in(client, officer)

    response = post_action(client, case, "reopen", reason="")

    assert "Say why the case is being reopened" in response.content.decode()
    assert reload(case).status == CaseStatus.CLOSED


def test_an_agent_cannot_reopen(client, agent, officer, case):
    close_case(actor=officer, case=case, resolution_code="done", message="Cleaned")

    response = signed_in(client, agent).post(
        case_url(case, "reopen"), {"form_token": str(uuid.uuid4()), "reason": "Back again"}
    )

    assert response.status_code == 403


def test_an_action_not_open_now_goes_back_to_the_case(client, officer, case):
    signed_in(client, officer)

    response = client.get(case_url(case, "reopen"), follow=True)

    assert response.redirect_chain == [(case_url(case), 302)]
    assert "You cannot do that now: the case is open." in response.content.decode()


# Small things


def test_a_docx_is_recognised(client, officer, case):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    signed_in(client, officer)

    upload(client, case, SimpleUploadedFile("Letter.docx", buffer.getvalue()))

    html = client.get(case_url(case)).content.decode()
    assert "Letter.docx" in html
    assert "Word document" in html


# In a browser: the queue and the case page on a desk and on a phone, with an accessibility check.


@pytest.fixture
def look(page, check_page):
    """Check the page at desk and phone widths (check_page's checks at each)."""

    def check(name: str) -> None:
        for width, height in ((1280, 900), (390, 844)):
            page.set_viewport_size({"width": width, "height": height})
            check_page(page, f"{name}-{width}")
            # Nothing but a table's own scrolling box may be wider than the screen.
            overflow = page.evaluate("document.documentElement.scrollWidth")
            assert overflow <= width, f"{name} is {overflow}px wide on a {width}px screen"
        page.set_viewport_size({"width": 1280, "height": 900})

    return check


@pytest.mark.browser
def test_a_team_leader_works_the_queue_in_a_browser(
    live_server, page, look, council, leader, officer, graffiti, customer, address, media
):
    cases = [
        raise_case(
            actor=None,
            organisation=council,
            service=graffiti,
            customer=customer if number % 2 else None,
            address=address if number % 3 else None,
            location_description="" if number % 3 else "Underpass by the canal, north side",
            description=f"Tags sprayed on the wall, report {number}",
            channel="phone",
            priority=("urgent", "normal", "high", "low")[number % 4],
        )
        for number in range(6)
    ]
    change_status(actor=None, case=cases[1], status=CaseStatus.WAITING_CUSTOMER)
    add_note(actor=officer, case=cases[1], text="Asked Ada for a photo", public=True)
    parks = TeamFactory(organisation=council, name="Parks", slug="parks")
    benches = create_service(actor=None, organisation=council, name="Benches", owning_team=parks)
    bench = raise_case(
        actor=None,
        organisation=council,
        service=benches,
        description="Bench covered in tags",
        channel="web",
        location_description="Bench by the bandstand",
    )
    refer_case(actor=None, case=bench, to_team=leader.memberships.get().team, scope="Clean it")
    refer_case(actor=None, case=cases[1], to_team=parks, scope="Check the park wall too")
    sign_in_staff(page, live_server, leader)

    page.get_by_role("link", name="Queues").click()
    page.wait_for_url(re.compile(r"/staff/queues/street-cleansing/$"))
    look("queue")

    page.get_by_label(f"Select {cases[0].reference}").check()
    page.get_by_label(f"Select {cases[2].reference}").check()
    page.get_by_label("Assign selected to").select_option(label="Omar Officer")
    page.get_by_role("button", name="Assign", exact=True).click()
    page.wait_for_load_state("load")
    assert (
        "2 cases assigned to Omar Officer"
        in page.locator(".govuk-notification-banner").inner_text()
    )
    page.get_by_label("Assigned to").select_option(label="Omar Officer")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"assignee="))
    assert page.locator("#queue-count").inner_text().startswith("Showing 1 to 2 of 2 cases")

    page.get_by_role("link", name=cases[0].reference).click()
    page.wait_for_url(re.compile(rf"/staff/cases/{re.escape(cases[0].reference)}/$"))
    page.get_by_label("Internal note").fill("Needs the graffiti team with a jet wash")
    page.get_by_role("button", name="Add note").click()
    page.wait_for_load_state("load")
    assert "Note added" in page.locator(".govuk-notification-banner").inner_text()

    page.get_by_role("link", name="Add a file").click()
    page.get_by_label("Upload a file").set_input_files(
        files=[{"name": "shelter.txt", "mimeType": "text/plain", "buffer": PNG}]
    )
    page.get_by_role("button", name="Upload file").click()
    page.wait_for_load_state("load")
    look("upload-refused")
    assert "rename it" in page.locator(".govuk-error-summary").inner_text()
    page.get_by_label("Upload a file").set_input_files(
        files=[{"name": "shelter.png", "mimeType": "image/png", "buffer": PNG}]
    )
    page.get_by_role("button", name="Upload file").click()
    page.wait_for_url(re.compile(rf"/staff/cases/{re.escape(cases[0].reference)}/$"))

    page.get_by_role("link", name="Change status").click()
    look("change-status")
    page.get_by_label("Waiting for the customer").check()
    page.get_by_label("Note (optional)").fill("Asked for a photo of the wall")
    page.get_by_role("button", name="Change status").click()
    page.wait_for_url(re.compile(rf"/staff/cases/{re.escape(cases[0].reference)}/$"))
    look("case")
    assert page.get_by_text("shelter.png").is_visible()
    assert page.get_by_text("Asked for a photo of the wall").is_visible()

    page.goto(f"{live_server.url}/staff/cases/{cases[1].reference}/")
    look("case-with-customer")
    page.get_by_role("link", name="Queues").click()
    page.get_by_role("tab", name="Referrals received (1)").click()
    look("referrals-received")
    assert page.get_by_role("link", name=f"{bench.reference} referral").is_visible()
