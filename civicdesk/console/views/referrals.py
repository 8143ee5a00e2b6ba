"""Referrals: handing a case (or part of it) to another team or a partner agency.

The receiving team sees only what was referred: the reference, the service, where, what they
are asked to do, the customer's details when shared, the shared attachments and the referral's
own notes. Never the case's description, its internal notes or its other referrals.
"""

from functools import reduce
from operator import or_
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from civicdesk.cases.models import Referral, ReferralStatus
from civicdesk.cases.referrals import (
    acknowledge_referral,
    add_referral_note,
    complete_referral,
    customer_agreed_to_sharing,
    decline_referral,
    refer_case,
    withdraw_referral,
)
from civicdesk.cases.selectors import case_for_user, referral_for_user, referrals_for_team
from civicdesk.cases.services import record_case_view
from civicdesk.console import tokens
from civicdesk.console.forms_raise import (
    ReferForm,
    ReferralAnswerForm,
    ReferralNoteForm,
    referral_teams,
)
from civicdesk.console.views.raise_case import when
from civicdesk.organisations.selectors import teams_for

REFERRALS_PAGE_SIZE = 50


def _referral_url(referral: Referral) -> str:
    return reverse("console:referral", args=[referral.pk])


@login_required
def refer(request: HttpRequest, reference: str) -> HttpResponse:
    """The team working a case asks another team, or a partner agency, to do part of it."""
    case, access = case_for_user(user=request.user, reference=reference)
    if not access.may_work:
        raise PermissionDenied(_("Only the team working the case can refer it."))
    record_case_view(actor=request.user, case=case)  # the page shows what the case is
    form = ReferForm(
        request.POST if request.method == "POST" else None,
        teams=referral_teams(case),
        attachments=list(case.attachments.all()),
        has_customer=case.customer_id is not None,
        customer_agreed=customer_agreed_to_sharing(case),
    )
    case_url = reverse("console:case", args=[case.reference])
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["form_token"]
        if tokens.was_used(request, token):
            messages.info(request, _("That referral was made already, so it was not made again."))
            return redirect(tokens.outcome_of(request, token) or case_url)
        if not tokens.is_open(request, token):
            tokens.issue(request, token)
            form.add_error(
                None, _("The form had expired, so nothing was referred. Check it and try again.")
            )
        else:
            try:
                referral = refer_case(
                    actor=request.user,
                    case=case,
                    to_team=form.chosen_team(),
                    scope=form.cleaned_data["scope"],
                    share_customer_details=form.cleaned_data.get("share_customer_details", False),
                    attachments=form.chosen_attachments(),
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                tokens.consume(request, token, outcome=case_url)
                messages.success(
                    request,
                    _(
                        "Referred to %(team)s. They should acknowledge it by %(acknowledge)s "
                        "and complete it by %(due)s."
                    )
                    % {
                        "team": referral.to_team.name,
                        "acknowledge": when(referral.acknowledge_due_at),
                        "due": when(referral.due_at),
                    },
                )
                return redirect(case_url)
    elif request.method == "GET":
        tokens.issue(request, form.initial["form_token"])
    context = {"case": case, "form": form, "case_url": case_url}
    return render(request, "console/referral_form.html", context)


def _show_referral(
    request: HttpRequest, referral: Referral, access: Any, note_form: ReferralNoteForm
) -> HttpResponse:
    case = referral.case
    context = {
        "referral": referral,
        "access": access,
        "case": case,
        # The referring side works the case and may open it; the receiving side may not.
        "case_url": reverse("console:case", args=[case.reference]) if access.may_withdraw else "",
        "customer": case.customer if referral.share_customer_details else None,
        "attachments": list(referral.shared_attachments.all()),
        "events": list(referral.events.all()),
        "note_form": note_form,
        "may_write": access.may_respond or access.may_withdraw,
        "acknowledge_by": when(referral.acknowledge_due_at),
        "due": when(referral.due_at),
    }
    return render(request, "console/referral.html", context)


@login_required
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One referral as both sides see it; posting adds a note for the other side."""
    referral, access = referral_for_user(user=request.user, pk=pk)
    if request.method != "POST":
        form = ReferralNoteForm()
        tokens.issue(request, form.initial["form_token"])
        return _show_referral(request, referral, access, form)
    form = ReferralNoteForm(request.POST)
    if form.is_valid():
        token = form.cleaned_data["form_token"]
        if tokens.was_used(request, token):
            messages.info(request, _("That note was added already, so it was not added again."))
            return redirect(_referral_url(referral))
        if not tokens.is_open(request, token):
            tokens.issue(request, token)
            form.add_error(
                None, _("The form had expired, so the note was not added. Check it and try again.")
            )
        else:
            try:
                add_referral_note(
                    actor=request.user, referral=referral, text=form.cleaned_data["text"]
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                tokens.consume(request, token)
                messages.success(request, _("Note added"))
                return redirect(f"{_referral_url(referral)}#notes")
    return _show_referral(request, referral, access, form)


@login_required
@require_POST
def acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    referral, access = referral_for_user(user=request.user, pk=pk)
    if not access.may_respond:
        raise PermissionDenied(_("Only the receiving team answers a referral."))
    try:
        acknowledge_referral(actor=request.user, referral=referral)
    except ValidationError:
        # Acknowledged already, perhaps by a colleague, or finished: nothing more to do.
        messages.info(
            request,
            _("This referral is already %(status)s.")
            % {"status": referral.get_status_display().lower()},
        )
    else:
        messages.success(request, _("Referral acknowledged"))
    return redirect(_referral_url(referral))


ANSWERS = {
    "complete": (complete_referral, "outcome", "may_respond"),
    "decline": (decline_referral, "reason", "may_respond"),
    "withdraw": (withdraw_referral, "reason", "may_withdraw"),
}
DONE_MESSAGES = {
    "complete": gettext_lazy("Referral completed"),
    "decline": gettext_lazy("Referral declined"),
    "withdraw": gettext_lazy("Referral withdrawn"),
}


@login_required
def answer(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Complete or decline (the receiving team), or withdraw (the referring side)."""
    if action not in ANSWERS:
        raise Http404("No such action.")
    service, argument, permission = ANSWERS[action]
    referral, access = referral_for_user(user=request.user, pk=pk)
    if not getattr(access, permission):
        raise PermissionDenied(_("You cannot do that to this referral."))
    if not referral.is_active:
        messages.info(
            request,
            _("This referral is already %(status)s.")
            % {"status": referral.get_status_display().lower()},
        )
        return redirect(_referral_url(referral))
    form = ReferralAnswerForm(request.POST if request.method == "POST" else None, action=action)
    if request.method == "POST" and form.is_valid():
        try:
            service(actor=request.user, referral=referral, **{argument: form.cleaned_data["text"]})
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, str(DONE_MESSAGES[action]))
            return redirect(_referral_url(referral))
    context = {"referral": referral, "case": referral.case, "form": form, "action": action}
    return render(request, "console/referral_answer.html", context)


