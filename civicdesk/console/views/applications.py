"""Deciding an application on its case: approve, refuse, or ask for more information.

Each decision is a small page with a confirmation form (GET) that calls one
`forms.applications` service (POST), then goes back to the case with a success banner. Only
someone who may work the case (cases.policy) is offered the pages; the services check again.
The application's panel on the case page is `templatetags/console_applications.py`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from civicdesk.cases.selectors import case_for_user
from civicdesk.cases.services import record_case_view
from civicdesk.console import tokens
from civicdesk.console.forms import TokenForm
from civicdesk.console.views.cases import save_once
from civicdesk.forms import applications
from civicdesk.forms.models import Application
from civicdesk.forms.selectors import application_for_case


class ApproveForm(TokenForm):
    note = forms.CharField(
        label=gettext_lazy("Anything to add to the approval letter (optional)"),
        help_text=gettext_lazy("For example, when the badge will be posted."),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class RefuseForm(TokenForm):
    reasons = forms.CharField(
        label=gettext_lazy("Why the application is refused"),
        help_text=gettext_lazy(
            "This goes in the letter to the applicant. Use plain words and say which "
            "criteria are not met."
        ),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": gettext_lazy("Explain why the application is refused")},
    )


class InformationForm(TokenForm):
    request = forms.CharField(
        label=gettext_lazy("What information do you need?"),
        help_text=gettext_lazy(
            "The applicant is sent this. The SLA clock pauses until they answer."
        ),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": gettext_lazy("Say what information you need")},
    )


@dataclass(frozen=True)
class Decision:
    name: str
    title: Promise
    button: Promise
    form_class: type[TokenForm]
    perform: Callable[[Any, Application, dict[str, Any]], str]  # returns the success message
    intro: Promise
    link: Promise  # on the case page's panel
    warning: bool = False


def _approve(actor: Any, application: Application, data: dict[str, Any]) -> str:
    applications.approve_application(actor=actor, application=application, note=data["note"])
    return _("The application is approved. The applicant has been sent the approval letter.")


def _refuse(actor: Any, application: Application, data: dict[str, Any]) -> str:
    applications.refuse_application(actor=actor, application=application, reasons=data["reasons"])
    return _(
        "The application is refused. The applicant has been sent the letter with your reasons."
    )


def _ask(actor: Any, application: Application, data: dict[str, Any]) -> str:
    applications.ask_for_information(actor=actor, application=application, request=data["request"])
    return _("The applicant has been asked for more information. The SLA clock is paused.")


DECISIONS = {
    decision.name: decision
    for decision in (
        Decision(
            name="approve",
            title=gettext_lazy("Approve the application"),
            button=gettext_lazy("Approve"),
            form_class=ApproveForm,
            perform=_approve,
            intro=gettext_lazy("The case is closed and the applicant is sent the approval letter."),
            link=gettext_lazy("Approve"),
        ),
        Decision(
            name="refuse",
            title=gettext_lazy("Refuse the application"),
            button=gettext_lazy("Refuse"),
            form_class=RefuseForm,
            perform=_refuse,
            intro=gettext_lazy(
                "The case is closed and the applicant is sent a letter with your reasons and "
                "how to ask for the decision to be looked at again."
            ),
            link=gettext_lazy("Refuse"),
            warning=True,
        ),
        Decision(
            name="information",
            title=gettext_lazy("Ask for more information"),
            button=gettext_lazy("Send the request"),
            form_class=InformationForm,
            perform=_ask,
            intro=gettext_lazy(
                "The case waits for the applicant, so its SLA clock pauses until they answer."
            ),
            link=gettext_lazy("Ask for more information"),
        ),
    )
}


def decision_url(name: str, reference: str) -> str:
    return reverse(f"console:case-application-{name}", args=[reference])


@login_required
@require_http_methods(["GET", "POST"])
def decide(request: HttpRequest, reference: str, decision: str) -> HttpResponse:
    """One decision on the application a case came from: its form (GET), and making it (POST)."""
    spec = DECISIONS[decision]
    case, access = case_for_user(user=request.user, reference=reference)
    application = application_for_case(case=case)
    if application is None:
        raise Http404("This case did not come from an application.")
    if not access.may_work:
        raise PermissionDenied(_("You cannot decide this application."))
    application.case = case
    if request.method == "GET":
        if case.reference != reference:
            return redirect(f"console:case-application-{decision}", case.reference)
        if application.status not in applications.UNDECIDED:
            messages.info(
                request,
                _("You cannot do that now: the application is %(status)s.")
                % {"status": application.get_status_display().lower()},
            )
            return redirect("console:case", case.reference)
        form = spec.form_class()
        tokens.issue(request, form.initial["form_token"])
        record_case_view(actor=request.user, case=case)  # the page shows the application
    else:
        form = spec.form_class(data=request.POST)
        if form.is_valid() and (
            saved := save_once(
                request,
                form,
                lambda: spec.perform(request.user, application, form.cleaned_data),
                application.case.reference,
            )
        ):
            return saved
    context = {
        "case": case,
        "application": application,
        "decision": spec,
        "form": form,
        "form_url": decision_url(decision, case.reference),
    }
    return render(request, "console/application_decision.html", context)
