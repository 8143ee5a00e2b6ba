"""Every write to form definitions and eligibility rules.

A form is built as a draft version: pages, then questions on each page. Publishing checks the
whole definition (`forms.definition.check_version`), freezes it and retires the version that was
published before; `new_draft` copies the published version so it can be changed again. Rule sets
are versioned the same way and checked by `forms.rules.check_rule_set` before they are saved.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from civicdesk.catalogue.models import Service
from civicdesk.core.audit import record
from civicdesk.core.models import AuditAction
from civicdesk.forms.models import (
    EligibilityRules,
    Form,
    FormPage,
    FormQuestion,
    FormVersion,
    QuestionKind,
    VersionStatus,
)
from civicdesk.organisations.models import Organisation

VERSION_FIELDS = ("fee_pence", "grant_valid_for_days", "eligibility_code")
PAGE_FIELDS = ("title", "hint", "show_if")
QUESTION_FIELDS = (
    "order",
    "code",
    "kind",
    "label",
    "hint",
    "required",
    "choices",
    "minimum",
    "maximum",
    "show_if",
)


def ensure_draft(version: FormVersion) -> None:
    """Refuse to change a version that has been published (or retired): it is frozen."""
    current = FormVersion.objects.filter(pk=version.pk).values_list("status", flat=True).first()
    if (current or version.status) != VersionStatus.DRAFT:
        raise ValidationError(
            _("Version %(number)s of %(form)s has been published and cannot be changed.")
            % {"number": version.number, "form": version.form.title}
        )


@transaction.atomic
def create_form(
    *,
    actor: Any,
    organisation: Organisation,
    service: Service,
    title: str,
    slug: str = "",
    summary: str = "",
    fee_pence: int = 0,
    grant_valid_for_days: int | None = None,
    eligibility_code: str = "",
) -> Form:
    """Create a form for `service` with an empty draft, version 1, to add pages to."""
    if service.organisation_id != organisation.pk:
        raise ValidationError({"service": _("The service belongs to another organisation.")})
    form = Form(
        organisation=organisation,
        service=service,
        title=title,
        slug=slug or slugify(title)[:100],
        summary=summary,
    )
    form.full_clean()
    form.save()
    version = FormVersion(
        form=form,
        number=1,
        fee_pence=fee_pence,
        grant_valid_for_days=grant_valid_for_days,
        eligibility_code=eligibility_code,
    )
    version.full_clean()
    version.save()
    record(actor=actor, action=AuditAction.CREATED, target=form, summary=f"Form {title} created")
    return form


@transaction.atomic
def change_draft(*, actor: Any, version: FormVersion, **changes: Any) -> FormVersion:
    """Change a draft's fee, how long a grant lasts or the eligibility rules it uses."""
    ensure_draft(version)
    unknown = set(changes) - set(VERSION_FIELDS)
    if unknown:
        raise TypeError(f"Cannot change {', '.join(sorted(unknown))} on a form version.")
    for name, value in changes.items():
        setattr(version, name, value)
    version.full_clean(validate_constraints=False)
    version.save(update_fields=list(changes))
    record(
        actor=actor,
        action=AuditAction.UPDATED,
        target=version,
        summary=f"{version} changed",
        detail={name: str(value) for name, value in changes.items()},
        organisation_id=version.form.organisation_id,
    )
    return version


@transaction.atomic
def add_page(
    *,
    actor: Any,
    version: FormVersion,
    title: str,
    hint: str = "",
    show_if: str = "",
    number: int | None = None,
) -> FormPage:
    """Add a page to a draft, after the last page unless `number` is given."""
    ensure_draft(version)
    if number is None:
        number = (version.pages.aggregate(last=Max("number"))["last"] or 0) + 1
    page = FormPage(version=version, number=number, title=title, hint=hint, show_if=show_if)
    page.full_clean()
    page.save()
    record(
        actor=actor,
        action=AuditAction.CREATED,
        target=page,
        summary=f"Page {number} added to {version}",
        organisation_id=version.form.organisation_id,
    )
    return page


def _tidy_choices(choices: Any) -> list[dict[str, str]]:
    tidy = []
    for choice in choices or []:
        if isinstance(choice, (list, tuple)):
            key, label = choice
        else:
            key, label = choice.get("key", ""), choice.get("label", "")
        tidy.append({"key": str(key).strip(), "label": str(label).strip()})
    return tidy


@transaction.atomic
def add_question(
    *,
    actor: Any,
    page: FormPage,
    code: str,
    kind: str,
    label: str,
    hint: str = "",
    required: bool = True,
    choices: list[Any] | None = None,
    minimum: int | None = None,
    maximum: int | None = None,
    show_if: str = "",
    order: int | None = None,
) -> FormQuestion:
    """Add a question to a draft's page, after its last question unless `order` is given.

    `choices` for choice questions: [{"key": ..., "label": ...}] or (key, label) pairs.
    """
    ensure_draft(page.version)
    if kind not in QuestionKind.values:
        raise ValidationError({"kind": _("Choose what kind of question this is.")})
    if order is None:
        order = (page.questions.aggregate(last=Max("order"))["last"] or 0) + 1
    question = FormQuestion(
        page=page,
        order=order,
        code=code,
        kind=kind,
        label=label,
        hint=hint,
        required=required,
        choices=_tidy_choices(choices),
        minimum=minimum,
        maximum=maximum,
        show_if=show_if,
    )
    question.full_clean()
    question.save()
    record(
        actor=actor,
        action=AuditAction.CREATED,
        target=question,
        summary=f"Question {code} added to page {page.number} of {page.version}",
        organisation_id=page.version.form.organisation_id,
    )
    return question


