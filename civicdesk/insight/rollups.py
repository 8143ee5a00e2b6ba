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
import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from civicdesk.cases.models import Case
from civicdesk.contacts.models import AvoidableReason, Contact, Outcome
from civicdesk.insight.models import (
    BacklogDay,
    CaseDay,
    CaseDaySummary,
    CaseMonth,
    CaseMonthSummary,
    ContactDay,
    ContactDaySummary,
    ContactHour,
    ContactMonth,
    ContactMonthSummary,
    ContactSlot,
    Dimension,
)

UTC = datetime.UTC
LOCAL = ZoneInfo(settings.TIME_ZONE)
SLOT = datetime.timedelta(minutes=30)
# Ages at which an open case counts as a week, four weeks and a quarter old.
AGE_BANDS = {"older_than_week": 7, "older_than_month": 28, "older_than_quarter": 91}
BATCH = 2_000

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
# A summary row's key: its channel, what else it is by, and that dimension's value.
CONTACT_SUMMARY_KEY = (
    "channel", "dimension", "service_id", "ward_id", "team_id", "outcome", "hour_of_day",
)  # fmt: skip
CONTACT_SUMMARY_MEASURES = (
    *CONTACT_MEASURES, "resolved_first_time", "resolved_and_necessary", "abandoned",
)  # fmt: skip
CASE_SUMMARY_KEY = ("channel", "dimension", "service_id", "ward_id", "team_id")
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


def month_end(day: datetime.date) -> datetime.date:
    return (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(
        days=1
    )


# Contacts.


def _repeated_ids(organisation_id: int, rows: list[tuple], end: datetime.datetime) -> set[int]:
    """The contacts in `rows` (all those before `end` back to some start) that the same customer
    followed within the window about the same service. A contact at the same instant counts
    if it was logged after. Only the window after `end` is read again."""
    window = repeat_window()
    later: dict[tuple[int, int], list[tuple[datetime.datetime, int]]] = defaultdict(list)
    for pk, customer_id, service_id, *_rest, started_at, _ended_at in rows:
        if customer_id and service_id:
            later[(customer_id, service_id)].append((started_at, pk))
    following = Contact.objects.filter(
        organisation_id=organisation_id,
        started_at__gte=end,
        started_at__lt=end + window,
        customer__isnull=False,
        service__isnull=False,
    ).values_list("customer_id", "service_id", "started_at", "id")
    for customer_id, service_id, started_at, pk in following:
        if (customer_id, service_id) in later:
            later[(customer_id, service_id)].append((started_at, pk))
    repeated = set()
    for times in later.values():
        times.sort()
        for (started_at, pk), (next_at, _next) in itertools.pairwise(times):
            if next_at <= started_at + window and started_at < end:
                repeated.add(pk)
    return repeated


CONTACT_FIELDS = (
    "id", "customer_id", "service_id", "channel", "ward_id", "team_id", "outcome",
    "avoidable_reason", "started_at", "ended_at",
)  # fmt: skip


def _contact_rows(organisation_id: int, first: datetime.date, last: datetime.date) -> None:
    """Replace the hourly, daily and half-hourly contact rows of the days `first` to `last`."""
    start, end = day_bounds(first)[0], day_bounds(last)[1]
    rows = list(
        Contact.objects.filter(
            organisation_id=organisation_id, started_at__gte=start, started_at__lt=end
        ).values_list(*CONTACT_FIELDS)
    )
    repeated = _repeated_ids(organisation_id, rows, end)
    surveyed = _survey_answers(
        "contact", organisation_id, contact__started_at__gte=start, contact__started_at__lt=end
    )
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
        slot_figures = slots[(hour + SLOT * (started.minute >= 30), channel)]
        slot_figures[0] += 1
        slot_figures[1] += seconds
        slot_figures[2] += outcome == Outcome.ABANDONED
    days: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(CONTACT_MEASURES))
    day_of: dict[datetime.datetime, datetime.date] = {}
    for (hour, *key), figures in hours.items():
        if hour not in day_of:
            day_of[hour] = local_day(hour)
        _add(days[(day_of[hour], *key)], figures)

    where = {"organisation_id": organisation_id}
    ContactHour.objects.filter(hour__gte=start, hour__lt=end, **where).delete()
    ContactSlot.objects.filter(starts_at__gte=start, starts_at__lt=end, **where).delete()
    ContactDay.objects.filter(day__range=(first, last), **where).delete()
    columns = ("organisation_id", *CONTACT_DIMENSIONS, *CONTACT_MEASURES)
    _insert(ContactHour, ("hour", *columns), _period_rows(hours, organisation_id, _moment))
    _insert(ContactDay, ("day", *columns), _period_rows(days, organisation_id, _date))
    _contact_summary_rows(organisation_id, first, last, hours)
    _insert(
        ContactSlot,
        ("starts_at", "channel", "organisation_id", "contacts", "handled_seconds", "abandoned"),
        (
            (_moment(slot), channel, organisation_id, *figures)
            for (slot, channel), figures in slots.items()
        ),
    )


