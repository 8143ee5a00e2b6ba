"""Guessing keys: after 20 wrong keys from one address within 15 minutes, that address gets 429
for every key (so a right guess cannot be told from a wrong one), while other addresses carry
on; the limit lifts as the failures age out. (Open311's side is in its own tests.)"""

import datetime

import pytest
import time_machine
from django.test import Client

from civicdesk.api.key_guessing import MAX_BAD_KEYS_PER_ADDRESS
from civicdesk.api.tests.conftest import ApiClient

pytestmark = pytest.mark.django_db


def test_the_json_api_stops_an_address_guessing_keys(agent_api):
    guesser = ApiClient("not-a-key")
    for _ in range(MAX_BAD_KEYS_PER_ADDRESS):
        assert guesser.get("/services").status_code == 401
    refused = guesser.get("/services")
    assert refused.status_code == 429
    assert "try again in 15 minutes" in refused.json()["detail"]
    assert refused["Retry-After"] == "900"
    # The right key from the same address is refused too: a guess cannot be confirmed.
    assert agent_api.get("/services").status_code == 429
    elsewhere = ApiClient(agent_api.key)
    elsewhere.client = Client(REMOTE_ADDR="198.51.100.20")
    assert elsewhere.get("/services").status_code == 200

    with time_machine.travel(datetime.timedelta(minutes=16)):
        assert agent_api.get("/services").status_code == 200
