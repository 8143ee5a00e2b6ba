"""Forms for the back office's queue and case pages. They collect input; cases.services writes."""

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from civicdesk.cases.models import TRANSITIONS, Case, CaseStatus, ResolutionCode
from civicdesk.cases.selectors import QueueFilters
from civicdesk.cases.services import WORKING_STATUSES
from civicdesk.catalogue.models import Priority, Service
from civicdesk.console.forms import GovukFormMixin, TokenForm
from civicdesk.organisations.models import Team, User
from civicdesk.places.models import Ward

SORTS = [
    ("due", _("Due soonest")),
    ("opened", _("Newest")),
    ("priority", _("Priority")),
]
DUE_CHOICES = [
    ("", _("Any")),
    ("soon", _("Due in the next 24 hours")),
    ("breached", _("Missed a target")),
]
NOBODY = "nobody"


def team_members(team: Team) -> QuerySet[User]:
    """The active members of a team, by name: who its cases may be assigned to."""
    return (
        User.objects.filter(memberships__team=team, is_active=True)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def _member_label(user: User) -> str:
    return user.get_full_name() or user.username


class QueueFilterForm(GovukFormMixin, forms.Form):
    """The queue's filters and sort order, read from the query string."""

    status = forms.ChoiceField(label=_("Status"), required=False)
    due = forms.ChoiceField(label=_("Due"), choices=DUE_CHOICES, required=False)
    ward = forms.ModelChoiceField(
        label=_("Ward"), queryset=Ward.objects.none(), required=False, empty_label=_("Any")
    )
    service = forms.ModelChoiceField(
        label=_("Service"), queryset=Service.objects.none(), required=False, empty_label=_("Any")
    )
    assignee = forms.ChoiceField(label=_("Assigned to"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), choices=SORTS, required=False)
    include_closed = forms.BooleanField(label=_("Include closed cases"), required=False)

    def __init__(self, *args: Any, team: Team, members: list[User], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "filter_%s")  # the bulk form on the same page has an assignee
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Any")), *CaseStatus.choices]
        self.fields["ward"].queryset = Ward.objects.filter(organisation_id=team.organisation_id)
        self.fields["service"].queryset = (
            Service.objects.filter(Q(owning_team=team) | Q(routing_rules__team=team))
            .distinct()
            .only("pk", "name")
        )
        self.fields["assignee"].choices = [
            ("", _("Anyone")),
            ("me", _("Me")),
            (NOBODY, _("Nobody")),
            *((str(member.pk), _member_label(member)) for member in members),
        ]

    def filters(self) -> QueueFilters:
        """What to show; an unreadable query string shows the default queue."""
        if not self.is_bound or not self.is_valid():
            return QueueFilters()
        data = self.cleaned_data
        return QueueFilters(
            status=data["status"],
            due=data["due"],
            ward_id=data["ward"].pk if data["ward"] else None,
            service_id=data["service"].pk if data["service"] else None,
            assignee=data["assignee"],
            include_closed=data["include_closed"] or data["status"] in (
                CaseStatus.RESOLVED, CaseStatus.CLOSED
            ),
            sort=data["sort"] or "due",
        )  # fmt: skip

    @property
    def is_filtered(self) -> bool:
        if not self.is_bound or not self.is_valid():
            return False
        return any(value for name, value in self.cleaned_data.items() if name != "sort")


def _assignee_choices(members: list[User], *, nobody: bool) -> list[tuple[str, str]]:
    choices = [("", _("Choose someone"))]
    choices += [(str(member.pk), _member_label(member)) for member in members]
    if nobody:
        choices.append((NOBODY, _("Nobody: back to the team")))
    return choices


class AssigneeMixin:
    """An `assignee` choice among the team's members; cleaned to a user, or None for nobody."""

    members: list[User]

    def clean_assignee(self) -> User | None:
        value = self.cleaned_data["assignee"]
        if value == NOBODY:
            return None
        return next(member for member in self.members if str(member.pk) == value)


class BulkAssignForm(AssigneeMixin, TokenForm):
    """Assign the cases ticked in the queue to one member of the team."""

    cases = forms.TypedMultipleChoiceField(
        label=_("Cases"),
        coerce=int,
        error_messages={"required": _("Select the cases to assign")},
    )
    assignee = forms.ChoiceField(
        label=_("Assign selected to"),
        error_messages={"required": _("Choose who to assign the selected cases to")},
    )

    def __init__(self, *args: Any, members: list[User], case_ids: list[int], **kwargs: Any):
        kwargs.setdefault("auto_id", "bulk_%s")
        super().__init__(*args, **kwargs)
        self.members = members
        self.fields["assignee"].choices = _assignee_choices(members, nobody=True)
        self.fields["cases"].choices = [(pk, pk) for pk in case_ids]
        self.fields["cases"].error_messages["invalid_choice"] = _(
            "A case you selected has left the queue. Check the list and try again."
        )


class AssignForm(AssigneeMixin, TokenForm):
    assignee = forms.ChoiceField(
        label=_("Who should work on this case?"),
        error_messages={"required": _("Choose who to assign the case to")},
    )

    def __init__(self, *args: Any, case: Case, members: list[User], **kwargs: Any) -> None:
        if case.assignee_id:
            kwargs.setdefault("initial", {}).setdefault("assignee", str(case.assignee_id))
        super().__init__(*args, **kwargs)
        self.members = members
        self.fields["assignee"].label_size = "m"
        self.fields["assignee"].choices = _assignee_choices(
            members, nobody=case.assignee_id is not None
        )


class TakeCaseForm(TokenForm):
    """The "Assign to me" button and its token."""


class ChangeStatusForm(TokenForm):
    status = forms.ChoiceField(
        label=_("What is happening with the case?"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the case's new status")},
    )
    note = forms.CharField(
        label=_("Note (optional)"),
        help_text=_("For colleagues: this is not sent to the customer."),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].label_size = "m"
        self.fields["status"].choices = [
            (status.value, status.label)
            for status in WORKING_STATUSES
            if status in TRANSITIONS[case.status] and status != case.status
        ]

    @staticmethod
    def available(case: Case) -> bool:
        return any(
            status in TRANSITIONS[case.status] and status != case.status
            for status in WORKING_STATUSES
        )


class ChangePriorityForm(TokenForm):
    priority = forms.ChoiceField(
        label=_("Priority"),
        choices=Priority.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a priority")},
    )
    reason = forms.CharField(
        label=_("Why is the priority changing?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why the priority is changing")},
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("priority", case.priority)
        super().__init__(*args, **kwargs)
        self.fields["priority"].label_size = "m"
        self.fields["reason"].label_size = "m"
        self.fields["reason"].help_text = _(
            "The targets are worked out again from when the case was opened."
        )


class NoteForm(TokenForm):
    """An internal note, or (public) an update the customer is sent."""

    text = forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(
        self, *args: Any, public: bool = False, label: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        text = self.fields["text"]
        if public:
            text.label = _("Update for the customer")
            text.help_text = _(
                "The customer is sent this and can read it when they track their request."
            )
            text.error_messages["required"] = _("Enter the update")
        else:
            text.label = _("Internal note")
            text.help_text = _("Only staff see notes. The customer is not told.")
            text.error_messages["required"] = _("Enter the note")
        text.error_messages["max_length"] = _("The text must be 5,000 characters or fewer")
        text.label_size = "m"
        if label:
            text.label = label


class AttachmentForm(TokenForm):
    file = forms.FileField(
        label=_("Upload a file"),
        help_text=_("PDF, JPG, PNG, WebP, Word, Excel, ODT, TXT or CSV, smaller than 10MB."),
        error_messages={
            "required": _("Select a file"),
            "empty": _("The selected file is empty"),
            "missing": _("Select a file"),
            "invalid": _("Select a file"),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].label_size = "m"


class CloseCaseForm(TokenForm):
    """Resolve or close a case. A resolved case closes without a new code or message."""

    resolution_code = forms.ChoiceField(
        label=_("How was it resolved?"),
        choices=ResolutionCode.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how the case was resolved")},
    )
    message = forms.CharField(
        label=_("Message for the customer"),
        help_text=_("Say what was done, or why nothing will be. The customer is sent this."),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Write a message for the customer")},
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["resolution_code"].label_size = "m"
        self.fields["message"].label_size = "m"
        if case.status == CaseStatus.RESOLVED:
            del self.fields["resolution_code"]
            self.fields["message"].required = False
            self.fields["message"].label = _("Message for the customer (optional)")
            self.fields["message"].help_text = _(
                "The customer was told when the case was resolved. Write only if there is more "
                "to say."
            )


class ReopenCaseForm(TokenForm):
    reason = forms.CharField(
        label=_("Why is the case being reopened?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Say why the case is being reopened")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].label_size = "m"
