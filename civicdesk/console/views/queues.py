"""The back office's queues: a team's open cases, soonest due first, and the referrals it has
been sent. Team leaders assign cases from here in bulk."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from civicdesk.cases.models import Case, CaseStatus, Referral, ReferralStatus
from civicdesk.cases.policy import MANAGING_ROLES, staff_member
from civicdesk.cases.selectors import (
    DUE_SOON,
    QUEUE_PAGE_SIZE,
    QueueFilters,
    queues_for,
    referrals_for_team,
    team_for_queue,
    team_queue,
)
from civicdesk.cases.services import assign_cases
from civicdesk.catalogue.models import Priority
from civicdesk.console import tokens
from civicdesk.console.forms_cases import BulkAssignForm, QueueFilterForm, team_members
from civicdesk.organisations.models import Role, Team


@login_required
def queue_list(request: HttpRequest) -> HttpResponse:
    """The queues the user may open; with only one, that queue."""
    teams = queues_for(user=request.user)
    if len(teams) == 1:
        return redirect("console:queue", teams[0].slug)
    return render(request, "console/queues.html", {"teams": teams})


def may_assign_in(user: Any, team: Team) -> bool:
    """Whether to offer bulk assignment: the team's leaders, and managers and administrators.
    `assign_case` checks each case again."""
    member = staff_member(user)
    if member.is_superuser or member.has_role_in(team.pk, Role.TEAM_LEADER, *MANAGING_ROLES):
        return True
    return not member.is_partner and bool(member.roles & set(MANAGING_ROLES))


@dataclass(frozen=True)
class QueueRow:
    case: Case
    due: str  # "missed", "response_missed", "paused", "soon" or ""
    status: str  # in words
    priority: str  # in words


def queue_rows(cases: list[Case], now: datetime.datetime) -> list[QueueRow]:
    """A page of the queue, with the labels translated once rather than in every row."""
    statuses = {value: str(label) for value, label in CaseStatus.choices}
    priorities = {value: str(label) for value, label in Priority.choices}
    return [
        QueueRow(
            case,
            due_state(case, now),
            status=statuses.get(case.status, case.status),
            priority=priorities.get(case.priority, case.priority),
        )
        for case in cases
    ]


def due_state(case: Case, now: datetime.datetime) -> str:
    if not case.is_open:
        return ""
    due = case.resolution_due_at
    if case.resolution_breached_at or (due and due <= now and not case.is_paused):
        return "missed"
    if case.is_paused:
        return "paused"
    if case.first_response_breached_at and not case.first_response_at:
        return "response_missed"
    if due and due <= now + DUE_SOON:
        return "soon"
    return ""


@dataclass(frozen=True)
class ReferralRow:
    referral: Referral
    acknowledge_missed: bool
    missed: bool


def _referral_rows(referrals: list[Referral], now: datetime.datetime) -> list[ReferralRow]:
    return [
        ReferralRow(
            referral,
            acknowledge_missed=referral.status == ReferralStatus.PENDING
            and (bool(referral.acknowledge_breached_at) or referral.acknowledge_due_at <= now),
            missed=bool(referral.breached_at) or referral.due_at <= now,
        )
        for referral in referrals
    ]


def _bulk_assign(
    request: HttpRequest, team: Team, members: list[Any]
) -> HttpResponse | BulkAssignForm:
    """Assign the ticked cases; the form again, with its errors, when nothing was assigned."""
    submitted = [value for value in request.POST.getlist("cases") if value.isdigit()]
    in_queue = team_queue(user=request.user, team=team, filters=QueueFilters(include_closed=True))
    case_ids = list(in_queue.filter(pk__in=submitted).values_list("pk", flat=True))
    form = BulkAssignForm(request.POST, members=members, case_ids=case_ids)
    if not form.is_valid():
        return form
    token = form.cleaned_data["form_token"]
    if tokens.was_used(request, token):
        messages.info(request, _("Those cases were assigned already, so nothing was changed."))
        return redirect(request.get_full_path())
    if not tokens.is_open(request, token):
        tokens.issue(request, token)
        form.add_error(None, _("The form had expired, so nothing was assigned. Try again."))
        return form
    assignee = form.cleaned_data["assignee"]
    cases = list(in_queue.filter(pk__in=form.cleaned_data["cases"]))
    try:
        assign_cases(actor=request.user, cases=cases, assignee=assignee)
    except ValidationError as error:
        form.add_service_errors(error)
        return form
    tokens.consume(request, token)
    count = len(cases)
    if assignee is None:
        text = ngettext(
            "%(count)s case returned to the team", "%(count)s cases returned to the team", count
        ) % {"count": count}
    else:
        text = ngettext(
            "%(count)s case assigned to %(name)s", "%(count)s cases assigned to %(name)s", count
        ) % {"count": count, "name": assignee.get_full_name() or assignee.username}
    messages.success(request, text)
    return redirect(request.get_full_path())


@login_required
@require_http_methods(["GET", "POST"])
def queue(request: HttpRequest, slug: str) -> HttpResponse:
    """One team's cases (50 a page) with filters, and the referrals it has received."""
    team = team_for_queue(user=request.user, slug=slug)
    may_assign = may_assign_in(request.user, team)
    members = list(team_members(team))
    bulk_form: BulkAssignForm | None = None
    if request.method == "POST":
        if not may_assign:
            raise PermissionDenied(_("Only team leaders and managers assign cases in bulk."))
        result = _bulk_assign(request, team, members)
        if isinstance(result, HttpResponse):
            return result
        bulk_form = result
    elif may_assign:
        bulk_form = BulkAssignForm(members=members, case_ids=[])
        tokens.issue(request, bulk_form.initial["form_token"])
    filter_form = QueueFilterForm(request.GET or None, team=team, members=members)
    cases = team_queue(user=request.user, team=team, filters=filter_form.filters())
    page = Paginator(cases, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    referrals = list(referrals_for_team(user=request.user, team=team))
    context = {
        "team": team,
        "filter_form": filter_form,
        "bulk_form": bulk_form,
        "form": bulk_form,  # for the error summary
        "selected": set(request.POST.getlist("cases")),
        "rows": queue_rows(page.object_list, now),
        "page": page,
        "page_range": list(page.paginator.get_elided_page_range(page.number, on_each_side=2)),
        "referral_rows": _referral_rows(referrals, now),
        "may_assign": may_assign,
    }
    return render(request, "console/queue.html", context)
