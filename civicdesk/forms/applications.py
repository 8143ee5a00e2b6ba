"""Every write to applications: started, filled in, paid for, sent, and decided on the case.

An application is filled in while it is a draft (by the resident on the portal, or by an agent
for a caller), paid for when its form has a fee, and sent: sending assesses it with the
eligibility rules in force, logs the contact and raises a case routed like any other, with the
evidence attached. It is decided on the case by someone who may work the case: approved
(with an expiry date when the thing granted ends), refused with reasons, or paused while the
resident is asked for more information. Every decision sends a letter through `notify`.

The payments app tells us when an application's payment finishes (`payment_finished`, set up in
`apps.FormsConfig.ready`): a success sends the application, anything else lets the resident try
again.
"""

import datetime
import logging
import os
import uuid
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

from civicdesk.cases import services as case_services
from civicdesk.cases.models import Case, CaseStatus, EventKind, ResolutionCode
from civicdesk.cases.uploads import check_upload
from civicdesk.catalogue.models import Channel
from civicdesk.contacts.models import Outcome
from civicdesk.contacts.services import log_contact
from civicdesk.core.audit import record
from civicdesk.core.idempotency import once
from civicdesk.core.models import AuditAction
from civicdesk.forms import runner
from civicdesk.forms.models import (
    Application,
    ApplicationStatus,
    Evidence,
    Form,
    FormPage,
    QuestionKind,
)
from civicdesk.forms.rules import FURTHER_ASSESSMENT, RuleError, assess
from civicdesk.forms.selectors import published_version, rules_in_force
from civicdesk.notify.models import Message, MessageEvent
from civicdesk.notify.services import notify_customer
from civicdesk.organisations.models import Membership
from civicdesk.payments.models import FINISHED_STATUSES, Payment, PaymentStatus
from civicdesk.people.models import Customer, PortalAccount, Representative

logger = logging.getLogger(__name__)

PAYMENT_PURPOSE = "application"
# What a resident may still change; AWAITING_PAYMENT only while the payment is unfinished.
FILLING_IN = (ApplicationStatus.DRAFT, ApplicationStatus.AWAITING_PAYMENT)
# Sent and waiting for a decision.
UNDECIDED = (ApplicationStatus.SUBMITTED, ApplicationStatus.MORE_INFORMATION)
SENT = (*UNDECIDED, ApplicationStatus.APPROVED, ApplicationStatus.REFUSED)


# Who may do what.


def _is_staff_of(actor: Any, organisation_id: int) -> bool:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    if actor.is_superuser:
        return True
    return Membership.objects.filter(user=actor, organisation_id=organisation_id).exists()


def _acts_for_applicant(actor: Any, application: Application) -> bool:
    """The system, the council's staff (an agent for a caller), the applicant's own portal
    account, or a representative in force who may act for them on this service."""
    if actor is None or _is_staff_of(actor, application.organisation_id):
        return True
    if not getattr(actor, "is_authenticated", False):
        return False
    if application.customer_id is None:
        return application.started_by_id == actor.pk
    if PortalAccount.objects.filter(user=actor, customer_id=application.customer_id).exists():
        return True
    representations = Representative.objects.in_force().filter(
        user=actor, customer_id=application.customer_id
    )
    service = application.form_version.form.service
    return any(representation.may_act_for(service) for representation in representations)


def _require_applicant(actor: Any, application: Application) -> None:
    if not _acts_for_applicant(actor, application):
        raise PermissionDenied(_("You cannot change this application."))


def _require_case_worker(actor: Any, case: Case) -> None:
    case_services.require_permission(
        case_services.access_for(actor, case).may_work, _("You cannot decide this application.")
    )


def _locked(application: Application) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related(
            "form_version__form__service", "organisation", "customer", "representative", "case"
        )
        .get(pk=application.pk)
    )


def _audit(actor: Any, application: Application, summary: str, **detail: Any) -> None:
    record(
        actor=actor,
        action=AuditAction.UPDATED,
        target=application,
        summary=summary,
        detail=detail or None,
        organisation_id=application.organisation_id,
    )


# Filling in.


