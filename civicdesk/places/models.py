"""The local gazetteer: BS 7666 addresses keyed by UPRN, streets by USRN, and wards."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from civicdesk.organisations.models import Organisation
from civicdesk.places import bs7666
from civicdesk.places.postcodes import format_postcode, is_valid_postcode, normalise_postcode


class Ward(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="wards")
    gss_code = models.CharField(_("GSS code"), max_length=9, blank=True)
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="ward_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Street(models.Model):
    class StreetType(models.IntegerChoices):
        DESIGNATED = 1, _("Designated street name")
        DESCRIPTION = 2, _("Street description")
        NUMBERED = 3, _("Numbered street")
        UNOFFICIAL = 4, _("Unofficial street name")

    usrn = models.PositiveBigIntegerField(_("USRN"), primary_key=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="streets")
    name = models.CharField(max_length=200)
    street_type = models.PositiveSmallIntegerField(
        choices=StreetType.choices, default=StreetType.DESIGNATED
    )
    locality = models.CharField(max_length=100, blank=True)
    town = models.CharField(max_length=100, blank=True)
    # Upper-case name without punctuation, for look-ups by typed text.
    name_normalised = models.CharField(max_length=200, db_index=True, editable=False)

    # Columns computed from others; bulk writes must call refresh_derived_fields() themselves.
    DERIVED_FIELDS = ("name_normalised",)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name}, {self.town}" if self.town else self.name

    def save(self, **kwargs) -> None:
        """Keep the derived columns in step with every save, including partial ones."""
        self.refresh_derived_fields()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], *self.DERIVED_FIELDS}
        super().save(**kwargs)

    def refresh_derived_fields(self) -> None:
        """Recompute the search key from the name, so typed text can be compared with it."""
        self.name_normalised = bs7666.normalise_name(self.name)[:200]


class Address(models.Model):
    """A BS 7666 BLPU with its approved LPI, flattened for a contact centre's needs."""

    class LogicalStatus(models.IntegerChoices):
        APPROVED = 1, _("Approved")
        ALTERNATIVE = 3, _("Alternative")
        PROVISIONAL = 6, _("Provisional")
        HISTORICAL = 8, _("Historical")

    uprn = models.PositiveBigIntegerField(_("UPRN"), primary_key=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="addresses"
    )
    parent_uprn = models.PositiveBigIntegerField(
        _("parent UPRN"), null=True, blank=True, db_index=True
    )
    sao_start_number = models.PositiveIntegerField(null=True, blank=True)
    sao_start_suffix = models.CharField(max_length=2, blank=True)
    sao_end_number = models.PositiveIntegerField(null=True, blank=True)
    sao_end_suffix = models.CharField(max_length=2, blank=True)
    sao_text = models.CharField(_("secondary addressable object"), max_length=90, blank=True)
    pao_start_number = models.PositiveIntegerField(null=True, blank=True)
    pao_start_suffix = models.CharField(max_length=2, blank=True)
    pao_end_number = models.PositiveIntegerField(null=True, blank=True)
    pao_end_suffix = models.CharField(max_length=2, blank=True)
    pao_text = models.CharField(_("primary addressable object"), max_length=90, blank=True)
    street = models.ForeignKey(
        Street, null=True, blank=True, on_delete=models.PROTECT, related_name="addresses"
    )
    street_name = models.CharField(max_length=200, blank=True)
    locality = models.CharField(max_length=100, blank=True)
    town = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    # "SW1A1AA": what a typed postcode is compared with.
    postcode_normalised = models.CharField(max_length=7, blank=True, db_index=True, editable=False)
    easting = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    northing = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    ward = models.ForeignKey(
        Ward, null=True, blank=True, on_delete=models.SET_NULL, related_name="addresses"
    )
    classification = models.CharField(
        max_length=6, blank=True, help_text=_("AddressBase classification, e.g. RD04.")
    )
    logical_status = models.PositiveSmallIntegerField(
        choices=LogicalStatus.choices, default=LogicalStatus.APPROVED
    )
    # The address on one line, as an agent reads it back to a caller.
    single_line = models.CharField(max_length=400, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["street_name", "pao_start_number", "pao_text", "sao_start_number", "sao_text"]
        verbose_name_plural = "addresses"
        indexes = [
            models.Index(fields=["street", "pao_start_number"], name="address_street_number_idx"),
        ]

    # Columns computed from others; bulk writes must call refresh_derived_fields() themselves.
    DERIVED_FIELDS = ("single_line", "postcode", "postcode_normalised")

    def __str__(self) -> str:
        return self.single_line

    def save(self, **kwargs) -> None:
        """Keep the derived columns in step with every save, including partial ones."""
        self.refresh_derived_fields()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], *self.DERIVED_FIELDS}
        super().save(**kwargs)

    @property
    def sao(self) -> str:
        """The secondary addressable object as read out, e.g. "Flat 2"."""
        return bs7666.sao_of(self)

    @property
    def pao_numbers(self) -> str:
        """The primary addressable object's numbers, e.g. "14A" or "12-14"."""
        return bs7666.pao_numbers_of(self)

    def compose_single_line(self) -> str:
        """The address on one line, e.g. "Flat 2, 14A Acacia Avenue, Kingsmere, KM1 2AB"."""
        return bs7666.single_line_of(self)

    def refresh_derived_fields(self) -> None:
        """Recompute the one-line address and the postcode forms from the BS 7666 parts."""
        for name, value in self.derived_values(self).items():
            setattr(self, name, value)

    @staticmethod
    def derived_values(parts: bs7666.AddressParts) -> dict[str, str]:
        """`DERIVED_FIELDS` for any BS 7666 parts; bulk imports use it without a model instance.

        A valid postcode is stored in its display form and, for look-ups, normalised; anything
        else is kept as entered but cannot be found by postcode.
        """
        postcode = format_postcode(parts.postcode)[:8] if parts.postcode else ""
        valid = is_valid_postcode(postcode)
        return {
            "single_line": bs7666.single_line_of(parts)[:400],
            "postcode": postcode,
            "postcode_normalised": normalise_postcode(postcode) if valid else "",
        }
