"""How a case's status and due state are shown, shared by the case pages and the queue.

Filters rather than per-row includes: the queue shows fifty cases a page, and an include
per cell was most of the page's rendering time."""

from django import template
from django.utils.translation import gettext_lazy as _

from civicdesk.cases.models import CaseStatus

register = template.Library()

STATUS_TAG_CLASSES = {
    CaseStatus.ASSIGNED: "govuk-tag--teal",
    CaseStatus.IN_PROGRESS: "govuk-tag--purple",
    CaseStatus.WAITING_CUSTOMER: "govuk-tag--yellow",
    CaseStatus.WAITING_THIRD_PARTY: "govuk-tag--orange",
    CaseStatus.RESOLVED: "govuk-tag--green",
    CaseStatus.CLOSED: "govuk-tag--grey",
    CaseStatus.REOPENED: "govuk-tag--pink",
}

# The due states of `console.views.queues.due_state`: (words, tag colour).
DUE_TAGS = {
    "missed": (_("Missed"), "govuk-tag--red"),
    "response_missed": (_("Response missed"), "govuk-tag--red"),
    "paused": (_("Paused"), "govuk-tag--grey"),
    "soon": (_("Due soon"), "govuk-tag--orange"),
}


@register.filter
def status_tag_class(status: str) -> str:
    return STATUS_TAG_CLASSES.get(status, "")


@register.filter
def due_tag(due: str) -> tuple[str, str] | None:
    return DUE_TAGS.get(due)
