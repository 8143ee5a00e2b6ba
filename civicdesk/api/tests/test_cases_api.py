"""Cases: listing and reading with the privacy policy, raising through intake, working them."""

import datetime

import pytest
from django.utils import timezone

from civicdesk.cases.models import Case, CaseEvent, CaseStatus, EventKind
from civicdesk.contacts.models import Contact
from civicdesk.core.models import AuditAction, AuditEvent
from civicdesk.organisations.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


# Reading


def test_cases_are_listed_newest_first(waste_api, make_case, missed_bin, customer):
    older = make_case(missed_bin, customer)
    newer = make_case(missed_bin, customer, description="Again this week.")
    body = waste_api.get("/cases").json()
    assert body["count"] == 2
    assert [c["reference"] for c in body["results"]] == [newer.reference, older.reference]
    assert "description" not in body["results"][0]


def test_cases_are_paginated(waste_api, make_case, missed_bin):
    made = [make_case(missed_bin, description=f"Report {n}") for n in range(5)]
    pages = [waste_api.get("/cases", {"page_size": 2, "page": n}).json() for n in (1, 2, 3)]
    listed = [c["reference"] for page in pages for c in page["results"]]
    assert listed == [case.reference for case in reversed(made)]
    assert all(page["count"] == 5 for page in pages)


def test_a_sensitive_case_of_another_team_is_not_listed(waste_api, bin_case, sensitive_case):
    references = [c["reference"] for c in waste_api.get("/cases").json()["results"]]
    assert references == [bin_case.reference]


def test_the_entitled_team_lists_its_sensitive_case(housing_api, bin_case, sensitive_case):
    references = {c["reference"] for c in housing_api.get("/cases").json()["results"]}
    assert references == {bin_case.reference, sensitive_case.reference}


def test_filters(waste_api, bin_case, sensitive_case, missed_bin, housing_api):
    assert waste_api.get("/cases", {"service": "missed-bin"}).json()["count"] == 1
    assert waste_api.get("/cases", {"service": "homelessness"}).json()["count"] == 0
    assert waste_api.get("/cases", {"team": "waste"}).json()["count"] == 1
    assert housing_api.get("/cases", {"team": "housing-options"}).json()["count"] == 1
    assert waste_api.get("/cases", {"status": "open"}).json()["count"] == 1
    assert waste_api.get("/cases", {"status": "closed"}).json()["count"] == 0


def test_an_unknown_status_filter_is_a_422(waste_api):
    response = waste_api.get("/cases", {"status": "lost"})
    assert response.status_code == 422
    assert "status" in response.json()["errors"]


def test_updated_since(waste_api, bin_case):
    later = timezone.now() + datetime.timedelta(hours=1)
    earlier = timezone.now() - datetime.timedelta(hours=1)
    assert waste_api.get("/cases", {"updated_since": earlier.isoformat()}).json()["count"] == 1
    assert waste_api.get("/cases", {"updated_since": later.isoformat()}).json()["count"] == 0
    CaseEvent.objects.create(
        case=bin_case, kind=EventKind.NOTE, occurred_at=later + datetime.timedelta(minutes=1)
    )
    assert waste_api.get("/cases", {"updated_since": later.isoformat()}).json()["count"] == 1


def test_a_case_with_its_timelines(waste_api, bin_case, waste_officer):
    from civicdesk.cases.services import add_note

    add_note(actor=waste_officer, case=bin_case, text="Crew told.")
    add_note(actor=waste_officer, case=bin_case, text="We will collect it.", public=True)
    body = waste_api.get(f"/cases/{bin_case.reference}").json()
    assert body["description"] == "The bin was not emptied on Tuesday."
    assert body["answers"] == {"bin_type": "general"}
    assert body["customer"] == bin_case.customer.reference
    assert [e["text"] for e in body["public_timeline"]] == ["We will collect it."]
    assert "Crew told." in [e["text"] for e in body["internal_timeline"]]
    assert body["access"]["may_work"] is True


def test_a_case_is_found_however_its_reference_is_typed(waste_api, bin_case):
    typed = bin_case.reference.lower().replace("-", " ")
    assert waste_api.get(f"/cases/{typed}").json()["reference"] == bin_case.reference


def test_an_officer_cannot_read_another_teams_sensitive_case(waste_api, sensitive_case):
    response = waste_api.get(f"/cases/{sensitive_case.reference}")
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.VIEWED_SENSITIVE).exists()


