"""Residents' portal accounts: every write about them goes through here.

A portal account is an ordinary user with no staff membership, whose username is the
normalised email address, tied to the customer record their requests are on. The email address
is confirmed by a signed, expiring link sent through notify; until then the account signs in
but shows none of the customer's history. Failed sign-ins are counted in the audit log, per
account and per IP address, and enough of them in a short time stop further tries for a while.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction
from django.utils import timezone

from civicdesk.core.audit import record
from civicdesk.core.models import AuditAction
from civicdesk.core.throttle import recent_failures
from civicdesk.notify.models import Message, MessageEvent
from civicdesk.notify.services import notify_customer
from civicdesk.organisations.models import Membership, Organisation
from civicdesk.people import matching
from civicdesk.people.models import Customer, PortalAccount, Representative
from civicdesk.people.services import find_or_register_customer, update_customer
from civicdesk.places.models import Address

User = get_user_model()

VERIFY_SALT = "civicdesk.people.accounts.verify-email"
VERIFY_MAX_AGE = datetime.timedelta(days=3)

# Failed sign-ins: this many in the window stop further tries until the window has passed.
THROTTLE_WINDOW = datetime.timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20

LinkFor = Callable[[str], str]


def username_for(email: str) -> str:
    """A portal account's username: its email address, trimmed and in lower case."""
    return matching.normalise_email(email)


def is_staff_account(user: Any) -> bool:
    """Staff sign in to the console, never the portal: a membership anywhere, or a superuser."""
    return bool(user.is_superuser or user.is_staff or Membership.objects.filter(user=user).exists())


def account_for(user: Any) -> PortalAccount | None:
    """The signed-in user's portal account, or None for staff and anonymous visitors."""
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return PortalAccount.objects.select_related("customer", "organisation").get(user=user)
    except PortalAccount.DoesNotExist:
        return None


# Confirming the email address.


def verification_token(account: PortalAccount) -> str:
    """A signed token naming the account and the address it confirms (so a changed address
    needs a new link). It expires after VERIFY_MAX_AGE; once used it only says so."""
    return signing.dumps(
        {"account": account.pk, "email": username_for(account.user.email)}, salt=VERIFY_SALT
    )


class InvalidLink(Exception):
    """A confirmation link that was altered, belongs to no account, or has expired."""

    def __init__(self, reason: str) -> None:
        self.reason = reason  # "expired" or "invalid"
        super().__init__(reason)


@dataclass(frozen=True)
class Verification:
    account: PortalAccount
    already_verified: bool


def _send(
    *, organisation: Organisation, event: str, email: str, name: str, url: str
) -> Message | None:
    return notify_customer(
        organisation=organisation,
        customer=None,  # to the address given, never another of the customer's
        event=event,
        about_reference="",
        service=None,
        personalisation={"name": name, "url": url},
        email=email,
    )


@transaction.atomic
def send_verification(*, account: PortalAccount, link_for: LinkFor) -> Message | None:
    """Email a link to confirm the account's address; `link_for(token)` makes its URL."""
    return _send(
        organisation=account.organisation,
        event=MessageEvent.VERIFY_EMAIL,
        email=account.user.email,
        name=account.user.get_full_name(),
        url=link_for(verification_token(account)),
    )


@transaction.atomic
def verify_email(*, token: str) -> Verification:
    """Mark the account's email address as confirmed; InvalidLink if the token is no good.

    A second use finds the account already confirmed and changes nothing.
    """
    try:
        payload = signing.loads(token, salt=VERIFY_SALT, max_age=VERIFY_MAX_AGE.total_seconds())
    except signing.SignatureExpired as error:
        raise InvalidLink("expired") from error
    except signing.BadSignature as error:
        raise InvalidLink("invalid") from error
    account = (
        PortalAccount.objects.select_for_update()
        .select_related("user", "customer", "organisation")
        .filter(pk=payload.get("account"))
        .first()
    )
    if account is None or username_for(account.user.email) != payload.get("email"):
        raise InvalidLink("invalid")
    if account.is_verified:
        return Verification(account=account, already_verified=True)
    account.email_verified_at = timezone.now()
    account.save(update_fields=["email_verified_at"])
    record(
        actor=account.user,
        action=AuditAction.UPDATED,
        target=account,
        summary="Portal account email address confirmed",
    )
    link_representations(user=account.user)
    return Verification(account=account, already_verified=False)


