"""Every change to a case: raising, routing, assigning, working, closing, chasing, linking.

Each function takes the acting user (None for the system), checks what the policy allows,
runs in one transaction, appends to the case's timeline and the audit log, and hands
customer messages to `notify`, which sends them only once the transaction commits.
Referrals and the escalation sweep live in `cases.referrals` and `cases.escalation`.
"""

import datetime
import os
import uuid
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from civicdesk.cases import clock
from civicdesk.cases.models import (
    FINISHED_STATUSES,
    TRANSITIONS,
    AssignmentCursor,
    Attachment,
    Case,
    CaseEvent,
    CaseStatus,
    EventKind,
    ReferralStatus,
    ResolutionCode,
    SlaClockPolicy,
)
from civicdesk.cases.policy import CaseAccess, case_access, staff_member
from civicdesk.cases.uploads import check_upload
from civicdesk.catalogue.models import Channel, Priority, Service
from civicdesk.catalogue.selectors import sla_promises_for, team_for_place
from civicdesk.contacts.models import Contact
from civicdesk.core.audit import record
from civicdesk.core.idempotency import once
from civicdesk.core.models import AuditAction
from civicdesk.core.references import make_reference
from civicdesk.notify.models import MessageEvent
from civicdesk.notify.services import notify_customer
from civicdesk.organisations.models import Membership, Organisation, Role, Team
from civicdesk.organisations.selectors import calendar_for
from civicdesk.people.models import Customer
from civicdesk.places.models import Address

CASE_PREFIX = "CAS"
DEFAULT_PAUSING = (CaseStatus.WAITING_CUSTOMER,)
DEFAULT_STOPPING = (CaseStatus.RESOLVED, CaseStatus.CLOSED)
# Statuses an officer sets directly; the others come with assigning, closing and reopening.
WORKING_STATUSES = (
    CaseStatus.IN_PROGRESS,
    CaseStatus.WAITING_CUSTOMER,
    CaseStatus.WAITING_THIRD_PARTY,
)
# Moving a case on in these statuses is a response to the customer.
RESPONDING_STATUSES = frozenset(
    {CaseStatus.IN_PROGRESS, CaseStatus.WAITING_CUSTOMER, CaseStatus.RESOLVED, CaseStatus.CLOSED}
)


def clock_statuses(organisation_id: int) -> tuple[frozenset[str], frozenset[str]]:
    """(pausing, stopping) statuses for an organisation: its policy, or the defaults."""
    policy = SlaClockPolicy.objects.filter(organisation_id=organisation_id).first()
    if policy is None:
        return frozenset(DEFAULT_PAUSING), frozenset(DEFAULT_STOPPING)
    # A finished case's clock always stops, whatever the policy lists: otherwise the time a
    # case spent closed would count against it once it is reopened.
    return frozenset(policy.pausing_statuses), frozenset(policy.stopping_statuses) | frozenset(
        FINISHED_STATUSES
    )


def check_clock_policy(
    *, pausing: Iterable[str], stopping: Iterable[str]
) -> tuple[list[str], list[str]]:
    """The statuses as they will be stored, or a ValidationError saying what is impossible."""
    pausing, stopping = sorted(set(pausing)), sorted(set(stopping))
    unknown = (set(pausing) | set(stopping)) - set(CaseStatus.values)
    if unknown:
        raise ValidationError(_("Unknown statuses: %s") % ", ".join(sorted(unknown)))
    if set(pausing) & set(stopping):
        raise ValidationError(_("A status cannot both pause and stop the clock."))
    if {CaseStatus.OPEN, CaseStatus.ASSIGNED, CaseStatus.IN_PROGRESS} & set(pausing + stopping):
        raise ValidationError(_("The clock must run while a case is open or being worked."))
    return pausing, stopping


