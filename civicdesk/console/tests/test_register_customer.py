"""Registering a caller who is not on the system, and changing a customer's details."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from civicdesk.core.models import AuditAction, AuditEvent
from civicdesk.organisations.models import Organisation, Role
from civicdesk.organisations.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    TeamFactory,
)
from civicdesk.people.models import Customer
from civicdesk.people.services import add_representative
from civicdesk.places.tests.factories import AddressFactory, StreetFactory

REGISTER = reverse("console:register-customer")


def token_of(response):
    return re.search(r'name="form_token" value="([^"]+)"', response.content.decode()).group(1)


def answers(token, **changes):
    data = {
        "form_token": token,
        "title": "Ms",
        "forenames": "Ada",
        "surname": "Lovelace",
        "date_of_birth_0": "10",
        "date_of_birth_1": "12",
        "date_of_birth_2": "1985",
        "postcode": "",
        "email": "ada@example.org",
        "phone": "",
        "mobile": "07700 900982",
        "preferred_channel": "email",
        "interpreter_language": "",
        "other_needs": "",
        "action": "save",
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


@pytest.fixture
def acacia(council):
    street = StreetFactory(organisation=council, name="Acacia Avenue")
    return [
        AddressFactory(organisation=council, street=street, postcode="KM1 2AB", pao_start_number=n)
        for n in (12, 14, 16)
    ]


@pytest.mark.django_db
def test_the_search_page_offers_registration_with_the_name_filled_in(agent_client):
    html = agent_client.get(reverse("console:home"), {"q": "Ada Lovelace"}).content.decode()
    assert "No customers found" in html
    assert f'href="{REGISTER}?q=Ada%20Lovelace"' in html

    form = agent_client.get(REGISTER, {"q": "Ada Lovelace"}).content.decode()
    assert re.search(r'name="forenames" value="Ada"', form)
    assert re.search(r'name="surname" value="Lovelace"', form)
    assert "Register a customer" in agent_client.get(reverse("console:home")).content.decode()


@pytest.mark.django_db
def test_registering_with_an_address_found_by_postcode(agent_client, agent, acacia):
    token = token_of(agent_client.get(REGISTER))

    found = agent_client.post(REGISTER, answers(token, postcode="km12ab", action="find"))

    html = found.content.decode()
    assert found.status_code == 200
    assert "govuk-error-summary" not in html  # nothing is checked but the postcode
    assert "3 addresses found" in html
    assert f'<option value="{acacia[1].uprn}">{acacia[1].single_line}</option>' in html
    assert "Address not listed or no fixed abode" in html
    assert re.search(r'name="forenames" value="Ada"', html)
    assert re.search(r'name="date_of_birth_2"[^>]*value="1985"', html)

    response = agent_client.post(
        REGISTER, answers(token, postcode="KM1 2AB", address=str(acacia[1].uprn), needs="needs_bsl")
    )

    customer = Customer.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("console:customer", args=[customer.reference])
    assert (customer.forenames, customer.surname) == ("Ada", "Lovelace")
    assert customer.date_of_birth == datetime.date(1985, 12, 10)
    assert customer.address == acacia[1]
    assert customer.needs_bsl and not customer.needs_large_print
    assert customer.preferred_channel == "email"
    single_view = agent_client.get(response["Location"]).content.decode()
    assert "govuk-notification-banner--success" in single_view
    assert f"Ms Ada Lovelace registered. Their reference is {customer.reference}" in single_view
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATED, actor=agent, record_id=str(customer.pk)
    ).exists()


@pytest.mark.django_db
def test_address_not_listed_leaves_the_address_empty(agent_client, acacia):
    token = token_of(agent_client.get(REGISTER))

    agent_client.post(REGISTER, answers(token, postcode="KM1 2AB", address="not-listed"))

    assert Customer.objects.get().address is None


@pytest.mark.django_db
def test_a_postcode_not_looked_up_yet_lists_its_addresses_before_saving(agent_client, acacia):
    token = token_of(agent_client.get(REGISTER))

    response = agent_client.post(REGISTER, answers(token, postcode="KM1 2AB"))

    assert response.status_code == 200
    assert "3 addresses found" in response.content.decode()
    assert not Customer.objects.exists()


@pytest.mark.django_db
def test_postcode_problems_are_explained(agent_client, acacia):
    token = token_of(agent_client.get(REGISTER))

    def find(postcode):
        html = agent_client.post(
            REGISTER, answers(token, postcode=postcode, action="find")
        ).content.decode()
        return re.search(r'<a href="#id_postcode">([^<]+)</a>', html).group(1)

    assert find("") == "Enter a postcode"
    assert find("KM1") == "Enter a real postcode"
    assert find("KM9 9ZZ").startswith("No addresses found for KM9 9ZZ.")


@pytest.mark.django_db
def test_mistakes_are_explained_and_nothing_typed_is_lost(agent_client, acacia):
    token = token_of(agent_client.get(REGISTER))
    data = answers(
        token,
        forenames="",
        date_of_birth_0="31",
        date_of_birth_1="2",
        email="not an email",
        phone="call me",
        postcode="KM1 2AB",
        address="",
        interpreter_language="Polish",
        needs=["needs_large_print", "needs_easy_read"],
    )

    response = agent_client.post(REGISTER, data)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Register a customer" in html
    for anchor, message in [
        ("id_forenames", "Enter the customer&#x27;s first names"),
        ("id_date_of_birth_0", "Date of birth must be a real date"),
        ("id_address", "Select the address from the list"),
        ("id_email", "Enter an email address in the correct format, like name@example.com"),
        ("id_phone", "Enter a phone number, like 01632 960 001 or +44 808 157 0192"),
    ]:
        assert f'<a href="#{anchor}">{message}</a>' in html
        assert f'id="{anchor.removesuffix("_0")}_error"' in html
    assert re.search(r'name="surname" value="Lovelace"', html)
    assert re.search(r'name="date_of_birth_0"[^>]*value="31"', html)
    assert re.search(r'name="email" value="not an email"', html)
    assert re.search(r'name="interpreter_language" value="Polish"', html)
    assert re.search(r'value="needs_large_print"[^>]*checked', html)
    assert re.search(r'value="needs_easy_read"[^>]*checked', html)
    assert re.search(r'value="email"[^>]*checked', html)
    assert not Customer.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("day", "month", "year", "message", "marked"),
    [
        ("", "3", "1980", "Date of birth must include a day", ["0"]),
        ("1", "", "", "Date of birth must include a month and year", ["1", "2"]),
        ("1", "3", "80", "Year must include 4 numbers", ["2"]),
        ("1", "13", "1980", "Date of birth must be a real date", ["0", "1", "2"]),
        ("1", "1", "2999", "Date of birth must be in the past", ["0", "1", "2"]),
    ],
)
def test_date_of_birth_errors_follow_gov_uk(agent_client, day, month, year, message, marked):
    token = token_of(agent_client.get(REGISTER))

    response = agent_client.post(
        REGISTER,
        answers(token, date_of_birth_0=day, date_of_birth_1=month, date_of_birth_2=year),
    )

    html = response.content.decode()
    assert f"</span> {message}</p>" in html
    invalid = re.findall(r'govuk-input--error" id="id_date_of_birth_(\d)"', html)
    assert invalid == marked


@pytest.mark.django_db
def test_a_month_may_be_typed_as_a_word(agent_client):
    token = token_of(agent_client.get(REGISTER))

    agent_client.post(REGISTER, answers(token, date_of_birth_1="Dec"))

    assert Customer.objects.get().date_of_birth == datetime.date(1985, 12, 10)


@pytest.mark.django_db
def test_a_likely_duplicate_is_shown_before_registering(agent_client, make_customer, acacia):
    existing = make_customer("Ada", "Lovelace", date_of_birth=datetime.date(1985, 12, 10))
    make_customer("Ada", "Lovelace", date_of_birth=datetime.date(1990, 1, 1))  # another Ada
    token = token_of(agent_client.get(REGISTER))
    data = answers(token)

    warning = agent_client.post(REGISTER, data)

    html = warning.content.decode()
    assert warning.status_code == 200
    assert "Check they are not already registered" in html
    assert f'href="{reverse("console:customer", args=[existing.reference])}"' in html
    assert html.count('<tr class="govuk-table__row">') == 2  # header and the one match
    assert Customer.objects.count() == 2
    assert '<input type="hidden" name="forenames" value="Ada">' in html

    response = agent_client.post(REGISTER, {**data, "different_people": "on"})

    assert response.status_code == 302
    assert Customer.objects.count() == 3


@pytest.mark.django_db
def test_a_duplicate_by_postcode_and_going_back_to_change_the_details(
    agent_client, make_customer, acacia
):
    make_customer("Ada", "Lovelace", address=acacia[0])
    token = token_of(agent_client.get(REGISTER))
    no_birthday = {"date_of_birth_0": "", "date_of_birth_1": "", "date_of_birth_2": ""}
    data = answers(token, postcode="KM1 2AB", address=str(acacia[2].uprn), **no_birthday)

    assert (
        "Check they are not already registered"
        in agent_client.post(REGISTER, data).content.decode()
    )

    back = agent_client.post(REGISTER, {**data, "action": "change"})

    html = back.content.decode()
    assert "govuk-error-summary" not in html
    assert re.search(rf'<option value="{acacia[2].uprn}" selected>', html)
    assert Customer.objects.count() == 1


@pytest.mark.django_db
def test_registering_twice_creates_one_customer(agent_client):
    token = token_of(agent_client.get(REGISTER))

    first = agent_client.post(REGISTER, answers(token))
    second = agent_client.post(REGISTER, answers(token), follow=True)

    assert first.status_code == 302
    assert Customer.objects.count() == 1
    assert second.redirect_chain == [(first["Location"], 302)]
    assert "was registered already" in second.content.decode()


@pytest.mark.django_db
def test_changing_details_is_audited(agent_client, agent, make_customer, acacia):
    customer = make_customer("Ada", "Lovelace", address=acacia[0], needs_large_print=True)
    url = reverse("console:change-customer", args=[customer.reference])
    single_view = agent_client.get(reverse("console:customer", args=[customer.reference]))
    assert f'href="{url}"' in single_view.content.decode()

    form = agent_client.get(url).content.decode()
    assert re.search(r'name="forenames" value="Ada"', form)
    assert re.search(rf'<option value="{acacia[0].uprn}" selected>', form)
    assert re.search(r'value="needs_large_print"[^>]*checked', form)

    response = agent_client.post(
        url,
        answers(
            None,
            title="",
            postcode="KM1 2AB",
            address=str(acacia[2].uprn),
            phone="01632 960001",
            needs="needs_large_print",
        ),
        follow=True,
    )

    customer.refresh_from_db()
    assert response.redirect_chain == [
        (reverse("console:customer", args=[customer.reference]), 302)
    ]
    assert "Details saved" in response.content.decode()
    assert customer.address == acacia[2]
    assert customer.phone == "01632 960001"
    assert customer.needs_large_print
    event = AuditEvent.objects.get(action=AuditAction.UPDATED)
    assert event.actor == agent
    assert event.record_id == str(customer.pk)
    assert set(event.detail["fields"]) == {
        "date_of_birth", "email", "mobile", "preferred_channel", "address", "phone",
    }  # fmt: skip


@pytest.mark.django_db
def test_changing_the_address_by_postcode(agent_client, council, make_customer, acacia):
    elsewhere = AddressFactory(organisation=council, postcode="KM2 9XY", pao_start_number=3)
    customer = make_customer("Ada", "Lovelace", address=acacia[0])
    url = reverse("console:change-customer", args=[customer.reference])

    found = agent_client.post(url, answers(None, postcode="KM2 9XY", action="find"))
    assert "1 address found" in found.content.decode()
    agent_client.post(url, answers(None, postcode="KM2 9XY", address=str(elsewhere.uprn)))

    customer.refresh_from_db()
    assert customer.address == elsewhere


@pytest.fixture
def adviser(council):
    advice = OrganisationFactory(
        name="Citizens Advice Kingsmere",
        slug="ca-kingsmere",
        kind=Organisation.Kind.PARTNER,
        parent=council,
    )
    return MembershipFactory(team=TeamFactory(organisation=advice), role=Role.OFFICER).user


@pytest.mark.django_db
def test_partner_staff_may_not_register_or_change_customers(client, adviser, make_customer):
    customer = make_customer("Ada", "Lovelace")
    add_representative(
        actor=None,
        customer=customer,
        name="Citizens Advice Kingsmere",
        relationship="advice_agency",
        partner_organisation=adviser.memberships.get().organisation,
        consent_given_on=timezone.localdate(),
    )
    client.force_login(adviser)
    change = reverse("console:change-customer", args=[customer.reference])

    assert client.get(REGISTER).status_code == 403
    assert client.post(REGISTER, answers("5b0c3a4e-8f27-4a8e-9d7c-1f2e3d4c5b6a")).status_code == 403
    assert client.get(change).status_code == 403
    assert client.post(change, answers(None, surname="Byron")).status_code == 403
    single_view = client.get(reverse("console:customer", args=[customer.reference]))
    assert single_view.status_code == 200
    assert change not in single_view.content.decode()
    customer.refresh_from_db()
    assert customer.surname == "Lovelace"
    assert Customer.objects.count() == 1


@pytest.mark.django_db
def test_another_councils_customer_is_not_found(agent_client):
    elsewhere = OrganisationFactory(name="Elsewhere", slug="elsewhere")
    theirs = Customer.objects.create(organisation=elsewhere, forenames="Ada", surname="Byron")
    theirs.reference = f"CUS-{theirs.pk:06d}"
    theirs.save(update_fields=["reference"])
    url = reverse("console:change-customer", args=[theirs.reference])

    assert agent_client.get(url).status_code == 404
    assert agent_client.post(url, answers(None, surname="Lovelace")).status_code == 404
    theirs.refresh_from_db()
    assert theirs.surname == "Byron"
