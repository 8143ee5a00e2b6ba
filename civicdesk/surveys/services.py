"""Every write about satisfaction surveys: sampling and inviting, and answering.

The link a customer gets is `{portal}/survey/<token>/`: the token is the invitation's id,
signed (so it cannot be altered or guessed) and nothing else, never a name or an address. It
works once (`answered_at`) and until `expires_at`.
"""

import datetime
import logging
import random
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.translation import gettext as _

from civicdesk.cases.models import Case
from civicdesk.catalogue.models import Sensitivity
from civicdesk.contacts.models import Contact, Outcome
from civicdesk.core.audit import record
from civicdesk.core.models import AuditAction
from civicdesk.insight.services import mark_stale
from civicdesk.notify.models import MessageEvent
from civicdesk.notify.services import notify_customer
from civicdesk.organisations.models import Organisation
from civicdesk.surveys.models import (
    MAX_COMMENT,
    SurveyChannel,
    SurveyInvitation,
    SurveySettings,
)

logger = logging.getLogger(__name__)

TOKEN_SALT = "civicdesk.surveys.link"
FIRST_LOOK_BACK = datetime.timedelta(days=1)
# Where links point when the setting is missing: `make run`'s server.


def survey_settings_for(*, organisation: Organisation) -> SurveySettings:
    """The organisation's settings, made with the defaults the first time."""
    found, _created = SurveySettings.objects.get_or_create(organisation=organisation)
    return found


def survey_token(invitation: SurveyInvitation) -> str:
    return signing.dumps(invitation.pk, salt=TOKEN_SALT)


