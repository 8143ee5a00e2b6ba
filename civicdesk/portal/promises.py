"""A service's response time promise in the words a resident reads."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from civicdesk.catalogue.models import Priority, Service, SlaUnit
from civicdesk.catalogue.selectors import SlaPromise, sla_promises_for


def period(promise: SlaPromise) -> str:
    if promise.unit == SlaUnit.WORKING_HOURS:
        return ngettext("%(count)s working hour", "%(count)s working hours", promise.value) % {
            "count": promise.value
        }
    return ngettext("%(count)s working day", "%(count)s working days", promise.value) % {
        "count": promise.value
    }


def promises(service: Service) -> dict[str, str]:
    """{"first_response": ..., "resolution": ...}: the periods promised, blank where none."""
    first, resolution = sla_promises_for(service=service, priority=Priority.NORMAL)
    return {
        "first_response": period(first) if first else "",
        "resolution": period(resolution) if resolution else "",
    }


def promise_sentences(service: Service) -> list[str]:
    found = promises(service)
    sentences = []
    if found["first_response"]:
        sentences.append(
            _("We aim to reply within %(period)s.") % {"period": found["first_response"]}
        )
    if found["resolution"]:
        sentences.append(
            _("We aim to deal with most requests within %(period)s.")
            % {"period": found["resolution"]}
        )
    return sentences
