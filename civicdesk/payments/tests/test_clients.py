"""The live client against a small local stand-in for GOV.UK Pay, and the system checks."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from civicdesk.payments.apps import check_pay_settings, check_payments_are_real
from civicdesk.payments.clients import LiveClient, PayError, SimulatorClient, get_client


class StubPay(BaseHTTPRequestHandler):
    seen: list = []

    def log_message(self, *args):  # keep the test output quiet
        pass

    def _answer(self, status, body):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length))
        self.seen.append((self.command, self.path, self.headers["Authorization"], body))
        if self.path == "/v1/payments" and body["amount"] == 666:
            return self._answer(
                422, {"code": "P0102", "description": "Invalid attribute value: amount"}
            )
        if self.path == "/v1/payments":
            return self._answer(
                201,
                {
                    "payment_id": "hu20sqlact5260q2nanm0q8u93",
                    "amount": body["amount"],
                    "state": {"status": "created", "finished": False},
                    "_links": {"next_url": {"href": "https://card.example/secure/1"}},
                },
            )
        if self.path.endswith("/refunds"):
            return self._answer(
                202, {"refund_id": "r1", "amount": body["amount"], "status": "submitted"}
            )
        return self._answer(404, {"code": "P0200", "description": "Not found"})

    def do_GET(self):
        self.seen.append((self.command, self.path, self.headers["Authorization"], None))
        if self.path == "/v1/payments/broken":
            return self._answer(200, b"<html>")
        if self.path == "/v1/payments/hu20sqlact5260q2nanm0q8u93":
            return self._answer(
                200,
                {
                    "payment_id": "hu20sqlact5260q2nanm0q8u93",
                    "state": {"status": "success", "finished": True},
                },
            )
        if self.path == "/v1/payments/p1/refunds/r1":
            return self._answer(200, {"refund_id": "r1", "status": "success"})
        return self._answer(404, {"code": "P0200", "description": "Not found"})


@pytest.fixture(scope="module")
def stub():
    server = ThreadingHTTPServer(("127.0.0.1", 0), StubPay)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_live_client_create_get_and_refund(stub):
    client = LiveClient(api_key="api_test_abc", base_url=stub, timeout=5)
    created = client.create_payment(
        amount=1000, reference="PAY-0000011", description="Fee",
        return_url="https://example.org/r/x", email="ada@example.org", metadata={"a": "b"},
    )  # fmt: skip
    assert created["_links"]["next_url"]["href"] == "https://card.example/secure/1"
    method, path, authorisation, body = StubPay.seen[-1]
    assert (method, path, authorisation) == ("POST", "/v1/payments", "Bearer api_test_abc")
    assert body["email"] == "ada@example.org" and body["metadata"] == {"a": "b"}
    assert client.get_payment("hu20sqlact5260q2nanm0q8u93")["state"]["status"] == "success"
    refund = client.create_refund("p1", amount=100, refund_amount_available=1000)
    assert refund["refund_id"] == "r1"
    assert StubPay.seen[-1][3] == {"amount": 100, "refund_amount_available": 1000}
    assert client.get_refund("p1", "r1")["status"] == "success"


def test_live_client_maps_errors(stub):
    client = LiveClient(api_key="api_test_abc", base_url=stub, timeout=5)
    with pytest.raises(PayError) as refused:
        client.create_payment(amount=666, reference="R", description="D", return_url="https://x")
    assert (refused.value.status_code, refused.value.code) == (422, "P0102")
    with pytest.raises(PayError) as missing:
        client.get_payment("nosuchpayment")
    assert (missing.value.status_code, missing.value.code) == (404, "P0200")
    with pytest.raises(PayError) as broken:
        client.get_payment("broken")
    assert broken.value.code == "InvalidResponse"
    with pytest.raises(PayError) as unsafe:
        client.get_payment("../admin")
    assert unsafe.value.code == "InvalidId"
    gone = LiveClient(api_key="k", base_url="http://127.0.0.1:9", timeout=1)
    with pytest.raises(PayError) as unreachable:
        gone.get_payment("abc")
    assert unreachable.value.status_code == 503


def test_backends_and_checks(settings):
    assert isinstance(get_client(), SimulatorClient)
    assert [message.id for message in check_payments_are_real(None)] == ["payments.W001"]
    assert check_pay_settings(None) == []
    settings.CIVICDESK_PAY_BACKEND = "live"
    settings.CIVICDESK_PAY_API_KEY = ""
    errors = check_pay_settings(None)
    assert errors[0].id == "payments.E001" and errors[0].level == checks.ERROR
    with pytest.raises(ImproperlyConfigured):
        get_client()
    settings.CIVICDESK_PAY_API_KEY = "api_live_x"
    assert [message.id for message in check_pay_settings(None)] == ["payments.W002"]
    settings.CIVICDESK_PAY_WEBHOOK_SECRET = "s"
    assert check_pay_settings(None) == [] and check_payments_are_real(None) == []
    assert isinstance(get_client(), LiveClient)
    settings.CIVICDESK_PAY_BACKEND = "paypal"
    assert check_pay_settings(None)[0].id == "payments.E001"


@pytest.mark.django_db
def test_schedule_payments_queues_one_sweep(capsys):
    from io import StringIO

    out = StringIO()
    call_command("schedule_payments", stdout=out)
    call_command("schedule_payments", stdout=out)
    assert out.getvalue().splitlines() == [
        "The payments sweep is queued.",
        "The payments sweep was already queued.",
    ]
