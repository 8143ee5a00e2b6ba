import io
import json
import logging
import re
import sys

import pytest

from civicdesk.monitoring.logs import (
    JsonFormatter,
    RedactPersonalData,
    RequestContextFilter,
    redact,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def log_lines():
    """What the console handler of settings.LOGGING writes for the access and Django's request
    loggers, one parsed line per record."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestContextFilter())
    handler.addFilter(RedactPersonalData())
    handler.setFormatter(JsonFormatter())
    loggers = [logging.getLogger(name) for name in ("civicdesk.access", "django.request")]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        for logger in loggers:
            logger.removeHandler(handler)


def test_the_access_line_names_the_route_and_holds_no_personal_data(
    client, agent, council, log_lines
):
    client.force_login(agent)
    response = client.get(
        "/staff/customers/CUS-0000123X/?email=ada.lovelace@example.com&phone=07700900123",
        HTTP_X_REQUEST_ID="lb-7f3a9c2e41d8",
    )
    assert response.status_code == 404
    assert response["X-Request-ID"] == "lb-7f3a9c2e41d8"
    lines = log_lines()
    (access,) = [line for line in lines if line["logger"] == "civicdesk.access"]
    assert re.fullmatch(r"GET console:customer 404 \d+ms", access["message"])
    assert access == {
        "time": access["time"],
        "level": "INFO",
        "logger": "civicdesk.access",
        "message": access["message"],
        "request_id": "lb-7f3a9c2e41d8",
        "route": "console:customer",
        "status": 404,
        "duration_ms": access["duration_ms"],
        "user_id": agent.pk,
        "organisation_id": council.pk,
    }
    # Django's own "Not Found: <path>" warning is named by the route too.
    (refusal,) = [line for line in lines if line["logger"] == "django.request"]
    assert refusal["message"] == "Not Found: console:customer"
    assert refusal["request_id"] == "lb-7f3a9c2e41d8"
    written = json.dumps(lines)
    for personal in ("CUS-0000123X", "ada.lovelace", "example.com", "07700900123", "?"):
        assert personal not in written


def test_an_unmatched_path_is_not_logged(client, log_lines):
    client.get("/nowhere/ada.lovelace@example.com/SW1A1AA/")
    written = json.dumps(log_lines())
    assert "nowhere" not in written
    assert "unmatched" in written
    assert "ada.lovelace" not in written


@pytest.mark.parametrize("given", ["", "short", "has spaces", "a" * 200, "<script>x</script>"])
def test_a_request_id_that_is_not_a_sane_token_is_replaced(client, log_lines, given):
    response = client.get("/health/", HTTP_X_REQUEST_ID=given)
    request_id = response["X-Request-ID"]
    assert request_id != given
    assert len(request_id) == 32
    (access,) = log_lines()
    assert access["request_id"] == request_id


def test_anonymous_requests_log_no_user(client, log_lines):
    client.get("/health/")
    (access,) = log_lines()
    assert "user_id" not in access
    assert "organisation_id" not in access


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sent to ada.lovelace+bins@example.co.uk today", "Sent to [email] today"),
        ("Call 07700 900123 or 07700900123.", "Call [phone] or [phone]."),
        ("Office: +44 (0)20 7946 0018", "Office: [phone]"),
        ("Office: +44 20 7946 0018, fax 0044 161 496 0000", "Office: [phone], fax [phone]"),
        ("Ring (0161) 496 0000 or 01632-960-001", "Ring [phone] or [phone]"),
        (
            "Lives at SW1A 1AA, once m1 1ae, b33 8th and CR2 6XH",
            "Lives at [postcode], once [postcode], [postcode] and [postcode]",
        ),
        ("At EC1A1BB and W1A 0AX", "At [postcode] and [postcode]"),
    ],
)
def test_redaction_replaces_emails_phone_numbers_and_postcodes(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Case CAS-00001234567K raised",
        "Reference CUS-0000123X",
        "Rollups: 12 days recomputed in 1.5 s",
        "Started 2026-01-05 09:30:00 for 0.250 s",
        "Task 3f2b9c1e-8a7d-4e21-9b0c-5d6e7f8a9b0c finished",
        "UPRN 100023336956 has 3 cases",
        "Opened 12/01/2026",
    ],
)
def test_redaction_leaves_ordinary_log_text_alone(text):
    assert redact(text) == text


def test_the_filter_redacts_arguments_and_tracebacks():
    record = logging.LogRecord(
        "civicdesk.notify", logging.ERROR, __file__, 1, "Could not send to %s", ("a@b.org",), None
    )
    try:
        raise ValueError("No customer with phone 07700 900123")
    except ValueError:
        record.exc_info = sys.exc_info()
    assert RedactPersonalData().filter(record)
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "Could not send to [email]"
    assert "07700 900123" not in line["exception"]
    assert "No customer with phone [phone]" in line["exception"]


def test_the_formatter_writes_one_line_of_json_per_record():
    record = logging.LogRecord(
        "civicdesk.insight", logging.WARNING, __file__, 1, "Two\nlines", (), None
    )
    formatted = JsonFormatter().format(record)
    assert "\n" not in formatted
    line = json.loads(formatted)
    assert list(line) == ["time", "level", "logger", "message"]
    assert line["time"].endswith("+00:00")
    assert (line["level"], line["logger"], line["message"]) == (
        "WARNING",
        "civicdesk.insight",
        "Two\nlines",
    )


def test_a_malformed_logging_call_is_left_to_the_handler_to_report():
    record = logging.LogRecord("civicdesk", logging.INFO, __file__, 1, "%s and %s", ("one",), None)
    assert RedactPersonalData().filter(record)
    assert record.args == ("one",)
