"""The knowledge base as agents browse it between calls."""

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from civicdesk.catalogue.selectors import services_with_articles
from civicdesk.console.forms import KnowledgeSearchForm


@login_required
def knowledge(request: HttpRequest) -> HttpResponse:
    """Every published article, filtered on the server so it works without JavaScript."""
    form = KnowledgeSearchForm(request.GET or None)
    query = " ".join(form.cleaned_data["q"].split()) if form.is_valid() else ""
    services = services_with_articles(user=request.user)
    if query:
        services = services.filter(
            Q(name__icontains=query)
            | Q(
                knowledge_articles__question__icontains=query, knowledge_articles__is_published=True
            )
        ).distinct()
    sections = []
    for service in services:
        articles = list(service.knowledge_articles.all())
        if query and query.casefold() not in service.name.casefold():
            articles = [a for a in articles if query.casefold() in a.question.casefold()]
        if articles:
            sections.append((service, articles))
    context = {"form": form, "query": query, "sections": sections}
    return render(request, "console/knowledge.html", context)