@login_required
def attachment(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    """A file shared with the referral, to either side of it; nothing else on the case."""
    referral, _access = referral_for_user(user=request.user, pk=pk)
    shared = next((a for a in referral.shared_attachments.all() if a.pk == attachment_pk), None)
    if shared is None:
        raise Http404("No such attachment on this referral.")
    response = FileResponse(
        shared.file.open("rb"),
        as_attachment=True,
        filename=shared.name,
        content_type=shared.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def referral_list(request: HttpRequest) -> HttpResponse:
    """The referrals made to the user's teams: waiting to be acknowledged first, then by due date.

    Partner staff's home page; council teams receive referrals from each other too.
    """
    show_finished = request.GET.get("show") == "all"
    teams = list(teams_for(request.user))
    if teams:
        referrals = reduce(
            or_,
            (
                referrals_for_team(user=request.user, team=team, active_only=not show_finished)
                for team in teams
            ),
        )
        waiting_first = models.Case(
            models.When(status=ReferralStatus.PENDING, then=models.Value(0)),
            models.When(status=ReferralStatus.ACKNOWLEDGED, then=models.Value(1)),
            default=models.Value(2),
            output_field=models.IntegerField(),
        )
        referrals = referrals.select_related("to_team").order_by(waiting_first, "due_at", "id")
    else:
        referrals = Referral.objects.none()
    page = Paginator(referrals, REFERRALS_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "teams": teams,
        "page": page,
        "referrals": list(page.object_list),
        "show_finished": show_finished,
    }
    return render(request, "console/referral_list.html", context)
