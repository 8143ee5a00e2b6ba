"""Reads about satisfaction surveys: the invitation a link names, what it is about, and the
monthly report. Every survey is about a service that is not sensitive (the sampler leaves
those out), so the report shows service names and comments to whoever may read figures; the
caller checks that (console.views.insight.reads_figures)."""

import datetime
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Avg, Count, F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from civicdesk.organisations.models import Organisation
from civicdesk.surveys.models import Rating, SurveyInvitation
from civicdesk.surveys.services import invitation_id_from_token

LATEST_COMMENTS = 20


def invitation_for_token(*, token: str) -> SurveyInvitation | None:
    """The invitation a survey link names, or None when the link was altered or made up."""
    pk = invitation_id_from_token(token)
    if pk is None:
        return None
    return (
        SurveyInvitation.objects.select_related("contact__service", "case__service", "organisation")
        .filter(pk=pk)
        .first()
    )


@dataclass(frozen=True)
class SurveySubject:
    """What a survey is about, in words that identify nobody: the service, the date, and a
    case's reference."""

    service: str
    on: datetime.date
    reference: str
    is_case: bool


def subject_of(invitation: SurveyInvitation) -> SurveySubject:
    if invitation.case_id:
        case = invitation.case
        moment = case.resolved_at or case.opened_at
        return SurveySubject(case.service.name, timezone.localdate(moment), case.reference, True)
    contact = invitation.contact
    moment = contact.ended_at or contact.started_at
    name = contact.service.name if contact.service_id else ""
    return SurveySubject(name, timezone.localdate(moment), "", False)


# The monthly report.


def month_bounds(month: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The first moment of the month and of the next, in the council's time zone."""
    zone = ZoneInfo(settings.TIME_ZONE)
    first = month.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return (
        datetime.datetime.combine(first, datetime.time(), tzinfo=zone),
        datetime.datetime.combine(following, datetime.time(), tzinfo=zone),
    )


@dataclass(frozen=True)
class Figures:
    """The answers to the invitations sent in the month, for one group (or all of them)."""

    label: str
    sent: int
    answered: int
    average: float | None
    ratings: dict[int, int]  # rating -> answers, 5 (very satisfied) first
    said_resolved: int  # answered "yes" to "was it resolved?"
    answered_resolved: int  # answered that question at all

    @property
    def response_rate(self) -> float | None:
        return 100 * self.answered / self.sent if self.sent else None

    @property
    def resolved_percent(self) -> float | None:
        return 100 * self.said_resolved / self.answered_resolved if self.answered_resolved else None

    @property
    def distribution(self) -> list[tuple[int, int]]:
        return [(rating, self.ratings.get(rating, 0)) for rating in Rating.values]


@dataclass(frozen=True)
class Comment:
    service: str
    on: datetime.date  # when it was answered
    rating: int
    text: str


@dataclass(frozen=True)
class SatisfactionReport:
    month: datetime.date
    overall: Figures
    by_channel: list[Figures] = field(default_factory=list)
    by_service: list[Figures] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)


def _measures() -> dict[str, Any]:
    answered = Q(answered_at__isnull=False)
    return {
        "sent": Count("pk"),
        "answered": Count("pk", filter=answered),
        "average": Avg("rating", filter=answered),
        "said_resolved": Count("pk", filter=answered & Q(resolved=True)),
        "answered_resolved": Count("pk", filter=answered & Q(resolved__isnull=False)),
        **{
            f"rating_{rating}": Count("pk", filter=answered & Q(rating=rating))
            for rating in Rating.values
        },
    }


def _figures(label: str, row: dict[str, Any]) -> Figures:
    return Figures(
        label=label,
        sent=row["sent"],
        answered=row["answered"],
        average=float(row["average"]) if row["average"] is not None else None,
        ratings={rating: row[f"rating_{rating}"] for rating in Rating.values},
        said_resolved=row["said_resolved"],
        answered_resolved=row["answered_resolved"],
    )


def _sent_in(organisation: Organisation, month: datetime.date) -> QuerySet:
    start, end = month_bounds(month)
    return SurveyInvitation.objects.filter(
        organisation=organisation, sent_at__gte=start, sent_at__lt=end
    )


def satisfaction_report(
    *, organisation: Organisation, month: datetime.date, channel_labels: dict[str, str]
) -> SatisfactionReport:
    """The invitations sent in the month and their answers: overall, by the channel of the
    contact or case asked about, and by service; and the latest comments. Four queries."""
    sent = _sent_in(organisation, month)
    overall = _figures("", sent.aggregate(**_measures()))
    by_channel = [
        _figures(channel_labels.get(row["about_channel"], row["about_channel"]), row)
        for row in sent.annotate(about_channel=Coalesce(F("contact__channel"), F("case__channel")))
        .values("about_channel")
        .annotate(**_measures())
        .order_by("about_channel")
    ]
    by_service = [
        _figures(row["about_service"] or _("No service recorded"), row)
        for row in sent.annotate(
            about_service=Coalesce(F("contact__service__name"), F("case__service__name"))
        )
        .values("about_service")
        .annotate(**_measures())
        .order_by("about_service")
    ]
    comments = [
        Comment(
            service=row["about_service"] or _("No service recorded"),
            on=timezone.localdate(row["answered_at"]),
            rating=row["rating"],
            text=row["comment"],
        )
        for row in sent.filter(answered_at__isnull=False)
        .exclude(comment="")
        .annotate(about_service=Coalesce(F("contact__service__name"), F("case__service__name")))
        .order_by("-answered_at", "-pk")
        .values("about_service", "answered_at", "rating", "comment")[:LATEST_COMMENTS]
    ]
    return SatisfactionReport(
        month=month.replace(day=1),
        overall=overall,
        by_channel=by_channel,
        by_service=by_service,
        comments=comments,
    )
