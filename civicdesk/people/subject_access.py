"""Everything CivicDesk holds about one customer: a subject access request (UK GDPR Article 15).

`subject_access_export` gathers it as plain data in one document, which the console offers as
JSON to download and as a page to print. It holds sensitive services' cases and internal notes
too, because the customer is entitled to the personal data in them; so only the council's
administrators may ask for it (`may_export`), and every export is audited
(`people.services.record_subject_access`).

Each kind of record is read in one query (or a few batches, for the audit log), never one query
per record: a customer with thousands of contacts costs as many queries as one with none.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from functools import cache, reduce
from operator import or_
from typing import Any

from django.db.models import Model, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from civicdesk.cases.models import Attachment, Case, CaseEvent, Referral
from civicdesk.cases.policy import staff_member
from civicdesk.contacts.models import Contact
from civicdesk.core.models import AuditEvent
from civicdesk.forms.models import Application, Evidence
from civicdesk.notify.models import Message
from civicdesk.organisations.models import Role
from civicdesk.payments.models import Payment, Refund
from civicdesk.people.models import Consent, Customer, PortalAccount, Representative
from civicdesk.places.models import Address
from civicdesk.surveys.models import SurveyInvitation

SCHEMA = "civicdesk-subject-access"
SCHEMA_VERSION = 1

# Every relation that points at a customer ("app_label.model.field") and the section that
# covers it. A test compares this with Customer._meta.related_objects: a new foreign key to
# Customer fails it until the export covers what the key links.
COVERED_RELATIONS = {
    "people.customer.merged_into": "merged_records",
    "people.consent.customer": "customer",
    "people.representative.customer": "representatives",
    "people.portalaccount.customer": "portal_accounts",
    "contacts.contact.customer": "contacts",
    "cases.case.customer": "cases",
    "cases.case.followers": "followed_cases",
    "eforms.application.customer": "applications",
    "payments.payment.customer": "payments",
    "notify.message.customer": "messages",
    "surveys.surveyinvitation.customer": "surveys",
}

# Entries about this many records are read in one query: far below SQLite's and PostgreSQL's
# limits on query parameters.
AUDIT_BATCH = 5000


def may_export(user: Any, customer: Customer) -> bool:
    """Administrators of the customer's council, and the platform's superusers.

    Roles are read as the case policy reads them, from the staff member looked up once per
    request: the single view asks too, for its link, without another query.
    """
    member = staff_member(user)
    if member.is_superuser:
        return True
    return (
        not member.is_partner
        and member.organisation_id == customer.organisation_id
        and Role.ADMINISTRATOR in member.roles
    )


@cache
def _choices(model: type[Model], field: str, language: str | None) -> dict[Any, str]:
    return {value: str(label) for value, label in model._meta.get_field(field).flatchoices}


def _label_of(model: type[Model], field: str, value: Any) -> str:
    """The choice's label, as `get_FOO_display()` gives it; that translates every choice of the
    field on each call, which for thousands of contacts was most of the export's time."""
    labels = _choices(model, field, get_language())
    return labels.get(value, "" if value is None else str(value))


def _label(record: Model, field: str) -> str:
    return _label_of(type(record), field, getattr(record, field))


def _address(address: Address | None) -> dict[str, Any] | None:
    if address is None:
        return None
    return {
        "uprn": address.uprn,
        "address": address.single_line,
        "postcode": address.postcode,
        "ward": address.ward.name if address.ward else None,
    }


def _person(customer: Customer) -> dict[str, Any]:
    return {
        "reference": customer.reference,
        "title": customer.title,
        "forenames": customer.forenames,
        "surname": customer.surname,
        "date_of_birth": customer.date_of_birth,
        "email": customer.email,
        "phone": customer.phone,
        "mobile": customer.mobile,
        "preferred_channel": _label(customer, "preferred_channel"),
        "address": _address(customer.address),
        "communication_needs": {
            "interpreter_language": customer.interpreter_language,
            "british_sign_language": customer.needs_bsl,
            "large_print": customer.needs_large_print,
            "easy_read": customer.needs_easy_read,
            "other": customer.other_needs,
        },
        "registered_at": customer.created_at,
        "updated_at": customer.updated_at,
    }


