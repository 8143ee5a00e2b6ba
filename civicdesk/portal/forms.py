"""Forms for the portal. They only collect and tidy input; cases.intake decides what is valid."""

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from civicdesk.catalogue.models import Channel, QuestionType, Service, ServiceQuestion
from civicdesk.catalogue.questions import clean_answers
from civicdesk.places.models import Address
from civicdesk.places.postcodes import is_valid_postcode, normalise_postcode

MAX_PLACE = 300  # Case.location_description


class PortalFormMixin:
    """GOV.UK forms have no colons after labels and no browser pop-up validation."""

    use_required_attribute = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def add_errors(self, errors: dict[str, str], fields: dict[str, str]) -> None:
        """Put intake's errors (keyed by its field names) beside this form's fields."""
        for name, field in fields.items():
            if name in errors:
                self.add_error(field if field in self.fields else None, errors[name])


class ServiceSearchForm(PortalFormMixin, forms.Form):
    q = forms.CharField(
        label=_("Search for a service"),
        max_length=100,
        error_messages={"required": _("Enter what you are looking for")},
        widget=forms.TextInput(attrs={"type": "search", "class": "govuk-!-width-two-thirds"}),
    )

    def clean_q(self) -> str:
        return " ".join(self.cleaned_data["q"].split())