@transaction.atomic
def start_application(
    *,
    actor: Any,
    form: Form,
    customer: Customer | None,
    representative: Representative | None = None,
    channel: str,
) -> Application:
    """A draft application on the form's published version, for `customer` (None for a
    caller who gives no details), made through `representative` when one acts for them."""
    version = published_version(form)
    if not form.is_active or version is None:
        raise ValidationError(_("This form is not open for applications."))
    errors: dict[str, str] = {}
    if channel not in Channel.values:
        errors["channel"] = _("Choose how the application came in.")
    if customer is not None:
        if customer.organisation_id != form.organisation_id:
            errors["customer"] = _("That customer belongs to another council.")
        elif customer.merged_into_id:
            errors["customer"] = _("That record has been merged; use the surviving record.")
    if representative is not None and (
        customer is None
        or representative.customer_id != customer.pk
        or not representative.may_act_for(form.service)
    ):
        errors["representative"] = _("The representative cannot act for this customer here.")
    if errors:
        raise ValidationError(errors)
    application = Application.objects.create(
        organisation_id=form.organisation_id,
        form_version=version,
        customer=customer,
        representative=representative,
        started_by=actor if getattr(actor, "is_authenticated", False) else None,
        channel=channel,
    )
    record(
        actor=actor,
        action=AuditAction.CREATED,
        target=application,
        summary=f"Application for {form.title} started",
        detail={
            "form": form.pk,
            "version": version.number,
            "customer": customer.reference if customer else None,
            "representative": representative.pk if representative else None,
            "channel": channel,
        },
        organisation_id=form.organisation_id,
    )
    return application


def _payments(application: Application):
    from civicdesk.payments.selectors import payments_for_purpose

    return payments_for_purpose(purpose=PAYMENT_PURPOSE, purpose_reference=str(application.pk))


def fee_paid(application: Application) -> bool:
    """Whether the application's fee has been taken (the provider confirmed it)."""
    return _payments(application).filter(status=PaymentStatus.SUCCESS).exists()


def _require_filling_in(application: Application) -> None:
    if application.status not in FILLING_IN:
        raise ValidationError(_("This application has been sent and can no longer be changed."))
    if application.status == ApplicationStatus.AWAITING_PAYMENT and (
        fee_paid(application)
        or not _payments(application).exclude(status__in=FINISHED_STATUSES).exists()
    ):
        raise ValidationError(_("This application has been paid for and can no longer be changed."))


def _store_evidence(
    application: Application, code: str, upload: UploadedFile
) -> tuple[Evidence, str]:
    try:
        checked = check_upload(
            upload, upload.name or "", upload.size or 0, accepted=runner.EVIDENCE_TYPES
        )
    except ValidationError as error:
        raise ValidationError({code: error.message_dict.get("file", error.messages)}) from error
    evidence = Evidence(
        application=application,
        question_code=code,
        original_name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
    )
    extension = os.path.splitext(checked.name)[1]
    evidence.file.save(f"{uuid.uuid4().hex}{extension}", File(upload), save=False)
    stored = evidence.file.name
    try:
        evidence.save()
    except Exception:
        evidence.file.delete(save=False)
        raise
    return evidence, stored


def _delete_files_on_commit(names: list[str]) -> None:
    if not names:
        return

    def delete() -> None:
        from django.core.files.storage import default_storage

        for name in names:
            try:
                default_storage.delete(name)
            except OSError:  # pragma: no cover - the file is already gone
                logger.warning("Could not delete evidence file %s", name)

    transaction.on_commit(delete, robust=True)


def _drop_orphan_evidence(application: Application) -> None:
    """Evidence no answer refers to any more (its question was hidden by a changed answer,
    or the file was removed) is deleted: we keep only what the application uses."""
    used = _evidence_ids(application.answers)
    orphans = list(application.evidence.exclude(pk__in=used))
    for evidence in orphans:
        evidence.delete()
    _delete_files_on_commit([evidence.file.name for evidence in orphans if evidence.file])


