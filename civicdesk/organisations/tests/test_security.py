"""Staff sign-in security: authenticator apps, recovery codes, locking out, signing out
everywhere."""

import datetime
import time

import pytest
import time_machine
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from civicdesk.core.models import AuditAction, AuditEvent
from civicdesk.organisations import security, totp
from civicdesk.organisations.models import Authenticator, RecoveryCode, Role
from civicdesk.organisations.security import CodeOutcome, Stage
from civicdesk.organisations.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

IP = "198.51.100.7"
# A quarter past nine, a little way into a 30-second step.
NINE_FIFTEEN = datetime.datetime(2026, 12, 7, 9, 15, 5, tzinfo=datetime.UTC)


def code_for(key: str, *, steps_later: int = 0) -> str:
    return totp.totp(totp.key_bytes(key), time.time() + steps_later * totp.STEP_SECONDS)


@pytest.fixture
def clock():
    with time_machine.travel(NINE_FIFTEEN, tick=False) as traveller:
        yield traveller


@pytest.fixture
def enrolled(agent, clock):
    """The agent with an authenticator app set up, and their recovery codes."""
    key = totp.new_key()
    check = security.set_up_authenticator(user=agent, key=key, code=code_for(key), ip_address=IP)
    assert check.accepted
    clock.shift(2 * totp.STEP_SECONDS)  # the set-up code's step is spent, and out of reach
    return key, check.recovery_codes


def failures_for(user) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.for_record("organisations.user", user.pk).filter(
            action=AuditAction.SIGN_IN_FAILED
        )
    )


# Setting up an app.


def test_setting_up_keeps_the_key_and_makes_ten_recovery_codes(agent, clock):
    key = totp.new_key()

    check = security.set_up_authenticator(user=agent, key=key, code=code_for(key), ip_address=IP)

    assert check.outcome is CodeOutcome.APP
    assert len(check.recovery_codes) == 10 == len(set(check.recovery_codes))
    assert Authenticator.objects.get(user=agent).key == key
    stored = set(RecoveryCode.objects.filter(user=agent).values_list("digest", flat=True))
    assert len(stored) == 10 and not stored & set(check.recovery_codes)
    entry = AuditEvent.objects.for_record("organisations.user", agent.pk).get()
    assert entry.action == AuditAction.UPDATED
    assert entry.detail == {"two_factor": "set_up"}
    assert key not in str(entry.detail) + entry.summary


def test_setting_up_with_a_wrong_code_keeps_nothing_and_counts_as_a_failure(agent, clock):
    key = totp.new_key()
    wrong = code_for(key, steps_later=5)

    check = security.set_up_authenticator(user=agent, key=key, code=wrong, ip_address=IP)

    assert check.outcome is CodeOutcome.WRONG and not check.recovery_codes
    assert not Authenticator.objects.filter(user=agent).exists()
    assert not RecoveryCode.objects.exists()
    [failure] = failures_for(agent)
    assert failure.detail["stage"] == "code"


# Signing in with a code.


def test_a_code_from_the_app_works_once(agent, enrolled):
    key, _codes = enrolled
    code = code_for(key)

    first = security.check_sign_in_code(user=agent, code=code, ip_address=IP)
    again = security.check_sign_in_code(user=agent, code=code, ip_address=IP)

    assert first.outcome is CodeOutcome.APP
    assert again.outcome is CodeOutcome.REUSED
    assert len(failures_for(agent)) == 1


def test_a_code_older_than_the_last_one_used_is_refused(agent, enrolled):
    key, _codes = enrolled
    previous = code_for(key, steps_later=-1)
    assert security.check_sign_in_code(user=agent, code=code_for(key), ip_address=IP).accepted

    check = security.check_sign_in_code(user=agent, code=previous, ip_address=IP)

    assert check.outcome is CodeOutcome.REUSED


