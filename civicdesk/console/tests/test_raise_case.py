"""Raising a case from the agent's desktop: one step from a logged contact, by postcode or at
no fixed address, once however often the form is sent; spotting repeat reports; chasing."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from civicdesk.cases.models import Case, EventKind
from civicdesk.cases.services import raise_case
from civicdesk.catalogue.models import Sensitivity
from civicdesk.contacts.models import AvoidableReason, Contact, Outcome
from civicdesk.contacts.services import log_contact
from civicdesk.core.tests.browser import sign_in_staff
from civicdesk.organisations.models import Organisation, Role
from civicdesk.organisations.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    TeamFactory,
)
from civicdesk.places.tests.factories import AddressFactory, StreetFactory, WardFactory

LONDON = ZoneInfo("Europe/London")


@pytest.fixture(autouse=True)
def monday_morning(request, time_machine):
    """Monday 2 March 2026, 10:00: five working days on ends at 17:00 on Monday 9 March.

    Browser tests keep the real clock: Playwright's own timeouts need it to move.
    """
    if request.node.get_closest_marker("browser") is None:
        time_machine.move_to(datetime.datetime(2026, 3, 2, 10, tzinfo=LONDON), tick=False)


@pytest.fixture
def streets_team(council):
    return TeamFactory(organisation=council, name="Street cleansing", slug="street-cleansing")


@pytest.fixture
def fly_tipping(make_service, streets_team):
    return make_service("Fly-tipping", owning_team=streets_team, sla_value=5)


@pytest.fixture
def acacia(council):
    """Three houses in KM1 2AB, 20 metres or so apart."""
    street = StreetFactory(organisation=council, name="Acacia Avenue")
    ward = WardFactory(organisation=council, name="Riverside")
    return [
        AddressFactory(
            organisation=council,
            street=street,
            ward=ward,
            postcode="KM1 2AB",
            pao_start_number=number,
            latitude=f"{51.5 + index * 0.0002:.6f}",
            longitude="-0.100000",
        )
        for index, number in enumerate((12, 14, 16))
    ]


@pytest.fixture
def customer(make_customer, acacia):
    return make_customer("Ada", "Okafor", address=acacia[0], email="ada@example.org")


def form_url(customer, service, contact=None):
    url = reverse("console:raise-case-for-customer-details", args=[customer.reference, service.pk])
    return f"{url}?contact={contact.pk}" if contact else url


def carried_by(response):
    """The answers the possible-duplicates page carries in hidden fields."""
    pattern = r'<input type="hidden" name="([^"]+)" value="([^"]*)"'
    return dict(re.findall(pattern, response.content.decode()))


def token_of(response):
    return re.search(r'name="form_token" value="([^"]+)"', response.content.decode()).group(1)


def answers(response, **fields):
    """The form's own values (token, postcode found) with the agent's answers."""
    data = {"form_token": token_of(response), "priority": "normal", "channel": "phone"}
    html = response.content.decode()
    if found := re.search(r'name="found_postcode" value="([^"]*)"', html):
        data["found_postcode"] = found.group(1)
    data.update(fields)
    return data


# One step from a logged contact


@pytest.mark.django_db
def test_saving_a_contact_with_a_case_raised_opens_the_case_form_for_it(
    agent_client, customer, fly_tipping
):
    url = reverse("console:log-contact-details", args=[customer.reference, fly_tipping.pk])
    form = agent_client.get(url)

    response = agent_client.post(
        url,
        {"form_token": token_of(form), "channel": "face_to_face", "outcome": Outcome.CASE_RAISED},
    )

    contact = Contact.objects.get()
    assert response.status_code == 302
    assert response["Location"] == form_url(customer, fly_tipping, contact)
    page = agent_client.get(response["Location"])
    html = page.content.decode()
    assert "Contact saved. Now raise the case." in html
    assert "Fly-tipping" in html
    assert "Face to face" in html  # the contact's channel, not asked again
    assert 'name="channel"' not in html
    assert re.search(r'value="customer"[^>]* checked', html), "their address is preselected"
    assert "12 Acacia Avenue" in html


@pytest.mark.django_db
def test_a_repeated_contact_submission_still_leads_to_the_case_form(
    agent_client, customer, fly_tipping
):
    url = reverse("console:log-contact-details", args=[customer.reference, fly_tipping.pk])
    data = {
        "form_token": token_of(agent_client.get(url)),
        "channel": "phone",
        "outcome": Outcome.CASE_RAISED,
    }
    first = agent_client.post(url, data)
    second = agent_client.post(url, data)

    assert Contact.objects.count() == 1
    assert second["Location"] == first["Location"]


@pytest.mark.django_db
def test_a_contact_about_no_service_asks_for_the_service_first(agent_client, customer):
    url = reverse("console:log-contact-general", args=[customer.reference])
    response = agent_client.post(
        url,
        {
            "form_token": token_of(agent_client.get(url)),
            "channel": "phone",
            "outcome": Outcome.CASE_RAISED,
        },
    )

    contact = Contact.objects.get()
    choose = reverse("console:raise-case-for-customer", args=[customer.reference])
    assert response["Location"] == f"{choose}?contact={contact.pk}"


@pytest.mark.django_db
def test_an_anonymous_contact_leads_to_an_anonymous_case(agent_client, fly_tipping):
    url = reverse("console:log-anonymous-contact-details", args=[fly_tipping.pk])
    response = agent_client.post(
        url,
        {
            "form_token": token_of(agent_client.get(url)),
            "channel": "phone",
            "outcome": Outcome.CASE_RAISED,
        },
    )

    contact = Contact.objects.get()
    expected = reverse("console:raise-case-details", args=[fly_tipping.pk])
    assert response["Location"] == f"{expected}?contact={contact.pk}"


@pytest.mark.django_db
def test_other_outcomes_go_back_to_the_single_view(agent_client, customer, fly_tipping):
    url = reverse("console:log-contact-details", args=[customer.reference, fly_tipping.pk])
    response = agent_client.post(
        url,
        {"form_token": token_of(agent_client.get(url)), "channel": "phone", "outcome": "resolved"},
    )

    assert response["Location"] == reverse("console:customer", args=[customer.reference])


# Raising from the single view


@pytest.mark.django_db
def test_the_single_view_offers_to_raise_a_case_after_choosing_the_service(
    agent_client, customer, fly_tipping
):
    single_view = agent_client.get(reverse("console:customer", args=[customer.reference]))
    choose = reverse("console:raise-case-for-customer", args=[customer.reference])
    assert f'href="{choose}"' in single_view.content.decode()

    page = agent_client.get(choose)
    assert "What is the case about?" in page.content.decode()
    response = agent_client.get(choose, {"service": fly_tipping.pk})

    assert response["Location"] == form_url(customer, fly_tipping)


@pytest.mark.django_db
def test_a_case_is_raised_at_the_customers_address_and_the_reference_read_out(
    agent_client, agent, customer, fly_tipping, streets_team, acacia
):
    form = agent_client.get(form_url(customer, fly_tipping))
    assert "How did they get in touch?" in form.content.decode()

    response = agent_client.post(
        form_url(customer, fly_tipping),
        answers(
            form,
            location="customer",
            description="Sofa dumped on the pavement",
            priority="high",
            channel="phone",
        ),
    )

    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("console:case", args=[case.reference])
    assert case.customer == customer
    assert case.address == acacia[0]
    assert case.team == streets_team
    assert case.priority == "high"
    assert case.channel == "phone"
    assert case.raised_by == agent
    assert case.description == "Sofa dumped on the pavement"
    banner = agent_client.get(response["Location"]).content.decode()
    assert (
        f"Case raised. The reference is {case.reference}: read it out to the caller. "
        "It is due to be resolved by 17:00 on 9 March 2026." in banner
    )


@pytest.mark.django_db
def test_a_double_submission_raises_one_case(agent_client, customer, fly_tipping):
    form = agent_client.get(form_url(customer, fly_tipping))
    data = answers(form, location="customer", description="Mattress by the bins")

    first = agent_client.post(form_url(customer, fly_tipping), data)
    second = agent_client.post(form_url(customer, fly_tipping), data)

    assert Case.objects.count() == 1
    assert second["Location"] == first["Location"]
    following = agent_client.get(second["Location"]).content.decode()
    assert "That case was raised already, so it was not raised again." in following


@pytest.mark.django_db
def test_a_case_raised_from_a_contact_keeps_the_contact_and_its_channel(
    agent_client, agent, customer, fly_tipping
):
    contact = log_contact(
        actor=agent,
        organisation=customer.organisation,
        customer=customer,
        service=fly_tipping,
        channel="email",
        outcome=Outcome.CASE_RAISED,
    )
    url = form_url(customer, fly_tipping, contact)
    form = agent_client.get(url)

    agent_client.post(url, answers(form, location="customer", description="Fridge in the alley"))

    case = Case.objects.get()
    assert case.source_contact == contact
    assert case.channel == "email"
    assert case.events.get(kind=EventKind.RAISED).contact == contact


@pytest.mark.django_db
def test_someone_elses_contact_cannot_be_used(agent_client, agent, customer, fly_tipping):
    other = log_contact(
        actor=agent,
        organisation=customer.organisation,
        channel="phone",
        outcome=Outcome.CASE_RAISED,
    )

    response = agent_client.get(form_url(customer, fly_tipping, other))

    assert response.status_code == 404


@pytest.mark.django_db
def test_find_address_looks_the_postcode_up_without_losing_the_contact(
    agent_client, agent, customer, fly_tipping, acacia
):
    contact = log_contact(
        actor=agent,
        organisation=customer.organisation,
        customer=customer,
        service=fly_tipping,
        channel="phone",
        outcome=Outcome.CASE_RAISED,
    )
    url = form_url(customer, fly_tipping, contact)

    found = agent_client.get(url, {"postcode": "km12ab", "contact": contact.pk})

    html = found.content.decode()
    assert "3 addresses found" in html
    assert "16 Acacia Avenue" in html
    assert re.search(r'value="address"[^>]* checked', html)
    assert 'name="found_postcode" value="KM1 2AB"' in html
    response = agent_client.post(
        f"{url}&postcode=km12ab",
        answers(
            found,
            location="address",
            address=str(acacia[2].uprn),
            description="Builders' rubble outside number 16",
        ),
    )

    case = Case.objects.get()
    assert response.status_code == 302
    assert case.address == acacia[2]
    assert case.source_contact == contact


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("postcode", "message"),
    [
        ("", "Enter a postcode"),
        ("not a postcode", "Enter a real postcode"),
        ("KM9 9ZZ", "No addresses found for KM9 9ZZ. Check the postcode."),
    ],
)
def test_a_postcode_that_finds_nothing_says_so(
    agent_client, customer, fly_tipping, postcode, message
):
    response = agent_client.get(form_url(customer, fly_tipping), {"postcode": postcode})

    html = response.content.decode()
    assert "There is a problem" in html
    assert message in html
    assert 'href="#postcode"' in html


@pytest.mark.django_db
def test_another_address_must_be_looked_up_and_chosen(agent_client, customer, fly_tipping):
    form = agent_client.get(form_url(customer, fly_tipping))
    response = agent_client.post(
        form_url(customer, fly_tipping),
        answers(form, location="address", description="Tyres"),
    )
    assert "Find the address by its postcode" in response.content.decode()

    found = agent_client.get(form_url(customer, fly_tipping), {"postcode": "KM1 2AB"})
    response = agent_client.post(
        form_url(customer, fly_tipping), answers(found, location="address", description="Tyres")
    )
    assert "Select the address from the list" in response.content.decode()
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_a_case_at_no_fixed_address_needs_the_place_described(agent_client, customer, fly_tipping):
    form = agent_client.get(form_url(customer, fly_tipping))
    url = form_url(customer, fly_tipping)

    missing = agent_client.post(url, answers(form, location="none", description=""))
    html = missing.content.decode()
    assert "Describe the problem" in html
    assert "Describe the place" in html
    half = agent_client.post(
        url,
        answers(
            form, location="none", description="Bags", location_description="Park", latitude="51.5"
        ),
    )
    assert "Enter both latitude and longitude, or neither" in half.content.decode()
    assert not Case.objects.exists()

    agent_client.post(
        url,
        answers(
            form,
            location="none",
            description="Bags of garden waste",
            location_description="Footpath behind the library, by lamp post 14",
            latitude="51.5013",
            longitude="-0.1002",
        ),
    )

    case = Case.objects.get()
    assert case.address is None
    assert case.location_description == "Footpath behind the library, by lamp post 14"
    assert (case.latitude, case.longitude) == (51.5013, -0.1002)


@pytest.mark.django_db
def test_a_caller_who_gives_no_name_gets_a_case_too(agent_client, fly_tipping, acacia):
    url = reverse("console:raise-case-details", args=[fly_tipping.pk])
    form = agent_client.get(url)
    assert 'value="customer"' not in form.content.decode()
    assert "No customer" in form.content.decode()

    agent_client.post(
        url,
        answers(
            form,
            location="none",
            description="Dumped trolleys",
            location_description="Canal towpath",
        ),
    )

    assert Case.objects.get().customer is None


@pytest.mark.django_db
def test_an_expired_form_is_shown_again_not_saved(agent_client, customer, fly_tipping):
    form = agent_client.get(form_url(customer, fly_tipping))
    data = answers(form, location="customer", description="Sofa")
    data["form_token"] = "8b4f4c2e-4a4c-4b55-9f0f-3f3f7c1c0d11"

    response = agent_client.post(form_url(customer, fly_tipping), data)

    assert response.status_code == 200
    assert "The form had expired, so the case was not raised." in response.content.decode()
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_a_sensitive_case_is_raised_but_its_page_is_not_the_agents(
    agent_client, customer, make_service, council
):
    housing = TeamFactory(organisation=council, name="Housing options", slug="housing-options")
    homelessness = make_service(
        "Homelessness", owning_team=housing, sensitivity=Sensitivity.SENSITIVE, sla_value=1
    )
    form = agent_client.get(form_url(customer, homelessness))

    response = agent_client.post(
        form_url(customer, homelessness),
        answers(form, location="customer", description="Asked to leave by the landlord"),
    )

    case = Case.objects.get()
    assert response["Location"] == reverse("console:customer", args=[customer.reference])
    page = agent_client.get(response["Location"]).content.decode()
    assert case.reference in page  # in the banner, to read out
    assert agent_client.get(reverse("console:case", args=[case.reference])).status_code == 404


@pytest.mark.django_db
def test_partner_staff_cannot_raise_cases(client, council, customer, fly_tipping):
    partner = OrganisationFactory(
        name="Citizens Advice",
        slug="citizens-advice",
        kind=Organisation.Kind.PARTNER,
        parent=council,
    )
    adviser = MembershipFactory(team=TeamFactory(organisation=partner), role=Role.OFFICER).user
    client.force_login(adviser)

    assert (
        client.get(reverse("console:raise-case-details", args=[fly_tipping.pk])).status_code == 403
    )
    assert client.get(reverse("console:raise-case")).status_code == 403


# Possible duplicates


@pytest.fixture
def reported(council, fly_tipping, acacia):
    """Fly-tipping already reported outside number 12 yesterday."""
    return raise_case(
        actor=None,
        organisation=council,
        service=fly_tipping,
        description="Mattress and bags outside number 12",
        channel="web",
        address=acacia[0],
    )


@pytest.mark.django_db
def test_an_open_case_at_the_same_address_is_shown_before_raising(
    agent_client, customer, fly_tipping, reported
):
    form = agent_client.get(form_url(customer, fly_tipping))

    response = agent_client.post(
        form_url(customer, fly_tipping),
        answers(form, location="customer", description="Mattress dumped"),
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Check it has not already been reported" in html
    assert reported.reference in html
    assert "12 Acacia Avenue" in html
    assert "Same address" in html
    assert "Open" in html
    assert f'name="link_to" value="{reported.reference}"' in html
    assert "Add this report to" in html
    assert "Raise a new case anyway" in html
    assert Case.objects.count() == 1


@pytest.mark.django_db
def test_the_report_can_be_added_to_the_open_case(
    agent_client, agent, customer, fly_tipping, reported
):
    contact = log_contact(
        actor=agent,
        organisation=customer.organisation,
        customer=customer,
        service=fly_tipping,
        channel="phone",
        outcome=Outcome.CASE_RAISED,
    )
    url = form_url(customer, fly_tipping, contact)
    data = answers(agent_client.get(url), location="customer", description="Mattress dumped")
    duplicates = agent_client.post(url, data)
    carried = carried_by(duplicates)

    response = agent_client.post(url, {**carried, "link_to": reported.reference})

    assert Case.objects.count() == 1
    reported.refresh_from_db()
    assert reported.linked_report_count == 1
    assert list(reported.followers.all()) == [customer]
    linked = reported.events.get(kind=EventKind.DUPLICATE_LINKED)
    assert linked.contact == contact
    assert linked.text == "Mattress dumped"
    assert response["Location"] == reverse("console:case", args=[reported.reference])
    banner = agent_client.get(response["Location"]).content.decode()
    assert f"Report added to case {reported.reference}. Give the caller this reference." in banner
    # Sent again, it adds nothing more.
    again = agent_client.post(url, {**carried, "link_to": reported.reference})
    assert again["Location"] == response["Location"]
    reported.refresh_from_db()
    assert reported.linked_report_count == 1


@pytest.mark.django_db
def test_a_new_case_can_be_raised_anyway(agent_client, customer, fly_tipping, reported):
    url = form_url(customer, fly_tipping)
    data = answers(agent_client.get(url), location="customer", description="A different sofa")
    duplicates = agent_client.post(url, data)
    carried = carried_by(duplicates)

    response = agent_client.post(url, {**carried, "confirmed": "on"})

    new = Case.objects.exclude(pk=reported.pk).get()
    assert new.description == "A different sofa"
    assert response["Location"] == reverse("console:case", args=[new.reference])
    reported.refresh_from_db()
    assert reported.linked_report_count == 0


@pytest.mark.django_db
def test_the_agent_can_go_back_and_change_the_answers(
    agent_client, customer, fly_tipping, reported
):
    url = form_url(customer, fly_tipping)
    data = answers(agent_client.get(url), location="customer", description="Sofa and chairs")
    duplicates = agent_client.post(url, data)
    carried = carried_by(duplicates)

    response = agent_client.post(url, {**carried, "action": "change"})

    html = response.content.decode()
    assert "Sofa and chairs" in html
    assert "There is a problem" not in html
    assert Case.objects.count() == 1


@pytest.mark.django_db
def test_a_case_nearby_without_an_address_is_shown_with_its_distance(
    agent_client, council, customer, fly_tipping
):
    nearby = raise_case(
        actor=None,
        organisation=council,
        service=fly_tipping,
        description="Bags in the park",
        channel="web",
        location_description="Park gates",
        latitude=51.5,
        longitude=-0.1,
    )
    raise_case(  # too far away to be the same thing
        actor=None,
        organisation=council,
        service=fly_tipping,
        description="Bags by the station",
        channel="web",
        location_description="Station car park",
        latitude=51.51,
        longitude=-0.1,
    )
    url = form_url(customer, fly_tipping)
    data = answers(
        agent_client.get(url),
        location="none",
        description="Bags",
        location_description="Just inside the park gates",
        latitude="51.5002",
        longitude="-0.1",
    )

    html = agent_client.post(url, data).content.decode()

    assert nearby.reference in html
    assert "About 25 metres away" in html
    assert "Station car park" not in html


@pytest.mark.django_db
def test_cases_the_agent_may_not_see_are_not_offered(
    agent_client, council, customer, acacia, make_service
):
    housing = TeamFactory(organisation=council, name="Housing options", slug="housing-options")
    homelessness = make_service(
        "Homelessness", owning_team=housing, sensitivity=Sensitivity.SENSITIVE
    )
    raise_case(
        actor=None,
        organisation=council,
        service=homelessness,
        description="Sleeping in the porch",
        channel="phone",
        address=acacia[0],
    )
    url = form_url(customer, homelessness)
    data = answers(agent_client.get(url), location="customer", description="Rough sleeper")

    response = agent_client.post(url, data)

    assert response.status_code == 302
    assert Case.objects.count() == 2


# Chasing


@pytest.mark.django_db
def test_a_chase_is_logged_on_the_case_once(agent_client, agent, council, customer, fly_tipping):
    case = raise_case(
        actor=None,
        organisation=council,
        service=fly_tipping,
        customer=customer,
        description="Sofa on the verge",
        channel="phone",
        address=customer.address,
    )
    url = reverse("console:chase-case", args=[case.reference])
    form = agent_client.get(url)
    html = form.content.decode()
    assert "Log a chase" in html
    assert "Sofa on the verge" in html
    assert "17:00 on 9 March 2026" in html
    data = {"form_token": token_of(form), "channel": "phone", "notes": "Asked when it will go"}

    response = agent_client.post(url, data)
    agent_client.post(url, data)

    case.refresh_from_db()
    assert case.chase_count == 1
    contact = Contact.objects.get()
    assert contact.customer == customer
    assert contact.avoidable_reason == AvoidableReason.CHASING
    assert contact.agent == agent
    assert case.events.get(kind=EventKind.CHASED).text == "Asked when it will go"
    assert response["Location"] == reverse("console:case", args=[case.reference])
    banner = agent_client.get(response["Location"]).content.decode()
    assert "Chase logged. It is due to be resolved by 17:00 on 9 March 2026." in banner


@pytest.mark.django_db
def test_a_chase_needs_the_channel(agent_client, council, fly_tipping):
    case = raise_case(
        actor=None,
        organisation=council,
        service=fly_tipping,
        description="Sofa",
        channel="phone",
        location_description="Verge",
    )
    url = reverse("console:chase-case", args=[case.reference])

    response = agent_client.post(url, {"form_token": token_of(agent_client.get(url))})

    assert "Choose how they got in touch" in response.content.decode()
    case.refresh_from_db()
    assert case.chase_count == 0


@pytest.mark.django_db
def test_only_staff_who_may_see_the_case_chase_it(client, agent_client, council, make_service):
    housing = TeamFactory(organisation=council, name="Housing options", slug="housing-options")
    homelessness = make_service("Homelessness", owning_team=housing, sensitivity="sensitive")
    case = raise_case(
        actor=None,
        organisation=council,
        service=homelessness,
        description="Sofa surfing",
        channel="phone",
        location_description="No fixed abode",
    )
    url = reverse("console:chase-case", args=[case.reference])
    assert agent_client.get(url).status_code == 404

    partner = OrganisationFactory(
        name="Citizens Advice",
        slug="citizens-advice",
        kind=Organisation.Kind.PARTNER,
        parent=council,
    )
    adviser = MembershipFactory(team=TeamFactory(organisation=partner), role=Role.OFFICER).user
    client.force_login(adviser)
    assert client.get(url).status_code == 404

    officer = MembershipFactory(team=housing, role=Role.OFFICER).user
    client.force_login(officer)
    assert client.get(url).status_code == 200


# In a browser, at a desktop's width and a phone's


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.browser
def test_an_agent_raises_a_case_checks_for_repeats_and_logs_a_chase(
    live_server, page, check_page, agent, council, customer, fly_tipping, acacia, width
):
    earlier = raise_case(
        actor=None,
        organisation=council,
        service=fly_tipping,
        customer=customer,
        description="Mattress and bags left outside number 12",
        channel="web",
        address=acacia[0],
    )
    page.set_viewport_size({"width": width, "height": 900})
    sign_in_staff(page, live_server, agent)

    page.goto(f"{live_server.url}/staff/customers/{customer.reference}/")
    check_page(page, "single-view")
    assert page.get_by_role("link", name=earlier.reference).is_visible()
    page.get_by_role("button", name="Raise a case").click()
    page.wait_for_url(re.compile(r"/cases/new/$"))
    check_page(page, "choose-service")

    page.get_by_label("Service", exact=True).select_option(label="Fly-tipping")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/cases/new/\d+/$"))
    check_page(page, "form")
    assert page.get_by_label("12 Acacia Avenue").is_checked()

    page.get_by_label("Another address").check()
    page.get_by_label("Postcode").fill("km1 2ab")
    page.get_by_role("button", name="Find address").click()
    page.wait_for_url(re.compile(r"postcode=km1"))
    check_page(page, "addresses-found")
    assert page.get_by_label("Another address").is_checked()

    page.get_by_label("Address", exact=True).select_option(
        label="14 Acacia Avenue, Kingsmere, KM1 2AB"
    )
    page.get_by_label("What is the problem?").fill("Sofa and a fridge on the pavement")
    page.get_by_label("High").check()
    page.get_by_role("button", name="Raise case").click()
    page.wait_for_load_state("load")
    check_page(page, "possible-repeat")
    assert page.get_by_text("About 25 metres away").is_visible()

    page.get_by_role("button", name="Raise a new case anyway").click()
    page.wait_for_url(re.compile(r"/staff/cases/CAS-[^/]+/$"))
    case = Case.objects.exclude(pk=earlier.pk).get()
    banner = page.locator(".govuk-notification-banner--success").inner_text()
    assert f"The reference is {case.reference}: read it out to the caller." in banner
    assert case.address == acacia[1] and case.priority == "high"

    page.goto(f"{live_server.url}/staff/cases/{case.reference}/chase/")
    check_page(page, "chase")
    page.get_by_label("Notes (optional)").fill("Asked when the sofa will be collected")
    page.get_by_role("button", name="Log chase").click()
    page.wait_for_url(re.compile(rf"/staff/cases/{re.escape(case.reference)}/$"))
    assert "Chase logged." in page.locator(".govuk-notification-banner--success").inner_text()

    page.goto(f"{live_server.url}/staff/customers/{customer.reference}/")
    check_page(page, "single-view-after")
    assert page.get_by_role("link", name=case.reference).is_visible()
