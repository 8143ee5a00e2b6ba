from django.contrib import admin

from civicdesk.catalogue.models import (
    KnowledgeArticle,
    LgslService,
    RoutingRule,
    Service,
    ServiceQuestion,
    SlaTarget,
)


class KnowledgeArticleInline(admin.StackedInline):
    model = KnowledgeArticle
    extra = 0
    exclude = ["organisation"]


class SlaTargetInline(admin.TabularInline):
    """Targets for a priority where they differ from the service's own."""

    model = SlaTarget
    extra = 0


class RoutingRuleInline(admin.TabularInline):
    """Which team works the service's cases in a ward, or (no ward) across the council."""

    model = RoutingRule
    extra = 0
    autocomplete_fields = ["team"]


class ServiceQuestionInline(admin.StackedInline):
    """What the service asks with every request: the portal's questions and Open311 attributes."""

    model = ServiceQuestion
    extra = 0


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "lgsl",
        "owning_team",
        "sensitivity",
        "sla_value",
        "sla_unit",
        "is_active",
    ]
    list_filter = ["organisation", "sensitivity", "request_kind", "is_public", "is_active"]
    search_fields = ["name", "keywords", "lgsl__label"]
    autocomplete_fields = ["lgsl", "owning_team"]
    filter_horizontal = ["entitled_teams"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ServiceQuestionInline, SlaTargetInline, RoutingRuleInline, KnowledgeArticleInline]

    def save_formset(self, request, form, formset, change):
        """Articles belong to the service's organisation, whatever the form says."""
        if formset.model is not KnowledgeArticle:
            formset.save()
            return
        for article in formset.save(commit=False):
            article.organisation_id = form.instance.organisation_id
            article.save()
        formset.save_m2m()
        for article in formset.deleted_objects:
            article.delete()


@admin.register(LgslService)
class LgslServiceAdmin(admin.ModelAdmin):
    list_display = ["code", "label"]
    search_fields = ["label", "code"]
