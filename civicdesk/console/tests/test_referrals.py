"""Referring a case to another team or a partner agency, and the referral as each side sees it.

Partner staff see only what was referred: never the case's description, its internal notes, its
other referrals or the attachments that were not shared with them.
"""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from civicdesk.cases.models import EventKind, Referral, ReferralStatus
from civicdesk.cases.referrals import acknowledge_referral, complete_referral, refer_case
from civicdesk.cases.services import add_attachment, add_note, raise_case
from civicdesk.cases.tests import images
from civicdesk.core.tests.browser import sign_in_staff
from civicdesk.organisations.models import Organisation, Role
from civicdesk.organisations.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    TeamFactory,
)
from civicdesk.people.models import Consent
from civicdesk.people.services import record_consent
from civicdesk.places.tests.factories import AddressFactory

LONDON = ZoneInfo("Europe/London")
PNG = images.png(640, 480)  # a photo's header, as small as a PNG can be
PDF = b"%PDF-1.4\n% a tenancy agreement\n"
DESCRIPTION = "Tenant says the neighbour at number 14 has been dumping waste for weeks"
INTERNAL_NOTE = "Officer visit: previous enforcement notice served in 2024"


@pytest.fixture(autouse=True)
def monday_morning(request, time_machine, settings, tmp_path):
    """Monday 2 March 2026, 10:00; browser tests keep the real clock, which Playwright needs."""
    settings.MEDIA_ROOT = tmp_path
    if request.node.get_closest_marker("browser") is None:
        time_machine.move_to(datetime.datetime(2026, 3, 2, 10, tzinfo=LONDON), tick=False)


@pytest.fixture
def streets_team(council):
    return TeamFactory(organisation=council, name="Street cleansing", slug="street-cleansing")


@pytest.fixture
def officer(streets_team):
    return MembershipFactory(team=streets_team, role=Role.OFFICER).user


@pytest.fixture
def parks_team(council):
    return TeamFactory(organisation=council, name="Parks", slug="parks")


@pytest.fixture
def partner(council):
    return OrganisationFactory(
        name="Kingsmere Homes",
        slug="kingsmere-homes",
        kind=Organisation.Kind.PARTNER,
        parent=council,
    )


@pytest.fixture
def partner_team(partner):
    return TeamFactory(organisation=partner, name="Tenancy support", slug="tenancy-support")


@pytest.fixture
def partner_officer(partner_team):
    return MembershipFactory(team=partner_team, role=Role.OFFICER).user


@pytest.fixture
def customer(make_customer, council):
    return make_customer(
        "Ada",
        "Okafor",
        email="ada@example.org",
        mobile="07700 900982",
        address=AddressFactory(organisation=council, postcode="KM1 2AB", pao_start_number=12),
    )


@pytest.fixture
def case(make_service, streets_team, customer, officer):
    fly_tipping = make_service("Fly-tipping", owning_team=streets_team, sla_value=5)
    case = raise_case(
        actor=None,
        organisation=customer.organisation,
        service=fly_tipping,
        customer=customer,
        description=DESCRIPTION,
        channel="phone",
        address=customer.address,
    )
    add_note(actor=officer, case=case, text=INTERNAL_NOTE)
    return case


@pytest.fixture
def photo(case, officer):
    return add_attachment(
        actor=officer, case=case, upload=SimpleUploadedFile("garden.png", PNG, "image/png")
    )


@pytest.fixture
def tenancy(case, officer):
    return add_attachment(
        actor=officer, case=case, upload=SimpleUploadedFile("tenancy.pdf", PDF, "application/pdf")
    )


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client


@pytest.fixture
def partner_client(client, partner_officer):
    client.force_login(partner_officer)
    return client


def token_of(response):
    return re.search(r'name="form_token" value="([^"]+)"', response.content.decode()).group(1)


def refer_url(case):
    return reverse("console:refer-case", args=[case.reference])


def referral_url(referral):
    return reverse("console:referral", args=[referral.pk])


# Referring


@pytest.mark.django_db
def test_the_refer_page_groups_the_councils_teams_and_its_partners(
    officer_client, case, parks_team, partner_team, contact_centre, photo
):
    html = officer_client.get(refer_url(case)).content.decode()

    council_group = re.search(
        r'<optgroup label="Kingsmere Borough Council">(.*?)</optgroup>', html, re.S
    )
    partner_group = re.search(r'<optgroup label="Kingsmere Homes">(.*?)</optgroup>', html, re.S)
    assert "Parks" in council_group.group(1)
    assert "Tenancy support" in partner_group.group(1)
    assert html.index("Kingsmere Borough Council") < html.index('label="Kingsmere Homes"')
    assert "Street cleansing" not in council_group.group(1)  # the case's own team
    assert "Contact centre" not in html
    assert "garden.png" in html
    assert "The customer has not agreed to their details being shared" in html


