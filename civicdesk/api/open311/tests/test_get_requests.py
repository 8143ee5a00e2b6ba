"""GET requests, requests/{id} and tokens/{token}: what is shown, what never is, and filters."""

import datetime
import re

import pytest
from django.utils import timezone

from civicdesk.api.open311.tests.conftest import Open311
from civicdesk.cases.models import Case, CaseStatus, ResolutionCode
from civicdesk.cases.services import add_note, close_case
from civicdesk.cases.tests.factories import CaseFactory

FORMATS = ["xml", "json"]
W3C = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$")
FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]
PERSONAL = {
    "email": "ann.secret@example.com",
    "first_name": "Annabel",
    "last_name": "Secretname",
    "phone": "07700 900123",
}


def test_requests_xml_fields(api, report, address):
    reference = report(
        lat="", long="", address_id=str(address.uprn), media_url="https://example.com/p.jpg"
    )
    root = api.get("requests.xml").xml()
    assert root.tag == "service_requests"
    [request] = root.findall("request")
    assert [child.tag for child in request] == FIELDS
    case = Case.objects.get(reference=reference)
    assert request.findtext("service_request_id") == reference
    assert request.findtext("status") == "open"
    assert request.findtext("service_code") == "graffiti"
    assert request.findtext("service_name") == "Graffiti"
    assert request.findtext("description") == "Tags on the bus shelter"
    assert request.findtext("agency_responsible") == "Street cleansing"
    assert request.findtext("address") == address.single_line
    assert request.findtext("address_id") == str(address.uprn)
    assert request.findtext("zipcode") == "KM1 2AB"
    assert request.findtext("media_url") == "https://example.com/p.jpg"
    assert request.findtext("lat") == ""  # the test address has no coordinates
    expected = timezone.localtime(case.resolution_due_at).replace(microsecond=0)
    assert datetime.datetime.fromisoformat(request.findtext("expected_datetime")) == expected


def test_requests_json_is_a_list(api, report):
    report()
    data = api.get("requests.json").json()
    assert isinstance(data, list)
    assert list(data[0]) == FIELDS
    assert data[0]["lat"] == 51.5
    assert data[0]["long"] == -0.1


@pytest.mark.parametrize("fmt", FORMATS)
def test_dates_are_w3c_with_an_offset(api, report, fmt):
    report()
    answer = api.get(f"requests.{fmt}")
    if fmt == "json":
        request = answer.json()[0]
        dates = [
            request[name]
            for name in ("requested_datetime", "updated_datetime", "expected_datetime")
        ]
    else:
        request = answer.xml().find("request")
        dates = [
            request.findtext(name)
            for name in ("requested_datetime", "updated_datetime", "expected_datetime")
        ]
    assert all(W3C.match(date) for date in dates), dates


def test_summer_dates_carry_the_british_summer_time_offset(api, graffiti, time_machine):
    time_machine.move_to(datetime.datetime(2026, 7, 1, 12, 0, tzinfo=datetime.UTC))
    CaseFactory(service=graffiti)
    request = api.get("requests.json").json()[0]
    assert request["requested_datetime"] == "2026-07-01T13:00:00+01:00"


@pytest.mark.parametrize("fmt", FORMATS)
def test_customer_details_never_appear(api, report, fmt):
    report(**PERSONAL)
    body = api.get(f"requests.{fmt}").body.decode()
    for value in PERSONAL.values():
        assert value not in body


def test_sensitive_requests_are_not_listed(api, report, safeguarding):
    public = report()
    hidden = report(service_code="child-concern", description="A private worry")
    references = [r["service_request_id"] for r in api.get("requests.json").json()]
    assert references == [public]
    by_id = api.get("requests.json", service_request_id=f"{public},{hidden}").json()
    assert [r["service_request_id"] for r in by_id] == [public]
    assert "A private worry" not in api.get("requests.xml").body.decode()


@pytest.mark.parametrize("fmt", FORMATS)
def test_sensitive_request_is_404_by_id_and_token(api, report, safeguarding, fmt):
    hidden = report(service_code="child-concern")
    assert api.get(f"requests/{hidden}.{fmt}").status == 404
    assert api.get(f"tokens/{hidden}.{fmt}").status == 404


