"""Reading the catalogue: services and the knowledge base for an organisation."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from civicdesk.catalogue.models import (
    BVPI_157_TYPES,
    Channel,
    InteractionType,
    KnowledgeArticle,
    RoutingRule,
    Service,
    ServiceInteraction,
    SlaTarget,
)
from civicdesk.organisations.models import Organisation, Team
from civicdesk.organisations.selectors import organisation_for


def services_for(*, user: Any, channel: str | None = None) -> QuerySet[Service]:
    """Active services of the user's organisation, optionally those open on one channel."""
    organisation = organisation_for(user)
    if organisation is None:
        return Service.objects.none()
    services = Service.objects.filter(organisation=organisation, is_active=True)
    if channel:
        services = [s.pk for s in services.only("pk", "channels") if channel in s.channels]
        return Service.objects.filter(pk__in=services)
    return services


def service_for_user(*, user: Any, pk: int) -> Service:
    service = services_for(user=user).filter(pk=pk).select_related("lgsl", "owning_team").first()
    if service is None:
        raise Http404("No such service.")
    return service


def articles_for(*, service: Service) -> QuerySet[KnowledgeArticle]:
    return service.knowledge_articles.filter(is_published=True)


def services_with_articles(*, user: Any) -> QuerySet[Service]:
    """The knowledge base as agents browse it: each service with its published articles."""
    published = KnowledgeArticle.objects.filter(is_published=True)
    return services_for(user=user).prefetch_related(
        Prefetch("knowledge_articles", queryset=published)
    )


@dataclass(frozen=True)
class SlaPromise:
    """A target such as "5 working days"; None values mean the service promises nothing."""

    value: int
    unit: str


def sla_promises_for(
    *, service: Service, priority: str
) -> tuple[SlaPromise | None, SlaPromise | None]:
    """(first response, resolution) for a priority: its own target, else the service's default."""
    first_response = (
        SlaPromise(service.first_response_value, service.first_response_unit)
        if service.first_response_value is not None
        else None
    )
    resolution = (
        SlaPromise(service.sla_value, service.sla_unit) if service.sla_value is not None else None
    )
    target = SlaTarget.objects.filter(service=service, priority=priority).first()
    if target is not None:
        if target.first_response_value is not None:
            first_response = SlaPromise(target.first_response_value, target.first_response_unit)
        if target.resolution_value is not None:
            resolution = SlaPromise(target.resolution_value, target.resolution_unit)
    return first_response, resolution


def team_for_place(*, service: Service, ward_id: int | None) -> Team | None:
    """The team that works a service's cases in a ward: the ward's rule, the council-wide rule,
    or the service's owning team."""
    rules = {
        rule.ward_id: rule
        for rule in RoutingRule.objects.filter(service=service)
        .filter(Q(ward_id=ward_id) | Q(ward__isnull=True) if ward_id else Q(ward__isnull=True))
        .select_related("team__organisation")
    }
    rule = rules.get(ward_id) if ward_id else None
    rule = rule or rules.get(None)
    return rule.team if rule else service.owning_team


@dataclass(frozen=True)
class InteractionRow:
    service: Service
    interaction_type: InteractionType
    channels: list[str]
    staff_complete_online: bool
    electronic_permitted: bool
    e_enabled: bool
    recorded: bool  # False: no row, so the service's own channels were assumed

    @property
    def channel_names(self) -> list[str]:
        names = dict(Channel.choices)
        return [str(names.get(channel, channel)) for channel in self.channels]


@dataclass(frozen=True)
class EEnablement:
    """BVPI 157: the share of interaction types (LGIL 0-9) the council offers, among those the
    law allows to be electronic, that are enabled for electronic delivery."""

    rows: list[InteractionRow]
    by_type: list[tuple[InteractionType, int, int]]  # type, e-enabled, permitted

    @property
    def permitted(self) -> int:
        return sum(1 for row in self.rows if row.electronic_permitted)

    @property
    def enabled(self) -> int:
        return sum(1 for row in self.rows if row.electronic_permitted and row.e_enabled)

    @property
    def percentage(self) -> float | None:
        return 100 * self.enabled / self.permitted if self.permitted else None


def e_enablement(*, organisation: Organisation) -> EEnablement:
    """Every (service, interaction type 0-9) the organisation's active services offer."""
    services = Service.objects.filter(organisation=organisation, is_active=True).prefetch_related(
        "interactions"
    )
    rows = []
    for service in services:
        recorded = {row.interaction_type: row for row in service.interactions.all()}
        offered = sorted({*service.interaction_types, *recorded} & set(BVPI_157_TYPES))
        for kind in offered:
            row = recorded.get(kind) or ServiceInteraction(
                service=service, interaction_type=kind, channels=list(service.channels)
            )
            rows.append(
                InteractionRow(
                    service=service,
                    interaction_type=InteractionType(kind),
                    channels=list(row.channels),
                    staff_complete_online=row.staff_complete_online,
                    electronic_permitted=row.electronic_permitted,
                    e_enabled=row.is_e_enabled,
                    recorded=kind in recorded,
                )
            )
    by_type = []
    for kind in BVPI_157_TYPES:
        of_type = [row for row in rows if row.interaction_type == kind and row.electronic_permitted]
        if of_type:
            enabled = sum(1 for row in of_type if row.e_enabled)
            by_type.append((InteractionType(kind), enabled, len(of_type)))
    return EEnablement(rows=rows, by_type=by_type)
