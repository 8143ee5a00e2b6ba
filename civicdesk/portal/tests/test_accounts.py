"""Residents' accounts on the portal: creating one, confirming the address, signing in and
out, throttling, passwords, "Your account", preferences, privacy, and the console refusing
residents."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from civicdesk.cases.services import add_note, raise_case
from civicdesk.catalogue.models import Sensitivity
from civicdesk.catalogue.services import create_service
from civicdesk.contacts.services import log_contact
from civicdesk.core.models import AuditAction, AuditEvent
from civicdesk.notify.demo import install_demo_templates
from civicdesk.notify.models import Message, MessageEvent
from civicdesk.organisations.models import Role, User
from civicdesk.organisations.tests.factories import MembershipFactory, TeamFactory
from civicdesk.people import accounts
from civicdesk.people.models import Customer, PortalAccount
from civicdesk.places.tests.factories import AddressFactory

pytestmark = pytest.mark.django_db

PASSWORD = "quiet-harbour-4127"
NEW_PASSWORD = "lantern-meadow-9021"


@pytest.fixture(autouse=True)
def templates(council):
    return install_demo_templates(actor=None, organisation=council)


def new_account(council, email="sam@example.org", surname="Jones", verified=True):
    account = accounts.create_account(
        organisation=council,
        forenames="Sam",
        surname=surname,
        email=email,
        password=PASSWORD,
        verify_link_for=lambda token: f"http://testserver/account/verify/{token}/",
        reset_link="http://testserver/account/password-reset/",
    )
    if verified:
        accounts.verify_email(token=accounts.verification_token(account))
        account.refresh_from_db()
    return account


@pytest.fixture
def resident(council):
    return new_account(council)


@pytest.fixture
def signed_in(client, resident):
    client.force_login(resident.user)
    return client


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def sign_up(client, **overrides):
    data = {
        "forenames": "Priya",
        "surname": "Shah",
        "email": "priya@example.org",
        "password": PASSWORD,
        "postcode": "",
    } | overrides
    return client.post(reverse("portal:sign-in").replace("sign-in", "create"), data)


# Creating an account.


def test_the_create_account_page_shows_the_form(client, council):
    response = client.get(reverse("portal:account-create"))
    assert response.status_code == 200
    assert b"Create an account" in response.content
    assert b'autocomplete="new-password"' in response.content


def test_creating_an_account_sends_a_link_and_shows_check_your_email(client, council):
    response = sign_up(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:account-check-email")
    page = client.get(response["Location"])
    assert b"priya@example.org" in page.content
    account = PortalAccount.objects.get(user__username="priya@example.org")
    assert not account.is_verified
    assert Message.objects.filter(event=MessageEvent.VERIFY_EMAIL).count() == 1
    # Nobody is signed in: a new and an existing address look the same afterwards.
    assert "_auth_user_id" not in client.session


def test_an_existing_email_gets_the_same_page_and_its_owner_is_told(client, council, resident):
    first = sign_up(client, email="fresh@example.org")
    fresh_page = client.get(first["Location"]).content.replace(b"fresh@example.org", b"X")
    second = sign_up(client, email="SAM@example.org", surname="Mallory")
    taken_page = client.get(second["Location"]).content.replace(b"SAM@example.org", b"X")

    assert second.status_code == first.status_code == 302
    assert second["Location"] == first["Location"]
    strip = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"|nonce="[^"]+"')
    assert strip.sub(b"", fresh_page) == strip.sub(b"", taken_page)
    assert User.objects.filter(username="sam@example.org").count() == 1
    assert Message.objects.filter(event=MessageEvent.ACCOUNT_EXISTS).count() == 1


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("forenames", "", "Enter your first name"),
        ("surname", "", "Enter your last name"),
        ("email", "", "Enter your email address"),
        ("email", "not-an-email", "Enter an email address in the correct format"),
        ("password", "", "Enter a password"),
        ("password", "short", "too short"),
        ("password", "password123", "too common"),
        ("postcode", "12345", "Enter a real postcode"),
    ],
)
def test_sign_up_errors_are_shown_with_the_field(client, council, field, value, error):
    response = sign_up(client, **{field: value})
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert error in response.content.decode()
    assert not PortalAccount.objects.exists()


def test_a_postcode_lists_its_addresses_to_choose_from(client, council):
    address = AddressFactory(organisation=council, postcode="KM1 2AB")
    response = sign_up(client, postcode="km12ab")
    assert response.status_code == 200
    assert "Select your address" in response.content.decode()
    assert not PortalAccount.objects.exists()

    response = sign_up(client, postcode="KM1 2AB", address=str(address.pk))
    assert response.status_code == 302
    assert PortalAccount.objects.get().customer.address == address


# Confirming the address.


def verify_path(account) -> str:
    return reverse("portal:account-verify", args=[accounts.verification_token(account)])


def test_the_emailed_link_confirms_the_address(client, council):
    sign_up(client)
    message = Message.objects.get(event=MessageEvent.VERIFY_EMAIL)
    response = client.get(path_of(message.personalisation["url"]))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:sign-in")
    assert PortalAccount.objects.get().is_verified
    page = client.get(response["Location"])
    assert b"Your email address is confirmed" in page.content


def test_a_used_link_says_so_and_changes_nothing(client, council):
    account = new_account(council, verified=False)
    path = verify_path(account)
    client.get(path)
    account.refresh_from_db()
    when = account.email_verified_at
    response = client.get(path, follow=True)
    assert b"already confirmed" in response.content
    account.refresh_from_db()
    assert account.email_verified_at == when


def test_an_expired_link_is_refused_with_a_way_on(client, council):
    account = new_account(council, verified=False)
    path = verify_path(account)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=4)):
        response = client.get(path)
    assert response.status_code == 400
    assert b"The link has expired" in response.content
    account.refresh_from_db()
    assert not account.is_verified


def test_a_broken_link_is_refused(client, council):
    response = client.get(reverse("portal:account-verify", args=["not-a-token"]))
    assert response.status_code == 400
    assert b"The link does not work" in response.content


def test_an_unconfirmed_account_can_ask_for_a_new_link(client, council):
    account = new_account(council, verified=False)
    client.force_login(account.user)
    page = client.get(reverse("portal:account"))
    assert b"Confirm your email address" in page.content
    assert b"so that nobody else can see your details" in page.content
    response = client.post(reverse("portal:account-verify-resend"))
    assert response.status_code == 302
    assert Message.objects.filter(event=MessageEvent.VERIFY_EMAIL).count() == 2


def test_resending_is_post_only(signed_in):
    assert signed_in.get(reverse("portal:account-verify-resend")).status_code == 405


# Signing in and out.


def sign_in(client, email="sam@example.org", password=PASSWORD, **extra):
    return client.post(reverse("portal:sign-in"), {"email": email, "password": password, **extra})


def test_a_resident_signs_in_and_is_taken_to_their_account(client, resident):
    response = sign_in(client, email="SAM@example.org")
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:account")
    assert int(client.session["_auth_user_id"]) == resident.user.pk
    assert AuditEvent.objects.filter(
        action=AuditAction.SIGNED_IN, summary="Signed in to the portal"
    ).exists()


def test_sign_in_goes_on_to_a_safe_next_page_only(client, resident):
    account_case = reverse("portal:account-preferences")
    assert sign_in(client, next=account_case)["Location"] == account_case
    client.logout()
    assert sign_in(client, next="https://evil.example/")["Location"] == reverse("portal:account")


def test_a_wrong_password_gets_one_message_for_both_mistakes(client, resident):
    wrong_password = sign_in(client, password="nope-nope-nope")
    no_account = sign_in(client, email="nobody@example.org")
    for response in (wrong_password, no_account):
        assert response.status_code == 200
        assert b"Enter a correct email address and password" in response.content
    assert "_auth_user_id" not in client.session


def test_sign_in_is_throttled_after_repeated_failures(client, resident):
    for _ in range(accounts.MAX_FAILURES_PER_ACCOUNT):
        sign_in(client, password="wrong-password-again")
    response = sign_in(client)  # the right password, too late
    assert b"too many times" in response.content
    assert "_auth_user_id" not in client.session


def test_sign_in_is_throttled_per_ip_address(client, resident):
    for number in range(accounts.MAX_FAILURES_PER_ADDRESS):
        sign_in(client, email=f"guess{number}@example.org")
    response = sign_in(client)
    assert b"too many times" in response.content


def test_a_staff_account_cannot_sign_in_to_the_portal(client, council, agent):
    agent.email = "agent@example.org"
    agent.username = "agent@example.org"
    agent.save()
    response = sign_in(client, email="agent@example.org", password="correct-horse-battery")
    assert response.status_code == 200
    assert b"This is a staff account" in response.content
    assert "_auth_user_id" not in client.session


def test_an_unconfirmed_account_can_sign_in_but_sees_no_history(client, council):
    account = new_account(council, verified=False)
    response = sign_in(client)
    assert response.status_code == 302
    page = client.get(reverse("portal:account"))
    assert b"Confirm your email address" in page.content
    assert b"Your requests" not in page.content
    assert account.user.pk == int(client.session["_auth_user_id"])


def test_sign_out_is_post_only_and_signs_out(signed_in):
    assert signed_in.get(reverse("portal:sign-out")).status_code == 405
    response = signed_in.post(reverse("portal:sign-out"))
    assert response.status_code == 302
    assert "_auth_user_id" not in signed_in.session
    assert AuditEvent.objects.filter(action=AuditAction.SIGNED_OUT).exists()


def test_the_sign_in_page_sends_a_signed_in_resident_to_their_account(signed_in):
    response = signed_in.get(reverse("portal:sign-in"))
    assert response["Location"] == reverse("portal:account")


def test_account_pages_ask_visitors_to_sign_in(client, council):
    response = client.get(reverse("portal:account"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("portal:sign-in"))


def test_account_pages_show_staff_nothing(client, agent):
    client.force_login(agent)
    for name in ("portal:account", "portal:account-preferences", "portal:acting-for"):
        assert client.get(reverse(name)).status_code == 404


# Passwords.


def test_a_forgotten_password_is_reset_through_the_emailed_link(client, resident):
    response = client.post(reverse("portal:password-reset"), {"email": "sam@example.org"})
    assert response["Location"] == reverse("portal:password-reset-sent")
    message = Message.objects.get(event=MessageEvent.PASSWORD_RESET)
    assert message.recipient == "sam@example.org"
    link = client.get(path_of(message.personalisation["url"]))
    assert link.status_code == 302  # Django swaps the token for a session marker
    form_page = client.get(link["Location"])
    assert b"Choose a new password" in form_page.content
    done = client.post(
        link["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done["Location"] == reverse("portal:password-reset-complete")
    client.logout()
    assert sign_in(client, password=NEW_PASSWORD).status_code == 302
    assert AuditEvent.objects.filter(
        action=AuditAction.PASSWORD_CHANGED, summary__contains="email link"
    ).exists()


def test_a_reset_link_works_once(client, resident):
    client.post(reverse("portal:password-reset"), {"email": "sam@example.org"})
    url = path_of(Message.objects.get(event=MessageEvent.PASSWORD_RESET).personalisation["url"])
    link = client.get(url)
    client.post(link["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    again = client.get(url, follow=True)
    assert b"The link does not work" in again.content


def test_a_reset_for_an_unknown_or_staff_address_sends_nothing_and_looks_the_same(
    client, council, agent
):
    for email in ("nobody@example.org", agent.email):
        response = client.post(reverse("portal:password-reset"), {"email": email})
        assert response["Location"] == reverse("portal:password-reset-sent")
    assert not Message.objects.filter(event=MessageEvent.PASSWORD_RESET).exists()


def test_a_resident_changes_their_password(signed_in, resident):
    response = signed_in.post(
        reverse("portal:password-change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response["Location"] == reverse("portal:account")
    resident.user.refresh_from_db()
    assert resident.user.check_password(NEW_PASSWORD)
    assert "_auth_user_id" in signed_in.session  # still signed in


def test_a_wrong_current_password_is_refused(signed_in, resident):
    response = signed_in.post(
        reverse("portal:password-change"),
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert b"govuk-error-summary" in response.content


# "Your account": cases, contacts, preferences, privacy.


@pytest.fixture
def team(council):
    return TeamFactory(organisation=council, name="Street cleansing", slug="street-cleansing")


@pytest.fixture
def officer(team):
    return MembershipFactory(team=team, role=Role.OFFICER).user


def service(council, team, name, sensitivity=Sensitivity.STANDARD):
    return create_service(
        actor=None,
        organisation=council,
        name=name,
        owning_team=team,
        sla_value=5,
        sensitivity=sensitivity,
    )


def raise_for(customer, svc, officer, description="Black bags dumped by the garages"):
    return raise_case(
        actor=officer,
        organisation=customer.organisation,
        service=svc,
        customer=customer,
        description=description,
        channel="phone",
        location_description="Behind Acacia Avenue",
    )


def test_your_account_lists_the_residents_cases_and_contacts(
    signed_in, resident, council, team, officer, agent
):
    fly_tipping = service(council, team, "Fly-tipping")
    case = raise_for(resident.customer, fly_tipping, officer)
    log_contact(
        actor=agent,
        organisation=council,
        channel="phone",
        outcome="resolved",
        customer=resident.customer,
        service=fly_tipping,
        notes="Caller was very rude about the bin crew",
    )
    page = signed_in.get(reverse("portal:account")).content.decode()
    assert case.reference in page
    assert "Fly-tipping" in page
    assert "Resolved at first contact" in page
    assert "very rude" not in page  # agents' notes are never shown
    assert reverse("portal:account-case", args=[case.reference]) in page


def test_the_case_page_shows_public_updates_only(signed_in, resident, council, team, officer):
    case = raise_for(resident.customer, service(council, team, "Fly-tipping"), officer)
    add_note(actor=officer, case=case, text="Internal: neighbour dispute suspected")
    add_note(actor=officer, case=case, text="We will clear it on Tuesday", public=True)
    page = signed_in.get(reverse("portal:account-case", args=[case.reference]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "We will clear it on Tuesday" in text
    assert "neighbour dispute" not in text
    assert "Black bags dumped" in text


def test_a_sensitive_case_shows_its_status_only(signed_in, resident, council, team, officer):
    asb = service(council, team, "Anti-social behaviour", Sensitivity.SENSITIVE)
    case = raise_for(resident.customer, asb, officer, description="Threats at number 14")
    add_note(actor=officer, case=case, text="Police informed", public=True)
    text = signed_in.get(reverse("portal:account-case", args=[case.reference])).content.decode()
    assert "Threats at number 14" not in text
    assert "Police informed" not in text
    assert "To protect your privacy" in text


def test_a_safeguarding_case_is_never_shown(signed_in, resident, council, team, officer):
    concern = service(council, team, "Adult safeguarding concern", Sensitivity.SAFEGUARDING)
    case = raise_for(resident.customer, concern, officer, description="Lodger taking money")
    assert case.reference not in signed_in.get(reverse("portal:account")).content.decode()
    url = reverse("portal:account-case", args=[case.reference])
    assert signed_in.get(url).status_code == 404


def test_another_residents_case_and_contacts_are_not_visible(client, council, team, officer, agent):
    sam = new_account(council)
    other = new_account(council, email="lee@example.org", surname="Lee")
    theirs = raise_for(other.customer, service(council, team, "Fly-tipping"), officer)
    log_contact(
        actor=agent,
        organisation=council,
        channel="phone",
        outcome="signposted",
        customer=other.customer,
    )
    client.force_login(sam.user)
    assert client.get(reverse("portal:account-case", args=[theirs.reference])).status_code == 404
    page = client.get(reverse("portal:account")).content.decode()
    assert theirs.reference not in page
    assert "Signposted elsewhere" not in page


def test_an_unconfirmed_account_cannot_open_its_customers_cases(client, council, team, officer):
    existing = Customer.objects.create(
        organisation=council, forenames="Sam", surname="Jones", email="sam@example.org"
    )
    accounts_customer = new_account(council, verified=False)
    case = raise_for(accounts_customer.customer, service(council, team, "Fly-tipping"), officer)
    client.force_login(accounts_customer.user)
    assert client.get(reverse("portal:account-case", args=[case.reference])).status_code == 404
    assert existing.pk


def test_preferences_are_shown_and_saved(signed_in, resident):
    page = signed_in.get(reverse("portal:account-preferences"))
    assert page.status_code == 200
    assert b"How would you like us to contact you?" in page.content
    response = signed_in.post(
        reverse("portal:account-preferences"),
        {
            "preferred_channel": "sms",
            "email": "sam@example.org",
            "mobile": "07700 900123",
            "needs_large_print": "on",
            "needs_bsl": "on",
            "interpreter_language": "Polish",
        },
    )
    assert response["Location"] == reverse("portal:account")
    customer = Customer.objects.get(pk=resident.customer.pk)
    assert customer.preferred_channel == "sms"
    assert customer.mobile == "07700 900123"
    assert customer.needs_large_print and customer.needs_bsl and not customer.needs_easy_read
    assert customer.interpreter_language == "Polish"
    page = signed_in.get(reverse("portal:account")).content.decode()
    assert "Interpreter: Polish" in page


def test_preferences_need_the_details_for_the_chosen_way(signed_in, resident):
    response = signed_in.post(
        reverse("portal:account-preferences"), {"preferred_channel": "sms", "mobile": ""}
    )
    assert response.status_code == 200
    assert b"Enter a mobile number, or choose another way" in response.content
    assert Customer.objects.get(pk=resident.customer.pk).preferred_channel == ""


def test_an_unconfirmed_account_cannot_change_preferences(client, council):
    account = new_account(council, verified=False)
    client.force_login(account.user)
    response = client.post(reverse("portal:account-preferences"), {"preferred_channel": "letter"})
    assert response["Location"] == reverse("portal:account")
    assert Customer.objects.get(pk=account.customer.pk).preferred_channel == ""


# The console refuses residents.


def test_the_console_sign_in_refuses_a_resident_with_a_clear_message(client, resident):
    response = client.post(
        reverse("console:sign-in"), {"username": "sam@example.org", "password": PASSWORD}
    )
    assert response.status_code == 200
    assert b"This account is not a staff account" in response.content
    assert "_auth_user_id" not in client.session


def test_the_console_sign_in_still_lets_staff_in(client, agent):
    response = client.post(
        reverse("console:sign-in"),
        {"username": agent.username, "password": "correct-horse-battery"},
    )
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == agent.pk