def test_cases_of_private_services_are_not_listed(api, hidden_services):
    CaseFactory(service=hidden_services[1])
    assert api.get("requests.json").json() == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_request_by_id(api, report, fmt):
    reference = report()
    answer = api.get(f"requests/{reference}.{fmt}")
    assert answer.status == 200
    if fmt == "json":
        [request] = answer.json()
        assert request["service_request_id"] == reference
    else:
        assert answer.xml().find("request/service_request_id").text == reference


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_request_id_is_404(api, fmt):
    answer = api.get(f"requests/CAS-9999999.{fmt}")
    assert answer.status == 404


@pytest.mark.parametrize("fmt", FORMATS)
def test_token_resolves_to_the_request(api, report, fmt):
    reference = report()
    answer = api.get(f"tokens/{reference}.{fmt}")
    assert answer.status == 200
    if fmt == "json":
        assert answer.json() == [{"service_request_id": reference, "token": reference}]
    else:
        assert answer.xml().find("request/token").text == reference


def test_closed_request_with_status_notes(api, report):
    reference = report()
    case = Case.objects.get(reference=reference)
    close_case(actor=None, case=case, resolution_code=ResolutionCode.DONE, message="Cleaned off.")
    [request] = api.get(f"requests/{reference}.json").json()
    assert request["status"] == "closed"
    assert request["status_notes"] == "Cleaned off."
    assert request["updated_datetime"] >= request["requested_datetime"]


def test_internal_notes_are_never_status_notes(api, report):
    reference = report()
    case = Case.objects.get(reference=reference)
    add_note(actor=None, case=case, text="Public: crew booked", public=True)
    add_note(actor=None, case=case, text="Internal: reporter is a pest", public=False)
    body = api.get(f"requests/{reference}.xml").body.decode()
    assert "crew booked" in body
    assert "pest" not in body


def test_filter_by_ids_overrides_the_rest(api, report):
    first, _second, third = report(), report(description="b"), report(description="c")
    data = api.get(
        "requests.json",
        service_request_id=f"{first}, {third}",
        service_code="flytipping",
        status="closed",
    ).json()
    assert {r["service_request_id"] for r in data} == {first, third}


def test_filter_by_service_codes(api, report):
    report()
    flytip = report(service_code="flytipping", **{"attribute[what]": "bags"})
    data = api.get("requests.json", service_code="flytipping,nonsense").json()
    assert [r["service_request_id"] for r in data] == [flytip]


def test_filter_by_status(api, report):
    open_one, closed_one = report(), report(description="other")
    Case.objects.filter(reference=closed_one).update(is_open=False, status=CaseStatus.CLOSED)
    open_ids = [r["service_request_id"] for r in api.get("requests.json", status="open").json()]
    closed_ids = [r["service_request_id"] for r in api.get("requests.json", status="CLOSED").json()]
    assert (open_ids, closed_ids) == ([open_one], [closed_one])


@pytest.mark.parametrize("fmt", FORMATS)
def test_bad_status_is_400(api, fmt):
    answer = api.get(f"requests.{fmt}", status="fixed")
    assert answer.status == 400


def test_newest_first_and_the_default_90_day_window(api, graffiti):
    now = timezone.now()
    old = CaseFactory(service=graffiti, opened_at=now - datetime.timedelta(days=91))
    older = CaseFactory(service=graffiti, opened_at=now - datetime.timedelta(days=10))
    newer = CaseFactory(service=graffiti, opened_at=now - datetime.timedelta(days=1))
    data = api.get("requests.json").json()
    assert [r["service_request_id"] for r in data] == [newer.reference, older.reference]
    everything = api.get("requests.json", start_date="2000-01-01T00:00:00Z").json()
    assert everything[-1]["service_request_id"] == old.reference


def test_date_window(api, graffiti):
    when = datetime.datetime(2026, 3, 10, 12, 0, tzinfo=datetime.UTC)
    inside = CaseFactory(service=graffiti, opened_at=when)
    CaseFactory(service=graffiti, opened_at=when + datetime.timedelta(days=2))
    data = api.get(
        "requests.json", start_date="2026-03-10T00:00:00Z", end_date="2026-03-11T00:00:00+00:00"
    ).json()
    assert [r["service_request_id"] for r in data] == [inside.reference]


