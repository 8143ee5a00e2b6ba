"""Track a request: the same answer for "no such reference" and "details do not match"."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from civicdesk.cases.public import find_request, public_view
from civicdesk.portal import tracking
from civicdesk.portal.council import portal_council
from civicdesk.portal.forms import TrackForm


@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    form = TrackForm(request.POST if request.method == "POST" else None)
    tracked = None
    status = 200
    if request.method == "POST" and form.is_valid():
        if tracking.is_throttled(request):
            form.add_error(None, _("You have tried too many times. Try again in an hour."))
            status = 429
        else:
            case = find_request(
                organisation=portal_council(),
                reference=form.cleaned_data["reference"],
                proof=form.cleaned_data["email_or_postcode"],
            )
            if case is None:
                tracking.record_failure(request)
                form.add_error(
                    "reference",
                    _(
                        "We could not find a request with that reference and email address or "
                        "postcode. Check them and try again."
                    ),
                )
            else:
                tracked = public_view(case)
    response = render(request, "portal/track.html", {"form": form, "tracked": tracked})
    response.status_code = status
    response["Cache-Control"] = "no-store"
    return response
