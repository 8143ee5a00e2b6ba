"""Every change to organisations, teams and staff membership, each audited in one transaction."""

from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from civicdesk.core.audit import record
from civicdesk.core.models import AuditAction
from civicdesk.organisations.models import Membership, Organisation, Role, Team, User
from civicdesk.organisations.selectors import calendar_for, home_organisation_id


@transaction.atomic
def create_organisation(
    *,
    actor: Any | None,
    name: str,
    slug: str,
    kind: str = Organisation.Kind.COUNCIL,
    parent: Organisation | None = None,
    gss_code: str = "",
    local_custodian_code: int | None = None,
    opening_hours: dict[str, list[str]] | None = None,
    closure_dates: list[str] | None = None,
) -> Organisation:
    """Set up a council or partner agency; opening hours default to Monday to Friday, 9 to 5."""
    organisation = Organisation(
        name=name,
        slug=slug,
        kind=kind,
        parent=parent,
        gss_code=gss_code,
        local_custodian_code=local_custodian_code,
    )
    if opening_hours is not None:
        organisation.opening_hours = opening_hours
    if closure_dates is not None:
        organisation.closure_dates = closure_dates
    organisation.full_clean()
    try:
        # SLA clocks read these later; refuse them now rather than when a case is raised.
        calendar_for(organisation)
    except ValueError as error:
        raise ValidationError({"opening_hours": str(error)}) from error
    organisation.save()
    record(
        actor=actor,
        action=AuditAction.CREATED,
        target=organisation,
        organisation_id=organisation.pk,
        summary=f"Created organisation {organisation.name}",
    )
    return organisation


@transaction.atomic
def create_team(
    *,
    actor: Any | None,
    organisation: Organisation,
    name: str,
    slug: str,
    email: str = "",
    is_contact_centre: bool = False,
) -> Team:
    """Add a team, e.g. a back-office service team or the contact centre."""
    team = Team(
        organisation=organisation,
        name=name,
        slug=slug,
        email=email,
        is_contact_centre=is_contact_centre,
    )
    team.full_clean()
    team.save()
    record(
        actor=actor,
        action=AuditAction.CREATED,
        target=team,
        summary=f"Created team {team.name}",
    )
    return team


@transaction.atomic
def add_staff_member(
    *,
    actor: Any | None,
    organisation: Organisation,
    team: Team,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    password: str | None,
    role: str,
) -> Membership:
    """Put a member of staff in a team, creating their account if they have none yet.

    A new account needs a password that passes the site's password rules. An existing account
    (matched on username, ignoring capitals) keeps its name, email and password, so pass None or
    "": passwords are changed through the sign-in pages, never by someone adding them to a team.
    """
    if team.organisation_id != organisation.pk:
        raise ValidationError({"team": _("The team belongs to a different organisation.")})
    _check_role(role)
    username = User.normalize_username(username)
    user = User.objects.select_for_update().filter(username__iexact=username).first()
    if user is None:
        user = _create_user(
            actor=actor,
            organisation=organisation,
            username=username,
            first_name=first_name,
            last_name=last_name,
            email=email,
            password=password,
        )
    elif password:
        raise ValidationError(
            {"password": _("This person already has an account. Leave the password blank.")}
        )
    elif Membership.objects.filter(user=user, team=team).exists():
        raise ValidationError({"team": _("This person is already in the team.")})
    membership = Membership.objects.create(
        organisation=organisation, team=team, user=user, role=role
    )
    record(
        actor=actor,
        action=AuditAction.ACCESS_GRANTED,
        target=membership,
        summary=f"Added {user.get_username()} to {team.name} as {membership.get_role_display()}",
        detail={"user_id": user.pk, "team_id": team.pk, "role": role},
    )
    return membership


def _create_user(
    *,
    actor: Any | None,
    organisation: Organisation,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    password: str | None,
) -> User:
    if not password:
        raise ValidationError({"password": _("Enter a password for the new account.")})
    user = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=User.objects.normalize_email(email),
    )
    # The similarity rule compares the password with the name, username and email set above.
    try:
        password_validation.validate_password(password, user=user)
    except ValidationError as error:
        raise ValidationError({"password": error.error_list}) from error
    user.set_password(password)
    user.full_clean()
    user.save()
    record(
        actor=actor,
        action=AuditAction.CREATED,
        target=user,
        organisation_id=organisation.pk,
        summary=f"Created the account {user.get_username()}",
    )
    return user


@transaction.atomic
def change_role(*, actor: Any | None, membership: Membership, role: str) -> Membership:
    """Give a member of staff a different role in one team; other teams are untouched."""
    _check_role(role)
    # The stored role, locked, is the one being replaced; the caller's copy may be stale.
    previous = (
        Membership.objects.select_for_update().values_list("role", flat=True).get(pk=membership.pk)
    )
    membership.role = role
    if previous == role:
        return membership
    membership.save(update_fields=["role"])
    record(
        actor=actor,
        action=AuditAction.UPDATED,
        target=membership,
        summary=f"Changed {membership.user.get_username()} from {Role(previous).label} "
        f"to {membership.get_role_display()} in {membership.team.name}",
        detail={"role": [previous, role]},
    )
    return membership


@transaction.atomic
def remove_from_team(*, actor: Any | None, membership: Membership) -> None:
    """Take a member of staff out of a team; their account and other teams stay."""
    membership = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("user", "team")
        .get(pk=membership.pk)
    )
    # Written before the delete, while the membership still has its id.
    record(
        actor=actor,
        action=AuditAction.ACCESS_REVOKED,
        target=membership,
        summary=f"Removed {membership.user.get_username()} from {membership.team.name}",
        detail={
            "user_id": membership.user_id,
            "team_id": membership.team_id,
            "role": membership.role,
        },
    )
    membership.delete()


def _check_role(role: str) -> None:
    if role not in Role.values:
        raise ValidationError({"role": _("Choose a role from the list.")})


def record_sign_in(*, user: User, second_factor: str = "") -> None:
    """Sign-ins and sign-outs are audited: they bound every session that saw customer data.

    `second_factor` says how the second step was passed ("app" or "recovery_code"), if asked.
    """
    record(
        actor=user,
        action=AuditAction.SIGNED_IN,
        target=user,
        organisation_id=home_organisation_id(user),
        summary="Signed in to the console",
        detail={"second_factor": second_factor} if second_factor else None,
    )


def record_sign_out(*, user: User, idle: bool = False) -> None:
    """`idle`: the session ended itself after a time without use."""
    record(
        actor=user,
        action=AuditAction.SIGNED_OUT,
        target=user,
        organisation_id=home_organisation_id(user),
        summary="Signed out after a time without use" if idle else "Signed out",
        detail={"idle": True} if idle else None,
    )


def change_password(*, user: User, new_password: str) -> User:
    """Set a new password (already validated by the form) and audit it, never the password."""
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        record(
            actor=user,
            action=AuditAction.PASSWORD_CHANGED,
            target=user,
            organisation_id=home_organisation_id(user),
            summary="Changed own password",
        )
    return user