@transaction.atomic
def set_clock_policy(
    *, actor: Any, organisation: Organisation, pausing: Iterable[str], stopping: Iterable[str]
) -> SlaClockPolicy:
    pausing, stopping = check_clock_policy(pausing=pausing, stopping=stopping)
    policy, _created = SlaClockPolicy.objects.update_or_create(
        organisation=organisation,
        defaults={"pausing_statuses": pausing, "stopping_statuses": stopping},
    )
    record(
        actor=actor,
        action=AuditAction.UPDATED,
        target=policy,
        summary="SLA clock policy changed",
        detail={"pausing": pausing, "stopping": stopping},
        organisation_id=organisation.pk,
    )
    return policy


def append_event(
    case: Case,
    kind: str,
    *,
    actor: Any,
    at: datetime.datetime,
    text: str = "",
    is_public: bool = False,
    data: dict[str, Any] | None = None,
    contact: Contact | None = None,
    referral: Any = None,
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        kind=kind,
        occurred_at=at,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        text=text,
        is_public=is_public,
        data=data or {},
        contact=contact,
        referral=referral,
    )


def require_permission(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def access_for(actor: Any, case: Case) -> CaseAccess:
    """The system (no actor, e.g. the escalation task or a portal submission) may do anything."""
    if actor is None:
        return CaseAccess(True, True, True, True, True, True)
    return case_access(staff_member(actor), case)


def message_personalisation(case: Case, update: str = "") -> dict[str, str]:
    due = timezone.localtime(case.resolution_due_at) if case.resolution_due_at else None
    return {
        "name": case.customer.full_name if case.customer_id else "",
        "reference": case.reference or "",
        "service": case.service.name,
        "location": case.where,
        "status": str(case.get_status_display()),
        "update": update,
        "due": f"{due:%-d %B %Y}" if due else "",
        "url": "",
    }


def _tell_customers(case: Case, event: str, *, actor: Any, at: datetime.datetime, update: str):
    """Message the customer, and the followers who reported the same thing, about the case."""
    recipients: list[Customer | None] = [case.customer] if case.customer_id else []
    if event != MessageEvent.ACKNOWLEDGEMENT:
        recipients += list(case.followers.all())
    for customer in recipients:
        message = notify_customer(
            organisation=case.organisation,
            customer=customer,
            event=event,
            about_reference=case.reference,
            service=case.service,
            personalisation=message_personalisation(case, update),
        )
        if message is not None:
            append_event(
                case,
                EventKind.MESSAGE_SENT,
                actor=actor,
                at=at,
                text=str(message.get_event_display()),
                data={"message": message.pk, "channel": message.channel},
            )


def _check_location(
    organisation: Organisation,
    address: Address | None,
    latitude: float | None,
    longitude: float | None,
    errors: dict[str, str],
) -> None:
    if address is not None and address.organisation_id != organisation.pk:
        errors["address"] = _("That address is outside the council's area.")
    if (latitude is None) != (longitude is None):
        errors["latitude"] = _("Give both latitude and longitude, or neither.")
    elif latitude is not None and not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        errors["latitude"] = _("That is not a point on the map.")


def _start_clocks(case: Case, at: datetime.datetime) -> None:
    first_response, resolution = sla_promises_for(service=case.service, priority=case.priority)
    clocks = clock.start(
        calendar_for(case.organisation),
        at,
        first_response,
        resolution,
        datetime.timedelta(seconds=case.paused_working_seconds),
    )
    case.first_response_due_at = clocks.first_response_due_at
    case.resolution_due_at = clocks.resolution_due_at
    case.resolution_warn_at = clocks.resolution_warn_at


def _members(team: Team, *roles: str) -> list[Any]:
    members = (
        Membership.objects.filter(team=team, role__in=roles, user__is_active=True)
        .select_related("user")
        .order_by("user_id")
    )
    return [membership.user for membership in members]


def choose_assignee(team: Team) -> Any | None:
    """The officer automatic assignment picks for a new case, or None for manual teams.

    Officers take the work; a team of team leaders alone shares it among them.
    """
    if team.case_assignment == Team.CaseAssignment.MANUAL:
        return None
    officers = _members(team, Role.OFFICER) or _members(team, Role.TEAM_LEADER)
    if not officers:
        return None
    if team.case_assignment == Team.CaseAssignment.LEAST_LOADED:
        loads = dict(
            Case.objects.open()
            .filter(team=team, assignee__in=officers)
            .values_list("assignee")
            .annotate(n=Count("id"))
            .values_list("assignee", "n")
        )
        return min(officers, key=lambda user: (loads.get(user.pk, 0), user.pk))
    cursor, _created = AssignmentCursor.objects.select_for_update().get_or_create(team=team)
    later = [
        user
        for user in officers
        if cursor.last_assignee_id is None or user.pk > cursor.last_assignee_id
    ]
    chosen = (later or officers)[0]
    cursor.last_assignee = chosen
    cursor.save(update_fields=["last_assignee"])
    return chosen


@transaction.atomic
def raise_case(
    *,
    actor: Any,
    organisation: Organisation,
    service: Service,
    description: str,
    channel: str,
    customer: Customer | None = None,
    source_contact: Contact | None = None,
    address: Address | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    location_description: str = "",
    attributes: dict[str, Any] | None = None,
    priority: str = Priority.NORMAL,
    opened_at: datetime.datetime | None = None,
    media_url: str = "",
    submission_key: str = "",
    from_public: bool = False,
    tell_customer: bool = True,
) -> Case:
    """Open a case, route it to a team, start its clocks and acknowledge it to the customer.

    A retried submission with the same `submission_key` returns the case the first one made.
    Only the council's own staff raise cases from the console; `from_public` is for
    `cases.intake`, where residents, intermediaries and API clients are the actors. Callers
    that send their own acknowledgement (an application's) pass `tell_customer=False`.
    """
    now = timezone.now()
    opened_at = opened_at or now
    description = description.strip()
    errors: dict[str, str] = {}
    if not description:
        errors["description"] = _("Describe what the customer needs.")
    if channel not in Channel.values:
        errors["channel"] = _("Choose how the request came in.")
    if priority not in Priority.values:
        errors["priority"] = _("Choose a priority.")
    if service.organisation_id != organisation.pk or not service.is_active:
        errors["service"] = _("Choose one of the council's services.")
    if customer is not None:
        if customer.organisation_id != organisation.pk:
            errors["customer"] = _("That customer belongs to another council.")
        elif customer.merged_into_id:
            errors["customer"] = _("That record has been merged; use the surviving record.")
    if source_contact is not None and source_contact.organisation_id != organisation.pk:
        errors["source_contact"] = _("That contact belongs to another council.")
    if opened_at > now + datetime.timedelta(minutes=5):
        errors["opened_at"] = _("A case cannot be opened in the future.")
    _check_location(organisation, address, latitude, longitude, errors)
    if actor is not None and getattr(actor, "is_authenticated", False) and not from_public:
        member = staff_member(actor)
        if not actor.is_superuser and (
            member.is_partner or member.organisation_id != organisation.pk
        ):
            raise PermissionDenied(_("Only the council's own staff raise its cases."))
    if errors:
        raise ValidationError(errors)
    ward_id = address.ward_id if address is not None else None
    team = team_for_place(service=service, ward_id=ward_id)
    if team is None:
        raise ValidationError(
            {"service": _("No team works this service yet: ask an administrator to set one.")}
        )

    def create() -> Case:
        case = Case(
            organisation=organisation,
            service=service,
            customer=customer,
            source_contact=source_contact,
            channel=channel,
            description=description,
            attributes=attributes or {},
            address=address,
            latitude=latitude if latitude is not None else _float(address, "latitude"),
            longitude=longitude if longitude is not None else _float(address, "longitude"),
            location_description=location_description.strip(),
            media_url=media_url,
            ward_id=ward_id,
            priority=priority,
            team=team,
            raised_by=actor if getattr(actor, "is_authenticated", False) else None,
            opened_at=opened_at,
        )
        _start_clocks(case, opened_at)
        case.save()
        case.reference = make_reference(CASE_PREFIX, case.pk)
        case.save(update_fields=["reference"])
        append_event(
            case,
            EventKind.RAISED,
            actor=actor,
            at=opened_at,
            text=_("Raised by %(channel)s for %(team)s")
            % {"channel": case.get_channel_display().lower(), "team": team.name},
            contact=source_contact,
        )
        record(
            actor=actor,
            action=AuditAction.CREATED,
            target=case,
            summary=f"Case {case.reference} raised",
        )
        assignee = choose_assignee(team)
        if assignee is not None:
            _assign(case, assignee, actor=None, at=opened_at)
        if tell_customer:
            _tell_customers(
                case, MessageEvent.ACKNOWLEDGEMENT, actor=actor, at=opened_at, update=""
            )
        return case

    case, _created = once(key=submission_key, model=Case, create=create)
    return case


def _float(address: Address | None, field: str) -> float | None:
    value = getattr(address, field, None) if address is not None else None
    return float(value) if value is not None else None


def _set_status(
    case: Case, status: str, *, actor: Any, at: datetime.datetime, text: str = ""
) -> None:
    """Move the case and its clocks; the caller has checked the transition and saves the case."""
    previous = case.status
    pausing, stopping = clock_statuses(case.organisation_id)
    # The stored clock, not the previous status, says whether it was running: the policy may
    # have changed since the case was paused, and a clock left paused is never swept again.
    was_running = case.clock_paused_at is None
    runs = status not in pausing | stopping
    case.status = status
    case.is_open = status not in FINISHED_STATUSES
    append_event(
        case,
        EventKind.STATUS_CHANGED,
        actor=actor,
        at=at,
        text=text,
        data={"from": previous, "to": status},
    )
    if was_running and not runs:
        case.clock_paused_at = at
        append_event(
            case,
            EventKind.CLOCK_PAUSED,
            actor=None,
            at=at,
            data={"reason": "stopped" if status in stopping else "paused", "status": status},
        )
    elif runs and not was_running:
        _resume_clocks(case, at)
    if status in RESPONDING_STATUSES:
        _record_first_response(case, at)


def _missed(case: Case, due: datetime.datetime | None, at: datetime.datetime) -> bool:
    """Whether a target due at `due` had been missed by `at`.

    A paused or stopped clock has not run since `clock_paused_at`, so a target that was still
    ahead when the clock paused is still ahead now, however long the pause: its due time moves
    only when the clock runs again. Only a target already missed before the pause counts.
    """
    if due is None or at <= due:
        return False
    return case.clock_paused_at is None or due <= case.clock_paused_at


def _record_first_response(case: Case, at: datetime.datetime) -> None:
    """The first answer to the customer, once; the caller saves `FIRST_RESPONSE_FIELDS`.

    An answer after the due time is a breach at the due instant, marked here as `close_case`
    marks a late resolution: the escalation sweep only looks at cases still waiting for an
    answer, so an answer that comes between the due time and the next sweep was never marked.
    """
    if case.first_response_at is not None:
        return
    case.first_response_at = at
    if case.first_response_breached_at is None and _missed(case, case.first_response_due_at, at):
        case.first_response_breached_at = case.first_response_due_at
        append_event(
            case, EventKind.FIRST_RESPONSE_BREACHED, actor=None, at=case.first_response_due_at
        )


def _resume_clocks(case: Case, at: datetime.datetime) -> None:
    calendar = calendar_for(case.organisation)
    paused_at = case.clock_paused_at
    paused = (
        calendar.working_time_between(paused_at, at) if at > paused_at else datetime.timedelta(0)
    )
    if case.first_response_at is None:
        case.first_response_due_at = clock.moved_by_pause(
            calendar, case.first_response_due_at, paused_at, at
        )
    case.resolution_due_at = clock.moved_by_pause(calendar, case.resolution_due_at, paused_at, at)
    if case.warned_at is None:
        case.resolution_warn_at = clock.moved_by_pause(
            calendar, case.resolution_warn_at, paused_at, at
        )
    case.paused_working_seconds += int(paused.total_seconds())
    case.clock_paused_at = None
    append_event(
        case,
        EventKind.CLOCK_RESUMED,
        actor=None,
        at=at,
        data={"paused_working_seconds": int(paused.total_seconds())},
    )


FIRST_RESPONSE_FIELDS = ["first_response_at", "first_response_breached_at"]
CLOCK_FIELDS = [
    "status", "is_open", "clock_paused_at", "paused_working_seconds", *FIRST_RESPONSE_FIELDS,
    "first_response_due_at", "resolution_due_at", "resolution_warn_at",
]  # fmt: skip


def lock_case(case: Case) -> Case:
    """The case re-read under a row lock, so two officers' changes apply one after the other."""
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("service", "organisation", "team", "customer", "address")
        .get(pk=case.pk)
    )