def _evidence_ids(answers: Mapping[str, Any]) -> set[int]:
    found: set[int] = set()
    for value in answers.values():
        if isinstance(value, list):
            for item in value:
                if isinstance(item, dict) and isinstance(item.get("evidence"), int):
                    found.add(item["evidence"])
    return found


@transaction.atomic
def save_answers(
    *,
    actor: Any,
    application: Application,
    page: FormPage,
    answers: dict[str, Any],
    files: Mapping[str, list[UploadedFile]] | None = None,
) -> Application:
    """Keep a page's answers (and files, as evidence) and drop answers that no longer show.

    A file question's answer is the list of its files, [{"evidence": id, "name": ...}]; a new
    file is added to the list (remove one with `remove_evidence`). A file the checks refuse
    raises ValidationError keyed by the question's code, and nothing on the page is kept.
    """
    application = _locked(application)
    _require_applicant(actor, application)
    _require_filling_in(application)
    version = application.form_version
    if page.version_id != version.pk:
        raise ValidationError(_("That page is not part of this application's form."))
    codes = {question.code: question for question in page.questions.all()}
    merged = dict(application.answers)
    for code, value in answers.items():
        if code in codes and codes[code].kind != QuestionKind.FILE:
            merged[code] = value
    added: list[str] = []
    try:
        for code, uploads in (files or {}).items():
            question = codes.get(code)
            if question is None or question.kind != QuestionKind.FILE:
                raise ValidationError(_("That file does not answer a question on this page."))
            current = merged.get(code)
            items = list(current) if isinstance(current, list) else []
            for upload in uploads:
                evidence, stored = _store_evidence(application, code, upload)
                added.append(stored)
                items.append({"evidence": evidence.pk, "name": evidence.original_name})
            if items:
                merged[code] = items
    except Exception:
        from django.core.files.storage import default_storage

        for name in added:  # the rows roll back with the transaction; the files go now
            default_storage.delete(name)
        raise
    today = timezone.localdate()
    application.answers = runner.prune(version, merged, on=today)
    application.save(update_fields=["answers", "updated_at"])
    _drop_orphan_evidence(application)
    _audit(
        actor,
        application,
        f"Answers on page {page.number} saved",
        page=page.number,
        files=len(added),
    )
    return application


@transaction.atomic
def remove_evidence(*, actor: Any, application: Application, evidence_id: int) -> Application:
    """Take a file off the application (a wrong photo); its answer loses it too."""
    application = _locked(application)
    _require_applicant(actor, application)
    _require_filling_in(application)
    evidence = application.evidence.filter(pk=evidence_id).first()
    if evidence is None:
        raise ValidationError(_("That file is not part of this application."))
    answers = dict(application.answers)
    current = answers.get(evidence.question_code)
    if isinstance(current, list):
        kept = [
            item
            for item in current
            if not (isinstance(item, dict) and item.get("evidence") == evidence.pk)
        ]
        if kept:
            answers[evidence.question_code] = kept
        else:
            answers.pop(evidence.question_code, None)
    application.answers = runner.prune(application.form_version, answers, on=timezone.localdate())
    application.save(update_fields=["answers", "updated_at"])
    name = evidence.original_name
    _drop_orphan_evidence(application)
    _audit(actor, application, "Evidence removed", name=name)
    return application


def problems(application: Application, *, on: date) -> list[str]:
    """Why the application cannot be sent yet, in words; empty when it can."""
    pages = runner.missing(application.form_version, application.answers, on=on)
    return [
        _("Answer the questions on the page “%(page)s”.") % {"page": page.title} for page in pages
    ]


# Paying and sending.


def _contact_email(application: Application) -> str:
    if application.customer_id and application.customer.email:
        return application.customer.email
    answer = application.answers.get("email")
    return answer if isinstance(answer, str) else ""


