"""Reading the catalogue: services and the knowledge base for an organisation."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from civicdesk.catalogue.models import KnowledgeArticle, RoutingRule, Service, SlaTarget
from civicdesk.organisations.models import Team
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
