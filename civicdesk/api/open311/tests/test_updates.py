"""mySociety's servicerequestupdates, both ways: the council's public updates out, the
reporter's updates in."""

import datetime

import pytest
from django.utils import timezone

from civicdesk.api.open311.selectors import EXTENDED_STATUSES, extended_status
from civicdesk.cases.models import Case, CaseEvent, CaseStatus, EventKind, ResolutionCode
from civicdesk.cases.services import add_note, change_status, close_case, reopen_case
from civicdesk.catalogue.models import Channel
from civicdesk.contacts.models import Contact, Outcome

FORMATS = ["xml", "json"]


def updates(api, **params) -> list[dict]:
    return api.get("servicerequestupdates.json", **params).json()


def test_officers_public_note_appears(api, report):
    reference = report()
    case = Case.objects.get(reference=reference)
    event = add_note(actor=None, case=case, text="A crew is booked for Tuesday.", public=True)
    [update] = updates(api)
    assert update == {
        "update_id": str(event.pk),
        "service_request_id": reference,
        "status": "OPEN",
        "updated_datetime": update["updated_datetime"],
        "description": "A crew is booked for Tuesday.",
        "media_url": "",
    }


def test_updates_xml(api, report):
    case = Case.objects.get(reference=report())
    add_note(actor=None, case=case, text="Booked", public=True)
    root = api.get("servicerequestupdates.xml").xml()
    assert root.tag == "service_request_updates"
    update = root.find("request_update")
    assert update.findtext("service_request_id") == case.reference
    assert update.findtext("status") == "OPEN"
    assert update.findtext("description") == "Booked"
    assert update.findtext("updated_datetime").endswith("Z")


def test_internal_notes_are_not_updates(api, report):
    case = Case.objects.get(reference=report())
    add_note(actor=None, case=case, text="Internal only", public=False)
    assert updates(api) == []


def test_status_change_is_an_update_without_the_officers_note(api, report):
    case = Case.objects.get(reference=report())
    change_status(actor=None, case=case, status=CaseStatus.IN_PROGRESS, note="Internal reason")
    [update] = updates(api)
    assert update["status"] == "IN_PROGRESS"
    assert update["description"] == ""


def test_public_note_carries_the_status_at_the_time(api, report):
    case = Case.objects.get(reference=report())
    change_status(actor=None, case=case, status=CaseStatus.IN_PROGRESS)
    add_note(actor=None, case=case, text="Working on it", public=True)
    assert [u["status"] for u in updates(api)] == ["IN_PROGRESS", "IN_PROGRESS"]


@pytest.mark.parametrize(
    ("code", "status"),
    [
        (ResolutionCode.DONE, "FIXED"),
        (ResolutionCode.DUPLICATE, "DUPLICATE"),
        (ResolutionCode.NOT_COUNCILS_RESPONSIBILITY, "NOT_COUNCILS_RESPONSIBILITY"),
        (ResolutionCode.NO_ACTION_NEEDED, "NO_FURTHER_ACTION"),
        (ResolutionCode.INFORMATION_GIVEN, "CLOSED"),
        (ResolutionCode.WITHDRAWN, "CLOSED"),
    ],
)
def test_closure_is_one_update_with_the_outcome(api, report, code, status):
    case = Case.objects.get(reference=report())
    close_case(actor=None, case=case, resolution_code=code, message="Dealt with.")
    [update] = updates(api)
    assert (update["status"], update["description"]) == (status, "Dealt with.")


