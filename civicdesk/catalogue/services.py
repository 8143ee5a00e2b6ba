"""Every change to the service catalogue and the knowledge base goes through here."""

import csv
import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from civicdesk.catalogue.models import (
    Channel,
    InteractionType,
    KnowledgeArticle,
    LgslService,
    QuestionType,
    Service,
    ServiceInteraction,
    ServiceQuestion,
)
from civicdesk.core.audit import record
from civicdesk.core.models import AuditAction
from civicdesk.organisations.models import Organisation, Team

LGSL_REQUIRED_COLUMNS = {"Identifier", "Label", "Description"}


def _validate_lists(channels: Iterable[str], interaction_types: Iterable[int]) -> None:
    bad_channels = set(channels) - set(Channel.values)
    if bad_channels:
        raise ValidationError({"channels": f"Unknown channels: {', '.join(sorted(bad_channels))}"})
    bad_types = set(interaction_types) - set(InteractionType.values)
    if bad_types:
        raise ValidationError(
            {"interaction_types": f"Not LGIL types: {', '.join(map(str, sorted(bad_types)))}"}
        )


@transaction.atomic
def create_service(
    *,
    actor: Any,
    organisation: Organisation,
    name: str,
    lgsl: LgslService | None = None,
    description: str = "",
    keywords: str = "",
    owning_team: Team | None = None,
    sensitivity: str = "standard",
    sla_value: int | None = None,
    sla_unit: str = "working_days",
    channels: list[str] | None = None,
    interaction_types: list[int] | None = None,
    slug: str = "",
) -> Service:
    channels = list(channels if channels is not None else Channel.values)
    interaction_types = list(interaction_types or [])
    _validate_lists(channels, interaction_types)
    if owning_team and owning_team.organisation_id != organisation.pk:
        raise ValidationError({"owning_team": _("The team belongs to another organisation.")})
    service = Service(
        organisation=organisation,
        lgsl=lgsl,
        name=name,
        slug=slug or slugify(name)[:100],
        description=description,
        keywords=keywords,
        owning_team=owning_team,
        sensitivity=sensitivity,
        sla_value=sla_value,
        sla_unit=sla_unit,
        channels=channels,
        interaction_types=interaction_types,
    )
    service.full_clean()
    service.save()
    record(
        actor=actor,
        action=AuditAction.CREATED,
        target=service,
        summary=f"Service {service.name} added",
    )
    return service


@transaction.atomic
def publish_article(
    *,
    actor: Any,
    service: Service,
    question: str,
    answer: str,
    script: list[str] | None = None,
    last_reviewed_on: datetime.date | None = None,
) -> KnowledgeArticle:
    """Add a knowledge article that agents see beside the contact form for the service."""
    article = KnowledgeArticle(
        organisation_id=service.organisation_id,
        service=service,
        question=question,
        answer=answer,
        script=[step for step in (script or []) if step.strip()],
        last_reviewed_on=last_reviewed_on,
    )
    article.full_clean()
    article.save()
    record(
        actor=actor,
        action=AuditAction.CREATED,
        target=article,
        summary=f"Article for {service.name}: {question[:80]}",
    )
    return article


PUBLIC_FIELDS = (
    "is_public", "request_kind", "allows_anonymous", "group", "how_online", "how_by_phone",
    "how_in_person",
)  # fmt: skip


@transaction.atomic
def set_public_details(*, actor: Any, service: Service, **changes: Any) -> Service:
    """Change how a service appears on the portal and to Open311 clients."""
    unknown = set(changes) - set(PUBLIC_FIELDS)
    if unknown:
        raise TypeError(f"Not public details: {', '.join(sorted(unknown))}")
    for name, value in changes.items():
        setattr(service, name, value)
    service.full_clean()
    service.save(update_fields=list(changes))
    record(
        actor=actor,
        action=AuditAction.UPDATED,
        target=service,
        summary=f"Public details of {service.name} changed",
        detail={"fields": sorted(changes)},
    )
    return service


