"""`POST /api/payments/webhook`: GOV.UK Pay's webhooks, signed with `Pay-Signature`."""

import logging

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from civicdesk.payments.clients import PayError
from civicdesk.payments.services import WebhookInvalid, WebhookRefused, receive_webhook

logger = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def webhook(request: HttpRequest) -> JsonResponse:
    """200 once handled (or for a payment we do not hold: Pay need not retry), 400 for a body
    that is not JSON or is too large to be one of Pay's, 401 for a missing or wrong signature,
    503 when Pay cannot be asked (Pay retries). Never a 500."""
    signature = request.headers.get("Pay-Signature", "")
    try:
        body = request.body
    except RequestDataTooBig:
        return JsonResponse({"error": "body too large"}, status=400)
    try:
        payment = receive_webhook(body=body, signature=signature)
    except WebhookRefused:
        return JsonResponse({"error": "bad signature"}, status=401)
    except WebhookInvalid:
        return JsonResponse({"error": "not a JSON object"}, status=400)
    except PayError as error:
        logger.warning("Pay webhook could not be checked: %s", error)
        return JsonResponse({"error": "try again later"}, status=503)
    except Exception:
        logger.exception("Pay webhook failed")
        return JsonResponse({"error": "try again later"}, status=503)
    return JsonResponse({"received": True, "known": payment is not None})
