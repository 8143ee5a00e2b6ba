"""API keys (admin, command, demo), rate limiting, and idempotent retries of POST requests."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from civicdesk.api.key_guessing import MAX_BAD_KEYS_PER_ADDRESS
from civicdesk.api.open311.demo import install_demo_client
from civicdesk.api.open311.models import Open311Client, RateCounter, hash_key
from civicdesk.api.open311.services import client_for_key, count_call, issue_client
from civicdesk.api.open311.tests.conftest import Open311
from civicdesk.cases.models import Case
from civicdesk.organisations.models import Role
from civicdesk.organisations.tests.factories import MembershipFactory, OrganisationFactory

GRAFFITI = {
    "service_code": "graffiti",
    "lat": "51.5",
    "long": "-0.1",
    "description": "Tags on the bus shelter",
}


def reference_of(answer) -> str:
    assert answer.status == 200, answer.body
    return answer.json()[0]["service_request_id"]


# Keys


def test_only_a_hash_of_the_key_is_kept(council):
    client, key = issue_client(actor=None, organisation=council, name="App")
    assert client.key_hash == hash_key(key) != key
    assert client.key_prefix == key[:8]
    assert key not in str(Open311Client.objects.values().get())
    assert client_for_key(key) == client
    assert client_for_key(key + "x") is None
    assert client_for_key("") is None


def test_command_prints_a_working_key(api, council):
    out, err = io.StringIO(), io.StringIO()
    call_command("open311_client", "Council app", stdout=out, stderr=err)
    key = out.getvalue().strip()
    client = Open311Client.objects.get(name="Council app")
    assert client.organisation == council
    assert client_for_key(key) == client
    assert reference_of(Open311(key).post("requests.json", GRAFFITI))


def test_command_with_an_organisation_and_a_limit(council):
    OrganisationFactory(slug="westford", name="Westford District Council")
    out = io.StringIO()
    call_command(
        "open311_client",
        "App",
        "--organisation",
        "westford",
        "--rate-limit",
        "5",
        stdout=out,
        stderr=io.StringIO(),
    )
    client = Open311Client.objects.get()
    assert (client.organisation.slug, client.rate_limit_per_minute) == ("westford", 5)


def test_command_needs_the_organisation_when_there_are_several(council):
    OrganisationFactory(slug="westford", name="Westford District Council")
    with pytest.raises(CommandError, match="--organisation"):
        call_command("open311_client", "App", stdout=io.StringIO(), stderr=io.StringIO())


def test_command_refuses_an_unknown_organisation(council):
    with pytest.raises(CommandError, match="no council"):
        call_command(
            "open311_client",
            "App",
            "--organisation",
            "nowhere",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )


def test_admin_shows_the_key_once(client, council):
    admin = MembershipFactory(team__organisation=council, role=Role.AGENT).user
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    response = client.post(
        "/admin/open311/open311client/add/",
        {
            "organisation": council.pk,
            "name": "FixMyStreet",
            "is_active": "on",
            "rate_limit_per_minute": "60",
        },
        follow=True,
    )
    assert response.status_code == 200
    [message] = [str(m) for m in response.context["messages"] if "API key" in str(m)]
    key = message.split("is ")[1].split(" ")[0]
    saved = Open311Client.objects.get()
    assert client_for_key(key) == saved
    listing = client.get("/admin/open311/open311client/")
    assert key not in listing.content.decode()
    assert saved.key_prefix in listing.content.decode()


def test_demo_client(council, graffiti):
    key = install_demo_client(council)
    assert install_demo_client(council) == key
    assert Open311Client.objects.count() == 1
    assert reference_of(Open311(key).post("requests.json", GRAFFITI))


# Rate limiting


def test_calls_over_the_limit_get_429_with_retry_after(api):
    Open311Client.objects.update(rate_limit_per_minute=3)
    answers = [api.get("services.json", api_key=api.key) for _n in range(4)]
    assert [a.status for a in answers] == [200, 200, 200, 429]
    limited = answers[-1]
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert limited.json()[0]["code"] == 429


def test_posts_count_too_and_429_is_in_xml(api):
    Open311Client.objects.update(rate_limit_per_minute=1)
    assert api.post("requests.xml", GRAFFITI).status == 200
    limited = api.post("requests.xml", {**GRAFFITI, "description": "Another"})
    assert limited.status == 429
    assert limited.xml().find("error/code").text == "429"
    assert Case.objects.count() == 1


def test_the_limit_resets_each_minute(api, time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 23, 10, 0, 30, tzinfo=datetime.UTC))
    Open311Client.objects.update(rate_limit_per_minute=1)
    assert api.get("services.json", api_key=api.key).status == 200
    assert api.get("services.json", api_key=api.key).status == 429
    time_machine.move_to(datetime.datetime(2026, 11, 23, 10, 1, 1, tzinfo=datetime.UTC))
    assert api.get("services.json", api_key=api.key).status == 200
    assert RateCounter.objects.count() == 1  # the old minute was cleared


def test_the_count_is_kept_in_the_database(council):
    client, _key = issue_client(
        actor=None, organisation=council, name="App", rate_limit_per_minute=2
    )
    now = timezone.now()
    checks = [count_call(client=client, now=now) for _n in range(3)]
    assert [check.allowed for check in checks] == [True, True, False]
    assert RateCounter.objects.get().count == 3
    client.refresh_from_db()
    assert client.last_used_at == now


def test_clients_have_their_own_limits(api, council):
    Open311Client.objects.update(rate_limit_per_minute=1)
    _other, other_key = issue_client(actor=None, organisation=council, name="Other")
    assert api.get("services.json", api_key=api.key).status == 200
    assert api.get("services.json", api_key=api.key).status == 429
    assert api.get("services.json", api_key=other_key).status == 200


def test_calls_without_a_key_are_not_counted(api):
    Open311Client.objects.update(rate_limit_per_minute=1)
    assert [api.get("services.json").status for _n in range(3)] == [200, 200, 200]


# Idempotent retries


def test_same_idempotency_key_returns_the_first_request(api):
    first = reference_of(api.post("requests.json", GRAFFITI, Idempotency_Key="abc-1"))
    again = reference_of(api.post("requests.json", GRAFFITI, Idempotency_Key="abc-1"))
    other = reference_of(api.post("requests.json", GRAFFITI, Idempotency_Key="abc-2"))
    assert first == again != other
    assert Case.objects.count() == 2


def test_an_idempotency_key_sent_again_with_another_request_is_refused(api):
    """Answering with the first request would lose the second without a word."""
    reference_of(api.post("requests.json", GRAFFITI, Idempotency_Key="abc-1"))

    changed = {**GRAFFITI, "description": "Changed"}
    refused = api.post("requests.json", changed, Idempotency_Key="abc-1")

    assert refused.status == 400
    assert refused.json() == [
        {
            "code": 400,
            "description": "This Idempotency-Key was sent before with a different request: "
            "send a new key with each new request.",
        }
    ]
    assert Case.objects.count() == 1


def test_same_content_within_ten_minutes_returns_the_first_request(api, time_machine):
    time_machine.move_to(timezone.now())
    first = reference_of(api.post("requests.json", GRAFFITI))
    time_machine.shift(datetime.timedelta(minutes=9))
    assert reference_of(api.post("requests.json", GRAFFITI)) == first
    assert Case.objects.count() == 1


def test_same_content_after_ten_minutes_is_a_new_request(api, time_machine):
    time_machine.move_to(timezone.now())
    first = reference_of(api.post("requests.json", GRAFFITI))
    time_machine.shift(datetime.timedelta(minutes=11))
    assert reference_of(api.post("requests.json", GRAFFITI)) != first


def test_different_content_is_a_new_request(api):
    first = reference_of(api.post("requests.json", GRAFFITI))
    second = reference_of(api.post("requests.json", {**GRAFFITI, "lat": "51.6"}))
    assert first != second


def test_the_same_content_from_another_client_is_a_new_request(api, council):
    _other, other_key = issue_client(actor=None, organisation=council, name="Other")
    first = reference_of(api.post("requests.json", GRAFFITI))
    assert reference_of(Open311(other_key).post("requests.json", GRAFFITI)) != first


def test_attribute_order_does_not_make_content_differ(api):
    data = {**GRAFFITI, "service_code": "flytipping"}
    first = reference_of(
        api.post(
            "requests.json",
            {**data, "attribute[what][]": ["bags", "sofa"], "attribute[size]": "small"},
        )
    )
    again = reference_of(
        api.post(
            "requests.json",
            {"attribute[size]": "small", **data, "attribute[what][]": ["bags", "sofa"]},
        )
    )
    assert first == again


def test_open311_stops_an_address_guessing_api_keys(api):
    for _ in range(MAX_BAD_KEYS_PER_ADDRESS):
        assert api.get("services.json", api_key="guess").status == 403
    refused = api.get("services.json", api_key=api.key)
    assert refused.status == 429
    assert refused.json()[0]["code"] == 429
    assert int(refused.headers["Retry-After"]) == 900
    elsewhere = Open311(api.key)
    elsewhere.http = Client(REMOTE_ADDR="198.51.100.21")
    assert elsewhere.get("services.json", api_key=api.key).status == 200
    # Reading without a key is not a guess, and stays open.
    assert api.get("services.json").status == 200
