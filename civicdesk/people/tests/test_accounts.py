"""people.accounts: residents' portal accounts, confirming the address, sign-in throttling,
passwords, preferences and linking representatives to their sign-in."""

import datetime

import pytest
import time_machine
from django.core import signing
from django.utils import timezone

from civicdesk.core.models import AuditAction, AuditEvent
from civicdesk.notify.demo import install_demo_templates
from civicdesk.notify.models import Message, MessageEvent
from civicdesk.organisations.models import Membership, User
from civicdesk.organisations.tests.factories import UserFactory
from civicdesk.people import accounts
from civicdesk.people.models import Customer, PortalAccount, Representative
from civicdesk.people.services import add_representative, create_customer, revoke_representative
from civicdesk.places.tests.factories import AddressFactory

pytestmark = pytest.mark.django_db

PASSWORD = "quiet-harbour-4127"


def link(token: str) -> str:
    return f"https://portal.example/account/verify/{token}/"


@pytest.fixture
def templates(council):
    return install_demo_templates(actor=None, organisation=council)


def make_account(council, email="Sam.Jones@Example.org", surname="Jones", **extra):
    return accounts.create_account(
        organisation=council,
        forenames="Sam",
        surname=surname,
        email=email,
        password=PASSWORD,
        verify_link_for=link,
        reset_link="https://portal.example/account/password-reset/",
        **extra,
    )


def token_in(message: Message) -> str:
    url = message.personalisation["url"]
    return url.rstrip("/").rsplit("/", 1)[-1]


def test_creating_an_account_makes_a_resident_with_a_customer_and_emails_a_link(council, templates):
    account = make_account(council)

    user = account.user
    assert user.username == "sam.jones@example.org"
    assert user.email == "Sam.Jones@Example.org"
    assert user.check_password(PASSWORD)
    assert not Membership.objects.filter(user=user).exists()
    assert not user.is_staff and not user.is_superuser
    assert account.customer.surname == "Jones"
    assert account.customer.email == "Sam.Jones@Example.org"
    assert not account.is_verified
    message = Message.objects.get(event=MessageEvent.VERIFY_EMAIL)
    assert message.recipient.lower() == "sam.jones@example.org"
    assert message.customer is None
    assert message.personalisation["url"] in message.body
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATED, record_type="people.portalaccount", record_id=str(account.pk)
    ).exists()


def test_an_existing_customer_with_the_same_email_and_surname_is_found_not_duplicated(
    council, templates
):
    existing = create_customer(
        actor=None, organisation=council, forenames="Sam", surname="Jones", email="sam@example.org"
    )
    account = make_account(council, email="SAM@example.org")
    assert account.customer == existing
    assert Customer.objects.count() == 1


def test_an_address_given_is_set_on_a_newly_registered_customer(council, templates):
    address = AddressFactory(organisation=council)
    account = make_account(council, address=address)
    assert account.customer.address == address


def test_an_address_given_does_not_change_a_found_customer(council, templates):
    existing = create_customer(
        actor=None, organisation=council, forenames="Sam", surname="Jones", email="sam@example.org"
    )
    make_account(council, email="sam@example.org", address=AddressFactory(organisation=council))
    existing.refresh_from_db()
    assert existing.address is None


def test_an_email_that_already_has_an_account_creates_nothing_and_tells_its_owner(
    council, templates
):
    first = make_account(council)
    second = make_account(council, email=" sam.jones@EXAMPLE.org ", surname="Impostor")

    assert second is None
    assert User.objects.count() == 1
    assert PortalAccount.objects.get() == first
    note = Message.objects.get(event=MessageEvent.ACCOUNT_EXISTS)
    assert note.recipient.lower() == "sam.jones@example.org"
    assert "password-reset" in note.body
    assert not Customer.objects.filter(surname="Impostor").exists()


def test_verifying_marks_the_account_and_is_audited(council, templates):
    account = make_account(council)
    token = token_in(Message.objects.get(event=MessageEvent.VERIFY_EMAIL))

    result = accounts.verify_email(token=token)

    assert result.account == account and not result.already_verified
    account.refresh_from_db()
    assert account.is_verified
    assert AuditEvent.objects.filter(
        record_type="people.portalaccount", summary__contains="confirmed"
    ).exists()


def test_a_link_used_twice_changes_nothing_the_second_time(council, templates):
    account = make_account(council)
    token = accounts.verification_token(account)
    accounts.verify_email(token=token)
    account.refresh_from_db()
    first_time = account.email_verified_at

    again = accounts.verify_email(token=token)

    assert again.already_verified
    account.refresh_from_db()
    assert account.email_verified_at == first_time


