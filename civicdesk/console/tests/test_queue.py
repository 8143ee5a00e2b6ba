"""The back office's queues: a team's open cases, filters, sorting, pages and bulk assignment."""

import datetime
import re
import uuid
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from civicdesk.cases.escalation import sweep
from civicdesk.cases.models import Case, CaseStatus
from civicdesk.cases.referrals import refer_case
from civicdesk.cases.services import assign_case, change_status, close_case, raise_case
from civicdesk.catalogue.services import create_service
from civicdesk.organisations.models import Role
from civicdesk.organisations.tests.factories import MembershipFactory, TeamFactory, UserFactory
from civicdesk.places.tests.factories import AddressFactory, StreetFactory, WardFactory

LONDON = ZoneInfo("Europe/London")
MONDAY_MORNING = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=LONDON)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def monday(time_machine: Any) -> datetime.datetime:
    """Monday 2 March 2026, 10:00: an ordinary working morning, with time standing still."""
    time_machine.move_to(MONDAY_MORNING, tick=False)
    return MONDAY_MORNING


@pytest.fixture
def streets(council):
    return TeamFactory(organisation=council, name="Street cleansing", slug="street-cleansing")


@pytest.fixture
def leader(streets):
    return MembershipFactory(
        team=streets, role=Role.TEAM_LEADER, user=UserFactory(first_name="Lena", last_name="Lead")
    ).user


@pytest.fixture
def officer(streets):
    return MembershipFactory(
        team=streets, role=Role.OFFICER, user=UserFactory(first_name="Omar", last_name="Officer")
    ).user


@pytest.fixture
def colleague(streets):
    return MembershipFactory(
        team=streets, role=Role.OFFICER, user=UserFactory(first_name="Cara", last_name="Colleague")
    ).user


@pytest.fixture
def fly_tipping(council, streets):
    """Resolved within 4 working hours: a case raised now is due soon."""
    return create_service(
        actor=None,
        organisation=council,
        name="Fly-tipping",
        owning_team=streets,
        sla_value=4,
        sla_unit="working_hours",
    )


@pytest.fixture
def graffiti(council, streets):
    return create_service(
        actor=None, organisation=council, name="Graffiti", owning_team=streets, sla_value=10
    )


@pytest.fixture
def riverside(council):
    return WardFactory(organisation=council, name="Riverside")


@pytest.fixture
def hilltop(council):
    return WardFactory(organisation=council, name="Hilltop")


@pytest.fixture
def place(council):
    """An address in a ward: `place(ward)`."""
    street = StreetFactory(organisation=council, name="Acacia Avenue")

    def make(ward, number=1):
        return AddressFactory(
            organisation=council, street=street, ward=ward, pao_start_number=number
        )

    return make


@pytest.fixture
def raise_(council, graffiti):
    def make(**fields):
        fields.setdefault("actor", None)
        fields.setdefault("organisation", council)
        fields.setdefault("service", graffiti)
        fields.setdefault("description", "Tags sprayed on the bus shelter")
        fields.setdefault("channel", "phone")
        return raise_case(**fields)

    return make


def queue_url(team, **query):
    path = reverse("console:queue", args=[team.slug])
    return path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def references(html: str) -> list[str]:
    """The case references in the queue table, top to bottom."""
    table = html[html.index('id="queue-caption"') :]
    table = table[: table.index("</table>")]
    return re.findall(r'href="/staff/cases/([^/]+)/"', table)


def signed_in(client, user):
    client.force_login(user)
    return client


# The list of queues


def test_one_queue_goes_straight_to_it(client, officer, streets):
    response = signed_in(client, officer).get(reverse("console:queues"))

    assert response.status_code == 302
    assert response["Location"] == queue_url(streets)


