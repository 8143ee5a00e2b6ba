"""Cases: read through `cases.selectors` with the privacy policy, changed through
`cases.services`, and raised through `cases.intake.submit_request` on the "api" channel."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Status

from civicdesk.api.v1.common import (
    IDEMPOTENCY,
    REFERENCE,
    PageParams,
    at_most_once,
    link,
    links,
    paginate,
    staff_name,
    submission_key,
)
from civicdesk.api.v1.schemas import (
    ERRORS,
    CaseDetailOut,
    CaseIn,
    CasePage,
    CaseSummaryOut,
    CloseIn,
    EventOut,
    Moment,
    NoteIn,
    StatusIn,
)
from civicdesk.cases.intake import ContactDetails, submit_request
from civicdesk.cases.models import Case, CaseEvent, CaseStatus
from civicdesk.cases.policy import CaseAccess
from civicdesk.cases.selectors import case_for_user, case_timeline, cases_for_user
from civicdesk.cases.services import add_note, change_status, close_case, record_case_view
from civicdesk.catalogue.models import Channel
from civicdesk.catalogue.selectors import services_for
from civicdesk.organisations.selectors import organisation_for
from civicdesk.people.selectors import customer_for_user
from civicdesk.places.models import Address

router = Router(tags=["cases"])
# What a client can do next with a case it has raised, or the first case of a list.
RAISED = links(
    201,
    GetCase=link("cases_get_case", {"reference": REFERENCE}),
    AddNote=link("cases_add_case_note", {"reference": REFERENCE}),
    ChangeStatus=link("cases_change_case_status", {"reference": REFERENCE}),
    Close=link("cases_close", {"reference": REFERENCE}),
)
LISTED = links(
    200, GetCase=link("cases_get_case", {"reference": "$response.body#/results/0/reference"})
)


class CaseFilters(PageParams):
    status: CaseStatus | None = None
    service: str | None = Field(None, max_length=100, description="A service's slug.")
    team: str | None = Field(None, max_length=100, description="A team's slug.")
    updated_since: Moment | None = Field(
        None, description="Only cases with something on their timeline since then."
    )


def case_summary(case: Case) -> dict[str, Any]:
    return {
        "reference": case.reference,
        "service": {"slug": case.service.slug, "name": case.service.name},
        "team": {"slug": case.team.slug, "name": case.team.name},
        "status": case.status,
        "priority": case.priority,
        "is_open": case.is_open,
        "channel": case.channel,
        "opened_at": case.opened_at,
        "resolution_due_at": case.resolution_due_at,
        "closed_at": case.closed_at,
    }


def event_out(event: CaseEvent) -> dict[str, Any]:
    return {
        "kind": event.kind,
        "occurred_at": event.occurred_at,
        "actor": staff_name(event.actor),
        "text": event.text,
        "is_public": event.is_public,
    }


def case_detail(case: Case, access: CaseAccess) -> dict[str, Any]:
    events = case_timeline(case=case)
    address = case.address
    return {
        **case_summary(case),
        "description": case.description,
        "answers": case.attributes or {},
        "customer": case.customer.reference if case.customer_id else None,
        "location": {
            "address": {"uprn": address.uprn, "single_line": address.single_line}
            if address
            else None,
            "latitude": case.latitude,
            "longitude": case.longitude,
            "description": case.location_description,
            "ward": case.ward.name if case.ward_id else "",
        },
        "media_url": case.media_url,
        "assignee": staff_name(case.assignee) if case.assignee_id else None,
        "first_response_due_at": case.first_response_due_at,
        "resolved_at": case.resolved_at,
        "resolution_code": case.resolution_code,
        "access": {
            "may_chase": access.may_chase,
            "may_note": access.may_note,
            "may_work": access.may_work,
            "may_assign": access.may_assign,
        },
        "public_timeline": [event_out(event) for event in events if event.is_public],
        # The back office's own record: only for those who may add to it, as in the console.
        "internal_timeline": [event_out(event) for event in events if not event.is_public]
        if access.may_note
        else [],
    }


@router.get("", response={200: CasePage, **ERRORS}, summary="List cases", openapi_extra=LISTED)
def list_cases(request: HttpRequest, filters: Query[CaseFilters]) -> dict[str, Any]:
    cases = cases_for_user(user=request.user)
    if filters.status:
        cases = cases.filter(status=filters.status)
    if filters.service:
        cases = cases.filter(service__slug=filters.service)
    if filters.team:
        cases = cases.filter(team__slug=filters.team)
    if filters.updated_since:
        changed = CaseEvent.objects.filter(occurred_at__gte=filters.updated_since)
        cases = cases.filter(pk__in=changed.values("case_id"))
    cases = cases.select_related("service", "team").order_by("-opened_at", "-id")
    page = paginate(cases, filters)
    page["results"] = [case_summary(case) for case in page["results"]]
    return page


def _readable_case(request: HttpRequest, reference: str) -> tuple[Case, CaseAccess]:
    if len(reference) > 40:
        raise Http404("No case with that reference.")
    return case_for_user(user=request.user, reference=reference)


@router.get("/{reference}", response={200: CaseDetailOut, **ERRORS}, summary="A case")
def get_case(request: HttpRequest, reference: str) -> dict[str, Any]:
    case, access = _readable_case(request, reference)
    record_case_view(actor=request.user, case=case)  # a sensitive case's details: audited
    return case_detail(case, access)


@router.post(
    "", response={201: CaseSummaryOut, **ERRORS}, summary="Raise a case", openapi_extra=RAISED
)
def raise_case(
    request: HttpRequest, payload: CaseIn, idempotency_key: str | None = IDEMPOTENCY
) -> Status:
    """A request as the public would make it, through the same checks (`submit_request`).

    Answers with what anyone raising it may know: the case's details go to those entitled.
    """
    user = request.user
    organisation = organisation_for(user)
    if organisation is None:
        raise PermissionDenied(_("You are not a member of any organisation."))
    service = services_for(user=user).filter(slug=payload.service).first()
    if service is None:
        raise ValidationError({"service": _("Choose a service that takes requests online.")})
    customer = None
    if payload.customer:
        try:
            customer = customer_for_user(user=user, reference=payload.customer)
        except Http404:
            raise ValidationError({"customer": _("No customer with that reference.")}) from None
    address = None
    if payload.uprn is not None:
        address = Address.objects.filter(pk=payload.uprn, organisation=organisation).first()
        if address is None:
            raise ValidationError({"uprn": _("No address in this council's area has that UPRN.")})
    details = payload.contact_details
    case = submit_request(
        actor=user,
        organisation=organisation,
        service=service,
        channel=Channel.API,
        description=payload.description,
        answers=payload.answers,
        customer=customer,
        details=ContactDetails(**details.dict()) if details else ContactDetails(),
        address=address,
        latitude=payload.latitude,
        longitude=payload.longitude,
        location_description=payload.location_description,
        media_url=payload.media_url,
        submitted_via=f"JSON API: {request.api_token.name}",
        submission_key=submission_key(request, idempotency_key, "case"),
    )
    case = Case.objects.select_related("service", "team").get(pk=case.pk)
    return Status(201, case_summary(case))


@router.post(
    "/{reference}/notes", response={201: EventOut, **ERRORS}, summary="Add a note or an update"
)
def add_case_note(
    request: HttpRequest,
    reference: str,
    payload: NoteIn,
    idempotency_key: str | None = IDEMPOTENCY,
) -> Status:
    case, _access = _readable_case(request, reference)
    event = at_most_once(
        submission_key(request, idempotency_key, f"note:{case.pk}"),
        CaseEvent,
        lambda: add_note(actor=request.user, case=case, text=payload.text, public=payload.public),
    )
    return Status(201, event_out(event))


@router.post(
    "/{reference}/status", response={200: CaseSummaryOut, **ERRORS}, summary="Change the status"
)
def change_case_status(
    request: HttpRequest,
    reference: str,
    payload: StatusIn,
    idempotency_key: str | None = IDEMPOTENCY,
) -> dict[str, Any]:
    case, _access = _readable_case(request, reference)
    case = at_most_once(
        submission_key(request, idempotency_key, f"status:{case.pk}"),
        Case,
        lambda: change_status(
            actor=request.user, case=case, status=payload.status, note=payload.note
        ),
    )
    return case_summary(case)


@router.post(
    "/{reference}/close", response={200: CaseSummaryOut, **ERRORS}, summary="Resolve or close"
)
def close(
    request: HttpRequest,
    reference: str,
    payload: CloseIn,
    idempotency_key: str | None = IDEMPOTENCY,
) -> dict[str, Any]:
    case, _access = _readable_case(request, reference)
    case = at_most_once(
        submission_key(request, idempotency_key, f"close:{case.pk}"),
        Case,
        lambda: close_case(
            actor=request.user,
            case=case,
            resolution_code=payload.resolution_code or "",
            message=payload.message,
            final=payload.final,
        ),
    )
    return case_summary(case)
