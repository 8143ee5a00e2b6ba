"""Staff sign-in security: two-factor authentication, locking out guessers, signing out
everywhere. Every write about it goes through here, audited.

Staff see customers' personal data, so a password alone is not enough: a code from an
authenticator app (or a single-use recovery code) is asked for too. Failed passwords and codes
are audit entries; enough of them for one username, or from one address, stop further tries
for a while (see `civicdesk.core.throttle`).
"""

import datetime
import enum
import hashlib
import secrets
import time
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac

from civicdesk.core.audit import record
from civicdesk.core.models import AuditAction, AuditEvent
from civicdesk.core.throttle import recent_failures
from civicdesk.organisations import totp
from civicdesk.organisations.models import Authenticator, Membership, RecoveryCode, Role, User
from civicdesk.organisations.selectors import home_organisation_id

# This many failures for one username within the period lock it for the period; this many from
# one address within the period stop every try from there until they age out.
LOCK_AFTER_FAILURES = 5
LOCK_PERIOD = datetime.timedelta(minutes=15)
MAX_FAILURES_PER_ADDRESS = 20

RECOVERY_CODE_COUNT = 10
# Ten characters from 31 (no 0/o, 1/l/i) are about 50 bits: a plain hash is safe to keep.
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_RECOVERY_LENGTH = 10


class Stage(enum.StrEnum):
    PASSWORD = "password"
    CODE = "code"


class CodeOutcome(enum.Enum):
    APP = "app"  # a code from the authenticator app
    RECOVERY_CODE = "recovery_code"
    WRONG = "wrong"
    REUSED = "reused"  # a right code, already used once
    LOCKED = "locked"


@dataclass(frozen=True)
class CodeCheck:
    outcome: CodeOutcome
    recovery_codes: list[str] = field(default_factory=list)  # new ones, to show once
    recovery_codes_left: int = 0

    @property
    def accepted(self) -> bool:
        return self.outcome in (CodeOutcome.APP, CodeOutcome.RECOVERY_CODE)


# Locking out.


def account_key(username: str) -> str:
    """What failures are counted by: a keyed hash of the username, ignoring capitals.

    A username that belongs to nobody is counted (and locked) like a real one, so the lock says
    nothing about who has an account; and a password typed into the username box by mistake
    never reaches the audit log.
    """
    normalised = username.strip().casefold()
    return salted_hmac("civicdesk.staff-sign-in", normalised, algorithm="sha256").hexdigest()[:32]


def sign_in_locked(*, username: str, ip_address: str) -> bool:
    """Whether the username is locked, or its address has failed too often, just now."""
    if ip_address:
        from_address = recent_failures(window=LOCK_PERIOD, staff=True, ip=ip_address)
        if from_address.count() >= MAX_FAILURES_PER_ADDRESS:
            return True
    return AuditEvent.objects.filter(
        action=AuditAction.ACCESS_REVOKED,
        occurred_at__gte=timezone.now() - LOCK_PERIOD,
        detail__locked_account=account_key(username),
    ).exists()


@transaction.atomic
def record_failed_sign_in(
    *, username: str, ip_address: str, stage: Stage, user: User | None = None
) -> bool:
    """Audit a wrong password or code (never what was typed); return whether the username is
    now locked, which happens on the LOCK_AFTER_FAILURES-th failure within LOCK_PERIOD.

    Callers check `sign_in_locked` first and record nothing while it holds, so a lock lasts
    LOCK_PERIOD and the failures before it have aged out when it ends.
    """
    if user is None:
        user = User.objects.filter(username=username).first()
    key = account_key(username)
    # An unknown username has no account to name: the entry names an unsaved one (id "None").
    target = user if user is not None else User()
    described = {
        Stage.PASSWORD: "wrong password" if user is not None else "unknown username",
        Stage.CODE: "wrong or reused code",
    }[stage]
    organisation_id = home_organisation_id(user) if user is not None else None
    record(
        actor=None,
        action=AuditAction.SIGN_IN_FAILED,
        target=target,
        organisation_id=organisation_id,
        summary=f"Staff sign-in failed: {described}",
        detail={"staff": True, "stage": str(stage), "account": key, "ip": ip_address},
    )
    if recent_failures(window=LOCK_PERIOD, staff=True, account=key).count() < LOCK_AFTER_FAILURES:
        return False
    record(
        actor=None,
        action=AuditAction.ACCESS_REVOKED,
        target=target,
        organisation_id=organisation_id,
        summary=f"Staff sign-in locked for {LOCK_PERIOD.seconds // 60} minutes after "
        f"{LOCK_AFTER_FAILURES} failed tries",
        detail={"staff": True, "locked_account": key, "ip": ip_address},
    )
    return True


