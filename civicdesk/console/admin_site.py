"""Django admin, signed in to and out of through the console: its two-factor step has no way
around it, and every sign-in and sign-out is audited the same way."""

from typing import Any

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from civicdesk.console.views.auth import SignOutView


class ConsoleSignInAdminSite(admin.AdminSite):
    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        if request.user.is_authenticated:
            # Signed in but not allowed in: sending them to sign in again would go round.
            raise PermissionDenied("This account may not use the admin site.")
        return redirect_to_login(request.GET.get("next") or reverse("admin:index"))

    def logout(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        response: HttpResponse = SignOutView.as_view()(request)
        return response
