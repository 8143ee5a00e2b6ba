"""Forms for the simulator's card details pages and the staff pages."""

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class GovukForm(forms.Form):
    """GOV.UK forms have no colons after labels and no browser pop-up validation."""

    use_required_attribute = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def luhn_valid(number: str) -> bool:
    total = 0
    for position, digit in enumerate(reversed(number)):
        value = int(digit)
        if position % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


class CardDetailsForm(GovukForm):
    card_number = forms.CharField(
        label=_("Card number"),
        max_length=30,
        error_messages={"required": _("Enter a card number")},
        widget=forms.TextInput(
            attrs={
                "class": "govuk-input--width-20",
                "autocomplete": "cc-number",
                "inputmode": "numeric",
                "spellcheck": "false",
            }
        ),
    )
    expiry = forms.CharField(
        label=_("Expiry date"),
        help_text=_("For example, 10/27"),
        max_length=7,
        error_messages={"required": _("Enter the expiry date")},
        widget=forms.TextInput(
            attrs={
                "class": "govuk-input--width-5",
                "autocomplete": "cc-exp",
                "inputmode": "numeric",
                "spellcheck": "false",
            }
        ),
    )
    name = forms.CharField(
        label=_("Name on card"),
        max_length=255,
        error_messages={"required": _("Enter the name as it appears on the card")},
        widget=forms.TextInput(attrs={"autocomplete": "cc-name", "spellcheck": "false"}),
    )
    security_code = forms.CharField(
        label=_("Card security code"),
        help_text=_("The last 3 digits on the back of the card"),
        max_length=4,
        error_messages={"required": _("Enter the card security code")},
        widget=forms.TextInput(
            attrs={
                "class": "govuk-input--width-4",
                "autocomplete": "cc-csc",
                "inputmode": "numeric",
                "spellcheck": "false",
            }
        ),
    )

    def clean_card_number(self) -> str:
        number = "".join(self.cleaned_data["card_number"].replace("-", " ").split())
        if not number.isdigit() or not 12 <= len(number) <= 19 or not luhn_valid(number):
            raise forms.ValidationError(_("Enter a valid card number"))
        return number

    def clean_expiry(self) -> tuple[int, int]:
        text = "".join(self.cleaned_data["expiry"].split())
        month_text, _slash, year_text = text.partition("/")
        if not (month_text.isdigit() and year_text.isdigit() and len(year_text) in (2, 4)):
            raise forms.ValidationError(_("Enter the expiry date as month and year, like 10/27"))
        month, year = int(month_text), int(year_text)
        if len(year_text) == 2:
            year += 2000
        if not 1 <= month <= 12:
            raise forms.ValidationError(_("Enter the expiry date as month and year, like 10/27"))
        today = timezone.localdate()
        if (year, month) < (today.year, today.month):
            raise forms.ValidationError(_("The card has expired: use another card"))
        return month, year

    def clean_security_code(self) -> str:
        code = self.cleaned_data["security_code"].strip()
        if not code.isdigit() or len(code) not in (3, 4):
            raise forms.ValidationError(_("Enter the 3 or 4 digit card security code"))
        return code


class RefundForm(GovukForm):
    amount = forms.DecimalField(
        label=_("Amount to refund, in pounds"),
        min_value=0,
        max_digits=9,
        decimal_places=2,
        error_messages={
            "required": _("Enter the amount to refund"),
            "invalid": _("Enter the amount in pounds and pence, like 12.50"),
            "max_decimal_places": _("Enter the amount in pounds and pence, like 12.50"),
            "min_value": _("Enter an amount of at least 1p"),
        },
        widget=forms.TextInput(
            attrs={"class": "govuk-input--width-10", "inputmode": "decimal", "spellcheck": "false"}
        ),
    )
    reason = forms.CharField(
        label=_("Reason for the refund"),
        max_length=255,
        error_messages={"required": _("Enter the reason for the refund")},
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    @property
    def amount_pence(self) -> int:
        return int(self.cleaned_data["amount"] * 100)


class ReportDateForm(GovukForm):
    date = forms.DateField(
        label=_("Date"),
        help_text=_("For example, 2026-03-27"),
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={"invalid": _("Enter a real date, like 2026-03-27")},
        widget=forms.DateInput(
            format="%Y-%m-%d", attrs={"class": "govuk-input--width-10", "spellcheck": "false"}
        ),
    )

    def day(self) -> datetime.date:
        if self.is_valid() and self.cleaned_data.get("date"):
            return self.cleaned_data["date"]
        return timezone.localdate()