# Two-factor authentication.


def has_authenticator(user: User) -> bool:
    return Authenticator.objects.filter(user=user).exists()


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def _new_recovery_codes(user: User, *, summary: str, two_factor: str) -> CodeCheck:
    """Replace the user's recovery codes with RECOVERY_CODE_COUNT new ones, audited, and return
    them to show once; only their hashes are kept."""
    RecoveryCode.objects.filter(user=user).delete()
    codes = []
    for _number in range(RECOVERY_CODE_COUNT):
        characters = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
        codes.append(f"{characters[:5]}-{characters[5:]}")
    RecoveryCode.objects.bulk_create(
        RecoveryCode(user=user, digest=_recovery_digest(code)) for code in codes
    )
    record(
        actor=user,
        action=AuditAction.UPDATED,
        target=user,
        summary=summary,
        detail={"two_factor": two_factor},
    )
    return CodeCheck(CodeOutcome.APP, recovery_codes=codes, recovery_codes_left=len(codes))


def _recovery_digest(code: str) -> str:
    """The stored form of a recovery code: its SHA-256, forgiving spaces, hyphens and capitals
    as typed. Not keyed, so the codes outlive a change of SECRET_KEY."""
    normalised = "".join(code.split()).replace("-", "").lower()
    return hashlib.sha256(normalised.encode()).hexdigest()


def _failed_code(*, user: User, ip_address: str, outcome: CodeOutcome) -> CodeCheck:
    locked = record_failed_sign_in(
        username=user.get_username(), ip_address=ip_address, stage=Stage.CODE, user=user
    )
    return CodeCheck(CodeOutcome.LOCKED if locked else outcome)


def _use_app_code(authenticator: Authenticator, code: str) -> CodeOutcome:
    """Check a code from the app and, if right, keep its step so it cannot be used again."""
    step = totp.matching_step(totp.key_bytes(authenticator.key), code, at=time.time())
    if step is None:
        return CodeOutcome.WRONG
    if step <= authenticator.last_step:
        return CodeOutcome.REUSED
    authenticator.last_step = step
    authenticator.save(update_fields=["last_step"])
    return CodeOutcome.APP


def _digits(code: str) -> str:
    return "".join(code.split())


@transaction.atomic
def set_up_authenticator(*, user: User, key: str, code: str, ip_address: str) -> CodeCheck:
    """Keep the key once a first code from the app proves it went in, and make the staff
    member's recovery codes. A wrong code counts as a failed try."""
    if sign_in_locked(username=user.get_username(), ip_address=ip_address):
        return CodeCheck(CodeOutcome.LOCKED)
    step = totp.matching_step(totp.key_bytes(key), _digits(code), at=time.time())
    if step is None:
        return _failed_code(user=user, ip_address=ip_address, outcome=CodeOutcome.WRONG)
    Authenticator.objects.update_or_create(user=user, defaults={"key": key, "last_step": step})
    return _new_recovery_codes(
        user, summary="Set up two-factor authentication", two_factor="set_up"
    )


