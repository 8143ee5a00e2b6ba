"""The management dashboard: demand, first-contact resolution, cases, backlog and satisfaction for
a period, filtered by service, team, ward and channel. Every figure comes from the rollups
(civicdesk.insight.selectors); every table can be downloaded as CSV.

Managers and administrators see the whole council; a team leader sees the teams they lead."""

import csv
import datetime
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicdesk.cases.policy import staff_member
from civicdesk.catalogue.models import Channel, Service
from civicdesk.console.views.insight import reads_figures
from civicdesk.contacts.models import Outcome
from civicdesk.insight import selectors
from civicdesk.insight.selectors import Filters
from civicdesk.organisations.models import Organisation, Role, Team
from civicdesk.organisations.selectors import organisation_for
from civicdesk.places.models import Ward

# Shown where a figure cannot be worked out (nothing to divide by).
NO_FIGURE = "\N{EN DASH}"

PERIODS = {
    "7d": gettext_lazy("Last 7 days"),
    "28d": gettext_lazy("Last 4 weeks"),
    "month": gettext_lazy("This month"),
    "last-month": gettext_lazy("Last month"),
    "quarter": gettext_lazy("This quarter"),
    "last-quarter": gettext_lazy("Last quarter"),
    "year": gettext_lazy("Last 12 months"),
    "custom": gettext_lazy("Dates below"),
}


