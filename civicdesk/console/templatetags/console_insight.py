"""`{% reads_figures as show %}`: whether the signed-in user reads the management figures, for
the "Figures" link in the console's navigation."""

from django import template

from civicdesk.console.views.insight import reads_figures as may_read_figures

register = template.Library()


@register.simple_tag(takes_context=True)
def reads_figures(context: template.Context) -> bool:
    request = context.get("request")
    return request is not None and may_read_figures(request.user)