@transaction.atomic
def publish_version(*, actor: Any, version: FormVersion) -> FormVersion:
    """Publish a draft after checking it; the version published before is retired.

    Raises ValidationError with every problem `check_version` finds.
    """
    from civicdesk.forms.definition import check_version

    version = FormVersion.objects.select_for_update().select_related("form").get(pk=version.pk)
    ensure_draft(version)
    problems = check_version(version)
    if problems:
        raise ValidationError(problems)
    previous = list(
        FormVersion.objects.filter(form=version.form_id, status=VersionStatus.PUBLISHED)
    )
    FormVersion.objects.filter(pk__in=[old.pk for old in previous]).update(
        status=VersionStatus.RETIRED
    )
    version.status = VersionStatus.PUBLISHED
    version.published_at = timezone.now()
    version.published_by = actor if getattr(actor, "is_authenticated", False) else None
    version.save(update_fields=["status", "published_at", "published_by"])
    record(
        actor=actor,
        action=AuditAction.UPDATED,
        target=version,
        summary=f"{version} published",
        detail={"retired": [old.number for old in previous]},
        organisation_id=version.form.organisation_id,
    )
    return version


@transaction.atomic
def new_draft(*, actor: Any, form: Form) -> FormVersion:
    """A new draft copying the latest published version (or the latest version) of `form`.

    If a draft already exists it is returned unchanged: a form has one draft at a time.
    """
    versions = FormVersion.objects.select_for_update().filter(form=form).order_by("-number")
    existing = versions.filter(status=VersionStatus.DRAFT).first()
    if existing is not None:
        return existing
    source = versions.filter(status=VersionStatus.PUBLISHED).first() or versions.first()
    number = (source.number if source else 0) + 1
    number = max(number, (versions.aggregate(last=Max("number"))["last"] or 0) + 1)
    draft = FormVersion.objects.create(
        form=form,
        number=number,
        **({name: getattr(source, name) for name in VERSION_FIELDS} if source else {}),
    )
    if source is not None:
        for page in source.pages.prefetch_related("questions"):
            copy = FormPage.objects.create(
                version=draft, **{name: getattr(page, name) for name in (*PAGE_FIELDS, "number")}
            )
            FormQuestion.objects.bulk_create(
                FormQuestion(page=copy, **{name: getattr(q, name) for name in QUESTION_FIELDS})
                for q in page.questions.all()
            )
    record(
        actor=actor,
        action=AuditAction.CREATED,
        target=draft,
        summary=f"{draft} started"
        + (f" from version {source.number}" if source is not None else ""),
        organisation_id=form.organisation_id,
    )
    return draft


# Eligibility rules.


def _check_rules(definition: Any) -> None:
    from civicdesk.forms.rules import check_rule_set

    if not isinstance(definition, dict):
        raise ValidationError({"definition": _("The rules must be a JSON object.")})
    problems = check_rule_set(definition)
    if problems:
        raise ValidationError({"definition": problems})


@transaction.atomic
def save_rules(
    *,
    actor: Any,
    organisation: Organisation,
    code: str,
    title: str,
    definition: dict[str, Any],
    source: str = "",
) -> EligibilityRules:
    """Save a rule set as a draft: changes the draft of `code` if there is one, else starts
    the next version. Refused (ValidationError) if the rules do not check."""
    _check_rules(definition)
    rules = (
        EligibilityRules.objects.select_for_update()
        .filter(organisation=organisation, code=code, status=VersionStatus.DRAFT)
        .order_by("-version")
        .first()
    )
    if rules is None:
        last = EligibilityRules.objects.filter(organisation=organisation, code=code).aggregate(
            last=Max("version")
        )["last"]
        rules = EligibilityRules(organisation=organisation, code=code, version=(last or 0) + 1)
    rules.title = title
    rules.definition = definition
    rules.source = source
    rules.full_clean()
    rules.save()
    record(
        actor=actor,
        action=AuditAction.UPDATED,
        target=rules,
        summary=f"Eligibility rules {code} version {rules.version} saved",
    )
    return rules


@transaction.atomic
def publish_rules(*, actor: Any, rules: EligibilityRules) -> EligibilityRules:
    """Publish a draft rule set; the version in force before is retired."""
    rules = EligibilityRules.objects.select_for_update().get(pk=rules.pk)
    if rules.status != VersionStatus.DRAFT:
        raise ValidationError(
            _("Version %(number)s of these rules has been published and cannot be changed.")
            % {"number": rules.version}
        )
    _check_rules(rules.definition)
    EligibilityRules.objects.filter(
        organisation=rules.organisation_id, code=rules.code, status=VersionStatus.PUBLISHED
    ).update(status=VersionStatus.RETIRED)
    rules.status = VersionStatus.PUBLISHED
    rules.published_at = timezone.now()
    rules.save(update_fields=["status", "published_at"])
    record(
        actor=actor,
        action=AuditAction.UPDATED,
        target=rules,
        summary=f"Eligibility rules {rules.code} version {rules.version} published",
    )
    return rules
