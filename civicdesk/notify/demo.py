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


def _survey_wording(council: str) -> dict[str, tuple[str, str, str]]:
    """The satisfaction survey (civicdesk.surveys): the subject, the email, the text message."""
    return {
        MessageEvent.SURVEY: (
            _("How did we do?"),
            _(
                "Hello((name?? ))((name)),\n\n"
                "You were in touch with us recently((service?? about ))((service)).\n\n"
                "Please tell us how satisfied you were. There are 3 short questions.\n\n"
                "((url??Answer the survey: ))((url))\n\n"
                "((due??The link works until ))((due))\n\n"
                "You do not have to answer. Your answers help us improve our services.\n\n"
                "%(council)s"
            )
            % {"council": council},
            _(
                "%(council)s: how did we do((service?? with ))((service))? "
                "Tell us in 3 short questions:((url?? ))((url))"
            )
            % {"council": council},
        ),
    }


def _application_wording(council: str) -> dict[str, tuple[str, str, str]]:
    """Applications made on e-forms: ((update)) carries the decision's reasons, the
    information asked for or the date the thing granted ends; ((due)) the date it ends."""
    return {
        MessageEvent.APPLICATION_RECEIVED: (
            _("We've received your application: ((reference))"),
            _(
                "Hello((name?? ))((name)),\n\n"
                "We've received your application about ((service)).\n\n"
                "Your reference is ((reference)).\n\n"
                "We'll check what you've told us and the evidence you sent. "
                "We'll write to you when we've made a decision, or if we need more "
                "information.\n\n"
                "((url??Check your application: ))((url))\n\n"
                "If you contact us about this, give your reference: ((reference)).\n\n"
                "%(council)s"
            )
            % {"council": council},
            _(
                "%(council)s: we've received your application about ((service)). "
                "Your reference is ((reference))."
            )
            % {"council": council},
        ),
        MessageEvent.APPLICATION_MORE_INFORMATION: (
            _("We need more information about your application: ((reference))"),
            _(
                "Hello((name?? ))((name)),\n\n"
                "We need more information before we can decide your application about "
                "((service)).\n\n"
                "((update))\n\n"
                "Sign in to your account to send it to us, or contact us and give your "
                "reference: ((reference)).\n\n"
                "((url??Send the information: ))((url))\n\n"
                "We'll wait for your answer before we carry on.\n\n"
                "%(council)s"
            )
            % {"council": council},
            _(
                "%(council)s: we need more information about your application ((reference)) "
                "about ((service)). We've written to you to say what."
            )
            % {"council": council},
        ),
        MessageEvent.APPLICATION_APPROVED: (
            _("Your application has been approved: ((reference))"),
            _(
                "Hello((name?? ))((name)),\n\n"
                "Your application about ((service)) has been approved.\n\n"
                "((update))\n\n"
                "((due??It lasts until: ))((due))\n\n"
                "If you contact us about this, give your reference: ((reference)).\n\n"
                "%(council)s"
            )
            % {"council": council},
            _(
                "%(council)s: your application ((reference)) about ((service)) has been "
                "approved.((due?? It lasts until ))((due))"
            )
            % {"council": council},
        ),
        MessageEvent.APPLICATION_REFUSED: (
            _("Decision on your application: ((reference))"),
            _(
                "Hello((name?? ))((name)),\n\n"
                "We're sorry, but we cannot approve your application about ((service)).\n\n"
                "Why we made this decision:\n\n"
                "((update))\n\n"
                "If you think our decision is wrong, you can ask us to look at it again. "
                "Contact us within one month of the date of this letter and give your "
                "reference: ((reference)). Tell us why you think the decision is wrong and "
                "send any evidence we did not have.\n\n"
                "You can apply again if your circumstances change.\n\n"
                "%(council)s"
            )
            % {"council": council},
            _(
                "%(council)s: we've made a decision on your application ((reference)) about "
                "((service)). We've written to you to explain it."
            )
            % {"council": council},
        ),
        MessageEvent.APPLICATION_RENEWAL_DUE: (
            _("Time to renew: ((reference))"),
            _(
                "Hello((name?? ))((name)),\n\n"
                "What we granted you for ((service)) ends soon.\n\n"
                "((due??It ends on: ))((due))\n\n"
                "Apply again now so that there's no gap. It can take several weeks to "
                "decide an application.\n\n"
                "((url??Apply again: ))((url))\n\n"
                "If you contact us about this, give your reference: ((reference)).\n\n"
                "%(council)s"
            )
            % {"council": council},
            _(
                "%(council)s: what we granted you for ((service)) ends((due?? on ))((due)). "
                "Apply again now so that there's no gap. Reference: ((reference))."
            )
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
    acknowledgement, update, closure and the applications' messages by email, text message
    and letter, and the SLA warning
    and referral emails to staff, and the portal account emails. Safe to run again."""
    wanted: list[tuple[str, str, str, str]] = []
    customer_wording = {
        **_customer_wording(organisation.name),
        **_application_wording(organisation.name),
    }
    for event, (subject, body, text) in customer_wording.items():
        wanted.append((event, MessageChannel.EMAIL, subject, body))
        wanted.append((event, MessageChannel.SMS, "", text))
        wanted.append((event, MessageChannel.LETTER, subject, body))
    for event, (subject, body, text) in _survey_wording(organisation.name).items():
        wanted.append((event, MessageChannel.EMAIL, subject, body))  # never by letter
        wanted.append((event, MessageChannel.SMS, "", text))
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
