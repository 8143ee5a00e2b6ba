"""Handing a case, or part of it, to another team or a partner agency, and their answers.

A referral has its own clocks (acknowledge, then complete) from the receiving team's promise,
on the referring council's working calendar. The receiving team sees only the referral.
"""

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicdesk.cases.models import Attachment, Case, EventKind, Referral, ReferralStatus
from civicdesk.cases.policy import ReferralAccess, referral_access, staff_member
from civicdesk.cases.services import access_for, append_event, lock_case
from civicdesk.core.audit import record
from civicdesk.core.models import AuditAction
from civicdesk.notify.models import MessageEvent
from civicdesk.notify.services import notify_staff
from civicdesk.organisations.models import Membership, Organisation, Role, Team
from civicdesk.organisations.selectors import calendar_for
from civicdesk.people.models import Consent
from civicdesk.people.selectors import consents_in_force


def _access(actor: Any, referral: Referral) -> ReferralAccess:
    if actor is None:
        return ReferralAccess(True, True, True)
    return referral_access(staff_member(actor), referral)


def customer_agreed_to_sharing(case: Case) -> bool:
    if case.customer_id is None:
        return False
    return any(
        consent.purpose == Consent.Purpose.SHARE_WITH_PARTNERS and consent.granted
        for consent in consents_in_force(customer=case.customer)
    )


def _tell_team_leaders(referral: Referral, team: Team) -> None:
    leaders = Membership.objects.filter(
        team=team, role=Role.TEAM_LEADER, user__is_active=True
    ).select_related("user")
    for membership in leaders:
        notify_staff(
            # The council's message about the council's case, in its wording: a partner agency
            # has no message templates of its own, so its team leaders were never told.
            organisation=referral.case.organisation,
            staff_member=membership.user,
            event=MessageEvent.REFERRAL,
            about_reference=referral.case.reference,
            personalisation={
                "name": membership.user.get_full_name() or membership.user.username,
                "reference": referral.case.reference,
                "service": referral.case.service.name,
                "team": team.name,
                "due": f"{timezone.localtime(referral.due_at):%-d %B %Y}",
                "case_url": "",
            },
        )


@transaction.atomic
def refer_case(
    *,
    actor: Any,
    case: Case,
    to_team: Team,
    scope: str,
    share_customer_details: bool = False,
    attachments: Iterable[Attachment] = (),
) -> Referral:
    case = lock_case(case)
    if not access_for(actor, case).may_work:
        raise PermissionDenied(_("You cannot refer this case."))
    errors: dict[str, str] = {}
    if not case.is_open:
        errors["case"] = _("Reopen the case before referring it.")
    if not scope.strip():
        errors["scope"] = _("Say what you are asking the team to do.")
    receiving = to_team.organisation
    is_partner = receiving.kind == Organisation.Kind.PARTNER
    if to_team.pk == case.team_id:
        errors["to_team"] = _("The case is already with that team.")
    elif receiving.pk != case.organisation_id and not (
        is_partner and receiving.parent_id == case.organisation_id
    ):
        errors["to_team"] = _("Choose one of the council's teams or partner agencies.")
    elif case.referrals.active().filter(to_team=to_team).exists():
        errors["to_team"] = _("That team already has an open referral for this case.")
    if share_customer_details and is_partner and not customer_agreed_to_sharing(case):
        errors["share_customer_details"] = _(
            "The customer has not agreed to their details being shared with partner agencies."
        )
    attachments = list(attachments)
    if any(attachment.case_id != case.pk for attachment in attachments):
        errors["attachments"] = _("Share only this case's attachments.")
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    calendar = calendar_for(case.organisation)
    referral = Referral.objects.create(
        case=case,
        from_team=case.team,
        to_team=to_team,
        scope=scope.strip(),
        share_customer_details=share_customer_details or not is_partner,
        referred_by=actor if getattr(actor, "is_authenticated", False) else None,
        referred_at=now,
        acknowledge_due_at=calendar.add_working_time(
            now, datetime.timedelta(hours=to_team.referral_acknowledge_hours)
        ),
        due_at=calendar.add_working_days(now, to_team.referral_complete_days),
    )
    referral.shared_attachments.set(attachments)
    append_event(
        case,
        EventKind.REFERRED,
        actor=actor,
        at=now,
        text=referral.scope,
        referral=referral,
        data={"to_team": to_team.name},
    )
    record(
        actor=actor,
        action=AuditAction.CREATED,
        target=referral,
        summary=f"Case {case.reference} referred to {to_team.name}",
        organisation_id=case.organisation_id,
    )
    _tell_team_leaders(referral, to_team)
    return referral


