"""The single view of a customer: who they are, what they need, and every contact so far."""

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from civicdesk.cases.models import Referral
from civicdesk.cases.policy import referral_access, staff_member
from civicdesk.cases.selectors import CaseEntry, cases_for_customer
from civicdesk.console.views.merge import may_merge
from civicdesk.contacts.selectors import contact_counts, customer_timeline
from civicdesk.contacts.services import record_sensitive_view
from civicdesk.notify.selectors import messages_for_customer
from civicdesk.organisations.models import Organisation
from civicdesk.organisations.selectors import organisation_for
from civicdesk.people.selectors import active_representatives, consents_in_force, customer_for_user
from civicdesk.people.subject_access import may_export


def _page_number(request: HttpRequest) -> int:
    try:
        return max(int(request.GET.get("page", "1")), 1)
    except ValueError:
        return 1


MESSAGES_SHOWN = 10


def _referrals_of(request: HttpRequest, entries: list[CaseEntry]) -> list[tuple[Referral, bool]]:
    """The referrals of the cases whose details the user may see, each with whether the user
    may open it; restricted cases keep theirs to themselves."""
    visible = [entry.case for entry in entries if not entry.restricted]
    if not visible:
        return []
    prefetch_related_objects(
        visible,
        Prefetch("referrals", queryset=Referral.objects.select_related("to_team__organisation")),
    )
    member = staff_member(request.user)
    return [
        (referral, referral_access(member, referral).sees_referral)
        for case in visible
        for referral in case.referrals.all()
    ]


@login_required
def customer_detail(request: HttpRequest, reference: str) -> HttpResponse:
    """Everything an agent needs on one page while the customer is on the line."""
    customer = customer_for_user(user=request.user, reference=reference)
    if customer.reference != reference:  # a merged record, or typed in lower case
        return redirect("console:customer", customer.reference)
    page = _page_number(request)
    timeline, has_older = customer_timeline(user=request.user, customer=customer, page=page)
    # Showing a sensitive service's details is a look at sensitive data: it is audited.
    record_sensitive_view(
        actor=request.user,
        contacts=[
            entry.contact
            for entry in timeline
            if not entry.restricted and entry.contact.service and entry.contact.service.is_sensitive
        ],
    )
    organisation = organisation_for(request.user)
    case_entries = cases_for_customer(user=request.user, customer=customer)
    context = {
        "customer": customer,
        "representatives": active_representatives(customer=customer),
        "consents": consents_in_force(customer=customer),
        "counts": contact_counts(customer=customer),
        "timeline": timeline,
        "page": page,
        "has_older": has_older,
        "can_change": getattr(organisation, "kind", None) == Organisation.Kind.COUNCIL,
        "can_merge": may_merge(request.user, organisation),
        "can_export": may_export(request.user, customer),
        "case_entries": case_entries,
        "case_referrals": _referrals_of(request, case_entries),
        "customer_messages": list(
            messages_for_customer(user=request.user, customer=customer)[:MESSAGES_SHOWN]
        ),
    }
    return render(request, "console/customer.html", context)
