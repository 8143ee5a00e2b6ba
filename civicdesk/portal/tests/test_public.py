"""The portal's public pages: home, A to Z, search, service pages and the catalogue as JSON."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from civicdesk.organisations.models import Organisation
from civicdesk.organisations.tests.factories import OrganisationFactory
from civicdesk.portal.council import portal_council

pytestmark = pytest.mark.django_db


def test_home_links_to_every_way_in(client, catalogue):
    page = client.get(reverse("portal:home")).content.decode()
    for name in ("portal:report", "portal:ask", "portal:track", "portal:a-z", "portal:search"):
        assert f'href="{reverse(name)}"' in page or f'action="{reverse(name)}"' in page


def test_a_to_z_groups_public_services_by_letter(client, catalogue):
    response = client.get(reverse("portal:a-z"))
    page = response.content.decode()
    assert 'id="letter-G"' in page and 'href="#letter-G"' in page
    assert "Graffiti removal" in page and "Libraries" in page
    assert "Internal audit" not in page  # not public
    assert 'href="#letter-Z"' not in page  # no services under Z: not a link


def test_a_to_z_leaves_out_withdrawn_services(client, catalogue):
    catalogue.library.is_active = False
    catalogue.library.save()
    assert "Libraries" not in client.get(reverse("portal:a-z")).content.decode()


def test_a_to_z_query_count_does_not_grow_with_services(
    client, catalogue, django_assert_max_num_queries
):
    with django_assert_max_num_queries(4):
        client.get(reverse("portal:a-z"))


def test_search_finds_by_keyword(client, catalogue):
    page = client.get(reverse("portal:search"), {"q": "spray"}).content.decode()
    assert "Graffiti removal" in page
    assert "1 service found" in page


def test_search_needs_all_words(client, catalogue):
    page = client.get(reverse("portal:search"), {"q": "graffiti tax"}).content.decode()
    assert "0 services found" in page
    assert reverse("portal:a-z") in page


def test_search_does_not_show_hidden_services(client, catalogue):
    page = client.get(reverse("portal:search"), {"q": "audit"}).content.decode()
    assert "Internal audit" not in page.split("services found")[-1]


def test_empty_search_shows_an_error(client, catalogue):
    page = client.get(reverse("portal:search"), {"q": ""}).content.decode()
    assert "Enter what you are looking for" in page
    assert "govuk-error-summary" in page
    assert "<title>Error:" in page


def test_service_page_shows_how_and_promise_and_start(client, catalogue):
    page = client.get(reverse("portal:service", args=["graffiti-removal"])).content.decode()
    assert "Graffiti removal" in page
    assert "Report it online with a photo." in page
    assert "Call 0300 123 4567." in page
    assert "5 working days" in page
    assert reverse("portal:start", args=["graffiti-removal"]) in page


def test_information_only_service_has_no_start_button(client, catalogue):
    page = client.get(reverse("portal:service", args=["libraries"])).content.decode()
    assert "Start now" not in page


def test_hidden_service_page_is_not_found(client, catalogue):
    assert client.get(reverse("portal:service", args=["internal-audit"])).status_code == 404


def test_catalogue_json(client, catalogue):
    response = client.get(reverse("portal:catalogue-json"))
    assert response.status_code == 200
    assert "max-age=300" in response["Cache-Control"] and "public" in response["Cache-Control"]
    data = response.json()
    slugs = [service["slug"] for service in data["services"]]
    assert "graffiti-removal" in slugs and "internal-audit" not in slugs
    graffiti = next(s for s in data["services"] if s["slug"] == "graffiti-removal")
    assert graffiti["takes_requests_online"] is True
    assert graffiti["group"] == "Streets"
    assert graffiti["response_times"]["resolution"] == "5 working days"
    assert graffiti["url"].endswith("/services/graffiti-removal/")
    assert graffiti["request_url"].endswith("/services/graffiti-removal/request/")
    library = next(s for s in data["services"] if s["slug"] == "libraries")
    assert library["takes_requests_online"] is False and library["request_url"] is None


def test_service_json(client, catalogue):
    response = client.get(reverse("portal:service-json", args=["graffiti-removal"]))
    assert response.json()["how_by_phone"] == "Call 0300 123 4567."
    assert "max-age" in response["Cache-Control"]
    assert client.get(reverse("portal:service-json", args=["internal-audit"])).status_code == 404


def test_the_only_council_is_the_portals(council):
    assert portal_council() == council


def test_setting_chooses_among_councils(council, settings):
    other = OrganisationFactory(slug="elsewhere", name="Elsewhere Council")
    with pytest.raises(ImproperlyConfigured):
        portal_council()
    settings.CIVICDESK_PORTAL_ORGANISATION = "elsewhere"
    assert portal_council() == other


def test_partner_agencies_are_not_councils(council):
    OrganisationFactory(slug="advice", name="Advice", kind=Organisation.Kind.PARTNER)
    assert portal_council() == council


def test_unknown_council_slug_is_a_configuration_error(council, settings):
    settings.CIVICDESK_PORTAL_ORGANISATION = "nowhere"
    with pytest.raises(ImproperlyConfigured):
        portal_council()
