"""The monthly satisfaction survey report, for those who read the council's figures."""

import csv
import datetime
import re

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from civicdesk.catalogue.models import Channel
from civicdesk.console.views.insight import reads_figures
from civicdesk.organisations.selectors import organisation_for
from civicdesk.surveys.models import Rating
from civicdesk.surveys.selectors import Figures, SatisfactionReport, satisfaction_report

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def _month(value: str) -> datetime.date:
    """?month=YYYY-MM, or this month when missing or not a month."""
    found = _MONTH.match(value or "")
    if found:
        year, month = int(found.group(1)), int(found.group(2))
        if 2000 <= year <= 2100 and 1 <= month <= 12:
            return datetime.date(year, month, 1)
    return timezone.localdate().replace(day=1)


def _neighbours(month: datetime.date) -> tuple[datetime.date, datetime.date]:
    previous = (month - datetime.timedelta(days=1)).replace(day=1)
    following = (month + datetime.timedelta(days=32)).replace(day=1)
    return previous, following


@login_required
def satisfaction(request: HttpRequest) -> HttpResponse:
    organisation = organisation_for(request.user)
    if organisation is None or not reads_figures(request.user):
        raise PermissionDenied(_("Only managers and administrators read these figures."))
    month = _month(request.GET.get("month", ""))
    report = satisfaction_report(
        organisation=organisation, month=month, channel_labels=dict(Channel.choices)
    )
    if request.GET.get("format") == "csv":
        return _csv(report)
    previous, following = _neighbours(month)
    this_month = timezone.localdate().replace(day=1)
    return render(
        request,
        "surveys/satisfaction.html",
        {
            "report": report,
            "overall_rows": [report.overall],
            "ratings": Rating.choices,
            "previous": previous,
            "following": following if following <= this_month else None,
        },
    )


def _cell(value: object) -> object:
    """Text a spreadsheet would run as a formula starts with an apostrophe instead."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def _csv(report: SatisfactionReport) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="satisfaction-{report.month:%Y-%m}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(
        [
            _("Table"),
            _("Group"),
            _("Surveys sent"),
            _("Answered"),
            _("Response rate (%)"),
            _("Average rating (1 to 5)"),
            *(str(label) for _value, label in Rating.choices),
            _("Said resolved (%)"),
        ]
    )
    tables: list[tuple[str, list[Figures]]] = [
        (_("Overall"), [report.overall]),
        (_("By channel"), report.by_channel),
        (_("By service"), report.by_service),
    ]
    for table, rows in tables:
        for row in rows:
            writer.writerow(
                [
                    table,
                    _cell(row.label or _("All surveys")),
                    row.sent,
                    row.answered,
                    _number(row.response_rate),
                    _number(row.average),
                    *(count for _rating, count in row.distribution),
                    _number(row.resolved_percent),
                ]
            )
    return response
