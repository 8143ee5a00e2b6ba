"""Satisfaction surveys: a random sample of contacts and resolved cases is asked, by email or
text message, how satisfied the customer was and whether their enquiry was resolved.

The rollups read `contact`, `case`, `answered_at`, `rating` and `resolved`: keep those names.
"""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civicdesk.cases.models import Case
from civicdesk.contacts.models import Contact
from civicdesk.organisations.models import Organisation
from civicdesk.people.models import Customer

MAX_COMMENT = 1000
_PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class SurveySettings(models.Model):
    """How one council samples: made with the defaults the first time it is needed."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="survey_settings"
    )
    is_enabled = models.BooleanField(_("send surveys"), default=True)
    contact_sample_percent = models.DecimalField(
        _("contacts to survey (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("10"),
        validators=_PERCENT,
        help_text=_("The share of finished contacts whose customer is asked, from 0 to 100."),
    )
    case_sample_percent = models.DecimalField(
        _("resolved cases to survey (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("20"),
        validators=_PERCENT,
        help_text=_("The share of resolved cases whose customer is asked, from 0 to 100."),
    )
    quiet_days = models.PositiveIntegerField(
        _("days between surveys"),
        default=90,
        help_text=_("Do not ask the same customer again within this many days."),
    )
    valid_days = models.PositiveIntegerField(
        _("days a link works"),
        default=14,
        validators=[MinValueValidator(1)],
        help_text=_("How long the customer has to answer."),
    )
    # The high-water mark: contacts ended and cases resolved up to here have been sampled.
    last_sampled_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("survey settings")
        verbose_name_plural = _("survey settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(contact_sample_percent__gte=0, contact_sample_percent__lte=100)
                & Q(case_sample_percent__gte=0, case_sample_percent__lte=100),
                name="survey_settings_percent_range",
            ),
            models.CheckConstraint(condition=Q(valid_days__gte=1), name="survey_valid_days_min"),
        ]

    def __str__(self) -> str:
        return f"Survey settings for {self.organisation}"


class SurveyChannel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("Text message")


class Rating(models.IntegerChoices):
    """The five-point scale, best first as the form shows it."""

    VERY_SATISFIED = 5, _("Very satisfied")
    SATISFIED = 4, _("Satisfied")
    NEITHER = 3, _("Neither satisfied nor dissatisfied")
    DISSATISFIED = 2, _("Dissatisfied")
    VERY_DISSATISFIED = 1, _("Very dissatisfied")


class SurveyInvitation(models.Model):
    """One customer asked about one contact or one case, and their answer once given."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="survey_invitations"
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="survey_invitations"
    )
    # Exactly one of these; each is asked about at most once (the unique constraints index them).
    contact = models.ForeignKey(
        Contact,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="survey_invitations",
        db_index=False,
    )
    case = models.ForeignKey(
        Case,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="survey_invitations",
        db_index=False,
    )
    channel = models.CharField(max_length=10, choices=SurveyChannel.choices)
    sent_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    rating = models.PositiveSmallIntegerField(
        choices=Rating.choices,
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    # "Was your enquiry resolved?": yes, no, or not answered (None).
    resolved = models.BooleanField(null=True, blank=True)
    comment = models.TextField(max_length=MAX_COMMENT, blank=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(contact__isnull=False, case__isnull=True)
                | Q(contact__isnull=True, case__isnull=False),
                name="survey_contact_xor_case",
            ),
            models.UniqueConstraint(
                fields=["contact"],
                condition=Q(contact__isnull=False),
                name="survey_one_per_contact",
            ),
            models.UniqueConstraint(
                fields=["case"], condition=Q(case__isnull=False), name="survey_one_per_case"
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="survey_rating_range",
            ),
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True) | Q(rating__isnull=False),
                name="survey_answer_has_rating",
            ),
        ]
        indexes = [
            # The sampler's quiet-days check.
            models.Index(fields=["customer", "sent_at"], name="survey_customer_sent_idx"),
            # The monthly report.
            models.Index(fields=["organisation", "sent_at"], name="survey_org_sent_idx"),
        ]

    def __str__(self) -> str:
        about = f"contact {self.contact_id}" if self.contact_id else f"case {self.case_id}"
        return f"Survey about {about}"

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None
