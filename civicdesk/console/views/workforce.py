"""The workforce plan: forecast contacts per half-hour against the agents the rota puts there."""

import csv
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from civicdesk.console.views.insight import reads_figures
from civicdesk.organisations.selectors import organisation_for
from civicdesk.workforce.models import LiveChannel
from civicdesk.workforce.selectors import DayPlan, StaffingPlan, staffing_plan, week_start

CHART_HEIGHT = 160
BAR_WIDTH = 12
SLOT_WIDTH = 30


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _chart(day: DayPlan) -> dict[str, Any]:
    """Bars of agents needed and ticks of agents rostered per half-hour, in SVG units."""
    rows = day.rows
    top = max([day.peak_needed, day.peak_rostered, 1])
    scale = CHART_HEIGHT / top
    slots = []
    for index, row in enumerate(rows):
        needed = row.agents_needed or 0
        x = 40 + index * SLOT_WIDTH
        slots.append(
            {
                "x": x,
                "needed_y": CHART_HEIGHT - needed * scale,
                "needed_height": needed * scale,
                "rostered_y": CHART_HEIGHT - row.rostered * scale,
                "label": row.starts_at.strftime("%H:%M") if row.starts_at.minute == 0 else "",
                "label_x": x + BAR_WIDTH / 2,
                "tick_x2": x + SLOT_WIDTH - 4,
                "short": row.short,
            }
        )
    short = [row for row in rows if row.short]
    summary = _(
        "Agents needed against agents rostered, %(day)s: %(short)s of %(slots)s half-hours are "
        "short of agents. The most needed in a half-hour is %(needed)s and the most rostered "
        "%(rostered)s."
    ) % {
        "day": date_format(day.day, "l j F"),
        "short": len(short),
        "slots": len(rows),
        "needed": day.peak_needed,
        "rostered": day.peak_rostered,
    }
    return {
        "slots": slots,
        "width": 40 + max(len(rows), 1) * SLOT_WIDTH,
        "height": CHART_HEIGHT + 30,
        "axis_y": CHART_HEIGHT,
        "top": top,
        "bar_width": BAR_WIDTH,
        "summary": summary,
    }


def _csv(plan: StaffingPlan) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="workforce-{plan.channel}-{plan.week.isoformat()}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(
        [
            _("Date"),
            _("Starts"),
            _("Forecast contacts"),
            _("Average handling time (seconds)"),
            _("Agents needed taking contacts"),
            _("Agents needed rostered"),
            _("Agents rostered"),
            _("Gap"),
            _("Expected service level (%)"),
        ]
    )
    for day in plan.days:
        for row in day.rows:
            writer.writerow(
                [
                    day.day.isoformat(),
                    row.starts_at.strftime("%H:%M"),
                    "" if row.forecast is None else f"{row.forecast:.2f}",
                    f"{row.handling_seconds:.0f}",
                    "" if row.agents_on_phones is None else row.agents_on_phones,
                    "" if row.agents_needed is None else row.agents_needed,
                    row.rostered,
                    "" if row.gap is None else row.gap,
                    "" if row.service_level is None else f"{row.service_level * 100:.1f}",
                ]
            )
    return response


def _accuracy(plan: StaffingPlan | None) -> dict[str, str | int] | None:
    run = plan.run if plan else None
    if run is None or run.wape is None:
        return None
    return {
        "weeks": run.folds,
        "wape": f"{run.wape * 100:.1f}",
        "bias": "" if run.bias is None else f"{run.bias * 100:+.1f}",
    }


@login_required
def workforce_plan(request: HttpRequest) -> HttpResponse:
    organisation = organisation_for(request.user)
    if organisation is None or not reads_figures(request.user):
        raise PermissionDenied(_("Only managers and administrators read these figures."))
    channel = request.GET.get("channel")
    if channel not in LiveChannel.values:
        channel = LiveChannel.PHONE
    today = timezone.localdate()
    week = week_start(_date(request.GET.get("week")) or today)
    plan = staffing_plan(organisation=organisation, channel=channel, week=week)
    if plan is not None and request.GET.get("format") == "csv":
        return _csv(plan)
    chosen = _date(request.GET.get("day"))
    if chosen is None or not week <= chosen < week + timedelta(days=7):
        chosen = today if week <= today < week + timedelta(days=7) else week
    day = plan.day(chosen) if plan else None
    return render(
        request,
        "console/workforce.html",
        {
            "plan": plan,
            "channel": channel,
            "channel_label": LiveChannel(channel).label,
            "channels": LiveChannel.choices,
            "week": week,
            "week_end": week + timedelta(days=6),
            "previous_week": week - timedelta(days=7),
            "next_week": week + timedelta(days=7),
            "days": [week + timedelta(days=offset) for offset in range(7)],
            "chosen": chosen,
            "day": day,
            "chart": _chart(day) if day and day.rows and plan.has_forecast else None,
            "run": plan.run if plan else None,
            "accuracy": _accuracy(plan),
        },
    )
