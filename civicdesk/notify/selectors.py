"""Reading messages, with the access policy applied where a user is named."""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from civicdesk.catalogue.models import Sensitivity, Service
from civicdesk.notify.models import Message
from civicdesk.organisations.models import Membership
from civicdesk.organisations.selectors import organisation_for, teams_for
from civicdesk.people.models import Customer
from civicdesk.people.selectors import customers_visible_to


def messages_for_customer(*, user: Any, customer: Customer) -> QuerySet[Message]:
    """What the council sent the customer that the user may read, newest first (merged
    records' messages included). Messages about a sensitive service go only to its teams, as
    in `may_read`, decided inside the one query.

    The caller has already checked the customer is visible, e.g. with `customer_for_user`.
    """
    messages = Message.objects.for_customer(customer.pk)
    if not user.is_superuser:
        my_teams = Membership.objects.filter(user_id=user.pk).values("team_id")
        unreadable = (
            Service.objects.exclude(sensitivity=Sensitivity.STANDARD)
            .exclude(owning_team__in=my_teams)
            .exclude(entitled_teams__in=my_teams)
        )
        messages = messages.exclude(service__in=unreadable)
    return messages.order_by("-created_at", "-id")


def messages_about(*, reference: str) -> QuerySet[Message]:
    """Everything sent about one case (or other reference), newest first."""
    return Message.objects.about(reference).order_by("-created_at", "-id")


def message_for_user(*, user: Any, pk: int) -> Message:
    """The message, or 404 for anything the user may not read.

    A message to a customer is as visible as the customer is (so a partner agency reads what
    the council sent to someone it represents); any other message, e.g. to staff, is visible to
    the staff of the organisation that sent it.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        raise Http404("No such message.")
    message = (
        Message.objects.select_related("customer", "staff_member", "template", "service")
        .filter(pk=pk)
        .first()
    )
    if message is None:
        raise Http404("No such message.")
    if user.is_superuser:
        return message
    if message.customer_id is not None:
        visible = customers_visible_to(user).filter(pk=message.customer_id).exists()
    else:
        organisation = organisation_for(user)
        visible = organisation is not None and organisation.pk == message.organisation_id
    if not visible or not may_read(user=user, message=message):
        raise Http404("No such message.")
    return message


def may_read(*, user: Any, message: Message) -> bool:
    """A message about a sensitive service tells its story: the same teams may read it as may
    see the service's contacts and cases (`contacts.selectors.may_see_details`)."""
    service = message.service
    if service is None or not service.is_sensitive or user.is_superuser:
        return True
    team_ids = set(teams_for(user).values_list("pk", flat=True))
    entitled = {service.owning_team_id, *service.entitled_teams.values_list("pk", flat=True)}
    return bool(team_ids & entitled)
