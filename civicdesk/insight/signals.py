"""Marking rollup days stale when contacts and cases change (survey answers mark theirs in
`surveys.services.answer_survey`, which writes with `update()`).

Receivers rather than calls from each service: every write path (the console, the portal, the
APIs) changes these rows through `save()`, and a path added later is covered without remembering
to. Bulk writes bypass them: a merge moves contacts with `update()` (hence the Customer
receiver); the SLA sweep's `update()` stamps only open cases, which no rollup reads until they
are resolved; the seeders rebuild the rollups afterwards (`manage.py rebuild_rollups`).
"""

from typing import Any

from django.db.models.signals import post_init, post_save
from django.dispatch import receiver

from civicdesk.cases.models import Case
from civicdesk.contacts.models import Contact
from civicdesk.insight.rollups import repeat_window
from civicdesk.insight.services import mark_stale
from civicdesk.people.models import Customer

# What a case's rollup rows are keyed and measured by.
CASE_FIELDS = (
    "service_id", "channel", "ward_id", "team_id", "opened_at", "resolved_at",
    "resolution_breached_at", "chase_count",
)  # fmt: skip


@receiver(post_save, sender=Contact, dispatch_uid="insight_contact_saved")
def contact_saved(sender: type, instance: Contact, **kwargs: Any) -> None:
    moments = [instance.started_at]
    if instance.customer_id and instance.service_id:
        # Earlier contacts this one may make a repeat of.
        moments += Contact.objects.filter(
            customer_id=instance.customer_id,
            service_id=instance.service_id,
            started_at__gte=instance.started_at - repeat_window(),
            started_at__lt=instance.started_at,
        ).values_list("started_at", flat=True)
    mark_stale(organisation_id=instance.organisation_id, moments=moments)


@receiver(post_save, sender=Customer, dispatch_uid="insight_customer_merged")
def customer_merged(sender: type, instance: Customer, **kwargs: Any) -> None:
    """A merge moves a duplicate's contacts to the survivor, which can make repeats of them."""
    if instance.merged_into_id:
        mark_stale(
            organisation_id=instance.organisation_id,
            moments=Contact.objects.filter(customer_id=instance.merged_into_id).values_list(
                "started_at", flat=True
            ),
        )


@receiver(post_init, sender=Case, dispatch_uid="insight_case_loaded")
def case_loaded(sender: type, instance: Case, **kwargs: Any) -> None:
    # From __dict__, so a deferred field is not loaded just to be remembered.
    instance._insight_before = {name: instance.__dict__.get(name) for name in CASE_FIELDS}


@receiver(post_save, sender=Case, dispatch_uid="insight_case_saved")
def case_saved(sender: type, instance: Case, created: bool, **kwargs: Any) -> None:
    before = getattr(instance, "_insight_before", {})
    now = {name: instance.__dict__.get(name) for name in CASE_FIELDS}
    if created or before != now:
        mark_stale(
            organisation_id=instance.organisation_id,
            moments=[
                instance.opened_at,
                instance.resolved_at,
                before.get("opened_at"),
                before.get("resolved_at"),
            ],
        )
    instance._insight_before = now
