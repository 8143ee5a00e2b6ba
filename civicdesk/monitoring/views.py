"""`GET /health/` for load balancers and `GET /metrics` for Prometheus."""

import ipaddress

from django.conf import settings
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    JsonResponse,
)
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe
from prometheus_client import CONTENT_TYPE_LATEST

from civicdesk.core.bearer import has_bearer_token
from civicdesk.monitoring.health import Status, check_health
from civicdesk.monitoring.metrics import exposition

# Headers a reverse proxy adds: a request carrying one came from elsewhere, whatever the socket.
FORWARDING_HEADERS = ("Forwarded", "X-Forwarded-For", "X-Real-IP")


@require_safe
@never_cache
def health(request: HttpRequest) -> JsonResponse:
    report = check_health(now=timezone.now())
    return JsonResponse(report, status=503 if report["status"] == Status.FAILING else 200)


def _may_read_metrics(request: HttpRequest) -> bool:
    """With a token set, only its bearer; without one, only this machine, not through a proxy."""
    token = settings.CIVICDESK_METRICS_TOKEN
    if token:
        return has_bearer_token(request, token)
    if any(name in request.headers for name in FORWARDING_HEADERS):
        return False
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False


@csrf_exempt  # changes nothing; and a refused POST must look like any other refusal
@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    """Not found, rather than forbidden, for anyone else: nothing says the page exists."""
    if not _may_read_metrics(request):
        raise Http404
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
