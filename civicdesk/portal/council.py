"""Which council the portal serves, and which of its services the public may see.

The one place that decides it: the setting CIVICDESK_PORTAL_ORGANISATION (a council's slug),
or, left unset, the only council in the database.
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet

from civicdesk.catalogue.models import RequestKind, Service
from civicdesk.organisations.models import Organisation


def portal_council() -> Organisation:
    """The council this portal is for; ImproperlyConfigured when that cannot be told."""
    slug = getattr(settings, "CIVICDESK_PORTAL_ORGANISATION", "")
    councils = Organisation.objects.filter(kind=Organisation.Kind.COUNCIL)
    if slug:
        council = councils.filter(slug=slug).first()
        if council is None:
            raise ImproperlyConfigured(f"No council has the slug {slug!r}.")
        return council
    found = list(councils[:2])
    if len(found) != 1:
        raise ImproperlyConfigured(
            "Set CIVICDESK_PORTAL_ORGANISATION to the slug of the council the portal serves."
        )
    return found[0]


def public_services(council: Organisation) -> QuerySet[Service]:
    """The services listed in the A to Z: public and active."""
    return Service.objects.filter(organisation=council, is_public=True, is_active=True).order_by(
        "name"
    )


def requestable_services(council: Organisation, kind: str | None = None) -> QuerySet[Service]:
    """Public services that take requests online, optionally of one kind."""
    services = public_services(council).exclude(request_kind=RequestKind.NONE)
    return services.filter(request_kind=kind) if kind else services