def _assign(case: Case, assignee: Any | None, *, actor: Any, at: datetime.datetime) -> None:
    case.assignee = assignee
    if assignee is not None and case.status in (CaseStatus.OPEN, CaseStatus.REOPENED):
        _set_status(case, CaseStatus.ASSIGNED, actor=actor, at=at)
    elif assignee is None and case.status == CaseStatus.ASSIGNED:
        _set_status(case, CaseStatus.OPEN, actor=actor, at=at)
    append_event(
        case,
        EventKind.ASSIGNED,
        actor=actor,
        at=at,
        text=str(assignee) if assignee else _("Unassigned"),
        data={"assignee": assignee.pk if assignee else None},
    )
    case.save(update_fields=["assignee", *CLOCK_FIELDS])


@transaction.atomic
def assign_case(*, actor: Any, case: Case, assignee: Any | None) -> Case:
    """Give the case to a member of its team, or take it back into the team's pool.

    Team leaders, managers and administrators assign anyone; an officer may take a case.
    """
    case = lock_case(case)
    access = access_for(actor, case)
    taking = assignee is not None and actor is not None and assignee.pk == actor.pk
    require_permission(
        access.may_assign or (taking and access.may_work), _("You cannot assign this case.")
    )
    if not case.is_open:
        raise ValidationError(_("Reopen the case before assigning it."))
    if (
        assignee is not None
        and not Membership.objects.filter(
            team_id=case.team_id, user=assignee, user__is_active=True
        ).exists()
    ):
        raise ValidationError({"assignee": _("Choose a member of the case's team.")})
    if assignee == case.assignee:
        return case
    _assign(case, assignee, actor=actor, at=timezone.now())
    record(
        actor=actor,
        action=AuditAction.UPDATED,
        target=case,
        summary=f"Case {case.reference} assigned to {assignee or 'nobody'}",
    )
    return case


