"""Default wording for every message a council sends, so a new council can start at once.

Plain English in GOV.UK's style: short sentences, the reference early, what happens next. Any
value may be empty (a reporter who gave no name, a case with no target date), so lines that
depend on one are optional content and disappear when it is empty. With the live backend,
copy each template into Notify and set its Notify template id.
"""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from civicdesk.notify.models import MessageChannel, MessageEvent, MessageTemplate
from civicdesk.notify.services import create_template
from civicdesk.organisations.models import Organisation

# Each body starts "Hello Sam Jones," or, with no name, "Hello,".


def _customer_wording(council: str) -> dict[str, tuple[str, str, str]]:
    """Per event: the subject, the email and letter body, and the text message."""
    return {
        MessageEvent.ACKNOWLEDGEMENT: (
            _("We've received your request: ((reference))"),
            _(
                "Hello((name?? ))((name)),\n\n"
                "We've received your request about ((service)).\n\n"
                "Your reference is ((reference)).\n\n"
                "((location??Where: ))((location))\n"
                "((due??We aim to deal with it by: ))((due))\n\n"
                "We'll tell you when there's news.\n\n"
                "((url??Track your request: ))((url))\n\n"
                "If you contact us about this, give your reference: ((reference)).\n\n"
                "%(council)s"
            )
            % {"council": council},
            _(
                "%(council)s: we've received your request about ((service)). "
                "Your reference is ((reference)).((url?? Track it at ))((url))"
            )
            % {"council": council},
        ),
        MessageEvent.UPDATE: (
            _("Update on your request: ((reference))"),
            _(
                "Hello((name?? ))((name)),\n\n"
                "There's news about your request about ((service)).\n\n"
                "((update))\n\n"
                "Status: ((status))\n"
                "((due??We aim to deal with it by: ))((due))\n\n"
                "((url??Track your request: ))((url))\n\n"
                "If you contact us about this, give your reference: ((reference)).\n\n"
                "%(council)s"
            )
            % {"council": council},
            _(
                "%(council)s: news about your request ((reference)) about ((service)). "
                "Status: ((status)). ((update))"
            )
            % {"council": council},
        ),
        MessageEvent.CLOSURE: (
            _("Your request is closed: ((reference))"),
            _(
                "Hello((name?? ))((name)),\n\n"
                "We've closed your request about ((service)).\n\n"
                "((update))\n\n"
                "If you think we have not finished, contact us and give your reference: "
                "((reference)).\n\n"
                "%(council)s"
            )
            % {"council": council},
            _("%(council)s: we've closed your request ((reference)) about ((service)). ((update))")
            % {"council": council},
        ),
    }


def _staff_wording() -> dict[str, tuple[str, str]]:
    """Per event: the subject and body of the email to a member of staff."""
    return {
        MessageEvent.SLA_WARNING: (
            _("Cases close to their target: ((team))"),
            _(
                "Hello ((name)),\n\n"
                "These cases in ((team)) are close to or past their target date:\n\n"
                "((reference))\n\n"
                "((service??Service: ))((service))\n"
                "((due??Target date: ))((due))\n"
                "((case_url??Open the case: ))((case_url))\n\n"
                "Check who is working on each one and what is stopping it."
            ),
        ),
        MessageEvent.REFERRAL: (
            _("Work referred to ((team)): ((reference))"),
            _(
                "Hello ((name)),\n\n"
                "Case ((reference)) has been referred to ((team)).\n\n"
                "((service??Service: ))((service))\n"
                "((due??Complete it by: ))((due))\n"
                "((case_url??Open the case: ))((case_url))\n\n"
                "Acknowledge the referral so the team that sent it knows you have it."
            ),
        ),
    }


def _account_wording(council: str) -> dict[str, tuple[str, str]]:
    """Per event: the subject and body of the email about a resident's portal account."""
    return {
        MessageEvent.VERIFY_EMAIL: (
            _("Confirm your email address"),
            _(
                "Hello((name?? ))((name)),\n\n"
                "Confirm your email address to finish setting up your %(council)s account.\n\n"
                "((url??Open this link to confirm it: ))((url))\n\n"
                "The link works once and stops working after 3 days.\n\n"
                "If you did not create an account, you can ignore this email.\n\n"
                "%(council)s"
            )
            % {"council": council},
        ),
        MessageEvent.ACCOUNT_EXISTS: (
            _("Someone tried to create an account with your email address"),
            _(
                "Hello((name?? ))((name)),\n\n"
                "Someone tried to create a %(council)s account with this email address. "
                "You already have an account.\n\n"
                "If it was you, sign in instead. "
                "((url??If you have forgotten your password, reset it: ))((url))\n\n"
                "If it was not you, you do not need to do anything. "
                "Nobody can use your account without your password.\n\n"
                "%(council)s"
            )
            % {"council": council},
        ),
        MessageEvent.PASSWORD_RESET: (
            _("Reset your password"),
            _(
                "Hello((name?? ))((name)),\n\n"
                "We received a request to reset the password for your %(council)s account.\n\n"
                "((url??Open this link to choose a new password: ))((url))\n\n"
                "The link works once and stops working after 3 days.\n\n"
                "If you did not ask to reset your password, you can ignore this email. "
                "Your password has not changed.\n\n"
                "%(council)s"
            )
            % {"council": council},
        ),
    }


@transaction.atomic
def install_demo_templates(*, actor: Any, organisation: Organisation) -> list[MessageTemplate]:
    """Add the default templates (for every service) that the organisation does not have yet:
    acknowledgement, update and closure by email, text message and letter, and the SLA warning
    and referral emails to staff, and the portal account emails. Safe to run again."""
    wanted: list[tuple[str, str, str, str]] = []
    for event, (subject, body, text) in _customer_wording(organisation.name).items():
        wanted.append((event, MessageChannel.EMAIL, subject, body))
        wanted.append((event, MessageChannel.SMS, "", text))
        wanted.append((event, MessageChannel.LETTER, subject, body))
    for event, (subject, body) in _staff_wording().items():
        wanted.append((event, MessageChannel.EMAIL, subject, body))
    for event, (subject, body) in _account_wording(organisation.name).items():
        wanted.append((event, MessageChannel.EMAIL, subject, body))
    existing = set(
        MessageTemplate.objects.filter(
            organisation=organisation, service__isnull=True, easy_read=False
        ).values_list("event", "channel")
    )
    return [
        create_template(
            actor=actor,
            organisation=organisation,
            event=event,
            channel=channel,
            subject=subject,
            body=body,
        )
        for event, channel, subject, body in wanted
        if (event, channel) not in existing
    ]
