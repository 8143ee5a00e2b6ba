"""Reading cases with the access policy applied: every function takes the acting user."""

import datetime
import math
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Prefetch, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from civicdesk.cases.models import Case, CaseEvent, Referral
from civicdesk.cases.policy import (
    MANAGING_ROLES,
    CaseAccess,
    ReferralAccess,
    StaffMember,
    case_access,
    referral_access,
    staff_member,
)
from civicdesk.catalogue.models import Sensitivity, Service
from civicdesk.core.references import InvalidReference, make_reference, parse_reference
from civicdesk.organisations.models import Team
from civicdesk.people.models import Customer
from civicdesk.places.models import Address

QUEUE_PAGE_SIZE = 50
DUE_SOON = datetime.timedelta(hours=24)


def _with_policy_data(queryset: QuerySet[Case]) -> QuerySet[Case]:
    return queryset.select_related("service", "team", "organisation").prefetch_related(
        "service__entitled_teams"
    )


def case_for_user(*, user: Any, reference: str) -> tuple[Case, CaseAccess]:
    """The case and what the user may do with it; 404 unless the user may see its details.

    Someone who may only know that a case exists sees that on the customer's single view;
    the case page itself is as absent to them as a case that does not exist.
    """
    try:
        prefix, number = parse_reference(reference)
    except InvalidReference as error:
        raise Http404("No case with that reference.") from error
    # Looked up as issued, so what the parser forgives (spaces, "O" for zero, a typed dash)
    # finds the case instead of a 404.
    case = (
        _with_policy_data(Case.objects.filter(reference=make_reference(prefix, number)))
        .select_related("customer", "address", "ward", "assignee", "duplicate_of", "raised_by")
        .first()
    )
    if case is None:
        raise Http404("No case with that reference.")
    access = case_access(staff_member(user), case)
    if not access.sees_details:
        raise Http404("No case with that reference.")
    return case, access


def case_timeline(*, case: Case) -> list[CaseEvent]:
    return list(
        case.events.select_related("actor", "contact", "referral__to_team", "attachment").order_by(
            "occurred_at", "id"
        )
    )


@dataclass(frozen=True)
class CaseEntry:
    case: Case
    restricted: bool  # the user learns only that the case exists and which team has it


def cases_for_customer(*, user: Any, customer: Customer, limit: int = 20) -> list[CaseEntry]:
    """The customer's cases (raised by them or followed), newest first, for the single view.

    The caller has checked the customer through `people.selectors.customer_for_user`.
    """
    member = staff_member(user)
    # A subquery for the followed cases, not a join: the join's DISTINCT made SQLite scan every
    # case (16 s at 5 million); this way each side uses its own index.
    followed = Case.followers.through.objects.filter(customer=customer).values("case_id")
    cases = _with_policy_data(
        Case.objects.filter(Q(customer=customer) | Q(pk__in=followed))
    ).order_by("-opened_at", "-id")[:limit]
    return [
        CaseEntry(case, not case_access(member, case).sees_details)
        for case in cases
        if case_access(member, case).sees_case
    ]


def queues_for(*, user: Any) -> list[Team]:
    """The teams whose queues a member of staff may open: their own, and for managers and
    administrators every team of their organisation."""
    member = staff_member(user)
    if member.organisation_id is None and not member.is_superuser:
        return []
    if member.is_superuser or (not member.is_partner and member.roles & set(MANAGING_ROLES)):
        teams = Team.objects.filter(organisation_id=member.organisation_id)
        if member.is_superuser and member.organisation_id is None:
            teams = Team.objects.all()
    else:
        teams = Team.objects.filter(pk__in=member.team_ids)
    return list(teams.filter(is_contact_centre=False).select_related("organisation"))


def team_for_queue(*, user: Any, slug: str) -> Team:
    for team in queues_for(user=user):
        if team.slug == slug:
            return team
    raise Http404("No such queue.")


