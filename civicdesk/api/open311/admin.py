from django.contrib import admin, messages
from django.http import HttpRequest

from civicdesk.api.open311.models import Open311Client
from civicdesk.api.open311.services import issue_client, replace_key


@admin.register(Open311Client)
class Open311ClientAdmin(admin.ModelAdmin):
    """Issue keys here: the key is shown once, in the message after saving a new client."""

    list_display = (
        "name",
        "organisation",
        "key_prefix",
        "is_active",
        "rate_limit_per_minute",
        "last_used_at",
    )
    list_filter = ("organisation", "is_active")
    search_fields = ("name", "key_prefix")
    readonly_fields = ("key_prefix", "created_at", "last_used_at")
    fields = ("organisation", "name", "is_active", "rate_limit_per_minute", *readonly_fields)
    actions = ["replace_keys"]

    def save_model(self, request: HttpRequest, obj: Open311Client, form, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        client, key = issue_client(
            actor=request.user,
            organisation=obj.organisation,
            name=obj.name,
            rate_limit_per_minute=obj.rate_limit_per_minute,
            is_active=obj.is_active,
        )
        obj.pk = client.pk
        obj.key_prefix = client.key_prefix
        obj.key_hash = client.key_hash
        self._show_key(request, client, key)

    def _show_key(self, request: HttpRequest, client: Open311Client, key: str) -> None:
        self.message_user(
            request,
            f"The API key for {client.name} is {key} . Copy it now: it will not be shown again.",
            level=messages.WARNING,
        )

    @admin.action(description="Replace the API keys of the selected clients")
    def replace_keys(self, request: HttpRequest, queryset) -> None:
        for client in queryset:
            self._show_key(request, client, replace_key(actor=request.user, client=client))
