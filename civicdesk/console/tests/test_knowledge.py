"""The knowledge base page."""

import pytest
from django.urls import reverse

from civicdesk.catalogue.services import publish_article

KNOWLEDGE = reverse("console:knowledge")


@pytest.fixture
def articles(make_service):
    bins = make_service("Bin collections")
    tax = make_service("Council Tax")
    make_service("Parking permits")  # no articles: not listed
    publish_article(
        actor=None,
        service=bins,
        question="When is my bin collected?",
        answer="Every other week.",
        script=["Ask for the postcode"],
    )
    publish_article(actor=None, service=tax, question="How do I pay?", answer="By direct debit.")
    publish_article(
        actor=None,
        service=tax,
        question="Can I get a discount?",
        answer="Single people get 25% off.",
    )
    return bins, tax


@pytest.mark.django_db
def test_every_service_with_articles_is_listed_with_an_anchor(agent_client, articles):
    html = agent_client.get(KNOWLEDGE).content.decode()

    assert 'href="#service-bin-collections"' in html
    assert 'id="service-council-tax"' in html
    assert "How do I pay?" in html
    assert "Parking permits" not in html
    assert "Not reviewed yet" in html


@pytest.mark.django_db
def test_searching_questions(agent_client, articles):
    html = agent_client.get(KNOWLEDGE, {"q": "discount"}).content.decode()

    assert "Can I get a discount?" in html
    assert "How do I pay?" not in html
    assert "When is my bin collected?" not in html
    assert "1 service matches" in html


@pytest.mark.django_db
def test_searching_a_service_name_shows_all_its_articles(agent_client, articles):
    html = agent_client.get(KNOWLEDGE, {"q": "council tax"}).content.decode()

    assert "Can I get a discount?" in html
    assert "How do I pay?" in html


@pytest.mark.django_db
def test_nothing_found(agent_client, articles):
    html = agent_client.get(KNOWLEDGE, {"q": "dragons"}).content.decode()

    assert "No articles found" in html
