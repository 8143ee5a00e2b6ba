"""Pieces every router uses: pagination, the idempotency key, naming staff, and OpenAPI links."""

import hashlib
from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Header

from civicdesk.api.v1.schemas import InSchema
from civicdesk.core.idempotency import SubmissionKey, once

MAX_PAGE = 10_000
DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
IDEMPOTENCY_HEADER = "Idempotency-Key"
MAX_IDEMPOTENCY_KEY = 200
# Every POST's optional header, as the OpenAPI document describes it to clients.
IDEMPOTENCY = Header(
    None,
    alias=IDEMPOTENCY_HEADER,
    max_length=MAX_IDEMPOTENCY_KEY,
    description=(
        "A key of the client's choosing, new for each new request: the same request sent again "
        "with it gets the first answer and changes nothing; another request with it is refused "
        "(422)."
    ),
)
REFERENCE = "$response.body#/reference"


class PageParams(InSchema):
    """Paging, and the base of every list's filters, which refuse text no database keeps."""

    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


def paginate(items: QuerySet | Sequence, paging: PageParams) -> dict[str, Any]:
    """One page of `items` (already in a stable order) and how many there are in all."""
    count = items.count() if isinstance(items, QuerySet) else len(items)
    start = (paging.page - 1) * paging.page_size
    return {
        "count": count,
        "page": paging.page,
        "page_size": paging.page_size,
        "results": list(items[start : start + paging.page_size]) if start < count else [],
    }


def submission_key(request: HttpRequest, key: str | None, operation: str) -> SubmissionKey | str:
    """The client's Idempotency-Key, kept apart per acting user and per operation, so that two
    integrations (or two operations) choosing the same key never meet, with the body's hash:
    a retry sends the same bytes, and other bytes under the same key are a mistake (422)."""
    if not key:
        return ""
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:40]
    return SubmissionKey(
        key=f"api1:{request.user.pk}:{operation}:{digest}",
        fingerprint=hashlib.sha256(request.body).hexdigest(),
    )


def at_most_once(key: SubmissionKey | str, model: type, create: Any) -> Any:
    record, _created = once(key=key, model=model, create=create)
    return record


def staff_name(user: Any) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def links(status: int, **targets: dict[str, Any]) -> dict[str, Any]:
    """An operation's `openapi_extra`: OpenAPI links from its `status` answer to the operations
    that take what it returns (a raised case to reading, noting and closing it), for clients
    and for the stateful API tests, which follow them with real references."""
    return {"responses": {status: {"links": targets}}}


def link(
    operation_id: str,
    parameters: dict[str, str] | None = None,
    body: dict[str, str] | None = None,
) -> dict[str, Any]:
    """One link: `operation_id` as django-ninja names it (module_function), with its
    `parameters` and request `body` fields taken from the answer by runtime expressions."""
    found: dict[str, Any] = {"operationId": f"civicdesk_api_v1_{operation_id}"}
    if parameters:
        found["parameters"] = parameters
    if body:
        found["requestBody"] = body
    return found
