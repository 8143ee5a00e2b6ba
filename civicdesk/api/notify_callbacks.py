"""GOV.UK Notify's delivery-status callbacks: `POST /api/notify/delivery-status`.

Notify signs nothing: it sends the bearer token configured in its admin pages, so the token is
the whole of the authentication and is compared in constant time. Notify retries any answer
but a 2xx, so every refusal says why in Notify's own error shape.
"""

import json

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from civicdesk.core.bearer import has_bearer_token
from civicdesk.notify.services import InvalidReceipt, UnknownMessage, record_delivery_status


def _error(status: int, error: str, message: str, **headers: str) -> JsonResponse:
    response = JsonResponse({"errors": [{"error": error, "message": message}]}, status=status)
    for name, value in headers.items():
        response[name] = value
    return response


@csrf_exempt
def delivery_status(request: HttpRequest) -> JsonResponse:
    """Record the delivery status Notify reports for one of our messages."""
    if request.method != "POST":
        return _error(405, "MethodNotAllowed", _("Use POST."), Allow="POST")
    token = settings.CIVICDESK_NOTIFY_CALLBACK_TOKEN
    if not token:
        return _error(
            503, "ServiceUnavailable", _("Delivery callbacks are not set up on this server.")
        )
    if not has_bearer_token(request, token):
        return _error(
            401,
            "AuthError",
            _("Send the callback bearer token in the Authorization header."),
            **{"WWW-Authenticate": "Bearer"},
        )
    try:
        payload = json.loads(request.body)
    except RequestDataTooBig:
        return _error(400, "ValidationError", _("The request body is too large."))
    except (ValueError, RecursionError):
        return _error(400, "ValidationError", _("The request body is not valid JSON."))
    try:
        message = record_delivery_status(payload=payload)
    except InvalidReceipt as invalid:
        return JsonResponse({"errors": invalid.errors}, status=400)
    except UnknownMessage:
        return _error(404, "NotFound", _("No message has that reference."))
    return JsonResponse(
        {"id": message.notify_id, "reference": str(message.reference), "status": message.status}
    )