@dataclass(frozen=True)
class QueueFilters:
    status: str = ""
    due: str = ""  # "soon" (within 24 hours) or "breached"
    ward_id: int | None = None
    service_id: int | None = None
    assignee: str = ""  # "me", "nobody" or a user id
    include_closed: bool = False
    sort: str = "due"  # "due", "opened", "priority"


PRIORITY_ORDER = ["urgent", "high", "normal", "low"]


def services_withheld(member: StaffMember, organisation_id: int) -> list[int]:
    """The organisation's sensitive services whose cases' details the member may not see,
    unless the case is with one of their own teams (which the callers check)."""
    return list(
        Service.objects.filter(organisation_id=organisation_id)
        .exclude(sensitivity=Sensitivity.STANDARD)
        .exclude(owning_team__in=member.team_ids)
        .exclude(entitled_teams__in=member.team_ids)
        .values_list("pk", flat=True)
    )


def cases_for_user(*, user: Any) -> QuerySet[Case]:
    """Every case whose details the user may see, as `case_access` decides for one case: for
    lists that cannot check row by row, such as the JSON API's.

    Partner staff see their own teams' cases; council staff their council's, except sensitive
    services' cases that are not with one of their teams and whose services do not entitle them.
    """
    member = staff_member(user)
    if member.is_superuser:
        return Case.objects.all()
    if member.organisation_id is None:
        return Case.objects.none()
    own_teams = Q(team_id__in=member.team_ids)
    if member.is_partner:
        return Case.objects.filter(own_teams)
    withheld = services_withheld(member, member.organisation_id)
    return Case.objects.filter(organisation_id=member.organisation_id).filter(
        own_teams | ~Q(service_id__in=withheld)
    )


# What a queue row shows and `due_state` reads: loading whole rows (descriptions, answers,
# every clock column, the customer's record) was most of the queue's time at scale.
QUEUE_COLUMNS = (
    "reference", "status", "priority", "is_open", "team_id", "opened_at",
    "first_response_at", "first_response_breached_at", "resolution_due_at",
    "resolution_breached_at", "clock_paused_at", "location_description",
    "service__name", "ward__name", "address__single_line",
    "customer__title", "customer__forenames", "customer__surname",
    "assignee__first_name", "assignee__last_name", "assignee__username",
)  # fmt: skip


def team_queue(*, user: Any, team: Team, filters: QueueFilters) -> QuerySet[Case]:
    """A team's cases, soonest due first.

    The team working a case is entitled to its details by the policy, but managers open every
    team's queue: sensitive cases whose details they may not see are left out, as
    `case_for_user` would refuse them, rather than listed with the customer's name and address.
    """
    cases = Case.objects.filter(team=team)
    member = staff_member(user)
    if team.pk not in member.team_ids and not member.is_superuser:
        # A manager looking in from outside: leave out what they may not open. The services
        # concerned are few, so their ids go in the query rather than a per-row subquery.
        cases = cases.exclude(service_id__in=services_withheld(member, team.organisation_id))
    if not filters.include_closed:
        cases = cases.filter(is_open=True)
    if filters.status:
        cases = cases.filter(status=filters.status)
    now = timezone.now()
    if filters.due == "soon":
        cases = cases.filter(
            resolution_due_at__gt=now,
            resolution_due_at__lte=now + DUE_SOON,
            clock_paused_at__isnull=True,
        )
    elif filters.due == "breached":
        cases = cases.filter(
            Q(resolution_breached_at__isnull=False) | Q(first_response_breached_at__isnull=False)
        )
    if filters.ward_id:
        cases = cases.filter(ward_id=filters.ward_id)
    if filters.service_id:
        cases = cases.filter(service_id=filters.service_id)
    if filters.assignee == "me":
        cases = cases.filter(assignee=user)
    elif filters.assignee == "nobody":
        cases = cases.filter(assignee__isnull=True)
    elif filters.assignee.isdigit():
        cases = cases.filter(assignee_id=int(filters.assignee))
    order = {
        "due": ["resolution_due_at", "id"],
        "opened": ["-opened_at", "-id"],
        "priority": ["priority_rank", "resolution_due_at", "id"],
    }.get(filters.sort, ["resolution_due_at", "id"])
    if filters.sort == "priority":
        ranks = [When(priority=p, then=Value(i)) for i, p in enumerate(PRIORITY_ORDER)]
        cases = cases.annotate(
            priority_rank=models.Case(*ranks, output_field=models.IntegerField())
        )
    return (
        cases.select_related("service", "assignee", "ward", "customer", "address")
        .only(*QUEUE_COLUMNS)
        .order_by(*order)
    )