# Creating an account.


@transaction.atomic
def create_account(
    *,
    organisation: Organisation,
    forenames: str,
    surname: str,
    email: str,
    password: str,
    address: Address | None = None,
    verify_link_for: LinkFor,
    reset_link: str,
) -> PortalAccount | None:
    """Create a resident's account and email the link to confirm the address.

    When the address already has an account nothing is created and None is returned; the
    owner is emailed instead (with `reset_link`, in case they forgot their password), so the
    page shown afterwards is the same either way and says nothing about who has an account.
    The customer record is found (same email and surname) or registered; a found record's
    details are left alone.
    """
    username = username_for(email)
    existing = User.objects.filter(username=username).first()
    if existing is not None:
        _send(
            organisation=organisation,
            event=MessageEvent.ACCOUNT_EXISTS,
            email=existing.email or email.strip(),
            name=existing.get_full_name(),
            url=reset_link,
        )
        record(
            actor=None,
            action=AuditAction.SIGN_IN_FAILED,
            target=existing,
            organisation_id=organisation.pk,
            summary="Tried to create a portal account with an email address already used",
        )
        return None
    started = timezone.now()
    customer = find_or_register_customer(
        actor=None, organisation=organisation, forenames=forenames, surname=surname, email=email
    )
    if address is not None and customer.address_id is None and customer.created_at >= started:
        customer = update_customer(actor=None, customer=customer, address=address)
    user = User(
        username=username,
        email=email.strip(),
        first_name=forenames.strip()[:150],
        last_name=surname.strip()[:150],
    )
    user.set_password(password)
    user.save()
    account = PortalAccount.objects.create(organisation=organisation, user=user, customer=customer)
    record(
        actor=user,
        action=AuditAction.CREATED,
        target=account,
        summary="Portal account created",
        detail={"customer": customer.reference},
    )
    send_verification(account=account, link_for=verify_link_for)
    return account


# Signing in and out, and passwords.


def is_throttled(*, email: str, ip_address: str) -> bool:
    """Whether too many sign-ins have failed lately for this account or from this address."""
    failures = recent_failures(window=THROTTLE_WINDOW, portal=True)
    if ip_address and failures.filter(detail__ip=ip_address).count() >= MAX_FAILURES_PER_ADDRESS:
        return True
    user = User.objects.filter(username=username_for(email)).first()
    if user is None:
        return False
    by_account = failures.filter(record_type=user._meta.label_lower, record_id=str(user.pk))
    return by_account.count() >= MAX_FAILURES_PER_ACCOUNT


@transaction.atomic
def record_failed_sign_in(*, email: str, ip_address: str, organisation: Organisation) -> None:
    """Count a failed portal sign-in against the account (if there is one) and the address."""
    user = User.objects.filter(username=username_for(email)).first()
    record(
        actor=None,
        action=AuditAction.SIGN_IN_FAILED,
        target=user if user is not None else organisation,
        organisation_id=organisation.pk,
        summary="Portal sign-in failed",
        detail={"portal": True, "ip": ip_address},
    )


@transaction.atomic
def record_portal_sign_in(*, user: Any) -> list[Representative]:
    """Audit the sign-in and link any representations recorded for a confirmed address."""
    account = PortalAccount.objects.get(user=user)
    record(
        actor=user,
        action=AuditAction.SIGNED_IN,
        target=user,
        organisation_id=account.organisation_id,
        summary="Signed in to the portal",
    )
    return link_representations(user=user) if account.is_verified else []


