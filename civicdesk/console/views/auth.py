"""Signing in and out, and changing a password, with Django's own views in GOV.UK dress."""

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from civicdesk.console.forms import ChangePasswordForm, SignInForm


class SignInView(auth_views.LoginView):
    template_name = "console/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    """POST only (Django's default), so a link or a prefetch cannot sign anyone out."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        # The session is gone, so the message travels in the messages cookie.
        messages.info(request, _("You have signed out."))
        return response


class ChangePasswordView(auth_views.PasswordChangeView):
    template_name = "console/password_change.html"
    form_class = ChangePasswordForm
    success_url = reverse_lazy("console:password-change-done")


class PasswordChangedView(auth_views.PasswordChangeDoneView):
    template_name = "console/password_changed.html"
