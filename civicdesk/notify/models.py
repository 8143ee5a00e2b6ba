"""Outbound messages to customers and staff, and the templates they are made from.

The shape follows GOV.UK Notify: a message is a template id plus personalisation sent to one
recipient with our own reference, and its delivery status arrives later by callback.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from civicdesk.catalogue.models import Service
from civicdesk.organisations.models import Organisation
from civicdesk.people.models import Customer


class MessageChannel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("Text message")
    LETTER = "letter", _("Letter")


class MessageEvent(models.TextChoices):
    """Why a message is sent: each has its own template per service and channel."""

    ACKNOWLEDGEMENT = "acknowledgement", _("Request received")
    UPDATE = "update", _("Progress update")
    CLOSURE = "closure", _("Request closed")
    SLA_WARNING = "sla_warning", _("SLA warning to a team leader")
    REFERRAL = "referral", _("Work referred to a team")
    # Residents' portal accounts: always by email, to the address the resident gave.
    VERIFY_EMAIL = "verify_email", _("Confirm an email address")
    ACCOUNT_EXISTS = "account_exists", _("Someone tried to create an account")
    PASSWORD_RESET = "password_reset", _("Reset a password")
    # Applications made on e-forms (civicdesk.forms.applications).
    APPLICATION_RECEIVED = "application_received", _("Application received")
    APPLICATION_MORE_INFORMATION = "application_more_information", _("More information needed")
    APPLICATION_APPROVED = "application_approved", _("Application approved")
    APPLICATION_REFUSED = "application_refused", _("Application refused")
    APPLICATION_RENEWAL_DUE = "application_renewal_due", _("Time to renew")
    SURVEY = "survey", _("Satisfaction survey")


class DeliveryStatus(models.TextChoices):
    """GOV.UK Notify's statuses, with the letter and SMS ones it adds."""

    CREATED = "created", _("Queued to send")
    SENDING = "sending", _("Sending")
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    ACCEPTED = "accepted", _("Accepted")
    RECEIVED = "received", _("Received")
    CANCELLED = "cancelled", _("Cancelled")
    PERMANENT_FAILURE = "permanent-failure", _("Permanent failure")
    TEMPORARY_FAILURE = "temporary-failure", _("Temporary failure")
    TECHNICAL_FAILURE = "technical-failure", _("Technical failure")

    @classmethod
    def finished(cls) -> set[str]:
        return {
            cls.DELIVERED, cls.RECEIVED, cls.CANCELLED, cls.PERMANENT_FAILURE,
            cls.TEMPORARY_FAILURE, cls.TECHNICAL_FAILURE,
        }  # fmt: skip

    @classmethod
    def failed(cls) -> set[str]:
        return {cls.PERMANENT_FAILURE, cls.TEMPORARY_FAILURE, cls.TECHNICAL_FAILURE}

    @classmethod
    def delivered(cls) -> set[str]:
        """Delivered to the inbox or phone, or (letters) received by the printer."""
        return {cls.DELIVERED, cls.RECEIVED}


class MessageTemplate(models.Model):
    """One event's wording for one channel, for a service or (no service) for every service.

    The subject and body use Notify's ((placeholder)) syntax. With the live backend the text
    lives in Notify under `notify_template_id`; the copy here is what the simulator renders
    and what staff read.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="message_templates"
    )
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.CASCADE, related_name="message_templates"
    )
    event = models.CharField(max_length=30, choices=MessageEvent.choices)
    channel = models.CharField(max_length=10, choices=MessageChannel.choices)
    # The easy-read wording, chosen for customers who need it; the standard one otherwise.
    easy_read = models.BooleanField(
        _("easy read"), default=False, help_text=_("For customers who need easy-read messages.")
    )
    notify_template_id = models.UUIDField(default=uuid.uuid4)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["event", "channel", "easy_read"]
        # Two constraints rather than nulls_distinct=False, which SQLite does not enforce.
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "service", "event", "channel", "easy_read"],
                name="message_template_unique",
            ),
            models.UniqueConstraint(
                fields=["organisation", "event", "channel", "easy_read"],
                condition=models.Q(service__isnull=True),
                name="message_template_default_unique",
            ),
        ]

    def __str__(self) -> str:
        scope = self.service or _("every service")
        variant = f", {_('easy read')}" if self.easy_read else ""
        return f"{self.get_event_display()} by {self.get_channel_display()} ({scope}{variant})"


class MessageQuerySet(models.QuerySet):
    def for_customer(self, customer_id: int) -> "MessageQuerySet":
        return self.filter(customer_id=customer_id)

    def about(self, reference: str) -> "MessageQuerySet":
        return self.filter(about_reference=reference)


class Message(models.Model):
    """One email, text message or letter, as sent and as delivered."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="messages"
    )
    # A member of staff, for messages such as SLA warnings to team leaders.
    staff_member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="messages_received",
    )
    # The service it is about decides who may read it, as for contacts and cases.
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The reference of what the message is about, e.g. a case, so notify needs no case model.
    about_reference = models.CharField(max_length=20, blank=True)
    event = models.CharField(max_length=30, choices=MessageEvent.choices)
    template = models.ForeignKey(
        MessageTemplate, null=True, on_delete=models.SET_NULL, related_name="messages"
    )
    channel = models.CharField(max_length=10, choices=MessageChannel.choices)
    # An email address, a phone number, or a letter's address lines joined by newlines.
    recipient = models.TextField()
    personalisation = models.JSONField(default=dict)
    # Our reference, sent to Notify and returned in its callbacks.
    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    large_print = models.BooleanField(default=False)
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    status = models.CharField(
        max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.CREATED
    )
    notify_id = models.CharField(max_length=64, blank=True, db_index=True)
    failure_detail = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "-created_at"], name="message_customer_idx"),
            models.Index(fields=["about_reference", "-created_at"], name="message_about_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} to {self.recipient_summary}"

    @property
    def recipient_summary(self) -> str:
        """One line: the address or number, or a letter's first and last lines (name, postcode)."""
        lines = [line for line in self.recipient.splitlines() if line.strip()]
        if len(lines) > 1:
            return f"{lines[0]}, {lines[-1]}"
        return lines[0] if lines else ""

    @property
    def is_finished(self) -> bool:
        return self.status in DeliveryStatus.finished()

    @property
    def has_failed(self) -> bool:
        return self.status in DeliveryStatus.failed()

    @property
    def is_delivered(self) -> bool:
        return self.status in DeliveryStatus.delivered()
