"""The escalation sweep: warn team leaders at 75% of a target and mark missed targets.

Due times are stored on each case and referral, so the sweep reads only what has fallen due
(partial indexes hold just the rows still to be warned or marked). Each row is claimed by a
conditional update, so a second sweep, or two workers at once, never warn or mark twice.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from civicdesk.cases.models import Case, CaseEvent, EventKind, Referral, ReferralStatus
from civicdesk.notify.models import MessageEvent
from civicdesk.notify.services import notify_staff
from civicdesk.organisations.models import Membership, Role

BATCH = 2000


@dataclass
class SweepResult:
    warned: int = 0
    first_response_breached: int = 0
    resolution_breached: int = 0
    referral_acknowledgements_missed: int = 0
    referrals_overdue: int = 0
    warned_by_team: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))


def _claim(
    queryset: QuerySet, stamp_field: str, stamp: Any, *, due_field: str
) -> list[tuple[int, int, str, datetime.datetime]]:
    """Mark one batch and return (id, team id, reference, due) for the rows this call marked.

    On PostgreSQL the rows are locked and rows another sweep holds are skipped; SQLite runs
    one writing transaction at a time. Either way no row is marked, or announced, twice.
    """
    # Soonest due first: the partial index is on the due field, and a team leader's list of
    # warned cases reads in the order they fall due (the model's default is newest first).
    rows = list(
        queryset.select_for_update(skip_locked=True)
        .order_by(due_field, "pk")
        .values_list("pk", "team_id", "reference", due_field)[:BATCH]
    )
    if rows:
        queryset.model.objects.filter(
            pk__in=[row[0] for row in rows], **{f"{stamp_field}__isnull": True}
        ).update(**{stamp_field: stamp})
    return rows


def _events(rows, kind: str) -> None:
    CaseEvent.objects.bulk_create(
        CaseEvent(case_id=row[0], kind=kind, occurred_at=row[3]) for row in rows
    )


def _warn_team_leaders(warned_by_team: dict[int, list[str]]) -> None:
    """One message per team leader per batch of a sweep (normally the whole sweep), listing
    the cases, rather than one per case."""
    leaders = Membership.objects.filter(
        team_id__in=list(warned_by_team), role=Role.TEAM_LEADER, user__is_active=True
    ).select_related("user", "team__organisation__parent")
    for membership in leaders:
        references = warned_by_team[membership.team_id]
        organisation = membership.team.organisation
        notify_staff(
            # A partner team working the council's cases is warned in the council's words: the
            # partner agency has no message templates of its own.
            organisation=organisation.parent or organisation,
            staff_member=membership.user,
            event=MessageEvent.SLA_WARNING,
            about_reference=references[0] if len(references) == 1 else "",
            personalisation={
                "name": membership.user.get_full_name() or membership.user.username,
                "team": membership.team.name,
                "reference": ", ".join(references[:50])
                + (f" and {len(references) - 50} more" if len(references) > 50 else ""),
                "service": "",
                "due": "",
                "case_url": "",
            },
        )


def sweep(*, now: datetime.datetime | None = None) -> SweepResult:
    """Run every check until nothing due is left. Safe to run twice, or twice at once."""
    now = now or timezone.now()
    result = SweepResult()
    running = Case.objects.filter(is_open=True, clock_paused_at__isnull=True)
    checks = [
        (
            running.filter(warned_at__isnull=True, resolution_warn_at__lte=now),
            "warned_at",
            now,
            "resolution_warn_at",
            EventKind.SLA_WARNING,
            "warned",
        ),
        (
            running.filter(
                first_response_at__isnull=True,
                first_response_breached_at__isnull=True,
                first_response_due_at__lte=now,
            ),
            "first_response_breached_at",
            F("first_response_due_at"),
            "first_response_due_at",
            EventKind.FIRST_RESPONSE_BREACHED,
            "first_response_breached",
        ),
        (
            running.filter(resolution_breached_at__isnull=True, resolution_due_at__lte=now),
            "resolution_breached_at",
            F("resolution_due_at"),
            "resolution_due_at",
            EventKind.RESOLUTION_BREACHED,
            "resolution_breached",
        ),
    ]
    for queryset, stamp_field, stamp, due_field, kind, counter in checks:
        while True:
            with transaction.atomic():
                rows = _claim(queryset, stamp_field, stamp, due_field=due_field)
                _events(rows, kind)
                if kind == EventKind.SLA_WARNING and rows:
                    # Messages are written with the marks they report, so a failure loses
                    # neither: both roll back and the next sweep tries again.
                    batch: dict[int, list[str]] = defaultdict(list)
                    for _pk, team_id, reference, _due in rows:
                        batch[team_id].append(reference)
                        result.warned_by_team[team_id].append(reference)
                    _warn_team_leaders(batch)
            setattr(result, counter, getattr(result, counter) + len(rows))
            if len(rows) < BATCH:
                break
    result.referral_acknowledgements_missed = _mark_referrals(
        Referral.objects.filter(
            status=ReferralStatus.PENDING,
            acknowledge_breached_at__isnull=True,
            acknowledge_due_at__lte=now,
        ),
        "acknowledge_breached_at",
        "acknowledge_due_at",
    )
    result.referrals_overdue = _mark_referrals(
        Referral.objects.active().filter(breached_at__isnull=True, due_at__lte=now),
        "breached_at",
        "due_at",
    )
    return result


def _mark_referrals(queryset: QuerySet[Referral], stamp_field: str, due_field: str) -> int:
    marked = 0
    while True:
        with transaction.atomic():
            ids = list(
                queryset.select_for_update(skip_locked=True).values_list("pk", flat=True)[:BATCH]
            )
            marked += queryset.filter(pk__in=ids).update(**{stamp_field: F(due_field)})
        if len(ids) < BATCH:
            return marked
