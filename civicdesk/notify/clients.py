"""Sending through GOV.UK Notify, or through an offline simulator with the same shape.

`get_client()` picks one by `CIVICDESK_NOTIFY_BACKEND`. Both check recipients and letters'
addresses the way Notify does, take the same arguments and answer with dicts shaped like
Notify's responses, so the services never know which one they talk to.
"""

import uuid
from collections.abc import Mapping
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from notifications_python_client.errors import APIError, TokenError
from notifications_python_client.notifications import NotificationsAPIClient

from civicdesk.notify import recipients, templating
from civicdesk.notify.models import DeliveryStatus, MessageChannel, MessageTemplate

BACKENDS = ("simulator", "live")
# An API key is "{key name}-{service id}-{secret}", the last two being UUIDs.
_API_KEY_TAIL = 73


class NotifyError(Exception):
    """Notify (or the simulator) refused or failed to take a message.

    `detail` is safe to store: it names the error, never the recipient or the personalisation.
    """

    def __init__(self, *, status_code: int, error: str, detail: str) -> None:
        self.status_code = status_code
        self.error = error
        self.detail = detail
        super().__init__(f"{status_code} {error}: {detail}")


class NotifyClient(Protocol):
    """The part of Notify's API that CivicDesk uses."""

    def send_email(
        self,
        *,
        email_address: str,
        template_id: str,
        personalisation: Mapping[str, Any],
        reference: str,
    ) -> dict[str, Any]: ...

    def send_sms(
        self,
        *,
        phone_number: str,
        template_id: str,
        personalisation: Mapping[str, Any],
        reference: str,
    ) -> dict[str, Any]: ...

    def send_letter(
        self, *, template_id: str, personalisation: Mapping[str, Any], reference: str
    ) -> dict[str, Any]: ...

    def find_sent(self, *, reference: str) -> dict[str, Any] | None:
        """The message sent with our `reference`, shaped as the send answered, or None."""
        ...


def _invalid(error: recipients.InvalidRecipient) -> NotifyError:
    return NotifyError(status_code=400, error="ValidationError", detail=str(error))


def _check_email(email_address: str) -> str:
    try:
        return recipients.normalise_email(email_address)
    except recipients.InvalidRecipient as error:
        raise _invalid(error) from error


def _check_mobile(phone_number: str) -> str:
    try:
        return recipients.normalise_uk_mobile(phone_number)
    except recipients.InvalidRecipient as error:
        raise _invalid(error) from error


def _check_letter(personalisation: Mapping[str, Any]) -> list[str]:
    try:
        return recipients.letter_personalisation_lines(dict(personalisation))
    except recipients.InvalidRecipient as error:
        raise _invalid(error) from error