def invitation_id_from_token(token: str) -> int | None:
    """The invitation a token names, or None for a token that was altered or made up."""
    try:
        value = signing.loads(token, salt=TOKEN_SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def portal_url() -> str:
    return settings.CIVICDESK_PORTAL_URL.rstrip("/")


def survey_link(invitation: SurveyInvitation, *, base: str | None = None) -> str:
    return f"{base if base is not None else portal_url()}/survey/{survey_token(invitation)}/"


# Inviting.


class _NotSent(Exception):
    """No email or text message could be sent: the invitation is rolled back."""


@dataclass(frozen=True)
class _Candidate:
    customer: Any
    service: Any
    contact: Contact | None = None
    case: Case | None = None

    @property
    def reference(self) -> str:
        return (self.case.reference or "") if self.case is not None else ""


def _reachable() -> Q:
    return Q(customer__email__gt="") | Q(customer__mobile__gt="")


def _contacts_to_draw(organisation: Organisation, since: Any, until: Any) -> models.QuerySet:
    return (
        Contact.objects.filter(
            _reachable(),
            organisation=organisation,
            ended_at__gt=since,
            ended_at__lte=until,
            customer__isnull=False,
            customer__merged_into__isnull=True,
        )
        .exclude(outcome=Outcome.ABANDONED)
        .filter(Q(service__isnull=True) | Q(service__sensitivity=Sensitivity.STANDARD))
        .filter(survey_invitations__isnull=True)
        .select_related("customer", "service")
        .order_by("ended_at", "pk")
    )


def _cases_to_draw(organisation: Organisation, since: Any, until: Any) -> models.QuerySet:
    return (
        Case.objects.filter(
            _reachable(),
            organisation=organisation,
            resolved_at__gt=since,
            resolved_at__lte=until,
            customer__isnull=False,
            customer__merged_into__isnull=True,
            service__sensitivity=Sensitivity.STANDARD,
        )
        .filter(survey_invitations__isnull=True)
        .select_related("customer", "service")
        .order_by("resolved_at", "pk")
    )


def _draw(rows: Iterable[Any], percent: Any, rng: random.Random) -> list[Any]:
    """Each row independently with probability percent/100, in a fixed order so that a seeded
    generator draws the same rows every time."""
    share = float(percent) / 100
    if share <= 0:
        return []
    return [row for row in rows if rng.random() < share]


def _invite(
    *,
    organisation: Organisation,
    candidate: _Candidate,
    now: datetime.datetime,
    valid_for: datetime.timedelta,
    base_url: str,
) -> SurveyInvitation | None:
    """One invitation and its message, or nothing at all (a savepoint undoes both)."""
    try:
        with transaction.atomic():
            invitation = SurveyInvitation.objects.create(
                organisation=organisation,
                customer=candidate.customer,
                contact=candidate.contact,
                case=candidate.case,
                channel=SurveyChannel.EMAIL,
                sent_at=now,
                expires_at=now + valid_for,
            )
            message = notify_customer(
                organisation=organisation,
                customer=candidate.customer,
                event=MessageEvent.SURVEY,
                about_reference=candidate.reference,
                service=candidate.service,
                personalisation={
                    "name": candidate.customer.full_name,
                    "reference": candidate.reference,
                    "service": candidate.service.name if candidate.service else "",
                    "due": format_date(timezone.localtime(invitation.expires_at), "j F Y"),
                    "url": survey_link(invitation, base=base_url),
                },
            )
            # Surveys go by email or text message only: never a letter, never nothing.
            if message is None or message.channel not in SurveyChannel.values:
                raise _NotSent
            invitation.channel = message.channel
            invitation.save(update_fields=["channel"])
            record(
                actor=None,
                action=AuditAction.CREATED,
                target=invitation,
                summary=f"Satisfaction survey sent by {message.channel}",
                detail={
                    "contact": candidate.contact.pk if candidate.contact else None,
                    "case": candidate.reference or None,
                    "customer": candidate.customer.reference,
                    "message": message.pk,
                },
            )
            return invitation
    except _NotSent:
        return None


@transaction.atomic
def invite_sample(
    *,
    organisation: Organisation,
    now: datetime.datetime | None = None,
    rng: random.Random | None = None,
) -> int:
    """Survey a random sample of the contacts that ended and the cases that were resolved since
    the last run; how many customers were invited.

    The window runs from the organisation's high-water mark (`last_sampled_at`; the first run
    looks back one day only) to `now`, which becomes the new mark, so a second run invites
    nobody new. Each contact is drawn with `contact_sample_percent`, each case with
    `case_sample_percent`, using `rng` (a `random.SystemRandom` unless a test passes a seeded
    `random.Random`). Left out, before the draw:
    - contacts and cases with no customer, or whose customer record was merged into another;
    - customers with neither an email address nor a mobile number on their record;
    - abandoned contacts;
    - contacts and cases about a sensitive or safeguarding service (never survey those);
    - contacts and cases that already have an invitation (one each: the unique constraints make
      a retried run safe).
    And after the draw:
    - customers surveyed within `quiet_days`, or already drawn earlier in this run;
    - customers notify cannot reach by email or text message (consent refused, an address that
      is not valid, or no template): nothing is recorded for them.
    A contact or case whose end is recorded later with an earlier time is not seen again.
    """
    now = now or timezone.now()
    rng = rng or random.SystemRandom()
    survey_settings_for(organisation=organisation)
    config = SurveySettings.objects.select_for_update().get(organisation=organisation)
    since = config.last_sampled_at or now - FIRST_LOOK_BACK
    config.last_sampled_at = now
    config.save(update_fields=["last_sampled_at"])
    if not config.is_enabled or since >= now:
        return 0

    drawn: list[_Candidate] = [
        _Candidate(customer=contact.customer, service=contact.service, contact=contact)
        for contact in _draw(
            _contacts_to_draw(organisation, since, now).iterator(chunk_size=2000),
            config.contact_sample_percent,
            rng,
        )
    ]
    drawn += [
        _Candidate(customer=case.customer, service=case.service, case=case)
        for case in _draw(
            _cases_to_draw(organisation, since, now).iterator(chunk_size=2000),
            config.case_sample_percent,
            rng,
        )
    ]
    quiet_since = now - datetime.timedelta(days=config.quiet_days)
    surveyed: set[int] = set()
    customer_ids = sorted({candidate.customer.pk for candidate in drawn})
    for start in range(0, len(customer_ids), 500):
        surveyed.update(
            SurveyInvitation.objects.filter(
                customer_id__in=customer_ids[start : start + 500], sent_at__gt=quiet_since
            ).values_list("customer_id", flat=True)
        )
    valid_for = datetime.timedelta(days=config.valid_days)
    base_url = portal_url()
    invited = 0
    for candidate in drawn:
        if candidate.customer.pk in surveyed:
            continue
        invitation = _invite(
            organisation=organisation,
            candidate=candidate,
            now=now,
            valid_for=valid_for,
            base_url=base_url,
        )
        if invitation is not None:
            surveyed.add(candidate.customer.pk)
            invited += 1
    if invited:
        logger.info("Satisfaction surveys: %s invited for %s", invited, organisation.slug)
    return invited


def invite_samples(*, now: datetime.datetime | None = None) -> int:
    """Run `invite_sample` for every council; one council's failure does not stop the rest."""
    invited = 0
    for organisation in Organisation.objects.filter(kind=Organisation.Kind.COUNCIL).order_by("pk"):
        try:
            invited += invite_sample(organisation=organisation, now=now)
        except Exception:
            logger.exception("Satisfaction surveys for %s failed", organisation.slug)
    return invited


# Answering.


def _check_answer(*, rating: Any, resolved: Any, comment: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if isinstance(rating, bool) or rating not in (1, 2, 3, 4, 5):
        errors["rating"] = _("Select how satisfied you are with the service you got")
    if resolved not in (True, False, None):
        errors["resolved"] = _("Select yes or no")
    if len(comment) > MAX_COMMENT:
        errors["comment"] = _("Your comments must be %(max)s characters or fewer") % {
            "max": f"{MAX_COMMENT:,}"
        }
    return errors


@transaction.atomic
def answer_survey(
    *,
    invitation: SurveyInvitation,
    rating: int | None,
    resolved: bool | None,
    comment: str,
    now: datetime.datetime | None = None,
) -> SurveyInvitation:
    """Record the customer's answer, once. A ValidationError with code "answered" or "expired"
    refuses a link that has been used or has run out; one keyed by field refuses bad input.

    The row is locked (`select_for_update`) and written only while still unanswered, so of two
    submissions at once exactly one answers, on databases that do not lock rows too.
    """
    now = now or timezone.now()
    locked = SurveyInvitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.answered_at is not None:
        raise ValidationError(_("You have already answered this survey."), code="answered")
    if locked.expires_at <= now:
        raise ValidationError(_("This survey has closed."), code="expired")
    comment = (comment or "").strip().replace("\r\n", "\n")
    errors = _check_answer(rating=rating, resolved=resolved, comment=comment)
    if errors:
        raise ValidationError(errors)
    written = SurveyInvitation.objects.filter(
        pk=locked.pk, answered_at__isnull=True, expires_at__gt=now
    ).update(answered_at=now, rating=rating, resolved=resolved, comment=comment)
    if not written:
        raise ValidationError(_("You have already answered this survey."), code="answered")
    locked.answered_at, locked.rating, locked.resolved, locked.comment = (
        now,
        rating,
        resolved,
        comment,
    )
    # The answer counts in the rollups of the day of the contact, or of the case's resolution.
    about = (
        Contact.objects.filter(pk=locked.contact_id).values_list("started_at", flat=True)
        if locked.contact_id
        else Case.objects.filter(pk=locked.case_id).values_list("resolved_at", flat=True)
    )
    mark_stale(organisation_id=locked.organisation_id, moments=list(about))
    record(
        actor=None,
        action=AuditAction.UPDATED,
        target=locked,
        summary="Satisfaction survey answered",
        detail={"rating": rating, "resolved": resolved, "commented": bool(comment)},
    )
    return locked