def test_reading_a_sensitive_case_is_audited(housing_api, housing_officer, sensitive_case):
    response = housing_api.get(f"/cases/{sensitive_case.reference}")
    assert response.status_code == 200
    assert response.json()["description"] == "Sofa surfing since March."
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEWED_SENSITIVE, actor=housing_officer
    ).exists()


def test_reading_an_everyday_case_is_not_audited_as_sensitive(waste_api, bin_case):
    waste_api.get(f"/cases/{bin_case.reference}")
    assert not AuditEvent.objects.filter(action=AuditAction.VIEWED_SENSITIVE).exists()


def test_another_councils_staff_cannot_see_the_case(api_as, bin_case):
    from civicdesk.organisations.tests.factories import MembershipFactory, TeamFactory

    other = OrganisationFactory(name="Elsewhere", slug="elsewhere")
    outsider = MembershipFactory(team=TeamFactory(organisation=other)).user
    outsider_api = api_as(outsider)
    assert outsider_api.get(f"/cases/{bin_case.reference}").status_code == 404
    assert outsider_api.get("/cases").json()["count"] == 0


# Raising


def raise_body(**changes):
    body = {
        "service": "missed-bin",
        "description": "Not collected on Tuesday.",
        "answers": {"bin_type": "garden"},
        "location_description": "Outside 12 Mill Lane",
        "contact_details": {"forenames": "Ann", "surname": "Other", "email": "ann@example.com"},
    }
    body.update(changes)
    return body


def test_raising_a_case_goes_through_intake_on_the_api_channel(agent_api, missed_bin, agent):
    response = agent_api.post("/cases", raise_body())
    assert response.status_code == 201, response.content
    body = response.json()
    case = Case.objects.get(reference=body["reference"])
    assert case.channel == "api"
    assert case.attributes == {"bin_type": "garden"}
    assert case.customer.email == "ann@example.com"
    assert case.raised_by == agent
    contact = Contact.objects.get(pk=case.source_contact_id)
    assert contact.channel == "api"
    assert "Test integration" in contact.notes
    assert body["team"]["slug"] == "waste"


def test_an_agent_can_raise_a_sensitive_case_without_reading_it(agent_api, homelessness, customer):
    response = agent_api.post(
        "/cases",
        {"service": "homelessness", "description": "Needs advice.", "customer": customer.reference},
    )
    assert response.status_code == 201, response.content
    reference = response.json()["reference"]
    assert "description" not in response.json()
    assert agent_api.get(f"/cases/{reference}").status_code == 404


def test_a_retried_raise_returns_the_first_case(agent_api, missed_bin):
    headers = {"Idempotency-Key": "7f1c9f3e-report"}
    first = agent_api.post("/cases", raise_body(), headers)
    second = agent_api.post("/cases", raise_body(), headers)
    assert first.json()["reference"] == second.json()["reference"]
    assert Case.objects.count() == 1
    assert Contact.objects.count() == 1


def test_without_a_key_two_posts_are_two_cases(agent_api, missed_bin):
    agent_api.post("/cases", raise_body())
    agent_api.post("/cases", raise_body())
    assert Case.objects.count() == 2


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"service": "no-such-service"}, "service"),
        ({"description": " "}, "description"),
        ({"answers": {}}, "bin_type"),
        ({"answers": {"bin_type": "purple"}}, "bin_type"),
        ({"location_description": ""}, "location"),
        ({"latitude": 51.5}, "location"),
        ({"customer": "CUS-9999999"}, "customer"),
        ({"uprn": 12345}, "uprn"),
        ({"media_url": "ftp://example.com/x.jpg"}, "media_url"),
        ({"contact_details": {"forenames": "Ann", "surname": "", "email": "a@example.com"}},
         "surname"),
        ({"latitude": 91, "longitude": 0}, "latitude"),
        ({"description": "x" * 4001}, "description"),
    ],
)  # fmt: skip
def test_a_bad_request_is_a_422_naming_the_field(agent_api, missed_bin, changes, field):
    response = agent_api.post("/cases", raise_body(**changes))
    assert response.status_code == 422, response.content
    assert field in response.json()["errors"], response.json()
    assert Case.objects.count() == 0


# Working


def test_adding_a_note(waste_api, bin_case):
    response = waste_api.post(f"/cases/{bin_case.reference}/notes", {"text": "Crew on it."})
    assert response.status_code == 201
    assert response.json()["kind"] == "note"
    assert bin_case.events.filter(kind=EventKind.NOTE, text="Crew on it.").exists()