def referrals_for_team(*, user: Any, team: Team, active_only: bool = True) -> QuerySet[Referral]:
    """Referrals received by a team whose queue the user may open, soonest due first.

    The team's own members see every referral made to them; a manager looking in from
    outside sees only those whose case they could open.
    """
    referrals = Referral.objects.filter(to_team=team)
    member = staff_member(user)
    if team.pk not in member.team_ids and not member.is_superuser:
        withheld = services_withheld(member, team.organisation_id)
        referrals = referrals.exclude(
            Q(case__service_id__in=withheld) & ~Q(case__team_id__in=member.team_ids)
        )
    if active_only:
        referrals = referrals.active()
    return referrals.select_related("case__service", "case__address", "from_team").order_by(
        "due_at", "id"
    )


def referrals_for_case(*, case: Case) -> list[Referral]:
    return list(case.referrals.select_related("to_team__organisation", "from_team"))


def referral_for_user(*, user: Any, pk: int) -> tuple[Referral, ReferralAccess]:
    referral = (
        Referral.objects.filter(pk=pk)
        .select_related(
            "case__service",
            "case__organisation",
            "case__address",
            "case__customer",
            "to_team__organisation",
            "from_team",
        )
        .prefetch_related(
            "case__service__entitled_teams",
            Prefetch("events", queryset=CaseEvent.objects.select_related("actor")),
            "shared_attachments",
        )
        .first()
    )
    if referral is None:
        raise Http404("No such referral.")
    access = referral_access(staff_member(user), referral)
    if not access.sees_referral:
        raise Http404("No such referral.")
    return referral, access


EARTH_RADIUS_METRES = 6_371_000
DUPLICATE_CANDIDATES = 500


def metres_between(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine): ample accuracy over the few hundred metres that count."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_METRES * math.asin(math.sqrt(a))


def possible_duplicate_cases(
    *,
    service: Service,
    address: Address | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    now: datetime.datetime | None = None,
) -> list[Case]:
    """Open cases for the same service at the same UPRN, or within the service's radius, raised
    within its window: what a new report may be a repeat of. Nearest first."""
    if not service.duplicate_window_days:
        return []
    if address is not None and address.latitude is not None and latitude is None:
        latitude, longitude = float(address.latitude), float(address.longitude)
    if address is None and latitude is None:
        return []
    since = (now or timezone.now()) - datetime.timedelta(days=service.duplicate_window_days)
    recent = Case.objects.filter(service=service, is_open=True, opened_at__gte=since)
    near = Q(address=address) if address is not None else Q(pk__in=[])
    if latitude is not None:
        # A box around the point narrows the rows; the exact distance is checked below.
        radius = service.duplicate_radius_metres
        dlat = radius / 111_320
        dlon = radius / (111_320 * max(math.cos(math.radians(latitude)), 0.01))
        near |= Q(
            latitude__range=(latitude - dlat, latitude + dlat),
            longitude__range=(longitude - dlon, longitude + dlon),
        )
    # With the policy's data: callers show only the matches the user may see the details of.
    candidates = list(
        _with_policy_data(recent.filter(near)).select_related("address")[:DUPLICATE_CANDIDATES]
    )

    def distance(case: Case) -> float:
        if address is not None and case.address_id == address.pk:
            return 0.0
        if case.latitude is None or latitude is None:
            return math.inf
        return metres_between(latitude, longitude, case.latitude, case.longitude)

    matches = [case for case in candidates if distance(case) <= service.duplicate_radius_metres]
    return sorted(matches, key=lambda case: (distance(case), -case.opened_at.timestamp()))
