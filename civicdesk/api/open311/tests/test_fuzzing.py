"""Whatever a client sends, the answer is a well-formed response in the spec's shape, and a
refusal is the spec's error list: never a server error."""

import json
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from civicdesk.api.open311.models import Open311Client
from civicdesk.api.open311.tests.conftest import BASE
from civicdesk.api.tests.fuzzing import fuzz_settings

NAMES = [
    "service_code",
    "lat",
    "long",
    "address_string",
    "address_id",
    "description",
    "email",
    "first_name",
    "last_name",
    "phone",
    "media_url",
    "device_id",
    "account_id",
    "jurisdiction_id",
    "attribute[what]",
    "attribute[what][]",
    "attribute[size]",
    "attribute[count]",
    "attribute[]",
    "attribute[[x]]",
    "status",
    "update_id",
    "service_request_id",
    "updated_datetime",
    "start_date",
    "end_date",
    "page",
    "page_size",
]
VALUES = st.one_of(
    st.text(max_size=60),
    st.sampled_from(
        [
            "graffiti",
            "flytipping",
            "bags",
            "sofa",
            "51.5",
            "-0.1",
            "nan",
            "1e999",
            "1e5000",
            "9e999999999",
            "990000000001",
            "2026-11-23T10:00:00Z",
            "0",
            "-1",
            "OPEN",
            "FIXED",
            "a@example.com",
            "https://example.com/x.jpg",
            "kingsmere",
            "CAS-0000001",
            "\x00",
            "\ud800",
            "x" * 5000,
        ]
    ),
)
FIELDS = st.dictionaries(
    st.one_of(st.sampled_from(NAMES), st.text(max_size=20)),
    st.one_of(VALUES, st.lists(VALUES, max_size=3)),
    max_size=12,
)
SETTINGS = fuzz_settings(60)


@pytest.fixture(autouse=True)
def _no_rate_limit(api):
    Open311Client.objects.update(rate_limit_per_minute=1_000_000)


@pytest.fixture
def reference(report) -> str:
    return report()


def well_formed(response, fmt: str) -> None:
    status = response.status_code
    assert status < 500, response.content
    if fmt == "xml":
        assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
        root = ET.fromstring(response.content)
        if status >= 400:
            assert root.tag == "errors", response.content
            errors = [
                {"code": int(error.findtext("code")), "description": error.findtext("description")}
                for error in root
            ]
    else:
        errors = json.loads(response.content)
    if status >= 400:
        assert errors, response.content
        for error in errors:
            assert error["code"] == status and error["description"].strip(), response.content


def clean(fields: dict) -> dict:
    """The test client encodes with UTF-8 strictly; send what a browser would."""

    def fix(value):
        if isinstance(value, list):
            return [fix(item) for item in value]
        return value.encode("utf-8", "replace").decode("utf-8")

    return {fix(key): fix(value) for key, value in fields.items()}


@SETTINGS
@given(fields=FIELDS, fmt=st.sampled_from(["xml", "json"]), keyed=st.booleans())
def test_post_requests_never_fails(api, fields, fmt, keyed):
    data = clean(fields)
    if keyed:
        data["api_key"] = api.key
    well_formed(api.http.post(f"{BASE}requests.{fmt}", data), fmt)


@SETTINGS
@given(fields=FIELDS, fmt=st.sampled_from(["xml", "json"]))
def test_post_updates_never_fails(api, reference, fields, fmt):
    data = {**clean(fields), "api_key": api.key}
    data.setdefault("service_request_id", reference)
    well_formed(api.http.post(f"{BASE}servicerequestupdates.{fmt}", data), fmt)


@SETTINGS
@given(
    fields=FIELDS,
    fmt=st.sampled_from(["xml", "json"]),
    path=st.sampled_from(
        [
            "requests",
            "services",
            "servicerequestupdates",
            "discovery",
            "services/flytipping",
            "requests/CAS-0000001",
            "tokens/abc",
        ]
    ),
)
def test_gets_never_fail(api, fields, fmt, path):
    data = clean(fields)
    data.pop("api_key", None)
    well_formed(api.http.get(f"{BASE}{path}.{fmt}", data), fmt)


@SETTINGS
@given(path=st.text(max_size=40))
def test_any_path_never_fails(api, path):
    response = api.http.get(BASE + path.encode("utf-8", "replace").decode("utf-8"))
    assert response.status_code < 500