@transaction.atomic
def assign_cases(*, actor: Any, cases: Iterable[Case], assignee: Any | None) -> list[Case]:
    """Bulk assignment from the queue: all or nothing."""
    return [assign_case(actor=actor, case=case, assignee=assignee) for case in cases]


@transaction.atomic
def change_status(*, actor: Any, case: Case, status: str, note: str = "") -> Case:
    """Move the case between working statuses; pausing statuses pause its SLA clocks."""
    case = lock_case(case)
    require_permission(access_for(actor, case).may_work, _("You cannot update this case."))
    if status not in WORKING_STATUSES:
        raise ValidationError({"status": _("Choose in progress or one of the waiting statuses.")})
    if status == case.status:  # a retried form: already done (TRANSITIONS has no self-moves)
        return case
    if status not in TRANSITIONS[case.status]:
        raise ValidationError(
            {"status": _("A case that is %(from)s cannot be moved to %(to)s.")
             % {"from": case.get_status_display().lower(),
                "to": CaseStatus(status).label.lower()}}
        )  # fmt: skip
    _set_status(case, status, actor=actor, at=timezone.now(), text=note.strip())
    case.save(update_fields=CLOCK_FIELDS)
    record(
        actor=actor,
        action=AuditAction.UPDATED,
        target=case,
        summary=f"Case {case.reference} is now {status}",
    )
    return case


