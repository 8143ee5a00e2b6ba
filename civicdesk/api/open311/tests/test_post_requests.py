"""POST requests: creating a case through the intake, and every way a request can be refused."""

import pytest

from civicdesk.api.open311.models import Open311Client
from civicdesk.cases.models import Case
from civicdesk.catalogue.models import Channel
from civicdesk.contacts.models import Contact
from civicdesk.organisations.tests.factories import OrganisationFactory
from civicdesk.places.tests.factories import AddressFactory

FORMATS = ["xml", "json"]
GRAFFITI = {
    "service_code": "graffiti",
    "lat": "51.5",
    "long": "-0.1",
    "description": "Tags on the bus shelter",
}


def errors(answer, fmt="xml") -> list[str]:
    if fmt == "json":
        return [error["description"] for error in answer.json()]
    return [error.findtext("description") for error in answer.xml().findall("error")]


@pytest.mark.parametrize("fmt", FORMATS)
def test_post_creates_a_case(api, fmt):
    answer = api.post(f"requests.{fmt}", {**GRAFFITI, "account_id": "acc-7"})
    assert answer.status == 200
    if fmt == "xml":
        root = answer.xml()
        assert root.tag == "service_requests"
        request = root.find("request")
        reference = request.findtext("service_request_id")
        assert request.findtext("account_id") == "acc-7"
        assert request.findtext("service_notice").startswith("We aim to deal with this by")
    else:
        [request] = answer.json()
        reference = request["service_request_id"]
        assert request["account_id"] == "acc-7"
        assert "token" not in request
    case = Case.objects.get(reference=reference)
    assert case.service.slug == "graffiti"
    assert case.channel == Channel.API
    assert case.description == "Tags on the bus shelter"
    assert (case.latitude, case.longitude) == (51.5, -0.1)
    assert case.customer is None
    assert case.raised_by is None
    contact = case.source_contact
    assert contact.channel == Channel.API
    assert contact.notes == "Open311: FixMyStreet"
    assert contact.agent is None


def test_reporter_details_find_or_register_the_customer(api, report):
    reference = report(
        email="ann@example.com", first_name="Ann", last_name="Other", phone="01234 567890"
    )
    case = Case.objects.get(reference=reference)
    assert case.customer.surname == "Other"
    assert case.customer.email == "ann@example.com"


def test_anonymous_report_where_the_service_does_not_allow_it(api, named_only):
    answer = api.post("requests.xml", {**GRAFFITI, "service_code": "noise"})
    assert answer.status == 400
    assert any(message.startswith("email:") for message in errors(answer))
    assert not Case.objects.exists()


def test_named_report_where_the_service_needs_it(api, named_only, report):
    reference = report(
        service_code="noise", email="b@example.com", first_name="Bo", last_name="Smith"
    )
    assert Case.objects.get(reference=reference).customer.surname == "Smith"


def test_named_report_without_a_first_name_is_400(api, named_only):
    answer = api.post(
        "requests.xml",
        {**GRAFFITI, "service_code": "noise", "email": "b@example.com", "last_name": "Smith"},
    )
    assert answer.status == 400
    assert errors(answer)[0].startswith("first_name:")


@pytest.mark.parametrize("fmt", FORMATS)
def test_missing_api_key_is_403(api, fmt):
    answer = api.post(f"requests.{fmt}", GRAFFITI, key=False)
    assert answer.status == 403
    assert "api_key" in errors(answer, fmt)[0]


@pytest.mark.parametrize("fmt", FORMATS)
def test_wrong_api_key_is_403(api, fmt):
    answer = api.post(f"requests.{fmt}", {**GRAFFITI, "api_key": "not-a-key"})
    assert answer.status == 403
    assert errors(answer, fmt) == ["The api_key is not valid."]


def test_inactive_client_is_403(api):
    Open311Client.objects.update(is_active=False)
    assert api.post("requests.xml", GRAFFITI).status == 403


