"""A customer's subject access request: everything held about them, to print or download.

Only the council's administrators may make one; each page shown and each file downloaded is
written to the audit log before the data is read.
"""

import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from civicdesk.people.models import Customer
from civicdesk.people.selectors import customer_for_user
from civicdesk.people.services import record_subject_access
from civicdesk.people.subject_access import may_export, subject_access_export


def _customer(request: HttpRequest, reference: str) -> Customer:
    customer = customer_for_user(user=request.user, reference=reference)
    if not may_export(request.user, customer):
        raise PermissionDenied(_("Only administrators can export what we hold about a customer."))
    return customer


@login_required
@require_GET
def subject_access(request: HttpRequest, reference: str) -> HttpResponse:
    """The export as a page, laid out to print."""
    customer = _customer(request, reference)
    if customer.reference != reference:  # a merged record, or typed in lower case
        return redirect("console:customer-subject-access", customer.reference)
    record_subject_access(actor=request.user, customer=customer, export_format="page")
    export = subject_access_export(customer=customer)
    return render(
        request,
        "console/subject_access.html",
        {"customer": customer, "export": export, "sections": export["sections"]},
    )


@login_required
@require_GET
def subject_access_download(request: HttpRequest, reference: str) -> HttpResponse:
    """The export as one JSON document, to send to the customer or keep with the request."""
    customer = _customer(request, reference)
    if customer.reference != reference:
        return redirect("console:customer-subject-access-download", customer.reference)
    record_subject_access(actor=request.user, customer=customer, export_format="json")
    export = subject_access_export(customer=customer)
    response = HttpResponse(
        json.dumps(export, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    day = timezone.localdate(export["generated_at"])
    response["Content-Disposition"] = (
        f'attachment; filename="subject-access-{customer.reference}-{day:%Y-%m-%d}.json"'
    )
    return response
