"""What Open311 shows: the public services, and the public side of their cases.

Open311 is public. Nothing here reads a customer: requests carry the service, place, status
and public updates only, and sensitive or safeguarding services' cases are not shown at all.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.db.models.fields.json import KT

from civicdesk.cases.models import Case, CaseEvent, CaseStatus, EventKind, ResolutionCode
from civicdesk.catalogue.models import RequestKind, Sensitivity, Service
from civicdesk.organisations.models import Organisation

MAX_PAGE_SIZE = 1000
DEFAULT_WINDOW = datetime.timedelta(days=90)

# mySociety's extended statuses, as a case's status and resolution code give them.
STATUS_NAMES = {
    CaseStatus.OPEN: "OPEN",
    CaseStatus.REOPENED: "OPEN",
    CaseStatus.ASSIGNED: "ACTION_SCHEDULED",
    CaseStatus.IN_PROGRESS: "IN_PROGRESS",
    CaseStatus.WAITING_CUSTOMER: "INVESTIGATING",
    CaseStatus.WAITING_THIRD_PARTY: "INVESTIGATING",
}
RESOLUTION_NAMES = {
    ResolutionCode.DONE: "FIXED",
    ResolutionCode.INFORMATION_GIVEN: "CLOSED",
    ResolutionCode.NO_ACTION_NEEDED: "NO_FURTHER_ACTION",
    ResolutionCode.NOT_COUNCILS_RESPONSIBILITY: "NOT_COUNCILS_RESPONSIBILITY",
    ResolutionCode.DUPLICATE: "DUPLICATE",
    ResolutionCode.WITHDRAWN: "CLOSED",
    ResolutionCode.NO_CONTACT: "NO_FURTHER_ACTION",
}
EXTENDED_STATUSES = (
    "OPEN", "CLOSED", "FIXED", "IN_PROGRESS", "PLANNED", "ACTION_SCHEDULED", "INVESTIGATING",
    "DUPLICATE", "NOT_COUNCILS_RESPONSIBILITY", "NO_FURTHER_ACTION", "INTERNAL_REFERRAL",
    "CANCELLED", "REOPEN", "FOR_TRIAGE",
)  # fmt: skip
# The timeline events that are updates on Open311: public text and status changes. A status
# change to resolved or closed is left out because the closing message beside it carries the
# outcome; reporters' own updates are left out because their system already has them.
UPDATE_KINDS = (EventKind.STATUS_CHANGED, EventKind.PUBLIC_UPDATE, EventKind.CLOSED)
FINISHED = (CaseStatus.RESOLVED, CaseStatus.CLOSED)


def extended_status(status: str, resolution_code: str = "") -> str:
    """OPEN, IN_PROGRESS, FIXED, DUPLICATE ... for a case's status and resolution code."""
    if status in FINISHED:
        default = "CLOSED" if status == CaseStatus.CLOSED else "FIXED"
        return RESOLUTION_NAMES.get(resolution_code, default)
    return STATUS_NAMES.get(status, "OPEN")


def councils() -> QuerySet[Organisation]:
    return Organisation.objects.filter(kind=Organisation.Kind.COUNCIL)


def open311_services(organisation: Organisation) -> QuerySet[Service]:
    """The services clients may post requests to, in the A to Z's order."""
    return Service.objects.filter(
        organisation=organisation, is_active=True, is_public=True
    ).exclude(request_kind=RequestKind.NONE)


def service_for_code(organisation: Organisation, code: str) -> Service | None:
    return open311_services(organisation).filter(slug=code).first()


def shown_services(organisation: Organisation) -> dict[int, tuple[str, str]]:
    """The services whose cases Open311 shows (public, taking requests, not sensitive), as
    pk -> (name, code)."""
    return {
        pk: (name, slug)
        for pk, name, slug in Service.objects.filter(
            organisation=organisation, is_public=True, sensitivity=Sensitivity.STANDARD
        )
        .exclude(request_kind=RequestKind.NONE)
        .values_list("pk", "name", "slug")
    }


def shown_service_ids(organisation: Organisation) -> list[int]:
    return list(shown_services(organisation))


@dataclass(frozen=True)
class RequestFilters:
    references: Sequence[str] = ()
    service_codes: Sequence[str] = ()
    start: datetime.datetime | None = None
    end: datetime.datetime | None = None
    status: str = ""  # "open", "closed" or "" for both


