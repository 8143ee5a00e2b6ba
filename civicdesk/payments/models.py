"""Payments taken through GOV.UK Pay (or its offline simulator), their refunds, and what the
simulator itself holds in place of Pay.

A `Payment` learns its state only from the provider, through `payments.clients`: the simulator's
`SimulatedPayment` rows are the pretend provider's own records, never read by the services.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PaymentStatus(models.TextChoices):
    """GOV.UK Pay's payment states."""

    CREATED = "created", _("Created")
    STARTED = "started", _("Started")
    SUBMITTED = "submitted", _("Submitted")
    CAPTURABLE = "capturable", _("Waiting to be taken")
    SUCCESS = "success", _("Paid")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")
    ERROR = "error", _("Error")


FINISHED_STATUSES = frozenset(
    {PaymentStatus.SUCCESS, PaymentStatus.FAILED, PaymentStatus.CANCELLED, PaymentStatus.ERROR}
)

# GOV.UK Pay's codes for payments that did not succeed.
FAILURE_CODES = {
    "P0010": _("The card was declined"),
    "P0020": _("The payment expired"),
    "P0030": _("The resident cancelled the payment"),
    "P0040": _("The council cancelled the payment"),
    "P0050": _("The payment provider had an error"),
}


class Provider(models.TextChoices):
    SIMULATOR = "simulator", _("Simulator")
    LIVE = "live", _("GOV.UK Pay")


class Payment(models.Model):
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="payments"
    )
    # Derived from the id ("PAY-..."), so set just after the insert: NULL until then.
    reference = models.CharField(max_length=20, unique=True, null=True, editable=False)  # noqa: DJ001
    amount_pence = models.PositiveIntegerField()
    description = models.CharField(max_length=255)
    service = models.ForeignKey(
        "catalogue.Service",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payments",
    )
    customer = models.ForeignKey(
        "people.Customer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payments",
    )
    # What the payment is for, so that other apps find their payments without this app
    # importing them: e.g. purpose "application" and the application's id.
    purpose = models.CharField(max_length=40, blank=True)
    purpose_reference = models.CharField(max_length=64, blank=True)
    provider = models.CharField(max_length=20, choices=Provider.choices)
    provider_payment_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.CREATED
    )
    finished = models.BooleanField(default=False)
    failure_code = models.CharField(max_length=10, blank=True)
    failure_message = models.CharField(max_length=255, blank=True)
    next_url = models.CharField(max_length=500, blank=True)
    # SHA-256 of the secret in the return URL: the URL finds the payment, the table cannot
    # be used to make one.
    return_secret_hash = models.CharField(max_length=64, unique=True)
    email = models.EmailField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The daily reconciliation report: one organisation's payments made on a day.
            models.Index(fields=["organisation", "created_at"], name="payment_org_created"),
            # The sweep: unfinished payments older than N minutes.
            models.Index(fields=["finished", "created_at"], name="payment_unfinished"),
            models.Index(fields=["purpose", "purpose_reference"], name="payment_purpose"),
        ]

    def __str__(self) -> str:
        return self.reference or f"Payment {self.pk}"

    @property
    def amount_pounds(self) -> str:
        return pounds(self.amount_pence)

    @property
    def is_success(self) -> bool:
        return self.status == PaymentStatus.SUCCESS

    @property
    def failure_reason(self) -> str:
        return str(FAILURE_CODES.get(self.failure_code, self.failure_message))


class PaymentEvent(models.Model):
    """A change of status the provider told us about: the payment's history."""

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=20, choices=PaymentStatus.choices)
    code = models.CharField(max_length=10, blank=True)
    # What made us ask: "start", "return", "webhook", "sweep", "staff" ...
    source = models.CharField(max_length=20, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.payment} {self.status}"


class RefundStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    SUCCESS = "success", _("Refunded")
    ERROR = "error", _("Error")


class Refund(models.Model):
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount_pence = models.PositiveIntegerField()
    reason = models.CharField(max_length=255)
    status = models.CharField(
        max_length=20, choices=RefundStatus.choices, default=RefundStatus.SUBMITTED
    )
    provider_refund_id = models.CharField(max_length=64, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Refund of {pounds(self.amount_pence)} on {self.payment}"

    @property
    def amount_pounds(self) -> str:
        return pounds(self.amount_pence)


class SimulatedPayment(models.Model):
    """A payment as the simulator (the pretend GOV.UK Pay) holds it."""

    id = models.CharField(max_length=32, primary_key=True)
    amount = models.PositiveIntegerField()
    reference = models.CharField(max_length=255)
    description = models.CharField(max_length=255)
    return_url = models.CharField(max_length=1000)
    email = models.EmailField(blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    state = models.CharField(
        max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.CREATED
    )
    code = models.CharField(max_length=10, blank=True)
    card_last_four = models.CharField(max_length=4, blank=True)
    cardholder_name = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # [{"refund_id", "amount", "status", "created_date"}]
    refunds = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.id


def pounds(pence: int) -> str:
    """£12.50 for 1250."""
    sign = "-" if pence < 0 else ""
    whole, part = divmod(abs(pence), 100)
    return f"{sign}£{whole:,}.{part:02d}"
