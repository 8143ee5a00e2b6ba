"""Signing in and out, and changing a password, with Django's own views in GOV.UK dress."""

from typing import Any

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from civicdesk.console.forms import ChangePasswordForm, SignInForm
from civicdesk.organisations.models import Membership
from civicdesk.organisations.services import change_password, record_sign_in, record_sign_out


def _is_staff(user: Any) -> bool:
    """A member of a team somewhere, or a superuser; not a resident's portal account."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or Membership.objects.filter(user=user).exists()


class SignInView(auth_views.LoginView):
    template_name = "console/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # Only staff are sent on to the console; anyone else signed in sees the form.
        self.redirect_authenticated_user = _is_staff(request.user)
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form: SignInForm) -> HttpResponse:
        user = form.get_user()
        if not _is_staff(user):
            # A resident's portal account (or any account with no place in a team).
            form.add_error(
                None,
                _(
                    "This account is not a staff account. If you have an account for the "
                    "council's website, sign in there instead."
                ),
            )
            return self.form_invalid(form)
        response = super().form_valid(form)
        record_sign_in(user=user)
        return response


class SignOutView(auth_views.LogoutView):
    """POST only (Django's default), so a link or a prefetch cannot sign anyone out."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            record_sign_out(user=request.user)
        response = super().post(request, *args, **kwargs)
        # The session is gone, so the message travels in the messages cookie.
        messages.info(request, _("You have signed out."))
        return response


class ChangePasswordView(auth_views.PasswordChangeView):
    template_name = "console/password_change.html"
    form_class = ChangePasswordForm
    success_url = reverse_lazy("console:password-change-done")

    def form_valid(self, form: ChangePasswordForm) -> HttpResponse:
        """The write goes through the service; Django's view then keeps the session signed in."""
        change_password(user=form.user, new_password=form.cleaned_data["new_password1"])
        update_session_auth_hash(self.request, form.user)
        return HttpResponseRedirect(self.get_success_url())


class PasswordChangedView(auth_views.PasswordChangeDoneView):
    template_name = "console/password_changed.html"