def _consents(customer_ids: list[int]) -> list[dict[str, Any]]:
    consents = Consent.objects.filter(customer_id__in=customer_ids).order_by("recorded_at", "pk")
    return [
        {
            "purpose": _label(consent, "purpose"),
            "granted": consent.granted,
            "recorded_at": consent.recorded_at,
            "channel": _label(consent, "channel"),
        }
        for consent in consents
    ]


def _representation(representative: Representative) -> dict[str, Any]:
    return {
        "relationship": _label(representative, "relationship"),
        "scope": _label(representative, "scope"),
        "services": [service.name for service in representative.services.all()],
        "consent_given_on": representative.consent_given_on,
        "consent_expires_on": representative.consent_expires_on,
        "revoked_at": representative.revoked_at,
        "in_force": representative.in_force,
    }


def _representatives(customer_ids: list[int], user_ids: list[int]) -> dict[str, Any]:
    """Who may act for the customer, and whom the customer acts for with their own sign-in."""
    acting_for_them = (
        Representative.objects.filter(customer_id__in=customer_ids)
        .select_related("partner_organisation")
        .prefetch_related("services")
        .order_by("consent_given_on", "pk")
    )
    they_act_for = (
        Representative.objects.filter(user_id__in=user_ids)
        .select_related("customer")
        .prefetch_related("services")
        .order_by("consent_given_on", "pk")
    )
    return {
        "acting_for_the_customer": [
            {
                "name": representative.name,
                "organisation": (
                    representative.partner_organisation.name
                    if representative.partner_organisation
                    else None
                ),
                "email": representative.email,
                "phone": representative.phone,
                **_representation(representative),
                "notes": representative.notes,
                "signs_in_to_act": representative.user_id is not None,
            }
            for representative in acting_for_them
        ],
        "the_customer_acts_for": [
            {"name": representative.customer.full_name, **_representation(representative)}
            for representative in they_act_for
        ],
    }


def _portal(subject: Customer, accounts: list[PortalAccount]) -> dict[str, Any]:
    """Sign-ins and their contact preferences; never a password hash or a token."""
    return {
        "accounts": [
            {
                "email": account.user.email,
                "username": account.user.username,
                "created_at": account.created_at,
                "email_verified": account.is_verified,
                "email_verified_at": account.email_verified_at,
                "last_signed_in_at": account.user.last_login,
                "active": account.user.is_active,
            }
            for account in accounts
        ],
        # What the portal's preferences page saves, on the customer record.
        "contact_preferences": {
            "preferred_channel": _label(subject, "preferred_channel"),
            "email": subject.email,
            "phone": subject.phone,
            "mobile": subject.mobile,
        },
    }