@transaction.atomic
def change_priority(*, actor: Any, case: Case, priority: str, reason: str) -> Case:
    """A new priority brings new targets, counted from when the case was opened."""
    case = lock_case(case)
    require_permission(access_for(actor, case).may_work, _("You cannot update this case."))
    if priority not in Priority.values:
        raise ValidationError({"priority": _("Choose a priority.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the priority is changing.")})
    if priority == case.priority or not case.is_open:
        return case
    previous = case.priority
    case.priority = priority
    _start_clocks(case, case.opened_at)
    # Marks made against the old targets no longer hold where the new ones are still ahead.
    now = timezone.now()
    if case.warned_at and case.resolution_warn_at and case.resolution_warn_at > now:
        case.warned_at = None
    if case.resolution_breached_at and case.resolution_due_at and case.resolution_due_at > now:
        case.resolution_breached_at = None
    if (
        case.first_response_breached_at
        and case.first_response_due_at
        and case.first_response_due_at > now
    ):
        case.first_response_breached_at = None
    append_event(
        case,
        EventKind.PRIORITY_CHANGED,
        actor=actor,
        at=timezone.now(),
        text=reason.strip(),
        data={"from": previous, "to": priority},
    )
    case.save(update_fields=["priority", "warned_at", "resolution_breached_at", *CLOCK_FIELDS])
    record(actor=actor, action=AuditAction.UPDATED, target=case, summary=f"Priority {priority}")
    return case


