"""The append-only audit log every service writes to."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    """Every kind of event the audit log records; services pick one of these."""

    CREATED = "created", _("Created")
    UPDATED = "updated", _("Updated")
    MERGED = "merged", _("Merged")
    IMPORTED = "imported", _("Imported")
    LOGGED = "logged", _("Logged")
    VIEWED_SENSITIVE = "viewed_sensitive", _("Viewed sensitive details")
    SIGNED_IN = "signed_in", _("Signed in")
    SIGNED_OUT = "signed_out", _("Signed out")
    SIGN_IN_FAILED = "sign_in_failed", _("Sign-in failed")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    ACCESS_GRANTED = "access_granted", _("Access granted")
    ACCESS_REVOKED = "access_revoked", _("Access revoked")
    BACKED_UP = "backed_up", _("Backed up")
    RESTORED = "restored", _("Restored from a backup")


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("The audit log is append-only.")

    def delete(self):
        raise TypeError("The audit log is append-only.")

    def for_record(self, record_type: str, record_id: object) -> "AuditQuerySet":
        return self.filter(record_type=record_type, record_id=str(record_id))


class AuditEvent(models.Model):
    """Who did what to which record, and when.

    Records are named by "app_label.model" and id rather than foreign keys, so an entry outlives
    the record it describes and no cascade can ever remove history.
    """

    occurred_at = models.DateTimeField(auto_now_add=True, db_index=True)
    organisation_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=40, choices=AuditAction.choices)
    record_type = models.CharField(max_length=100)
    record_id = models.CharField(max_length=64)
    summary = models.CharField(max_length=300, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["record_type", "record_id"], name="audit_record_idx")]

    def __str__(self) -> str:
        return (
            f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.record_id}"
        )

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("The audit log is append-only.")


class Submission(models.Model):
    """A submission already carried out, by the key its sender gave it.

    A form shown once, an API call retried after a time-out or a double click must not create a
    record twice. The unique key makes the database the judge, even for two requests that arrive
    at the same moment on different workers.
    """

    key = models.CharField(max_length=100, unique=True)
    # A hash of what was sent under the key, where the sender chose the key (the APIs' header).
    fingerprint = models.CharField(max_length=64, blank=True)
    record_type = models.CharField(max_length=100)
    record_id = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.key} -> {self.record_type}#{self.record_id}"