@transaction.atomic
def check_sign_in_code(*, user: User, code: str, ip_address: str) -> CodeCheck:
    """Check the second step of signing in: a code from the app, or an unused recovery code.

    Each works once. Wrong and reused codes count as failed tries, towards a lock.
    """
    if sign_in_locked(username=user.get_username(), ip_address=ip_address):
        return CodeCheck(CodeOutcome.LOCKED)
    authenticator = Authenticator.objects.select_for_update().get(user=user)
    typed = _digits(code)
    if len(typed) == totp.DIGITS and typed.isdigit():
        outcome = _use_app_code(authenticator, typed)
        if outcome is not CodeOutcome.APP:
            return _failed_code(user=user, ip_address=ip_address, outcome=outcome)
        return CodeCheck(outcome)
    recovery = (
        RecoveryCode.objects.select_for_update()
        .filter(user=user, digest=_recovery_digest(typed), used_at__isnull=True)
        .first()
    )
    if recovery is None:
        return _failed_code(user=user, ip_address=ip_address, outcome=CodeOutcome.WRONG)
    recovery.used_at = timezone.now()
    recovery.save(update_fields=["used_at"])
    left = recovery_codes_left(user)
    record(
        actor=user,
        action=AuditAction.UPDATED,
        target=user,
        summary=f"Used a recovery code to sign in ({left} left)",
        detail={"two_factor": "recovery_code_used", "left": left},
    )
    return CodeCheck(CodeOutcome.RECOVERY_CODE, recovery_codes_left=left)


@transaction.atomic
def regenerate_recovery_codes(*, user: User, code: str, ip_address: str) -> CodeCheck:
    """Replace the staff member's recovery codes, e.g. when they have used some or lost the
    list. A current code from the app is needed, so a session left open is not enough."""
    if sign_in_locked(username=user.get_username(), ip_address=ip_address):
        return CodeCheck(CodeOutcome.LOCKED)
    authenticator = Authenticator.objects.select_for_update().get(user=user)
    outcome = _use_app_code(authenticator, _digits(code))
    if outcome is not CodeOutcome.APP:
        return _failed_code(user=user, ip_address=ip_address, outcome=outcome)
    return _new_recovery_codes(
        user, summary="Made new recovery codes", two_factor="recovery_codes_replaced"
    )


def may_reset_two_factor(*, actor: User, user: User) -> bool:
    """Superusers, and administrators of an organisation the staff member works in."""
    organisations = Membership.objects.filter(user=user).values_list("organisation", flat=True)
    return (
        actor.is_superuser
        or Membership.objects.filter(
            user=actor, role=Role.ADMINISTRATOR, organisation__in=organisations
        ).exists()
    )


@transaction.atomic
def reset_two_factor(*, actor: User, user: User) -> None:
    """Forget a staff member's authenticator and recovery codes (a lost or new phone) and sign
    them out everywhere: their next sign-in sets up an app again.

    Whoever signs in next with their password sets up the app, so check who is asking first.
    """
    if not may_reset_two_factor(actor=actor, user=user):
        raise PermissionDenied("Only an administrator of their organisation may do this.")
    Authenticator.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
    _raise_session_generation(user)
    record(
        actor=actor,
        action=AuditAction.ACCESS_REVOKED,
        target=user,
        summary=f"Reset two-factor authentication for {user.get_username()}",
        detail={"two_factor": "reset"},
    )


# Sessions.


def _raise_session_generation(user: User) -> None:
    User.objects.filter(pk=user.pk).update(session_generation=F("session_generation") + 1)
    user.refresh_from_db(fields=["session_generation"])


@transaction.atomic
def sign_out_everywhere(*, user: User) -> None:
    """End every session the staff member has signed in, this one too unless the caller keeps
    it (`update_session_auth_hash`): a shared or lost computer, a suspicion."""
    _raise_session_generation(user)
    record(
        actor=user,
        action=AuditAction.SIGNED_OUT,
        target=user,
        summary="Signed out on every other computer",
        detail={"everywhere": True},
    )
