"""Reading the figures: every function here reads the rollups, never the raw contacts or cases.

A period is read as whole months from the monthly rows and the days at either end from the
daily rows, so a quarter is three months' rows rather than ninety days'. A page filtered by
nothing but the channel reads the summaries (by channel and one dimension at a time), which are
a tenth of the size of the full rollups; filtered by service, team or ward, it reads the full
rollups.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field, fields

from django.db.models import Case, IntegerField, Model, QuerySet, Sum, When

from civicdesk.catalogue.models import ELECTRONIC_CHANNELS
from civicdesk.contacts.models import Outcome
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
    Dimension,
)
from civicdesk.insight.rollups import (
    CASE_MEASURES,
    CONTACT_MEASURES,
    CONTACT_SUMMARY_MEASURES,
    LOCAL,
    day_bounds,
    month_of,
)
from civicdesk.organisations.models import Organisation


@dataclass(frozen=True)
class Filters:
    """What a figures page is about: an inclusive range of local days, and optionally one
    service, team, ward and channel. `teams` limits a team leader to their own teams."""

    start: datetime.date
    end: datetime.date
    service_id: int | None = None
    team_id: int | None = None
    ward_id: int | None = None
    channel: str = ""
    teams: tuple[int, ...] | None = None

    def where(self, *, with_channel: bool = True) -> dict:
        conditions: dict = {}
        for name in ("service_id", "team_id", "ward_id"):
            if getattr(self, name):
                conditions[name] = getattr(self, name)
        if self.channel and with_channel:
            conditions["channel"] = self.channel
        if self.teams is not None:
            conditions["team_id__in"] = self.teams
        return conditions


def _spans(start: datetime.date, end: datetime.date) -> tuple[list, list]:
    """Split [start, end] into whole months and the loose days around them."""
    months, days = [], []
    day = start
    while day <= end:
        month = month_of(day)
        following = (month + datetime.timedelta(days=32)).replace(day=1)
        last = following - datetime.timedelta(days=1)
        if day == month and last <= end:
            months.append(month)
            day = following
        else:
            days.append((day, min(last, end)))
            day = min(last, end) + datetime.timedelta(days=1)
    return months, days


@dataclass(frozen=True)
class _Rollup:
    """One kind of rollup: its full tables, its summaries, and the sums that read each."""

    day: type[Model]
    month: type[Model]
    day_summary: type[Model]
    month_summary: type[Model]
    sums: dict
    summary_sums: dict


# What a breakdown is by, and the summary rows that hold it.
_SUMMARISED = {
    None: Dimension.NONE,
    "channel": Dimension.NONE,
    "service_id": Dimension.SERVICE,
    "ward_id": Dimension.WARD,
    "team_id": Dimension.TEAM,
    "outcome": Dimension.OUTCOME,
    "hour_of_day": Dimension.HOUR,
}


def _summarised(filters: Filters) -> bool:
    """Whether the summaries serve these filters: only the channel may be chosen."""
    return not any((filters.service_id, filters.team_id, filters.ward_id, filters.teams))


def _parts(
    organisation: Organisation, filters: Filters, rollup: _Rollup, by: str | None = None
) -> Iterator[tuple[QuerySet, dict]]:
    """The querysets (with the sums to take of them) that together cover the period: the
    summaries when the filters allow, the full rollups otherwise."""
    months, days = _spans(filters.start, filters.end)
    if _summarised(filters) and by in _SUMMARISED:
        day_model, month_model, sums = rollup.day_summary, rollup.month_summary, rollup.summary_sums
        where = {"dimension": _SUMMARISED[by]}
        if filters.channel:
            where["channel"] = filters.channel
    else:
        day_model, month_model, sums = rollup.day, rollup.month, rollup.sums
        where = filters.where()
    where["organisation"] = organisation
    if months:
        yield month_model.objects.filter(month__range=(months[0], months[-1]), **where), sums
    for first, last in days:
        yield day_model.objects.filter(day__range=(first, last), **where), sums


class _Sums:
    """Figures summed from rollup rows annotated `sum_<name>`."""

    def add(self, row: dict) -> None:
        figures = self.__dict__
        for item in fields(self):
            figures[item.name] += row[f"sum_{item.name}"] or 0


@dataclass
class ContactFigures(_Sums):
    contacts: int = 0
    handled_seconds: int = 0
    avoidable: int = 0
    chasing: int = 0
    identified: int = 0
    repeated: int = 0
    responses: int = 0
    rating_total: int = 0
    answered_resolved: int = 0
    said_resolved: int = 0
    resolved_first_time: int = 0
    resolved_and_necessary: int = 0
    abandoned: int = 0

    @property
    def answered(self) -> int:
        """Contacts that were not abandoned: those an agent could resolve."""
        return self.contacts - self.abandoned

    @property
    def fcr_agent(self) -> float | None:
        return _share(self.resolved_first_time, self.answered)

    @property
    def fcr_no_repeat(self) -> float | None:
        return _share(self.identified - self.repeated, self.identified)

    @property
    def fcr_survey(self) -> float | None:
        return _share(self.said_resolved, self.answered_resolved)

    @property
    def avoidable_share(self) -> float | None:
        return _share(self.avoidable, self.contacts)

    @property
    def average_handling_seconds(self) -> float | None:
        return self.handled_seconds / self.contacts if self.contacts else None


@dataclass
class CaseFigures(_Sums):
    opened: int = 0
    resolved: int = 0
    resolved_in_time: int = 0
    cycle_seconds: int = 0
    chased: int = 0
    chases: int = 0
    responses: int = 0
    rating_total: int = 0
    answered_resolved: int = 0
    said_resolved: int = 0

    @property
    def in_time(self) -> float | None:
        return _share(self.resolved_in_time, self.resolved)

    @property
    def cycle_days(self) -> float | None:
        return self.cycle_seconds / self.resolved / 86_400 if self.resolved else None

    @property
    def chased_share(self) -> float | None:
        return _share(self.chased, self.resolved)


def _share(part: int, whole: int) -> float | None:
    return 100 * part / whole if whole else None


def _when(outcome: str, measure: str) -> Sum:
    return Sum(Case(When(outcome=outcome, then=measure), default=0, output_field=IntegerField()))


def _contact_sums() -> dict:
    """Sums named `sum_<measure>`: an annotation may not take the name of a column it reads."""
    return {
        **{f"sum_{name}": Sum(name) for name in CONTACT_MEASURES},
        "sum_resolved_first_time": _when(Outcome.RESOLVED, "contacts"),
        # Avoidable contacts (chasing above all) are logged as resolved: they are not requests.
        "sum_resolved_and_necessary": _when(Outcome.RESOLVED, "contacts")
        - _when(Outcome.RESOLVED, "avoidable"),
        "sum_abandoned": _when(Outcome.ABANDONED, "contacts"),
    }


def _sums(names: tuple[str, ...]) -> dict:
    return {f"sum_{name}": Sum(name) for name in names}


CONTACTS = _Rollup(
    ContactDay, ContactMonth, ContactDaySummary, ContactMonthSummary,
    _contact_sums(), _sums(CONTACT_SUMMARY_MEASURES),
)  # fmt: skip
CASES = _Rollup(
    CaseDay, CaseMonth, CaseDaySummary, CaseMonthSummary,
    _sums(CASE_MEASURES), _sums(CASE_MEASURES),
)  # fmt: skip


def _breakdown(
    organisation: Organisation,
    filters: Filters,
    dimensions: tuple[str, ...],
    rollup: _Rollup,
    figures: type,
) -> dict:
    """{None: {None: total}, dimension: {value: figures}}: one grouped query per breakdown and
    part of the period. (One query grouped by every dimension at once returns tens of thousands
    of combinations for a month of a large council, and summing them here was slower.)"""
    result: dict = {}
    for name in (None, *dimensions):
        by_key: dict = defaultdict(figures)
        for part, sums in _parts(organisation, filters, rollup, name):
            grouped = part.values(name) if name else part.values("organisation")
            for row in grouped.annotate(**sums).order_by():
                by_key[row[name] if name else None].add(row)
        result[name] = dict(by_key)
    return result


def contact_breakdown(
    *, organisation: Organisation, filters: Filters, dimensions: tuple[str, ...]
) -> dict:
    """Contact figures in total and by each of the dimensions (service_id, channel, ward_id,
    team_id, outcome): `result[None][None]` and `result[dimension][value]`."""
    return _breakdown(organisation, filters, dimensions, CONTACTS, ContactFigures)


def case_breakdown(
    *, organisation: Organisation, filters: Filters, dimensions: tuple[str, ...]
) -> dict:
    return _breakdown(organisation, filters, dimensions, CASES, CaseFigures)


def contact_figures(*, organisation: Organisation, filters: Filters, by: str | None = None) -> dict:
    """Contact figures for the period, in total (`by=None`, key None) or by one dimension."""
    dimensions = (by,) if by else ()
    return contact_breakdown(organisation=organisation, filters=filters, dimensions=dimensions)[by]


def case_figures(*, organisation: Organisation, filters: Filters, by: str | None = None) -> dict:
    dimensions = (by,) if by else ()
    return case_breakdown(organisation=organisation, filters=filters, dimensions=dimensions)[by]


def contact_trend(
    *, organisation: Organisation, filters: Filters
) -> list[tuple[datetime.date, int]]:
    """Contacts per day for a period of up to two months, per month for a longer one."""
    daily = (filters.end - filters.start).days <= 62
    totals: dict[datetime.date, int] = defaultdict(int)
    for part, _sums in _parts(organisation, filters, CONTACTS):
        period = "month" if part.model in (ContactMonth, ContactMonthSummary) else "day"
        for when, total in part.values_list(period).annotate(total=Sum("contacts")).order_by():
            totals[when if daily else month_of(when)] += total
    if not daily:
        return sorted(totals.items())
    series, day = [], filters.start
    while day <= filters.end:
        series.append((day, totals.get(day, 0)))
        day += datetime.timedelta(days=1)
    return series


def contacts_by_hour(*, organisation: Organisation, filters: Filters) -> list[tuple[int, int]]:
    """Contacts by local hour of the day over the period: from the summaries by hour when they
    serve the filters, otherwise from the hourly rollup."""
    counts: dict[int, int] = defaultdict(int)
    if _summarised(filters):
        for part, _sums in _parts(organisation, filters, CONTACTS, "hour_of_day"):
            for hour, total in part.values_list("hour_of_day").annotate(Sum("contacts")).order_by():
                counts[hour] += total
    else:
        start, end = day_bounds(filters.start)[0], day_bounds(filters.end)[1]
        moments = (
            ContactHour.objects.filter(
                organisation=organisation, hour__gte=start, hour__lt=end, **filters.where()
            )
            .values_list("hour")
            .annotate(total=Sum("contacts"))
            .order_by()
        )
        for moment, total in moments:
            counts[moment.astimezone(LOCAL).hour] += total
    return [(hour, counts.get(hour, 0)) for hour in range(24)]


BACKLOG_MEASURES = ("open", "overdue", "older_than_week", "older_than_month", "older_than_quarter")


@dataclass
class Backlog:
    day: datetime.date
    open: int = 0
    overdue: int = 0
    older_than_week: int = 0
    older_than_month: int = 0
    older_than_quarter: int = 0
    rows: dict = field(default_factory=dict)


def backlog(
    *, organisation: Organisation, filters: Filters, on: datetime.date, by: str = "team_id"
) -> Backlog:
    """Open cases at the end of `on` (now, for today), in total and by `by`."""
    where = filters.where(with_channel=False)
    rows = (
        BacklogDay.objects.filter(organisation=organisation, day=on, **where)
        .values(by)
        .annotate(**{name: Sum(name) for name in BACKLOG_MEASURES})
        .order_by()
    )
    result = Backlog(day=on)
    for row in rows:
        key = row.pop(by)
        result.rows[key] = Backlog(day=on, **row)
        for name, value in row.items():
            setattr(result, name, getattr(result, name) + (value or 0))
    return result


def backlog_trend(
    *, organisation: Organisation, filters: Filters
) -> list[tuple[datetime.date, int, int]]:
    """The backlog (open, overdue) at the end of each day of the period."""
    rows = (
        BacklogDay.objects.filter(
            organisation=organisation,
            day__range=(filters.start, filters.end),
            **filters.where(with_channel=False),
        )
        .values_list("day")
        .annotate(open=Sum("open"), overdue=Sum("overdue"))
        .order_by("day")
    )
    return list(rows)


@dataclass(frozen=True)
class ChannelQuarter:
    starts: datetime.date
    counts: dict[str, int]  # channel -> contacts

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def digital_share(self) -> float | None:
        """Contacts made on the web, by email, text or through other systems, as a percentage."""
        digital = sum(self.counts.get(channel, 0) for channel in ELECTRONIC_CHANNELS)
        return 100 * digital / self.total if self.total else None


def _quarter_start(day: datetime.date) -> datetime.date:
    return datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def channel_shift(
    *, organisation: Organisation, quarters: int = 8, today: datetime.date
) -> list[ChannelQuarter]:
    """Contacts by channel in each of the last `quarters` calendar quarters, the current one to
    date and last."""
    starts = [_quarter_start(today)]
    for _ in range(quarters - 1):
        starts.insert(0, _quarter_start(starts[0] - datetime.timedelta(days=1)))
    ends = [following - datetime.timedelta(days=1) for following in starts[1:]] + [today]
    result = []
    for first, last in zip(starts, ends, strict=True):
        counts = contact_figures(
            organisation=organisation, filters=Filters(start=first, end=last), by="channel"
        )
        result.append(
            ChannelQuarter(
                starts=first,
                counts={channel: figures.contacts for channel, figures in counts.items()},
            )
        )
    return result