def test_resolving_then_reopening(api, report):
    case = Case.objects.get(reference=report())
    close_case(
        actor=None, case=case, resolution_code=ResolutionCode.DONE, message="Fixed.", final=False
    )
    reopen_case(actor=None, case=case, reason="Back again")
    assert [u["status"] for u in updates(api)] == ["FIXED", "OPEN"]
    assert "Back again" not in api.get("servicerequestupdates.xml").body.decode()


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (CaseStatus.OPEN, "OPEN"),
        (CaseStatus.ASSIGNED, "ACTION_SCHEDULED"),
        (CaseStatus.IN_PROGRESS, "IN_PROGRESS"),
        (CaseStatus.WAITING_CUSTOMER, "INVESTIGATING"),
        (CaseStatus.WAITING_THIRD_PARTY, "INVESTIGATING"),
        (CaseStatus.REOPENED, "OPEN"),
        (CaseStatus.RESOLVED, "FIXED"),
        (CaseStatus.CLOSED, "CLOSED"),
    ],
)
def test_extended_status_of_each_case_status(status, expected):
    assert extended_status(status) == expected
    assert expected in EXTENDED_STATUSES


def test_updates_on_sensitive_cases_are_not_shown(api, report, safeguarding):
    case = Case.objects.get(reference=report(service_code="child-concern"))
    add_note(actor=None, case=case, text="Visited the family", public=True)
    assert updates(api) == []


def test_update_date_window_and_pages(api, report, time_machine):
    case = Case.objects.get(reference=report())
    start = timezone.now()
    for n in range(5):
        time_machine.move_to(start + datetime.timedelta(hours=n + 1))
        add_note(actor=None, case=case, text=f"Update {n}", public=True)
    window = updates(
        api,
        start_date=(start + datetime.timedelta(minutes=90)).isoformat(),
        end_date=(start + datetime.timedelta(minutes=270)).isoformat(),
    )
    assert [u["description"] for u in window] == ["Update 1", "Update 2", "Update 3"]
    page = updates(api, page_size="2", page="2")
    assert [u["description"] for u in page] == ["Update 2", "Update 3"]


@pytest.mark.parametrize(
    "params",
    [{"start_date": "soon"}, {"page": "0"}, {"start_date": "2026-02-01", "end_date": "2026-01-01"}],
)
def test_bad_update_parameters_are_400(api, params):
    assert api.get("servicerequestupdates.xml", **params).status == 400


# The reporter's updates


def post_update(api, reference, fmt="xml", **fields):
    data = {
        "service_request_id": reference,
        "update_id": "fms-1",
        "status": "OPEN",
        "description": "Still there",
        "updated_datetime": "2026-11-23T10:00:00Z",
        "email": "ann@example.com",
        "first_name": "Ann",
        "last_name": "Other",
        **fields,
    }
    return api.post(f"servicerequestupdates.{fmt}", data)


@pytest.mark.parametrize("fmt", FORMATS)
def test_reporter_update_goes_on_the_timeline(api, report, fmt):
    reference = report()
    answer = post_update(api, reference, fmt)
    assert answer.status == 200
    if fmt == "xml":
        update_id = answer.xml().find("request_update/update_id").text
    else:
        [body] = answer.json()
        update_id = body["update_id"]
    event = CaseEvent.objects.get(pk=update_id)
    assert event.case.reference == reference
    assert event.kind == EventKind.REPORTER_UPDATE
    assert event.text == "Still there"
    assert event.is_public is False
    assert event.data["status"] == "OPEN"
    assert event.data["their_reference"] == "fms-1"
    assert event.data["reported_at"].startswith("2026-11-23T10:00:00")
    contact = event.contact
    assert contact.channel == Channel.API
    assert contact.outcome == Outcome.REFERRED
    assert contact.customer.email == "ann@example.com"
    assert contact.notes == f"Open311: FixMyStreet: update on {reference}"


def test_reporter_saying_fixed_does_not_close_the_case(api, report):
    reference = report()
    post_update(api, reference, status="FIXED", description="Someone cleaned it")
    case = Case.objects.get(reference=reference)
    assert case.is_open
    assert case.status != CaseStatus.CLOSED
    event = case.events.get(kind=EventKind.REPORTER_UPDATE)
    assert event.text.startswith("The reporter says this is fixed.")
    assert "Someone cleaned it" in event.text