def _contact_summary_rows(
    organisation_id: int, first: datetime.date, last: datetime.date, hours: dict[tuple, list[int]]
) -> None:
    """Replace the contact summaries of the days `first` to `last` from their hourly figures:
    each hour's figures are added once by channel alone and once more by each dimension."""
    summaries: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(CONTACT_SUMMARY_MEASURES))
    local_of: dict[datetime.datetime, datetime.datetime] = {}
    for (hour, service_id, channel, ward_id, team_id, outcome), figures in hours.items():
        if hour not in local_of:
            local_of[hour] = hour.astimezone(LOCAL)
        local = local_of[hour]
        contacts, avoidable = figures[0], figures[2]
        resolved = outcome == Outcome.RESOLVED
        values = [
            *figures,
            contacts if resolved else 0,
            contacts - avoidable if resolved else 0,
            contacts if outcome == Outcome.ABANDONED else 0,
        ]
        day = local.date()
        for key in (
            (Dimension.NONE, None, None, None, "", None),
            (Dimension.SERVICE, service_id, None, None, "", None),
            (Dimension.WARD, None, ward_id, None, "", None),
            (Dimension.TEAM, None, None, team_id, "", None),
            (Dimension.OUTCOME, None, None, None, outcome, None),
            (Dimension.HOUR, None, None, None, "", local.hour),
        ):
            _add(summaries[(day, channel, *key)], values)
    ContactDaySummary.objects.filter(
        organisation_id=organisation_id, day__range=(first, last)
    ).delete()
    _insert(
        ContactDaySummary,
        ("day", "organisation_id", *CONTACT_SUMMARY_KEY, *CONTACT_SUMMARY_MEASURES),
        _period_rows(summaries, organisation_id, _date),
    )


def _moment(value: datetime.datetime) -> object:
    return connection.ops.adapt_datetimefield_value(value)


def _date(value: datetime.date) -> object:
    return connection.ops.adapt_datefield_value(value)


def _period_rows(
    figures: dict[tuple, list[int]], organisation_id: int, adapt: Callable[[Any], object]
) -> Iterator[tuple]:
    """(period, organisation, *dimensions, *measures) for each (period, *dimensions) key."""
    adapted: dict[Any, object] = {}
    for (period, *key), values in figures.items():
        if period not in adapted:
            adapted[period] = adapt(period)
        yield (adapted[period], organisation_id, *key, *values)


def _insert(model: type[models.Model], columns: tuple[str, ...], rows: Iterable[tuple]) -> None:
    """Many rows at once with one prepared INSERT: a rebuild writes millions, and building a
    model instance and SQL for each (as bulk_create does) costs more than the database does."""
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        connection.ops.quote_name(model._meta.db_table),
        ", ".join(connection.ops.quote_name(column) for column in columns),
        ", ".join(["%s"] * len(columns)),
    )
    batch: list[tuple] = []
    with connection.cursor() as cursor:
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH * 5:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


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


def _survey_answers(
    about: str, organisation_id: int, **where: object
) -> dict[int, tuple[int, bool | None]]:
    """Answered satisfaction surveys about the contacts or cases `where` picks out:
    {contact or case id: (rating, resolved)}."""
    from civicdesk.surveys.models import SurveyInvitation

    return {
        owner: (rating, resolved)
        for owner, rating, resolved in SurveyInvitation.objects.filter(
            organisation_id=organisation_id, answered_at__isnull=False, **where
        ).values_list(f"{about}_id", "rating", "resolved")
    }


