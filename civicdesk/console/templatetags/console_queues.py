"""`{% queue_teams as teams %}`: the teams whose queues the signed-in user may open, for the
"Queues" link in the console's navigation. Looked up once per request."""

from typing import Any

from django import template

from civicdesk.cases.selectors import queues_for

register = template.Library()


@register.simple_tag(takes_context=True)
def queue_teams(context: template.Context) -> list[Any]:
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return []
    if not hasattr(request, "_console_queue_teams"):
        request._console_queue_teams = queues_for(user=request.user)
    return request._console_queue_teams
