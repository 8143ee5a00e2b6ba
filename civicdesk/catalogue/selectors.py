"""Reading the catalogue: services and the knowledge base for an organisation."""

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from civicdesk.catalogue.models import KnowledgeArticle, Service
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
