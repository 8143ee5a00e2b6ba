"""Staff pages in the console: a payment, refunding it, and the daily reconciliation report."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from civicdesk.payments import selectors
from civicdesk.payments.forms import RefundForm, ReportDateForm
from civicdesk.payments.services import RefundRefused, refund_payment


@login_required
def payment_detail(request: HttpRequest, reference: str) -> HttpResponse:
    payment = selectors.payment_for_user(user=request.user, reference=reference)
    return render(
        request,
        "payments/payment.html",
        {
            "payment": payment,
            "events": list(payment.events.all()),
            "may_refund": selectors.may_refund(user=request.user, payment=payment),
            **selectors.refund_summary(payment),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def refund(request: HttpRequest, reference: str) -> HttpResponse:
    payment = selectors.payment_for_user(user=request.user, reference=reference)
    if not selectors.may_refund(user=request.user, payment=payment):
        raise PermissionDenied("Only team leaders, managers and administrators make refunds.")
    summary = selectors.refund_summary(payment)
    form = RefundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            made = refund_payment(
                actor=request.user,
                payment=payment,
                amount_pence=form.amount_pence,
                reason=form.cleaned_data["reason"],
            )
        except RefundRefused as error:
            form.add_error("amount", str(error))
        else:
            messages.success(
                request,
                _("%(amount)s refunded on %(reference)s")
                % {"amount": made.amount_pounds, "reference": payment.reference},
            )
            return redirect("console:payment", reference=payment.reference)
    return render(
        request,
        "payments/refund.html",
        {"payment": payment, "form": form, **summary},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def report(request: HttpRequest, as_csv: bool = False) -> HttpResponse:
    organisation = selectors.report_organisation(request.user)
    if organisation is None or not selectors.may_see_report(
        user=request.user, organisation=organisation
    ):
        raise PermissionDenied("The payments report is for managers and administrators.")
    form = ReportDateForm(request.GET or None)
    day = form.day()
    result = selectors.daily_report(organisation=organisation, day=day)
    if as_csv or request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="payments-{day.isoformat()}.csv"'
        csv.writer(response).writerows(selectors.report_csv_rows(result))
        return response
    return render(request, "payments/report.html", {"form": form, "report": result, "day": day})
