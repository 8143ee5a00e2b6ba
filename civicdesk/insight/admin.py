from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from civicdesk.core.audit import record
from civicdesk.core.models import AuditAction
from civicdesk.insight.kpis import NAMES, validate_formula
from civicdesk.insight.models import PerformanceIndicator


class PerformanceIndicatorForm(forms.ModelForm):
    class Meta:
        model = PerformanceIndicator
        fields = [
            "organisation", "code", "name", "description", "is_active", "order", "formula",
            "unit", "period", "service", "team", "target", "direction", "amber_tolerance",
        ]  # fmt: skip
        widgets = {"formula": forms.Textarea(attrs={"rows": 2, "cols": 80})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["formula"].help_text = _(
            "Numbers and these names, with + - * / and brackets: %(names)s. A division by "
            "zero shows as no data."
        ) % {"names": ", ".join(NAMES)}

    def clean_formula(self) -> str:
        formula = self.cleaned_data["formula"].strip()
        validate_formula(formula)
        return formula


@admin.register(PerformanceIndicator)
class PerformanceIndicatorAdmin(admin.ModelAdmin):
    form = PerformanceIndicatorForm
    list_display = [
        "code", "name", "organisation", "unit", "direction", "target", "period", "is_active",
        "order",
    ]  # fmt: skip
    list_filter = ["organisation", "is_active", "period", "unit"]
    list_editable = ["is_active", "order"]
    search_fields = ["code", "name", "formula"]
    ordering = ["organisation", "order", "code"]
    fieldsets = [
        (None, {"fields": ["organisation", "code", "name", "description", "is_active", "order"]}),
        (_("How it is worked out"), {"fields": ["formula", "unit", "period", "service", "team"]}),
        (_("Target"), {"fields": ["target", "direction", "amber_tolerance"]}),
    ]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        record(
            actor=request.user,
            action=AuditAction.UPDATED if change else AuditAction.CREATED,
            target=obj,
            summary="Performance indicator changed in the admin",
            detail={name: str(form.cleaned_data.get(name)) for name in form.changed_data},
        )
