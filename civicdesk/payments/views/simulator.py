"""The simulator's hosted pages: GOV.UK Pay's "Enter card details", offline.

These pages play the provider's part. They change only the simulator's own records
(`SimulatedPayment`) and then send the resident back to the service, which learns the outcome by
asking the simulator, exactly as it would ask GOV.UK Pay.
"""

from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_POST

from civicdesk.payments.clients import TEST_CARDS, expire_if_due
from civicdesk.payments.forms import CardDetailsForm
from civicdesk.payments.models import FINISHED_STATUSES, PaymentStatus, SimulatedPayment, pounds
from civicdesk.payments.tasks import EVENT_TYPES, deliver_simulated_webhook


def _locked(payment_id: str) -> SimulatedPayment:
    simulated = SimulatedPayment.objects.select_for_update().filter(pk=payment_id).first()
    if simulated is None:
        raise Http404("No such payment.")
    return simulated


def _finish(simulated: SimulatedPayment, *, state: str, code: str = "") -> None:
    simulated.state = state
    simulated.code = code
    simulated.save()
    event_type = EVENT_TYPES.get(state)
    if event_type:
        transaction.on_commit(lambda: deliver_simulated_webhook.enqueue(simulated.pk, event_type))


@require_http_methods(["GET", "POST"])
def card_details(request: HttpRequest, payment_id: str) -> HttpResponse:
    with transaction.atomic():
        simulated = _locked(payment_id)
        expire_if_due(simulated)
        if simulated.state in FINISHED_STATUSES:
            return HttpResponseRedirect(simulated.return_url)
        if simulated.state == PaymentStatus.CREATED:
            simulated.state = PaymentStatus.STARTED
            simulated.save(update_fields=["state"])
        form = CardDetailsForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            number = form.cleaned_data["card_number"]
            state, code = TEST_CARDS.get(number, (PaymentStatus.SUCCESS, ""))
            simulated.card_last_four = number[-4:]
            simulated.cardholder_name = form.cleaned_data["name"]
            _finish(simulated, state=state, code=code)
            return HttpResponseRedirect(simulated.return_url)
    return render(
        request,
        "payments/simulator/card.html",
        {"simulated": simulated, "amount": pounds(simulated.amount), "form": form},
        status=400 if form.is_bound else 200,
    )


@require_POST
def cancel(request: HttpRequest, payment_id: str) -> HttpResponse:
    with transaction.atomic():
        simulated = _locked(payment_id)
        expire_if_due(simulated)
        if simulated.state not in FINISHED_STATUSES:
            _finish(simulated, state=PaymentStatus.FAILED, code="P0030")
    return HttpResponseRedirect(simulated.return_url)