@pytest.mark.parametrize("steps", [-1, 1])
def test_a_phone_clock_a_step_out_is_forgiven(agent, enrolled, steps):
    key, _codes = enrolled

    check = security.check_sign_in_code(
        user=agent, code=code_for(key, steps_later=steps), ip_address=IP
    )

    assert check.outcome is CodeOutcome.APP


def test_a_code_two_steps_out_is_wrong(agent, enrolled):
    key, _codes = enrolled

    check = security.check_sign_in_code(
        user=agent, code=code_for(key, steps_later=2), ip_address=IP
    )

    assert check.outcome is CodeOutcome.WRONG


def test_a_recovery_code_works_once_however_it_is_typed(agent, enrolled):
    _key, codes = enrolled
    typed = f"  {codes[3].upper().replace('-', ' ')} "

    first = security.check_sign_in_code(user=agent, code=typed, ip_address=IP)
    again = security.check_sign_in_code(user=agent, code=codes[3], ip_address=IP)

    assert first.outcome is CodeOutcome.RECOVERY_CODE
    assert first.recovery_codes_left == 9
    assert again.outcome is CodeOutcome.WRONG
    used = AuditEvent.objects.for_record("organisations.user", agent.pk).filter(
        detail__two_factor="recovery_code_used"
    )
    assert [entry.detail["left"] for entry in used] == [9]
    assert codes[3] not in used.get().summary


def test_another_staff_members_recovery_code_does_not_work(agent, enrolled, contact_centre):
    _key, codes = enrolled
    colleague = MembershipFactory(team=contact_centre).user
    key = totp.new_key()
    security.set_up_authenticator(user=colleague, key=key, code=code_for(key), ip_address=IP)

    check = security.check_sign_in_code(user=colleague, code=codes[0], ip_address=IP)

    assert check.outcome is CodeOutcome.WRONG


def test_new_recovery_codes_need_a_current_code_and_replace_the_old(agent, enrolled):
    key, old_codes = enrolled

    refused = security.regenerate_recovery_codes(user=agent, code=old_codes[0], ip_address=IP)
    made = security.regenerate_recovery_codes(user=agent, code=code_for(key), ip_address=IP)

    assert refused.outcome is CodeOutcome.WRONG and not refused.recovery_codes
    assert made.outcome is CodeOutcome.APP and len(made.recovery_codes) == 10
    assert not set(made.recovery_codes) & set(old_codes)
    assert security.check_sign_in_code(user=agent, code=old_codes[1], ip_address=IP).outcome is (
        CodeOutcome.WRONG
    )
    assert security.check_sign_in_code(
        user=agent, code=made.recovery_codes[0], ip_address=IP
    ).accepted
    assert AuditEvent.objects.filter(detail__two_factor="recovery_codes_replaced").count() == 1


# Locking out.


def test_five_wrong_passwords_lock_the_username_for_fifteen_minutes(agent, clock):
    locks = [
        security.record_failed_sign_in(username=agent.username, ip_address=IP, stage=Stage.PASSWORD)
        for _try in range(5)
    ]

    assert locks == [False, False, False, False, True]
    assert security.sign_in_locked(username=agent.username.upper(), ip_address="203.0.113.1")
    clock.shift(datetime.timedelta(minutes=14, seconds=59))
    assert security.sign_in_locked(username=agent.username, ip_address="203.0.113.1")
    clock.shift(datetime.timedelta(seconds=2))
    assert not security.sign_in_locked(username=agent.username, ip_address="203.0.113.1")
    lock = AuditEvent.objects.get(action=AuditAction.ACCESS_REVOKED)
    assert lock.record_id == str(agent.pk)
    assert lock.summary == "Staff sign-in locked for 15 minutes after 5 failed tries"


def test_failures_spread_over_more_than_the_period_do_not_lock(agent, clock):
    for _try in range(4):
        security.record_failed_sign_in(username=agent.username, ip_address=IP, stage="password")
    clock.shift(datetime.timedelta(minutes=16))

    locked = security.record_failed_sign_in(
        username=agent.username, ip_address=IP, stage=Stage.PASSWORD
    )

    assert not locked