def test_an_expired_link_is_refused(council, templates):
    account = make_account(council)
    token = accounts.verification_token(account)
    later = timezone.now() + datetime.timedelta(days=3, minutes=1)
    with time_machine.travel(later), pytest.raises(accounts.InvalidLink) as error:
        accounts.verify_email(token=token)
    assert error.value.reason == "expired"
    account.refresh_from_db()
    assert not account.is_verified


def test_a_tampered_link_is_refused(council, templates):
    account = make_account(council)
    token = accounts.verification_token(account)
    with pytest.raises(accounts.InvalidLink) as error:
        accounts.verify_email(token=token[:-2] + "xx")
    assert error.value.reason == "invalid"


def test_a_link_signed_for_another_purpose_is_refused(council, templates):
    account = make_account(council)
    forged = signing.dumps({"account": account.pk, "email": "sam.jones@example.org"})
    with pytest.raises(accounts.InvalidLink):
        accounts.verify_email(token=forged)


def test_a_link_for_an_old_email_address_is_refused(council, templates):
    account = make_account(council)
    token = accounts.verification_token(account)
    account.user.email = "new@example.org"
    account.user.save()
    with pytest.raises(accounts.InvalidLink):
        accounts.verify_email(token=token)


def test_resending_sends_another_link(council, templates):
    account = make_account(council)
    accounts.send_verification(account=account, link_for=link)
    assert Message.objects.filter(event=MessageEvent.VERIFY_EMAIL).count() == 2


def fail(council, email="sam.jones@example.org", ip="203.0.113.9", times=1):
    for _ in range(times):
        accounts.record_failed_sign_in(email=email, ip_address=ip, organisation=council)


def test_sign_in_is_throttled_per_account_after_five_failures(council, templates):
    make_account(council)
    fail(council, times=4, ip="203.0.113.1")
    assert not accounts.is_throttled(email="sam.jones@example.org", ip_address="198.51.100.7")
    fail(council, ip="203.0.113.2")
    assert accounts.is_throttled(email="Sam.Jones@example.org", ip_address="198.51.100.7")


def test_sign_in_is_throttled_per_ip_address_whatever_the_email(council):
    for number in range(accounts.MAX_FAILURES_PER_ADDRESS):
        fail(council, email=f"guess{number}@example.org")
    assert accounts.is_throttled(email="someone@example.org", ip_address="203.0.113.9")
    assert not accounts.is_throttled(email="someone@example.org", ip_address="203.0.113.10")


def test_old_failures_no_longer_count(council, templates):
    make_account(council)
    fail(council, times=5)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=16)):
        assert not accounts.is_throttled(email="sam.jones@example.org", ip_address="203.0.113.9")


def test_a_failed_sign_in_is_audited_against_the_account(council, templates):
    account = make_account(council)
    fail(council)
    event = AuditEvent.objects.get(action=AuditAction.SIGN_IN_FAILED, detail__portal=True)
    assert event.record_id == str(account.user.pk)
    assert event.detail["ip"] == "203.0.113.9"


def test_staff_accounts_are_told_apart(council, agent):
    assert accounts.is_staff_account(agent)
    assert accounts.is_staff_account(UserFactory(is_superuser=True))
    assert not accounts.is_staff_account(UserFactory())


def represent(customer, email="helper@advice.example", **fields):
    return add_representative(
        actor=None,
        customer=customer,
        name="Kingsmere Citizens Advice",
        relationship=Representative.Relationship.ADVICE_AGENCY,
        consent_given_on=timezone.localdate(),
        email=email,
        **fields,
    )


@pytest.fixture
def ada(council):
    return create_customer(actor=None, organisation=council, forenames="Ada", surname="Okafor")


def test_a_confirmed_address_links_the_representations_recorded_with_it(council, templates, ada):
    waiting = represent(ada, email="Helper@Advice.example")
    other = represent(ada, email="someone.else@advice.example")
    account = make_account(council, email="helper@advice.example", surname="Adviser")

    accounts.verify_email(token=accounts.verification_token(account))

    waiting.refresh_from_db()
    other.refresh_from_db()
    assert waiting.user == account.user
    assert other.user is None
    assert AuditEvent.objects.filter(
        action=AuditAction.ACCESS_GRANTED, summary__contains="portal sign-in linked"
    ).exists()


def test_an_unconfirmed_account_links_nothing_on_sign_in(council, templates, ada):
    waiting = represent(ada)
    account = make_account(council, email="helper@advice.example", surname="Adviser")

    assert accounts.record_portal_sign_in(user=account.user) == []
    waiting.refresh_from_db()
    assert waiting.user is None


