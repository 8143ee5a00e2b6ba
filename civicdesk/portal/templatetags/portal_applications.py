"""Template tags for applying on the portal, for pages whose views are not the application
views': `{% forms_to_apply_for service as forms %}` on a service's page and
`{% your_applications as applications %}` on "Your account"."""

from typing import Any

from django import template

from civicdesk.forms.selectors import applications_for_account, public_forms
from civicdesk.portal import applications as applying

register = template.Library()
ACCOUNT_LIMIT = 20


@register.simple_tag
def forms_to_apply_for(service: Any) -> list[Any]:
    """The forms of `service` the public may apply for now."""
    if service is None or not getattr(service, "is_public", False):
        return []
    return list(public_forms(service.organisation).filter(service=service))


@register.simple_tag(takes_context=True)
def your_applications(context: dict[str, Any]) -> list[dict[str, Any]]:
    """The signed-in resident's applications (and those of people they act for), newest
    first, with where each one's link goes."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    account = context.get("account")
    own_customer_id = getattr(account, "customer_id", None)
    found = applications_for_account(user=user).select_related(
        "form_version__form", "case", "customer"
    )[:ACCOUNT_LIMIT]
    return [
        {
            "application": application,
            "editable": application.status in applying.EDITABLE,
            "url": applying.continue_url(application),
            "for_someone_else": own_customer_id is not None
            and application.customer_id != own_customer_id,
        }
        for application in found
    ]
