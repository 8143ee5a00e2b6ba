"""`{% load payments %}{% customer_payments customer %}`: the customer's payments on the single
view, with the access rules applied for the signed-in member of staff."""

from typing import Any

from django import template

from civicdesk.payments.selectors import payments_for_customer

register = template.Library()


@register.inclusion_tag("payments/_customer_payments.html", takes_context=True)
def customer_payments(context: dict[str, Any], customer: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"customer_payments": payments_for_customer(user=user, customer=customer)}