def test_a_retried_note_is_added_once(waste_api, bin_case):
    headers = {"Idempotency-Key": "note-1"}
    for _attempt in range(2):
        waste_api.post(f"/cases/{bin_case.reference}/notes", {"text": "Once."}, headers)
    assert bin_case.events.filter(text="Once.").count() == 1


def test_an_empty_note_is_a_422(waste_api, bin_case):
    response = waste_api.post(f"/cases/{bin_case.reference}/notes", {"text": "  "})
    assert response.status_code == 422
    assert "text" in response.json()["errors"]


def test_an_agent_may_note_but_not_update_the_customer(agent_api, bin_case):
    assert agent_api.post(f"/cases/{bin_case.reference}/notes", {"text": "Rang"}).status_code == 201
    response = agent_api.post(
        f"/cases/{bin_case.reference}/notes", {"text": "Sorted", "public": True}
    )
    assert response.status_code == 403


def test_changing_the_status(waste_api, bin_case):
    response = waste_api.post(f"/cases/{bin_case.reference}/status", {"status": "in_progress"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "in_progress"
    bin_case.refresh_from_db()
    assert bin_case.status == CaseStatus.IN_PROGRESS


def test_a_status_an_officer_cannot_set_is_a_422(waste_api, bin_case):
    response = waste_api.post(f"/cases/{bin_case.reference}/status", {"status": "closed"})
    assert response.status_code == 422
    assert "status" in response.json()["errors"]


def test_an_agent_cannot_change_the_status(agent_api, bin_case):
    response = agent_api.post(f"/cases/{bin_case.reference}/status", {"status": "in_progress"})
    assert response.status_code == 403
    assert response.json()["detail"] == "You cannot update this case."


def test_closing_a_case(waste_api, bin_case):
    response = waste_api.post(
        f"/cases/{bin_case.reference}/close",
        {"resolution_code": "done", "message": "Collected today."},
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "closed"
    assert response.json()["is_open"] is False


def test_closing_needs_a_code_and_a_message(waste_api, bin_case):
    response = waste_api.post(f"/cases/{bin_case.reference}/close", {})
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"resolution_code", "message"}


def test_closing_a_closed_case_is_a_409(waste_api, bin_case):
    body = {"resolution_code": "done", "message": "Collected."}
    waste_api.post(f"/cases/{bin_case.reference}/close", body)
    response = waste_api.post(f"/cases/{bin_case.reference}/close", body)
    assert response.status_code == 409
    assert response.json()["detail"]


def test_a_retried_close_returns_the_closed_case(waste_api, bin_case):
    body = {"resolution_code": "done", "message": "Collected."}
    headers = {"Idempotency-Key": "close-1"}
    first = waste_api.post(f"/cases/{bin_case.reference}/close", body, headers)
    second = waste_api.post(f"/cases/{bin_case.reference}/close", body, headers)
    assert first.status_code == second.status_code == 200
    assert second.json()["status"] == "closed"
    assert bin_case.events.filter(kind=EventKind.CLOSED).count() == 1


def test_an_agent_cannot_close(agent_api, bin_case):
    response = agent_api.post(
        f"/cases/{bin_case.reference}/close", {"resolution_code": "done", "message": "x"}
    )
    assert response.status_code == 403


def test_working_a_sensitive_case_of_another_team_is_a_404(waste_api, sensitive_case):
    for action, body in (("notes", {"text": "x"}), ("status", {"status": "in_progress"})):
        response = waste_api.post(f"/cases/{sensitive_case.reference}/{action}", body)
        assert response.status_code == 404


def test_raising_at_an_address(agent_api, missed_bin, council):
    from civicdesk.places.tests.factories import AddressFactory

    address = AddressFactory(organisation=council)
    response = agent_api.post("/cases", raise_body(uprn=address.uprn, location_description=""))
    assert response.status_code == 201, response.content
    case = Case.objects.get(reference=response.json()["reference"])
    assert case.address == address


def test_a_manager_lists_every_team_but_not_sensitive_cases_they_are_not_entitled_to(
    api_as, council, bin_case, sensitive_case
):
    from civicdesk.organisations.models import Role
    from civicdesk.organisations.tests.factories import MembershipFactory, TeamFactory

    manager = MembershipFactory(
        team=TeamFactory(organisation=council, slug="management"), role=Role.MANAGER
    ).user
    manager_api = api_as(manager)
    references = [c["reference"] for c in manager_api.get("/cases").json()["results"]]
    assert references == [bin_case.reference]
    assert manager_api.get(f"/cases/{sensitive_case.reference}").status_code == 404
