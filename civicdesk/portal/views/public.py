"""The portal's public pages: home, the A to Z, search, a page per service and the catalogue
as JSON for a council's website."""

import string
from collections import OrderedDict

from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from civicdesk.catalogue.models import RequestKind, Service
from civicdesk.portal.council import portal_council, public_services
from civicdesk.portal.forms import ServiceSearchForm
from civicdesk.portal.promises import promise_sentences, promises

CATALOGUE_MAX_AGE = 300  # seconds a council's website may keep the catalogue


def _service(slug: str) -> Service:
    service = public_services(portal_council()).select_related("lgsl").filter(slug=slug).first()
    if service is None:
        raise Http404("No such service.")
    return service


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"form": ServiceSearchForm()})


@require_GET
def a_to_z(request: HttpRequest) -> HttpResponse:
    letters: OrderedDict[str, list[Service]] = OrderedDict()
    for service in public_services(portal_council()).only("name", "slug", "description"):
        first = service.name[:1].upper()
        letters.setdefault(first if first in string.ascii_uppercase else "#", []).append(service)
    return render(
        request,
        "portal/a_to_z.html",
        {"letters": letters, "alphabet": list(string.ascii_uppercase)},
    )


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    form = ServiceSearchForm(request.GET)
    results: list[Service] = []
    query = ""
    if form.is_valid():
        query = form.cleaned_data["q"]
        services = public_services(portal_council())
        for word in query.split()[:8]:
            services = services.filter(
                Q(name__icontains=word)
                | Q(keywords__icontains=word)
                | Q(description__icontains=word)
                | Q(group__icontains=word)
            )
        results = list(services[:50])
    return render(request, "portal/search.html", {"form": form, "query": query, "results": results})


@require_GET
def service_page(request: HttpRequest, slug: str) -> HttpResponse:
    service = _service(slug)
    return render(
        request,
        "portal/service.html",
        {
            "service": service,
            "promises": promise_sentences(service),
            "takes_requests": service.request_kind != RequestKind.NONE,
        },
    )


def _as_json(request: HttpRequest, service: Service) -> dict:
    takes_requests = service.request_kind != RequestKind.NONE
    return {
        "name": service.name,
        "slug": service.slug,
        "url": request.build_absolute_uri(reverse("portal:service", args=[service.slug])),
        "description": service.description,
        "lgsl_code": service.lgsl_id,
        "group": service.group,
        "how_online": service.how_online,
        "how_by_phone": service.how_by_phone,
        "how_in_person": service.how_in_person,
        "response_times": promises(service),
        "takes_requests_online": takes_requests,
        "request_kind": service.request_kind if takes_requests else None,
        "request_url": (
            request.build_absolute_uri(reverse("portal:start", args=[service.slug]))
            if takes_requests
            else None
        ),
    }


def _cached(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, public=True, max_age=CATALOGUE_MAX_AGE)
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def catalogue_json(request: HttpRequest) -> HttpResponse:
    council = portal_council()
    services = [_as_json(request, s) for s in public_services(council).select_related("lgsl")]
    return _cached(JsonResponse({"council": council.name, "services": services}))


@require_GET
def service_json(request: HttpRequest, slug: str) -> HttpResponse:
    return _cached(JsonResponse(_as_json(request, _service(slug))))
