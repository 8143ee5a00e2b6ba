"""Demand alerts for those who read the council's figures: the list, and one alert's drill-down
to its last eight weeks and the contacts and cases behind it."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civicdesk.cases.policy import staff_member
from civicdesk.cases.selectors import services_withheld
from civicdesk.catalogue.models import Service
from civicdesk.console.views.insight import reads_figures
from civicdesk.contacts.services import record_sensitive_view
from civicdesk.insight import alerts
from civicdesk.insight.models import DemandAlert
from civicdesk.organisations.models import Organisation
from civicdesk.organisations.selectors import organisation_for
from civicdesk.places.models import Ward

LIST_PAGE_SIZE = 50
DRILL_PAGE_SIZE = 25
CHART_WIDTH = 640
CHART_HEIGHT = 220
CHART_LEFT = 40
CHART_BOTTOM = 24


def _organisation(request: HttpRequest) -> Organisation:
    organisation = organisation_for(request.user)
    if organisation is None or not reads_figures(request.user):
        raise PermissionDenied(_("Only managers and administrators read these figures."))
    return organisation


def _chosen(value: str, choices: dict[int, Any]) -> int | None:
    return int(value) if value.isdigit() and int(value) in choices else None


@login_required
def alert_list(request: HttpRequest) -> HttpResponse:
    organisation = _organisation(request)
    services = {s.pk: s for s in Service.objects.filter(organisation=organisation).order_by("name")}
    wards = {w.pk: w for w in Ward.objects.filter(organisation=organisation).order_by("name")}
    service_id = _chosen(request.GET.get("service", ""), services)
    ward_id = _chosen(request.GET.get("ward", ""), wards)
    acknowledged = request.GET.get("acknowledged") == "yes"
    found = alerts.alerts_for(
        organisation=organisation,
        service_id=service_id,
        ward_id=ward_id,
        include_acknowledged=acknowledged,
    )
    page = Paginator(found, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "console/alerts.html",
        {
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number),
            "services": services.values(),
            "wards": wards.values(),
            "service_id": service_id,
            "ward_id": ward_id,
            "acknowledged": acknowledged,
        },
    )


def _chart(history: list[alerts.SeriesDay]) -> dict[str, Any]:
    """Bars for the days (the alert's day last), a tick for the usual level: SVG coordinates."""
    top = max([1, *(d.observed for d in history), *(round(d.expected or 0) for d in history)])
    plot_height = CHART_HEIGHT - CHART_BOTTOM - 8
    step = (CHART_WIDTH - CHART_LEFT) / len(history)
    bar = max(step - 2, 1)

    def y(value: float) -> float:
        return round(8 + plot_height * (1 - value / top), 1)

    bars = []
    for index, day in enumerate(history):
        x = round(CHART_LEFT + index * step + 1, 1)
        bars.append(
            {
                "x": x,
                "y": y(day.observed),
                "height": round(plot_height * day.observed / top, 1),
                "usual_y": None if day.expected is None else y(day.expected),
                "tick_x2": round(x + bar, 1),
                "label": f"{day.day:%d %b}" if index % 7 == 0 else "",
                "label_x": round(x + bar / 2, 1),
                "last": index == len(history) - 1,
            }
        )
    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "axis_y": CHART_HEIGHT - CHART_BOTTOM,
        "label_y": CHART_HEIGHT - 6,
        "left": CHART_LEFT,
        "top": top,
        "bar_width": round(bar, 1),
        "bars": bars,
    }


@login_required
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _organisation(request)
    alert = alerts.alert_for(organisation=organisation, pk=pk)
    member = staff_member(request.user)
    withheld = not member.is_superuser and alert.service_id in services_withheld(
        member, organisation.pk
    )
    contacts = alerts.contacts_behind(alert=alert)
    cases = alerts.cases_behind(alert=alert)
    context: dict[str, Any] = {"alert": alert, "withheld": withheld}
    if withheld:
        context |= {"contact_count": contacts.count(), "case_count": cases.count()}
    else:
        contact_page = Paginator(contacts, DRILL_PAGE_SIZE).get_page(request.GET.get("contacts"))
        case_page = Paginator(cases, DRILL_PAGE_SIZE).get_page(request.GET.get("cases"))
        if alert.service and alert.service.is_sensitive:
            # Showing a sensitive service's contacts is a look at sensitive data: audited.
            record_sensitive_view(actor=request.user, contacts=list(contact_page))
        context |= {
            "contact_page": contact_page,
            "case_page": case_page,
            "contact_count": contact_page.paginator.count,
            "case_count": case_page.paginator.count,
        }
    history = alerts.alert_history(alert=alert)
    context |= {"history": history, "chart": _chart(history)}
    return render(request, "console/alert.html", context)


@login_required
@require_POST
def acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _organisation(request)
    alert: DemandAlert = alerts.alert_for(organisation=organisation, pk=pk)
    if alert.acknowledged_at is not None:
        messages.info(request, _("This alert was already acknowledged."))
    else:
        alerts.acknowledge_alert(actor=request.user, alert=alert)
        messages.success(request, _("Alert acknowledged"))
    return redirect(reverse("console:demand-alert", args=[alert.pk]))