def test_unencoded_plus_in_an_offset_is_understood(api, graffiti):
    when = datetime.datetime(2026, 6, 10, 12, 0, tzinfo=datetime.UTC)
    inside = CaseFactory(service=graffiti, opened_at=when)
    response = api.http.get(
        "/open311/v2/requests.json?start_date=2026-06-10T12:30:00+01:00"
        "&end_date=2026-06-10T13:30:00+01:00"
    )
    assert [r["service_request_id"] for r in response.json()] == [inside.reference]


@pytest.mark.parametrize(
    "value",
    [
        "yesterday",
        "2026-13-01",
        "2026-02-30T00:00:00Z",
        "0001-01-01T00:00:00+05:00",
        "9999-12-31T23:59:59-05:00",
        "2026-01-01T25:00:00Z",
    ],
)
def test_bad_dates_are_400(api, value):
    answer = api.get("requests.xml", start_date=value)
    assert answer.status == 400
    assert "start_date" in answer.xml().findtext("error/description")


def test_end_before_start_is_400(api):
    answer = api.get("requests.json", start_date="2026-03-10", end_date="2026-03-01")
    assert answer.status == 400


def test_pages(api, graffiti):
    now = timezone.now()
    cases = [
        CaseFactory(service=graffiti, opened_at=now - datetime.timedelta(hours=n)) for n in range(5)
    ]
    first = api.get("requests.json", page_size="2").json()
    third = api.get("requests.json", page_size="2", page="3").json()
    beyond = api.get("requests.json", page_size="2", page="4").json()
    assert [r["service_request_id"] for r in first] == [c.reference for c in cases[:2]]
    assert [r["service_request_id"] for r in third] == [cases[4].reference]
    assert beyond == []


@pytest.mark.parametrize("value", ["0", "-1", "two", "1.5", "²"])
def test_bad_page_is_400(api, value):
    assert api.get("requests.json", page=value).status == 400
    assert api.get("requests.json", page_size=value).status == 400


def test_page_size_is_capped_at_1000(api, graffiti):
    CaseFactory(service=graffiti)
    assert len(api.get("requests.json", page_size="5000").json()) == 1


def test_the_list_takes_three_queries_however_many_requests(
    api, graffiti, address, django_assert_num_queries
):
    for _n in range(30):
        case = CaseFactory(service=graffiti, address=address)
        add_note(actor=None, case=case, text="On its way", public=True)
    client = Open311(api.key)
    # the council, the shown services, the requests with their service, team, address and
    # latest public update
    with django_assert_num_queries(4):  # council, services, the case, its latest update
        answer = client.get("requests.xml")
    assert len(answer.xml().findall("request")) == 30


def test_one_request_takes_three_queries(api, report, django_assert_num_queries):
    reference = report()
    client = Open311(api.key)
    with django_assert_num_queries(4):  # council, services, the case, its latest update
        assert client.get(f"requests/{reference}.json").status == 200


def test_the_list_query_uses_the_organisation_time_index(api, graffiti):
    from civicdesk.api.open311 import selectors

    cases = selectors.public_cases(
        organisation=graffiti.organisation,
        filters=selectors.RequestFilters(),
        now=timezone.now(),
    )[:1000]
    plan = cases.explain()
    assert "case_org_time_idx" in plan or "case_service_idx" in plan, plan


def test_xml_stays_well_formed_with_control_characters(api, graffiti):
    CaseFactory(service=graffiti, description="Bell\x07 and \x1b escape <b>&amp;</b> ünïcödé")
    answer = api.get("requests.xml")
    description = answer.xml().find("request/description").text
    assert description == "Bell and  escape <b>&amp;</b> ünïcödé"


@pytest.mark.parametrize(
    "path", ["requests/CAS%00-1.xml", "services/graf%00fiti.json", "tokens/%00.xml"]
)
def test_nul_in_the_path_is_404_not_an_error(api, path):
    assert api.get(path).status == 404
