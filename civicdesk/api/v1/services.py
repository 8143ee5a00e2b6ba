"""GET /services and /services/{slug}: the acting user's organisation's active services."""

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Query, Router

from civicdesk.api.v1.common import PageParams, link, links, paginate
from civicdesk.api.v1.schemas import ERRORS, ServiceDetailOut, ServicePage
from civicdesk.catalogue.models import Service
from civicdesk.catalogue.questions import questions_for
from civicdesk.catalogue.selectors import services_for

router = Router(tags=["services"])
# The first service listed, or one looked up: what it offers, and a case or contact about it.
SERVICE = "$response.body#/slug"
FIRST = "$response.body#/results/0/slug"
LISTED = links(
    200,
    GetService=link("services_get_service", {"slug": FIRST}),
    RaiseCase=link("cases_raise_case", body={"service": FIRST}),
)
LOOKED_UP = links(
    200,
    RaiseCase=link("cases_raise_case", body={"service": SERVICE}),
    LogContact=link("contacts_create_contact", body={"service": SERVICE}),
)


def service_out(service: Service) -> dict[str, Any]:
    return {
        "slug": service.slug,
        "name": service.name,
        "description": service.description,
        "group": service.group,
        "is_public": service.is_public,
        "request_kind": service.request_kind,
        "allows_anonymous": service.allows_anonymous,
        "is_sensitive": service.is_sensitive,
        "channels": [str(channel) for channel in service.channels or []],
    }


@router.get(
    "", response={200: ServicePage, **ERRORS}, summary="List services", openapi_extra=LISTED
)
def list_services(request: HttpRequest, paging: Query[PageParams]) -> dict[str, Any]:
    services = services_for(user=request.user).order_by("name", "pk")
    page = paginate(services, paging)
    page["results"] = [service_out(service) for service in page["results"]]
    return page


@router.get(
    "/{slug}",
    response={200: ServiceDetailOut, **ERRORS},
    summary="A service and its questions",
    openapi_extra=LOOKED_UP,
)
def get_service(request: HttpRequest, slug: str) -> dict[str, Any]:
    service = (
        services_for(user=request.user).filter(slug=slug).prefetch_related("questions").first()
    )
    if service is None:
        raise Http404("No service with that slug.")
    return {
        **service_out(service),
        "how_online": service.how_online,
        "how_by_phone": service.how_by_phone,
        "how_in_person": service.how_in_person,
        "questions": [
            {
                "code": question.code,
                "prompt": question.prompt,
                "hint": question.hint,
                "datatype": question.datatype,
                "required": question.required,
                "choices": [
                    {"key": str(choice.get("key", "")), "name": str(choice.get("name", ""))}
                    for choice in question.choices or []
                ],
                "order": question.order,
            }
            for question in questions_for(service)
        ],
    }
