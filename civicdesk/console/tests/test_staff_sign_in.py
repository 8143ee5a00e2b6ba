"""Signing in to the console with a password and a code, locking out, idle sessions and
signing out everywhere, through the pages."""

import datetime
import re
import time

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from civicdesk.console.tests.desktop_pages import PAGES
from civicdesk.core.models import AuditAction, AuditEvent
from civicdesk.organisations import security, totp
from civicdesk.organisations.models import Role
from civicdesk.organisations.tests.factories import PASSWORD, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

NINE_FIFTEEN = datetime.datetime(2026, 12, 7, 9, 15, 5, tzinfo=datetime.UTC)
LOCKED = "You have tried to sign in too many times. Wait 15 minutes, then try again."


@pytest.fixture(autouse=True)
def two_factor(settings):
    settings.CIVICDESK_STAFF_TWO_FACTOR = True


@pytest.fixture
def clock():
    with time_machine.travel(NINE_FIFTEEN, tick=False) as traveller:
        yield traveller


def code_for(key: str) -> str:
    return totp.totp(totp.key_bytes(key), time.time())


@pytest.fixture
def agent_key(agent, clock):
    """The agent has set up an app; its set-up code's time step has passed."""
    key = totp.new_key()
    check = security.set_up_authenticator(user=agent, key=key, code=code_for(key), ip_address="")
    clock.shift(2 * totp.STEP_SECONDS)
    return key, check.recovery_codes


def give_password(client: Client, username: str, password: str = PASSWORD, **extra):
    return client.post(
        reverse("console:sign-in"), {"username": username, "password": password, **extra}
    )


def is_signed_in(client: Client) -> bool:
    return client.get(reverse("console:home")).status_code == 200


def sign_ins(user) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.for_record("organisations.user", user.pk).filter(
            action=AuditAction.SIGNED_IN
        )
    )


# The whole sign-in.


def test_a_password_then_a_code_signs_in(client, agent, agent_key):
    key, _codes = agent_key

    password_step = give_password(client, agent.username)

    assert password_step.status_code == 302
    assert password_step["Location"] == reverse("console:sign-in-code")
    assert not is_signed_in(client)
    page = client.get(reverse("console:sign-in-code"))
    assert "Enter the code from your authenticator app" in page.content.decode()
    assert "no-store" in page["Cache-Control"]

    code_step = client.post(reverse("console:sign-in-code"), {"code": code_for(key)})

    assert code_step.status_code == 302 and code_step["Location"] == reverse("console:home")
    assert is_signed_in(client)
    [entry] = sign_ins(agent)
    assert entry.detail == {"second_factor": "app"}


def test_the_page_asked_for_first_is_where_the_code_leads(client, agent, agent_key):
    key, _codes = agent_key
    queues = reverse("console:queues")
    asked = client.get(queues)
    assert asked["Location"] == f"{reverse('console:sign-in')}?next={queues}"

    give_password(client, agent.username, next=queues)
    response = client.post(reverse("console:sign-in-code"), {"code": code_for(key)})

    assert response["Location"] == queues