def _quarter_start(day: datetime.date) -> datetime.date:
    return datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def period_dates(period: str, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and last day of a named period; calendar quarters, as the returns use."""
    day = datetime.timedelta(days=1)
    if period == "7d":
        return today - 6 * day, today
    if period == "month":
        return today.replace(day=1), today
    if period == "last-month":
        last = today.replace(day=1) - day
        return last.replace(day=1), last
    if period == "quarter":
        return _quarter_start(today), today
    if period == "last-quarter":
        last = _quarter_start(today) - day
        return _quarter_start(last), last
    if period == "year":
        return today.replace(year=today.year - 1) + day, today
    return today - 27 * day, today


class DashboardForm(forms.Form):
    period = forms.ChoiceField(
        label=gettext_lazy("Period"), choices=PERIODS.items(), required=False, initial="28d"
    )
    start = forms.DateField(label=gettext_lazy("From"), required=False)
    end = forms.DateField(label=gettext_lazy("To"), required=False)
    service = forms.ModelChoiceField(
        label=gettext_lazy("Service"), queryset=Service.objects.none(), required=False,
        empty_label=gettext_lazy("All services"),
    )  # fmt: skip
    team = forms.ModelChoiceField(
        label=gettext_lazy("Team"), queryset=Team.objects.none(), required=False,
        empty_label=gettext_lazy("All teams"),
    )  # fmt: skip
    ward = forms.ModelChoiceField(
        label=gettext_lazy("Ward"), queryset=Ward.objects.none(), required=False,
        empty_label=gettext_lazy("All wards"),
    )  # fmt: skip
    channel = forms.ChoiceField(
        label=gettext_lazy("Channel"),
        choices=[("", gettext_lazy("All channels")), *Channel.choices],
        required=False,
    )

    def __init__(self, *args: Any, organisation: Organisation, teams: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = Service.objects.filter(organisation=organisation)
        self.fields["team"].queryset = teams
        self.fields["ward"].queryset = Ward.objects.filter(organisation=organisation)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("period") == "custom":
            start, end = data.get("start"), data.get("end")
            if not start or not end:
                raise forms.ValidationError(_("Enter the first and last day of the period."))
            if end < start:
                self.add_error("end", _("The last day must be on or after the first day."))
            elif (end - start).days > 3 * 366:
                self.add_error("end", _("Choose a period of three years or less."))
        return data


@dataclass
class Table:
    """A table of figures and its chart: the bars are drawn from `bar_column` and hidden from
    assistive technology, which reads the table itself."""

    slug: str
    caption: str
    headers: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    bar_column: int | None = 1
    note: str = ""

    def with_bars(self) -> list[tuple[list[Any], int]]:
        if self.bar_column is None:
            return [(row, 0) for row in self.rows]
        values = [row[self.bar_column] or 0 for row in self.rows]
        top = max(values, default=0) or 1
        return [
            (row, round(100 * value / top)) for row, value in zip(self.rows, values, strict=True)
        ]


def _percent(value: float | None) -> str:
    return NO_FIGURE if value is None else f"{value:.1f}%"


def _number(value: float | None, places: int = 1) -> str:
    return NO_FIGURE if value is None else f"{value:.{places}f}"


def _minutes(seconds: float | None) -> str:
    return NO_FIGURE if seconds is None else f"{seconds / 60:.1f}"


def _scope(user: Any) -> tuple[bool, tuple[int, ...] | None]:
    """Whether the user reads the dashboard, and the teams they are limited to (None: all)."""
    if reads_figures(user):
        return True, None
    member = staff_member(user)
    led = tuple(team for team, roles in member.roles_by_team.items() if Role.TEAM_LEADER in roles)
    if member.is_partner or not led:
        return False, None
    return True, led


def _names(model: type, ids: Any) -> dict:
    return dict(model.objects.filter(pk__in=[pk for pk in ids if pk]).values_list("pk", "name"))


def build_tables(organisation: Organisation, filters: Filters, today: datetime.date) -> dict:
    contacts = selectors.contact_breakdown(
        organisation=organisation, filters=filters,
        dimensions=("channel", "service_id", "ward_id", "outcome"),
    )  # fmt: skip
    cases = selectors.case_breakdown(
        organisation=organisation, filters=filters, dimensions=("service_id", "ward_id")
    )
    total = contacts[None].get(None, selectors.ContactFigures())
    cases_total = cases[None].get(None, selectors.CaseFigures())
    backlog_day = min(filters.end, today)
    backlog = selectors.backlog(organisation=organisation, filters=filters, on=backlog_day)
    resolved_requests = cases_total.resolved + total.resolved_and_necessary
    window = settings.INSIGHT_REPEAT_DAYS
    tables: dict[str, Table] = {}

    tables["fcr"] = Table(
        "fcr", _("First-contact resolution and avoidable contact"),
        [_("Measure"), _("Value"), _("Counted from")], bar_column=None,
    )  # fmt: skip
    tables["fcr"].rows = [
        [_("Resolved at first contact, as the agent recorded it"), _percent(total.fcr_agent),
         _("%(n)s answered contacts") % {"n": f"{total.answered:,}"}],
        [_("Not followed by another contact about the same service within %(days)s days")
         % {"days": window}, _percent(total.fcr_no_repeat),
         _("%(n)s contacts from known customers") % {"n": f"{total.identified:,}"}],
        [_("Said it was resolved, in the satisfaction survey"), _percent(total.fcr_survey),
         _("%(n)s survey answers") % {"n": f"{total.answered_resolved:,}"}],
        [_("Avoidable contacts per resolved request (NI 14)"),
         _number(total.avoidable / resolved_requests, 2) if resolved_requests else NO_FIGURE,
         _("%(a)s avoidable contacts, %(r)s resolved requests")
         % {"a": f"{total.avoidable:,}", "r": f"{resolved_requests:,}"}],
        [_("Avoidable contacts as a share of all contacts"), _percent(total.avoidable_share),
         _("%(n)s contacts") % {"n": f"{total.contacts:,}"}],
    ]  # fmt: skip

    by_channel = contacts["channel"]
    labels = dict(Channel.choices)
    tables["channels"] = Table(
        "channels", _("Contacts by channel"),
        [_("Channel"), _("Contacts"), _("Share"), _("Resolved at first contact"),
         _("Average handling time (minutes)")],
    )  # fmt: skip
    for channel, figures in sorted(by_channel.items(), key=lambda item: -item[1].contacts):
        tables["channels"].rows.append(
            [labels.get(channel, channel), figures.contacts,
             _percent(100 * figures.contacts / total.contacts if total.contacts else None),
             _percent(figures.fcr_agent), _minutes(figures.average_handling_seconds)]
        )  # fmt: skip

    by_service, case_by_service = contacts["service_id"], cases["service_id"]
    service_names = _names(Service, {*by_service, *case_by_service})
    tables["services"] = Table(
        "services", _("Contacts and cases by service"),
        [_("Service"), _("Contacts"), _("Cases opened"), _("Cases resolved"),
         _("Resolved in time"), _("Average days to resolve"), _("Chased")],
    )  # fmt: skip
    for service_id in sorted(
        {*by_service, *case_by_service},
        key=lambda pk: -(by_service.get(pk, selectors.ContactFigures()).contacts),
    ):
        figures = by_service.get(service_id, selectors.ContactFigures())
        case = case_by_service.get(service_id, selectors.CaseFigures())
        tables["services"].rows.append(
            [service_names.get(service_id, _("No service recorded")), figures.contacts,
             case.opened, case.resolved, _percent(case.in_time), _number(case.cycle_days),
             _percent(case.chased_share)]
        )  # fmt: skip

    by_ward, case_by_ward = contacts["ward_id"], cases["ward_id"]
    ward_names = _names(Ward, {*by_ward, *case_by_ward})
    tables["wards"] = Table(
        "wards", _("Demand by ward"), [_("Ward"), _("Contacts"), _("Cases opened")],
        note=_("Contacts are counted in the ward the customer lived in; cases in the ward of "
               "the place they are about."),
    )  # fmt: skip
    for ward_id in sorted({*by_ward, *case_by_ward}, key=lambda pk: ward_names.get(pk, "~")):
        tables["wards"].rows.append(
            [ward_names.get(ward_id, _("Not known")),
             by_ward.get(ward_id, selectors.ContactFigures()).contacts,
             case_by_ward.get(ward_id, selectors.CaseFigures()).opened]
        )  # fmt: skip

    tables["hours"] = Table(
        "hours", _("Contacts by time of day"), [_("Hour"), _("Contacts")],
    )  # fmt: skip
    for hour, count in selectors.contacts_by_hour(organisation=organisation, filters=filters):
        tables["hours"].rows.append([f"{hour:02d}:00 to {hour:02d}:59", count])

    trend = selectors.contact_trend(organisation=organisation, filters=filters)
    daily = (filters.end - filters.start).days <= 62
    tables["trend"] = Table(
        "trend", _("Contacts each day") if daily else _("Contacts each month"),
        [_("Day") if daily else _("Month"), _("Contacts")],
    )  # fmt: skip
    for when, count in trend:
        tables["trend"].rows.append([when.strftime("%a %d %b %Y" if daily else "%B %Y"), count])

    team_names = _names(Team, backlog.rows)
    tables["backlog"] = Table(
        "backlog",
        _("Open cases at the end of %(day)s") % {"day": backlog_day.strftime("%d %B %Y")}
        if backlog_day < today else _("Open cases now"),
        [_("Team"), _("Open"), _("Overdue"), _("A week old or more"), _("4 weeks or more"),
         _("13 weeks or more")],
    )  # fmt: skip
    for team_id, row in sorted(backlog.rows.items(), key=lambda item: -item[1].open):
        tables["backlog"].rows.append(
            [team_names.get(team_id, _("No team")), row.open, row.overdue, row.older_than_week,
             row.older_than_month, row.older_than_quarter]
        )  # fmt: skip

    tables["outcomes"] = Table("outcomes", _("Contacts by outcome"), [_("Outcome"), _("Contacts")])
    by_outcome = contacts["outcome"]
    for value, label in Outcome.choices:
        if value in by_outcome:
            tables["outcomes"].rows.append([label, by_outcome[value].contacts])

    responses = total.responses + cases_total.responses
    rating_total = total.rating_total + cases_total.rating_total
    headline = [
        (_("Contacts"), f"{total.contacts:,}"),
        (_("Resolved at first contact"), _percent(total.fcr_agent)),
        (_("Cases opened"), f"{cases_total.opened:,}"),
        (_("Cases resolved in time"), _percent(cases_total.in_time)),
        (_("Open cases"), f"{backlog.open:,} ({backlog.overdue:,} {_('overdue')})"),
        (_("Average satisfaction (1 to 5)"),
         _number(rating_total / responses) if responses else NO_FIGURE),
    ]  # fmt: skip
    return {"tables": tables, "headline": headline, "responses": responses}


def _as_csv(table: Table, filters: Filters) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{table.slug}-{filters.start:%Y%m%d}-{filters.end:%Y%m%d}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(table.headers)
    writer.writerows(table.rows)
    return response


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    organisation = organisation_for(request.user)
    allowed, led = _scope(request.user)
    if organisation is None or not allowed:
        raise PermissionDenied(
            _("Only managers, administrators and team leaders read these figures.")
        )
    teams = Team.objects.filter(organisation=organisation)
    if led is not None:
        teams = teams.filter(pk__in=led)
    form = DashboardForm(request.GET or None, organisation=organisation, teams=teams)
    today = timezone.localdate()
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    period = data.get("period") or "28d"
    if period == "custom":
        start, end = data["start"], data["end"]
    else:
        start, end = period_dates(period, today)
    filters = Filters(
        start=start, end=end,
        service_id=getattr(data.get("service"), "pk", None),
        team_id=getattr(data.get("team"), "pk", None),
        ward_id=getattr(data.get("ward"), "pk", None),
        channel=data.get("channel") or "", teams=led,
    )  # fmt: skip
    built = build_tables(organisation, filters, today)
    wanted = request.GET.get("table")
    if request.GET.get("format") == "csv":
        if wanted not in built["tables"]:
            raise Http404(_("There is no such table."))
        return _as_csv(built["tables"][wanted], filters)
    query = request.GET.copy()
    query.pop("format", None)
    query.pop("table", None)
    return render(
        request,
        "console/dashboard.html",
        {
            "form": form, "filters": filters, "period_label": PERIODS.get(period),
            "led_teams": teams if led is not None else None, "query": query.urlencode(),
            **built,
        },
    )  # fmt: skip