# What a request shows, read as plain rows: a thousand model instances with their service,
# team and address took most of a page's time.
REQUEST_COLUMNS = (
    "pk", "reference", "is_open", "description", "service_id", "team__name", "opened_at",
    "resolved_at", "closed_at", "resolution_due_at", "latitude", "longitude", "media_url",
    "location_description", "address__uprn", "address__single_line", "address__postcode",
)  # fmt: skip


def public_cases(
    *,
    organisation: Organisation,
    filters: RequestFilters,
    now: datetime.datetime,
    service_ids: Sequence[int] | None = None,
) -> QuerySet[Case]:
    """The requests GET requests answers with, newest first, unsliced, as rows of
    REQUEST_COLUMNS.

    Scoped by the (organisation, opened_at) index and a short list of service ids, so the
    database reads only the window asked for, newest first, and stops at the page.
    """
    if service_ids is None:
        service_ids = shown_service_ids(organisation)
    cases = Case.objects.filter(organisation=organisation, service_id__in=list(service_ids))
    if filters.references:
        cases = cases.filter(reference__in=list(filters.references))
    else:
        end = filters.end or now
        start = filters.start or end - DEFAULT_WINDOW
        cases = cases.filter(opened_at__gte=start, opened_at__lte=end)
        if filters.service_codes:
            cases = cases.filter(service__slug__in=list(filters.service_codes))
        if filters.status:
            cases = cases.filter(is_open=filters.status == "open")
    return cases.order_by("-opened_at", "-id").values(*REQUEST_COLUMNS)


def latest_public_notes(case_ids: Sequence[int]) -> dict[int, tuple[str, datetime.datetime]]:
    """Each case's latest public update (text, time), in one query over the case-time index."""
    latest: dict[int, tuple[str, datetime.datetime]] = {}
    events = (
        CaseEvent.objects.filter(case_id__in=list(case_ids), is_public=True, kind__in=UPDATE_KINDS)
        .order_by("case_id", "occurred_at", "id")
        .values_list("case_id", "text", "occurred_at")
    )
    for case_id, text, occurred_at in events:
        latest[case_id] = (text, occurred_at)
    return latest


def public_case(*, organisation: Organisation, reference: str) -> Case | None:
    """One request by its reference, or None where Open311 does not show it."""
    return Case.objects.filter(
        organisation=organisation,
        service_id__in=shown_service_ids(organisation),
        reference=reference,
    ).first()


def public_updates(
    *,
    organisation: Organisation,
    start: datetime.datetime,
    end: datetime.datetime,
) -> QuerySet[CaseEvent]:
    """The updates on shown requests between two moments, oldest first, with the status each
    update left the case in."""
    service_ids = shown_service_ids(organisation)
    status_then = (
        CaseEvent.objects.filter(
            case=OuterRef("case"),
            kind=EventKind.STATUS_CHANGED,
            occurred_at__lte=OuterRef("occurred_at"),
        )
        .order_by("-occurred_at", "-id")
        .annotate(to=KT("data__to"))
        .values("to")[:1]
    )
    return (
        CaseEvent.objects.filter(
            case__organisation=organisation,
            case__service_id__in=service_ids,
            kind__in=UPDATE_KINDS,
            occurred_at__gte=start,
            occurred_at__lte=end,
        )
        .filter(
            Q(kind=EventKind.STATUS_CHANGED) & ~Q(data__to__in=list(FINISHED))
            | Q(is_public=True) & ~Q(kind=EventKind.STATUS_CHANGED)
        )
        .select_related("case")
        .annotate(
            status_then=Subquery(status_then),
            resolution_then=KT("data__resolution_code"),
            case_resolution=F("case__resolution_code"),
        )
        .order_by("occurred_at", "id")
    )


def update_status(event: CaseEvent) -> str:
    """The extended status an update carries."""
    if event.kind == EventKind.STATUS_CHANGED:
        return extended_status(str(event.data.get("to", "")))
    resolution = getattr(event, "resolution_then", None) or ""
    if resolution:
        return RESOLUTION_NAMES.get(resolution, "CLOSED")
    status = getattr(event, "status_then", None) or CaseStatus.OPEN
    return extended_status(status, event.case.resolution_code)
