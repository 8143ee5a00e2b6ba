"""Recomputing the rollups from the raw contacts and cases.

The unit of work is one council's local day: everything the day's rows depend on is read again
and the day's rows are replaced, then the month's rows are summed again from its days. Doing the
whole day each time (a few thousand contacts at most) keeps the incremental refresh and the
rebuild from scratch one code path, so they cannot drift apart.

The backlog is different: it describes a moment, not events. Today's is taken again on every
refresh, yesterday's once more after midnight, and earlier days keep the figure taken then (a
case reassigned later does not rewrite last month's team backlog). A rebuild reconstructs past
days from the cases' opening and resolution times in one pass over the cases.
"""

import datetime
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from civicdesk.cases.models import Case
from civicdesk.contacts.models import AvoidableReason, Contact, Outcome
from civicdesk.insight.models import (
    BacklogDay,
    CaseDay,
    CaseMonth,
    ContactDay,
    ContactHour,
    ContactMonth,
    ContactSlot,
)

UTC = datetime.UTC
LOCAL = ZoneInfo(settings.TIME_ZONE)
SLOT = datetime.timedelta(minutes=30)
# Ages at which an open case counts as a week, four weeks and a quarter old.
AGE_BANDS = {"older_than_week": 7, "older_than_month": 28, "older_than_quarter": 91}
BATCH = 2_000
IN_CHUNK = 900

CONTACT_MEASURES = (
    "contacts", "handled_seconds", "avoidable", "chasing", "identified", "repeated",
    "responses", "rating_total", "answered_resolved", "said_resolved",
)  # fmt: skip
CONTACT_DIMENSIONS = ("service_id", "channel", "ward_id", "team_id", "outcome")
CASE_MEASURES = (
    "opened", "resolved", "resolved_in_time", "cycle_seconds", "chased", "chases",
    "responses", "rating_total", "answered_resolved", "said_resolved",
)  # fmt: skip
CASE_DIMENSIONS = ("service_id", "channel", "ward_id", "team_id")
BACKLOG_DIMENSIONS = ("service_id", "team_id", "ward_id")


def repeat_window() -> datetime.timedelta:
    """How soon a second contact about the same service counts as a repeat of the first."""
    return datetime.timedelta(days=settings.INSIGHT_REPEAT_DAYS)