@transaction.atomic
def add_note(*, actor: Any, case: Case, text: str, public: bool = False) -> CaseEvent:
    """An internal note, or an update the customer is sent and can read when tracking."""
    case = lock_case(case)
    access = access_for(actor, case)
    require_permission(
        access.may_work if public else access.may_note, _("You cannot add to this case.")
    )
    text = text.strip()
    if not text:
        raise ValidationError(
            {"text": _("Enter the note.") if not public else _("Enter the update.")}
        )
    now = timezone.now()
    event = append_event(
        case,
        EventKind.PUBLIC_UPDATE if public else EventKind.NOTE,
        actor=actor,
        at=now,
        text=text,
        is_public=public,
    )
    if public:
        if case.first_response_at is None:
            _record_first_response(case, now)
            case.save(update_fields=FIRST_RESPONSE_FIELDS)
        _tell_customers(case, MessageEvent.UPDATE, actor=actor, at=now, update=text)
    record(
        actor=actor,
        action=AuditAction.UPDATED,
        target=case,
        summary="Update for the customer added" if public else "Internal note added",
    )
    return event


@transaction.atomic
def close_case(
    *,
    actor: Any,
    case: Case,
    resolution_code: str,
    message: str,
    final: bool = True,
    tell_customer: bool = True,
) -> Case:
    """Resolve (work done) or close (finished) a case, and tell the customer why.

    A resolved case closes later without a new code or message. Callers that send their own
    letter (an application's decision) pass `tell_customer=False`; the message still goes on
    the case's public timeline.
    """
    case = lock_case(case)
    require_permission(access_for(actor, case).may_work, _("You cannot close this case."))
    status = CaseStatus.CLOSED if final else CaseStatus.RESOLVED
    if status not in TRANSITIONS[case.status]:
        raise ValidationError(_("This case is already %s.") % case.get_status_display().lower())
    closing_resolved = case.status == CaseStatus.RESOLVED
    errors: dict[str, str] = {}
    if not closing_resolved:
        if resolution_code not in ResolutionCode.values:
            errors["resolution_code"] = _("Choose how the case was resolved.")
        if not message.strip():
            errors["message"] = _("Write a message for the customer.")
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    if not closing_resolved:
        case.resolution_code = resolution_code
        case.resolved_at = now
        if not case.resolution_breached_at and _missed(case, case.resolution_due_at, now):
            case.resolution_breached_at = case.resolution_due_at
            append_event(case, EventKind.RESOLUTION_BREACHED, actor=None, at=case.resolution_due_at)
    if final:
        case.closed_at = now
        _withdraw_referrals(case, actor=actor, at=now)
    _set_status(case, status, actor=actor, at=now)
    if message.strip():
        append_event(
            case,
            EventKind.CLOSED if final else EventKind.PUBLIC_UPDATE,
            actor=actor,
            at=now,
            text=message.strip(),
            is_public=True,
            data={"resolution_code": case.resolution_code},
        )
        if tell_customer:
            _tell_customers(case, MessageEvent.CLOSURE, actor=actor, at=now, update=message.strip())
    case.save(
        update_fields=[
            "resolution_code", "resolved_at", "closed_at", "resolution_breached_at", *CLOCK_FIELDS
        ]
    )  # fmt: skip
    record(
        actor=actor,
        action=AuditAction.UPDATED,
        target=case,
        summary=f"Case {case.reference} {status}: {case.resolution_code}",
    )
    return case


