"""Reads about organisations, teams and staff that more than one caller needs."""

from collections.abc import Iterable, Mapping
from datetime import date, time
from typing import Any

from django.db.models import QuerySet

from civicdesk.core.calendar import WorkingCalendar
from civicdesk.organisations.models import Membership, Organisation, Role, Team


def _is_staff_member(user: Any) -> bool:
    """Anonymous visitors and deactivated accounts hold no role anywhere."""
    return user is not None and user.is_authenticated and user.is_active


def memberships_for(user: Any) -> QuerySet[Membership]:
    """A staff member's places in teams, oldest first, with team and organisation loaded."""
    if not _is_staff_member(user):
        return Membership.objects.none()
    return (
        Membership.objects.filter(user=user)
        .select_related("team", "organisation")
        .order_by("joined_on", "pk")
    )


def organisation_for(user: Any) -> Organisation | None:
    """A staff member's home organisation: that of the team they joined first."""
    membership = memberships_for(user).first()
    return membership.organisation if membership else None


def home_organisation_id(user: Any) -> int | None:
    """The home organisation's id, e.g. to file a staff member's audit entries under."""
    organisation = organisation_for(user)
    return organisation.pk if organisation else None


def teams_for(user: Any) -> QuerySet[Team]:
    """The teams a staff member works in, e.g. to choose which queues they see."""
    if not _is_staff_member(user):
        return Team.objects.none()
    return Team.objects.filter(memberships__user=user).select_related("organisation")


def has_role(user: Any, *roles: str, organisation: Organisation | None = None) -> bool:
    """Whether the user holds any of `roles` in some team, or in `organisation` if given.

    Roles are not ranked: ask for every role that may do the thing. A superuser counts as an
    administrator of every organisation, and of nothing else.
    """
    if not roles:
        raise ValueError("Name at least one role.")
    unknown = set(roles) - set(Role.values)
    if unknown:
        raise ValueError(f"Unknown roles: {', '.join(sorted(unknown))}.")
    if not _is_staff_member(user):
        return False
    if user.is_superuser and Role.ADMINISTRATOR in roles:
        return True
    memberships = Membership.objects.filter(user=user, role__in=roles)
    if organisation is not None:
        memberships = memberships.filter(organisation=organisation)
    return memberships.exists()


def calendar_for(organisation: Organisation) -> WorkingCalendar:
    """The working calendar that SLA clocks use for this organisation.

    Raises ValueError when the stored opening hours or closure dates cannot be read.
    """
    return WorkingCalendar(
        parse_opening_hours(organisation.opening_hours),
        closure_dates=parse_closure_dates(organisation.closure_dates),
    )


def parse_opening_hours(stored: Mapping[str, Any]) -> dict[int, list[tuple[time, time]]]:
    """Read `{"0": ["09:00", "17:00"], ...}` (0 = Monday); a missing or empty day is closed."""
    if not isinstance(stored, Mapping):
        raise ValueError("Opening hours must map weekday numbers to [opening, closing] times.")
    hours: dict[int, list[tuple[time, time]]] = {}
    for weekday, times in stored.items():
        if not times:
            continue
        try:
            opens, closes = (time.fromisoformat(value) for value in times)
            day = int(weekday)
        except (TypeError, ValueError) as error:
            raise ValueError(f"Cannot read opening hours {times!r} for day {weekday!r}.") from error
        hours[day] = [(opens, closes)]
    return hours


def parse_closure_dates(stored: Iterable[str]) -> set[date]:
    """Read a list of ISO dates, e.g. `["2026-12-24"]`."""
    if isinstance(stored, str | bytes) or not isinstance(stored, Iterable):
        raise ValueError("Closure dates must be a list of dates such as 2026-12-24.")
    try:
        return {date.fromisoformat(value) for value in stored}
    except (TypeError, ValueError) as error:
        raise ValueError(f"Cannot read closure dates {list(stored)!r}.") from error