@transaction.atomic
def request_payment(
    *, actor: Any, application: Application, return_url_for: Callable[[str], str]
) -> Payment:
    """Start paying the fee; the caller sends the resident to `payment.next_url`.

    Only for a complete application whose form has a fee and that is not paid for yet (a
    ValidationError says why not). A payment still under way is returned again rather than
    starting a second one, so a resident cannot be charged twice.
    """
    from civicdesk.payments.services import start_payment

    application = _locked(application)
    _require_applicant(actor, application)
    if application.status not in FILLING_IN:
        raise ValidationError(_("This application has been sent and can no longer be changed."))
    version = application.form_version
    if version.fee_pence <= 0:
        raise ValidationError(_("There is nothing to pay for this application."))
    found = problems(application, on=timezone.localdate())
    if found:
        raise ValidationError(found)
    if fee_paid(application):
        raise ValidationError(_("The fee for this application has already been paid."))
    under_way = (
        _payments(application)
        .exclude(status__in=FINISHED_STATUSES)
        .exclude(next_url="")
        .order_by("-created_at")
        .first()
    )
    if under_way is not None:
        payment = under_way
    else:
        form = version.form
        payment = start_payment(
            actor=actor,
            organisation=application.organisation,
            amount_pence=version.fee_pence,
            description=form.title,
            return_url_for=return_url_for,
            customer=application.customer,
            service=form.service,
            purpose=PAYMENT_PURPOSE,
            purpose_reference=str(application.pk),
            email=_contact_email(application),
        )
    if application.status != ApplicationStatus.AWAITING_PAYMENT:
        application.status = ApplicationStatus.AWAITING_PAYMENT
        application.save(update_fields=["status", "updated_at"])
    _audit(actor, application, f"Payment {payment.reference} requested", payment=payment.pk)
    return payment


def _assessment(application: Application, on: date) -> dict[str, Any]:
    version = application.form_version
    code = version.eligibility_code
    if not code:
        return {}
    rules = rules_in_force(application.organisation, code)
    if rules is None:
        return {
            "outcome": FURTHER_ASSESSMENT,
            "reasons": [_("No eligibility rules were in force, so a person needs to look.")],
            "notes": [f"No published rules with the code {code}."],
            "rules": code,
            "version": 0,
            "on": on.isoformat(),
        }
    answers = runner.typed_answers(version, application.answers)
    try:
        return assess(
            rules.definition, answers, on=on, code=rules.code, version=rules.version
        ).as_json()
    except RuleError as error:
        return {
            "outcome": FURTHER_ASSESSMENT,
            "reasons": [
                _("The eligibility rules could not be applied, so a person needs to look.")
            ],
            "notes": [str(error)],
            "rules": rules.code,
            "version": rules.version,
            "on": on.isoformat(),
        }


def _address(application: Application) -> Any:
    from civicdesk.places.models import Address

    for question in runner._questions(application.form_version):
        if question.kind != QuestionKind.ADDRESS:
            continue
        value = application.answers.get(question.code)
        if isinstance(value, dict) and value.get("uprn"):
            return Address.objects.filter(
                pk=value["uprn"], organisation_id=application.organisation_id
            ).first()
    return None


def _format_day(day: date | None) -> str:
    return dateformat.format(day, "j F Y") if day else ""


def _tell(
    application: Application,
    event: str,
    *,
    actor: Any,
    update: str = "",
    due: str = "",
) -> Message | None:
    """A message to the applicant about their application, noted on the case's timeline."""
    case = application.case
    form = application.form_version.form
    if case is not None:
        personalisation = case_services.message_personalisation(case, update)
    else:
        personalisation = dict.fromkeys(("location", "status", "url"), "")
        personalisation.update(
            name=application.customer.full_name if application.customer_id else "",
            reference="",
            service=form.service.name,
            update=update,
        )
    personalisation["due"] = due
    message = notify_customer(
        organisation=application.organisation,
        customer=application.customer,
        event=event,
        about_reference=case.reference if case is not None else "",
        service=form.service,
        personalisation=personalisation,
        email="" if application.customer_id else _contact_email(application),
    )
    if message is not None and case is not None:
        case_services.append_event(
            case,
            EventKind.MESSAGE_SENT,
            actor=actor,
            at=timezone.now(),
            text=str(message.get_event_display()),
            data={"message": message.pk, "channel": message.channel},
        )
    return message