def test_api_key_in_the_query_string_is_not_enough_for_a_post(api):
    response = api.http.post(f"/open311/v2/requests.xml?api_key={api.key}", GRAFFITI)
    assert response.status_code == 403


def test_jurisdiction_mismatch_is_403(api):
    OrganisationFactory(slug="westford", name="Westford District Council")
    answer = api.post("requests.xml", {**GRAFFITI, "jurisdiction_id": "westford"})
    assert answer.status == 403


def test_matching_jurisdiction_is_accepted(api):
    answer = api.post("requests.json", {**GRAFFITI, "jurisdiction_id": "kingsmere"})
    assert answer.status == 200


def test_missing_service_code_is_400(api):
    answer = api.post("requests.xml", {**GRAFFITI, "service_code": ""})
    assert answer.status == 400
    assert errors(answer) == ["Give the service_code."]


@pytest.mark.parametrize("code", ["nonsense", "info", "private", "withdrawn"])
def test_unknown_or_hidden_service_code_is_404(api, hidden_services, code):
    answer = api.post("requests.json", {**GRAFFITI, "service_code": code})
    assert answer.status == 404
    assert answer.json()[0]["code"] == 404


def test_address_string_is_the_location(api, report):
    reference = report(lat="", long="", address_string="Outside 4 Elm Road")
    case = Case.objects.get(reference=reference)
    assert case.location_description == "Outside 4 Elm Road"
    assert case.latitude is None


def test_address_id_is_a_uprn(api, report, address):
    reference = report(lat="", long="", address_id=str(address.uprn))
    case = Case.objects.get(reference=reference)
    assert case.address == address
    assert case.ward == address.ward


def test_unknown_uprn_is_400(api):
    answer = api.post("requests.xml", {**GRAFFITI, "lat": "", "long": "", "address_id": "123"})
    assert answer.status == 400
    assert "address_id" in errors(answer)[0]


@pytest.mark.parametrize("uprn", ["abc", "-5", "1" * 40, "1.5"])
def test_malformed_uprn_is_400(api, uprn):
    answer = api.post("requests.xml", {**GRAFFITI, "address_id": uprn})
    assert answer.status == 400


def test_uprn_outside_the_council_is_400(api):
    elsewhere = AddressFactory(organisation=OrganisationFactory(slug="westford"))
    answer = api.post("requests.xml", {**GRAFFITI, "address_id": str(elsewhere.uprn)})
    assert answer.status == 400
    assert "outside" in errors(answer)[0]


def test_no_location_for_a_problem_is_400(api):
    answer = api.post("requests.xml", {**GRAFFITI, "lat": "", "long": ""})
    assert answer.status == 400
    assert errors(answer)[0].startswith("lat/long, address_string or address_id:")


@pytest.mark.parametrize(
    ("lat", "long"),
    [
        ("51.5", ""),
        ("", "-0.1"),
        ("north", "-0.1"),
        ("91", "0"),
        ("0", "181"),
        ("nan", "0"),
        ("inf", "0"),
        ("1e400", "0"),
    ],
)
def test_bad_coordinates_are_400(api, lat, long):
    answer = api.post("requests.xml", {**GRAFFITI, "lat": lat, "long": long})
    assert answer.status == 400
    assert not Case.objects.exists()


def test_address_string_over_300_characters_is_400(api):
    answer = api.post("requests.xml", {**GRAFFITI, "address_string": "x" * 301})
    assert answer.status == 400


def test_description_of_4000_characters_is_accepted(api, report):
    reference = report(description="a" * 4000)
    assert len(Case.objects.get(reference=reference).description) == 4000


@pytest.mark.parametrize("fmt", FORMATS)
def test_description_over_4000_characters_is_400(api, fmt):
    answer = api.post(f"requests.{fmt}", {**GRAFFITI, "description": "a" * 4001})
    assert answer.status == 400
    assert errors(answer, fmt) == [
        "description: The description must be 4,000 characters or fewer."
    ]


