"""Writing the audit log. Every service calls `record` inside its own transaction."""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models, transaction

from civicdesk.core.models import AuditAction, AuditEvent

# Made by core migration 0004, with no model: while it has a row, the database lets audit
# entries be deleted.
UNLOCK_TABLE = "core_audit_unlock"


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


def record_operation(
    *,
    action: AuditAction,
    record_type: str,
    record_id: str,
    actor_label: str,
    summary: str,
    detail: dict[str, Any],
    using: str = DEFAULT_DB_ALIAS,
) -> AuditEvent:
    """Append an entry about something that is not a row (a backup file), done by an operator
    outside the application (a management command), named by `actor_label`."""
    entry = AuditEvent(
        actor_label=actor_label[:200],
        action=action,
        record_type=record_type,
        record_id=record_id[:64],
        summary=summary[:300],
        detail=detail,
    )
    entry.save(using=using)
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


@contextmanager
def permit_erasure(*, reason: str, using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Let the database delete audit entries inside this block, which is one transaction.

    The triggers of core migration 0004 refuse every DELETE (and TRUNCATE) of the audit log
    while `core_audit_unlock` is empty. The row written here is removed before the transaction
    commits, so no other connection ever sees it. For emptying the whole database (`flush`) and
    for removing entries past their retention period; nothing else.
    """
    connection = connections[using]
    with transaction.atomic(using=using):
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {UNLOCK_TABLE} (reason) VALUES (%s)", [reason[:100]])
        yield
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {UNLOCK_TABLE}")