class SimulatorClient:
    """Notify's test key, offline: renders our copy of the template and invents the outcome.

    Every message is delivered (letters are received by the printer) except the ones Notify
    keeps for testing failures: 07700900002 and perm-fail@simulator.notify fail permanently,
    07700900003 and temp-fail@simulator.notify fail for now. `receipt` gives the delivery
    callback Notify would send, for the services to apply as if it had arrived.
    """

    PERMANENT_FAILURES = frozenset({"07700900002", "perm-fail@simulator.notify"})
    TEMPORARY_FAILURES = frozenset({"07700900003", "temp-fail@simulator.notify"})

    def __init__(self, *, base_url: str = "") -> None:
        self.base_url = (base_url or settings.CIVICDESK_NOTIFY_BASE_URL).rstrip("/")
        self._sent: dict[str, dict[str, Any]] = {}

    def send_email(
        self,
        *,
        email_address: str,
        template_id: str,
        personalisation: Mapping[str, Any],
        reference: str,
    ) -> dict[str, Any]:
        to = _check_email(email_address)
        return self._send(MessageChannel.EMAIL, to, template_id, personalisation, reference)

    def send_sms(
        self,
        *,
        phone_number: str,
        template_id: str,
        personalisation: Mapping[str, Any],
        reference: str,
    ) -> dict[str, Any]:
        to = _check_mobile(phone_number)
        return self._send(MessageChannel.SMS, to, template_id, personalisation, reference)

    def send_letter(
        self, *, template_id: str, personalisation: Mapping[str, Any], reference: str
    ) -> dict[str, Any]:
        to = "\n".join(_check_letter(personalisation))
        return self._send(MessageChannel.LETTER, to, template_id, personalisation, reference)

    def find_sent(self, *, reference: str) -> dict[str, Any] | None:
        """What this client sent with `reference`: the simulator keeps nothing between
        processes, so a send cut short by a dead worker is not found and goes again."""
        for notification_id, sent in self._sent.items():
            if sent["reference"] == reference:
                return {"id": notification_id, "reference": reference, "content": sent["content"]}
        return None

    def outcome(self, *, channel: str, to: str) -> str:
        """The status Notify's test key would end with for this recipient."""
        if channel == MessageChannel.LETTER:
            return DeliveryStatus.RECEIVED
        key = to.strip().lower()
        if key in self.PERMANENT_FAILURES:
            return DeliveryStatus.PERMANENT_FAILURE
        if key in self.TEMPORARY_FAILURES:
            return DeliveryStatus.TEMPORARY_FAILURE
        return DeliveryStatus.DELIVERED

    def receipt(self, *, notification_id: str, at: str) -> dict[str, Any]:
        """The delivery-status callback for a message this client sent, as Notify posts it."""
        sent = self._sent[notification_id]
        return {
            "id": notification_id,
            "reference": sent["reference"],
            "to": sent["to"],
            "status": self.outcome(channel=sent["channel"], to=sent["to"]),
            "created_at": at,
            "completed_at": at,
            "sent_at": at,
            "notification_type": sent["channel"],
            "template_id": sent["template_id"],
            "template_version": 1,
        }

    def _send(
        self,
        channel: str,
        to: str,
        template_id: str,
        personalisation: Mapping[str, Any],
        reference: str,
    ) -> dict[str, Any]:
        template = (
            MessageTemplate.objects.filter(notify_template_id=template_id, channel=channel)
            .order_by("pk")
            .first()
        )
        if template is None:
            raise NotifyError(status_code=400, error="BadRequestError", detail="Template not found")
        try:
            subject = templating.render(template.subject, personalisation=personalisation)
            body = templating.render(template.body, personalisation=personalisation)
        except templating.MissingPersonalisation as error:
            raise NotifyError(
                status_code=400, error="BadRequestError", detail=str(error)
            ) from error
        notification_id = str(uuid.uuid4())
        content: dict[str, Any] = {"body": body}
        if channel == MessageChannel.SMS:
            content["from_number"] = "CivicDesk"
        else:
            content["subject"] = subject
        self._sent[notification_id] = {
            "channel": channel,
            "to": to,
            "reference": reference,
            "template_id": str(template_id),
            "content": content,
        }
        return {
            "id": notification_id,
            "reference": reference,
            "content": content,
            "uri": f"{self.base_url}/v2/notifications/{notification_id}",
            "template": {
                "id": str(template_id),
                "version": 1,
                "uri": f"{self.base_url}/v2/template/{template_id}",
            },
            "scheduled_for": None,
        }


