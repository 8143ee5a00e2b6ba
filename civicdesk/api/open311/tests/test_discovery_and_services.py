"""Discovery, the service list and service definitions, and the errors around them."""

import pytest

from civicdesk.api.open311.tests.conftest import Open311
from civicdesk.catalogue.models import ServiceQuestion
from civicdesk.organisations.tests.factories import OrganisationFactory

FORMATS = ["xml", "json"]


def test_discovery_xml(api):
    answer = api.get("discovery.xml")
    assert answer.status == 200
    assert answer.headers["Content-Type"] == "text/xml; charset=utf-8"
    root = answer.xml()
    assert root.tag == "discovery"
    endpoint = root.find("endpoints/endpoint")
    assert endpoint.findtext("specification") == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint.findtext("url") == "http://testserver/open311/v2/"
    assert endpoint.findtext("type") == "production"
    formats = [element.text for element in endpoint.findall("formats/format")]
    assert formats == ["text/xml", "application/json"]
    assert root.findtext("changeset")
    assert "Kingsmere Borough Council" in root.findtext("contact")


def test_discovery_json(api):
    answer = api.get("discovery.json")
    assert answer.headers["Content-Type"] == "application/json; charset=utf-8"
    data = answer.json()
    assert data["endpoints"][0]["formats"] == ["text/xml", "application/json"]
    assert data["key_service"]


def test_services_xml_lists_open311_services(api, hidden_services):
    root = api.get("services.xml").xml()
    assert root.tag == "services"
    codes = [service.findtext("service_code") for service in root.findall("service")]
    assert codes == ["flytipping", "graffiti"]
    flytipping = root.find("service")
    assert flytipping.findtext("service_name") == "Fly-tipping"
    assert flytipping.findtext("description") == "Rubbish dumped in the street"
    assert flytipping.findtext("metadata") == "true"
    assert flytipping.findtext("type") == "realtime"
    assert flytipping.findtext("keywords") == "rubbish,dumping"
    assert flytipping.findtext("group") == "Streets"
    assert root.findall("service")[1].findtext("metadata") == "false"


def test_services_json(api, hidden_services):
    data = api.get("services.json").json()
    assert [service["service_code"] for service in data] == ["flytipping", "graffiti"]
    assert data[0]["metadata"] is True
    assert data[1]["metadata"] is False
    assert set(data[0]) == {
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    }


def test_service_with_only_withdrawn_questions_has_no_metadata(api, graffiti):
    ServiceQuestion.objects.create(service=graffiti, code="old", prompt="Old", is_active=False)
    data = api.get("services.json").json()
    assert {s["service_code"]: s["metadata"] for s in data}["graffiti"] is False


def test_service_definition_xml(api):
    root = api.get("services/flytipping.xml").xml()
    assert root.tag == "service_definition"
    assert root.findtext("service_code") == "flytipping"
    attributes = root.findall("attributes/attribute")
    assert [a.findtext("code") for a in attributes] == ["what", "size", "count"]
    what = attributes[0]
    assert what.findtext("variable") == "true"
    assert what.findtext("datatype") == "multivaluelist"
    assert what.findtext("required") == "true"
    assert what.findtext("datatype_description") == "Choose everything you can see"
    assert what.findtext("order") == "1"
    assert what.findtext("description") == "What has been dumped?"
    values = [(v.findtext("key"), v.findtext("name")) for v in what.findall("values/value")]
    assert values == [("bags", "Black bags"), ("sofa", "Furniture")]
    assert attributes[2].findtext("datatype") == "number"
    assert attributes[2].findall("values/value") == []


def test_service_definition_json(api):
    data = api.get("services/flytipping.json").json()
    assert data["service_code"] == "flytipping"
    size = data["attributes"][1]
    assert size == {
        "variable": True,
        "code": "size",
        "datatype": "singlevaluelist",
        "required": False,
        "datatype_description": "",
        "order": 2,
        "description": "How big is it?",
        "values": [{"key": "small", "name": "A car boot"}, {"key": "large", "name": "A van"}],
    }


def test_service_definition_leaves_out_withdrawn_questions(api, flytipping):
    flytipping.questions.filter(code="size").update(is_active=False)
    data = api.get("services/flytipping.json").json()
    assert [a["code"] for a in data["attributes"]] == ["what", "count"]
    assert [a["order"] for a in data["attributes"]] == [1, 2]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("code", ["nonsense", "info", "private", "withdrawn"])
def test_unknown_or_hidden_service_definition_is_404(api, hidden_services, fmt, code):
    answer = api.get(f"services/{code}.{fmt}")
    assert answer.status == 404
    if fmt == "xml":
        error = answer.xml().find("error")
        assert answer.xml().tag == "errors"
        assert error.findtext("code") == "404"
        assert error.findtext("description")
    else:
        [error] = answer.json()
        assert error["code"] == 404
        assert error["description"]


@pytest.mark.parametrize(
    "path", ["services.csv", "discovery.html", "requests.yaml", "requests/x.txt"]
)
def test_unknown_format_is_404_in_xml(api, path):
    answer = api.get(path)
    assert answer.status == 404
    assert answer.xml().find("error/code").text == "404"


@pytest.mark.parametrize("path", ["services", "nothing.xml", "requests/", "a/b/c"])
def test_unknown_path_is_404(api, path):
    answer = api.get(path)
    assert answer.status == 404
    assert answer.xml().tag == "errors"


@pytest.mark.parametrize(
    "path", ["discovery.xml", "services.json", "services/graffiti.xml", "tokens/x.json"]
)
def test_posting_to_a_read_only_resource_is_405(api, path):
    answer = api.post(path, {})
    assert answer.status == 405
    assert "GET" in answer.headers["Allow"]
    assert answer.xml().find("error/code").text == "405" if path.endswith("xml") else True


@pytest.mark.parametrize("fmt", FORMATS)
def test_put_on_requests_is_405(api, fmt):
    response = api.http.put(f"/open311/v2/requests.{fmt}")
    assert response.status_code == 405
    assert response["Allow"] == "GET, POST, HEAD"


def test_jurisdiction_is_optional_with_one_council(api):
    assert api.get("services.json").status == 200
    assert api.get("services.json", jurisdiction_id="kingsmere").status == 200
    assert api.get("services.json", jurisdiction_id="").status == 200


def test_unknown_jurisdiction_is_404(api):
    answer = api.get("services.json", jurisdiction_id="elsewhere")
    assert answer.status == 404


def test_jurisdiction_needed_with_several_councils(api):
    OrganisationFactory(slug="westford", name="Westford District Council")
    answer = api.get("services.xml")
    assert answer.status == 400
    assert "jurisdiction_id" in answer.xml().findtext("error/description")
    westford = api.get("services.json", jurisdiction_id="westford").json()
    assert westford == []
    assert len(api.get("services.json", jurisdiction_id="kingsmere").json()) == 2


def test_a_key_for_one_council_cannot_be_used_for_another(api):
    OrganisationFactory(slug="westford", name="Westford District Council")
    answer = api.get("services.json", api_key=api.key, jurisdiction_id="westford")
    assert answer.status == 403


def test_a_bad_key_on_a_get_is_403(api):
    assert api.get("services.json", api_key="wrong").status == 403


def test_head_is_allowed_where_get_is(api):
    response = api.http.head("/open311/v2/services.xml")
    assert response.status_code == 200


def test_services_query_count(api, django_assert_num_queries):
    with django_assert_num_queries(2):  # the council, the services with their metadata flag
        assert Open311(api.key).get("services.json").status == 200
