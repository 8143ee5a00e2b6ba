"""Forms for raising, chasing and referring cases from the agent's desktop.

They only collect input: `cases.services` and `cases.referrals` check and write. Each form that
saves carries a one-time token (see console.tokens), so a repeated submission saves once.
"""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from civicdesk.cases.models import Attachment, Case
from civicdesk.catalogue.models import Priority
from civicdesk.console.forms import AGENT_CHANNELS, GovukFormMixin, TokenForm
from civicdesk.organisations.models import Organisation, Team
from civicdesk.places.models import Address
from civicdesk.places.postcodes import format_postcode, is_valid_postcode
from civicdesk.places.selectors import addresses_for_postcode

ADDRESS_LIMIT = 500  # more than any one postcode holds

# Where the case is: the customer's own address, an address found by postcode, or a place
# without an address (a lamp post, a stretch of footpath).
AT_CUSTOMER_ADDRESS = "customer"
AT_ANOTHER_ADDRESS = "address"
NO_FIXED_ADDRESS = "none"


def _radios(extra_class: str = "") -> forms.RadioSelect:
    return forms.RadioSelect(attrs={"class": f"govuk-radios--small {extra_class}".strip()})


class RaiseCaseForm(TokenForm):
    """A new case: where it is, what the problem is, and how urgent.

    The addresses to choose from come from a postcode looked up with a GET round trip (the
    page's "Find address" button); the postcode found travels with the form in `found_postcode`.
    """

    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)
    found_postcode = forms.CharField(required=False, max_length=10, widget=forms.HiddenInput)
    location = forms.ChoiceField(
        label=_("Where is it?"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose where it is")},
    )
    address = forms.ChoiceField(
        label=_("Address"),
        required=False,
        error_messages={"invalid_choice": _("Select the address from the list")},
    )
    location_description = forms.CharField(
        label=_("Describe the place"),
        help_text=_("For example, the footpath behind the library, by lamp post 14."),
        required=False,
        max_length=300,
        error_messages={"max_length": _("The description must be 300 characters or fewer")},
    )
    latitude = forms.FloatField(
        label=_("Latitude (optional)"),
        required=False,
        min_value=-90,
        max_value=90,
        error_messages={
            "invalid": _("Latitude must be a number, like 51.5072"),
            "min_value": _("Latitude must be between -90 and 90"),
            "max_value": _("Latitude must be between -90 and 90"),
        },
    )
    longitude = forms.FloatField(
        label=_("Longitude (optional)"),
        required=False,
        min_value=-180,
        max_value=180,
        error_messages={
            "invalid": _("Longitude must be a number, like -0.1276"),
            "min_value": _("Longitude must be between -180 and 180"),
            "max_value": _("Longitude must be between -180 and 180"),
        },
    )
    description = forms.CharField(
        label=_("What is the problem?"),
        help_text=_("Write what the customer told you, so the team can act without calling back."),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": _("Describe the problem"),
            "max_length": _("The description must be 5,000 characters or fewer"),
        },
    )
    channel = forms.ChoiceField(
        label=_("How did they get in touch?"),
        choices=[(channel.value, channel.label) for channel in AGENT_CHANNELS],
        initial=AGENT_CHANNELS[0],
        widget=_radios("govuk-radios--inline"),
        error_messages={"required": _("Choose how they got in touch")},
    )
    priority = forms.ChoiceField(
        label=_("Priority"),
        choices=Priority.choices,
        initial=Priority.NORMAL,
        widget=_radios("govuk-radios--inline"),
        help_text=_("Urgent is for danger to people or property."),
        error_messages={"required": _("Choose a priority")},
    )

    SERVICE_FIELDS = {"address": "location"}

    def __init__(
        self,
        *args: Any,
        organisation_id: int,
        customer_address: Address | None,
        postcode: str,
        with_channel: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.customer_address = customer_address
        self.postcode = format_postcode(postcode) if is_valid_postcode(postcode) else ""
        self.addresses = (
            list(
                addresses_for_postcode(organisation_id=organisation_id, postcode=self.postcode)[
                    :ADDRESS_LIMIT
                ]
            )
            if self.postcode
            else []
        )
        choices = []
        if customer_address is not None:
            choices.append((AT_CUSTOMER_ADDRESS, customer_address.single_line))
        choices += [
            (AT_ANOTHER_ADDRESS, _("Another address")),
            (NO_FIXED_ADDRESS, _("Somewhere without an address")),
        ]
        self.fields["location"].choices = choices
        self.fields["location"].label_size = "m"
        self.fields["description"].label_size = "m"
        for name in ("priority", "channel"):
            self.fields[name].label_size = "m"
        count = len(self.addresses)
        self.fields["address"].choices = [
            ("", ngettext("%(count)s address found", "%(count)s addresses found", count)
             % {"count": count}),
            *((str(address.uprn), address.single_line) for address in self.addresses),
        ]  # fmt: skip
        for name in ("latitude", "longitude"):
            self.fields[name].widget.input_type = "text"
            self.fields[name].widget.attrs.update(
                {"class": "govuk-input--width-10", "inputmode": "decimal", "spellcheck": "false"}
            )
        if not with_channel:
            del self.fields["channel"]
        if not self.is_bound:
            self.initial.setdefault("found_postcode", self.postcode)
            if self.postcode:
                self.initial.setdefault("location", AT_ANOTHER_ADDRESS)
            elif customer_address is not None:
                self.initial.setdefault("location", AT_CUSTOMER_ADDRESS)

    def clean_found_postcode(self) -> str:
        # The postcode the list of addresses was built from, not what the browser claims.
        return self.postcode

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        location = cleaned.get("location")
        if location == AT_ANOTHER_ADDRESS:
            if not self.addresses:
                self.add_error("location", _("Find the address by its postcode"))
            elif not cleaned.get("address"):
                self.add_error("address", _("Select the address from the list"))
        elif location == NO_FIXED_ADDRESS:
            if not cleaned.get("location_description", "").strip():
                self.add_error("location_description", _("Describe the place"))
            has_latitude = cleaned.get("latitude") is not None
            has_longitude = cleaned.get("longitude") is not None
            checked = not (self.has_error("latitude") or self.has_error("longitude"))
            if checked and has_latitude != has_longitude:
                missing = "longitude" if has_latitude else "latitude"
                self.add_error(missing, _("Enter both latitude and longitude, or neither"))
        return cleaned

    def chosen_address(self) -> Address | None:
        location = self.cleaned_data.get("location")
        if location == AT_CUSTOMER_ADDRESS:
            return self.customer_address
        if location == AT_ANOTHER_ADDRESS:
            uprn = self.cleaned_data.get("address")
            return next((a for a in self.addresses if str(a.uprn) == uprn), None)
        return None

    def location_fields(self) -> dict[str, Any]:
        """Where the case is, as the keyword arguments of `raise_case`."""
        if self.cleaned_data["location"] == NO_FIXED_ADDRESS:
            return {
                "address": None,
                "latitude": self.cleaned_data.get("latitude"),
                "longitude": self.cleaned_data.get("longitude"),
                "location_description": self.cleaned_data["location_description"].strip(),
            }
        return {"address": self.chosen_address()}


class ChaseForm(TokenForm):
    channel = forms.ChoiceField(
        label=_("How did they get in touch?"),
        choices=[(channel.value, channel.label) for channel in AGENT_CHANNELS],
        initial=AGENT_CHANNELS[0],
        widget=_radios("govuk-radios--inline"),
        error_messages={"required": _("Choose how they got in touch")},
    )
    notes = forms.CharField(
        label=_("Notes (optional)"),
        help_text=_("What they asked and what you told them."),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": _("Notes must be 5,000 characters or fewer")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["channel"].label_size = "m"


def referral_teams(case: Case) -> list[tuple[str, list[Team]]]:
    """The teams a case may be referred to, grouped: the council's own, then each partner's.

    The team working the case and contact centres are left out: neither takes referrals.
    """
    teams = (
        Team.objects.filter(
            Q(organisation_id=case.organisation_id)
            | Q(
                organisation__parent_id=case.organisation_id,
                organisation__kind=Organisation.Kind.PARTNER,
            )
        )
        .exclude(pk=case.team_id)
        .exclude(is_contact_centre=True)
        .select_related("organisation")
        .order_by("organisation__kind", "organisation__name", "name")
    )
    groups: dict[int, tuple[str, list[Team]]] = {}
    for team in teams:
        organisation = team.organisation
        groups.setdefault(organisation.pk, (organisation.name, []))[1].append(team)
    return sorted(groups.values(), key=lambda group: group[0] != case.organisation.name)


class ReferForm(TokenForm):
    to_team = forms.TypedChoiceField(
        label=_("Who are you referring it to?"),
        coerce=int,
        error_messages={
            "required": _("Choose the team or partner agency"),
            "invalid_choice": _("Choose the team or partner agency"),
        },
    )
    scope = forms.CharField(
        label=_("What are you asking them to do?"),
        help_text=_("They see this, where it is and anything you share below, but not the case."),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": _("Say what you are asking them to do"),
            "max_length": _("This must be 5,000 characters or fewer"),
        },
    )
    share_customer_details = forms.BooleanField(
        label=_("Share the customer's name and contact details"),
        required=False,
    )
    attachments = forms.TypedMultipleChoiceField(
        label=_("Attachments to share (optional)"),
        help_text=_("Select all that apply."),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "govuk-checkboxes--small"}),
    )

    def __init__(
        self,
        *args: Any,
        teams: list[tuple[str, list[Team]]],
        attachments: list[Attachment],
        has_customer: bool,
        customer_agreed: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.teams = {team.pk: team for _group, members in teams for team in members}
        self.attachment_list = attachments
        self.fields["to_team"].choices = [
            ("", _("Choose a team")),
            *((group, [(team.pk, team.name) for team in members]) for group, members in teams),
        ]
        self.fields["to_team"].label_size = "m"
        self.fields["scope"].label_size = "m"
        if has_customer:
            self.fields["share_customer_details"].help_text = (
                _("A partner agency sees them only if you select this; council teams always do. "
                  "The customer has agreed to their details being shared with partner agencies.")
                if customer_agreed
                else _("Council teams always see them. The customer has not agreed to their "
                       "details being shared with partner agencies, so you cannot share them "
                       "with one.")
            )  # fmt: skip
        else:
            del self.fields["share_customer_details"]
        if attachments:
            self.fields["attachments"].choices = [(a.pk, a.name) for a in attachments]
        else:
            del self.fields["attachments"]

    def chosen_team(self) -> Team:
        return self.teams[self.cleaned_data["to_team"]]

    def chosen_attachments(self) -> list[Attachment]:
        chosen = set(self.cleaned_data.get("attachments") or [])
        return [attachment for attachment in self.attachment_list if attachment.pk in chosen]


class ReferralNoteForm(TokenForm):
    text = forms.CharField(
        label=_("Add a note"),
        help_text=_("Both teams on the referral can read it."),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _("Enter the note"),
            "max_length": _("The note must be 5,000 characters or fewer"),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["text"].label_size = "m"


class ReferralAnswerForm(GovukFormMixin, forms.Form):
    """Completing, declining or withdrawing a referral: each needs a few words of why."""

    LABELS = {
        "complete": (_("What was done?"), _("Say what was done")),
        "decline": (_("Why are you declining it?"), _("Say why you are declining the referral")),
        "withdraw": (
            _("Why are you withdrawing it?"),
            _("Say why you are withdrawing the referral"),
        ),
    }

    text = forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args: Any, action: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        label, required = self.LABELS[action]
        self.fields["text"].label = label
        self.fields["text"].label_size = "m"
        self.fields["text"].error_messages.update(
            required=required, max_length=_("This must be 5,000 characters or fewer")
        )

    def add_service_errors(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            for messages in error.message_dict.values():
                for message in messages:
                    self.add_error("text", message)
        else:
            for message in error.messages:
                self.add_error(None, message)
