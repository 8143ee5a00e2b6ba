"""Reads only the desktop needs. Each one is bounded, so a page stays fast at council scale."""

import datetime
from collections import Counter
from typing import Any

from django.db.models import Q
from django.utils import timezone

from civicdesk.catalogue.models import Service
from civicdesk.catalogue.selectors import services_for
from civicdesk.contacts.models import Contact
from civicdesk.organisations.selectors import organisation_for
from civicdesk.people.models import Consent, Customer, Representative

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


def active_representatives(*, customer: Customer) -> list[Representative]:
    """Who may act for the customer today: not revoked and consent not expired."""
    today = timezone.localdate()
    return list(
        customer.representatives.filter(revoked_at__isnull=True)
        .filter(Q(consent_expires_on__isnull=True) | Q(consent_expires_on__gte=today))
        .select_related("partner_organisation")
        .prefetch_related("services")
    )


def consents_in_force(*, customer: Customer) -> list[Consent]:
    """The latest consent per purpose: consents are a history and the newest one counts."""
    latest: dict[str, Consent] = {}
    for consent in customer.consents.order_by("purpose", "-recorded_at", "-pk"):
        latest.setdefault(consent.purpose, consent)
    return list(latest.values())
