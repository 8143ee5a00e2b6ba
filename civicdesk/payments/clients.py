"""Taking payments through GOV.UK Pay, or through an offline simulator with the same shape.

`get_client()` picks one by `CIVICDESK_PAY_BACKEND`. Both take the same arguments and answer
with dicts shaped like Pay's responses (`payment_id`, `state{status, finished, code, message}`,
`_links.next_url.href`, ...), so the services never know which one they talk to. The simulator
keeps its payments in its own table (`SimulatedPayment`) and serves the card details pages
itself (`payments.views.simulator`).
"""

import datetime
import json
import secrets
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from civicdesk.payments.models import FINISHED_STATUSES, PaymentStatus, SimulatedPayment

BACKENDS = ("simulator", "live")
PAY_BASE_URL = "https://publicapi.payments.service.gov.uk"
# Pay's card details pages time out after 90 minutes: the payment fails with P0020.
SESSION_LENGTH = datetime.timedelta(minutes=90)
MESSAGES = {
    "P0010": "Payment method rejected",
    "P0020": "Payment expired",
    "P0030": "Payment was cancelled by the user",
    "P0040": "Payment was cancelled by the service",
    "P0050": "Payment provider returned an error",
}
# GOV.UK Pay's test cards; any other number that passes the Luhn check succeeds.
TEST_CARDS = {
    "4000058260000005": (PaymentStatus.SUCCESS, ""),
    "4000000000000002": (PaymentStatus.FAILED, "P0010"),
    "4000000000000119": (PaymentStatus.ERROR, "P0050"),
}


class PayError(Exception):
    """Pay (or the simulator) refused or failed a request. `detail` is safe to store."""

    def __init__(self, *, status_code: int, code: str = "", detail: str = "") -> None:
        self.status_code = status_code
        self.code = code
        self.detail = detail
        super().__init__(f"{status_code} {code}: {detail}".strip())


class PayClient(Protocol):
    """The part of GOV.UK Pay's API that CivicDesk uses."""

    def create_payment(
        self,
        *,
        amount: int,
        reference: str,
        description: str,
        return_url: str,
        email: str = "",
        metadata: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]: ...

    def get_payment(self, payment_id: str) -> dict[str, Any]: ...

    def create_refund(
        self, payment_id: str, *, amount: int, refund_amount_available: int
    ) -> dict[str, Any]: ...

    def get_refund(self, payment_id: str, refund_id: str) -> dict[str, Any]: ...


def _check_payment(amount: int, reference: str, description: str, return_url: str) -> None:
    """What Pay refuses with P0102 (invalid attribute value)."""
    if not isinstance(amount, int) or not 1 <= amount <= 10_000_000:
        raise PayError(status_code=422, code="P0102", detail="Invalid attribute value: amount")
    if not reference or len(reference) > 255:
        raise PayError(status_code=422, code="P0102", detail="Invalid attribute value: reference")
    if not description or len(description) > 255:
        raise PayError(status_code=422, code="P0102", detail="Invalid attribute value: description")
    if not return_url:
        raise PayError(status_code=422, code="P0102", detail="Invalid attribute value: return_url")


