"""The survey form: it only collects and tidies the answers; surveys.services checks them."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from civicdesk.surveys.models import MAX_COMMENT, Rating

YES_NO = {"yes": True, "no": False}


class SurveyForm(forms.Form):
    use_required_attribute = False  # GOV.UK pages validate on the server, not in a pop-up

    rating = forms.TypedChoiceField(
        label=_("Overall, how satisfied are you with the service you got?"),
        choices=[(str(value), label) for value, label in Rating.choices],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select how satisfied you are with the service you got")},
    )
    resolved = forms.ChoiceField(
        label=_("Was your enquiry resolved? (optional)"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        required=False,
        widget=forms.RadioSelect(attrs={"class": "govuk-radios--inline"}),
    )
    # No maxlength attribute: the character count lets people type on and see how far over.
    comment = forms.CharField(
        label=_("Is there anything you would like to tell us? (optional)"),
        help_text=_(
            "Do not include personal or financial information, like your name or bank details."
        ),
        required=False,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["rating"].label_size = "m"
        self.fields["resolved"].label_size = "m"

    def clean_comment(self) -> str:
        comment = self.cleaned_data["comment"].replace("\r\n", "\n")
        if len(comment) > MAX_COMMENT:
            raise forms.ValidationError(
                _("Your comments must be %(max)s characters or fewer"),
                params={"max": f"{MAX_COMMENT:,}"},
            )
        return comment

    def answers(self) -> dict[str, Any]:
        return {
            "rating": self.cleaned_data["rating"],
            "resolved": YES_NO.get(self.cleaned_data["resolved"]),
            "comment": self.cleaned_data["comment"],
        }
