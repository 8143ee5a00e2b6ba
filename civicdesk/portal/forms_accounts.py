"""Forms for residents' accounts. They only collect input; people.accounts does the writing."""

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import PasswordChangeForm, PasswordResetForm, SetPasswordForm
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from civicdesk.catalogue.models import Channel
from civicdesk.people import accounts
from civicdesk.places.models import Address
from civicdesk.places.postcodes import format_postcode, is_valid_postcode, normalise_postcode
from civicdesk.places.selectors import addresses_for_postcode

# Usernames are email addresses; Django's usernames hold at most 150 characters.
EMAIL_MAX_LENGTH = 150


class GovukForm(forms.Form):
    """GOV.UK forms have no colons after labels and no browser pop-up validation."""

    use_required_attribute = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def _email_field(label: Any = None, **kwargs: Any) -> forms.EmailField:
    return forms.EmailField(
        label=label or _("Email address"),
        max_length=EMAIL_MAX_LENGTH,
        error_messages={
            "required": _("Enter your email address"),
            "invalid": _("Enter an email address in the correct format, like name@example.com"),
            "max_length": _("Email address must be 150 characters or fewer"),
        },
        widget=forms.EmailInput(
            attrs={
                "autocomplete": "email",
                "spellcheck": "false",
                "class": "govuk-!-width-two-thirds",
            }
        ),
        **kwargs,
    )


def _password_field(label: Any, autocomplete: str, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        strip=False,
        widget=forms.PasswordInput(
            attrs={"autocomplete": autocomplete, "class": "govuk-!-width-one-half"}
        ),
        **kwargs,
    )


