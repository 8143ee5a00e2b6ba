"""Bad input the fuzzers found answered with a server error, now refused in the spec's error
format."""

from typing import Any

import pytest

from civicdesk.api.open311.tests.conftest import Open311


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("count", ["1e5000", "9e999999999"])
def test_a_number_attribute_too_big_to_keep_is_refused(api: Open311, fmt: str, count: str):
    """Kept as a whole number, 1e5000 had 5,001 digits, which JSON cannot write (a 500), and
    9e999999999 would have taken the worker minutes to work out."""
    answer = api.post(
        f"requests.{fmt}",
        {
            "service_code": "flytipping",
            "lat": "51.5",
            "long": "-0.1",
            "description": "Sofas on the verge",
            "attribute[what][]": "sofa",
            "attribute[count]": count,
        },
    )
    assert answer.status == 400, answer.body
    message = "attribute[count]: “How many items?” must be a smaller number."
    if fmt == "json":
        assert answer.json() == [{"code": 400, "description": message}]
    else:
        errors: Any = answer.xml()
        assert [error.findtext("description") for error in errors] == [message]
