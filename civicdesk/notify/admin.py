from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from civicdesk.core.audit import record
from civicdesk.core.models import AuditAction
from civicdesk.notify.models import Message, MessageTemplate
from civicdesk.notify.services import check_wording


class MessageTemplateForm(forms.ModelForm):
    """The same checks as `create_template`: a template that cannot be filled in never saves."""

    class Meta:
        model = MessageTemplate
        fields = [
            "organisation", "service", "event", "channel", "easy_read", "notify_template_id",
            "subject", "body", "is_active",
        ]  # fmt: skip

    def clean(self):
        cleaned = super().clean()
        event, channel = cleaned.get("event"), cleaned.get("channel")
        if event and channel:
            try:
                check_wording(
                    event=event,
                    channel=channel,
                    subject=cleaned.get("subject") or "",
                    body=cleaned.get("body") or "",
                )
            except ValidationError as error:
                self._update_errors(error)
        return cleaned


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    form = MessageTemplateForm
    list_display = ["event", "channel", "service", "easy_read", "organisation", "is_active"]
    list_filter = ["organisation", "event", "channel", "easy_read", "is_active"]
    search_fields = ["subject", "body", "service__name"]
    autocomplete_fields = ["service"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        record(
            actor=request.user,
            action=AuditAction.UPDATED if change else AuditAction.CREATED,
            target=obj,
            summary=f"Message template {'changed' if change else 'added'} in the admin",
            detail={"fields": form.changed_data},
        )


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """Read-only: a message is a record of what was sent."""

    list_display = ["created_at", "event", "channel", "status", "about_reference", "organisation"]
    list_filter = ["status", "channel", "event", "organisation"]
    search_fields = ["about_reference", "=reference", "=notify_id"]
    date_hierarchy = "created_at"
    list_select_related = ["organisation"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
