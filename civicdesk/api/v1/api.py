"""The NinjaAPI instance for /api/v1/, and one error shape for every failure:
{"detail": "...", "errors": {"field": ["message"]}}."""

import functools
import logging
from collections.abc import Callable
from typing import Any

from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    ValidationError,
)
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as RequestInvalid

from civicdesk.api import key_guessing
from civicdesk.api.auth import TokenAuth
from civicdesk.api.v1 import cases, contacts, customers, services
from civicdesk.api.v1.common import IDEMPOTENCY_HEADER
from civicdesk.api.v1.docs import OperationList
from civicdesk.core.idempotency import KeyReused

logger = logging.getLogger(__name__)

api = NinjaAPI(
    title="CivicDesk API",
    version="1",
    description=(
        "Services, customers, cases and contacts for a council's own systems. Each key acts as "
        "one member of staff and sees what they would see in the console."
    ),
    urls_namespace="api:v1",
    auth=TokenAuth(),
    docs=OperationList(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
api.add_router("/services", services.router)
api.add_router("/customers", customers.router)
api.add_router("/cases", cases.router)
api.add_router("/contacts", contacts.router)


def problem(
    request: HttpRequest, status: int, detail: str, errors: dict[str, list[str]] | None = None
) -> HttpResponse:
    return api.create_response(request, {"detail": detail, "errors": errors or {}}, status=status)


# Where pydantic puts a failure, e.g. ("body", "payload", "surname"): the last parts name it.
_LOCATIONS = {"body", "query", "path", "header", "cookie", "form", "file"}


def _field_name(location: list[Any] | tuple[Any, ...]) -> str:
    parts = [str(part) for part in location]
    if parts and parts[0] in _LOCATIONS:
        parts = parts[2:] if parts[0] == "body" and len(parts) > 2 else parts[1:]
    return ".".join(parts) or "__all__"


@api.exception_handler(RequestInvalid)
def request_invalid(request: HttpRequest, exc: RequestInvalid) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        errors.setdefault(_field_name(error.get("loc", ())), []).append(str(error.get("msg", "")))
    return problem(request, 422, "The request is not valid.", errors)


@api.exception_handler(ValidationError)
def domain_invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    if hasattr(exc, "error_dict"):
        errors = {field: [str(m) for m in messages] for field, messages in exc.message_dict.items()}
        return problem(request, 422, "The request is not valid.", errors)
    # No field to blame: the record is not in a state to allow it, e.g. closing a closed case.
    return problem(request, 409, " ".join(str(m) for m in exc.messages))


@api.exception_handler(KeyReused)
def key_reused(request: HttpRequest, exc: KeyReused) -> HttpResponse:
    return problem(
        request,
        422,
        "The request is not valid.",
        {
            IDEMPOTENCY_HEADER: [
                "This key was sent before with a different request. Send a new key with each "
                "new request, and the same key only to retry the same request."
            ]
        },
    )


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = problem(request, 401, "Send a valid key: Authorization: Bearer <key>.")
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    response = problem(request, exc.status_code, str(exc))
    if exc.status_code == 429:  # only key guessing is limited: it lifts as failures age out
        response["Retry-After"] = str(int(key_guessing.WINDOW.total_seconds()))
    return response


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return problem(request, 403, str(exc) or "You cannot do that.")


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem(request, 404, str(exc) or "Not found.")


@api.exception_handler(SuspiciousOperation)
def unreadable(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    """Django refuses a body over DATA_UPLOAD_MAX_MEMORY_SIZE (or a malformed request) as
    suspicious: the client's to put right, so a 400, not the catch-all's 500."""
    if isinstance(exc, RequestDataTooBig):
        return problem(request, 400, "The request is too large.")
    return problem(request, 400, "The request could not be read.")


@api.exception_handler(Exception)
def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("JSON API failure on %s %s", request.method, request.path)
    return problem(request, 500, "Something went wrong. Try again later.")


def json_not_allowed(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Ninja answers a wrong method with plain text; clients are promised JSON for every error."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = response["Allow"]
            response = problem(request, 405, f"Use {allowed}.")
            response["Allow"] = allowed
        return response

    return wrapped


def nothing_named_with_nul(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Path parts (a reference, a slug) go into queries, and PostgreSQL refuses a NUL in text:
    no record's name has one, so it is not found."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if any("\x00" in str(value) for value in kwargs.values()):
            return problem(request, 404, "Not found.")
        return view(request, *args, **kwargs)

    return wrapped


def urls() -> tuple[list[Any], str, str]:
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        pattern.callback = json_not_allowed(nothing_named_with_nul(pattern.callback))
    return patterns, app_name, namespace


def unknown_path(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Anything under /api/v1/ that matches no operation: JSON, like every other answer."""
    return problem(request, 404, "Not found.")