def test_an_unknown_username_is_locked_like_a_real_one(db, clock):
    for _try in range(5):
        security.record_failed_sign_in(username="nobody", ip_address=IP, stage=Stage.PASSWORD)

    assert security.sign_in_locked(username="Nobody", ip_address="203.0.113.1")
    failure = AuditEvent.objects.filter(action=AuditAction.SIGN_IN_FAILED).first()
    assert failure.summary == "Staff sign-in failed: unknown username"
    # The username typed is kept only as a keyed hash: it may be a password typed in the
    # wrong box.
    assert "nobody" not in str(failure.detail)
    assert set(failure.detail) == {"staff", "stage", "account", "ip"}


def test_twenty_failures_from_one_address_stop_every_username_from_there(db, clock):
    for number in range(20):
        security.record_failed_sign_in(
            username=f"guess{number}", ip_address=IP, stage=Stage.PASSWORD
        )

    assert security.sign_in_locked(username="someone-else", ip_address=IP)
    assert not security.sign_in_locked(username="someone-else", ip_address="203.0.113.1")
    clock.shift(datetime.timedelta(minutes=15, seconds=1))
    assert not security.sign_in_locked(username="someone-else", ip_address=IP)


def test_five_wrong_codes_lock_the_account_even_for_the_right_code(agent, enrolled):
    key, codes = enrolled
    outcomes = [
        security.check_sign_in_code(user=agent, code="000000", ip_address=IP).outcome
        for _try in range(5)
    ]

    assert outcomes == [CodeOutcome.WRONG] * 4 + [CodeOutcome.LOCKED]
    for code in (code_for(key), codes[0]):
        check = security.check_sign_in_code(user=agent, code=code, ip_address=IP)
        assert check.outcome is CodeOutcome.LOCKED
    assert len(failures_for(agent)) == 5  # nothing more is counted while locked
    assert security.sign_in_locked(username=agent.username, ip_address="203.0.113.1")


# Resetting an app, and sessions.


@pytest.fixture
def administrator(council):
    return MembershipFactory(team=TeamFactory(organisation=council), role=Role.ADMINISTRATOR).user


def test_an_administrator_resets_a_colleagues_app(agent, enrolled, administrator):
    generation = agent.session_generation

    security.reset_two_factor(actor=administrator, user=agent)

    assert not security.has_authenticator(agent)
    assert not RecoveryCode.objects.filter(user=agent).exists()
    assert agent.session_generation == generation + 1
    entry = AuditEvent.objects.get(action=AuditAction.ACCESS_REVOKED)
    assert entry.actor == administrator and entry.record_id == str(agent.pk)
    assert entry.summary == f"Reset two-factor authentication for {agent.username}"


def test_only_an_administrator_of_their_organisation_may_reset(agent, enrolled, contact_centre):
    elsewhere = TeamFactory(organisation=OrganisationFactory(name="Elsewhere", slug="elsewhere"))
    other_admin = MembershipFactory(team=elsewhere, role=Role.ADMINISTRATOR).user
    manager = MembershipFactory(team=contact_centre, role=Role.MANAGER).user

    for actor in (other_admin, manager, agent):
        with pytest.raises(PermissionDenied):
            security.reset_two_factor(actor=actor, user=agent)

    assert security.has_authenticator(agent)
    security.reset_two_factor(actor=UserFactory(is_superuser=True), user=agent)
    assert not security.has_authenticator(agent)


def test_signing_out_everywhere_changes_every_sessions_hash(agent):
    before = agent.get_session_auth_hash()
    # Until the first time, the hash is Django's own: sessions from before stay signed in.
    assert before == AbstractBaseUser.get_session_auth_hash(agent)

    security.sign_out_everywhere(user=agent)

    assert agent.get_session_auth_hash() != before
    entry = AuditEvent.objects.get(action=AuditAction.SIGNED_OUT)
    assert entry.detail == {"everywhere": True}
    assert entry.occurred_at <= timezone.now()