# Cases.

CASE_FIELDS = (
    "id", "service_id", "channel", "ward_id", "team_id", "opened_at", "resolved_at",
    "resolution_breached_at", "chase_count",
)  # fmt: skip


def _case_rows(organisation_id: int, first: datetime.date, last: datetime.date) -> None:
    """Replace the daily case rows of the days `first` to `last`."""
    start, end = day_bounds(first)[0], day_bounds(last)[1]
    cases = Case.objects.filter(organisation_id=organisation_id)
    opened = cases.filter(opened_at__gte=start, opened_at__lt=end).values_list(*CASE_FIELDS)
    resolved = cases.filter(resolved_at__gte=start, resolved_at__lt=end).values_list(*CASE_FIELDS)
    surveyed = _survey_answers(
        "case", organisation_id, case__resolved_at__gte=start, case__resolved_at__lt=end
    )
    figures: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(CASE_MEASURES))
    for _pk, *key, opened_at, _resolved_at, _breached, _chases in opened:
        figures[(local_day(opened_at), *key)][0] += 1
    for pk, *key, opened_at, resolved_at, breached, chases in resolved:
        row = figures[(local_day(resolved_at), *key)]
        row[1] += 1
        row[2] += breached is None
        row[3] += max(0, int((resolved_at - opened_at).total_seconds()))
        row[4] += chases > 0
        row[5] += chases
        _add_answer(row, 6, surveyed.get(pk))
    CaseDay.objects.filter(organisation_id=organisation_id, day__range=(first, last)).delete()
    columns = ("day", "organisation_id", *CASE_DIMENSIONS, *CASE_MEASURES)
    _insert(CaseDay, columns, _period_rows(figures, organisation_id, _date))
    _case_summary_rows(organisation_id, first, last, figures)


def _case_summary_rows(
    organisation_id: int, first: datetime.date, last: datetime.date, days: dict[tuple, list[int]]
) -> None:
    """Replace the case summaries of the days `first` to `last` from their daily figures."""
    summaries: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(CASE_MEASURES))
    for (day, service_id, channel, ward_id, team_id), figures in days.items():
        for key in (
            (Dimension.NONE, None, None, None),
            (Dimension.SERVICE, service_id, None, None),
            (Dimension.WARD, None, ward_id, None),
            (Dimension.TEAM, None, None, team_id),
        ):
            _add(summaries[(day, channel, *key)], figures)
    CaseDaySummary.objects.filter(
        organisation_id=organisation_id, day__range=(first, last)
    ).delete()
    _insert(
        CaseDaySummary,
        ("day", "organisation_id", *CASE_SUMMARY_KEY, *CASE_MEASURES),
        _period_rows(summaries, organisation_id, _date),
    )


# Months.


def _month_rows(organisation_id: int, month: datetime.date) -> None:
    first, last = month, month_end(month)
    for day_model, month_model, dimensions, measures in (
        (ContactDay, ContactMonth, CONTACT_DIMENSIONS, CONTACT_MEASURES),
        (CaseDay, CaseMonth, CASE_DIMENSIONS, CASE_MEASURES),
        (ContactDaySummary, ContactMonthSummary, CONTACT_SUMMARY_KEY, CONTACT_SUMMARY_MEASURES),
        (CaseDaySummary, CaseMonthSummary, CASE_SUMMARY_KEY, CASE_MEASURES),
    ):
        summed = (
            day_model.objects.filter(organisation_id=organisation_id, day__range=(first, last))
            .values(*dimensions)
            .annotate(**{f"total_{name}": Sum(name) for name in measures})
            .order_by()
        )
        month_model.objects.filter(organisation_id=organisation_id, month=month).delete()
        _insert(
            month_model,
            ("month", "organisation_id", *dimensions, *measures),
            (
                (
                    _date(month),
                    organisation_id,
                    *(row[name] for name in dimensions),
                    *(row[f"total_{name}"] for name in measures),
                )
                for row in summed
            ),
        )


