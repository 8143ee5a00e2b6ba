"""Standards and the rota in the Django admin; saving goes through the services."""

from django.contrib import admin

from civicdesk.workforce import services
from civicdesk.workforce.models import ForecastRun, RotaShift, StaffingStandard


@admin.register(StaffingStandard)
class StaffingStandardAdmin(admin.ModelAdmin):
    list_display = [
        "organisation",
        "channel",
        "target_share",
        "target_seconds",
        "shrinkage",
        "max_occupancy",
        "handling_seconds",
    ]
    list_filter = ["organisation", "channel"]

    def get_readonly_fields(self, request, obj=None):
        return ["organisation", "channel"] if obj else []

    def save_model(self, request, obj, form, change):
        saved = services.set_staffing_standard(
            actor=request.user,
            organisation=obj.organisation,
            channel=obj.channel,
            target_share=obj.target_share,
            target_seconds=obj.target_seconds,
            shrinkage=obj.shrinkage,
            max_occupancy=obj.max_occupancy,
            handling_seconds=obj.handling_seconds,
        )
        obj.pk = saved.pk


@admin.register(RotaShift)
class RotaShiftAdmin(admin.ModelAdmin):
    list_display = ["organisation", "channel", "weekday", "starts", "ends", "agents", "name"]
    list_filter = ["organisation", "channel", "weekday"]

    def get_readonly_fields(self, request, obj=None):
        return ["organisation", "channel"] if obj else []

    def save_model(self, request, obj, form, change):
        fields = {
            "weekday": obj.weekday,
            "starts": obj.starts,
            "ends": obj.ends,
            "agents": obj.agents,
            "name": obj.name,
        }
        if change:
            stored = RotaShift.objects.get(pk=obj.pk)
            services.change_shift(actor=request.user, shift=stored, **fields)
        else:
            saved = services.add_shift(
                actor=request.user, organisation=obj.organisation, channel=obj.channel, **fields
            )
            obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.remove_shift(actor=request.user, shift=obj)

    def delete_queryset(self, request, queryset):
        for shift in queryset:
            services.remove_shift(actor=request.user, shift=shift)


@admin.register(ForecastRun)
class ForecastRunAdmin(admin.ModelAdmin):
    """Read only: forecasts are made by the nightly task or `manage.py make_forecasts`."""

    list_display = ["organisation", "channel", "made_at", "horizon_from", "wape", "bias", "seconds"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