@transaction.atomic
def set_interaction(
    *,
    actor: Any,
    service: Service,
    interaction_type: int,
    channels: list[str],
    staff_complete_online: bool = False,
    electronic_permitted: bool = True,
) -> ServiceInteraction:
    """Record how one interaction type of the service is done; the service then lists the type."""
    _validate_lists(channels, [interaction_type])
    interaction, created = ServiceInteraction.objects.update_or_create(
        service=service,
        interaction_type=interaction_type,
        defaults={
            "channels": list(dict.fromkeys(channels)),
            "staff_complete_online": staff_complete_online,
            "electronic_permitted": electronic_permitted,
        },
    )
    if interaction_type not in service.interaction_types:
        service.interaction_types = sorted([*service.interaction_types, interaction_type])
        service.save(update_fields=["interaction_types"])
    record(
        actor=actor,
        action=AuditAction.CREATED if created else AuditAction.UPDATED,
        target=service,
        summary=f"{service.name}: how to {interaction.get_interaction_type_display()} set",
        detail={"interaction_type": interaction_type, "channels": interaction.channels},
    )
    return interaction


@transaction.atomic
def add_question(
    *,
    actor: Any,
    service: Service,
    code: str,
    prompt: str,
    datatype: str = QuestionType.STRING,
    required: bool = False,
    choices: list[dict[str, str]] | None = None,
    hint: str = "",
    order: int | None = None,
) -> ServiceQuestion:
    """Add a question the service asks with every request (and offers as an Open311 attribute)."""
    if order is None:
        order = service.questions.count() + 1
    question = ServiceQuestion(
        service=service,
        code=code,
        prompt=prompt,
        datatype=datatype,
        required=required,
        choices=choices or [],
        hint=hint,
        order=order,
    )
    question.full_clean()
    question.save()
    record(
        actor=actor,
        action=AuditAction.CREATED,
        target=question,
        summary=f"Question {code} added to {service.name}",
    )
    return question


@dataclass
class LgslImportResult:
    created: int = 0
    updated: int = 0
    skipped: list[str] | None = None


@transaction.atomic
def import_lgsl(*, actor: Any, rows: Iterable[dict[str, str]]) -> LgslImportResult:
    """Load or refresh the national list. Identifiers are stable; labels change between versions."""
    result = LgslImportResult(skipped=[])
    existing = dict(LgslService.objects.values_list("code", "label"))
    to_create, to_update = [], []
    for line, row in enumerate(rows, start=2):
        try:
            code = int(row["Identifier"])
        except (TypeError, ValueError):
            result.skipped.append(
                f"line {line}: identifier {row.get('Identifier')!r} is not a number"
            )
            continue
        label = (row.get("Label") or "").strip()
        if not label:
            result.skipped.append(f"line {line}: no label")
            continue
        entry = LgslService(
            code=code, label=label[:200], description=(row.get("Description") or "").strip()
        )
        (to_update if code in existing else to_create).append(entry)
    LgslService.objects.bulk_create(to_create, batch_size=500)
    LgslService.objects.bulk_update(to_update, ["label", "description"], batch_size=500)
    result.created, result.updated = len(to_create), len(to_update)
    audit_target = LgslService(code=0)
    record(
        actor=actor,
        action=AuditAction.IMPORTED,
        target=audit_target,
        summary=f"LGSL list imported: {result.created} new, {result.updated} updated, "
        f"{len(result.skipped)} skipped",
    )
    return result


def read_lgsl_csv(path: str) -> list[dict[str, str]]:
    """Rows of an esd-standards LGSL export; descriptions hold newlines, so read as real CSV."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = LGSL_REQUIRED_COLUMNS - set(reader.fieldnames or [])
        if missing:
            raise ValidationError(f"The file lacks the columns {', '.join(sorted(missing))}.")
        return list(reader)