def _send(actor: Any, application: Application) -> Application:
    application = _locked(application)
    if application.status in SENT or application.case_id is not None:
        return application  # sent already: a double click or the payment hook and the resident
    _require_applicant(actor, application)
    if application.status not in FILLING_IN:
        raise ValidationError(_("This application has been withdrawn."))
    today = timezone.localdate()
    found = problems(application, on=today)
    if found:
        raise ValidationError(found)
    version = application.form_version
    form = version.form
    if version.fee_pence > 0 and not fee_paid(application):
        raise ValidationError(_("Pay the fee before you send your application."))
    application.assessment = _assessment(application, today)
    from_staff = _is_staff_of(actor, application.organisation_id)
    contact = log_contact(
        actor=actor,
        organisation=application.organisation,
        channel=application.channel,
        outcome=Outcome.CASE_RAISED,
        customer=application.customer,
        service=form.service,
        representative=application.representative,
        notes=_("Application: %(form)s") % {"form": form.title},
    )
    case = case_services.raise_case(
        actor=actor,
        organisation=application.organisation,
        service=form.service,
        description=_("Application: %(form)s") % {"form": form.title},
        channel=application.channel,
        customer=application.customer,
        source_contact=contact,
        address=_address(application),
        attributes={"application": application.pk},
        from_public=not from_staff,
        tell_customer=False,  # application_received says it, with what happens next
    )
    for evidence in application.evidence.filter(pk__in=_evidence_ids(application.answers)):
        with evidence.file.open("rb") as stream:
            upload = File(stream, name=evidence.original_name)
            evidence.attachment = case_services.attach_file(actor=actor, case=case, upload=upload)
        evidence.save(update_fields=["attachment"])
    application.case = case
    application.status = ApplicationStatus.SUBMITTED
    application.submitted_at = timezone.now()
    application.save(update_fields=["case", "status", "submitted_at", "assessment", "updated_at"])
    record(
        actor=actor,
        action=AuditAction.UPDATED,
        target=application,
        summary=f"Application sent as case {case.reference}",
        detail={"case": case.reference, "outcome": application.assessment.get("outcome", "")},
        organisation_id=application.organisation_id,
    )
    _tell(application, MessageEvent.APPLICATION_RECEIVED, actor=actor)
    return application


def submit_application(
    *, actor: Any, application: Application, submission_key: str = ""
) -> Application:
    """Send a complete (and, with a fee, paid) application: assessed, logged, raised as a case
    with its evidence, and acknowledged. Sending again returns the same application."""
    with transaction.atomic():
        if not submission_key:
            return _send(actor, application)
        sent, _created = once(
            key=submission_key, model=Application, create=lambda: _send(actor, application)
        )
        return sent


def payment_finished(payment: Payment) -> None:
    """The payments hook for "application": runs inside the transaction that records it."""
    try:
        pk = int(payment.purpose_reference)
    except ValueError:
        logger.error("Payment %s names no application", payment.reference)
        return
    application = Application.objects.filter(pk=pk).first()
    if application is None:
        logger.error("Payment %s is for application %s, which is gone", payment.reference, pk)
        return
    if payment.status == PaymentStatus.SUCCESS:
        try:
            with transaction.atomic():
                submit_application(actor=None, application=application)
        except (ValidationError, PermissionDenied) as error:
            # Paid but not sendable (withdrawn, or changed meanwhile): the resident sends it
            # when it is complete; a withdrawn one needs a refund from the payments page.
            logger.warning(
                "Application %s paid by %s but not sent: %s", pk, payment.reference, error
            )
            Application.objects.filter(pk=pk, status=ApplicationStatus.AWAITING_PAYMENT).update(
                status=ApplicationStatus.DRAFT, updated_at=timezone.now()
            )
        return
    updated = Application.objects.filter(pk=pk, status=ApplicationStatus.AWAITING_PAYMENT).update(
        status=ApplicationStatus.DRAFT, updated_at=timezone.now()
    )
    if updated:
        _audit(
            None,
            application,
            f"Payment {payment.reference} {payment.status}: back to the draft",
            payment=payment.pk,
        )


# Deciding, on the case.


