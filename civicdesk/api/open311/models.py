"""Open311 clients (the systems that may post requests) and their per-minute request counts."""

import hashlib

from django.db import models
from django.utils.translation import gettext_lazy as _

from civicdesk.organisations.models import Organisation

KEY_PREFIX_LENGTH = 8


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


class Open311Client(models.Model):
    """A system allowed to post requests and updates, e.g. FixMyStreet or a council's app.

    Only a SHA-256 hash of the key is kept; the key is shown once, when it is issued. The
    prefix is the key's first characters, so staff can tell keys apart.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="open311_clients"
    )
    name = models.CharField(max_length=100, help_text=_("Shown on contacts, e.g. FixMyStreet."))
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    key_prefix = models.CharField(max_length=KEY_PREFIX_LENGTH, editable=False)
    is_active = models.BooleanField(default=True)
    rate_limit_per_minute = models.PositiveIntegerField(default=60)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["organisation", "name"]
        verbose_name = "Open311 client"

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"


class RateCounter(models.Model):
    """How many calls a client made in one minute. The database is shared by every web process,
    so the limit holds however many there are; rows older than a minute are deleted as new
    minutes start."""

    client = models.ForeignKey(Open311Client, on_delete=models.CASCADE, related_name="+")
    minute = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "minute"], name="open311_rate_unique")
        ]

    def __str__(self) -> str:
        return f"{self.client_id} {self.minute:%H:%M} {self.count}"
