"""The single view's cases, their referrals and the messages sent to the customer."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from civicdesk.cases.referrals import refer_case
from civicdesk.cases.reports import link_report
from civicdesk.cases.services import close_case, raise_case
from civicdesk.catalogue.models import Sensitivity
from civicdesk.notify.models import MessageChannel, MessageEvent
from civicdesk.notify.services import create_template
from civicdesk.organisations.models import Organisation, Role
from civicdesk.organisations.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    TeamFactory,
)

LONDON = ZoneInfo("Europe/London")


@pytest.fixture(autouse=True)
def monday_morning(time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 2, 10, tzinfo=LONDON), tick=False)


@pytest.fixture
def streets_team(council):
    return TeamFactory(organisation=council, name="Street cleansing", slug="street-cleansing")


@pytest.fixture
def fly_tipping(make_service, streets_team):
    return make_service("Fly-tipping", owning_team=streets_team, sla_value=5)


@pytest.fixture
def homelessness(make_service, housing_team):
    return make_service(
        "Homelessness", owning_team=housing_team, sensitivity=Sensitivity.SENSITIVE, sla_value=1
    )


@pytest.fixture
def customer(make_customer):
    return make_customer("Ada", "Okafor", email="ada@example.org")


@pytest.fixture
def partner_team(council):
    partner = OrganisationFactory(
        name="Kingsmere Homes",
        slug="kingsmere-homes",
        kind=Organisation.Kind.PARTNER,
        parent=council,
    )
    return TeamFactory(organisation=partner, name="Tenancy support", slug="tenancy-support")


def raise_for(customer, service, description="Sofa on the pavement", **fields):
    fields.setdefault("location_description", "Outside the library")
    return raise_case(
        actor=None,
        organisation=customer.organisation,
        service=service,
        customer=customer,
        description=description,
        channel="phone",
        **fields,
    )


def single_view(client, customer):
    response = client.get(reverse("console:customer", args=[customer.reference]))
    assert response.status_code == 200
    return response.content.decode()


def cases_section(html):
    return html[html.index('id="cases"') : html.index('id="messages"')]


@pytest.mark.django_db
def test_the_customers_cases_are_listed_with_a_link_to_each(
    agent_client, customer, fly_tipping, council
):
    case = raise_for(customer, fly_tipping)
    finished = raise_for(customer, fly_tipping, "Fridge in the alley")
    close_case(actor=None, case=finished, resolution_code="done", message="Taken away")

    section = cases_section(single_view(agent_client, customer))

    assert f'href="{reverse("console:case", args=[case.reference])}"' in section
    assert section.count("Fly-tipping") == 2
    assert "Street cleansing" in section
    assert "Open" in section and "Closed" in section
    assert "2 Mar 2026" in section  # opened
    assert "9 Mar 2026" in section  # due
    assert "Finished 2 Mar 2026" in section


@pytest.mark.django_db
def test_a_case_the_agent_may_not_see_says_only_which_team_has_it(
    agent_client, customer, homelessness
):
    case = raise_for(customer, homelessness, "Asked to leave by the landlord")

    section = cases_section(single_view(agent_client, customer))

    assert "A case exists with Housing options" in section
    assert "2 Mar 2026" in section
    assert case.reference not in section
    assert "Homelessness" not in section
    assert "Asked to leave" not in section


@pytest.mark.django_db
def test_the_entitled_team_sees_the_sensitive_case_in_full(
    client, housing_officer, customer, homelessness
):
    case = raise_for(customer, homelessness)
    client.force_login(housing_officer)

    section = cases_section(single_view(client, customer))

    assert case.reference in section
    assert "Homelessness" in section
    assert "A case exists" not in section


@pytest.mark.django_db
def test_a_case_the_customer_follows_is_listed_too(
    agent_client, customer, make_customer, fly_tipping
):
    neighbour = make_customer("Ben", "Neighbour")
    case = raise_for(neighbour, fly_tipping)
    link_report(actor=None, case=case, customer=customer)

    section = cases_section(single_view(agent_client, customer))

    assert case.reference in section
    assert "Reported by someone else" in section


@pytest.mark.django_db
def test_the_referrals_of_visible_cases_are_listed(
    client, agent_client, customer, fly_tipping, homelessness, partner_team, streets_team
):
    case = raise_for(customer, fly_tipping)
    referral = refer_case(actor=None, case=case, to_team=partner_team, scope="Clear the garden")
    hidden = raise_for(customer, homelessness)
    refer_case(actor=None, case=hidden, to_team=partner_team, scope="Find a room")

    section = cases_section(single_view(agent_client, customer))

    assert "Referrals" in section
    assert "Tenancy support" in section and "Kingsmere Homes" in section
    assert "Waiting to be acknowledged" in section
    assert section.count("Tenancy support") == 1  # not the sensitive case's referral
    # The agent cannot open it; the team working the case can.
    assert f'href="/staff/referrals/{referral.pk}/"' not in section
    client.force_login(MembershipFactory(team=streets_team, role=Role.OFFICER).user)
    assert f'href="/staff/referrals/{referral.pk}/"' in cases_section(single_view(client, customer))


@pytest.mark.django_db
def test_no_cases_says_so(agent_client, customer):
    assert "No cases." in cases_section(single_view(agent_client, customer))


@pytest.fixture
def acknowledgements(council):
    create_template(
        actor=None,
        organisation=council,
        event=MessageEvent.ACKNOWLEDGEMENT,
        channel=MessageChannel.EMAIL,
        subject="We have your request ((reference))",
        body="Dear ((name)), we have your ((service)) request.",
    )


@pytest.mark.django_db
def test_the_latest_ten_messages_sent_are_shown(
    agent_client, customer, fly_tipping, acknowledgements
):
    for number in range(12):
        raise_for(customer, fly_tipping, f"Report {number}")

    html = single_view(agent_client, customer)

    messages = html[html.index('id="messages"') : html.index('id="contacts"')]
    assert messages.count("Request received") == 10
    assert "ada@example.org" in messages


@pytest.mark.django_db
@pytest.mark.parametrize("cases", [2, 12])
def test_the_single_view_reads_a_bounded_number_of_times(
    agent_client,
    customer,
    fly_tipping,
    homelessness,
    partner_team,
    acknowledgements,
    django_assert_max_num_queries,
    cases,
):
    for number in range(cases):
        case = raise_for(customer, homelessness if number % 3 == 0 else fly_tipping)
        refer_case(actor=None, case=case, to_team=partner_team, scope=f"Help {number}")

    with django_assert_max_num_queries(20):
        html = single_view(agent_client, customer)

    assert len(re.findall(r"A case exists with", html)) == (cases + 2) // 3
