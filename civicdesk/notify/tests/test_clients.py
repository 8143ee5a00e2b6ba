import uuid

import pytest
from django.core.exceptions import ImproperlyConfigured

from civicdesk.notify.apps import (
    CHECK_ID,
    SIMULATED_ID,
    check_messages_are_real,
    check_notify_settings,
)
from civicdesk.notify.clients import (
    LiveClient,
    NotifyError,
    SimulatorClient,
    get_client,
    is_valid_api_key,
)
from civicdesk.notify.models import MessageChannel
from civicdesk.notify.tests.factories import MessageTemplateFactory
from civicdesk.notify.tests.fake_notify import API_KEY, SERVICE_ID, FakeNotifyServer

PERSONALISATION = {"name": "Ada", "reference": "CAS-000001", "service": "Bins"}
LETTER = {
    **PERSONALISATION,
    "address_line_1": "Ada Lovelace",
    "address_line_2": "1 Acacia Avenue",
    "address_line_3": "Kingsmere",
    "address_line_4": "KM1 2AB",
}


@pytest.fixture
def fake_notify():
    with FakeNotifyServer() as fake:
        yield fake


@pytest.fixture
def live(fake_notify):
    return LiveClient(api_key=API_KEY, base_url=fake_notify.base_url)


@pytest.mark.django_db
def test_the_simulator_answers_in_notifys_shape_from_our_copy_of_the_template(council):
    template = MessageTemplateFactory(organisation=council)
    client = SimulatorClient()

    response = client.send_email(
        email_address="ada@example.org",
        template_id=str(template.notify_template_id),
        personalisation=PERSONALISATION,
        reference="our-reference",
    )

    uuid.UUID(response["id"])
    assert response["reference"] == "our-reference"
    assert response["content"] == {
        "subject": "Received CAS-000001",
        "body": "Hello Ada, we have your request CAS-000001 about Bins.",
    }
    assert response["template"] == {
        "id": str(template.notify_template_id),
        "version": 1,
        "uri": f"https://api.notifications.service.gov.uk/v2/template/{template.notify_template_id}",
    }
    assert response["uri"].endswith(f"/v2/notifications/{response['id']}")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("channel", "to", "outcome"),
    [
        ("email", "ada@example.org", "delivered"),
        ("email", "perm-fail@simulator.notify", "permanent-failure"),
        ("email", "temp-fail@simulator.notify", "temporary-failure"),
        ("sms", "07700 900123", "delivered"),
        ("sms", "07700900002", "permanent-failure"),
        ("sms", "+44 7700 900003", "temporary-failure"),
        ("letter", None, "received"),
    ],
)
def test_the_simulator_decides_outcomes_as_notifys_test_key_does(council, channel, to, outcome):
    template = MessageTemplateFactory(organisation=council, channel=channel)
    client = SimulatorClient()
    arguments = {"template_id": str(template.notify_template_id), "reference": "ref"}
    if channel == "email":
        response = client.send_email(email_address=to, personalisation=PERSONALISATION, **arguments)
    elif channel == "sms":
        response = client.send_sms(phone_number=to, personalisation=PERSONALISATION, **arguments)
    else:
        response = client.send_letter(personalisation=LETTER, **arguments)

    receipt = client.receipt(notification_id=response["id"], at="2026-11-23T12:00:00+00:00")

    assert receipt["status"] == outcome
    assert receipt["id"] == response["id"]
    assert receipt["reference"] == "ref"
    assert receipt["notification_type"] == channel
    if channel == "sms":
        assert "subject" not in response["content"]


@pytest.mark.django_db
def test_the_simulator_refuses_what_notify_refuses(council):
    template = MessageTemplateFactory(organisation=council, channel=MessageChannel.LETTER)
    client = SimulatorClient()
    template_id = str(template.notify_template_id)

    with pytest.raises(NotifyError, match="Template not found"):
        client.send_email(
            email_address="ada@example.org",
            template_id=str(uuid.uuid4()),
            personalisation=PERSONALISATION,
            reference="ref",
        )
    with pytest.raises(NotifyError, match="at least 3 lines"):
        client.send_letter(
            template_id=template_id,
            personalisation={**PERSONALISATION, "address_line_1": "Ada", "address_line_2": "KM1"},
            reference="ref",
        )
    with pytest.raises(NotifyError, match=r"Missing personalisation: \(\(service\)\)"):
        client.send_letter(
            template_id=template_id,
            personalisation={k: v for k, v in LETTER.items() if k != "service"},
            reference="ref",
        )
    with pytest.raises(NotifyError, match="landlines") as raised:
        client.send_sms(
            phone_number="01632 960123",
            template_id=template_id,
            personalisation=PERSONALISATION,
            reference="ref",
        )
    assert raised.value.status_code == 400
    assert "01632" not in raised.value.detail