class SimulatorClient:
    """GOV.UK Pay's test account, offline.

    Payments wait on the simulator's card details pages until the resident pays with a test
    card, cancels, or leaves them for 90 minutes. The outcome is decided there, never here.
    """

    def create_payment(
        self,
        *,
        amount: int,
        reference: str,
        description: str,
        return_url: str,
        email: str = "",
        metadata: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        _check_payment(amount, reference, description, return_url)
        if metadata is not None and len(metadata) > 15:
            raise PayError(
                status_code=422, code="P0102", detail="Invalid attribute value: metadata"
            )
        simulated = SimulatedPayment.objects.create(
            id=secrets.token_hex(13),
            amount=amount,
            reference=reference,
            description=description,
            return_url=return_url,
            email=email,
            metadata=dict(metadata or {}),
        )
        return self._response(simulated)

    def get_payment(self, payment_id: str) -> dict[str, Any]:
        with transaction.atomic():
            simulated = self._find(payment_id, lock=True)
            expire_if_due(simulated)
        return self._response(simulated)

    def create_refund(
        self, payment_id: str, *, amount: int, refund_amount_available: int
    ) -> dict[str, Any]:
        with transaction.atomic():
            simulated = self._find(payment_id, lock=True)
            if simulated.state != PaymentStatus.SUCCESS:
                raise PayError(
                    status_code=412, code="P0603", detail="The payment is not refundable"
                )
            available = simulated.amount - refunded(simulated)
            if refund_amount_available != available:
                raise PayError(
                    status_code=412, code="P0604", detail="Refund amount available mismatch"
                )
            if not 1 <= amount <= available:
                raise PayError(status_code=400, code="P0601", detail="Invalid refund amount")
            refund = {
                "refund_id": secrets.token_hex(13),
                "amount": amount,
                "status": "success",
                "created_date": _iso(timezone.now()),
            }
            simulated.refunds = [*simulated.refunds, refund]
            simulated.save(update_fields=["refunds"])
        return self._refund_response(simulated, refund)

    def get_refund(self, payment_id: str, refund_id: str) -> dict[str, Any]:
        simulated = self._find(payment_id)
        for refund in simulated.refunds:
            if refund["refund_id"] == refund_id:
                return self._refund_response(simulated, refund)
        raise PayError(status_code=404, code="P0700", detail="Not found")

    def _find(self, payment_id: str, *, lock: bool = False) -> SimulatedPayment:
        found = SimulatedPayment.objects.all()
        if lock:
            found = found.select_for_update()
        simulated = found.filter(pk=payment_id).first()
        if simulated is None:
            raise PayError(status_code=404, code="P0200", detail="Not found")
        return simulated

    def _response(self, simulated: SimulatedPayment) -> dict[str, Any]:
        return payment_response(simulated)

    def _refund_response(
        self, simulated: SimulatedPayment, refund: Mapping[str, Any]
    ) -> dict[str, Any]:
        return {
            "refund_id": refund["refund_id"],
            "amount": refund["amount"],
            "status": refund["status"],
            "created_date": refund["created_date"],
            "_links": {
                "self": {"href": f"/v1/payments/{simulated.pk}/refunds/{refund['refund_id']}"},
                "payment": {"href": f"/v1/payments/{simulated.pk}"},
            },
        }


def refunded(simulated: SimulatedPayment) -> int:
    return sum(item["amount"] for item in simulated.refunds if item["status"] != "error")


def expire_if_due(simulated: SimulatedPayment, *, now: datetime.datetime | None = None) -> bool:
    """Fail an unfinished payment with P0020 once its 90 minutes are up; the caller locks it."""
    now = now or timezone.now()
    if simulated.state in FINISHED_STATUSES or now - simulated.created_at < SESSION_LENGTH:
        return False
    simulated.state = PaymentStatus.FAILED
    simulated.code = "P0020"
    simulated.save(update_fields=["state", "code"])
    return True


def payment_response(simulated: SimulatedPayment) -> dict[str, Any]:
    """A simulated payment as Pay's `GET /v1/payments/{id}` describes it."""
    finished = simulated.state in FINISHED_STATUSES
    state: dict[str, Any] = {"status": simulated.state, "finished": finished}
    if simulated.code:
        state["code"] = simulated.code
        state["message"] = MESSAGES.get(simulated.code, "")
    available = simulated.amount - refunded(simulated)
    links: dict[str, Any] = {
        "self": {"href": f"/v1/payments/{simulated.pk}", "method": "GET"},
        "refunds": {"href": f"/v1/payments/{simulated.pk}/refunds", "method": "GET"},
    }
    if not finished:
        href = reverse("payments:simulator-card", args=[simulated.pk])
        links["next_url"] = {"href": href, "method": "GET"}
    response: dict[str, Any] = {
        "payment_id": simulated.pk,
        "amount": simulated.amount,
        "reference": simulated.reference,
        "description": simulated.description,
        "return_url": simulated.return_url,
        "email": simulated.email or None,
        "metadata": simulated.metadata,
        "language": "en",
        "payment_provider": "sandbox",
        "created_date": _iso(simulated.created_at),
        "state": state,
        "refund_summary": {
            "status": _refund_status(simulated, available),
            "amount_available": available if simulated.state == PaymentStatus.SUCCESS else 0,
            "amount_submitted": simulated.amount - available,
        },
        "_links": links,
    }
    if simulated.card_last_four:
        response["card_details"] = {
            "last_digits_card_number": simulated.card_last_four,
            "cardholder_name": simulated.cardholder_name,
            "card_brand": "Visa",
        }
    return response


def _refund_status(simulated: SimulatedPayment, available: int) -> str:
    if simulated.state != PaymentStatus.SUCCESS:
        return "unavailable"
    return "available" if available > 0 else "full"


def _iso(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class LiveClient:
    """GOV.UK Pay itself, over HTTPS with the standard library."""

    def __init__(self, *, api_key: str, base_url: str = PAY_BASE_URL, timeout: float = 20) -> None:
        if not api_key:
            raise ImproperlyConfigured(
                "CIVICDESK_PAY_BACKEND is 'live' but CIVICDESK_PAY_API_KEY is not set."
            )
        self.api_key = api_key
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def create_payment(
        self,
        *,
        amount: int,
        reference: str,
        description: str,
        return_url: str,
        email: str = "",
        metadata: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        _check_payment(amount, reference, description, return_url)
        body: dict[str, Any] = {
            "amount": amount,
            "reference": reference,
            "description": description,
            "return_url": return_url,
            "language": "en",
        }
        if email:
            body["email"] = email
        if metadata:
            body["metadata"] = dict(metadata)
        return self._call("POST", "/v1/payments", body, expect="payment_id")

    def get_payment(self, payment_id: str) -> dict[str, Any]:
        return self._call("GET", f"/v1/payments/{_safe(payment_id)}", expect="payment_id")

    def create_refund(
        self, payment_id: str, *, amount: int, refund_amount_available: int
    ) -> dict[str, Any]:
        return self._call(
            "POST",
            f"/v1/payments/{_safe(payment_id)}/refunds",
            {"amount": amount, "refund_amount_available": refund_amount_available},
            expect="refund_id",
        )

    def get_refund(self, payment_id: str, refund_id: str) -> dict[str, Any]:
        return self._call(
            "GET",
            f"/v1/payments/{_safe(payment_id)}/refunds/{_safe(refund_id)}",
            expect="refund_id",
        )

    def _call(
        self, method: str, path: str, body: Mapping[str, Any] | None = None, *, expect: str
    ) -> dict[str, Any]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.base_url + path,
            data=data,
            method=method,
            headers={
                "Authorization": f"Bearer {self.api_key}",
                "Accept": "application/json",
                **({"Content-Type": "application/json"} if data is not None else {}),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                answer = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            code, detail = _error_body(error)
            raise PayError(status_code=error.code, code=code, detail=detail) from error
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            raise PayError(
                status_code=503, code="Unreachable", detail="GOV.UK Pay could not be reached"
            ) from error
        except ValueError as error:
            raise PayError(
                status_code=502, code="InvalidResponse", detail="GOV.UK Pay's answer was not JSON"
            ) from error
        if not isinstance(answer, dict) or not answer.get(expect):
            raise PayError(
                status_code=502,
                code="InvalidResponse",
                detail=f"GOV.UK Pay's answer had no {expect}",
            )
        return answer


def _safe(identifier: str) -> str:
    """Pay's ids are letters and digits: anything else must not reach the URL's path."""
    if not identifier or not identifier.isalnum() or not identifier.isascii():
        raise PayError(status_code=400, code="InvalidId", detail="Not a GOV.UK Pay id")
    return identifier


def _error_body(error: urllib.error.HTTPError) -> tuple[str, str]:
    """Pay's error answer is {"code": "P0102", "description": "..."}; keep both, short."""
    try:
        body = json.loads(error.read() or b"{}")
    except (ValueError, OSError):
        body = {}
    if not isinstance(body, dict):
        body = {}
    code = str(body.get("code") or "HTTPError")[:20]
    detail = str(body.get("description") or body.get("field") or error.reason or "")[:200]
    return code, detail


def configuration_errors() -> list[str]:
    """What is wrong with the Pay settings, for the system check and `get_client`."""
    backend = settings.CIVICDESK_PAY_BACKEND
    if backend not in BACKENDS:
        return [f"CIVICDESK_PAY_BACKEND must be 'simulator' or 'live', not {backend!r}."]
    if backend == "live":
        if not settings.CIVICDESK_PAY_API_KEY:
            return ["CIVICDESK_PAY_BACKEND is 'live' but CIVICDESK_PAY_API_KEY is not set."]
        if not settings.CIVICDESK_PAY_BASE_URL.startswith(("https://", "http://")):
            return ["CIVICDESK_PAY_BASE_URL must be an http(s) address."]
    return []


def get_client() -> SimulatorClient | LiveClient:
    """The client the settings choose; ImproperlyConfigured rather than a half-working one."""
    errors = configuration_errors()
    if errors:
        raise ImproperlyConfigured(" ".join(errors))
    if settings.CIVICDESK_PAY_BACKEND == "live":
        return LiveClient(
            api_key=settings.CIVICDESK_PAY_API_KEY, base_url=settings.CIVICDESK_PAY_BASE_URL
        )
    return SimulatorClient()
