from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicdesk.organisations.models import Membership, Organisation, Team, User
from civicdesk.organisations.security import may_reset_two_factor, reset_two_factor


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    extra = 0
    autocomplete_fields = ["team"]


@admin.register(User)
class StaffAdmin(UserAdmin):
    inlines = [MembershipInline]
    list_display = [*UserAdmin.list_display, "has_two_factor"]
    list_select_related = ["authenticator"]
    actions = ["reset_two_factor"]

    @admin.display(boolean=True, description=gettext_lazy("Two-factor set up"))
    def has_two_factor(self, user: User) -> bool:
        return hasattr(user, "authenticator")

    @admin.action(
        permissions=["change"],
        description=gettext_lazy("Reset two-factor authentication (lost or new phone)"),
    )
    def reset_two_factor(self, request: HttpRequest, queryset) -> None:
        refused = [
            user for user in queryset if not may_reset_two_factor(actor=request.user, user=user)
        ]
        if refused:
            names = ", ".join(user.get_username() for user in refused)
            messages.error(
                request,
                _(
                    "Nothing was reset. Only an administrator of their organisation may reset "
                    "two-factor authentication for %(names)s."
                )
                % {"names": names},
            )
            return
        for user in queryset:
            reset_two_factor(actor=request.user, user=user)
        messages.success(
            request,
            _(
                "Two-factor authentication reset. They are signed out, and set up their app "
                "again the next time they sign in."
            ),
        )


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "gss_code"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "is_contact_centre", "case_assignment"]
    list_filter = ["organisation"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