@pytest.mark.django_db
def test_a_case_is_referred_to_a_partner_once(
    officer_client, officer, case, partner_team, photo, tenancy
):
    form = officer_client.get(refer_url(case))
    data = {
        "form_token": token_of(form),
        "to_team": partner_team.pk,
        "scope": "Please visit the tenant about the waste in the garden",
        "attachments": [photo.pk],
    }

    response = officer_client.post(refer_url(case), data)
    officer_client.post(refer_url(case), data)

    referral = Referral.objects.get()
    assert referral.to_team == partner_team
    assert referral.referred_by == officer
    assert referral.scope == "Please visit the tenant about the waste in the garden"
    assert list(referral.shared_attachments.all()) == [photo]
    assert referral.share_customer_details is False
    assert response["Location"] == reverse("console:case", args=[case.reference])
    banner = officer_client.get(response["Location"]).content.decode()
    assert (
        "Referred to Tenancy support. They should acknowledge it by 10:00 on 3 March 2026" in banner
    )


@pytest.mark.django_db
def test_details_are_not_shared_with_a_partner_without_the_customers_consent(
    officer_client, case, customer, partner_team
):
    data = {
        "to_team": partner_team.pk,
        "scope": "Visit the tenant",
        "share_customer_details": "on",
    }

    refused = officer_client.post(
        refer_url(case), {**data, "form_token": token_of(officer_client.get(refer_url(case)))}
    )

    assert refused.status_code == 200
    html = refused.content.decode()
    assert "There is a problem" in html
    assert (
        "The customer has not agreed to their details being shared with partner agencies." in html
    )
    assert not Referral.objects.exists()

    record_consent(
        actor=None, customer=customer, purpose=Consent.Purpose.SHARE_WITH_PARTNERS, granted=True
    )
    form = officer_client.get(refer_url(case))
    assert "The customer has agreed to their details being shared" in form.content.decode()
    officer_client.post(refer_url(case), {**data, "form_token": token_of(form)})

    assert Referral.objects.get().share_customer_details is True


@pytest.mark.django_db
def test_the_refer_form_says_what_is_missing(officer_client, case):
    form = officer_client.get(refer_url(case))

    response = officer_client.post(refer_url(case), {"form_token": token_of(form)})

    html = response.content.decode()
    assert "Choose the team or partner agency" in html
    assert "Say what you are asking them to do" in html


@pytest.mark.django_db
def test_only_the_team_working_the_case_refers_it(agent_client, client, case, partner_officer):
    assert agent_client.get(refer_url(case)).status_code == 403
    client.force_login(partner_officer)
    assert client.get(refer_url(case)).status_code == 404


# What the partner sees


@pytest.fixture
def referral(case, partner_team, photo, tenancy):
    return refer_case(
        actor=None,
        case=case,
        to_team=partner_team,
        scope="Please visit the tenant about the waste in the garden",
        attachments=[photo],
    )


@pytest.mark.django_db
def test_partner_staff_cannot_open_the_case(partner_client, case, referral):
    response = partner_client.get(reverse("console:case", args=[case.reference]))

    assert response.status_code == 404


@pytest.mark.django_db
def test_the_partner_sees_only_what_was_referred(
    partner_client, case, referral, parks_team, photo, tenancy
):
    refer_case(actor=None, case=case, to_team=parks_team, scope="Check the park bins too")

    html = partner_client.get(referral_url(referral)).content.decode()

    assert case.reference in html
    assert "Fly-tipping" in html
    assert "12" in html and "KM1 2AB" in html  # where
    assert "Please visit the tenant about the waste in the garden" in html
    assert "garden.png" in html
    assert reverse("console:referral-attachment", args=[referral.pk, photo.pk]) in html
    assert DESCRIPTION not in html
    assert INTERNAL_NOTE not in html
    assert "tenancy.pdf" not in html
    assert "Check the park bins too" not in html and "Parks" not in html
    assert "Okafor" not in html and "ada@example.org" not in html
    assert "The customer's details were not shared with you." in html
    assert f'href="{reverse("console:case", args=[case.reference])}"' not in html
    assert "Acknowledge" in html and "Withdraw" not in html


