from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from civicdesk.organisations.models import Membership, Organisation, Team, User


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    extra = 0
    autocomplete_fields = ["team"]


@admin.register(User)
class StaffAdmin(UserAdmin):
    inlines = [MembershipInline]


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
