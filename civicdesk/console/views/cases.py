"""A case in the back office: everything about it on one page, and one small page per action.

Each action is a form that calls one `cases.services` function. The policy's CaseAccess decides
which actions are offered; the services check again, so a form posted by someone who may not
use it is refused (403) either way.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods

from civicdesk.cases.models import (
    TRANSITIONS,
    Attachment,
    Case,
    CaseEvent,
    CaseStatus,
    EventKind,
    ResolutionCode,
)
from civicdesk.cases.policy import CaseAccess
from civicdesk.cases.selectors import case_for_user, case_timeline, referrals_for_case
from civicdesk.cases.services import (
    add_attachment,
    add_note,
    assign_case,
    change_priority,
    change_status,
    close_case,
    record_case_view,
    reopen_case,
)
from civicdesk.catalogue.models import Priority
from civicdesk.catalogue.questions import answers_in_words
from civicdesk.console import tokens
from civicdesk.console.forms_cases import (
    AssignForm,
    AttachmentForm,
    ChangePriorityForm,
    ChangeStatusForm,
    CloseCaseForm,
    NoteForm,
    ReopenCaseForm,
    TakeCaseForm,
    team_members,
)
from civicdesk.console.views.queues import due_state
from civicdesk.notify.selectors import messages_about


def working_time(seconds: int) -> str:
    """A length of working time in words: "2 hours 5 minutes"."""
    hours, minutes = divmod(round(seconds / 60), 60)
    parts = []
    if hours:
        parts.append(ngettext("%(count)s hour", "%(count)s hours", hours) % {"count": hours})
    if minutes:
        parts.append(
            ngettext("%(count)s minute", "%(count)s minutes", minutes) % {"count": minutes}
        )
    return " ".join(parts) or _("less than a minute")


def _status_label(value: Any) -> str:
    return str(CaseStatus(value).label) if value in CaseStatus.values else str(value or "")


def _priority_label(value: Any) -> str:
    return str(Priority(value).label) if value in Priority.values else str(value or "")


FILE_TYPES = {
    "application/pdf": gettext_lazy("PDF"),
    "image/png": gettext_lazy("PNG image"),
    "image/jpeg": gettext_lazy("JPEG image"),
    "image/webp": gettext_lazy("WebP image"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": gettext_lazy(
        "Word document"
    ),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": gettext_lazy(
        "Excel spreadsheet"
    ),
    "application/vnd.oasis.opendocument.text": gettext_lazy("OpenDocument text"),
    "text/plain": gettext_lazy("Text file"),
}


@dataclass(frozen=True)
class TimelineEntry:
    event: CaseEvent
    summary: str  # a line under the heading, e.g. "From open to in progress"
    text: str  # what someone wrote: a note, an update, a reason
    sent_to_customer: bool
    attachment: Attachment | None = None

    @property
    def heading(self) -> str:
        """The kind of event, except that a clock stopped for good is not "paused"."""
        if self.event.kind == EventKind.CLOCK_PAUSED and self.event.data.get("reason") == "stopped":
            return _("SLA clock stopped")
        return self.event.get_kind_display()

    @property
    def file_type(self) -> str:
        if self.attachment is None:
            return ""
        return str(FILE_TYPES.get(self.attachment.content_type, self.attachment.content_type))


def _attachment(event: CaseEvent) -> Attachment | None:
    if event.kind != EventKind.ATTACHMENT:
        return None
    try:
        return event.attachment
    except Attachment.DoesNotExist:
        return None


def _summary(event: CaseEvent) -> str:
    data = event.data or {}
    kind = event.kind
    if kind == EventKind.STATUS_CHANGED:
        return _("From %(from)s to %(to)s") % {
            "from": _status_label(data.get("from")).lower(),
            "to": _status_label(data.get("to")).lower(),
        }
    if kind == EventKind.PRIORITY_CHANGED:
        return _("From %(from)s to %(to)s") % {
            "from": _priority_label(data.get("from")).lower(),
            "to": _priority_label(data.get("to")).lower(),
        }
    if kind == EventKind.ASSIGNED:
        return _("To %(name)s") % {"name": event.text} if data.get("assignee") else event.text
    if kind == EventKind.CLOCK_PAUSED:
        if data.get("reason") == "stopped":
            return _("The SLA clocks stopped: the case is %(status)s.") % {
                "status": _status_label(data.get("status")).lower()
            }
        return _("The SLA clocks are paused while the case is %(status)s.") % {
            "status": _status_label(data.get("status")).lower()
        }
    if kind == EventKind.CLOCK_RESUMED:
        return _("Paused for %(time)s of working time.") % {
            "time": working_time(int(data.get("paused_working_seconds") or 0))
        }
    if kind == EventKind.MESSAGE_SENT:
        return event.text
    if kind == EventKind.CLOSED and data.get("resolution_code") in ResolutionCode.values:
        return str(ResolutionCode(data["resolution_code"]).label)
    if event.referral_id and event.referral is not None:
        return _("Referral to %(team)s") % {"team": event.referral.to_team.name}
    return ""


def timeline_entries(events: list[CaseEvent]) -> list[TimelineEntry]:
    """The case's events newest first, as on the customer's single view."""
    shown_as_summary = {EventKind.ASSIGNED, EventKind.MESSAGE_SENT, EventKind.ATTACHMENT}
    return [
        TimelineEntry(
            event=event,
            summary=_summary(event),
            text="" if event.kind in shown_as_summary else event.text,
            sent_to_customer=event.is_public,
            attachment=_attachment(event),
        )
        for event in reversed(events)
    ]


# The actions, each a small form calling one service.


@dataclass(frozen=True)
class CaseAction:
    name: str
    title: Promise
    button: Promise
    make_form: Callable[..., forms.Form]
    permitted: Callable[[CaseAccess], bool]
    available: Callable[[Case, Any], bool]
    perform: Callable[[Any, Case, dict[str, Any]], str]  # returns the success message
    intro: Promise | None = None
    multipart: bool = False


def _name(user: Any) -> str:
    return user.get_full_name() or user.username


def _assign(actor: Any, case: Case, data: dict[str, Any]) -> str:
    assignee = data["assignee"]
    assign_case(actor=actor, case=case, assignee=assignee)
    if assignee is None:
        return _("Case returned to the team's queue")
    if assignee.pk == actor.pk:
        return _("Case assigned to you")
    return _("Case assigned to %(name)s") % {"name": _name(assignee)}


def _take(actor: Any, case: Case, data: dict[str, Any]) -> str:
    return _assign(actor, case, {"assignee": actor})


def _change_status(actor: Any, case: Case, data: dict[str, Any]) -> str:
    case = change_status(actor=actor, case=case, status=data["status"], note=data["note"])
    return _("Status changed to %(status)s") % {"status": case.get_status_display().lower()}


def _change_priority(actor: Any, case: Case, data: dict[str, Any]) -> str:
    case = change_priority(actor=actor, case=case, priority=data["priority"], reason=data["reason"])
    return _("Priority changed to %(priority)s") % {"priority": case.get_priority_display().lower()}


def _add_note(actor: Any, case: Case, data: dict[str, Any]) -> str:
    add_note(actor=actor, case=case, text=data["text"])
    return _("Note added")


def _add_update(actor: Any, case: Case, data: dict[str, Any]) -> str:
    add_note(actor=actor, case=case, text=data["text"], public=True)
    # Whether it could be sent (contact details, a template) shows under "Messages sent".
    return _("Update for the customer added")


def _add_attachment(actor: Any, case: Case, data: dict[str, Any]) -> str:
    attachment = add_attachment(actor=actor, case=case, upload=data["file"])
    return _("%(name)s added to the case") % {"name": attachment.name}


def _closer(final: bool) -> Callable[[Any, Case, dict[str, Any]], str]:
    def close(actor: Any, case: Case, data: dict[str, Any]) -> str:
        close_case(
            actor=actor,
            case=case,
            resolution_code=data.get("resolution_code", ""),
            message=data.get("message", ""),
            final=final,
        )
        return _("Case closed") if final else _("Case resolved")

    return close


def _reopen(actor: Any, case: Case, data: dict[str, Any]) -> str:
    reopen_case(actor=actor, case=case, reason=data["reason"])
    return _("Case reopened")


def _can_move_to(status: str) -> Callable[[Case, Any], bool]:
    return lambda case, user: status in TRANSITIONS[case.status]


def _is_open(case: Case, user: Any) -> bool:
    return case.is_open


ACTIONS = {
    action.name: action
    for action in (
        CaseAction(
            name="status",
            title=gettext_lazy("Change status"),
            button=gettext_lazy("Change status"),
            make_form=lambda request, case, **kw: ChangeStatusForm(case=case, **kw),
            permitted=lambda access: access.may_work,
            available=lambda case, user: case.is_open and ChangeStatusForm.available(case),
            perform=_change_status,
            intro=gettext_lazy(
                "Waiting for the customer pauses the SLA clocks until the case moves on."
            ),
        ),
        CaseAction(
            name="assign",
            title=gettext_lazy("Assign the case"),
            button=gettext_lazy("Assign"),
            make_form=lambda request, case, **kw: AssignForm(
                case=case, members=list(team_members(case.team)), **kw
            ),
            permitted=lambda access: access.may_assign,
            available=_is_open,
            perform=_assign,
        ),
        CaseAction(
            name="take",
            title=gettext_lazy("Assign the case to yourself"),
            button=gettext_lazy("Assign to me"),
            make_form=lambda request, case, **kw: TakeCaseForm(**kw),
            permitted=lambda access: access.may_assign or access.may_work,
            # Only members of the case's team can hold it (assign_case checks the same).
            available=lambda case, user: (
                case.is_open
                and case.assignee_id != user.pk
                and case.team.memberships.filter(user=user).exists()
            ),
            perform=_take,
        ),
        CaseAction(
            name="priority",
            title=gettext_lazy("Change priority"),
            button=gettext_lazy("Change priority"),
            make_form=lambda request, case, **kw: ChangePriorityForm(case=case, **kw),
            permitted=lambda access: access.may_work,
            available=_is_open,
            perform=_change_priority,
        ),
        CaseAction(
            name="note",
            title=gettext_lazy("Add an internal note"),
            button=gettext_lazy("Add note"),
            make_form=lambda request, case, **kw: NoteForm(**kw),
            permitted=lambda access: access.may_note,
            available=lambda case, user: True,
            perform=_add_note,
        ),
        CaseAction(
            name="update",
            title=gettext_lazy("Add an update for the customer"),
            button=gettext_lazy("Send update"),
            make_form=lambda request, case, **kw: NoteForm(public=True, **kw),
            permitted=lambda access: access.may_work,
            available=_is_open,  # a finished case's last word is its closing message
            perform=_add_update,
        ),
        CaseAction(
            name="attachment",
            title=gettext_lazy("Add a file"),
            button=gettext_lazy("Upload file"),
            make_form=lambda request, case, **kw: AttachmentForm(**kw),
            permitted=lambda access: access.may_work,
            available=lambda case, user: True,
            perform=_add_attachment,
            intro=gettext_lazy("For example, a photo of the problem or a letter. Staff only."),
            multipart=True,
        ),
        CaseAction(
            name="resolve",
            title=gettext_lazy("Mark as resolved"),
            button=gettext_lazy("Mark as resolved"),
            make_form=lambda request, case, **kw: CloseCaseForm(case=case, **kw),
            permitted=lambda access: access.may_work,
            available=_can_move_to(CaseStatus.RESOLVED),
            perform=_closer(final=False),
            intro=gettext_lazy(
                "The work is done. The case stays resolved until it is closed, and the customer "
                "is sent your message."
            ),
        ),
        CaseAction(
            name="close",
            title=gettext_lazy("Close the case"),
            button=gettext_lazy("Close case"),
            make_form=lambda request, case, **kw: CloseCaseForm(case=case, **kw),
            permitted=lambda access: access.may_work,
            available=_can_move_to(CaseStatus.CLOSED),
            perform=_closer(final=True),
            intro=gettext_lazy("Closing finishes the case. It can be reopened if it has to be."),
        ),
        CaseAction(
            name="reopen",
            title=gettext_lazy("Reopen the case"),
            button=gettext_lazy("Reopen case"),
            make_form=lambda request, case, **kw: ReopenCaseForm(**kw),
            permitted=lambda access: access.may_work,
            available=_can_move_to(CaseStatus.REOPENED),
            perform=_reopen,
            intro=gettext_lazy("The SLA clocks run again from where they stopped."),
        ),
    )
}
# The order actions are listed in on the case page, with "Assign to me" and the note form there.
LISTED_ACTIONS = ("status", "assign", "priority", "update", "attachment", "resolve", "close")


def action_url(name: str, case: Case) -> str:
    return reverse(f"console:case-{name}", args=[case.reference])


def _offered(name: str, case: Case, access: CaseAccess, user: Any) -> bool:
    action = ACTIONS[name]
    return action.permitted(access) and action.available(case, user)


def _listed_actions(
    case: Case, access: CaseAccess, offered: dict[str, bool]
) -> list[tuple[str, str]]:
    """(title, address) of each action the user may take now, for the case page's list."""
    listed = [
        (str(ACTIONS[name].title), action_url(name, case))
        for name in LISTED_ACTIONS
        if offered[name]
    ]
    if access.may_work and case.is_open:  # referring has its own pages (console.views.referrals)
        listed.insert(
            4, (_("Refer to another team"), reverse("console:refer-case", args=[case.reference]))
        )
    if access.may_chase and case.is_open:
        listed.append((_("Log a chase"), reverse("console:chase-case", args=[case.reference])))
    return listed