def test_a_wrong_code_shows_the_error_and_signs_nobody_in(client, agent, agent_key):
    give_password(client, agent.username)

    response = client.post(reverse("console:sign-in-code"), {"code": "000000"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html and "<title>Error: Enter the code" in html
    assert '<a href="#id_code">The code is not right. Enter the code your app shows now.' in html
    assert not is_signed_in(client)
    empty = client.post(reverse("console:sign-in-code"), {"code": ""})
    assert "Enter the 6-digit code from your authenticator app" in empty.content.decode()


def test_a_recovery_code_signs_in_and_says_how_many_are_left(client, agent, agent_key):
    _key, codes = agent_key
    give_password(client, agent.username)

    response = client.post(reverse("console:sign-in-code"), {"code": codes[0]}, follow=True)

    html = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("console:home")
    assert "You signed in with a recovery code. You have 9 left" in html
    assert sign_ins(agent)[0].detail == {"second_factor": "recovery_code"}


def test_the_code_step_expires_after_five_minutes(client, agent, agent_key, clock):
    key, _codes = agent_key
    give_password(client, agent.username)
    clock.shift(datetime.timedelta(minutes=5, seconds=1))

    response = client.post(reverse("console:sign-in-code"), {"code": code_for(key)}, follow=True)

    assert response.redirect_chain == [(reverse("console:sign-in"), 302)]
    assert "You took more than 5 minutes to sign in. Sign in again." in response.content.decode()
    assert not is_signed_in(client)


def test_the_code_steps_need_the_password_step_first(client, agent, agent_key):
    for name in ("console:sign-in-code", "console:sign-in-set-up"):
        response = client.post(reverse(name), {"code": code_for(agent_key[0])})
        assert response["Location"] == reverse("console:sign-in")
    assert not is_signed_in(client)


def test_without_two_factor_a_password_is_enough(client, agent, settings):
    settings.CIVICDESK_STAFF_TWO_FACTOR = False

    response = give_password(client, agent.username)

    assert response["Location"] == reverse("console:home")
    assert is_signed_in(client)
    assert sign_ins(agent)[0].detail == {}


# Setting up an app on the first sign-in.


def setup_key(html: str) -> str:
    return re.search(r'id="setup-key">([A-Z2-7 ]+)<', html).group(1)


def test_the_first_sign_in_sets_up_an_app_and_shows_recovery_codes_once(client, agent, clock):
    give_password(client, agent.username)
    page = client.get(reverse("console:sign-in-set-up"))
    html = page.content.decode()
    key = setup_key(html)
    assert re.fullmatch(r"([A-Z2-7]{4} ){7}[A-Z2-7]{4}", key)
    assert f"otpauth://totp/CivicDesk:{agent.username}?secret={key.replace(' ', '')}" in html
    assert re.search(r'<img src="data:image/svg\+xml;[^"]+" class="console-setup-qr" alt="QR', html)
    # Reloading shows the same key: it may already be in the app.
    assert setup_key(client.get(reverse("console:sign-in-set-up")).content.decode()) == key

    response = client.post(reverse("console:sign-in-set-up"), {"code": code_for(key)})

    html = response.content.decode()
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert "Two-factor authentication is set up." in html
    codes = re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", html)
    assert len(codes) == 10
    assert 'href="/staff/"' in html  # "I have saved my recovery codes" goes on
    assert is_signed_in(client)
    assert security.has_authenticator(agent)
    set_up = AuditEvent.objects.filter(detail__two_factor="set_up").get()
    assert set_up.actor == agent


def test_setting_up_with_a_wrong_code_says_so(client, agent, clock):
    give_password(client, agent.username)
    client.get(reverse("console:sign-in-set-up"))

    response = client.post(reverse("console:sign-in-set-up"), {"code": "12345"})

    assert "The code is not right" in response.content.decode()
    assert not security.has_authenticator(agent)
    assert not is_signed_in(client)


def test_a_staff_member_with_an_app_is_not_shown_a_new_key(client, agent, agent_key):
    give_password(client, agent.username)

    response = client.get(reverse("console:sign-in-set-up"))

    assert response["Location"] == reverse("console:sign-in-code")


def test_a_superuser_is_asked_for_a_code_too(client, clock):
    superuser = UserFactory(is_superuser=True, is_staff=True)

    response = give_password(client, superuser.username)

    assert response["Location"] == reverse("console:sign-in-set-up")


# No way around the code.


@pytest.mark.parametrize(("name", "args"), [*PAGES, ("console:account", [])])
def test_no_console_page_opens_on_the_password_alone(client, agent, agent_key, name, args):
    give_password(client, agent.username)

    response = client.get(reverse(name, args=args))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("console:sign-in"))


def test_the_admin_sends_everyone_to_the_console_sign_in(client, agent, agent_key):
    give_password(client, agent.username)

    index = client.get("/admin/", follow=True)
    login = client.get("/admin/login/?next=/admin/organisations/user/")

    assert index.redirect_chain[-1][0] == f"{reverse('console:sign-in')}?next=/admin/"
    assert login["Location"] == f"{reverse('console:sign-in')}?next=/admin/organisations/user/"
    posted = client.post("/admin/login/", {"username": agent.username, "password": PASSWORD})
    assert posted["Location"].startswith(reverse("console:sign-in"))
    assert not sign_ins(agent)


def test_the_admin_opens_after_both_steps_and_signs_out_through_the_console(client, clock):
    superuser = UserFactory(is_superuser=True, is_staff=True)
    give_password(client, superuser.username, next="/admin/")
    key = setup_key(client.get(reverse("console:sign-in-set-up")).content.decode())
    codes_page = client.post(reverse("console:sign-in-set-up"), {"code": code_for(key)})
    assert 'href="/admin/"' in codes_page.content.decode()

    assert client.get("/admin/").status_code == 200
    signed_out = client.post("/admin/logout/")

    assert signed_out["Location"] == reverse("console:sign-in")
    assert client.get("/admin/")["Location"].startswith("/admin/login/")
    assert AuditEvent.objects.filter(action=AuditAction.SIGNED_OUT, actor=superuser).exists()


def test_a_signed_in_agent_without_admin_rights_is_refused_not_sent_round(agent_client):
    response = agent_client.get("/admin/", follow=True)

    assert response.status_code == 403


# Locking out.


def test_five_wrong_passwords_lock_the_username_with_a_clear_message(client, agent, clock):
    for _try in range(4):
        give_password(client, agent.username, password="wrong")

    fifth = give_password(client, agent.username, password="wrong")
    right = give_password(client, agent.username)

    for response in (fifth, right):
        html = response.content.decode()
        assert LOCKED in html and "Enter a correct username" not in html
    clock.shift(datetime.timedelta(minutes=16))
    assert give_password(client, agent.username)["Location"] == reverse("console:sign-in-set-up")
    failures = AuditEvent.objects.filter(action=AuditAction.SIGN_IN_FAILED)
    assert failures.count() == 5
    assert not any("wrong" in str(entry.detail) for entry in failures)  # never the password


def test_an_unknown_username_gets_the_same_lock_message(client, clock):
    responses = [give_password(client, "no-such-person", password="wrong") for _try in range(6)]

    assert "Enter a correct username and password" in responses[0].content.decode()
    assert LOCKED in responses[4].content.decode()
    assert LOCKED in responses[5].content.decode()


def test_five_wrong_codes_end_the_sign_in(client, agent, agent_key):
    key, _codes = agent_key
    give_password(client, agent.username)
    for _try in range(4):
        client.post(reverse("console:sign-in-code"), {"code": "000000"})

    fifth = client.post(reverse("console:sign-in-code"), {"code": "000000"})
    after = client.post(reverse("console:sign-in-code"), {"code": code_for(key)})

    assert LOCKED in fifth.content.decode()
    assert after["Location"] == reverse("console:sign-in")
    assert LOCKED in give_password(client, agent.username).content.decode()


# Sessions: idle time, signing out everywhere, a new password.


def signed_in_client(user) -> Client:
    """Signed in through the pages (password alone), as the idle clock needs."""
    client = Client()
    give_password(client, user.username)
    return client


def test_a_staff_session_ends_after_thirty_minutes_without_a_request(agent, settings, clock):
    settings.CIVICDESK_STAFF_TWO_FACTOR = False
    client = signed_in_client(agent)
    clock.shift(datetime.timedelta(minutes=29))
    assert is_signed_in(client)  # and the clock starts again
    clock.shift(datetime.timedelta(minutes=29))
    assert is_signed_in(client)
    clock.shift(datetime.timedelta(minutes=30, seconds=1))

    response = client.get(reverse("console:queues"), follow=True)

    assert response.redirect_chain[0][0] == f"{reverse('console:sign-in')}?next=/staff/queues/"
    assert "You were signed out because you had not used CivicDesk for 30 minutes" in (
        response.content.decode()
    )
    assert not is_signed_in(client)
    idle = AuditEvent.objects.get(action=AuditAction.SIGNED_OUT)
    assert idle.detail == {"idle": True} and idle.actor == agent


def test_the_idle_time_is_a_setting(agent, settings, clock):
    settings.CIVICDESK_STAFF_TWO_FACTOR = False
    settings.CIVICDESK_STAFF_IDLE_MINUTES = 5
    client = signed_in_client(agent)
    clock.shift(datetime.timedelta(minutes=5, seconds=1))

    assert not is_signed_in(client)


def test_signing_out_everywhere_ends_other_sessions_but_this_one(agent, settings):
    settings.CIVICDESK_STAFF_TWO_FACTOR = False
    here, elsewhere = signed_in_client(agent), signed_in_client(agent)

    response = here.post(reverse("console:sign-out-elsewhere"), follow=True)

    assert "You have been signed out of CivicDesk on every other computer" in (
        response.content.decode()
    )
    assert is_signed_in(here)
    assert not is_signed_in(elsewhere)
    assert here.get(reverse("console:sign-out-elsewhere")).status_code == 405


def test_a_new_password_ends_other_sessions_but_this_one(agent, settings):
    settings.CIVICDESK_STAFF_TWO_FACTOR = False
    here, elsewhere = signed_in_client(agent), signed_in_client(agent)

    here.post(
        reverse("console:password-change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a-much-longer-passphrase-7",
            "new_password2": "a-much-longer-passphrase-7",
        },
    )

    assert is_signed_in(here)
    assert not is_signed_in(elsewhere)


def test_an_administrator_reset_ends_the_staff_members_sessions(agent, agent_key, council):
    client = Client()
    client.force_login(agent)
    administrator = MembershipFactory(team__organisation=council, role=Role.ADMINISTRATOR).user

    security.reset_two_factor(actor=administrator, user=agent)

    assert not is_signed_in(client)


# The account page.


def test_the_account_page_shows_the_app_and_recovery_codes_left(agent_client, agent, agent_key):
    _key, codes = agent_key
    security.check_sign_in_code(user=agent, code=codes[0], ip_address="")

    html = agent_client.get(reverse("console:account")).content.decode()

    assert "Set up on 7 December 2026" in html
    assert "9 left" in html
    assert "Get new recovery codes" in html and "Sign out on other computers" in html


def test_new_recovery_codes_from_the_account_page(agent_client, agent, agent_key):
    key, old_codes = agent_key
    url = reverse("console:new-recovery-codes")

    wrong = agent_client.post(url, {"code": old_codes[0]})
    made = agent_client.post(url, {"code": code_for(key)})

    assert "The code is not right" in wrong.content.decode()
    html = made.content.decode()
    assert "Save your recovery codes" in html and "Your old recovery codes no longer work." in html
    assert len(re.findall(r"<li><code>[a-z2-9]{5}-[a-z2-9]{5}</code></li>", html)) == 10
    assert "no-store" in made["Cache-Control"]


def test_the_account_page_without_an_app(agent_client):
    html = agent_client.get(reverse("console:account")).content.decode()

    assert "Not set up" in html and "Get new recovery codes" not in html
    response = agent_client.post(reverse("console:new-recovery-codes"), {"code": "123456"})
    assert response["Location"] == reverse("console:account")


def test_an_administrator_resets_two_factor_in_the_admin(client, agent, agent_key):
    superuser = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(superuser)

    response = client.post(
        "/admin/organisations/user/",
        {"action": "reset_two_factor", "_selected_action": [agent.pk]},
        follow=True,
    )

    assert "Two-factor authentication reset." in response.content.decode()
    assert not security.has_authenticator(agent)
