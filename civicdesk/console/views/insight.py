"""Figures for managers: e-enablement (BVPI 157) and channel shift. The insight dashboards
will join them here."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from civicdesk.cases.policy import MANAGING_ROLES, staff_member
from civicdesk.catalogue.models import Channel
from civicdesk.catalogue.selectors import e_enablement
from civicdesk.insight.selectors import channel_shift
from civicdesk.organisations.selectors import organisation_for


def reads_figures(user: Any) -> bool:
    """Managers and administrators of a council read its figures (not partner agencies' staff).
    From the member's roles as the policy loaded them: the navigation asks on every page."""
    member = staff_member(user)
    return (
        member.organisation_id is not None
        and not member.is_partner
        and bool(member.roles & set(MANAGING_ROLES))
    )


@login_required
def e_enablement_report(request: HttpRequest) -> HttpResponse:
    organisation = organisation_for(request.user)
    if organisation is None or not reads_figures(request.user):
        raise PermissionDenied(_("Only managers and administrators read these figures."))
    report = e_enablement(organisation=organisation)
    quarters = channel_shift(organisation=organisation, today=timezone.localdate())
    channels = [
        (value, label)
        for value, label in Channel.choices
        if any(quarter.counts.get(value) for quarter in quarters)
    ]
    return render(
        request,
        "console/e_enablement.html",
        {
            "report": report,
            "quarters": quarters,
            "channels": channels,
            "rows": [
                (quarter, [quarter.counts.get(value, 0) for value, _label in channels])
                for quarter in quarters
            ],
        },
    )