class LiveClient:
    """GOV.UK Notify itself, through the official client.

    The official client is not thread-safe and keeps a connection pool, so each call makes its
    own and closes it.
    """

    def __init__(self, *, api_key: str, base_url: str, timeout: float = 30) -> None:
        if not api_key:
            raise ImproperlyConfigured(
                "CIVICDESK_NOTIFY_BACKEND is 'live' but CIVICDESK_NOTIFY_API_KEY is not set."
            )
        if not is_valid_api_key(api_key):
            raise ImproperlyConfigured(
                "CIVICDESK_NOTIFY_API_KEY is not a Notify API key: expected "
                "'{key name}-{service id}-{secret}'."
            )
        self.api_key = api_key
        self.base_url = base_url
        self.timeout = timeout

    def send_email(
        self,
        *,
        email_address: str,
        template_id: str,
        personalisation: Mapping[str, Any],
        reference: str,
    ) -> dict[str, Any]:
        to = _check_email(email_address)
        return self._call(
            "send_email_notification",
            email_address=to,
            template_id=str(template_id),
            personalisation=dict(personalisation),
            reference=reference,
        )

    def send_sms(
        self,
        *,
        phone_number: str,
        template_id: str,
        personalisation: Mapping[str, Any],
        reference: str,
    ) -> dict[str, Any]:
        to = _check_mobile(phone_number)
        return self._call(
            "send_sms_notification",
            phone_number=to,
            template_id=str(template_id),
            personalisation=dict(personalisation),
            reference=reference,
        )

    def send_letter(
        self, *, template_id: str, personalisation: Mapping[str, Any], reference: str
    ) -> dict[str, Any]:
        _check_letter(personalisation)
        return self._call(
            "send_letter_notification",
            template_id=str(template_id),
            personalisation=dict(personalisation),
            reference=reference,
        )

    def find_sent(self, *, reference: str) -> dict[str, Any] | None:
        """Asks Notify for notifications with our `reference` (unique to one message), newest
        first; the first is reshaped as the send's answer, whose id and content we record."""
        found = self._request(
            "get_all_notifications",
            "Notify did not answer which messages it has",
            reference=reference,
        )
        notifications = found.get("notifications") if isinstance(found, dict) else None
        for notification in notifications or []:
            if isinstance(notification, dict) and notification.get("id"):
                content = {
                    key: notification[key]
                    for key in ("body", "subject")
                    if isinstance(notification.get(key), str)
                }
                return {"id": notification["id"], "reference": reference, "content": content}
        return None

    def _call(self, method: str, **arguments: Any) -> dict[str, Any]:
        """A send: Notify's answer must name the notification it made."""
        response = self._request(method, "Notify did not accept the message", **arguments)
        if not isinstance(response, dict) or not response.get("id"):
            raise NotifyError(
                status_code=502, error="InvalidResponse", detail="Notify's answer had no id"
            )
        return response

    def _request(self, method: str, refused: str, **arguments: Any) -> Any:
        client = NotificationsAPIClient(self.api_key, base_url=self.base_url, timeout=self.timeout)
        try:
            return getattr(client, method)(**arguments)
        except APIError as error:
            raise NotifyError(
                status_code=error.status_code, error=_error_names(error), detail=refused
            ) from error
        except TokenError as error:
            raise NotifyError(
                status_code=403, error="AuthError", detail="Notify refused the API key"
            ) from error
        finally:
            client.request_session.close()


def _error_names(error: APIError) -> str:
    """Notify's error classes ("ValidationError", ...): its messages may quote what was sent."""
    try:
        errors = error.response.json().get("errors") or []  # type: ignore[union-attr]
        names = sorted({str(item.get("error")) for item in errors if item.get("error")})
    except (AttributeError, TypeError, ValueError):
        names = []
    return ", ".join(names)[:100] or ("RequestError" if error.response is None else "HTTPError")


def is_valid_api_key(api_key: str) -> bool:
    """Whether the key ends with a service id and a secret, both UUIDs, as Notify's keys do."""
    if len(api_key) < _API_KEY_TAIL or (
        len(api_key) > _API_KEY_TAIL and api_key[-_API_KEY_TAIL - 1] != "-"
    ):
        return False
    tail = api_key[-_API_KEY_TAIL:]
    service_id, separator, secret = tail[:36], tail[36], tail[37:]
    try:
        uuid.UUID(service_id)
        uuid.UUID(secret)
    except ValueError:
        return False
    return separator == "-"


def configuration_errors() -> list[str]:
    """What is wrong with the Notify settings, for the system check and `get_client`."""
    backend = settings.CIVICDESK_NOTIFY_BACKEND
    if backend not in BACKENDS:
        return [f"CIVICDESK_NOTIFY_BACKEND must be 'simulator' or 'live', not {backend!r}."]
    if backend == "live":
        if not settings.CIVICDESK_NOTIFY_API_KEY:
            return ["CIVICDESK_NOTIFY_BACKEND is 'live' but CIVICDESK_NOTIFY_API_KEY is not set."]
        if not is_valid_api_key(settings.CIVICDESK_NOTIFY_API_KEY):
            return ["CIVICDESK_NOTIFY_API_KEY is not a Notify API key."]
        if not settings.CIVICDESK_NOTIFY_BASE_URL.startswith(("https://", "http://")):
            return ["CIVICDESK_NOTIFY_BASE_URL must be an http(s) address."]
    return []


def get_client() -> SimulatorClient | LiveClient:
    """The client the settings choose; ImproperlyConfigured rather than a half-working one."""
    errors = configuration_errors()
    if errors:
        raise ImproperlyConfigured(" ".join(errors))
    if settings.CIVICDESK_NOTIFY_BACKEND == "live":
        return LiveClient(
            api_key=settings.CIVICDESK_NOTIFY_API_KEY,
            base_url=settings.CIVICDESK_NOTIFY_BASE_URL,
        )
    return SimulatorClient()
