"""Reading the contact log with the privacy rules applied."""

import datetime
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from civicdesk.catalogue.models import Service
from civicdesk.catalogue.selectors import services_for
from civicdesk.contacts.models import Contact
from civicdesk.organisations.selectors import organisation_for, teams_for
from civicdesk.people.models import Customer

TIMELINE_PAGE_SIZE = 25


@dataclass(frozen=True)
class TimelineEntry:
    contact: Contact
    restricted: bool  # the service is sensitive and the user is not entitled to its details


def may_see_details(*, user: Any, contact: Contact, team_ids: set[int]) -> bool:
    """Details of a sensitive service's contact go to its owning and entitled teams only."""
    service = contact.service
    if service is None or not service.is_sensitive or user.is_superuser:
        return True
    if service.owning_team_id in team_ids:
        return True
    return any(team.pk in team_ids for team in service.entitled_teams.all())


def contacts_for_customer(*, customer: Customer) -> QuerySet[Contact]:
    return (
        Contact.objects.for_customer(customer.pk)
        .select_related("service", "agent", "representative", "team")
        .prefetch_related("service__entitled_teams")
        .order_by("-started_at", "-id")
    )


def customer_timeline(
    *, user: Any, customer: Customer, page: int = 1, page_size: int = TIMELINE_PAGE_SIZE
) -> tuple[list[TimelineEntry], bool]:
    """One page of the customer's contacts, newest first, and whether there are older ones.

    The caller must pass the customer through `people.selectors.customer_for_user` first.
    Restricted entries keep their date and channel, so the agent knows something exists.
    """
    team_ids = set(teams_for(user).values_list("pk", flat=True))
    offset = (max(page, 1) - 1) * page_size
    rows = list(contacts_for_customer(customer=customer)[offset : offset + page_size + 1])
    entries = [
        TimelineEntry(contact, not may_see_details(user=user, contact=contact, team_ids=team_ids))
        for contact in rows[:page_size]
    ]
    return entries, len(rows) > page_size


def contact_counts(*, customer: Customer) -> dict[str, int]:
    """Headline figures for the single view."""
    contacts = Contact.objects.for_customer(customer.pk)
    return {
        "total": contacts.count(),
        "avoidable": contacts.avoidable().count(),
    }


POPULAR_SAMPLE = 500  # the organisation's latest contacts that decide what is popular
POPULAR_WINDOW = datetime.timedelta(days=90)


def popular_services(*, user: Any, limit: int = 6) -> list[Service]:
    """The services most asked about lately, most used first.

    Counting every contact of the last 90 days would read hundreds of thousands of rows on
    each page view; the latest few hundred (one index range) give the same ranking.
    """
    organisation = organisation_for(user)
    if organisation is None:
        return []
    since = timezone.now() - POPULAR_WINDOW
    recent = (
        Contact.objects.filter(organisation=organisation, started_at__gte=since)
        .order_by("-started_at")
        .values_list("service_id", flat=True)[:POPULAR_SAMPLE]
    )
    counts = Counter(service_id for service_id in recent if service_id)
    ranked = [service_id for service_id, _count in counts.most_common(limit)]
    services = services_for(user=user).in_bulk(ranked)
    return [services[service_id] for service_id in ranked if service_id in services]
