"""The contact log: one row for every interaction with a customer, on any channel."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from civicdesk.catalogue.models import Channel, Service
from civicdesk.organisations.models import Organisation, Team
from civicdesk.people.models import Customer, Representative
from civicdesk.places.models import Ward


class Outcome(models.TextChoices):
    RESOLVED = "resolved", _("Resolved at first contact")
    CASE_RAISED = "case_raised", _("Case raised")
    REFERRED = "referred", _("Referred")
    SIGNPOSTED = "signposted", _("Signposted elsewhere")
    ABANDONED = "abandoned", _("Abandoned")


class AvoidableReason(models.TextChoices):
    """Why a contact need not have happened (the NI14 idea of avoidable contact)."""

    CHASING = "chasing", _("Chasing progress")
    REPEAT = "repeat", _("Repeat of an earlier contact")
    EARLIER_FAILURE = "earlier_failure", _("Failure to act earlier")
    UNCLEAR_INFORMATION = "unclear_information", _("Unclear information from the council")
    WRONG_CHANNEL = "wrong_channel", _("Could have been done online")


class ContactQuerySet(models.QuerySet):
    def for_customer(self, customer_id: int) -> "ContactQuerySet":
        return self.filter(customer_id=customer_id)

    def resolved_at_first_contact(self) -> "ContactQuerySet":
        return self.filter(outcome=Outcome.RESOLVED)

    def avoidable(self) -> "ContactQuerySet":
        return self.exclude(avoidable_reason="")


class Contact(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="contacts"
    )
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="contacts"
    )
    representative = models.ForeignKey(
        Representative,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Who made the contact, when it was made on the customer's behalf."),
    )
    channel = models.CharField(max_length=20, choices=Channel.choices)
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.PROTECT, related_name="contacts"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contacts_handled",
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="contacts"
    )
    # Where the customer lived when they got in touch: demand by ward is counted by it, and a
    # later move does not rewrite the council's history.
    ward = models.ForeignKey(
        Ward, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    avoidable_reason = models.CharField(
        max_length=30,
        choices=AvoidableReason.choices,
        blank=True,
        help_text=_("Leave blank if the contact was necessary."),
    )
    repeat_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="repeats"
    )
    notes = models.TextField(blank=True)

    objects = ContactQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "-started_at"], name="contact_customer_idx"),
            models.Index(fields=["organisation", "started_at"], name="contact_org_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} contact on {self.started_at:%d %b %Y}"

    @property
    def is_avoidable(self) -> bool:
        return bool(self.avoidable_reason)
