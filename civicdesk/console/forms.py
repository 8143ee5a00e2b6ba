"""Forms for the agent's desktop. They only collect input; services do the writing."""

import datetime
import re
import uuid
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms.utils import ErrorDict
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from civicdesk.catalogue.models import Channel, Service
from civicdesk.contacts.models import AvoidableReason, Outcome
from civicdesk.core.references import InvalidReference, make_reference, parse_reference
from civicdesk.core.throttle import client_address
from civicdesk.organisations.security import CodeOutcome, sign_in_locked
from civicdesk.people.models import Customer, Representative
from civicdesk.people.selectors import customer_for_user
from civicdesk.people.services import CUSTOMER_PREFIX
from civicdesk.places.models import Address
from civicdesk.places.postcodes import format_postcode, is_valid_postcode, normalise_postcode
from civicdesk.places.selectors import addresses_for_postcode

# The channels an agent takes contacts on; web, API and partner contacts arrive by other roads.
AGENT_CHANNELS = [Channel.PHONE, Channel.FACE_TO_FACE, Channel.EMAIL, Channel.LETTER, Channel.SMS]


class GovukFormMixin:
    """GOV.UK forms have no colons after labels and no browser pop-up validation."""

    use_required_attribute = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class TokenForm(GovukFormMixin, forms.Form):
    """A form that saves something once, whatever the browser resends."""

    form_token = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("form_token", uuid.uuid4())
        super().__init__(*args, **kwargs)

    # Fields the services name differently from the form.
    SERVICE_FIELDS: dict[str, str] = {}

    def add_service_errors(self, error: ValidationError) -> None:
        """Show a service's refusal beside the field it names, or at the top of the form."""
        if not hasattr(error, "error_dict"):
            for message in error.messages:
                self.add_error(None, message)
            return
        for field, messages in error.message_dict.items():
            field = self.SERVICE_FIELDS.get(field, field)
            for message in messages:
                self.add_error(field if field in self.fields else None, message)


