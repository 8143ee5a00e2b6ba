"""The home page's one search box."""

import datetime

import pytest
from django.urls import reverse

from civicdesk.organisations.tests.factories import OrganisationFactory
from civicdesk.people.services import create_customer
from civicdesk.places.tests.factories import AddressFactory

HOME = reverse("console:home")


@pytest.mark.django_db
def test_an_empty_search_shows_only_the_box(agent_client):
    html = agent_client.get(HOME, {"q": "  "}).content.decode()

    assert "Search by name, postcode, phone, email, address or reference" in html
    assert " autofocus" in html
    assert "found" not in html


@pytest.mark.django_db
def test_a_misspelt_name_finds_the_customer(agent_client, make_customer):
    john = make_customer("John", "Smith", date_of_birth=datetime.date(1961, 4, 9))
    make_customer("Sarah", "Jones")

    response = agent_client.get(HOME, {"q": "Jon Smyth"})

    html = response.content.decode()
    assert "1 customer found" in html
    assert f'href="{reverse("console:customer", args=[john.reference])}"' in html
    assert "9 April 1961" in html
    assert "Sarah" not in html
    assert " autofocus" not in html  # the agent is reading results now


@pytest.mark.django_db
def test_a_reference_goes_straight_to_the_customer(agent_client, make_customer):
    john = make_customer()

    response = agent_client.get(HOME, {"q": john.reference.lower()})

    assert response.status_code == 302
    assert response["Location"] == reverse("console:customer", args=[john.reference])


@pytest.mark.django_db
def test_no_match_says_so_and_suggests_what_to_try(agent_client, make_customer):
    make_customer()

    html = agent_client.get(HOME, {"q": "Zebedee Quockerwodger"}).content.decode()

    assert "No customers found" in html
    assert "search by postcode, phone number or email address instead" in html
    assert reverse("console:log-anonymous-contact") in html


@pytest.mark.django_db
def test_a_postcode_finds_customers_and_the_addresses_there(agent_client, council, make_customer):
    home = AddressFactory(organisation=council, postcode="KM1 2AB")
    make_customer("Ada", "Lovelace", address=home)

    html = agent_client.get(HOME, {"q": "km1 2ab"}).content.decode()

    assert "Ada Lovelace" in html
    assert home.single_line in html
    assert "Customers living here" in html


@pytest.mark.django_db
def test_customers_of_another_council_are_not_found(agent_client, make_customer):
    elsewhere = OrganisationFactory(name="Elsewhere District Council", slug="elsewhere")
    create_customer(actor=None, organisation=elsewhere, forenames="John", surname="Smith")

    html = agent_client.get(HOME, {"q": "John Smith"}).content.decode()

    assert "No customers found" in html