def test_reporter_saying_open_does_not_reopen_a_closed_case(api, report):
    reference = report()
    case = Case.objects.get(reference=reference)
    close_case(actor=None, case=case, resolution_code=ResolutionCode.DONE, message="Done")
    post_update(api, reference, status="REOPEN", description="It is back")
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    event = case.events.get(kind=EventKind.REPORTER_UPDATE)
    assert event.text.startswith("The reporter says this is not fixed.")


def test_reporter_update_is_idempotent_on_their_update_id(api, report):
    reference = report()
    first = post_update(api, reference, "json").json()[0]["update_id"]
    again = post_update(api, reference, "json", description="Retried").json()[0]["update_id"]
    other = post_update(api, reference, "json", update_id="fms-2").json()[0]["update_id"]
    assert first == again != other
    assert CaseEvent.objects.filter(kind=EventKind.REPORTER_UPDATE).count() == 2
    assert Contact.objects.filter(outcome=Outcome.REFERRED).count() == 2


def test_reporter_updates_are_not_echoed_back(api, report):
    post_update(api, report())
    assert updates(api) == []


def test_anonymous_reporter_update(api, report):
    reference = report()
    answer = post_update(api, reference, email="", first_name="", last_name="")
    assert answer.status == 200
    event = CaseEvent.objects.get(kind=EventKind.REPORTER_UPDATE)
    assert event.contact.customer is None


def test_full_name_in_first_name_is_split(api, report):
    post_update(api, report(), first_name="Ann Other", last_name="")
    event = CaseEvent.objects.get(kind=EventKind.REPORTER_UPDATE)
    assert event.contact.customer.surname == "Other"


@pytest.mark.parametrize("missing", ["service_request_id", "update_id", "status"])
def test_reporter_update_needs_its_fields(api, report, missing):
    answer = post_update(api, report(), **{missing: ""})
    assert answer.status == 400
    assert missing in answer.xml().findtext("error/description")


@pytest.mark.parametrize(
    "fields",
    [
        {"status": "SORTED"},
        {"description": "x" * 4001},
        {"media_url": "nope"},
        {"updated_datetime": "last week"},
        {"email": "bad", "last_name": "X"},
        {"update_id": "u" * 101},
    ],
)
def test_bad_reporter_updates_are_400(api, report, fields):
    assert post_update(api, report(), **fields).status == 400
    assert not CaseEvent.objects.filter(kind=EventKind.REPORTER_UPDATE).exists()


def test_lower_case_status_is_accepted(api, report):
    assert post_update(api, report(), status="fixed").status == 200
    assert CaseEvent.objects.get(kind=EventKind.REPORTER_UPDATE).data["status"] == "FIXED"


@pytest.mark.parametrize("fmt", FORMATS)
def test_update_on_unknown_request_is_404(api, fmt):
    assert post_update(api, "CAS-9999999", fmt).status == 404


def test_update_on_sensitive_request_is_404(api, report, safeguarding):
    assert post_update(api, report(service_code="child-concern")).status == 404


def test_update_needs_a_key(api, report):
    reference = report()
    answer = api.post(
        "servicerequestupdates.xml",
        {"service_request_id": reference, "update_id": "1", "status": "OPEN"},
        key=False,
    )
    assert answer.status == 403


def test_updates_take_three_queries_however_many(api, report, django_assert_num_queries):
    from civicdesk.api.open311.tests.conftest import Open311

    for _n in range(10):
        case = Case.objects.get(reference=report(description=f"Report {_n}"))
        change_status(actor=None, case=case, status=CaseStatus.IN_PROGRESS)
        add_note(actor=None, case=case, text="On its way", public=True)
    client = Open311(api.key)
    # the council, the shown services, the updates with their case and status at the time
    with django_assert_num_queries(3):
        assert len(client.get("servicerequestupdates.json").json()) == 20
