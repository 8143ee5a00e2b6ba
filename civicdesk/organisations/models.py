"""Councils, partner agencies, their teams and the staff who work in them."""

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

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username


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
