from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from civicdesk.core.audit import record
from civicdesk.core.models import AuditAction
from civicdesk.surveys.models import SurveyInvitation, SurveySettings


@admin.register(SurveySettings)
class SurveySettingsAdmin(admin.ModelAdmin):
    list_display = [
        "organisation", "is_enabled", "contact_sample_percent", "case_sample_percent",
        "quiet_days", "valid_days", "last_sampled_at",
    ]  # fmt: skip
    readonly_fields = ["last_sampled_at"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        record(
            actor=request.user,
            action=AuditAction.UPDATED if change else AuditAction.CREATED,
            target=obj,
            summary="Survey settings changed in the admin",
            detail={name: str(form.cleaned_data.get(name)) for name in form.changed_data},
        )


@admin.register(SurveyInvitation)
class SurveyInvitationAdmin(admin.ModelAdmin):
    """What was sent and answered, to read only: answers come from customers alone."""

    list_display = [
        "pk",
        "organisation",
        "channel",
        "sent_at",
        "expires_at",
        "answered_at",
        "rating",
        "resolved",
    ]
    list_filter = ["organisation", "channel", "rating", "resolved"]
    date_hierarchy = "sent_at"
    list_select_related = ["organisation"]
    show_full_result_count = False
    raw_id_fields = ["customer", "contact", "case"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