def record_portal_sign_out(*, user: Any) -> None:
    account = PortalAccount.objects.filter(user=user).first()
    record(
        actor=user,
        action=AuditAction.SIGNED_OUT,
        target=user,
        organisation_id=account.organisation_id if account else None,
        summary="Signed out of the portal",
    )


@transaction.atomic
def send_password_reset(*, user: Any, url: str) -> Message | None:
    """Email a portal account's owner the link to choose a new password."""
    account = PortalAccount.objects.select_related("organisation").get(user=user)
    return _send(
        organisation=account.organisation,
        event=MessageEvent.PASSWORD_RESET,
        email=user.email,
        name=user.get_full_name(),
        url=url,
    )


@transaction.atomic
def set_portal_password(*, user: Any, new_password: str, by_email_link: bool = False) -> Any:
    """Set a new password (validated by the form); audit it, never the password.

    A password chosen through the emailed reset link also proves the address is the owner's,
    so an unconfirmed account becomes confirmed.
    """
    account = PortalAccount.objects.select_for_update().get(user=user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    record(
        actor=user,
        action=AuditAction.PASSWORD_CHANGED,
        target=user,
        organisation_id=account.organisation_id,
        summary="Reset portal password by email link" if by_email_link else "Changed own password",
    )
    if by_email_link and not account.is_verified:
        account.email_verified_at = timezone.now()
        account.save(update_fields=["email_verified_at"])
        record(
            actor=user,
            action=AuditAction.UPDATED,
            target=account,
            summary="Portal account email address confirmed by password reset",
        )
    return user


# Contact preferences.

PREFERENCE_FIELDS = (
    "preferred_channel", "email", "phone", "mobile", "needs_large_print", "needs_easy_read",
    "needs_bsl", "interpreter_language",
)  # fmt: skip


def save_preferences(*, account: PortalAccount, **preferences: Any) -> Customer:
    """Save the resident's contact preferences on their customer record."""
    unknown = set(preferences) - set(PREFERENCE_FIELDS)
    if unknown:
        raise TypeError(f"Not contact preferences: {', '.join(sorted(unknown))}")
    return update_customer(actor=account.user, customer=account.customer, **preferences)


# Representatives: the sign-in of someone who acts for customers.


@transaction.atomic
def link_representations(*, user: Any) -> list[Representative]:
    """Link to `user` the representations staff recorded with their (confirmed) email address
    that have no sign-in yet. Call only once the address is confirmed."""
    email = username_for(user.email)
    if not email:
        return []
    found = list(
        Representative.objects.select_for_update()
        .filter(user__isnull=True, email__iexact=email)
        .select_related("customer")
    )
    for representative in found:
        representative.user = user
        representative.save(update_fields=["user"])
        record(
            actor=user,
            action=AuditAction.ACCESS_GRANTED,
            target=representative.customer,
            summary=f"{representative.name}'s portal sign-in linked to their representation",
            detail={"representative": representative.pk, "user": user.pk},
        )
    return found


def representations_for(user: Any) -> Any:
    """Whom the user may act for on the portal: in force, and more than receiving information."""
    return (
        Representative.objects.in_force()
        .filter(user=user)
        .exclude(scope=Representative.Scope.INFORMATION_ONLY)
        .select_related("customer")
        .order_by("customer__surname", "customer__forenames", "pk")
    )


def representation_for(user: Any, pk: Any) -> Representative | None:
    """The representation `pk` if the user may act on it now, else None."""
    try:
        return representations_for(user).filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        return None


def record_acting_for(*, user: Any, representative: Representative, started: bool) -> None:
    """Audit the start or end of acting for a customer on the portal."""
    record(
        actor=user,
        action=AuditAction.ACCESS_GRANTED if started else AuditAction.ACCESS_REVOKED,
        target=representative.customer,
        summary=(
            f"{representative.name} started acting for the customer on the portal"
            if started
            else f"{representative.name} stopped acting for the customer on the portal"
        ),
        detail={"representative": representative.pk},
    )
