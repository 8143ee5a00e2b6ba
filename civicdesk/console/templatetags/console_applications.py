"""The application's panel on the case page: `{% application_panel case access as panel %}`."""

from typing import Any

from django import template
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from civicdesk.cases.policy import CaseAccess
from civicdesk.forms import applications, runner
from civicdesk.forms.selectors import application_for_case, application_payments

register = template.Library()

OUTCOME_TAGS = {
    "eligible": "govuk-tag--green",
    "further_assessment": "govuk-tag--yellow",
    "not_eligible": "govuk-tag--red",
}
OUTCOME_LABELS = {
    "eligible": _("Eligible"),
    "further_assessment": _("Needs further assessment"),
    "not_eligible": _("Not eligible"),
}


@register.simple_tag
def application_panel(case: Any, access: CaseAccess) -> dict[str, Any] | None:
    """What the case page shows about the application the case came from, or None.

    The case page has already checked (and, for a sensitive service, audited) the view.
    """
    if "application" not in (case.attributes or {}):  # no query for the other cases
        return None
    application = application_for_case(case=case)
    if application is None:
        return None
    version = application.form_version
    on = (application.submitted_at or application.started_at).date()
    evidence = [
        {
            "name": item.original_name,
            "size": item.size,
            "url": reverse(
                "console:case-attachment-download", args=[case.reference, item.attachment_id]
            )
            if item.attachment_id
            else "",
        }
        for item in application.evidence.order_by("uploaded_at", "pk")
    ]
    payments = application_payments(application)
    assessment = application.assessment or {}
    undecided = application.status in applications.UNDECIDED
    decisions = []
    if access.may_work and undecided and case.is_open:
        from civicdesk.console.views.applications import DECISIONS, decision_url

        decisions = [
            (str(spec.link), decision_url(name, case.reference), spec.warning)
            for name, spec in DECISIONS.items()
        ]
    return {
        "application": application,
        "form": version.form,
        "version": version,
        "rows": runner.answer_rows(version, application.answers, on=on),
        "assessment": assessment,
        "outcome_tag": OUTCOME_TAGS.get(assessment.get("outcome", ""), ""),
        "outcome_label": OUTCOME_LABELS.get(assessment.get("outcome", ""), ""),
        "evidence": evidence,
        "payment": payments[0] if payments else None,
        "decisions": decisions,
    }
