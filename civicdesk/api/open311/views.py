"""Open311 GeoReport v2 endpoints, with mySociety's extensions, at /open311/v2/.

Views read parameters, call the selectors and `cases.intake` / `cases.reporter_updates`, and
render; every refusal is a `Problem` rendered in the spec's error format.

Tokens: requests are created at once, so POST requests answers with the service_request_id
and no token. For clients that ask anyway, a token is the service_request_id itself, and
GET tokens/{token} gives it back.
"""

import datetime
import functools
import hashlib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, ValidationError
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from civicdesk.api.key_guessing import WINDOW, guessing_blocked, record_bad_key
from civicdesk.api.open311 import params, selectors
from civicdesk.api.open311.formats import FORMATS, render, render_errors
from civicdesk.api.open311.models import Open311Client
from civicdesk.api.open311.params import Problem
from civicdesk.api.open311.services import client_for_key, count_call
from civicdesk.cases.intake import ContactDetails, submit_request
from civicdesk.cases.reporter_updates import record_reporter_update
from civicdesk.catalogue.models import ServiceQuestion
from civicdesk.core.idempotency import KeyReused, SubmissionKey
from civicdesk.organisations.models import Organisation
from civicdesk.places.models import Address
from civicdesk.places.selectors import address_by_uprn

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-23T00:00:00Z"
CONTENT_WINDOW = datetime.timedelta(minutes=10)
# Open311 parameters by the intake field their errors are reported against.
FIELD_PARAMETERS = {
    "service": "service_code",
    "location": "lat/long, address_string or address_id",
    "surname": "last_name",
    "latitude": "lat/long",
    "address": "address_id",
    "photos": "media",
    "forenames": "first_name",
}