def _withdraw_referrals(case: Case, *, actor: Any, at: datetime.datetime) -> None:
    """A closed case asks nothing more of anyone: its open referrals end with it, so no
    partner keeps working, and no clock keeps running, on finished work."""
    for referral in case.referrals.active():
        referral.status = ReferralStatus.WITHDRAWN
        referral.finished_at = at
        referral.outcome = _("The case was closed.")
        referral.save(update_fields=["status", "finished_at", "outcome"])
        append_event(
            case,
            EventKind.REFERRAL_NOTE,
            actor=actor,
            at=at,
            text=_("Withdrawn: the case was closed."),
            referral=referral,
        )


@transaction.atomic
def reopen_case(*, actor: Any, case: Case, reason: str) -> Case:
    """Back to work: the clocks run again from where they stopped."""
    case = lock_case(case)
    require_permission(access_for(actor, case).may_work, _("You cannot reopen this case."))
    if CaseStatus.REOPENED not in TRANSITIONS[case.status]:
        raise ValidationError(_("Only a resolved or closed case can be reopened."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the case is being reopened.")})
    now = timezone.now()
    case.resolved_at = case.closed_at = None
    case.resolution_code = ""
    _set_status(case, CaseStatus.REOPENED, actor=actor, at=now, text=reason.strip())
    append_event(case, EventKind.REOPENED, actor=actor, at=now, text=reason.strip())
    case.save(update_fields=["resolved_at", "closed_at", "resolution_code", *CLOCK_FIELDS])
    record(
        actor=actor,
        action=AuditAction.UPDATED,
        target=case,
        summary=f"Case {case.reference} reopened",
    )
    return case


@transaction.atomic
def add_attachment(*, actor: Any, case: Case, upload: UploadedFile) -> Attachment:
    """Keep a checked file on the case, under a name of our choosing, never the uploader's."""
    case = lock_case(case)
    require_permission(access_for(actor, case).may_work, _("You cannot add to this case."))
    return attach_file(actor=actor, case=case, upload=upload)


def attach_file(*, actor: Any, case: Case, upload: UploadedFile) -> Attachment:
    """Store a file on a locked case without the staff permission check: for `add_attachment`
    and for the photos that come with a public report (`cases.intake`)."""
    checked = check_upload(upload, upload.name or "", upload.size or 0)
    now = timezone.now()
    event = append_event(
        case,
        EventKind.ATTACHMENT,
        actor=actor,
        at=now,
        text=checked.name,
        data={"size": checked.size, "content_type": checked.content_type},
    )
    attachment = Attachment(
        case=case,
        event=event,
        name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
        uploaded_at=now,
    )
    extension = os.path.splitext(checked.name)[1]
    attachment.file.save(f"{uuid.uuid4().hex}{extension}", File(upload), save=False)
    try:
        attachment.save()
    except Exception:
        attachment.file.delete(save=False)  # no row, no file
        raise
    record(
        actor=actor,
        action=AuditAction.UPDATED,
        target=case,
        summary="Attachment added",
        detail={"attachment": attachment.pk, "sha256": checked.sha256},
    )
    return attachment


def record_case_view(*, actor: Any, case: Case) -> None:
    """A look at a sensitive service's case is itself a record: who, which case, when."""
    if case.service.is_sensitive:
        record(
            actor=actor,
            action=AuditAction.VIEWED_SENSITIVE,
            target=case,
            summary=f"Viewed the details of case {case.reference}",
        )