def _inline_form(request: HttpRequest, form: forms.Form) -> forms.Form:
    """A form shown on the case page itself, e.g. the note box under "Timeline"."""
    tokens.issue(request, form.initial["form_token"])
    for form_field in form.fields.values():
        form_field.label_size = "s"
        if isinstance(form_field.widget, forms.Textarea):
            form_field.widget.attrs["rows"] = 3
    return form


@login_required
@require_GET
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    """Everything about a case for the officer working it."""
    case, access = case_for_user(user=request.user, reference=reference)
    if case.reference != reference:
        return redirect("console:case", case.reference)
    record_case_view(actor=request.user, case=case)
    user = request.user
    offered = {name: _offered(name, case, access, user) for name in ACTIONS}
    context = {
        "case": case,
        "access": access,
        "due": due_state(case, timezone.now()),
        # The service's questions and the names of the choices, as the resident saw them.
        "attributes": [
            (answer.prompt, answer.text)
            for answer in answers_in_words(case.service, case.attributes or {})
            if answer.text
        ],
        "timeline": timeline_entries(case_timeline(case=case)),
        "referrals": referrals_for_case(case=case),
        "sent_messages": list(messages_about(reference=case.reference)),
        "actions": _listed_actions(case, access, offered),
        "reopen_url": action_url("reopen", case) if offered["reopen"] else "",
        "take_form": _inline_form(request, TakeCaseForm()) if offered["take"] else None,
        "note_form": _inline_form(request, NoteForm(label=_("Add an internal note")))
        if offered["note"]
        else None,
        "paused_for": working_time(case.paused_working_seconds),
    }
    return render(request, "console/case.html", context)