def open311(*methods: str) -> Callable:
    """Accept `methods` and the xml/json formats; render any Problem as the spec's errors."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, fmt: str = "xml", **kwargs: Any):
            shown = fmt if fmt in FORMATS else "xml"
            try:
                if fmt not in FORMATS:
                    raise Problem(404, _("Ask for .xml or .json."))
                allowed = (*methods, "HEAD") if "GET" in methods else methods
                if request.method not in allowed:
                    response = render_errors(shown, 405, [_("Use %s.") % " or ".join(methods)])
                    response["Allow"] = ", ".join(allowed)
                    return response
                # Path parts go into queries, and PostgreSQL refuses a NUL in text.
                if any("\x00" in value for value in kwargs.values()):
                    raise Problem(404, _("There is nothing here: see discovery.xml."))
                return view(request, fmt, *args, **kwargs)
            except Problem as problem:
                response = render_errors(shown, problem.status, problem.messages)
                if problem.retry_after is not None:
                    response["Retry-After"] = str(problem.retry_after)
                return response
            except (RequestDataTooBig, SuspiciousOperation):
                return render_errors(shown, 400, [_("The request could not be read.")])

        return wrapped

    return decorate


def _client(request: HttpRequest, query: QueryDict, *, required: bool) -> Open311Client | None:
    """The client whose api_key was given, counted against its limit; 403 without a good key."""
    key = params.text(query, "api_key")
    if not key:
        if required:
            raise Problem(403, _("Give your api_key."))
        return None
    if guessing_blocked(request):
        raise Problem(
            429,
            _("Too many requests with an api_key that is not valid came from your address: "
              "try again in 15 minutes."),
            retry_after=int(WINDOW.total_seconds()),
        )  # fmt: skip
    client = client_for_key(key)
    if client is None:
        record_bad_key(request, kind=Open311Client)
        raise Problem(403, _("The api_key is not valid."))
    check = count_call(client=client)
    if not check.allowed:
        raise Problem(
            429,
            _("Too many requests: try again in %(seconds)s seconds.")
            % {"seconds": check.retry_after},
            retry_after=check.retry_after,
        )
    return client


def _organisation(query: QueryDict, client: Open311Client | None) -> Organisation:
    """The council asked about: the client's own, or the jurisdiction_id (a council's slug),
    which only a server with several councils needs."""
    jurisdiction = params.text(query, "jurisdiction_id")
    if client is not None:
        if jurisdiction and jurisdiction != client.organisation.slug:
            raise Problem(403, _("This api_key is not for that jurisdiction_id."))
        return client.organisation
    if jurisdiction:
        organisation = selectors.councils().filter(slug=jurisdiction[:60]).first()
        if organisation is None:
            raise Problem(404, _("There is no jurisdiction %(id)s.") % {"id": jurisdiction[:60]})
        return organisation
    found = list(selectors.councils()[:2])
    if len(found) == 1:
        return found[0]
    if not found:
        raise Problem(404, _("There is no jurisdiction here."))
    raise Problem(400, _("Give the jurisdiction_id."))


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


# Discovery and services


@open311("GET")
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    url = request.build_absolute_uri("/open311/v2/")
    found = list(selectors.councils()[:2])
    name = found[0].name if len(found) == 1 else _("the council")
    data = {
        "changeset": CHANGESET,
        "contact": _("Contact %(name)s's digital team for help with this service.")
        % {"name": name},
        "key_service": _("Ask %(name)s's digital team for an API key.") % {"name": name},
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": url,
                "changeset": CHANGESET,
                "type": "test" if settings.DEBUG else "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return render(fmt, data, root="discovery", item=None)


@open311("GET")
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    query = request.GET
    organisation = _organisation(query, _client(request, query, required=False))
    asks = ServiceQuestion.objects.filter(service=OuterRef("pk"), is_active=True)
    services = selectors.open311_services(organisation).annotate(metadata=Exists(asks))
    data = [
        {
            "service_code": service.slug,
            "service_name": service.name,
            "description": service.description,
            "metadata": service.metadata,
            "type": "realtime",
            "keywords": service.keywords,
            "group": service.group,
        }
        for service in services
    ]
    return render(fmt, data, root="services", item="service")


@open311("GET")
def service_definition(request: HttpRequest, fmt: str, code: str) -> HttpResponse:
    query = request.GET
    organisation = _organisation(query, _client(request, query, required=False))
    service = selectors.service_for_code(organisation, code)
    if service is None:
        raise Problem(404, _("There is no service %(code)s.") % {"code": code[:100]})
    questions = service.questions.filter(is_active=True).order_by("order", "pk")
    attributes = [
        {
            "variable": True,
            "code": question.code,
            "datatype": question.datatype,
            "required": question.required,
            "datatype_description": question.hint,
            "order": index,
            "description": question.prompt,
            "values": [
                {"key": str(choice.get("key", "")), "name": str(choice.get("name", ""))}
                for choice in (question.choices if question.has_choices else [])
                if isinstance(choice, dict)
            ],
        }
        for index, question in enumerate(questions, start=1)
    ]
    data = {"service_code": service.slug, "attributes": attributes}
    return render(fmt, data, root="service_definition", item=None)


# Requests


def _requests_data(
    organisation: Organisation, filters: selectors.RequestFilters, window: slice
) -> list[dict[str, Any]]:
    """What Open311 shows of the cases: never the customer. Four queries however many."""
    services = selectors.shown_services(organisation)
    rows = list(
        selectors.public_cases(
            organisation=organisation,
            filters=filters,
            now=timezone.now(),
            service_ids=list(services),
        )[window]
    )
    notes = selectors.latest_public_notes([row["pk"] for row in rows])
    data = []
    for row in rows:
        name, code = services[row["service_id"]]
        note, noted_at = notes.get(row["pk"], ("", None))
        moments = [row["opened_at"], row["resolved_at"], row["closed_at"], noted_at]
        uprn = row["address__uprn"]
        data.append({
            "service_request_id": row["reference"],
            "status": "open" if row["is_open"] else "closed",
            "status_notes": note,
            "service_name": name,
            "service_code": code,
            "description": row["description"],
            "agency_responsible": row["team__name"],
            "service_notice": "",
            "requested_datetime": row["opened_at"],
            "updated_datetime": max(moment for moment in moments if moment is not None),
            "expected_datetime": row["resolution_due_at"],
            "address": row["address__single_line"] if uprn else row["location_description"],
            "address_id": str(uprn) if uprn else "",
            "zipcode": row["address__postcode"] if uprn else "",
            "lat": row["latitude"],
            "long": row["longitude"],
            "media_url": row["media_url"],
        })  # fmt: skip
    return data


@open311("GET", "POST")
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _post_request(request, fmt)
    query = request.GET
    organisation = _organisation(query, _client(request, query, required=False))
    status = params.text(query, "status").lower()
    if status not in ("", "open", "closed"):
        raise Problem(400, _("status must be open or closed."))
    filters = selectors.RequestFilters(
        references=[ref[:16] for ref in params.comma_list(query, "service_request_id")],
        service_codes=[code[:100] for code in params.comma_list(query, "service_code")],
        start=params.w3c_datetime(query, "start_date"),
        end=params.w3c_datetime(query, "end_date"),
        status=status,
    )
    if filters.start and filters.end and filters.end < filters.start:
        raise Problem(400, _("end_date must be after start_date."))
    size = params.whole_number(query, "page_size", selectors.MAX_PAGE_SIZE, selectors.MAX_PAGE_SIZE)
    page = params.whole_number(query, "page", 1, params.MAX_PAGE)
    data = _requests_data(organisation, filters, slice((page - 1) * size, page * size))
    return render(fmt, data, root="service_requests", item="request")


@open311("GET")
def request_detail(request: HttpRequest, fmt: str, reference: str) -> HttpResponse:
    query = request.GET
    organisation = _organisation(query, _client(request, query, required=False))
    filters = selectors.RequestFilters(references=[reference[:16]])
    data = _requests_data(organisation, filters, slice(0, 1))
    if not data:
        raise Problem(404, _("There is no request %(id)s.") % {"id": reference[:16]})
    return render(fmt, data, root="service_requests", item="request")


@open311("GET")
def token(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    query = request.GET
    organisation = _organisation(query, _client(request, query, required=False))
    case = selectors.public_case(organisation=organisation, reference=token[:16])
    if case is None:
        raise Problem(404, _("There is no token %(token)s.") % {"token": token[:16]})
    data = [{"service_request_id": case.reference, "token": token}]
    return render(fmt, data, root="service_requests", item="request")


def _address(query: QueryDict, organisation: Organisation) -> Address | None:
    uprn = params.text(query, "address_id")
    if not uprn:
        return None
    try:
        address = address_by_uprn(uprn=uprn)
    except Address.DoesNotExist:
        raise Problem(400, _("address_id is not a known UPRN.")) from None
    if address.organisation_id != organisation.pk:
        raise Problem(400, _("address_id is outside the council's area."))
    return address


def _validation_messages(error: ValidationError, codes: frozenset[str] = frozenset()) -> list[str]:
    """Each message, after the Open311 parameter it is about; `codes` are attribute codes."""
    if not hasattr(error, "error_dict"):
        return [str(message) for message in error.messages]
    messages = []
    for field, field_messages in error.message_dict.items():
        name = f"attribute[{field}]" if field in codes else FIELD_PARAMETERS.get(field, field)
        messages += [f"{name}: {message}" for message in field_messages]
    return messages


def _post_request(request: HttpRequest, fmt: str) -> HttpResponse:
    query = request.POST
    client = _client(request, query, required=True)
    organisation = _organisation(query, client)
    code = params.text(query, "service_code")
    if not code:
        raise Problem(400, _("Give the service_code."))
    service = selectors.service_for_code(organisation, code)
    if service is None:
        raise Problem(404, _("There is no service %(code)s.") % {"code": code[:100]})
    latitude = params.coordinate(query, "lat", 90)
    longitude = params.coordinate(query, "long", 180)
    fields = {
        "service_code": code,
        "lat": latitude,
        "long": longitude,
        "address_string": params.limited(query, "address_string", 300),
        "address_id": params.text(query, "address_id"),
        "description": params.text(query, "description"),
        "email": params.limited(query, "email", 254),
        "first_name": params.limited(query, "first_name", 100),
        "last_name": params.limited(query, "last_name", 100),
        "phone": params.limited(query, "phone", 30),
        "media_url": params.limited(query, "media_url", 500),
        "device_id": params.limited(query, "device_id", 200),
        "account_id": params.limited(query, "account_id", 200),
        "attributes": params.attributes(query),
    }
    address = _address(query, organisation)
    header = request.headers.get("Idempotency-Key", "").strip()
    content = _hash(params.normalised(fields))
    key: SubmissionKey | str
    if header:
        key = SubmissionKey(key=f"open311:{client.pk}:key:{_hash(header)}", fingerprint=content)
        window = None
    else:
        key, window = f"open311:{client.pk}:content:{content}", CONTENT_WINDOW
    try:
        case = submit_request(
            actor=None,
            organisation=organisation,
            service=service,
            channel="api",
            description=fields["description"],
            answers=fields["attributes"],
            details=ContactDetails(
                forenames=fields["first_name"],
                surname=fields["last_name"],
                email=fields["email"],
                phone=fields["phone"],
            ),
            address=address,
            latitude=latitude,
            longitude=longitude,
            location_description=fields["address_string"],
            media_url=fields["media_url"],
            submitted_via=f"Open311: {client.name}",
            submission_key=key,
            submission_window=window,
        )
    except ValidationError as error:
        codes = frozenset(service.questions.values_list("code", flat=True))
        raise Problem(400, *_validation_messages(error, codes)) from None
    except KeyReused:
        raise Problem(
            400,
            _(
                "This Idempotency-Key was sent before with a different request: send a new "
                "key with each new request."
            ),
        ) from None
    notice = ""
    if case.resolution_due_at:
        due = timezone.localtime(case.resolution_due_at)
        notice = _("We aim to deal with this by %(date)s.") % {"date": f"{due:%-d %B %Y}"}
    data = [
        {
            "service_request_id": case.reference,
            "service_notice": notice,
            "account_id": fields["account_id"],
        }
    ]
    return render(fmt, data, root="service_requests", item="request")


# mySociety's extension: updates both ways


def _update_data(event: Any) -> dict[str, Any]:
    return {
        "update_id": str(event.pk),
        "service_request_id": event.case.reference,
        "status": selectors.update_status(event),
        "updated_datetime": event.occurred_at,
        "description": event.text if event.is_public else "",
        "media_url": "",
    }


@open311("GET", "POST")
def service_request_updates(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _post_update(request, fmt)
    query = request.GET
    organisation = _organisation(query, _client(request, query, required=False))
    now = timezone.now()
    end = params.w3c_datetime(query, "end_date") or now
    start = params.w3c_datetime(query, "start_date") or end - selectors.DEFAULT_WINDOW
    if end < start:
        raise Problem(400, _("end_date must be after start_date."))
    size = params.whole_number(query, "page_size", selectors.MAX_PAGE_SIZE, selectors.MAX_PAGE_SIZE)
    page = params.whole_number(query, "page", 1, params.MAX_PAGE)
    events = selectors.public_updates(organisation=organisation, start=start, end=end)
    data = [_update_data(event) for event in events[(page - 1) * size : page * size]]
    return render(fmt, data, root="service_request_updates", item="request_update")


def _post_update(request: HttpRequest, fmt: str) -> HttpResponse:
    query = request.POST
    client = _client(request, query, required=True)
    organisation = _organisation(query, client)
    missing = [
        name
        for name in ("service_request_id", "update_id", "status")
        if not params.text(query, name)
    ]
    if missing:
        raise Problem(400, *[_("Give the %(name)s.") % {"name": name} for name in missing])
    reference = params.text(query, "service_request_id")
    case = selectors.public_case(organisation=organisation, reference=reference[:16])
    if case is None:
        raise Problem(404, _("There is no request %(id)s.") % {"id": reference[:16]})
    their_id = params.limited(query, "update_id", 100)
    first_name = params.limited(query, "first_name", 100)
    last_name = params.limited(query, "last_name", 100)
    if first_name and not last_name and " " in first_name:
        first_name, last_name = first_name.rsplit(" ", 1)
    try:
        event = record_reporter_update(
            actor=None,
            case=case,
            status=params.limited(query, "status", 40),
            description=params.text(query, "description"),
            submitted_via=f"Open311: {client.name}",
            details=ContactDetails(
                forenames=first_name,
                surname=last_name,
                email=params.limited(query, "email", 254),
                phone=params.limited(query, "phone", 30),
            ),
            reported_at=params.w3c_datetime(query, "updated_datetime"),
            media_url=params.limited(query, "media_url", 500),
            their_reference=their_id,
            submission_key=f"open311:{client.pk}:update:{_hash(their_id)}",
        )
    except ValidationError as error:
        raise Problem(400, *_validation_messages(error)) from None
    data = [{"update_id": str(event.pk)}]
    return render(fmt, data, root="service_request_updates", item="request_update")


@open311("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
def not_found(request: HttpRequest, fmt: str, rest: str = "") -> HttpResponse:
    raise Problem(404, _("There is nothing here: see discovery.xml."))