@pytest.mark.django_db
def test_the_partner_sees_the_customers_details_when_shared(
    partner_client, case, customer, partner_team
):
    record_consent(
        actor=None, customer=customer, purpose=Consent.Purpose.SHARE_WITH_PARTNERS, granted=True
    )
    referral = refer_case(
        actor=None, case=case, to_team=partner_team, scope="Visit", share_customer_details=True
    )

    html = partner_client.get(referral_url(referral)).content.decode()

    assert "Ada Okafor" in html
    assert "ada@example.org" in html
    assert "07700 900982" in html
    assert DESCRIPTION not in html


@pytest.mark.django_db
def test_staff_of_another_partner_cannot_see_the_referral(client, council, referral, photo):
    other = OrganisationFactory(
        name="Citizens Advice", slug="ca", kind=Organisation.Kind.PARTNER, parent=council
    )
    client.force_login(MembershipFactory(team=TeamFactory(organisation=other)).user)

    assert client.get(referral_url(referral)).status_code == 404
    attachment = reverse("console:referral-attachment", args=[referral.pk, photo.pk])
    assert client.get(attachment).status_code == 404


@pytest.mark.django_db
def test_only_shared_attachments_download(partner_client, referral, photo, tenancy):
    shared = partner_client.get(
        reverse("console:referral-attachment", args=[referral.pk, photo.pk])
    )
    unshared = partner_client.get(
        reverse("console:referral-attachment", args=[referral.pk, tenancy.pk])
    )

    assert shared.status_code == 200
    assert b"".join(shared.streaming_content) == PNG
    assert shared["Content-Type"] == "image/png"
    assert 'attachment; filename="garden.png"' in shared["Content-Disposition"]
    assert unshared.status_code == 404


# Answering


@pytest.mark.django_db
def test_the_partner_acknowledges_then_completes(partner_client, partner_officer, referral):
    response = partner_client.post(reverse("console:acknowledge-referral", args=[referral.pk]))

    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACKNOWLEDGED
    assert referral.acknowledged_by == partner_officer
    assert "Referral acknowledged" in partner_client.get(response["Location"]).content.decode()
    again = partner_client.post(reverse("console:acknowledge-referral", args=[referral.pk]))
    assert (
        "This referral is already acknowledged."
        in partner_client.get(again["Location"]).content.decode()
    )

    url = reverse("console:complete-referral", args=[referral.pk])
    assert "What was done?" in partner_client.get(url).content.decode()
    empty = partner_client.post(url, {"text": ""})
    assert "Say what was done" in empty.content.decode()
    done = partner_client.post(url, {"text": "Visited; the tenant is clearing the garden"})

    referral.refresh_from_db()
    assert referral.status == ReferralStatus.COMPLETED
    assert referral.outcome == "Visited; the tenant is clearing the garden"
    assert done["Location"] == referral_url(referral)
    page = partner_client.get(done["Location"]).content.decode()
    assert "Referral completed" in page
    assert "Visited; the tenant is clearing the garden" in page
    assert "Acknowledge</button>" not in page
    # A finished referral cannot be answered again.
    assert partner_client.get(url)["Location"] == referral_url(referral)


@pytest.mark.django_db
def test_the_partner_declines_with_a_reason(partner_client, referral):
    url = reverse("console:decline-referral", args=[referral.pk])

    partner_client.post(url, {"text": "Not one of our tenants"})

    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DECLINED
    assert referral.outcome == "Not one of our tenants"


@pytest.mark.django_db
def test_notes_go_between_the_two_sides_once(client, partner_client, officer, referral, case):
    form = partner_client.get(referral_url(referral))
    data = {"form_token": token_of(form), "text": "We will visit on Thursday"}

    response = partner_client.post(referral_url(referral), data)
    partner_client.post(referral_url(referral), data)

    assert referral.events.filter(kind=EventKind.REFERRAL_NOTE).count() == 1
    assert response["Location"] == f"{referral_url(referral)}#notes"
    client.force_login(officer)
    html = client.get(referral_url(referral)).content.decode()
    assert "We will visit on Thursday" in html
    assert INTERNAL_NOTE not in html  # the case's own notes stay on the case


@pytest.mark.django_db
def test_the_referring_side_withdraws_and_the_partner_cannot(
    partner_client, client, officer, referral
):
    withdraw = reverse("console:withdraw-referral", args=[referral.pk])
    assert partner_client.post(withdraw, {"text": "No longer needed"}).status_code == 403

    client.force_login(officer)
    page = client.get(referral_url(referral)).content.decode()
    assert "Withdraw" in page
    assert "Acknowledge</button>" not in page
    assert (
        client.post(reverse("console:acknowledge-referral", args=[referral.pk])).status_code == 403
    )
    client.post(withdraw, {"text": "The tenant has moved out"})

    referral.refresh_from_db()
    assert referral.status == ReferralStatus.WITHDRAWN
    assert referral.outcome == "The tenant has moved out"