def _locked_referral(referral: Referral) -> Referral:
    return (
        Referral.objects.select_for_update(of=("self",))
        .select_related("case__service", "case__organisation", "to_team", "from_team")
        .get(pk=referral.pk)
    )


def _answer(
    *,
    actor: Any,
    referral: Referral,
    status: str,
    kind: str,
    text: str,
    allowed_from: tuple[str, ...],
) -> Referral:
    referral = _locked_referral(referral)
    if not _access(actor, referral).may_respond:
        raise PermissionDenied(_("Only the receiving team answers a referral."))
    if referral.status not in allowed_from:
        raise ValidationError(_("This referral is %s.") % referral.get_status_display().lower())
    now = timezone.now()
    referral.status = status
    fields = ["status"]
    if status == ReferralStatus.ACKNOWLEDGED:
        referral.acknowledged_at = now
        referral.acknowledged_by = actor if getattr(actor, "is_authenticated", False) else None
        fields += ["acknowledged_at", "acknowledged_by"]
    else:
        if referral.acknowledged_at is None:
            referral.acknowledged_at = now
            fields.append("acknowledged_at")
        referral.finished_at = now
        referral.outcome = text
        fields += ["finished_at", "outcome"]
    referral.save(update_fields=fields)
    append_event(referral.case, kind, actor=actor, at=now, text=text, referral=referral)
    record(
        actor=actor,
        action=AuditAction.UPDATED,
        target=referral,
        summary=f"Referral of {referral.case.reference} {status}",
        organisation_id=referral.case.organisation_id,
    )
    return referral


@transaction.atomic
def acknowledge_referral(*, actor: Any, referral: Referral) -> Referral:
    return _answer(
        actor=actor,
        referral=referral,
        status=ReferralStatus.ACKNOWLEDGED,
        kind=EventKind.REFERRAL_ACKNOWLEDGED,
        text="",
        allowed_from=(ReferralStatus.PENDING,),
    )


@transaction.atomic
def complete_referral(*, actor: Any, referral: Referral, outcome: str) -> Referral:
    if not outcome.strip():
        raise ValidationError({"outcome": _("Say what was done.")})
    return _answer(
        actor=actor,
        referral=referral,
        status=ReferralStatus.COMPLETED,
        kind=EventKind.REFERRAL_COMPLETED,
        text=outcome.strip(),
        allowed_from=(ReferralStatus.PENDING, ReferralStatus.ACKNOWLEDGED),
    )


@transaction.atomic
def decline_referral(*, actor: Any, referral: Referral, reason: str) -> Referral:
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the referral is declined.")})
    return _answer(
        actor=actor,
        referral=referral,
        status=ReferralStatus.DECLINED,
        kind=EventKind.REFERRAL_DECLINED,
        text=reason.strip(),
        allowed_from=(ReferralStatus.PENDING, ReferralStatus.ACKNOWLEDGED),
    )


@transaction.atomic
def withdraw_referral(*, actor: Any, referral: Referral, reason: str) -> Referral:
    referral = _locked_referral(referral)
    if not _access(actor, referral).may_withdraw:
        raise PermissionDenied(_("Only the referring team withdraws a referral."))
    if not referral.is_active:
        raise ValidationError(_("This referral is %s.") % referral.get_status_display().lower())
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the referral is withdrawn.")})
    now = timezone.now()
    referral.status = ReferralStatus.WITHDRAWN
    referral.finished_at = now
    referral.outcome = reason.strip()
    referral.save(update_fields=["status", "finished_at", "outcome"])
    append_event(
        referral.case,
        EventKind.REFERRAL_NOTE,
        actor=actor,
        at=now,
        text=_("Withdrawn: %s") % reason.strip(),
        referral=referral,
    )
    record(
        actor=actor,
        action=AuditAction.UPDATED,
        target=referral,
        summary=f"Referral of {referral.case.reference} withdrawn",
        organisation_id=referral.case.organisation_id,
    )
    return referral


@transaction.atomic
def add_referral_note(*, actor: Any, referral: Referral, text: str) -> None:
    """A message between the two sides of a referral; both see it, nobody else."""
    access = _access(actor, referral)
    if not (access.may_respond or access.may_withdraw):
        raise PermissionDenied(_("You cannot write on this referral."))
    if not text.strip():
        raise ValidationError({"text": _("Enter the note.")})
    append_event(
        referral.case,
        EventKind.REFERRAL_NOTE,
        actor=actor,
        at=timezone.now(),
        text=text.strip(),
        referral=referral,
    )
    record(
        actor=actor,
        action=AuditAction.UPDATED,
        target=referral,
        summary="Note on a referral",
        organisation_id=referral.case.organisation_id,
    )