def _case_for_decision(actor: Any, application: Application) -> tuple[Application, Case]:
    application = _locked(application)
    if application.case_id is None:
        raise ValidationError(_("This application has not been sent yet."))
    case = case_services.lock_case(application.case)
    _require_case_worker(actor, case)
    return application, case


@transaction.atomic
def ask_for_information(*, actor: Any, application: Application, request: str) -> Application:
    """Ask the applicant for more: the case waits for the customer (its SLA clock pauses)."""
    application, case = _case_for_decision(actor, application)
    request = request.strip()
    if not request:
        raise ValidationError({"request": _("Say what information you need.")})
    if application.status not in UNDECIDED:
        raise ValidationError(_("This application has been decided."))
    if case.status != CaseStatus.WAITING_CUSTOMER:
        case_services.change_status(
            actor=actor, case=case, status=CaseStatus.WAITING_CUSTOMER, note=request
        )
    application.status = ApplicationStatus.MORE_INFORMATION
    application.information_requested = request
    application.information_requested_at = timezone.now()
    application.save(
        update_fields=["status", "information_requested", "information_requested_at", "updated_at"]
    )
    application.case.refresh_from_db()
    _audit(actor, application, "More information asked for", request=request)
    _tell(application, MessageEvent.APPLICATION_MORE_INFORMATION, actor=actor, update=request)
    return application


@transaction.atomic
def provide_information(
    *, actor: Any, application: Application, text: str, files: list[UploadedFile]
) -> Application:
    """The applicant's answer: on the case as their update with the files, and the case back
    to work (its SLA clock runs again)."""
    application = _locked(application)
    _require_applicant(actor, application)
    if application.status != ApplicationStatus.MORE_INFORMATION or application.case_id is None:
        raise ValidationError(_("We have not asked for more information about this application."))
    text = text.strip()
    if not text and not files:
        raise ValidationError({"text": _("Enter the information or choose a file.")})
    case = case_services.lock_case(application.case)
    for upload in files:
        try:
            check_upload(
                upload, upload.name or "", upload.size or 0, accepted=runner.EVIDENCE_TYPES
            )
        except ValidationError as error:
            raise ValidationError(
                {"files": error.message_dict.get("file", error.messages)}
            ) from error
    now = timezone.now()
    if text:
        case_services.append_event(
            case,
            EventKind.REPORTER_UPDATE,
            actor=actor,
            at=now,
            text=text,
            is_public=True,
            data={"application": application.pk, "via": "application"},
        )
    for upload in files:
        case_services.attach_file(actor=actor, case=case, upload=upload)
    if case.is_open and case.status != CaseStatus.IN_PROGRESS:
        # The applicant is not staff: the system moves the case on their behalf.
        case_services.change_status(actor=None, case=case, status=CaseStatus.IN_PROGRESS)
    application.status = ApplicationStatus.SUBMITTED
    application.save(update_fields=["status", "updated_at"])
    application.case.refresh_from_db()
    _audit(actor, application, "More information given", files=len(files))
    return application


@transaction.atomic
def approve_application(*, actor: Any, application: Application, note: str = "") -> Application:
    """Grant it: the expiry date set where the thing granted ends, the case closed, and the
    approval letter sent."""
    application, case = _case_for_decision(actor, application)
    if application.status not in UNDECIDED:
        raise ValidationError(_("This application has been decided or withdrawn."))
    today = timezone.localdate()
    days = application.form_version.grant_valid_for_days
    application.status = ApplicationStatus.APPROVED
    application.decided_at = timezone.now()
    application.decided_by = actor if getattr(actor, "is_authenticated", False) else None
    application.decision_reasons = note.strip()
    application.expires_on = today + datetime.timedelta(days=days) if days else None
    application.save(
        update_fields=[
            "status", "decided_at", "decided_by", "decision_reasons", "expires_on", "updated_at"
        ]
    )  # fmt: skip
    message = _("Your application has been approved.")
    if application.expires_on:
        message += " " + _("It lasts until %(day)s.") % {"day": _format_day(application.expires_on)}
    case_services.close_case(
        actor=actor,
        case=case,
        resolution_code=ResolutionCode.DONE,
        message=message,
        tell_customer=False,  # the approval letter says it
    )
    application.case.refresh_from_db()
    _audit(
        actor,
        application,
        "Application approved",
        expires_on=application.expires_on.isoformat() if application.expires_on else None,
    )
    _tell(
        application,
        MessageEvent.APPLICATION_APPROVED,
        actor=actor,
        update=note.strip(),
        due=_format_day(application.expires_on),
    )
    return application