# The partner's home


@pytest.mark.django_db
def test_partner_staff_see_their_referrals_waiting_ones_first(
    client, partner_officer, council, make_service, streets_team, partner_team, time_machine
):
    service = make_service("Fly-tipping", owning_team=streets_team, sla_value=5)

    def referred(description):
        case = raise_case(
            actor=None,
            organisation=council,
            service=service,
            description=description,
            channel="phone",
            location_description=description,
        )
        return refer_case(actor=None, case=case, to_team=partner_team, scope=description)

    first = referred("First referral")
    acknowledge_referral(actor=None, referral=first)
    time_machine.move_to(datetime.datetime(2026, 3, 3, 10, tzinfo=LONDON), tick=False)
    second = referred("Second referral")
    third = referred("Third referral")
    complete_referral(actor=None, referral=third, outcome="Done")

    partner_client = client
    partner_client.force_login(partner_officer)
    home = partner_client.get(reverse("console:home"))
    assert 'href="/staff/referrals/"' in home.content.decode()
    html = partner_client.get(reverse("console:referrals")).content.decode()

    assert html.index(second.case.reference) < html.index(first.case.reference)
    assert third.case.reference not in html
    assert "10:00, 4 Mar 2026" in html
    everything = partner_client.get(reverse("console:referrals"), {"show": "all"})
    assert third.case.reference in everything.content.decode()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.browser
def test_an_officer_refers_a_case_and_the_partner_answers(
    live_server,
    page,
    check_page,
    officer,
    partner_officer,
    case,
    partner_team,
    photo,
    tenancy,
    width,
):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in_staff(page, live_server, officer)

    page.goto(f"{live_server.url}{refer_url(case)}")
    check_page(page, "refer")
    page.get_by_label("Who are you referring it to?").select_option(label="Tenancy support")
    page.get_by_label("What are you asking them to do?").fill(
        "Please visit the tenant about the waste in the garden"
    )
    page.get_by_label("garden.png").check()
    page.get_by_role("button", name="Refer case").click()
    page.wait_for_url(re.compile(rf"/staff/cases/{re.escape(case.reference)}/$"))
    assert (
        "Referred to Tenancy support."
        in page.locator(".govuk-notification-banner--success").inner_text()
    )
    referral = Referral.objects.get()
    page.goto(f"{live_server.url}{referral_url(referral)}")
    check_page(page, "referring-side")
    if width < 640:
        page.get_by_role("button", name="Menu").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/sign-in/"))

    sign_in_staff(page, live_server, partner_officer)
    if width < 640:
        page.get_by_role("button", name="Menu").click()
    page.get_by_role("link", name="Referrals").click()
    page.wait_for_url(re.compile(r"/staff/referrals/$"))
    check_page(page, "partner-home")
    page.get_by_role("link", name=case.reference).click()
    page.wait_for_url(re.compile(rf"/staff/referrals/{referral.pk}/$"))
    check_page(page, "partner-referral")
    assert DESCRIPTION not in page.content()
    assert INTERNAL_NOTE not in page.content()

    page.get_by_role("button", name="Acknowledge").click()
    page.wait_for_load_state("load")
    check_page(page, "acknowledged")
    page.get_by_label("Add a note").fill("We will visit on Thursday morning")
    page.get_by_role("button", name="Add note").click()
    page.wait_for_url(re.compile(r"#notes$"))
    assert page.get_by_text("We will visit on Thursday morning").is_visible()

    page.get_by_role("button", name="Complete").click()
    page.wait_for_url(re.compile(r"/complete/$"))
    check_page(page, "complete")
    page.get_by_label("What was done?").fill("Visited: the tenant is clearing the garden")
    page.get_by_role("button", name="Complete referral").click()
    page.wait_for_url(re.compile(rf"/staff/referrals/{referral.pk}/$"))
    check_page(page, "completed")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.COMPLETED


@pytest.mark.django_db
@pytest.mark.parametrize("referrals", [1, 8])
def test_the_referrals_page_reads_a_fixed_number_of_times(
    partner_client, case, partner_team, referrals, django_assert_max_num_queries
):
    for number in range(referrals):
        other = raise_case(
            actor=None,
            organisation=case.organisation,
            service=case.service,
            description=f"Report {number}",
            channel="phone",
            location_description=f"Place {number}",
        )
        refer_case(actor=None, case=other, to_team=partner_team, scope=f"Visit {number}")

    with django_assert_max_num_queries(7):
        response = partner_client.get(reverse("console:referrals"))

    assert len(re.findall(r'href="/staff/referrals/\d+/"', response.content.decode())) == referrals