class SignInForm(GovukFormMixin, AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Enter a correct username and password. Both are case-sensitive."),
        "locked": _(
            "You have tried to sign in too many times. Wait 15 minutes, then try again. If you "
            "have forgotten your password, ask your administrator to reset it."
        ),
    }

    def __init__(self, request: HttpRequest | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        self.fields["username"].error_messages["required"] = _("Enter your username")
        self.fields["password"].error_messages["required"] = _("Enter your password")
        self.fields["username"].widget.attrs.update(
            {"class": "govuk-!-width-one-half", "spellcheck": "false", "autofocus": False}
        )
        self.fields["password"].widget.attrs["class"] = "govuk-!-width-one-half"

    def clean(self) -> dict[str, Any]:
        """A locked username (or a guessing address) is refused before the password is checked,
        with the same words whether or not the username is anyone's."""
        username = self.cleaned_data.get("username")
        if (
            username
            and self.request is not None
            and sign_in_locked(username=username, ip_address=client_address(self.request))
        ):
            raise ValidationError(self.error_messages["locked"], code="locked")
        return super().clean()

    def show_locked(self) -> None:
        """Replace the wrong-password error with the lock's, on the try that locked it."""
        self.errors.pop(NON_FIELD_ERRORS, None)
        self.add_error(None, ValidationError(self.error_messages["locked"], code="locked"))


class SecondFactorForm(GovukFormMixin, forms.Form):
    """The code from an authenticator app, or (when signing in) a recovery code instead."""

    code = forms.CharField(
        label=_("Code"),
        help_text=_("The 6-digit code your app shows now, for example 123456"),
        max_length=30,
        error_messages={
            "required": _("Enter the 6-digit code from your authenticator app"),
            "max_length": _("The code is not right. Enter the code your app shows now."),
        },
    )

    OUTCOME_ERRORS = {
        CodeOutcome.WRONG: _("The code is not right. Enter the code your app shows now."),
        CodeOutcome.REUSED: _(
            "That code has already been used. Wait for your app to show a new code, then enter it."
        ),
        CodeOutcome.LOCKED: SignInForm.error_messages["locked"],
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update(
            {
                "class": "govuk-input--width-10",
                "autocomplete": "one-time-code",
                "spellcheck": "false",
                "autocapitalize": "none",
            }
        )

    def refuse(self, outcome: CodeOutcome) -> None:
        """Show why the service turned the code down."""
        self.add_error("code", self.OUTCOME_ERRORS[outcome])


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


class DateInputWidget(forms.MultiWidget):
    """The GOV.UK date input: day, month and year boxes inside the field's fieldset."""

    template_name = "console/widgets/date_input.html"
    parts = (("day", _("Day"), 2), ("month", _("Month"), 2), ("year", _("Year"), 4))

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__([forms.TextInput() for _part in self.parts], attrs)
        self.error_parts: set[str] = set()

    def decompress(self, value: datetime.date | None) -> list[Any]:
        return [value.day, value.month, value.year] if value else [None, None, None]

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        for subwidget, (part, label, width) in zip(
            context["widget"]["subwidgets"], self.parts, strict=True
        ):
            # Django marks every box invalid; GOV.UK marks only the ones to correct.
            invalid = "aria-invalid" in subwidget["attrs"] and (
                not self.error_parts or part in self.error_parts
            )
            subwidget["attrs"].pop("aria-invalid", None)
            subwidget.update(label=label, width=width, invalid=invalid)
        return context


_MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MISSING_DATE_PARTS = {
    ("day",): _("Date of birth must include a day"),
    ("month",): _("Date of birth must include a month"),
    ("year",): _("Date of birth must include a year"),
    ("day", "month"): _("Date of birth must include a day and month"),
    ("day", "year"): _("Date of birth must include a day and year"),
    ("month", "year"): _("Date of birth must include a month and year"),
}
EARLIEST_BIRTH_YEAR = 1900


def _month_number(text: str) -> int | None:
    """A month typed as a number, or as a name ("Mar", "march"), as GOV.UK advises accepting."""
    if text.isdigit():
        return int(text)
    prefix = text[:3].casefold()
    return _MONTH_NAMES.index(prefix) + 1 if text.isalpha() and prefix in _MONTH_NAMES else None


class DateOfBirthField(forms.Field):
    """An optional date of birth from three boxes, with GOV.UK's error messages."""

    widget = DateInputWidget

    def clean(self, value: Any) -> datetime.date | None:
        day, month, year = (str(part or "").strip() for part in (value or ["", "", ""]))
        self.widget.error_parts = set()
        parts = {"day": day, "month": month, "year": year}
        missing = tuple(name for name, text in parts.items() if not text)
        if len(missing) == len(parts):
            return None
        if missing:
            self.widget.error_parts = set(missing)
            raise ValidationError(_MISSING_DATE_PARTS[missing], code="incomplete")
        month_number = _month_number(month)
        not_numbers = {
            name for name, ok in (("day", day.isdigit()), ("month", month_number), ("year", True))
            if not ok
        }  # fmt: skip
        if not_numbers:
            self.widget.error_parts = not_numbers
            raise ValidationError(_("Date of birth must be a real date"), code="invalid")
        if not (year.isdigit() and len(year) == 4):
            self.widget.error_parts = {"year"}
            raise ValidationError(_("Year must include 4 numbers"), code="invalid_year")
        try:
            born = datetime.date(int(year), month_number, int(day))
        except ValueError:
            raise ValidationError(_("Date of birth must be a real date"), code="invalid") from None
        if born >= timezone.localdate():
            raise ValidationError(_("Date of birth must be in the past"), code="future")
        if born.year < EARLIEST_BIRTH_YEAR:
            self.widget.error_parts = {"year"}
            raise ValidationError(
                _("Date of birth must be in %(year)s or later"),
                code="too_early",
                params={"year": EARLIEST_BIRTH_YEAR},
            )
        return born


_PHONE_CHARACTERS = re.compile(r"^\+?[\d\s()-]+$")


def _phone_validator(message: Any) -> Any:
    def validate(value: str) -> None:
        digits = sum(character.isdigit() for character in value)
        if not _PHONE_CHARACTERS.match(value) or not 10 <= digits <= 15:
            raise ValidationError(message, code="invalid")

    return validate


def _text_field(label: Any, max_length: int, **kwargs: Any) -> forms.CharField:
    """A text field with GOV.UK's wording for a missing or too long answer."""
    kwargs.setdefault("required", False)
    messages = {
        "max_length": format_lazy(
            _("{label} must be {count} characters or fewer"),
            label=kwargs.pop("name_in_errors", label),
            count=max_length,
        )
    }
    messages.update(kwargs.pop("error_messages", {}))
    return forms.CharField(label=label, max_length=max_length, error_messages=messages, **kwargs)


NOT_LISTED = "not-listed"
# Channels a customer may prefer; "partner" and "api" describe other systems, not people.
PREFERABLE_CHANNELS = [
    Channel.PHONE, Channel.EMAIL, Channel.SMS, Channel.LETTER, Channel.FACE_TO_FACE, Channel.WEB
]  # fmt: skip
NEEDS = {
    "needs_bsl": _("British Sign Language"),
    "needs_large_print": _("Large print"),
    "needs_easy_read": _("Easy read"),
}
ADDRESS_LIMIT = 500  # more than any one postcode holds


class CustomerForm(GovukFormMixin, forms.Form):
    """A customer's details, with an address chosen from the gazetteer by postcode.

    The address list is built from the postcode in the submitted data, so the agent can look an
    address up (a round trip to the same page) without losing anything else typed.
    """

    form_token = forms.UUIDField(widget=forms.HiddenInput)
    different_people = forms.BooleanField(required=False, widget=forms.HiddenInput)
    title = _text_field(_("Title (optional)"), 20, name_in_errors=_("Title"))
    forenames = _text_field(
        _("First names"),
        100,
        required=True,
        help_text=_("Include any middle names."),
        error_messages={"required": _("Enter the customer's first names")},
    )
    surname = _text_field(
        _("Last name"),
        100,
        required=True,
        error_messages={"required": _("Enter the customer's last name")},
    )
    date_of_birth = DateOfBirthField(
        label=_("Date of birth (optional)"),
        required=False,
        help_text=_("For example, 27 3 1985"),
    )
    postcode = _text_field(
        _("Postcode"),
        10,
        help_text=_("Leave blank if they have no fixed abode or you do not know it."),
    )
    address = forms.ChoiceField(
        label=_("Address"),
        required=False,
        error_messages={"invalid_choice": _("Select the address from the list")},
    )
    email = forms.EmailField(
        label=_("Email address (optional)"),
        required=False,
        max_length=254,
        error_messages={
            "invalid": _("Enter an email address in the correct format, like name@example.com"),
            "max_length": _("Email address must be 254 characters or fewer"),
        },
    )
    phone = _text_field(
        _("Phone number (optional)"),
        30,
        name_in_errors=_("Phone number"),
        validators=[
            _phone_validator(_("Enter a phone number, like 01632 960 001 or +44 808 157 0192"))
        ],
    )
    mobile = _text_field(
        _("Mobile number (optional)"),
        30,
        name_in_errors=_("Mobile number"),
        validators=[_phone_validator(_("Enter a mobile number, like 07700 900 982"))],
    )
    preferred_channel = forms.ChoiceField(
        label=_("How do they prefer to be contacted?"),
        choices=[
            ("", _("No preference")),
            *((channel.value, channel.label) for channel in PREFERABLE_CHANNELS),
        ],
        required=False,
        initial="",
        widget=forms.RadioSelect(attrs={"class": "govuk-radios--small govuk-radios--inline"}),
    )
    interpreter_language = _text_field(
        _("Language they need an interpreter for (optional)"),
        60,
        name_in_errors=_("Language"),
        help_text=_("Leave blank if they do not need an interpreter."),
    )
    needs = forms.MultipleChoiceField(
        label=_("Do they need any of these? (optional)"),
        help_text=_("Select all that apply."),
        choices=list(NEEDS.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "govuk-checkboxes--small"}),
    )
    other_needs = _text_field(
        _("Other needs (optional)"),
        300,
        name_in_errors=_("Other needs"),
        help_text=_("For example, speak slowly, or they use a hearing loop."),
    )

    def __init__(
        self,
        *args: Any,
        organisation_id: int,
        current_address: Address | None = None,
        with_token: bool = True,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("initial", {}).setdefault("form_token", uuid.uuid4())
        super().__init__(*args, **kwargs)
        if not with_token:
            del self.fields["form_token"], self.fields["different_people"]
        for name in ("title", "forenames", "surname", "email", "postcode"):
            self.fields[name].widget.attrs.update(spellcheck="false", autocomplete="off")
        for name, width in (("title", 5), ("postcode", 10), ("phone", 20), ("mobile", 20)):
            self.fields[name].widget.attrs["class"] = f"govuk-input--width-{width}"
        for name in ("phone", "mobile"):
            self.fields[name].widget.input_type = "tel"
        self.fields["email"].widget.attrs["class"] = "govuk-!-width-two-thirds"
        postcode = (self.data if self.is_bound else self.initial).get("postcode") or ""
        self.addresses = self._addresses(organisation_id, postcode, current_address)
        if self.addresses:
            count = len(self.addresses)
            self.fields["address"].choices = [
                ("", ngettext("%(count)s address found", "%(count)s addresses found", count)
                 % {"count": count}),
                *((str(address.uprn), address.single_line) for address in self.addresses),
                (NOT_LISTED, _("Address not listed or no fixed abode")),
            ]  # fmt: skip
        else:
            del self.fields["address"]

    @staticmethod
    def _addresses(
        organisation_id: int, postcode: str, current_address: Address | None
    ) -> list[Address]:
        found = list(
            addresses_for_postcode(organisation_id=organisation_id, postcode=postcode)[
                :ADDRESS_LIMIT
            ]
        )
        # The address on record stays choosable even if the gazetteer has since changed.
        if (
            current_address is not None
            and current_address not in found
            and normalise_postcode(postcode) == normalise_postcode(current_address.postcode)
        ):
            found.insert(0, current_address)
        return found

    @classmethod
    def initial_for(cls, customer: Customer) -> dict[str, Any]:
        """The form's starting values for changing an existing customer's details."""
        initial = {name: getattr(customer, name) for name in cls.CUSTOMER_TEXT_FIELDS}
        initial["date_of_birth"] = customer.date_of_birth
        initial["needs"] = [name for name in NEEDS if getattr(customer, name)]
        if customer.address is not None:
            initial["postcode"] = customer.address.postcode
            initial["address"] = str(customer.address.uprn)
        return initial

    CUSTOMER_TEXT_FIELDS = (
        "title", "forenames", "surname", "email", "phone", "mobile", "preferred_channel",
        "interpreter_language", "other_needs",
    )  # fmt: skip

    @property
    def looks_up_address(self) -> bool:
        """Whether a postcode was typed whose addresses the agent has not been shown yet."""
        return bool(self.addresses) and "address" not in self.data

    def show_for_editing(self, *, check_postcode: bool) -> None:
        """Keep what was typed but hold back errors: the agent is still filling the form in.

        With `check_postcode`, only the postcode's own errors are shown (after "Find address").
        """
        self.full_clean()
        postcode_errors = self.errors.get("postcode")
        self._errors = ErrorDict()
        self.fields["date_of_birth"].widget.error_parts = set()
        if not check_postcode:
            return
        if not self.data.get("postcode", "").strip():
            self.add_error("postcode", _("Enter a postcode"))
        elif postcode_errors:
            self.add_error("postcode", postcode_errors)
        elif not self.addresses:
            self.add_error("postcode", self._nothing_found())

    def _nothing_found(self) -> str:
        return _(
            "No addresses found for %(postcode)s. Check the postcode, or delete it to leave "
            "the address blank."
        ) % {"postcode": format_postcode(self.data.get("postcode", ""))}

    def clean_postcode(self) -> str:
        postcode = self.cleaned_data["postcode"]
        if postcode and not is_valid_postcode(postcode):
            raise ValidationError(_("Enter a real postcode"), code="invalid")
        return format_postcode(postcode) if postcode else ""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("postcode") and not self.addresses:
            self.add_error("postcode", self._nothing_found())
        elif self.addresses and "address" in cleaned and not cleaned["address"]:
            self.add_error(
                "address",
                _("Select the address from the list"),
            )
        return cleaned

    def chosen_address(self) -> Address | None:
        uprn = self.cleaned_data.get("address")
        return next((a for a in self.addresses if str(a.uprn) == uprn), None)

    def customer_fields(self) -> dict[str, Any]:
        """The cleaned answers as the keyword arguments of people.services."""
        data = self.cleaned_data
        fields = {name: data[name] for name in self.CUSTOMER_TEXT_FIELDS}
        fields["date_of_birth"] = data["date_of_birth"]
        fields["address"] = self.chosen_address()
        fields.update((name, name in data["needs"]) for name in NEEDS)
        return fields

    def add_service_errors(self, error: ValidationError) -> None:
        """Show a service's refusal beside the field it names, or at the top."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for field, messages in error.message_dict.items():
            target = field if field in self.fields else None
            if field in NEEDS:
                target = "needs"
            for message in messages:
                self.add_error(target, message)


class MergeCustomerForm(GovukFormMixin, forms.Form):
    """The reference of a duplicate record to fold into `survivor`, checked against the records.

    After cleaning, `duplicate` is the duplicate record. `merged_here` says the reference already
    leads to the survivor, which is what a repeated "Merge records" finds.
    """

    reference = forms.CharField(
        label=_("Customer reference of the duplicate record"),
        help_text=_("For example, CUS-00016JD. It is shown above the name on their record."),
        max_length=30,
        error_messages={
            "required": _("Enter the customer reference of the duplicate record"),
            "max_length": _("Enter a real customer reference, like CUS-00016JD"),
        },
    )

    def __init__(self, *args: Any, user: Any, survivor: Customer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.survivor = survivor
        self.duplicate: Customer | None = None
        self.duplicate_reference = ""  # as the system writes it, once it reads as one
        self.merged_here = False
        self.fields["reference"].label_size = "m"
        self.fields["reference"].widget.attrs.update(
            {"class": "govuk-input--width-10", "spellcheck": "false", "autocomplete": "off"}
        )

    def clean_reference(self) -> str:
        typed = self.cleaned_data["reference"]
        try:
            prefix, number = parse_reference(typed)
        except InvalidReference:
            prefix = ""
        if prefix != CUSTOMER_PREFIX:
            raise ValidationError(
                _("Enter a real customer reference, like CUS-00016JD"), code="invalid"
            )
        reference = self.duplicate_reference = make_reference(prefix, number)
        try:
            found = customer_for_user(user=self.user, reference=reference)
        except Http404:
            raise ValidationError(
                _("No customer found with the reference %(reference)s. Check it and try again."),
                code="not_found",
                params={"reference": reference},
            ) from None
        if found.pk == self.survivor.pk:
            self.merged_here = reference != self.survivor.reference
            message = (
                _("%(reference)s has already been merged into this record.")
                if self.merged_here
                else _("%(reference)s is this record. Enter the reference of the duplicate.")
            )
            raise ValidationError(message, code="same", params={"reference": reference})
        if found.reference != reference:
            raise ValidationError(
                _("%(reference)s has already been merged into %(survivor)s."),
                code="merged",
                params={"reference": reference, "survivor": found.reference},
            )
        self.duplicate = found
        return reference
