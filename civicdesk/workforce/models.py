"""Workforce planning: the service level a channel is staffed for, the rota, and the stored
forecast of contacts per half-hour that the staffing plan is worked out from.

Only channels that agents handle live, where a customer waits in a queue, are planned: the phones
and the counter. Times on the rota are the council's local wall-clock times; forecast half-hours
are stored by their UTC start, as ContactSlot is.
"""

from datetime import time

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from civicdesk.catalogue.models import Channel
from civicdesk.organisations.models import Organisation


class LiveChannel(models.TextChoices):
    """Channels where customers queue for an agent: the ones Erlang C describes."""

    PHONE = Channel.PHONE.value, Channel.PHONE.label
    FACE_TO_FACE = Channel.FACE_TO_FACE.value, Channel.FACE_TO_FACE.label


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


def _share(**kwargs):
    return models.FloatField(validators=[MinValueValidator(0.0), MaxValueValidator(1.0)], **kwargs)


class StaffingStandard(models.Model):
    """The service level one channel is staffed for, e.g. 80% of calls answered in 20 seconds."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="staffing_standards"
    )
    channel = models.CharField(max_length=20, choices=LiveChannel.choices)
    target_share = _share(
        default=0.80, help_text=_("The share of contacts to answer in time, e.g. 0.80.")
    )
    target_seconds = models.PositiveIntegerField(
        default=20, help_text=_("Answered within this many seconds.")
    )
    shrinkage = _share(
        default=0.30,
        help_text=_(
            "The share of rostered time not spent taking contacts: leave, training, breaks."
        ),
    )
    max_occupancy = _share(
        default=0.85, help_text=_("The busiest an agent should be planned to be, e.g. 0.85.")
    )
    handling_seconds = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text=_(
            "Average handling time in seconds. Leave empty to use the last 8 weeks' average."
        ),
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "channel"], name="staffing_standard_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()}: {self.target_share:.0%} in {self.target_seconds}s"

    def clean(self) -> None:
        errors = {}
        if not 0 < self.target_share < 1:
            errors["target_share"] = _("Enter a share more than 0 and less than 1, e.g. 0.80.")
        if not 0 <= self.shrinkage < 1:
            errors["shrinkage"] = _("Enter a share of at least 0 and less than 1, e.g. 0.30.")
        if not 0 < self.max_occupancy <= 1:
            errors["max_occupancy"] = _("Enter a share more than 0 and at most 1, e.g. 0.85.")
        if self.handling_seconds == 0:
            errors["handling_seconds"] = _("Enter a handling time of at least 1 second.")
        if errors:
            raise ValidationError(errors)


def _on_half_hour(value: time) -> bool:
    return value.minute in (0, 30) and value.second == 0 and value.microsecond == 0


class RotaShift(models.Model):
    """Agents rostered on a channel from `starts` to `ends` every week on one weekday."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="rota_shifts"
    )
    channel = models.CharField(max_length=20, choices=LiveChannel.choices)
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    starts = models.TimeField(help_text=_("Local time, on the hour or half-hour."))
    ends = models.TimeField(help_text=_("Local time, on the hour or half-hour, the same day."))
    agents = models.PositiveIntegerField(help_text=_("How many agents work this shift."))
    name = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["channel", "weekday", "starts", "ends", "pk"]
        indexes = [
            models.Index(fields=["organisation", "channel", "weekday"], name="rota_shift_idx")
        ]

    def __str__(self) -> str:
        label = f"{self.get_weekday_display()} {self.starts:%H:%M} to {self.ends:%H:%M}"
        return f"{self.name} ({label})" if self.name else label

    def clean(self) -> None:
        errors = {}
        for field in ("starts", "ends"):
            value = getattr(self, field)
            if value is not None and not _on_half_hour(value):
                errors[field] = _("Shifts start and end on the hour or half-hour.")
        if self.starts is not None and self.ends is not None and self.ends <= self.starts:
            errors["ends"] = _("A shift ends after it starts, on the same day.")
        if errors:
            raise ValidationError(errors)

    def covers(self, moment: time) -> bool:
        """Whether the half-hour starting at local wall-clock `moment` is inside the shift."""
        return self.starts <= moment < self.ends


class ForecastSlot(models.Model):
    """Expected contacts in one half-hour: the stored forecast the staffing plan reads."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    channel = models.CharField(max_length=20, choices=LiveChannel.choices)
    starts_at = models.DateTimeField(help_text=_("The UTC start of the half-hour."))
    contacts = models.FloatField()
    made_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "channel", "starts_at"], name="forecast_slot_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.starts_at:%Y-%m-%d %H:%M}: {self.contacts:.1f}"


class ForecastRun(models.Model):
    """The latest forecast of a channel: when it was made, from what, and how good it is."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    channel = models.CharField(max_length=20, choices=LiveChannel.choices)
    made_at = models.DateTimeField()
    history_from = models.DateField(null=True, blank=True)
    history_to = models.DateField(null=True, blank=True)
    horizon_from = models.DateField()
    horizon_weeks = models.PositiveSmallIntegerField()
    wape = models.FloatField(null=True, blank=True)
    mape = models.FloatField(null=True, blank=True)
    bias = models.FloatField(null=True, blank=True)
    folds = models.PositiveSmallIntegerField(default=0)
    seconds = models.FloatField(help_text=_("How long making the forecast took."))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "channel"], name="forecast_run_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} forecast made {self.made_at:%Y-%m-%d %H:%M}"
