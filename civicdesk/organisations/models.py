"""Councils, partner agencies, their teams and the staff who work in them."""

import hashlib
from collections.abc import Iterator

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


def default_opening_hours() -> dict[str, list[str]]:
    """Monday to Friday, 09:00 to 17:00: weekday number (0 = Monday) to [open, close]."""
    return {str(day): ["09:00", "17:00"] for day in range(5)}


class Organisation(models.Model):
    class Kind(models.TextChoices):
        COUNCIL = "council", _("Council")
        PARTNER = "partner", _("Partner agency")

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.COUNCIL)
    gss_code = models.CharField(_("GSS code"), max_length=9, blank=True)
    local_custodian_code = models.PositiveIntegerField(null=True, blank=True)
    # The organisation this one works for, e.g. the council a Citizens Advice branch serves.
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="partners"
    )
    opening_hours = models.JSONField(default=default_opening_hours)
    closure_dates = models.JSONField(
        default=list, blank=True, help_text=_("Extra closed days, ISO dates, e.g. Christmas.")
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    class CaseAssignment(models.TextChoices):
        MANUAL = "manual", _("A team leader or officer assigns each case")
        ROUND_ROBIN = "round_robin", _("Round robin among the team's officers")
        LEAST_LOADED = "least_loaded", _("The officer with the fewest open cases")

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60)
    email = models.EmailField(blank=True)
    is_contact_centre = models.BooleanField(
        default=False, help_text=_("Front-line agents who take calls and visits.")
    )
    case_assignment = models.CharField(
        max_length=20, choices=CaseAssignment.choices, default=CaseAssignment.MANUAL
    )
    # What the team promises when another team or the council refers work to it.
    referral_acknowledge_hours = models.PositiveIntegerField(
        default=8, help_text=_("Working hours to acknowledge a referral.")
    )
    referral_complete_days = models.PositiveIntegerField(
        default=10, help_text=_("Working days to complete a referral.")
    )

    class Meta:
        ordering = ["organisation__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "slug"], name="team_slug_unique")
        ]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A member of staff (or, later, a portal account)."""

    # Raised to end every session signed in before ("sign out everywhere"): it is part of the
    # hash each session keeps, so Django's own check signs out the sessions it no longer fits.
    session_generation = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def get_session_auth_hash(self) -> str:
        return self._with_session_generation(super().get_session_auth_hash())

    def get_session_auth_fallback_hash(self) -> Iterator[str]:
        for fallback in super().get_session_auth_fallback_hash():
            yield self._with_session_generation(fallback)

    def _with_session_generation(self, password_hash: str) -> str:
        """Django's hash of the password, changed by the generation once it has been raised
        (so sessions from before this field existed stay signed in)."""
        if not self.session_generation:
            return password_hash
        return hashlib.sha256(f"{password_hash}:{self.session_generation}".encode()).hexdigest()


class Authenticator(models.Model):
    """A staff member's authenticator app: the key it shares with CivicDesk to make codes.

    Saved only once a first code from the app has proved the key went in; until then the key
    waits in the session of the page that shows it.
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="authenticator")
    key = models.CharField(max_length=64)  # base32, as the app was given it
    set_up_at = models.DateTimeField(auto_now_add=True)
    # The time step of the last code accepted: it and earlier ones are refused (no replays).
    last_step = models.BigIntegerField()

    def __str__(self) -> str:
        return f"Authenticator for {self.user}"


class RecoveryCode(models.Model):
    """One single-use code to sign in with when the authenticator app is not to hand.

    Only a hash is kept: the staff member sees the codes once, when they are made.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "digest"], name="recovery_code_unique")
        ]

    def __str__(self) -> str:
        return f"Recovery code for {self.user}"


class Role(models.TextChoices):
    AGENT = "agent", _("Agent")
    OFFICER = "officer", _("Officer")
    TEAM_LEADER = "team_leader", _("Team leader")
    MANAGER = "manager", _("Manager")
    ADMINISTRATOR = "administrator", _("Administrator")


class Membership(models.Model):
    """A member of staff's place in a team, with a role there."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships"
    )
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.AGENT)
    joined_on = models.DateField(auto_now_add=True)

    class Meta:
        ordering = ["team__name"]
        constraints = [models.UniqueConstraint(fields=["user", "team"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} in {self.team} as {self.get_role_display()}"
