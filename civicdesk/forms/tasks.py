"""Background work for applications: the daily "time to renew" messages."""

import datetime
import logging

from django.db import transaction
from django.tasks import task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from civicdesk.core.audit import record
from civicdesk.core.models import AuditAction
from civicdesk.forms.models import Application, ApplicationStatus
from civicdesk.notify.models import MessageEvent

logger = logging.getLogger(__name__)
RENEWAL_NOTICE = datetime.timedelta(weeks=8)
RUN_EVERY = datetime.timedelta(days=1)


def send_renewal_reminders(*, today: datetime.date | None = None) -> int:
    """Tell each applicant whose grant ends within 8 weeks that it is time to renew, once per
    application; how many were told. One failure does not stop the rest."""
    from civicdesk.forms.applications import _format_day, _tell

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


@task
def remind_renewals() -> int:
    """Send the day's renewal reminders, then queue tomorrow's run."""
    try:
        sent = send_renewal_reminders()
    finally:
        schedule_renewals()
    logger.info("Renewal reminders sent: %s", sent)
    return sent


def schedule_renewals(*, delay: datetime.timedelta = RUN_EVERY) -> bool:
    """Queue the reminders unless a run is already waiting: each run queues the next."""
    waiting = DBTaskResult.objects.filter(task_path=remind_renewals.module_path, status="READY")
    if waiting.exists():
        return False
    remind_renewals.using(run_after=timezone.now() + delay).enqueue()
    return True
