from django import forms
from django.contrib import admin

from civicdesk.cases.models import CaseStatus, SlaClockPolicy
from civicdesk.cases.services import check_clock_policy, set_clock_policy


class SlaClockPolicyForm(forms.ModelForm):
    pausing_statuses = forms.MultipleChoiceField(
        choices=CaseStatus.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="The clocks stop running while a case is in these statuses, then carry on.",
    )
    stopping_statuses = forms.MultipleChoiceField(
        choices=CaseStatus.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="The clocks stop for good in these statuses (resolved and closed always do).",
    )

    class Meta:
        model = SlaClockPolicy
        fields = ["organisation", "pausing_statuses", "stopping_statuses"]

    def clean(self):
        cleaned = super().clean()
        check_clock_policy(
            pausing=cleaned.get("pausing_statuses", []),
            stopping=cleaned.get("stopping_statuses", []),
        )
        return cleaned


@admin.register(SlaClockPolicy)
class SlaClockPolicyAdmin(admin.ModelAdmin):
    """Saved through the service, so the change is checked and audited like any other."""

    form = SlaClockPolicyForm
    list_display = ["organisation", "pausing_statuses", "stopping_statuses"]

    def save_model(self, request, obj, form, change):
        saved = set_clock_policy(
            actor=request.user,
            organisation=form.cleaned_data["organisation"],
            pausing=form.cleaned_data["pausing_statuses"],
            stopping=form.cleaned_data["stopping_statuses"],
        )
        obj.pk = saved.pk