def test_a_representation_already_linked_to_someone_is_left_alone(council, templates, ada):
    someone = UserFactory()
    taken = represent(ada)
    taken.user = someone
    taken.save()
    account = make_account(council, email="helper@advice.example", surname="Adviser")
    accounts.verify_email(token=accounts.verification_token(account))
    taken.refresh_from_db()
    assert taken.user == someone


def test_sign_in_is_audited_and_links_representations_once_confirmed(council, templates, ada):
    account = make_account(council, email="helper@advice.example", surname="Adviser")
    accounts.verify_email(token=accounts.verification_token(account))
    late = represent(ada)  # recorded after the account was confirmed

    linked = accounts.record_portal_sign_in(user=account.user)

    assert linked == [late]
    assert AuditEvent.objects.filter(
        action=AuditAction.SIGNED_IN, summary="Signed in to the portal"
    ).exists()


def test_whom_a_user_may_act_for(council, templates, ada):
    account = make_account(council, email="helper@advice.example", surname="Adviser")
    user = account.user
    ben = create_customer(actor=None, organisation=council, forenames="Ben", surname="Okafor")
    cy = create_customer(actor=None, organisation=council, forenames="Cy", surname="Okafor")
    dee = create_customer(actor=None, organisation=council, forenames="Dee", surname="Okafor")
    in_force = represent(ada)
    information = represent(ben, scope=Representative.Scope.INFORMATION_ONLY)
    expired = represent(
        cy,
        consent_expires_on=timezone.localdate(),
    )
    revoked = represent(dee)
    for rep in (in_force, information, expired, revoked):
        rep.user = user
        rep.save()
    revoke_representative(actor=None, representative=revoked)
    Representative.objects.filter(pk=expired.pk).update(
        consent_given_on=timezone.localdate() - datetime.timedelta(days=30),
        consent_expires_on=timezone.localdate() - datetime.timedelta(days=1),
    )

    assert list(accounts.representations_for(user)) == [in_force]
    assert accounts.representation_for(user, in_force.pk) == in_force
    assert accounts.representation_for(user, str(in_force.pk)) == in_force
    assert accounts.representation_for(user, expired.pk) is None
    assert accounts.representation_for(user, "nonsense") is None
    assert accounts.representation_for(UserFactory(), in_force.pk) is None


def test_a_password_reset_by_email_confirms_the_address(council, templates):
    account = make_account(council)
    accounts.set_portal_password(
        user=account.user, new_password="a-new-long-passphrase", by_email_link=True
    )
    account.refresh_from_db()
    account.user.refresh_from_db()
    assert account.is_verified
    assert account.user.check_password("a-new-long-passphrase")
    assert AuditEvent.objects.filter(action=AuditAction.PASSWORD_CHANGED).exists()


def test_a_password_change_does_not_confirm_the_address(council, templates):
    account = make_account(council)
    accounts.set_portal_password(user=account.user, new_password="a-new-long-passphrase")
    account.refresh_from_db()
    assert not account.is_verified


def test_the_reset_email_goes_to_the_accounts_own_address(council, templates):
    account = make_account(council)
    message = accounts.send_password_reset(
        user=account.user, url="https://portal.example/account/password-reset/x/y/"
    )
    assert message.event == MessageEvent.PASSWORD_RESET
    assert message.recipient.lower() == "sam.jones@example.org"
    assert "https://portal.example/account/password-reset/x/y/" in message.body


def test_preferences_are_saved_on_the_customer_record(council, templates):
    account = make_account(council)
    accounts.save_preferences(
        account=account,
        preferred_channel="sms",
        mobile="07700 900123",
        needs_large_print=True,
        needs_bsl=False,
        needs_easy_read=True,
        interpreter_language="Polish",
    )
    customer = Customer.objects.get(pk=account.customer.pk)
    assert customer.preferred_channel == "sms"
    assert customer.mobile == "07700 900123"
    assert customer.needs_large_print and customer.needs_easy_read
    assert customer.interpreter_language == "Polish"
    assert AuditEvent.objects.filter(
        action=AuditAction.UPDATED, actor=account.user, record_type="people.customer"
    ).exists()


def test_preferences_cannot_change_anything_else(council, templates):
    account = make_account(council)
    with pytest.raises(TypeError):
        accounts.save_preferences(account=account, surname="Someone else")


def test_account_for_is_none_for_staff_and_visitors(council, agent, templates):
    from django.contrib.auth.models import AnonymousUser

    account = make_account(council)
    assert accounts.account_for(account.user) == account
    assert accounts.account_for(agent) is None
    assert accounts.account_for(AnonymousUser()) is None