def test_a_manager_chooses_among_the_councils_queues(client, council, streets):
    TeamFactory(organisation=council, name="Parks", slug="parks")
    manager = MembershipFactory(team=streets, role=Role.MANAGER).user

    html = signed_in(client, manager).get(reverse("console:queues")).content.decode()

    assert f'href="{queue_url(streets)}"' in html
    assert 'href="/staff/queues/parks/"' in html


def test_an_agent_has_no_queue_and_no_queues_link(client, agent):
    response = signed_in(client, agent).get(reverse("console:queues"))

    assert response.status_code == 200
    assert "you have no queue" in response.content.decode()
    home = client.get(reverse("console:home")).content.decode()
    assert 'href="/staff/queues/"' not in home


def test_the_queues_link_shows_for_back_office_staff(client, officer):
    home = signed_in(client, officer).get(reverse("console:home")).content.decode()

    assert 'href="/staff/queues/"' in home


def test_another_teams_queue_is_not_found(client, council, officer):
    TeamFactory(organisation=council, name="Parks", slug="parks")

    response = signed_in(client, officer).get("/staff/queues/parks/")

    assert response.status_code == 404


# What a row shows


def test_a_row_shows_what_an_officer_needs(client, officer, customer_at, raise_, riverside, place):
    case = raise_(customer=customer_at, address=place(riverside, 12), priority="high")
    anonymous = raise_(location_description="Underpass by the canal")
    assign_case(actor=None, case=case, assignee=officer)

    html = signed_in(client, officer).get(queue_url(officer_team(officer))).content.decode()

    row = html[html.index(case.reference) :]
    row = row[: row.index("</tr>")]
    assert "Graffiti" in row
    assert "12 Acacia Avenue" in row
    assert "Riverside ward" in row
    assert "Ada Okafor" in row
    assert "High" in row
    assert "Assigned" in row and "govuk-tag--teal" in row
    assert "Omar Officer" in row
    assert "2 Mar 2026" in row  # opened
    other = html[html.index(anonymous.reference) :]
    other = other[: other.index("</tr>")]
    assert "Underpass by the canal" in other
    assert "Anonymous" in other
    assert "Nobody" in other


def officer_team(user):
    return user.memberships.get().team


@pytest.fixture
def customer_at(make_customer):
    return make_customer(forenames="Ada", surname="Okafor")


def test_due_soon_missed_and_paused_are_marked(client, officer, raise_, fly_tipping, monday):
    soon = raise_(service=fly_tipping)
    missed = raise_(opened_at=monday - datetime.timedelta(days=21))
    paused = raise_()
    change_status(actor=None, case=paused, status=CaseStatus.WAITING_CUSTOMER)
    later = raise_()

    html = signed_in(client, officer).get(queue_url(officer_team(officer))).content.decode()

    def row(case):
        start = html.index(f">{case.reference}<")
        return html[start : html.index("</tr>", start)]

    assert "Due soon" in row(soon)
    assert "Missed" in row(missed) and "govuk-tag--red" in row(missed)
    assert "Paused" in row(paused)
    assert not re.search("Due soon|Missed|Paused", row(later))


# Filters and sorting


def test_filters(
    client, officer, colleague, raise_, fly_tipping, graffiti, riverside, hilltop, place, monday
):
    mine = raise_(address=place(riverside, 1))
    theirs = raise_(address=place(hilltop, 2), service=fly_tipping)
    nobodys = raise_(address=place(hilltop, 3))
    late = raise_(opened_at=monday - datetime.timedelta(days=21))
    done = raise_()
    assign_case(actor=None, case=mine, assignee=officer)
    assign_case(actor=None, case=theirs, assignee=colleague)
    change_status(actor=None, case=theirs, status=CaseStatus.IN_PROGRESS)
    close_case(actor=None, case=done, resolution_code="done", message="Cleaned off")
    sweep(now=monday)
    team = officer_team(officer)
    signed_in(client, officer)

    def shown(**query):
        return set(references(client.get(queue_url(team, **query)).content.decode()))

    open_cases = {mine.reference, theirs.reference, nobodys.reference, late.reference}
    assert shown() == open_cases
    assert shown(include_closed="on") == open_cases | {done.reference}
    assert shown(status="in_progress") == {theirs.reference}
    assert shown(status="closed") == {done.reference}
    assert shown(due="soon") == {theirs.reference}
    assert shown(due="breached") == {late.reference}
    assert shown(ward=riverside.pk) == {mine.reference}
    assert shown(service=fly_tipping.pk) == {theirs.reference}
    assert shown(assignee="me") == {mine.reference}
    assert shown(assignee="nobody") == {nobodys.reference, late.reference}
    assert shown(assignee=colleague.pk) == {theirs.reference}
    assert shown(ward=hilltop.pk, assignee="nobody") == {nobodys.reference}
    # Nonsense in the query string shows the whole queue rather than an error.
    assert shown(ward="not-a-ward") == open_cases