def recompute_days(organisation_id: int, first: datetime.date, last: datetime.date) -> int:
    """Replace the contact and case rollups of the days `first` to `last` and of their months."""
    with transaction.atomic():
        _contact_rows(organisation_id, first, last)
        _case_rows(organisation_id, first, last)
    _months(organisation_id, first, last)
    return (last - first).days + 1


def _months(organisation_id: int, first: datetime.date, last: datetime.date) -> None:
    """Sum the months of the days `first` to `last` again from their days, one at a time."""
    month = month_of(first)
    while month <= last:
        with transaction.atomic():
            _month_rows(organisation_id, month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)


def summarise_days(organisation_id: int, first: datetime.date, last: datetime.date) -> None:
    """Make the summaries of the days `first` to `last` and of their months from the hourly and
    daily rollups already there: how rollups made before the summaries existed get them."""
    start, end = day_bounds(first)[0], day_bounds(last)[1]
    where = {"organisation_id": organisation_id}
    hours = {
        row[:6]: list(row[6:])
        for row in ContactHour.objects.filter(hour__gte=start, hour__lt=end, **where)
        .values_list("hour", *CONTACT_DIMENSIONS, *CONTACT_MEASURES)
        .iterator(BATCH * 5)
    }
    days = {
        row[:5]: list(row[5:])
        for row in CaseDay.objects.filter(day__range=(first, last), **where).values_list(
            "day", *CASE_DIMENSIONS, *CASE_MEASURES
        )
    }
    with transaction.atomic():
        _contact_summary_rows(organisation_id, first, last, hours)
        _case_summary_rows(organisation_id, first, last, days)
    _months(organisation_id, first, last)


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
    opened = Q(opened_at__lt=moment.at)
    counts = {
        "open": Count("id", filter=opened),
        "overdue": Count("id", filter=opened & Q(resolution_due_at__lt=moment.at)),
        **{
            name: Count("id", filter=Q(opened_at__lt=before))
            for name, before in moment.banded_before.items()
        },
    }
    # Only the resolution time is in the WHERE clause, bounded on both sides: given the opening
    # time, or an open-ended range, SQLite walks every case instead of the few resolved since.
    cases = Case.objects.filter(organisation_id=organisation_id)
    totals: dict[tuple, dict[str, int]] = defaultdict(lambda: dict.fromkeys(counts, 0))
    for part in (
        cases.filter(resolved_at__isnull=True),
        cases.filter(resolved_at__gte=moment.at, resolved_at__lte=max(now, moment.at)),
    ):
        for row in part.values(*BACKLOG_DIMENSIONS).annotate(**counts).order_by():
            if not row["open"]:
                continue
            total = totals[tuple(row[name] for name in BACKLOG_DIMENSIONS)]
            for name in counts:
                total[name] += row[name]
    with transaction.atomic():
        BacklogDay.objects.filter(organisation_id=organisation_id, day=day).delete()
        _insert(
            BacklogDay,
            ("day", "organisation_id", *BACKLOG_DIMENSIONS, *counts),
            (
                (_date(day), organisation_id, *key, *(values[name] for name in counts))
                for key, values in totals.items()
            ),
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

    def rows() -> Iterator[tuple]:
        nonlocal made
        for key, by_name in changes.items():
            running = dict.fromkeys(names, 0)
            moments = sorted({index for steps in by_name.values() for index in steps})
            for position, index in enumerate(moments):
                for name in names:
                    running[name] += by_name[name].get(index, 0)
                following = moments[position + 1] if position + 1 < len(moments) else span
                if running["open"] <= 0 or index >= span:
                    continue
                figures = tuple(running[name] for name in names)
                for offset in range(index, min(following, span)):
                    made += 1
                    day = first + datetime.timedelta(days=offset)
                    yield (_date(day), organisation_id, *key, *figures)

    with transaction.atomic():
        BacklogDay.objects.filter(
            organisation_id=organisation_id, day__range=(first, last)
        ).delete()
        _insert(BacklogDay, ("day", "organisation_id", *BACKLOG_DIMENSIONS, *names), rows())
    return made


def now_local_day(now: datetime.datetime | None = None) -> datetime.date:
    return local_day(now or timezone.now())