class ChooseServiceForm(PortalFormMixin, forms.Form):
    service = forms.ModelChoiceField(
        queryset=Service.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": _("Select what it is about")},
    )

    def __init__(self, *args: Any, services: Any, label: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services
        self.fields["service"].label = label
        self.fields["service"].label_size = "l"


class ChannelForm(PortalFormMixin, forms.Form):
    channel = forms.ChoiceField(
        label=_("How is the customer in touch?"),
        choices=[(Channel.PHONE, _("By phone")), (Channel.FACE_TO_FACE, _("Face to face"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Select how the customer is in touch")},
    )


class PostcodeForm(PortalFormMixin, forms.Form):
    postcode = forms.CharField(
        label=_("Postcode"),
        max_length=20,
        help_text=_("The postcode of the place, or the nearest address to it"),
        error_messages={"required": _("Enter a postcode")},
        widget=forms.TextInput(
            attrs={"class": "govuk-input--width-10", "autocomplete": "postal-code"}
        ),
    )

    def clean_postcode(self) -> str:
        postcode = normalise_postcode(self.cleaned_data["postcode"])
        if not is_valid_postcode(postcode):
            raise ValidationError(_("Enter a full UK postcode, like KM1 2AB"))
        return postcode


class AddressForm(PortalFormMixin, forms.Form):
    address = forms.ModelChoiceField(
        label=_("Address"),
        queryset=Address.objects.none(),
        empty_label=None,
        error_messages={
            "required": _("Select the address"),
            "invalid_choice": _("Select the address"),
        },
    )

    def __init__(self, *args: Any, addresses: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["address"]
        field.queryset = addresses
        field.label_from_instance = lambda address: address.single_line
        options = list(field.choices)
        self.found = len(options)
        found = ngettext("%(count)s address found", "%(count)s addresses found", self.found)
        field.widget.choices = [("", found % {"count": self.found}), *options]


class PlaceForm(PortalFormMixin, forms.Form):
    place = forms.CharField(
        label=_("Describe where it is"),
        max_length=MAX_PLACE,
        help_text=_(
            "For example, the street, the nearest house number or landmark, and which side of "
            "the road"
        ),
        error_messages={
            "required": _("Describe where it is"),
            "max_length": _("The description of the place must be 300 characters or fewer"),
        },
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class QuestionsForm(PortalFormMixin, forms.Form):
    """The service's own questions, one field each (a date and a time for a date and time)."""

    def __init__(
        self, *args: Any, service: Service, questions: list[ServiceQuestion], **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        self.service = service
        self.questions = questions
        for question in questions:
            label = (
                question.prompt
                if question.required
                else _("%(prompt)s (optional)") % {"prompt": question.prompt}
            )
            common = {"label": label, "required": False, "help_text": question.hint}
            choices = [(str(c.get("key")), str(c.get("name"))) for c in question.choices]
            if question.datatype == QuestionType.SINGLE_CHOICE:
                field: forms.Field = forms.ChoiceField(
                    choices=choices, widget=forms.RadioSelect, **common
                )
            elif question.datatype == QuestionType.MULTIPLE_CHOICE:
                field = forms.MultipleChoiceField(
                    choices=choices, widget=forms.CheckboxSelectMultiple, **common
                )
            elif question.datatype == QuestionType.TEXT:
                field = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), **common)
            elif question.datatype == QuestionType.NUMBER:
                field = forms.CharField(
                    widget=forms.TextInput(
                        attrs={"inputmode": "decimal", "class": "govuk-input--width-10"}
                    ),
                    **common,
                )
            elif question.datatype == QuestionType.DATETIME:
                field = forms.CharField(
                    widget=forms.DateInput(
                        attrs={"type": "date", "class": "govuk-input--width-10"}
                    ),
                    **{**common, "help_text": question.hint or _("For example, 27/3/2026")},
                )
                self.fields[f"{question.code}__time"] = forms.CharField(
                    label=_("Time"),
                    required=False,
                    help_text=_("For example, 14:30"),
                    widget=forms.TimeInput(attrs={"type": "time", "class": "govuk-input--width-5"}),
                )
            else:
                field = forms.CharField(**common)
            field.label_size = "m"
            self.fields[question.code] = field
            if question.datatype == QuestionType.DATETIME:  # keep the time after its date
                self.fields[f"{question.code}__time"] = self.fields.pop(f"{question.code}__time")

    def raw_answers(self) -> dict[str, Any]:
        """The answers as intake takes them: code -> text or list of keys."""
        raw: dict[str, Any] = {}
        for question in self.questions:
            value = self.cleaned_data.get(question.code)
            if question.datatype == QuestionType.DATETIME:
                day = (value or "").strip()
                time = (self.cleaned_data.get(f"{question.code}__time") or "").strip()
                value = f"{day}T{time}" if day and time else (day or time)
            raw[question.code] = (
                value if value not in (None, "") else ([] if isinstance(value, list) else "")
            )
        return raw

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for question in self.questions:
            if question.datatype != QuestionType.DATETIME:
                continue
            day = (cleaned.get(question.code) or "").strip()
            time = (cleaned.get(f"{question.code}__time") or "").strip()
            if day and not time:
                self.add_error(f"{question.code}__time", _("Enter the time"))
            elif time and not day:
                self.add_error(question.code, _("Enter the date"))
            elif day and time:
                try:
                    datetime.datetime.fromisoformat(f"{day}T{time}")
                except ValueError:
                    self.add_error(question.code, _("Enter a real date and time"))
        if not self.errors:
            try:
                clean_answers(self.service, self.raw_answers())
            except ValidationError as error:
                for code, messages in error.message_dict.items():
                    self.add_error(code if code in self.fields else None, messages[0])
        return cleaned

    @staticmethod
    def initial_from(questions: list[ServiceQuestion], raw: dict[str, Any]) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        for question in questions:
            value = raw.get(question.code)
            if (
                question.datatype == QuestionType.DATETIME
                and isinstance(value, str)
                and "T" in value
            ):
                initial[question.code], initial[f"{question.code}__time"] = value.split("T", 1)
            else:
                initial[question.code] = value
        return initial


class DescriptionForm(PortalFormMixin, forms.Form):
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        strip=True,
    )

    def __init__(self, *args: Any, label: str, hint: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["description"].label = label
        self.fields["description"].help_text = hint
        self.fields["description"].label_size = "l"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True
    template_name = "django/forms/widgets/file.html"


class MultipleFileField(forms.FileField):
    """Several files from one input; each is checked by cases.uploads, not here."""

    def clean(self, data: Any, initial: Any = None) -> list:
        files = data if isinstance(data, list | tuple) else [data]
        return [upload for upload in files if upload]


class PhotosForm(PortalFormMixin, forms.Form):
    photos = MultipleFileField(
        label=_("Upload photos (optional)"),
        required=False,
        widget=MultipleFileInput(
            attrs={"multiple": True, "accept": "image/jpeg,image/png,image/webp"}
        ),
    )

    def __init__(self, *args: Any, room: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["photos"].help_text = _(
            "You can add %(room)s more. Each must be a JPG, PNG or WebP smaller than 10MB."
        ) % {"room": room}
        self.fields["photos"].label_size = "m"


ANONYMOUS = "anonymous"
GIVE_DETAILS = "details"


class DetailsForm(PortalFormMixin, forms.Form):
    """Who to reply to, or (where the service allows it) nobody."""

    how = forms.ChoiceField(
        label=_("Do you want us to reply to you?"),
        choices=[
            (GIVE_DETAILS, _("Yes, I will give my contact details")),
            (ANONYMOUS, _("No, report it anonymously")),
        ],
        widget=forms.RadioSelect,
        required=False,
    )
    forenames = forms.CharField(
        label=_("First name"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "given-name", "spellcheck": "false"}),
    )
    surname = forms.CharField(
        label=_("Last name"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "family-name", "spellcheck": "false"}),
    )
    email = forms.CharField(
        label=_("Email address"),
        max_length=254,
        required=False,
        help_text=_("We will send your reference and updates to this address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    phone = forms.CharField(
        label=_("Phone number"), max_length=30, required=False,
        help_text=_("If you do not have an email address"),
        widget=forms.TextInput(
            attrs={"type": "tel", "autocomplete": "tel", "class": "govuk-input--width-20"}
        ),
    )  # fmt: skip

    def __init__(self, *args: Any, allows_anonymous: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.allows_anonymous = allows_anonymous
        if not allows_anonymous:
            del self.fields["how"]

    @property
    def anonymous(self) -> bool:
        return self.allows_anonymous and self.cleaned_data.get("how") == ANONYMOUS

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.allows_anonymous and not cleaned.get("how"):
            self.add_error("how", _("Select whether you want us to reply to you"))
        return cleaned


class CheckForm(PortalFormMixin, forms.Form):
    """Sending the request: nothing to fill in, only the journey's one-time submission."""


class TrackForm(PortalFormMixin, forms.Form):
    reference = forms.CharField(
        label=_("Reference"),
        max_length=20,
        help_text=_("It is in the email or letter we sent you, for example CAS-000123"),
        error_messages={"required": _("Enter your reference")},
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "spellcheck": "false"}),
    )
    email_or_postcode = forms.CharField(
        label=_("Email address or postcode"),
        max_length=254,
        help_text=_(
            "The email address you gave us, or the postcode of the place you told us about"
        ),
        error_messages={"required": _("Enter your email address or a postcode")},
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )

    def clean_reference(self) -> str:
        return "".join(self.cleaned_data["reference"].split()).upper()