def save_once(
    request: HttpRequest, form: Any, perform: Callable[[], str], reference: str
) -> HttpResponse | None:
    """Carry out what a case page's form asks, once (its form token), then back to the case
    with `perform`'s message; None when the form has to be shown again with its errors."""
    token = form.cleaned_data["form_token"]
    if tokens.was_used(request, token):
        messages.info(request, _("That was saved already, so it was not saved again."))
        return redirect("console:case", reference)
    if not tokens.is_open(request, token):
        tokens.issue(request, token)
        form.add_error(
            None, _("The form had expired, so nothing was saved. Check it and try again.")
        )
        return None
    try:
        done = perform()
    except ValidationError as error:
        form.add_service_errors(error)
        return None
    tokens.consume(request, token)
    messages.success(request, done)
    return redirect("console:case", reference)


@login_required
@require_http_methods(["GET", "POST"])
def case_action(request: HttpRequest, reference: str, action: str) -> HttpResponse:
    """One action on a case: its form (GET), and carrying it out (POST)."""
    spec = ACTIONS[action]
    case, access = case_for_user(user=request.user, reference=reference)
    if not spec.permitted(access):
        raise PermissionDenied(_("You cannot do that to this case."))
    if request.method == "GET":
        if case.reference != reference:
            return redirect(f"console:case-{action}", case.reference)
        if not spec.available(case, request.user):
            messages.info(
                request,
                _("You cannot do that now: the case is %(status)s.")
                % {"status": case.get_status_display().lower()},
            )
            return redirect("console:case", case.reference)
        form = spec.make_form(request, case)
        tokens.issue(request, form.initial["form_token"])
        record_case_view(actor=request.user, case=case)  # the page shows where the case is
    else:
        form = spec.make_form(request, case, data=request.POST, files=request.FILES or None)
        if form.is_valid() and (
            saved := save_once(
                request,
                form,
                lambda: spec.perform(request.user, case, form.cleaned_data),
                case.reference,
            )
        ):
            return saved
    context = {"case": case, "action": spec, "form": form, "form_url": action_url(action, case)}
    return render(request, "console/case_action.html", context)


@login_required
@require_GET
def attachment_download(request: HttpRequest, reference: str, pk: int) -> FileResponse:
    """A file on a case, only to someone who may see the case's details; never shown inline."""
    case, _access = case_for_user(user=request.user, reference=reference)
    attachment = case.attachments.filter(pk=pk).first()
    if attachment is None:
        raise Http404("No such attachment.")
    record_case_view(actor=request.user, case=case)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