def test_filters_that_match_nothing_say_so(client, officer, raise_):
    raise_()

    html = signed_in(client, officer).get(queue_url(officer_team(officer), status="resolved"))

    assert "No cases match those filters." in html.content.decode()


def test_sorting(client, officer, raise_, fly_tipping, monday):
    oldest = raise_(opened_at=monday - datetime.timedelta(days=3))
    urgent = raise_(priority="urgent", opened_at=monday - datetime.timedelta(days=2))
    soonest = raise_(
        service=fly_tipping, priority="low", opened_at=monday - datetime.timedelta(hours=1)
    )
    newest = raise_()
    team = officer_team(officer)
    signed_in(client, officer)

    def order(sort=None):
        query = {"sort": sort} if sort else {}
        return references(client.get(queue_url(team, **query)).content.decode())

    assert order() == order("due")
    assert order()[0] == soonest.reference
    assert order()[-1] == newest.reference
    assert order("opened") == [
        newest.reference, soonest.reference, urgent.reference, oldest.reference
    ]  # fmt: skip
    assert order("priority")[0] == urgent.reference
    assert order("priority")[-1] == soonest.reference  # low


# Pages


def test_fifty_cases_a_page_with_filters_kept(client, officer, raise_, riverside, place):
    address = place(riverside)
    for _number in range(53):
        raise_(address=address)
    team = officer_team(officer)
    signed_in(client, officer)

    first = client.get(queue_url(team, ward=riverside.pk)).content.decode()
    second = client.get(queue_url(team, ward=riverside.pk, page=2)).content.decode()

    assert len(references(first)) == 50
    assert len(references(second)) == 3
    assert "Showing 1 to 50 of 53 cases" in first
    assert "Showing 51 to 53 of 53 cases" in second
    assert "govuk-pagination" in first
    assert f'href="?ward={riverside.pk}&amp;page=2"' in first
    assert 'aria-current="page"' in second
    assert set(references(first)).isdisjoint(references(second))


@pytest.mark.parametrize("cases", [3, 30])
def test_the_queue_reads_a_fixed_number_of_times(
    client, council, leader, officer, raise_, customer_at, riverside, place, cases,
    django_assert_max_num_queries,
):  # fmt: skip
    team = officer_team(officer)
    parks = TeamFactory(organisation=council, name="Parks", slug="parks")
    benches = create_service(actor=None, organisation=council, name="Benches", owning_team=parks)
    for number in range(cases):
        case = raise_(customer=customer_at, address=place(riverside, number + 1))
        if number % 2:
            assign_case(actor=None, case=case, assignee=officer)
        if number % 3 == 0:
            bench = raise_(service=benches, location_description=f"Bench {number}")
            refer_case(actor=None, case=bench, to_team=team, scope="Clean off the graffiti")
    signed_in(client, leader)
    client.get(queue_url(team))  # the session exists from here on

    with django_assert_max_num_queries(17):
        response = client.get(queue_url(team, sort="priority"))

    assert response.status_code == 200
    assert len(references(response.content.decode())) == cases


# Referrals received


