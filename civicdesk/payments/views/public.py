"""Where the provider sends the resident back: a generic "payment received" page.

Apps with their own journey (e.g. the forms app) give `start_payment` their own return URL
and call `payment_for_return` and `refresh_payment` themselves; this page serves the rest.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from civicdesk.payments.clients import PayError
from civicdesk.payments.selectors import payment_for_return
from civicdesk.payments.services import refresh_payment


def return_url_for(request: HttpRequest) -> Callable[[str], str]:
    """A `return_url_for` for `start_payment` that comes back to this page."""
    return lambda secret: request.build_absolute_uri(reverse("payments:return", args=[secret]))


@require_GET
def payment_return(request: HttpRequest, secret: str) -> HttpResponse:
    payment = payment_for_return(secret=secret)
    unavailable = False
    try:
        payment = refresh_payment(payment=payment, source="return")
    except PayError:
        unavailable = True  # the sweep will ask again
    response = render(
        request, "payments/return.html", {"payment": payment, "unavailable": unavailable}
    )
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response