def _contacts(contacts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """From `values()` rows: thousands of contacts are read without making a model of each."""
    return [
        {
            "started_at": contact["started_at"],
            "ended_at": contact["ended_at"],
            "channel": _label_of(Contact, "channel", contact["channel"]),
            "service": contact["service__name"],
            "outcome": _label_of(Contact, "outcome", contact["outcome"]),
            "avoidable_reason": _label_of(Contact, "avoidable_reason", contact["avoidable_reason"]),
            "notes": contact["notes"],
            "made_by_representative": contact["representative__name"],
        }
        for contact in contacts
    ]


def _answers(answers: dict[str, Any]) -> list[dict[str, Any]]:
    """Answers as stored, keyed by each question's code, as a list: a template would read an
    answer to a question coded "items" in place of the dict's items."""
    return [{"question": code, "answer": answer} for code, answer in answers.items()]


def _grouped[R: Model](records: Iterable[R], key: str = "case_id") -> dict[int, list[R]]:
    """Records by the id of what they belong to (their case, unless `key` says otherwise)."""
    grouped: dict[int, list[R]] = defaultdict(list)
    for record in records:
        grouped[getattr(record, key)].append(record)
    return grouped


def _cases(cases: list[Case], case_filter: Q) -> list[dict[str, Any]]:
    """Every case with its whole timeline (internal notes too) and its files, listed."""
    events = _grouped(CaseEvent.objects.filter(case_filter).order_by("occurred_at", "pk"))
    attachments = _grouped(Attachment.objects.filter(case_filter).order_by("uploaded_at", "pk"))
    return [
        {
            "reference": case.reference,
            "service": case.service.name,
            "status": _label(case, "status"),
            "priority": _label(case, "priority"),
            "channel": _label(case, "channel"),
            "team": case.team.name,
            "opened_at": case.opened_at,
            "first_response_at": case.first_response_at,
            "resolved_at": case.resolved_at,
            "closed_at": case.closed_at,
            "resolution": _label(case, "resolution_code"),
            "description": case.description,
            "answers": _answers(case.attributes),
            "location": {
                "address": _address(case.address),
                "description": case.location_description,
                "latitude": case.latitude,
                "longitude": case.longitude,
            },
            "photo_url": case.media_url,
            "events": [
                {
                    "occurred_at": event.occurred_at,
                    "kind": _label(event, "kind"),
                    "text": event.text,
                    "visible_to_customer": event.is_public,
                }
                for event in events[case.pk]
            ],
            "attachments": [
                {
                    "name": attachment.name,
                    "content_type": attachment.content_type,
                    "size": attachment.size,
                    "uploaded_at": attachment.uploaded_at,
                }
                for attachment in attachments[case.pk]
            ],
        }
        for case in cases
    ]


def _followed_cases(customer_ids: list[int]) -> list[dict[str, Any]]:
    """Cases someone else reported that the customer reported too and is told about.

    The description and the timeline are the other reporter's and the council's; the customer
    gets what they were told: the updates made public.
    """
    followed = Case.followers.through.objects.filter(customer_id__in=customer_ids)
    # A merge can leave the customer following their own case: that one is among their cases.
    case_ids = followed.exclude(case__customer_id__in=customer_ids).values("case_id")
    cases = (
        Case.objects.filter(pk__in=case_ids)
        .select_related("service", "address")
        .order_by("opened_at", "pk")
    )
    updates = _grouped(
        CaseEvent.objects.filter(case_id__in=case_ids, is_public=True).order_by("occurred_at", "pk")
    )
    return [
        {
            "reference": case.reference,
            "service": case.service.name,
            "status": _label(case, "status"),
            "opened_at": case.opened_at,
            "resolved_at": case.resolved_at,
            "closed_at": case.closed_at,
            "where": case.where,
            "updates": [
                {"occurred_at": event.occurred_at, "text": event.text} for event in updates[case.pk]
            ],
        }
        for case in cases
    ]


def _referrals(referrals: list[Referral]) -> list[dict[str, Any]]:
    return [
        {
            "case": referral.case.reference,
            "from_team": referral.from_team.name,
            "to_team": referral.to_team.name,
            "to_organisation": referral.to_team.organisation.name,
            "scope": referral.scope,
            "status": _label(referral, "status"),
            "customer_details_shared": referral.share_customer_details,
            "referred_at": referral.referred_at,
            "due_at": referral.due_at,
            "acknowledged_at": referral.acknowledged_at,
            "finished_at": referral.finished_at,
            "outcome": referral.outcome,
        }
        for referral in referrals
    ]


def _applications(applications: list[Application]) -> list[dict[str, Any]]:
    """Each application with its answers, the rules' assessment and the decision; the evidence
    given is listed, not embedded."""
    evidence = _grouped(
        Evidence.objects.filter(application__in=applications).order_by("uploaded_at", "pk"),
        "application_id",
    )
    return [
        {
            "form": application.form_version.form.title,
            "form_version": application.form_version.number,
            "status": _label(application, "status"),
            "channel": application.channel,
            "made_by_representative": (
                application.representative.name if application.representative else None
            ),
            "started_at": application.started_at,
            "updated_at": application.updated_at,
            "submitted_at": application.submitted_at,
            "case": application.case.reference if application.case else None,
            "answers": _answers(application.answers),
            "assessment": application.assessment,
            "information_requested": application.information_requested,
            "information_requested_at": application.information_requested_at,
            "decided_at": application.decided_at,
            "decision_reasons": application.decision_reasons,
            "expires_on": application.expires_on,
            "evidence": [
                {
                    "question": item.question_code,
                    "name": item.original_name,
                    "content_type": item.content_type,
                    "size": item.size,
                    "uploaded_at": item.uploaded_at,
                }
                for item in evidence[application.pk]
            ],
        }
        for application in applications
    ]


def _payments(payments: list[Payment], refunds: list[Refund]) -> list[dict[str, Any]]:
    """Amounts, states and references. CivicDesk never holds card details."""
    by_payment = _grouped(refunds, "payment_id")
    return [
        {
            "reference": payment.reference,
            "provider_reference": payment.provider_payment_id,
            "description": payment.description,
            "service": payment.service.name if payment.service else None,
            "amount_pence": payment.amount_pence,
            "amount": payment.amount_pounds,
            "status": _label(payment, "status"),
            "failure_reason": payment.failure_reason,
            "email": payment.email,
            "created_at": payment.created_at,
            "finished_at": payment.finished_at,
            "refunds": [
                {
                    "amount_pence": refund.amount_pence,
                    "amount": refund.amount_pounds,
                    "reason": refund.reason,
                    "status": _label(refund, "status"),
                    "created_at": refund.created_at,
                }
                for refund in by_payment[payment.pk]
            ],
        }
        for payment in payments
    ]


def _messages(messages: list[Message]) -> list[dict[str, Any]]:
    return [
        {
            "created_at": message.created_at,
            "sent_at": message.sent_at,
            "completed_at": message.completed_at,
            "channel": _label(message, "channel"),
            "event": _label(message, "event"),
            "template": message.template.notify_template_id if message.template else None,
            "to": message.recipient,
            "about": message.about_reference,
            "large_print": message.large_print,
            "subject": message.subject,
            "body": message.body,
            "status": _label(message, "status"),
        }
        for message in messages
    ]


def _surveys(invitations: list[SurveyInvitation]) -> list[dict[str, Any]]:
    return [
        {
            "sent_at": invitation.sent_at,
            "channel": _label(invitation, "channel"),
            "about_case": invitation.case.reference if invitation.case else None,
            "about_contact_on": invitation.contact.started_at if invitation.contact else None,
            "expires_at": invitation.expires_at,
            "answered_at": invitation.answered_at,
            "rating": _label(invitation, "rating") if invitation.rating else None,
            "resolved": invitation.resolved,
            "comment": invitation.comment,
        }
        for invitation in invitations
    ]


def _audit_log(described: dict[tuple[str, str], str]) -> list[dict[str, Any]]:
    """Who did what to the customer's records and when, looking at them included.

    `described` names each record: ("cases.case", "12") -> "Case CAS-000012".
    """
    keys = sorted(described)
    entries: list[dict[str, Any]] = []
    for start in range(0, len(keys), AUDIT_BATCH):
        ids_by_type: dict[str, list[str]] = defaultdict(list)
        for record_type, record_id in keys[start : start + AUDIT_BATCH]:
            ids_by_type[record_type].append(record_id)
        about = reduce(
            or_, (Q(record_type=kind, record_id__in=ids) for kind, ids in ids_by_type.items())
        )
        entries += AuditEvent.objects.filter(about).values(
            "pk", "occurred_at", "actor_label", "action", "record_type", "record_id", "summary"
        )
    entries.sort(key=lambda entry: (entry["occurred_at"], entry["pk"]))
    return [
        {
            "occurred_at": entry["occurred_at"],
            "by": entry["actor_label"],
            "action": _label_of(AuditEvent, "action", entry["action"]),
            "record": described[entry["record_type"], entry["record_id"]],
            "summary": entry["summary"],
        }
        for entry in entries
    ]


def _key(record: Model) -> tuple[str, str]:
    return record._meta.label_lower, str(record.pk)


def _record_names(
    *,
    people: list[Customer],
    accounts: list[PortalAccount],
    contacts: list[dict[str, Any]],
    cases: list[Case],
    payments: list[Payment],
    referrals: list[Referral],
    applications: list[Application],
    refunds: list[Refund],
    messages: list[Message],
    invitations: list[SurveyInvitation],
) -> dict[tuple[str, str], str]:
    """Every record of the customer's the audit log may name, keyed as the log keys them, with
    a name for it in words: ("cases.case", "12") -> "Case CAS-000012"."""
    names: dict[tuple[str, str], str] = {}
    for person in people:
        names[_key(person)] = _("Customer record %(reference)s") % {"reference": person.reference}
    for account in accounts:
        email = {"email": account.user.email}
        names[_key(account)] = _("Online account %(email)s") % email
        names[_key(account.user)] = _("Online account sign-in %(email)s") % email
    for contact in contacts:
        day = date_format(timezone.localtime(contact["started_at"]), "j M Y")
        names[Contact._meta.label_lower, str(contact["pk"])] = _("Contact on %(day)s") % {
            "day": day
        }
    for case in cases:
        names[_key(case)] = _("Case %(reference)s") % {"reference": case.reference}
    for payment in payments:
        names[_key(payment)] = _("Payment %(reference)s") % {"reference": payment.reference}
    for referral in referrals:
        names[_key(referral)] = _("Referral of case %(reference)s") % {
            "reference": referral.case.reference
        }
    for application in applications:
        names[_key(application)] = _("Application: %(form)s") % {
            "form": application.form_version.form.title
        }
    for refund in refunds:
        names[_key(refund)] = _("Refund of %(amount)s") % {"amount": refund.amount_pounds}
    for message in messages:
        names[_key(message)] = _("%(channel)s message") % {"channel": _label(message, "channel")}
    for invitation in invitations:
        names[_key(invitation)] = _("Satisfaction survey")
    return names


def subject_access_export(
    *, customer: Customer, now: datetime.datetime | None = None
) -> dict[str, Any]:
    """Everything held about `customer` and the records merged into it, as plain data.

    The caller has checked `may_export` and recorded the export. Values are strings, numbers,
    booleans, None, dates, datetimes and UUIDs, in lists and dicts: Django's JSON encoder
    writes them all.
    """
    subject = Customer.objects.select_related("organisation", "address__ward").get(pk=customer.pk)
    # A merge moves every link to the duplicate, earlier merges' included, to the survivor: the
    # records merged into this one, however long ago, all point straight at it.
    merged = list(
        Customer.objects.filter(merged_into=subject).select_related("address__ward").order_by("pk")
    )
    everyone = [subject, *merged]
    ids = [person.pk for person in everyone]

    accounts = list(
        PortalAccount.objects.filter(customer_id__in=ids)
        .select_related("user")
        .order_by("created_at", "pk")
    )
    contacts = list(
        Contact.objects.filter(customer_id__in=ids)
        .order_by("started_at", "pk")
        .values(
            "pk",
            "started_at",
            "ended_at",
            "channel",
            "service__name",
            "outcome",
            "avoidable_reason",
            "notes",
            "representative__name",
        )
    )
    cases = list(
        Case.objects.filter(customer_id__in=ids)
        .select_related("service", "team", "address__ward")
        .order_by("opened_at", "pk")
    )
    own_cases = Q(case__customer_id__in=ids)
    referrals = list(
        Referral.objects.filter(own_cases)
        .select_related("case", "from_team", "to_team__organisation")
        .order_by("referred_at", "pk")
    )
    applications = list(
        Application.objects.filter(customer_id__in=ids)
        .select_related("form_version__form", "representative", "case")
        .order_by("started_at", "pk")
    )
    payments = list(
        Payment.objects.filter(customer_id__in=ids)
        .select_related("service")
        .order_by("created_at", "pk")
    )
    refunds = list(Refund.objects.filter(payment__customer_id__in=ids).order_by("created_at", "pk"))
    messages = list(
        Message.objects.filter(customer_id__in=ids)
        .select_related("template")
        .order_by("created_at", "pk")
    )
    invitations = list(
        SurveyInvitation.objects.filter(customer_id__in=ids)
        .select_related("case", "contact")
        .order_by("sent_at", "pk")
    )

    described = _record_names(
        people=everyone, accounts=accounts, contacts=contacts, cases=cases, payments=payments,
        referrals=referrals, applications=applications, refunds=refunds, messages=messages,
        invitations=invitations,
    )  # fmt: skip

    organisation = subject.organisation
    return {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "generated_at": now or timezone.now(),
        "council": {"name": organisation.name, "gss_code": organisation.gss_code},
        "subject": {"reference": subject.reference, "name": subject.full_name},
        "sections": {
            "customer": {**_person(subject), "consents": _consents(ids)},
            "merged_records": [
                {**_person(person), "merged_into": subject.reference} for person in merged
            ],
            "representatives": _representatives(ids, [account.user_id for account in accounts]),
            "portal_accounts": _portal(subject, accounts),
            "contacts": _contacts(contacts),
            "cases": _cases(cases, own_cases),
            "followed_cases": _followed_cases(ids),
            "referrals": _referrals(referrals),
            "applications": _applications(applications),
            "payments": _payments(payments, refunds),
            "messages": _messages(messages),
            "surveys": _surveys(invitations),
            "audit_log": _audit_log(described),
        },
    }
