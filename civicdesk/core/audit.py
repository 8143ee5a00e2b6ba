"""Writing the audit log. Every service calls `record` inside its own transaction."""

from collections.abc import Iterable
from typing import Any

from django.db import models

from civicdesk.core.models import AuditAction, AuditEvent


def _entry(
    *,
    actor: Any | None,
    action: AuditAction,
    target: models.Model,
    summary: str,
    detail: dict[str, Any] | None,
    organisation_id: int | None,
) -> AuditEvent:
    if organisation_id is None:
        organisation_id = getattr(target, "organisation_id", None)
    is_person = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent(
        organisation_id=organisation_id,
        actor=actor if is_person else None,
        actor_label=actor.get_username() if is_person else "system",
        action=action,
        record_type=target._meta.label_lower,
        record_id=str(target.pk),
        summary=summary[:300],
        detail=detail or {},
    )


def record(
    *,
    actor: Any | None,
    action: AuditAction,
    target: models.Model,
    summary: str = "",
    detail: dict[str, Any] | None = None,
    organisation_id: int | None = None,
) -> AuditEvent:
    """Append one entry describing `action` on `target` by `actor` (None for the system)."""
    entry = _entry(
        actor=actor,
        action=action,
        target=target,
        summary=summary,
        detail=detail,
        organisation_id=organisation_id,
    )
    entry.save()
    return entry


def record_each(
    *, actor: Any | None, action: AuditAction, targets: Iterable[models.Model], summary: str = ""
) -> list[AuditEvent]:
    """One entry per target in a single insert: for a page that shows many sensitive records."""
    entries = [
        _entry(
            actor=actor,
            action=action,
            target=target,
            summary=summary,
            detail=None,
            organisation_id=None,
        )
        for target in targets
    ]
    return AuditEvent.objects.bulk_create(entries)