def test_empty_description_is_400(api):
    answer = api.post("requests.xml", {**GRAFFITI, "description": "  "})
    assert answer.status == 400
    assert errors(answer)[0].startswith("description:")


def test_single_and_multiple_value_attributes(api, report):
    reference = report(
        service_code="flytipping",
        **{
            "attribute[what][]": ["bags", "sofa"],
            "attribute[size]": "large",
            "attribute[count]": "3",
            "attribute[unasked]": "ignored",
        },
    )
    case = Case.objects.get(reference=reference)
    assert case.attributes == {"what": ["bags", "sofa"], "size": "large", "count": 3}


def test_multivaluelist_with_one_value_without_brackets(api, report):
    reference = report(service_code="flytipping", **{"attribute[what]": "bags"})
    assert Case.objects.get(reference=reference).attributes == {"what": ["bags"]}


def test_required_attribute_missing_is_400(api):
    answer = api.post("requests.xml", {**GRAFFITI, "service_code": "flytipping"})
    assert answer.status == 400
    assert errors(answer) == ["attribute[what]: Select an answer for “What has been dumped?”."]


@pytest.mark.parametrize(
    "fields",
    [
        {"attribute[what][]": ["bags", "piano"]},
        {"attribute[what]": "bags", "attribute[size][]": ["small", "large"]},
        {"attribute[what]": "bags", "attribute[size]": "huge"},
        {"attribute[what]": "bags", "attribute[count]": "lots"},
    ],
)
def test_wrong_attribute_values_are_400(api, fields):
    answer = api.post("requests.json", {**GRAFFITI, "service_code": "flytipping", **fields})
    assert answer.status == 400
    assert all(error["description"].startswith("attribute[") for error in answer.json())


def test_media_url_is_kept(api, report):
    reference = report(media_url="https://example.com/photo.jpg")
    assert Case.objects.get(reference=reference).media_url == "https://example.com/photo.jpg"


@pytest.mark.parametrize("url", ["javascript:alert(1)", "not a url", "ftp://example.com/x"])
def test_bad_media_url_is_400(api, url):
    answer = api.post("requests.xml", {**GRAFFITI, "media_url": url})
    assert answer.status == 400
    assert errors(answer)[0].startswith("media_url:")


@pytest.mark.parametrize(
    ("field", "length"),
    [
        ("first_name", 101),
        ("last_name", 101),
        ("email", 255),
        ("phone", 31),
        ("media_url", 501),
        ("account_id", 201),
        ("device_id", 201),
    ],
)
def test_over_long_fields_are_400(api, field, length):
    answer = api.post("requests.xml", {**GRAFFITI, field: "a" * length})
    assert answer.status == 400
    assert not Case.objects.exists()


def test_bad_email_is_400(api):
    answer = api.post(
        "requests.xml", {**GRAFFITI, "email": "nope", "first_name": "Jo", "last_name": "Smith"}
    )
    assert answer.status == 400
    assert errors(answer)[0].startswith("email:")


def test_name_without_surname_is_400(api):
    answer = api.post("requests.xml", {**GRAFFITI, "email": "a@example.com", "first_name": "Jo"})
    assert answer.status == 400
    assert errors(answer)[0].startswith("last_name:")


def test_several_errors_are_all_reported(api):
    answer = api.post("requests.json", {**GRAFFITI, "description": "", "media_url": "x"})
    assert answer.status == 400
    assert len(answer.json()) == 2


def test_nul_characters_are_dropped(api, report):
    reference = report(description="Tags\x00 on the wall")
    assert Case.objects.get(reference=reference).description == "Tags on the wall"


def test_post_writes_one_contact_and_one_case(api, report):
    report()
    assert Contact.objects.count() == 1
    assert Case.objects.count() == 1


def test_json_body_is_not_form_encoded_and_is_refused(api):
    response = api.http.post(
        "/open311/v2/requests.json", data='{"api_key": "x"}', content_type="application/json"
    )
    assert response.status_code == 403