def test_referrals_received_are_listed_with_their_due_times(client, council, leader, raise_):
    team = officer_team(leader)
    pest_control = TeamFactory(organisation=council, name="Pest control", slug="pest-control")
    pest_officer = MembershipFactory(team=pest_control, role=Role.OFFICER).user
    case = raise_(location_description="Rats by the shelter")
    referral = refer_case(actor=None, case=case, to_team=pest_control, scope="Bait the area")

    html = signed_in(client, pest_officer).get(queue_url(pest_control)).content.decode()

    section = html[html.index('id="referrals"') :]
    assert case.reference in section
    assert f'href="/staff/referrals/{referral.pk}/"' in section
    assert "Waiting to be acknowledged" in section
    assert "Street cleansing" in section
    assert "Rats by the shelter" in section
    assert "Referrals received (1)" in html
    empty = signed_in(client, leader).get(queue_url(team)).content.decode()
    assert "No referrals are waiting for this team." in empty


# Bulk assignment


def bulk_form(client, team) -> dict[str, str]:
    html = client.get(queue_url(team)).content.decode()
    token = re.search(r'name="form_token" value="([^"]+)"', html).group(1)
    return {"form_token": token}


def test_a_team_leader_assigns_cases_in_bulk(client, leader, officer, raise_):
    team = officer_team(officer)
    first, second, third = raise_(), raise_(), raise_()
    signed_in(client, leader)
    data = bulk_form(client, team)

    response = client.post(
        queue_url(team, sort="opened"),
        {**data, "cases": [first.pk, second.pk], "assignee": officer.pk},
        follow=True,
    )

    assert response.redirect_chain == [(queue_url(team, sort="opened"), 302)]
    assert "2 cases assigned to Omar Officer" in response.content.decode()
    assert Case.objects.get(pk=first.pk).assignee == officer
    assert Case.objects.get(pk=second.pk).assignee == officer
    assert Case.objects.get(pk=third.pk).assignee is None
    # The same submission again (a double click, a refresh) changes nothing more.
    again = client.post(
        queue_url(team), {**data, "cases": [third.pk], "assignee": officer.pk}, follow=True
    )
    assert "assigned already" in again.content.decode()
    assert Case.objects.get(pk=third.pk).assignee is None


def test_bulk_assignment_needs_cases_and_someone(client, leader, officer, raise_):
    team = officer_team(officer)
    case = raise_()
    signed_in(client, leader)
    data = bulk_form(client, team)

    response = client.post(queue_url(team), {**data, "assignee": ""})

    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "Select the cases to assign" in html
    assert "Choose who to assign the selected cases to" in html
    assert Case.objects.get(pk=case.pk).assignee is None


def test_bulk_assignment_refuses_a_case_from_another_queue(
    client, council, leader, officer, raise_
):
    team = officer_team(officer)
    parks = TeamFactory(organisation=council, name="Parks", slug="parks")
    benches = create_service(actor=None, organisation=council, name="Benches", owning_team=parks)
    elsewhere = raise_(service=benches)
    raise_()  # something in the streets queue, so the form is there
    signed_in(client, leader)
    data = bulk_form(client, team)

    response = client.post(
        queue_url(team), {**data, "cases": [elsewhere.pk], "assignee": officer.pk}
    )

    assert "has left the queue" in response.content.decode()
    assert Case.objects.get(pk=elsewhere.pk).assignee is None


def test_an_officer_cannot_assign_in_bulk(client, officer, colleague, raise_):
    team = officer_team(officer)
    case = raise_()
    signed_in(client, officer)

    html = client.get(queue_url(team)).content.decode()
    response = client.post(
        queue_url(team),
        {"form_token": str(uuid.uuid4()), "cases": [case.pk], "assignee": colleague.pk},
    )

    assert 'name="cases"' not in html
    assert "Assign selected to" not in html
    assert response.status_code == 403
    assert Case.objects.get(pk=case.pk).assignee is None
