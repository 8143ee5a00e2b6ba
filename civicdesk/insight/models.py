"""Rollups: the contact and case figures summed by time and by service, channel, ward, team and
outcome, so that figures pages read thousands of rows rather than millions.

They are derived data. `insight.rollups` recomputes a whole local day from the raw records
whenever anything on that day changes (a `StaleDay` marks it), so an incremental refresh and a
rebuild from scratch give the same rows. Hours are UTC hours (a UK day is a whole number of them);
days and months are the council's local calendar.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from civicdesk.catalogue.models import Channel, Service
from civicdesk.organisations.models import Organisation, Team
from civicdesk.places.models import Ward


def _dimension(model: type[models.Model] | str) -> models.ForeignKey:
    # No index per column: the tables are read through their (organisation, time) indexes.
    return models.ForeignKey(
        model, null=True, blank=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )


class ContactFigures(models.Model):
    """Contact measures for one combination of service, channel, ward, team and outcome."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    service = _dimension(Service)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    ward = _dimension(Ward)
    team = _dimension(Team)
    outcome = models.CharField(max_length=20)
    contacts = models.PositiveIntegerField(default=0)
    handled_seconds = models.BigIntegerField(default=0)
    avoidable = models.PositiveIntegerField(default=0)
    chasing = models.PositiveIntegerField(default=0)
    # With a known customer and service: the contacts a repeat could be seen for.
    identified = models.PositiveIntegerField(default=0)
    # ... of which the same customer got in touch about the same service again within
    # settings.INSIGHT_REPEAT_DAYS.
    repeated = models.PositiveIntegerField(default=0)
    # Satisfaction survey answers about these contacts.
    responses = models.PositiveIntegerField(default=0)
    rating_total = models.PositiveIntegerField(default=0)
    answered_resolved = models.PositiveIntegerField(default=0)
    said_resolved = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class ContactHour(ContactFigures):
    hour = models.DateTimeField(help_text=_("The start of the UTC hour."))

    class Meta:
        indexes = [
            models.Index(fields=["organisation", "hour"], name="contact_hour_idx"),
            # A service's hours of the day over a year: its rows, not a year of every service's.
            models.Index(
                fields=["organisation", "service", "hour"], name="contact_hour_service_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hour:%Y-%m-%d %H:00} {self.channel}: {self.contacts}"


class ContactDay(ContactFigures):
    day = models.DateField()

    class Meta:
        indexes = [
            models.Index(fields=["organisation", "day"], name="contact_day_idx"),
            models.Index(fields=["organisation", "service", "day"], name="contact_day_service_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.channel}: {self.contacts}"


class ContactMonth(ContactFigures):
    month = models.DateField(help_text=_("The first day of the month."))

    class Meta:
        indexes = [
            models.Index(fields=["organisation", "month"], name="contact_month_idx"),
            models.Index(
                fields=["organisation", "service", "month"], name="contact_month_service_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.channel}: {self.contacts}"


class Dimension(models.TextChoices):
    """What a summary row is by, besides its channel."""

    NONE = "", _("Channel only")
    SERVICE = "service", _("Service")
    WARD = "ward", _("Ward")
    TEAM = "team", _("Team")
    OUTCOME = "outcome", _("Outcome")
    HOUR = "hour", _("Local hour of the day")


class ContactSummary(ContactFigures):
    """Contact measures by channel and at most one other dimension: the rows a page reads when
    it filters by nothing but the channel, a few hundred a day where the full rollup has
    thousands. The outcomes' measures are columns here, because the outcome is not a key.
    The full rollup's `outcome` keeps its meaning only on rows by outcome."""

    dimension = models.CharField(max_length=10, choices=Dimension.choices, blank=True)
    hour_of_day = models.PositiveSmallIntegerField(null=True, blank=True)
    resolved_first_time = models.PositiveIntegerField(default=0)
    resolved_and_necessary = models.PositiveIntegerField(default=0)
    abandoned = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class ContactDaySummary(ContactSummary):
    day = models.DateField()

    class Meta:
        indexes = [
            models.Index(
                fields=["organisation", "dimension", "day"], name="contact_day_summary_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.channel} {self.dimension}: {self.contacts}"


class ContactMonthSummary(ContactSummary):
    month = models.DateField(help_text=_("The first day of the month."))

    class Meta:
        indexes = [
            models.Index(
                fields=["organisation", "dimension", "month"], name="contact_month_summary_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.channel} {self.dimension}: {self.contacts}"


class ContactSlot(models.Model):
    """Contacts per half-hour and channel: what workforce forecasting is made from."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    starts_at = models.DateTimeField()
    channel = models.CharField(max_length=20, choices=Channel.choices)
    contacts = models.PositiveIntegerField(default=0)
    handled_seconds = models.BigIntegerField(default=0)
    abandoned = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["organisation", "channel", "starts_at"], name="contact_slot_idx")
        ]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M} {self.channel}: {self.contacts}"


class CaseFigures(models.Model):
    """Case measures: opened counts on the day opened, the rest on the day resolved."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    service = _dimension(Service)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    ward = _dimension(Ward)
    team = _dimension(Team)
    opened = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    resolved_in_time = models.PositiveIntegerField(default=0)
    cycle_seconds = models.BigIntegerField(default=0)
    # Resolved cases the customer chased at least once, and the chases on them.
    chased = models.PositiveIntegerField(default=0)
    chases = models.PositiveIntegerField(default=0)
    responses = models.PositiveIntegerField(default=0)
    rating_total = models.PositiveIntegerField(default=0)
    answered_resolved = models.PositiveIntegerField(default=0)
    said_resolved = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class CaseDay(CaseFigures):
    day = models.DateField()

    class Meta:
        indexes = [models.Index(fields=["organisation", "day"], name="case_day_idx")]

    def __str__(self) -> str:
        return f"{self.day}: {self.opened} opened, {self.resolved} resolved"


class CaseMonth(CaseFigures):
    month = models.DateField()

    class Meta:
        indexes = [models.Index(fields=["organisation", "month"], name="case_month_idx")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}: {self.opened} opened, {self.resolved} resolved"


class CaseSummary(CaseFigures):
    """Case measures by channel and at most one other dimension (see ContactSummary)."""

    dimension = models.CharField(max_length=10, choices=Dimension.choices, blank=True)

    class Meta:
        abstract = True


class CaseDaySummary(CaseSummary):
    day = models.DateField()

    class Meta:
        indexes = [
            models.Index(fields=["organisation", "dimension", "day"], name="case_day_summary_idx")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.channel} {self.dimension}: {self.opened} opened"


class CaseMonthSummary(CaseSummary):
    month = models.DateField()

    class Meta:
        indexes = [
            models.Index(
                fields=["organisation", "dimension", "month"], name="case_month_summary_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.channel} {self.dimension}: {self.opened} opened"


class BacklogDay(models.Model):
    """Open cases at the end of a day (for today: now), with how many are overdue and how many
    were opened 7, 28 and 91 or more days before that day."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    day = models.DateField()
    service = _dimension(Service)
    team = _dimension(Team)
    ward = _dimension(Ward)
    open = models.PositiveIntegerField(default=0)
    overdue = models.PositiveIntegerField(default=0)
    older_than_week = models.PositiveIntegerField(default=0)
    older_than_month = models.PositiveIntegerField(default=0)
    older_than_quarter = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["organisation", "day"], name="backlog_day_idx")]

    def __str__(self) -> str:
        return f"{self.day}: {self.open} open"


class StaleDay(models.Model):
    """A local day whose rollups must be recomputed. `version` rises with every new mark, so a
    refresh that ran while the day changed again leaves the mark in place."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "day"], name="stale_day_unique")
        ]

    def __str__(self) -> str:
        return f"{self.day} (version {self.version})"


class RollupState(models.Model):
    """Per council: the last day whose backlog was taken at its end."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="+", primary_key=True
    )
    backlog_through = models.DateField(null=True, blank=True)
    # False for rollups made before the summaries existed: the next refresh derives them.
    summarised = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"backlog taken through {self.backlog_through}"


class DemandAlert(models.Model):
    """A day on which a service got unusually many contacts and requests in one ward.

    Made by `insight.alerts.detect_demand` from the day rollups; re-detecting a day replaces
    its unacknowledged alerts, and an acknowledged one is kept as it was acknowledged.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    day = models.DateField(help_text=_("The council's local date of the unusual demand."))
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    ward = models.ForeignKey(
        Ward, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    observed = models.PositiveIntegerField()
    expected = models.FloatField(help_text=_("The usual level for that weekday and season."))
    score = models.FloatField(help_text=_("How unusual, as a one-sided z-score."))
    probability = models.FloatField(
        help_text=_("The chance of a count at least this high under normal demand.")
    )
    description = models.CharField(max_length=300)
    detected_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-day", "-score", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "day", "service", "ward"], name="demand_alert_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day}: {self.observed} against {self.expected:.1f} usual"


class PerformanceIndicator(models.Model):
    """A performance indicator: a formula over the rollups, a target and how it is judged.

    The formula is checked and evaluated by `insight.kpis` (names such as `contacts`,
    `resolved_in_time` or `backlog_open`; + - * / and brackets; nothing else).
    """

    class Unit(models.TextChoices):
        PERCENT = "percent", _("Percentage")
        NUMBER = "number", _("Number")
        DAYS = "days", _("Days")
        SECONDS = "seconds", _("Seconds")

    class Direction(models.TextChoices):
        HIGHER = "higher", _("Higher is better")
        LOWER = "lower", _("Lower is better")

    class Period(models.TextChoices):
        MONTHLY = "monthly", _("Monthly")
        QUARTERLY = "quarterly", _("Quarterly")
        ANNUAL = "annual", _("Annual")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    code = models.SlugField(
        max_length=20, help_text=_("A short code, unique in the council, such as CC01.")
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    formula = models.CharField(
        max_length=500,
        help_text=_(
            "Names of figures with + - * / and brackets, such as "
            "100 * resolved_first_time / (contacts - abandoned)."
        ),
    )
    unit = models.CharField(max_length=10, choices=Unit.choices, default=Unit.PERCENT)
    target = models.DecimalField(max_digits=12, decimal_places=2)
    direction = models.CharField(max_length=10, choices=Direction.choices, default=Direction.HIGHER)
    amber_tolerance = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_(
            "How far on the wrong side of the target is still amber, in the indicator's "
            "unit. Leave blank for 5% of the target."
        ),
    )
    period = models.CharField(max_length=10, choices=Period.choices, default=Period.MONTHLY)
    service = models.ForeignKey(
        Service,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Only this service's figures. Leave blank for all services."),
    )
    team = models.ForeignKey(
        Team,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Only this team's figures. Leave blank for all teams."),
    )
    is_active = models.BooleanField(default=True)
    order = models.PositiveIntegerField(default=0, help_text=_("Lower numbers come first."))

    class Meta:
        ordering = ["order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "code"], name="performance_indicator_code_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.name}"

    @property
    def tolerance(self) -> Decimal:
        """How far off target is amber: the tolerance set, or 5% of the target."""
        if self.amber_tolerance is not None:
            return self.amber_tolerance
        return abs(self.target) * Decimal("0.05")

    def clean(self) -> None:
        from civicdesk.insight.kpis import validate_formula  # kpis reads these models

        super().clean()
        if self.formula:
            try:
                validate_formula(self.formula)
            except ValidationError as error:
                raise ValidationError({"formula": error.messages}) from error
        if self.amber_tolerance is not None and self.amber_tolerance < 0:
            raise ValidationError({"amber_tolerance": _("The tolerance must be 0 or more.")})