def day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The UTC instants a local day starts and ends at (23 or 25 hours at the clock changes)."""
    start = datetime.datetime.combine(day, datetime.time(), tzinfo=LOCAL)
    end = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(), tzinfo=LOCAL)
    return start.astimezone(UTC), end.astimezone(UTC)


def local_day(moment: datetime.datetime) -> datetime.date:
    return moment.astimezone(LOCAL).date()


def month_of(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _month_days(month: datetime.date) -> tuple[datetime.date, datetime.date]:
    following = (month + datetime.timedelta(days=32)).replace(day=1)
    return month, following - datetime.timedelta(days=1)


def _chunks[T](values: list[T], size: int = IN_CHUNK) -> Iterator[list[T]]:
    for first in range(0, len(values), size):
        yield values[first : first + size]


# Contacts.


def _repeated_ids(
    organisation_id: int, rows: list[tuple], start: datetime.datetime, end: datetime.datetime
) -> set[int]:
    """The day's contacts that the same customer followed within the window about the same
    service (a contact at the same instant counts if it was logged after)."""
    customers = sorted({row[1] for row in rows if row[1] and row[2]})
    later: dict[tuple[int, int], list[tuple[datetime.datetime, int]]] = defaultdict(list)
    window = repeat_window()
    for chunk in _chunks(customers):
        for customer_id, service_id, started_at, pk in Contact.objects.filter(
            organisation_id=organisation_id,
            customer_id__in=chunk,
            service_id__isnull=False,
            started_at__gte=start,
            started_at__lt=end + window,
        ).values_list("customer_id", "service_id", "started_at", "id"):
            later[(customer_id, service_id)].append((started_at, pk))
    repeated = set()
    for pk, customer_id, service_id, *_rest, started_at, _ended_at in rows:
        if not (customer_id and service_id):
            continue
        times = later[(customer_id, service_id)]
        times.sort()
        after = bisect_right(times, (started_at, pk))
        if after < len(times) and times[after][0] <= started_at + window:
            repeated.add(pk)
    return repeated


CONTACT_FIELDS = (
    "id", "customer_id", "service_id", "channel", "ward_id", "team_id", "outcome",
    "avoidable_reason", "started_at", "ended_at",
)  # fmt: skip


def _contact_rows(organisation_id: int, day: datetime.date) -> None:
    start, end = day_bounds(day)
    rows = list(
        Contact.objects.filter(
            organisation_id=organisation_id, started_at__gte=start, started_at__lt=end
        ).values_list(*CONTACT_FIELDS)
    )
    repeated = _repeated_ids(organisation_id, rows, start, end)
    surveyed = _survey_answers("contact_id", [row[0] for row in rows])
    hours: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(CONTACT_MEASURES))
    slots: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])
    for row in rows:
        pk, customer_id, service_id, channel, ward_id, team_id, outcome, reason = row[:8]
        started, ended = row[8:]
        seconds = max(0, int((ended - started).total_seconds())) if ended else 0
        hour = started.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
        figures = hours[(hour, service_id, channel, ward_id, team_id, outcome)]
        figures[0] += 1
        figures[1] += seconds
        figures[2] += bool(reason)
        figures[3] += reason == AvoidableReason.CHASING
        figures[4] += bool(customer_id and service_id)
        figures[5] += pk in repeated
        _add_answer(figures, 6, surveyed.get(pk))
        slot = hour + SLOT * (started.minute >= 30)
        slot_figures = slots[(slot, channel)]
        slot_figures[0] += 1
        slot_figures[1] += seconds
        slot_figures[2] += outcome == Outcome.ABANDONED
    days: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(CONTACT_MEASURES))
    for (_hour, *key), figures in hours.items():
        _add(days[tuple(key)], figures)

    ContactHour.objects.filter(
        organisation_id=organisation_id, hour__gte=start, hour__lt=end
    ).delete()
    ContactSlot.objects.filter(
        organisation_id=organisation_id, starts_at__gte=start, starts_at__lt=end
    ).delete()
    ContactDay.objects.filter(organisation_id=organisation_id, day=day).delete()
    ContactHour.objects.bulk_create(
        (
            ContactHour(organisation_id=organisation_id, hour=key[0], **_named(key[1:], figures))
            for key, figures in hours.items()
        ),
        batch_size=BATCH,
    )
    ContactDay.objects.bulk_create(
        (
            ContactDay(organisation_id=organisation_id, day=day, **_named(key, figures))
            for key, figures in days.items()
        ),
        batch_size=BATCH,
    )
    ContactSlot.objects.bulk_create(
        (
            ContactSlot(
                organisation_id=organisation_id,
                starts_at=slot,
                channel=channel,
                contacts=figures[0],
                handled_seconds=figures[1],
                abandoned=figures[2],
            )
            for (slot, channel), figures in slots.items()
        ),
        batch_size=BATCH,
    )


def _named(key: Iterable, figures: list[int]) -> dict:
    return dict(zip(CONTACT_DIMENSIONS, key, strict=True)) | dict(
        zip(CONTACT_MEASURES, figures, strict=True)
    )


def _add(total: list[int], figures: list[int]) -> None:
    for index, value in enumerate(figures):
        total[index] += value


def _add_answer(figures: list[int], first: int, answer: tuple[int, bool | None] | None) -> None:
    """Adds responses, rating_total, answered_resolved and said_resolved, in that order."""
    if answer is None:
        return
    rating, resolved = answer
    figures[first] += 1
    figures[first + 1] += rating
    figures[first + 2] += resolved is not None
    figures[first + 3] += resolved is True


def _survey_answers(field: str, ids: list[int]) -> dict[int, tuple[int, bool | None]]:
    """Answered satisfaction surveys about these contacts or cases: {id: (rating, resolved)}."""
    from civicdesk.surveys.models import SurveyInvitation

    answers = {}
    for chunk in _chunks(ids):
        answers.update(
            (owner, (rating, resolved))
            for owner, rating, resolved in SurveyInvitation.objects.filter(
                **{f"{field}__in": chunk}, answered_at__isnull=False
            ).values_list(field, "rating", "resolved")
        )
    return answers


# Cases.

CASE_FIELDS = (
    "id", "service_id", "channel", "ward_id", "team_id", "opened_at", "resolved_at",
    "resolution_breached_at", "chase_count",
)  # fmt: skip


def _case_rows(organisation_id: int, day: datetime.date) -> None:
    start, end = day_bounds(day)
    cases = Case.objects.filter(organisation_id=organisation_id)
    opened = cases.filter(opened_at__gte=start, opened_at__lt=end).values_list(*CASE_FIELDS)
    resolved = list(
        cases.filter(resolved_at__gte=start, resolved_at__lt=end).values_list(*CASE_FIELDS)
    )
    surveyed = _survey_answers("case_id", [row[0] for row in resolved])
    figures: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(CASE_MEASURES))
    for _pk, *key, _opened_at, _resolved_at, _breached, _chases in opened:
        figures[tuple(key)][0] += 1
    for pk, *key, opened_at, resolved_at, breached, chases in resolved:
        row = figures[tuple(key)]
        row[1] += 1
        row[2] += breached is None
        row[3] += max(0, int((resolved_at - opened_at).total_seconds()))
        row[4] += chases > 0
        row[5] += chases
        _add_answer(row, 6, surveyed.get(pk))
    CaseDay.objects.filter(organisation_id=organisation_id, day=day).delete()
    CaseDay.objects.bulk_create(
        (
            CaseDay(
                organisation_id=organisation_id,
                day=day,
                **dict(zip(CASE_DIMENSIONS, key, strict=True)),
                **dict(zip(CASE_MEASURES, row, strict=True)),
            )
            for key, row in figures.items()
        ),
        batch_size=BATCH,
    )


# Months.


def _month_rows(organisation_id: int, month: datetime.date) -> None:
    first, last = _month_days(month)
    for day_model, month_model, dimensions, measures in (
        (ContactDay, ContactMonth, CONTACT_DIMENSIONS, CONTACT_MEASURES),
        (CaseDay, CaseMonth, CASE_DIMENSIONS, CASE_MEASURES),
    ):
        summed = (
            day_model.objects.filter(organisation_id=organisation_id, day__range=(first, last))
            .values(*dimensions)
            .annotate(**{f"total_{name}": Sum(name) for name in measures})
            .order_by()
        )
        month_model.objects.filter(organisation_id=organisation_id, month=month).delete()
        month_model.objects.bulk_create(
            (
                month_model(
                    organisation_id=organisation_id,
                    month=month,
                    **{name: row[name] for name in dimensions},
                    **{name: row[f"total_{name}"] for name in measures},
                )
                for row in summed
            ),
            batch_size=BATCH,
        )


def recompute_days(organisation_id: int, days: Iterable[datetime.date]) -> int:
    """Replace the contact and case rollups of these days and of their months."""
    months = set()
    count = 0
    for day in sorted(set(days)):
        with transaction.atomic():
            _contact_rows(organisation_id, day)
            _case_rows(organisation_id, day)
        months.add(month_of(day))
        count += 1
    for month in sorted(months):
        with transaction.atomic():
            _month_rows(organisation_id, month)
    return count


# The backlog.


@dataclass(frozen=True)
class _Moment:
    """The end of the day a backlog is taken for (now, for today), and the thresholds its age
    bands and lateness are judged against."""

    at: datetime.datetime
    banded_before: dict[str, datetime.datetime]

    @classmethod
    def of(cls, day: datetime.date, now: datetime.datetime) -> "_Moment":
        at = min(day_bounds(day)[1], now)
        banded = {
            name: day_bounds(day - datetime.timedelta(days=days - 1))[0]
            for name, days in AGE_BANDS.items()
        }
        return cls(at=at, banded_before=banded)


def take_backlog(organisation_id: int, day: datetime.date, now: datetime.datetime) -> int:
    """The backlog at the end of `day` (or now, if the day is not over): cases opened before then
    and not resolved by then. Read through the two indexes on still-unresolved and recently
    resolved cases, so only recent days are cheap; older days are rebuilt by a sweep."""
    moment = _Moment.of(day, now)
    counts = {
        "open": Count("id"),
        "overdue": Count("id", filter=Q(resolution_due_at__lt=moment.at)),
        **{
            name: Count("id", filter=Q(opened_at__lt=before))
            for name, before in moment.banded_before.items()
        },
    }
    cases = Case.objects.filter(organisation_id=organisation_id, opened_at__lt=moment.at)
    totals: dict[tuple, dict[str, int]] = defaultdict(lambda: dict.fromkeys(counts, 0))
    for part in (
        cases.filter(resolved_at__isnull=True),
        cases.filter(resolved_at__gte=moment.at),
    ):
        for row in part.values(*BACKLOG_DIMENSIONS).annotate(**counts).order_by():
            total = totals[tuple(row[name] for name in BACKLOG_DIMENSIONS)]
            for name in counts:
                total[name] += row[name]
    with transaction.atomic():
        BacklogDay.objects.filter(organisation_id=organisation_id, day=day).delete()
        BacklogDay.objects.bulk_create(
            BacklogDay(
                organisation_id=organisation_id,
                day=day,
                **dict(zip(BACKLOG_DIMENSIONS, key, strict=True)),
                **values,
            )
            for key, values in totals.items()
        )
    return len(totals)


def reconstruct_backlog(organisation_id: int, first: datetime.date, last: datetime.date) -> int:
    """The backlog at the end of every day from `first` to `last` (all over), from one pass over
    the cases: each case adds one to a day's count from the day it opened (or became overdue, or
    reached an age) until the day it was resolved."""
    span = (last - first).days + 1
    if span <= 0:
        return 0
    changes: dict[tuple, dict[str, dict[int, int]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(int))
    )
    last_end = day_bounds(last)[1]
    rows = (
        Case.objects.filter(organisation_id=organisation_id, opened_at__lt=last_end)
        .filter(Q(resolved_at__isnull=True) | Q(resolved_at__gte=day_bounds(first)[1]))
        .values_list(*BACKLOG_DIMENSIONS, "opened_at", "resolved_at", "resolution_due_at")
    )
    for service_id, team_id, ward_id, opened_at, resolved_at, due_at in rows.iterator(10_000):
        opened = (local_day(opened_at) - first).days
        gone = span if resolved_at is None else min(span, (local_day(resolved_at) - first).days)
        starts = {"open": opened}
        if due_at is not None:
            starts["overdue"] = max(opened, (local_day(due_at) - first).days)
        for name, days in AGE_BANDS.items():
            starts[name] = opened + days
        key_changes = changes[(service_id, team_id, ward_id)]
        for name, begin in starts.items():
            begin = max(begin, 0)
            if begin < gone:
                key_changes[name][begin] += 1
                key_changes[name][gone] -= 1
    names = ("open", "overdue", *AGE_BANDS)
    made = 0
    with transaction.atomic():
        BacklogDay.objects.filter(
            organisation_id=organisation_id, day__range=(first, last)
        ).delete()
        batch: list[BacklogDay] = []
        for key, by_name in changes.items():
            running = dict.fromkeys(names, 0)
            moments = sorted({index for steps in by_name.values() for index in steps})
            for position, index in enumerate(moments):
                for name in names:
                    running[name] += by_name[name].get(index, 0)
                following = moments[position + 1] if position + 1 < len(moments) else span
                if running["open"] <= 0 or index >= span:
                    continue
                for offset in range(index, min(following, span)):
                    batch.append(
                        BacklogDay(
                            organisation_id=organisation_id,
                            day=first + datetime.timedelta(days=offset),
                            **dict(zip(BACKLOG_DIMENSIONS, key, strict=True)),
                            **running,
                        )
                    )
                if len(batch) >= BATCH * 5:
                    BacklogDay.objects.bulk_create(batch, batch_size=BATCH)
                    made += len(batch)
                    batch = []
        BacklogDay.objects.bulk_create(batch, batch_size=BATCH)
        made += len(batch)
    return made


def now_local_day(now: datetime.datetime | None = None) -> datetime.date:
    return local_day(now or timezone.now())