@pytest.mark.django_db
def test_the_live_client_speaks_to_notify_through_the_official_client(live, fake_notify):
    template_id = str(uuid.uuid4())

    response = live.send_sms(
        phone_number="+44 7700 900123",
        template_id=template_id,
        personalisation=PERSONALISATION,
        reference="our-reference",
    )

    request = fake_notify.requests[-1]
    assert request["path"] == "/v2/notifications/sms"
    assert request["claims"]["iss"] == SERVICE_ID
    assert request["body"] == {
        "phone_number": "07700900123",
        "template_id": template_id,
        "personalisation": PERSONALISATION,
        "reference": "our-reference",
    }
    assert response["reference"] == "our-reference"
    assert response["template"]["version"] == 3


@pytest.mark.django_db
def test_the_live_client_sends_letters_with_the_address_in_the_personalisation(live, fake_notify):
    live.send_letter(template_id=str(uuid.uuid4()), personalisation=LETTER, reference="r")
    request = fake_notify.requests[-1]
    assert request["path"] == "/v2/notifications/letter"
    assert request["body"]["personalisation"]["address_line_4"] == "KM1 2AB"


def test_the_live_client_checks_letters_before_calling_notify(live, fake_notify):
    with pytest.raises(NotifyError, match="real UK postcode"):
        live.send_letter(
            template_id=str(uuid.uuid4()),
            personalisation={**LETTER, "address_line_4": "Nowhere"},
            reference="r",
        )
    assert fake_notify.requests == []


def test_notifys_refusals_become_errors_that_name_no_personal_data(live, fake_notify):
    fake_notify.answers.append(
        (
            400,
            {
                "errors": [
                    {"error": "BadRequestError", "message": "Can't send to ada@example.org"}
                ],
                "status_code": 400,
            },
        )
    )

    with pytest.raises(NotifyError) as raised:
        live.send_email(
            email_address="ada@example.org",
            template_id=str(uuid.uuid4()),
            personalisation=PERSONALISATION,
            reference="r",
        )

    assert raised.value.status_code == 400
    assert raised.value.error == "BadRequestError"
    assert "ada@example.org" not in str(raised.value)


def test_a_notify_that_cannot_be_reached_is_an_error_too(fake_notify):
    client = LiveClient(api_key=API_KEY, base_url="http://127.0.0.1:9", timeout=2)
    with pytest.raises(NotifyError) as raised:
        client.send_email(
            email_address="ada@example.org",
            template_id=str(uuid.uuid4()),
            personalisation={},
            reference="r",
        )
    assert raised.value.status_code == 503


def test_a_wrong_key_is_refused_by_notify(fake_notify):
    wrong = f"civicdesk_test-{uuid.uuid4()}-{uuid.uuid4()}"
    with pytest.raises(NotifyError) as raised:
        LiveClient(api_key=wrong, base_url=fake_notify.base_url).send_email(
            email_address="ada@example.org",
            template_id=str(uuid.uuid4()),
            personalisation={},
            reference="r",
        )
    assert (raised.value.status_code, raised.value.error) == (403, "AuthError")


def test_api_keys_have_notifys_shape():
    assert is_valid_api_key(API_KEY)
    assert is_valid_api_key(API_KEY.removeprefix("civicdesk_test-"))
    assert not is_valid_api_key("")
    assert not is_valid_api_key("not-a-key")
    assert not is_valid_api_key(API_KEY[:-1] + "x")
    assert not is_valid_api_key("name" + API_KEY.removeprefix("civicdesk_test-"))


def test_the_simulator_is_the_default(settings):
    assert isinstance(get_client(), SimulatorClient)
    # The checks themselves, not every check: others need a database.
    assert not [message for message in check_notify_settings(None) if message.id == CHECK_ID]
    deploy = [message.id for message in check_messages_are_real(None)]
    assert SIMULATED_ID in deploy  # a production server should not simulate by accident


def test_the_live_backend_refuses_to_start_without_a_key(settings):
    settings.CIVICDESK_NOTIFY_BACKEND = "live"

    with pytest.raises(ImproperlyConfigured, match="CIVICDESK_NOTIFY_API_KEY is not set"):
        get_client()
    assert [message.id for message in check_notify_settings(None)] == [CHECK_ID]

    settings.CIVICDESK_NOTIFY_API_KEY = "my-key"
    with pytest.raises(ImproperlyConfigured, match="not a Notify API key"):
        get_client()
    with pytest.raises(ImproperlyConfigured):
        LiveClient(api_key="", base_url="https://example.org")

    settings.CIVICDESK_NOTIFY_API_KEY = API_KEY
    assert isinstance(get_client(), LiveClient)


def test_an_unknown_backend_is_refused(settings):
    settings.CIVICDESK_NOTIFY_BACKEND = "carrier-pigeon"
    with pytest.raises(ImproperlyConfigured, match="'simulator' or 'live'"):
        get_client()
