"""The quarterly performance indicator report, for those who read the council's figures."""

import csv
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from civicdesk.console.views.insight import reads_figures
from civicdesk.insight.kpis import (
    NAMES,
    IndicatorResult,
    QuarterReport,
    quarter_of,
    quarter_report,
)
from civicdesk.organisations.selectors import organisation_for


def _status(status: str | None) -> str:
    return {
        "green": _("Green: on target"),
        "amber": _("Amber: near target"),
        "red": _("Red: off target"),
    }.get(status or "", _("No data"))


def _chosen(request: HttpRequest) -> tuple[int, int]:
    """?year=2026&quarter=3, or the current quarter when missing or not sensible."""
    current = quarter_of(timezone.localdate())
    try:
        year, quarter = int(request.GET["year"]), int(request.GET["quarter"])
    except (KeyError, ValueError):
        return current
    if 2000 <= year <= 2100 and 1 <= quarter <= 4:
        return year, quarter
    return current


def _step(year: int, quarter: int, by: int) -> tuple[int, int]:
    index = year * 4 + quarter - 1 + by
    return index // 4, index % 4 + 1


@login_required
def indicators(request: HttpRequest) -> HttpResponse:
    organisation = organisation_for(request.user)
    if organisation is None or not reads_figures(request.user):
        raise PermissionDenied(_("Only managers and administrators read these figures."))
    year, quarter = _chosen(request)
    report = quarter_report(organisation=organisation, year=year, quarter=quarter)
    if request.GET.get("format") == "csv":
        return _csv(report)
    following = _step(year, quarter, 1)
    monthly = [row for row in report.rows if row.months]
    return render(
        request,
        "console/kpis.html",
        {
            "report": report,
            "rows": [_shown_row(row) for row in report.rows],
            "monthly": [_shown_row(row) for row in monthly],
            "months": [month.month for month in monthly[0].months] if monthly else [],
            "previous": _step(year, quarter, -1),
            "following": following if following <= quarter_of(timezone.localdate()) else None,
            "names": [(name, text) for name, (_source, _attr, text) in NAMES.items()],
        },
    )


def _in_unit(value: Decimal | None, unit: str) -> str:
    if value is None:
        return _("No data")
    number = f"{value:,}"
    if unit == "percent":
        return f"{number}%"
    if unit == "days":
        return _("%(number)s days") % {"number": number}
    if unit == "seconds":
        return _("%(number)s seconds") % {"number": number}
    return number


def _shown_row(row: IndicatorResult) -> dict:
    """An indicator's figures as the page shows them: in its unit, with each status."""
    unit = row.indicator.unit
    target = row.indicator.target
    target = target.quantize(Decimal(1)) if target == target.to_integral_value() else target
    sign = "≥" if row.indicator.direction == "higher" else "≤"
    return {
        "result": row,
        "indicator": row.indicator,
        "target": f"{sign} {_in_unit(target, unit)}",
        "actual": _in_unit(row.actual, unit),
        "status": row.status,
        "last_year": _in_unit(row.last_year, unit),
        "last_year_status": row.last_year_status,
        "year_to_date": _in_unit(row.year_to_date, unit),
        "months": [
            {"month": month.month, "actual": _in_unit(month.actual, unit), "status": month.status}
            if month.started
            else {"month": month.month, "actual": _("Not started"), "status": None}
            for month in row.months
        ],
    }


def _cell(value: object) -> object:
    """Text a spreadsheet would run as a formula starts with an apostrophe instead."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _number(value: Decimal | None) -> str:
    return "" if value is None else str(value)


def _csv(report: QuarterReport) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="indicators-{report.year}-q{report.quarter}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(
        [
            _("Code"),
            _("Indicator"),
            _("Period"),
            _("Unit"),
            _("Better when"),
            _("Target"),
            _("Actual"),
            _("Status"),
            _("Month 1"),
            _("Month 2"),
            _("Month 3"),
            _("Same quarter last year"),
            _("Status last year"),
            _("Formula"),
        ]
    )
    for row in report.rows:
        indicator = row.indicator
        months = [_number(month.actual) for month in row.months] or ["", "", ""]
        writer.writerow(
            [
                _cell(indicator.code),
                _cell(indicator.name),
                indicator.get_period_display(),
                indicator.get_unit_display(),
                indicator.get_direction_display(),
                _number(indicator.target),
                _number(row.actual),
                _status(row.status),
                *months,
                _number(row.last_year),
                _status(row.last_year_status),
                _cell(indicator.formula),
            ]
        )
    return response
