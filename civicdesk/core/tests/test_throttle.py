"""Whose address a request is counted against: the proxy's word is taken only for the address
it added itself, never for what the client put in X-Forwarded-For."""

from django.test import RequestFactory

from civicdesk.core.throttle import client_address


def test_without_a_proxy_the_connection_address_counts(settings):
    settings.CIVICDESK_BEHIND_PROXY = False
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_address(request) == "203.0.113.9"


def test_behind_the_proxy_the_address_it_added_counts(settings):
    settings.CIVICDESK_BEHIND_PROXY = True
    forged = RequestFactory().get(
        "/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.9.9.9, 198.51.100.7"
    )
    assert client_address(forged) == "198.51.100.7"
    nonsense = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="x<y")
    assert client_address(nonsense) == "127.0.0.1"
