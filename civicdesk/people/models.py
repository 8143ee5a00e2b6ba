"""Customers: the people and businesses the council serves, and who may act for them."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicdesk.catalogue.models import Channel, Service
from civicdesk.organisations.models import Organisation
from civicdesk.places.models import Address


class CustomerQuerySet(models.QuerySet):
    def active(self) -> "CustomerQuerySet":
        return self.filter(merged_into__isnull=True)

    def in_organisation(self, organisation_id: int) -> "CustomerQuerySet":
        return self.filter(organisation_id=organisation_id)


class Customer(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="customers"
    )
    # Derived from the id, so set just after the insert: NULL until then keeps it unique.
    reference = models.CharField(max_length=16, unique=True, null=True, editable=False)  # noqa: DJ001
    title = models.CharField(max_length=20, blank=True)
    forenames = models.CharField(max_length=100)
    surname = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    mobile = models.CharField(max_length=30, blank=True)
    preferred_channel = models.CharField(max_length=20, choices=Channel.choices, blank=True)
    address = models.ForeignKey(
        Address, null=True, blank=True, on_delete=models.SET_NULL, related_name="customers"
    )
    # Communication needs: shown prominently to every agent.
    interpreter_language = models.CharField(max_length=60, blank=True)
    needs_large_print = models.BooleanField(default=False)
    needs_bsl = models.BooleanField(_("needs British Sign Language"), default=False)
    needs_easy_read = models.BooleanField(default=False)
    other_needs = models.CharField(max_length=300, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_records"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Derived search keys, kept up to date by people.services (see people/search.py).
    surname_key = models.CharField(max_length=20, editable=False)
    forename_key = models.CharField(max_length=20, editable=False)
    surname_normalised = models.CharField(max_length=100, editable=False)
    email_normalised = models.CharField(max_length=254, blank=True, editable=False)
    phone_normalised = models.CharField(max_length=20, blank=True, editable=False)
    mobile_normalised = models.CharField(max_length=20, blank=True, editable=False)

    objects = CustomerQuerySet.as_manager()

    class Meta:
        ordering = ["surname", "forenames"]
        indexes = [
            models.Index(
                fields=["organisation", "surname_key", "forename_key"], name="customer_phonetic_idx"
            ),
            models.Index(
                fields=["organisation", "surname_normalised"], name="customer_surname_idx"
            ),
            # A typo in the surname changes its sound; the forename's sound and the surname's
            # first letters still find the customer.
            models.Index(
                fields=["organisation", "forename_key", "surname_normalised"],
                name="customer_forename_idx",
            ),
            models.Index(fields=["organisation", "email_normalised"], name="customer_email_idx"),
            models.Index(fields=["organisation", "phone_normalised"], name="customer_phone_idx"),
            models.Index(fields=["organisation", "mobile_normalised"], name="customer_mobile_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.title, self.forenames, self.surname) if part)

    @property
    def communication_needs(self) -> list[str]:
        """The needs an agent must act on, in words, for the banner on the single view."""
        needs = []
        if self.interpreter_language:
            needs.append(_("Interpreter: %(language)s") % {"language": self.interpreter_language})
        if self.needs_bsl:
            needs.append(_("British Sign Language"))
        if self.needs_large_print:
            needs.append(_("Large print"))
        if self.needs_easy_read:
            needs.append(_("Easy read"))
        if self.other_needs:
            needs.append(self.other_needs)
        return needs


class Consent(models.Model):
    """What the customer has agreed to, when, and how it was recorded."""

    class Purpose(models.TextChoices):
        CONTACT_BY_EMAIL = "contact_email", _("Contact by email")
        CONTACT_BY_SMS = "contact_sms", _("Contact by text message")
        SHARE_WITH_PARTNERS = "share_partners", _("Share details with partner agencies")
        SURVEYS = "surveys", _("Customer satisfaction surveys")

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(max_length=30, choices=Purpose.choices)
    granted = models.BooleanField()
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    channel = models.CharField(max_length=20, choices=Channel.choices, blank=True)

    class Meta:
        ordering = ["purpose", "-recorded_at"]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()}: {'yes' if self.granted else 'no'}"


class RepresentativeQuerySet(models.QuerySet):
    def in_force(self) -> "RepresentativeQuerySet":
        """Not revoked, and consent not yet expired."""
        today = timezone.localdate()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(consent_expires_on__isnull=True) | models.Q(consent_expires_on__gte=today)
        )


class Representative(models.Model):
    """Someone allowed to act for a customer: Citizens Advice, a carer, a relative, a councillor."""

    class Relationship(models.TextChoices):
        ADVICE_AGENCY = "advice_agency", _("Advice agency")
        CARER = "carer", _("Carer")
        FAMILY = "family", _("Family member")
        SOLICITOR = "solicitor", _("Solicitor")
        COUNCILLOR = "councillor", _("Councillor")
        POWER_OF_ATTORNEY = "power_of_attorney", _("Lasting power of attorney")
        OTHER = "other", _("Other")

    class Scope(models.TextChoices):
        ALL = "all", _("All council services")
        SERVICES = "services", _("Named services only")
        INFORMATION_ONLY = "information", _("Receive information only")

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="representatives")
    name = models.CharField(max_length=200)
    relationship = models.CharField(max_length=30, choices=Relationship.choices)
    partner_organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The agency the representative works for, if any."),
    )
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    scope = models.CharField(max_length=20, choices=Scope.choices, default=Scope.ALL)
    services = models.ManyToManyField(Service, blank=True, related_name="+")
    consent_given_on = models.DateField()
    consent_expires_on = models.DateField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    notes = models.CharField(max_length=300, blank=True)
    # The representative's own sign-in, when they act for the customer on the portal.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="representations",
    )

    objects = RepresentativeQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_relationship_display()})"

    @property
    def in_force(self) -> bool:
        today = timezone.localdate()
        return self.revoked_at is None and (
            self.consent_expires_on is None or self.consent_expires_on >= today
        )

    def may_act_for(self, service: Service) -> bool:
        """Whether the recorded consent covers making a request about `service`."""
        if not self.in_force or self.scope == self.Scope.INFORMATION_ONLY:
            return False
        return self.scope == self.Scope.ALL or self.services.filter(pk=service.pk).exists()


class PortalAccount(models.Model):
    """A resident's sign-in to the portal, tied to the customer record their requests are on.

    The sign-in is an ordinary user with no staff membership. A customer may end up with more
    than one account (two records merged), so the link is a foreign key, not one-to-one.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="portal_account"
    )
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="accounts")
    email_verified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Portal account of {self.customer}"

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None
