"""Forms for the agent's desktop. They only collect input; services do the writing."""

import uuid
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from civicdesk.catalogue.models import Channel, Service
from civicdesk.contacts.models import AvoidableReason, Outcome
from civicdesk.people.models import Representative

# The channels an agent takes contacts on; web, API and partner contacts arrive by other roads.
AGENT_CHANNELS = [Channel.PHONE, Channel.FACE_TO_FACE, Channel.EMAIL, Channel.LETTER, Channel.SMS]


class GovukFormMixin:
    """GOV.UK forms have no colons after labels and no browser pop-up validation."""

    use_required_attribute = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class SignInForm(GovukFormMixin, AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Enter a correct username and password. Both are case-sensitive."),
    }

    def __init__(self, request: HttpRequest | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        self.fields["username"].error_messages["required"] = _("Enter your username")
        self.fields["password"].error_messages["required"] = _("Enter your password")
        self.fields["username"].widget.attrs.update(
            {"class": "govuk-!-width-one-half", "spellcheck": "false", "autofocus": False}
        )
        self.fields["password"].widget.attrs["class"] = "govuk-!-width-one-half"


class ChangePasswordForm(GovukFormMixin, PasswordChangeForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = {
            "old_password": _("Current password"),
            "new_password1": _("New password"),
            "new_password2": _("Confirm new password"),
        }
        for name, label in labels.items():
            self.fields[name].label = label
            self.fields[name].widget.attrs["class"] = "govuk-!-width-one-half"
        self.fields["new_password2"].help_text = ""
        self.fields["old_password"].widget.attrs["autofocus"] = False


class SearchForm(GovukFormMixin, forms.Form):
    """Read by the view; the template lays the box out with its button beside it."""

    q = forms.CharField(
        label=_("Search by name, postcode, phone, email, address or reference"),
        required=False,
        max_length=200,
    )


class KnowledgeSearchForm(GovukFormMixin, forms.Form):
    q = forms.CharField(
        label=_("Search questions and services"),
        required=False,
        max_length=200,
    )


class ChooseServiceForm(GovukFormMixin, forms.Form):
    service = forms.ModelChoiceField(
        label=_("All services"),
        queryset=Service.objects.none(),
        empty_label=_("Choose a service"),
        error_messages={"required": _("Choose the service the contact was about")},
    )

    def __init__(self, *args: Any, services: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services.only("pk", "name")


def _representative_label(representative: Representative) -> str:
    return f"{representative.name} ({representative.get_relationship_display()})"


class LogContactForm(GovukFormMixin, forms.Form):
    """What happened on one contact. The form token makes a repeated submission harmless."""

    form_token = forms.UUIDField(widget=forms.HiddenInput)
    representative = forms.TypedChoiceField(
        label=_("Who got in touch?"),
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect(attrs={"class": "govuk-radios--small"}),
    )
    channel = forms.ChoiceField(
        label=_("How did they get in touch?"),
        choices=[(channel.value, channel.label) for channel in AGENT_CHANNELS],
        initial=Channel.PHONE,
        widget=forms.RadioSelect(attrs={"class": "govuk-radios--small govuk-radios--inline"}),
        error_messages={"required": _("Choose how they got in touch")},
    )
    outcome = forms.ChoiceField(
        label=_("What happened?"),
        choices=Outcome.choices,
        initial=Outcome.RESOLVED,
        widget=forms.RadioSelect(attrs={"class": "govuk-radios--small"}),
        error_messages={"required": _("Choose what happened")},
    )
    avoidable_reason = forms.ChoiceField(
        label=_("Could the contact have been avoided?"),
        choices=[("", _("No, it was needed")), *AvoidableReason.choices],
        required=False,
    )
    notes = forms.CharField(
        label=_("Notes"),
        help_text=_("What the customer asked and what you told them."),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(
        self, *args: Any, representatives: list[Representative] | None = None, **kwargs: Any
    ) -> None:
        kwargs.setdefault("initial", {}).setdefault("form_token", uuid.uuid4())
        super().__init__(*args, **kwargs)
        for name in ("channel", "outcome"):
            self.fields[name].label_size = "m"
        if representatives:
            self.fields["representative"].label_size = "m"
            self.fields["representative"].initial = ""
            self.fields["representative"].choices = [
                ("", _("The customer")),
                *((rep.pk, _representative_label(rep)) for rep in representatives),
            ]
        else:
            del self.fields["representative"]
