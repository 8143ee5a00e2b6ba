from django.contrib import admin

from civicdesk.core.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit log is append-only, even for administrators."""

    list_display = ["occurred_at", "actor_label", "action", "record_type", "record_id", "summary"]
    list_filter = ["action", "record_type"]
    search_fields = ["record_id", "actor_label", "summary"]
    date_hierarchy = "occurred_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