class CreateAccountForm(GovukForm):
    forenames = forms.CharField(
        label=_("First name"),
        max_length=100,
        error_messages={"required": _("Enter your first name")},
        widget=forms.TextInput(attrs={"autocomplete": "given-name", "spellcheck": "false"}),
    )
    surname = forms.CharField(
        label=_("Last name"),
        max_length=100,
        error_messages={"required": _("Enter your last name")},
        widget=forms.TextInput(attrs={"autocomplete": "family-name", "spellcheck": "false"}),
    )
    email = _email_field(
        help_text=_("We'll send you a link to confirm it. You'll use it to sign in.")
    )
    password = _password_field(
        _("Create a password"),
        "new-password",
        error_messages={"required": _("Enter a password")},
        help_text=_("Use at least 10 characters. A few unrelated words make a good password."),
    )
    postcode = forms.CharField(
        label=_("Postcode (optional)"),
        required=False,
        max_length=10,
        help_text=_("So we can find your address and show you services where you live."),
        widget=forms.TextInput(
            attrs={"autocomplete": "postal-code", "class": "govuk-input--width-10"}
        ),
    )
    address = forms.ChoiceField(label=_("Select your address"), required=False, choices=[])

    def __init__(self, *args: Any, organisation: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.addresses: dict[str, Address] = {}
        postcode = (self.data.get("postcode") or "") if self.is_bound else ""
        if postcode and is_valid_postcode(normalise_postcode(postcode)):
            found = addresses_for_postcode(organisation_id=organisation.pk, postcode=postcode)[:100]
            self.addresses = {str(address.pk): address for address in found}
        if self.addresses:
            self.fields["address"].choices = [
                ("", _("%(count)s addresses found") % {"count": len(self.addresses)}),
                *((pk, str(address)) for pk, address in self.addresses.items()),
            ]
        else:
            del self.fields["address"]

    def clean_postcode(self) -> str:
        postcode = self.cleaned_data["postcode"].strip()
        if not postcode:
            return ""
        normalised = normalise_postcode(postcode)
        if not is_valid_postcode(normalised):
            raise forms.ValidationError(_("Enter a real postcode, like KM1 2AB"))
        return format_postcode(normalised)

    def clean_address(self) -> Address | None:
        chosen = self.cleaned_data.get("address") or ""
        if not chosen:
            raise forms.ValidationError(_("Select your address"))
        return self.addresses.get(chosen)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        password = cleaned.get("password")
        if password:
            probe = accounts.User(
                username=accounts.username_for(cleaned.get("email") or ""),
                email=cleaned.get("email") or "",
                first_name=cleaned.get("forenames") or "",
                last_name=cleaned.get("surname") or "",
            )
            try:
                password_validation.validate_password(password, probe)
            except forms.ValidationError as error:
                self.add_error("password", error)
        if cleaned.get("postcode") and not self.addresses and "postcode" not in self.errors:
            self.add_error(
                "postcode",
                _("We could not find any addresses in that postcode. Check it, or leave it out"),
            )
        return cleaned


class SignInForm(GovukForm):
    email = _email_field()
    password = _password_field(
        _("Password"), "current-password", error_messages={"required": _("Enter your password")}
    )


class ResendForm(GovukForm):
    """A button: the link goes to the signed-in account's own address."""


class PortalPasswordResetForm(PasswordResetForm):
    """Django's reset form, for portal accounts only, with the email sent through notify."""

    use_required_attribute = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["email"] = _email_field()

    def get_users(self, email: str) -> Any:
        for user in super().get_users(email):
            if accounts.account_for(user) is not None and not accounts.is_staff_account(user):
                yield user

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        path = reverse(
            "portal:password-reset-confirm",
            kwargs={"uidb64": context["uid"], "token": context["token"]},
        )
        url = f"{context['protocol']}://{context['domain']}{path}"
        accounts.send_password_reset(user=context["user"], url=url)


def _relabel(form: forms.Form, labels: dict[str, Any]) -> None:
    for name, label in labels.items():
        form.fields[name].label = label
        form.fields[name].widget.attrs["class"] = "govuk-!-width-one-half"
        form.fields[name].widget.attrs.pop("autofocus", None)
    if "new_password2" in form.fields:
        form.fields["new_password2"].help_text = ""
    if "new_password1" in form.fields:
        form.fields["new_password1"].help_text = _(
            "Use at least 10 characters. A few unrelated words make a good password."
        )


class PortalSetPasswordForm(SetPasswordForm):
    """Choosing a new password from the emailed link; saved through people.accounts."""

    use_required_attribute = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        _relabel(
            self, {"new_password1": _("New password"), "new_password2": _("Confirm new password")}
        )

    def save(self, commit: bool = True) -> Any:
        return accounts.set_portal_password(
            user=self.user, new_password=self.cleaned_data["new_password1"], by_email_link=True
        )


class PortalPasswordChangeForm(PasswordChangeForm):
    use_required_attribute = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        _relabel(
            self,
            {
                "old_password": _("Current password"),
                "new_password1": _("New password"),
                "new_password2": _("Confirm new password"),
            },
        )

    def save(self, commit: bool = True) -> Any:
        return accounts.set_portal_password(
            user=self.user, new_password=self.cleaned_data["new_password1"]
        )


PREFERRED_CHANNELS = [
    (Channel.EMAIL, _("Email")),
    (Channel.PHONE, _("Phone")),
    (Channel.SMS, _("Text message")),
    (Channel.LETTER, _("Letter")),
]


class PreferencesForm(GovukForm):
    preferred_channel = forms.ChoiceField(
        label=_("How would you like us to contact you?"),
        choices=PREFERRED_CHANNELS,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select how you would like us to contact you")},
    )
    email = forms.EmailField(
        label=_("Email address"),
        required=False,
        max_length=254,
        error_messages={
            "invalid": _("Enter an email address in the correct format, like name@example.com")
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    phone = forms.CharField(
        label=_("Phone number"),
        required=False,
        max_length=30,
        widget=forms.TextInput(
            attrs={"type": "tel", "autocomplete": "tel", "class": "govuk-input--width-20"}
        ),
    )
    mobile = forms.CharField(
        label=_("Mobile number for text messages"),
        required=False,
        max_length=30,
        widget=forms.TextInput(
            attrs={"type": "tel", "autocomplete": "tel", "class": "govuk-input--width-20"}
        ),
    )
    needs_large_print = forms.BooleanField(label=_("Large print letters"), required=False)
    needs_easy_read = forms.BooleanField(label=_("Easy read"), required=False)
    needs_bsl = forms.BooleanField(label=_("British Sign Language (BSL)"), required=False)
    interpreter_language = forms.CharField(
        label=_("If you need an interpreter, which language?"),
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20"}),
    )

    NEEDS = ("needs_large_print", "needs_easy_read", "needs_bsl")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        required = {
            Channel.EMAIL: ("email", _("Enter an email address, or choose another way")),
            Channel.PHONE: ("phone", _("Enter a phone number, or choose another way")),
            Channel.SMS: ("mobile", _("Enter a mobile number, or choose another way")),
        }
        channel = cleaned.get("preferred_channel")
        if channel in required:
            field, message = required[channel]
            if not cleaned.get(field) and field not in self.errors:
                self.add_error(field, message)
        return cleaned

    def need_fields(self) -> list[Any]:
        return [self[name] for name in self.NEEDS]

    def contact_fields(self) -> list[Any]:
        return [self[name] for name in ("email", "phone", "mobile")]


class ActingForForm(GovukForm):
    representation = forms.TypedChoiceField(
        label=_("Who are you acting for?"),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select who you are acting for")},
    )

    def __init__(self, *args: Any, representations: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["representation"].choices = [
            (rep.pk, rep.customer.full_name) for rep in representations
        ]
        self.fields["representation"].label_size = "l"
