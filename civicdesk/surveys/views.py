"""The survey on the portal: answered without signing in, through the signed link alone."""

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from civicdesk.surveys.forms import SurveyForm
from civicdesk.surveys.selectors import invitation_for_token, subject_of
from civicdesk.surveys.services import answer_survey


def _page(request: HttpRequest, template: str, context: dict, status: int = 200) -> HttpResponse:
    response = render(request, template, context, status=status)
    # The link is the key: keep it out of caches, search engines and other sites' logs. Not
    # "no-referrer", which would send "Origin: null" with the form and fail the CSRF check.
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "same-origin"
    return response


def _closed(request: HttpRequest, reason: str, status: int = 200) -> HttpResponse:
    return _page(request, "surveys/closed.html", {"reason": reason}, status)


@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, token: str) -> HttpResponse:
    invitation = invitation_for_token(token=token)
    if invitation is None:
        return _closed(request, "invalid", status=404)
    if invitation.is_answered:
        return _closed(request, "answered")
    if invitation.expires_at <= timezone.now():
        return _closed(request, "expired")
    form = SurveyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            answer_survey(invitation=invitation, **form.answers())
        except ValidationError as error:
            if getattr(error, "code", None) in ("answered", "expired"):
                return _closed(request, str(error.code))
            for name, messages in error.message_dict.items():
                form.add_error(name if name in form.fields else None, messages)
        else:
            return redirect("portal:survey-thanks", token=token)
    return _page(
        request,
        "surveys/survey.html",
        {"form": form, "about": subject_of(invitation), "comment_max": 1000},
    )


@require_http_methods(["GET"])
def thanks(request: HttpRequest, token: str) -> HttpResponse:
    invitation = invitation_for_token(token=token)
    if invitation is None:
        return _closed(request, "invalid", status=404)
    if not invitation.is_answered:
        return redirect("portal:survey", token=token)
    return _page(request, "surveys/thanks.html", {})