@transaction.atomic
def refuse_application(*, actor: Any, application: Application, reasons: str) -> Application:
    """Refuse it with reasons in plain words (they go in the letter); the case is closed."""
    reasons = reasons.strip()
    if not reasons:
        raise ValidationError({"reasons": _("Explain why the application is refused.")})
    application, case = _case_for_decision(actor, application)
    if application.status not in UNDECIDED:
        raise ValidationError(_("This application has been decided or withdrawn."))
    application.status = ApplicationStatus.REFUSED
    application.decided_at = timezone.now()
    application.decided_by = actor if getattr(actor, "is_authenticated", False) else None
    application.decision_reasons = reasons
    application.save(
        update_fields=["status", "decided_at", "decided_by", "decision_reasons", "updated_at"]
    )
    case_services.close_case(
        actor=actor,
        case=case,
        resolution_code=ResolutionCode.INFORMATION_GIVEN,
        message=_("Your application has been refused. We have written to you to explain why."),
        tell_customer=False,  # the refusal letter says it
    )
    application.case.refresh_from_db()
    _audit(actor, application, "Application refused")
    _tell(application, MessageEvent.APPLICATION_REFUSED, actor=actor, update=reasons)
    return application


@transaction.atomic
def withdraw_application(*, actor: Any, application: Application) -> Application:
    """The applicant takes it back before a decision; a sent one's case is closed."""
    application = _locked(application)
    _require_applicant(actor, application)
    if application.status not in (*FILLING_IN, *UNDECIDED):
        raise ValidationError(_("This application has been decided and cannot be withdrawn."))
    application.status = ApplicationStatus.WITHDRAWN
    application.save(update_fields=["status", "updated_at"])
    if application.case_id is not None and application.case.is_open:
        case_services.close_case(
            actor=None,
            case=application.case,
            resolution_code=ResolutionCode.WITHDRAWN,
            message=_("You withdrew your application."),
        )
        application.case.refresh_from_db()
    _audit(actor, application, "Application withdrawn")
    return application


RENEWAL_NOTICE = datetime.timedelta(weeks=8)


def send_renewal_reminders(*, today: datetime.date | None = None) -> int:
    """Tell each applicant whose grant ends within 8 weeks that it is time to renew, once per
    application; how many were told. One failure does not stop the rest."""

    today = today or timezone.localdate()
    due = list(
        Application.objects.filter(
            status=ApplicationStatus.APPROVED,
            renewal_reminded_at__isnull=True,
            expires_on__isnull=False,
            expires_on__gte=today,
            expires_on__lte=today + RENEWAL_NOTICE,
        )
        .order_by("expires_on", "pk")
        .values_list("pk", flat=True)
    )
    sent = 0
    for pk in due:
        try:
            with transaction.atomic():
                application = (
                    Application.objects.select_for_update(of=("self",))
                    .select_related("form_version__form__service", "organisation", "customer")
                    .filter(pk=pk, renewal_reminded_at__isnull=True)
                    .first()
                )
                if application is None:  # another run got there first
                    continue
                _tell(
                    application,
                    MessageEvent.APPLICATION_RENEWAL_DUE,
                    actor=None,
                    due=_format_day(application.expires_on),
                )
                application.renewal_reminded_at = timezone.now()
                application.save(update_fields=["renewal_reminded_at", "updated_at"])
                record(
                    actor=None,
                    action=AuditAction.UPDATED,
                    target=application,
                    summary="Renewal reminder sent",
                    detail={"expires_on": application.expires_on.isoformat()},
                    organisation_id=application.organisation_id,
                )
        except Exception:
            logger.exception("Renewal reminder for application %s failed", pk)
            continue
        sent += 1
    return sent
