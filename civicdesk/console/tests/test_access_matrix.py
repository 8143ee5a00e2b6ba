"""Who may open and post every page of the desktop: one row per URL, method and kind of case.

Each row names a console URL, how to build its arguments, the method, and for every role what
happens (see matrix_data.ROLES for who the roles are):

- OK: allowed, a page (200) or a redirect to somewhere other than signing in; a POST really
  changed something (the data posted is what an allowed user would post).
- KEPT: allowed, but a POST changes nothing (the form is shown again, or it redirects on).
- FORBIDDEN (403) and NOT_FOUND (404): refused, as the app refuses it; a refused POST changes
  nothing.
- SIGN_IN: redirected to the sign-in page; a POST changes nothing.
- NOT_ALLOWED (405): the method is not accepted at all.
- NOTHING: any refusal (403, 404, 405 or signing in) and, for a POST, no change: what a
  resident's portal account gets from every console URL, whatever the row says for staff.

Every URL in console/urls.py must have rows: a new URL fails the test named "every console URL
is in the matrix" until it is added, with POST rows unless GET_ONLY says why it needs none.
Case rows run against a standard case, a sensitive one (owned by community safety, housing
options entitled) and a safeguarding one (owned by the safeguarding hub alone). The data is
built once for the module (matrix_data.py); each test runs in a savepoint that is rolled back.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import request_finished
from django.db import close_old_connections, transaction
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import URLPattern, reverse

from civicdesk.cases.models import Attachment, Case, CaseEvent, Referral
from civicdesk.console import urls as console_urls
from civicdesk.console.tokens import OPEN_KEY
from civicdesk.contacts.models import Contact
from civicdesk.core.models import AuditAction, AuditEvent
from civicdesk.insight.models import DemandAlert
from civicdesk.notify.models import Message
from civicdesk.organisations.models import Membership, User
from civicdesk.organisations.tests.factories import PASSWORD
from civicdesk.payments.models import Payment, Refund
from civicdesk.payments.services import refresh_payment, start_payment
from civicdesk.people.models import Customer, Representative

from .matrix_data import (
    ADMINISTRATOR,
    AGENT,
    ANONYMOUS,
    DESCRIPTIONS,
    ENTITLED_OFFICER,
    KINDS,
    MANAGER,
    MONDAY_MORNING,
    OFFICER,
    OTHER_COUNCIL,
    OTHER_TEAM_OFFICER,
    PARTNER_NO_REFERRAL,
    PARTNER_REFERRAL,
    PNG,
    RESIDENT,
    ROLES,
    SAFEGUARDING,
    SENSITIVE,
    STANDARD,
    SUPERUSER,
    TEAM_LEADER,
    World,
    build_world,
)

OK = "ok"
KEPT = "kept"
FORBIDDEN = "403"
NOT_FOUND = "404"
NOT_ALLOWED = "405"
SIGN_IN = "sign-in"
REFUSED = (FORBIDDEN, NOT_FOUND, NOT_ALLOWED, SIGN_IN)
NOTHING = "nothing"

FORM_TOKEN = uuid.UUID("5e1f2d3c-0000-4000-8000-000000000001")


# Groups of roles.
COUNCIL = (
    AGENT,
    OFFICER,
    OTHER_TEAM_OFFICER,
    ENTITLED_OFFICER,
    TEAM_LEADER,
    MANAGER,
    ADMINISTRATOR,
)
PARTNERS = (PARTNER_REFERRAL, PARTNER_NO_REFERRAL)
LEADING = (TEAM_LEADER, MANAGER, ADMINISTRATOR)  # may merge customer records

# The policy, written out by hand for each kind of case (not computed from cases.policy).
# Who sees a case's details: its page, its attachments, chasing it.
SEES = {
    STANDARD: (*COUNCIL, SUPERUSER),
    SENSITIVE: (OFFICER, ENTITLED_OFFICER, TEAM_LEADER, SUPERUSER),
    SAFEGUARDING: (OFFICER, TEAM_LEADER, SUPERUSER),
}
# Who works it: status, priority, updates, files, resolving, closing, reopening, referring.
WORKS = {
    STANDARD: (OFFICER, TEAM_LEADER, MANAGER, ADMINISTRATOR, SUPERUSER),
    SENSITIVE: (OFFICER, TEAM_LEADER, SUPERUSER),
    SAFEGUARDING: (OFFICER, TEAM_LEADER, SUPERUSER),
}
# Who assigns it to someone else.
ASSIGNS = {
    STANDARD: (TEAM_LEADER, MANAGER, ADMINISTRATOR, SUPERUSER),
    SENSITIVE: (TEAM_LEADER, SUPERUSER),
    SAFEGUARDING: (TEAM_LEADER, SUPERUSER),
}
# Who reads the acknowledgement sent to Ada about it (`console:message`).
READS_MESSAGE = {
    STANDARD: (*COUNCIL, SUPERUSER, *PARTNERS),  # Kingsmere Homes represents Ada
    SENSITIVE: (OFFICER, ENTITLED_OFFICER, TEAM_LEADER, SUPERUSER),
    SAFEGUARDING: (OFFICER, TEAM_LEADER, SUPERUSER),
}
# The referral to the partner: the referring side (who works the case) and the receiving team.
RESPONDS = (PARTNER_REFERRAL, SUPERUSER)


def expect(
    default: str, *overrides: dict[str, str], anonymous: str = SIGN_IN, **by_role: str
) -> dict[str, str]:
    """Every role's outcome: `default`, unless named (later names win); anonymous visitors
    sign in first; a resident gets nothing."""
    expected = {role: default for role in ROLES} | {ANONYMOUS: anonymous, RESIDENT: NOTHING}
    for override in (*overrides, by_role):
        unknown = set(override) - set(ROLES)
        assert not unknown, f"Unknown roles {unknown}"
        expected |= override
    return expected


def each(roles: tuple[str, ...], outcome: str) -> dict[str, str]:
    return dict.fromkeys(roles, outcome)


def case_page(kind: str) -> dict[str, str]:
    """As absent as a case that does not exist to anyone who may not see its details."""
    return expect(NOT_FOUND, each(SEES[kind], OK))


def case_action(kind: str, permitted: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """404 to those who may not see the case; 403 to those who see it but may not do this."""
    return expect(NOT_FOUND, each(SEES[kind], FORBIDDEN), each(permitted[kind], OK))


def referral_page(kind: str) -> dict[str, str]:
    return expect(NOT_FOUND, each(WORKS[kind], OK), each(RESPONDS, OK))


def referral_answer(kind: str, answering: tuple[str, ...]) -> dict[str, str]:
    """403 to the other side of the referral; 404 to those who may not see it."""
    return expect(
        NOT_FOUND, each(WORKS[kind], FORBIDDEN), each(RESPONDS, FORBIDDEN), each(answering, OK)
    )


# Arguments and posted data. Each builder takes the world and the row's kind of case.
Builder = Callable[[World, str], Any]


def no_args(world: World, kind: str) -> list[Any]:
    return []


def case_ref(world: World, kind: str) -> list[Any]:
    return [world.cases[kind].reference]


def closed_case_ref(world: World, kind: str) -> list[Any]:
    return [world.closed_cases[kind].reference]


def attachment_args(world: World, kind: str) -> list[Any]:
    return [world.cases[kind].reference, world.attachments[kind].pk]


def another_cases_attachment(world: World, kind: str) -> list[Any]:
    return [world.cases[STANDARD].reference, world.attachments[SENSITIVE].pk]


def unshared_attachment(world: World, kind: str) -> list[Any]:
    return [world.referrals[STANDARD].pk, world.attachments[SENSITIVE].pk]


def referral_pk(world: World, kind: str) -> list[Any]:
    return [world.referrals[kind].pk]


def referral_attachment_args(world: World, kind: str) -> list[Any]:
    return [world.referrals[kind].pk, world.attachments[kind].pk]


def message_pk(world: World, kind: str) -> list[Any]:
    return [world.messages[kind].pk]


def case_team_slug(world: World, kind: str) -> list[Any]:
    return [world.case_team(kind).slug]


def partner_team_slug(world: World, kind: str) -> list[Any]:
    return [world.teams["tenancy-support"].slug]


def ada(world: World, kind: str) -> list[Any]:
    return [world.ada.reference]


def ben(world: World, kind: str) -> list[Any]:
    return [world.ben.reference]


def ada_and_ben(world: World, kind: str) -> list[Any]:
    return [world.ada.reference, world.ben.reference]


def service_pk(world: World, kind: str) -> list[Any]:
    return [world.services[kind].pk]


def ada_and_service(world: World, kind: str) -> list[Any]:
    return [world.ada.reference, world.services[kind].pk]


def alert_pk(world: World, kind: str) -> list[Any]:
    """An unusual day of demand for the kind's service at the council."""
    alert, _created = DemandAlert.objects.get_or_create(
        organisation=world.council, day=MONDAY_MORNING.date(), service=world.services[kind],
        ward=None, defaults={"observed": 30, "expected": 8.0, "score": 5.1, "probability": 1e-7,
                             "description": "30 against about 8", "detected_at": MONDAY_MORNING},
    )  # fmt: skip
    return [alert.pk]


def fixed(**data: Any) -> Builder:
    return lambda world, kind: data


def assign_to_officer(world: World, kind: str) -> dict[str, Any]:
    return {"assignee": str(world.user(OFFICER, kind).pk)}


def a_photo(world: World, kind: str) -> dict[str, Any]:
    return {"file": SimpleUploadedFile("bins.png", PNG, "image/png")}


def refer_to_housing(world: World, kind: str) -> dict[str, Any]:
    return {"to_team": str(world.teams["housing-options"].pk), "scope": "Is the tenant at risk?"}


def bulk_assign(world: World, kind: str) -> dict[str, Any]:
    return {"cases": [str(world.cases[kind].pk)], "assignee": str(world.user(OFFICER, kind).pk)}


def merge_ben(world: World, kind: str) -> dict[str, Any]:
    return {"reference": world.ben.reference}


CLOSING = fixed(resolution_code="done", message="Cleared this morning")
CONTACT = fixed(channel="phone", outcome="resolved", avoidable_reason="", notes="Bin day")
NEW_CASE = fixed(
    location="none",
    location_description="By the library steps",
    description="Sofa left on the pavement",
    channel="phone",
    priority="normal",
    confirmed="on",
)
NEW_PASSWORD = "a-much-longer-passphrase-7"


@dataclass(frozen=True)
class Row:
    name: str  # the console URL's name
    method: str
    expected: dict[str, str]  # role -> outcome
    args: Builder = no_args
    data: Builder | None = None  # what a POST sends (with a form token the session expects)
    kind: str = STANDARD
    label: str = ""  # tells apart rows of one URL about different things
    audited: bool = False  # shows a case's details: a sensitive case's view is audited

    @property
    def id(self) -> str:
        label = self.label or self.name
        return label if self.kind == STANDARD else f"{label}-{self.kind}"


def case_rows(kind: str) -> list[Row]:
    """Everything about one case: its page, its actions, its file, its referral and message."""
    acting = {
        "status": (WORKS, fixed(status="in_progress", note="")),
        "assign": (ASSIGNS, assign_to_officer),
        "take": ({k: tuple({*WORKS[k], *ASSIGNS[k]}) for k in KINDS}, fixed()),
        "priority": (WORKS, fixed(priority="high", reason="Blocking the footpath")),
        "note": (SEES, fixed(text="Customer rang back with more detail")),
        "update": (WORKS, fixed(text="We will visit tomorrow")),
        "attachment": (WORKS, a_photo),
        "resolve": (WORKS, CLOSING),
        "close": (WORKS, CLOSING),
        "reopen": (WORKS, fixed(reason="The bags are back")),
    }
    rows = [
        Row("case", "GET", case_page(kind), case_ref, kind=kind, audited=True),
        Row(
            "case-attachment-download",
            "GET",
            case_page(kind),
            attachment_args,
            kind=kind,
            audited=True,
        ),
    ]
    for action, (permitted, data) in acting.items():
        args = closed_case_ref if action == "reopen" else case_ref
        expected = case_action(kind, permitted)
        name = f"case-{action}"
        posted = expected
        if action == "take":
            # Offered "Assign to me", but only a member of the case's team may hold the case:
            # the form comes back with "Choose a member of the case's team".
            posted = expected | {
                role: KEPT for role in (MANAGER, ADMINISTRATOR, SUPERUSER) if expected[role] == OK
            }
        rows += [
            Row(name, "GET", expected, args, kind=kind, audited=True),
            Row(name, "POST", posted, args, data, kind=kind),
        ]
    chase = fixed(channel="phone", notes="Asked when it will be done")
    refer = case_action(kind, WORKS)
    rows += [
        Row("chase-case", "GET", case_page(kind), case_ref, kind=kind, audited=True),
        Row("chase-case", "POST", case_page(kind), case_ref, chase, kind=kind),
        Row("refer-case", "GET", refer, case_ref, kind=kind, audited=True),
        Row("refer-case", "POST", refer, case_ref, refer_to_housing, kind=kind),
        # The referral page; posting adds a note for the other side.
        Row("referral", "GET", referral_page(kind), referral_pk, kind=kind),
        Row(
            "referral",
            "POST",
            referral_page(kind),
            referral_pk,
            fixed(text="Visit booked for Thursday"),
            kind=kind,
        ),
        Row(
            "acknowledge-referral",
            "POST",
            referral_answer(kind, RESPONDS),
            referral_pk,
            fixed(),
            kind=kind,
        ),
        Row(
            "referral-attachment",
            "GET",
            referral_page(kind),
            referral_attachment_args,
            kind=kind,
        ),
        Row(
            "message",
            "GET",
            expect(NOT_FOUND, each(READS_MESSAGE[kind], OK)),
            message_pk,
            kind=kind,
        ),
    ]
    answers = {
        "complete": (RESPONDS, "Tenant visited, all fine"),
        "decline": (RESPONDS, "Not a tenancy of ours"),
        "withdraw": (WORKS[kind], "Sorted it ourselves"),
    }
    for answer, (answering, text) in answers.items():
        expected = referral_answer(kind, answering)
        name = f"{answer}-referral"
        rows += [
            Row(name, "GET", expected, referral_pk, kind=kind),
            Row(name, "POST", expected, referral_pk, fixed(text=text), kind=kind),
        ]
    # The case's team's queue: its members and the council's managers; bulk assignment for
    # those who assign. A manager who may not see a sensitive case's details does not find
    # it in the queue, so cannot assign it from there either.
    queue = expect(NOT_FOUND, each((OFFICER, TEAM_LEADER, MANAGER, ADMINISTRATOR, SUPERUSER), OK))
    bulk = queue | {OFFICER: FORBIDDEN}
    if kind != STANDARD:
        bulk |= {MANAGER: KEPT, ADMINISTRATOR: KEPT}
    rows += [
        Row("queue", "GET", queue, case_team_slug, kind=kind),
        Row("queue", "POST", bulk, case_team_slug, bulk_assign, kind=kind),
    ]
    # Raising a case of this kind's service: council staff only, for their own council's
    # customers and services. Someone who may not see the new case is sent back, not to it.
    if kind != SAFEGUARDING:  # raising one is no different from raising a sensitive case
        raising = expect(
            OK, each((*PARTNERS, SUPERUSER), FORBIDDEN), each((OTHER_COUNCIL,), NOT_FOUND)
        )
        for name, args in (
            ("raise-case-details", service_pk),
            ("raise-case-for-customer-details", ada_and_service),
        ):
            rows += [
                Row(name, "GET", raising, args, kind=kind),
                Row(name, "POST", raising, args, NEW_CASE, kind=kind),
            ]
    if kind == SAFEGUARDING:
        # Posting runs through the same checks as for the sensitive case, whose POST rows
        # cover it: what a safeguarding case changes is who may open it, so its GET rows.
        rows = [row for row in rows if row.method == "GET"]
    return rows


def application_case_ref(world: World, kind: str) -> list[Any]:
    """The case, made to have come from an application waiting for a decision."""
    from civicdesk.forms.models import Application, Form, FormVersion

    case = world.cases[kind]
    if not Application.objects.filter(case=case).exists():
        form = Form.objects.create(
            organisation=world.council, service=world.services[kind], slug=f"apply-{kind}",
            title="Apply for a permit",
        )  # fmt: skip
        version = FormVersion.objects.create(form=form, number=1, status="published")
        Application.objects.create(
            organisation=world.council, form_version=version, customer=world.ada,
            channel="web", status="submitted", case=case,
        )  # fmt: skip
    return [case.reference]


def application_rows(kind: str) -> list[Row]:
    """Deciding the application a case came from: those who work the case (forms.applications)."""
    decisions = {
        "approve": fixed(note="Posted today"),
        "refuse": fixed(reasons="You get fewer than 8 PIP points"),
        "information": fixed(request="Send your PIP award letter"),
    }
    expected = case_action(kind, WORKS)
    rows = []
    for decision, data in decisions.items():
        name = f"case-application-{decision}"
        rows.append(Row(name, "GET", expected, application_case_ref, kind=kind, audited=True))
        if kind != SAFEGUARDING:
            rows.append(Row(name, "POST", expected, application_case_ref, data, kind=kind))
    return rows


def payment_ref(world: World, kind: str) -> list[Any]:
    """A fee Ada paid (on the simulator) for the kind's service."""
    payment = Payment.objects.filter(purpose="matrix", purpose_reference=kind).first()
    if payment is None:
        payment = start_payment(
            actor=None, organisation=world.council, amount_pence=1000, description="Permit fee",
            return_url_for=lambda secret: f"http://testserver/payments/return/{secret}/",
            customer=world.ada, service=world.services[kind], purpose="matrix",
            purpose_reference=kind,
        )  # fmt: skip
        card = {"card_number": "4000058260000005", "expiry": "12/39", "name": "Ada Okafor",
                "security_code": "123"}  # fmt: skip
        Client().post(payment.next_url, card)
        payment = refresh_payment(payment=payment)
    return [payment.reference]


REFUNDERS = (TEAM_LEADER, MANAGER, ADMINISTRATOR, SUPERUSER)
REPORT_READERS = expect(FORBIDDEN, manager=OK, administrator=OK, other_council=OK)
# Figures: managers and administrators, each of their own council.
FIGURE_READERS = REPORT_READERS
ALERT_READERS = expect(FORBIDDEN, manager=OK, administrator=OK, other_council=NOT_FOUND)
TEAM_FIGURE_READERS = expect(
    FORBIDDEN, team_leader=OK, manager=OK, administrator=OK, other_council=OK
)


def payment_rows(kind: str) -> list[Row]:
    """A payment is seen as its service's cases are; refunds by team leaders, managers and
    administrators among those who see it."""
    sees = SEES[kind]
    refund = expect(
        NOT_FOUND, each(sees, FORBIDDEN), each(tuple(r for r in sees if r in REFUNDERS), OK)
    )
    rows = [
        Row("payment", "GET", expect(NOT_FOUND, each(sees, OK)), payment_ref, kind=kind),
        Row("payment-refund", "GET", refund, payment_ref, kind=kind),
    ]
    if kind != SAFEGUARDING:  # safeguarding rows are the pages only, as for applications
        data = fixed(amount="1.00", reason="Charged twice")
        rows.append(Row("payment-refund", "POST", refund, payment_ref, data, kind=kind))
    return rows


# Council staff may register and change customers; partner staff read only those they represent.
COUNCIL_ONLY = expect(OK, each((*PARTNERS, SUPERUSER), FORBIDDEN))
ADAS_RECORD = expect(OK, other_council=NOT_FOUND)
COUNCIL_ADA = expect(OK, each((*PARTNERS, SUPERUSER), FORBIDDEN), other_council=NOT_FOUND)
MERGING = expect(FORBIDDEN, each(LEADING, OK), other_council=NOT_FOUND)
# Everything held about a customer: the council's administrators (and the platform's).
EXPORTING = expect(FORBIDDEN, administrator=OK, superuser=OK, other_council=NOT_FOUND)
COUNCIL_SERVICE = expect(NOT_FOUND, each(COUNCIL, OK))
EVERYONE = expect(OK)

ROWS: list[Row] = [
    # Signing in and out, and passwords.
    Row("home", "GET", EVERYONE),
    # Signed in: on to the home page; a resident is shown the form (and refused on posting).
    Row("sign-in", "GET", expect(OK, anonymous=OK, resident=OK)),
    Row("sign-out", "GET", expect(NOT_ALLOWED, anonymous=NOT_ALLOWED)),
    Row("sign-out", "POST", expect(SIGN_IN), data=fixed()),  # signed out: back to sign in
    Row("password-change", "GET", EVERYONE),
    Row(
        "password-change",
        "POST",
        EVERYONE,
        data=fixed(old_password=PASSWORD, new_password1=NEW_PASSWORD, new_password2=NEW_PASSWORD),
    ),
    Row("password-change-done", "GET", EVERYONE),
    # The code steps lead back to the password step unless it has just been passed (tested in
    # test_staff_sign_in.py); a resident is sent there too.
    Row("sign-in-code", "GET", expect(SIGN_IN)),
    Row("sign-in-code", "POST", expect(SIGN_IN), data=fixed(code="123456")),
    Row("sign-in-set-up", "GET", expect(SIGN_IN)),
    Row("sign-in-set-up", "POST", expect(SIGN_IN), data=fixed(code="123456")),
    Row("account", "GET", EVERYONE),
    # Nobody here has an authenticator app: back to the account page, nothing made.
    Row("new-recovery-codes", "GET", expect(NOT_ALLOWED)),
    Row("new-recovery-codes", "POST", expect(KEPT), data=fixed(code="123456")),
    Row("sign-out-elsewhere", "GET", expect(NOT_ALLOWED)),
    Row("sign-out-elsewhere", "POST", EVERYONE, data=fixed()),
    Row("knowledge", "GET", EVERYONE),
    # Customers.
    Row("register-customer", "GET", COUNCIL_ONLY),
    Row(
        "register-customer",
        "POST",
        COUNCIL_ONLY,
        data=fixed(
            forenames="Cyril", surname="Newman", preferred_channel="", different_people="on"
        ),
    ),
    Row("customer", "GET", ADAS_RECORD, ada),
    Row(
        "customer",
        "GET",
        expect(OK, each((*PARTNERS, OTHER_COUNCIL), NOT_FOUND)),
        ben,
        label="customer-unrepresented",
    ),
    Row("change-customer", "GET", COUNCIL_ADA, ada),
    Row(
        "change-customer",
        "POST",
        COUNCIL_ADA,
        ada,
        fixed(
            forenames="Ada", surname="Okafor-Jones", email="ada@example.org", preferred_channel=""
        ),
    ),
    Row("merge-customer", "GET", MERGING, ada),
    # Choosing the duplicate only leads on to the confirmation page.
    Row("merge-customer", "POST", MERGING | each(LEADING, KEPT), ada, merge_ben),
    Row("merge-customer-confirm", "GET", MERGING, ada_and_ben),
    Row("merge-customer-confirm", "POST", MERGING, ada_and_ben, fixed()),
    Row("customer-subject-access", "GET", EXPORTING, ada),
    Row("customer-subject-access-download", "GET", EXPORTING, ada),
    # Contacts: partner staff log them for the customers they represent, about no service of
    # the council's.
    Row("log-contact", "GET", ADAS_RECORD, ada),
    Row("log-contact-general", "GET", ADAS_RECORD, ada),
    Row("log-contact-general", "POST", ADAS_RECORD, ada, CONTACT),
    Row("log-contact-details", "GET", COUNCIL_SERVICE, ada_and_service),
    Row("log-contact-details", "POST", COUNCIL_SERVICE, ada_and_service, CONTACT),
    Row("log-anonymous-contact", "GET", EVERYONE),
    Row("log-anonymous-contact-general", "GET", EVERYONE),
    Row(
        "log-anonymous-contact-general",
        "POST",
        expect(OK, superuser=FORBIDDEN),  # a member of no organisation: whose contact?
        data=CONTACT,
    ),
    Row("log-anonymous-contact-details", "GET", COUNCIL_SERVICE, service_pk),
    Row("log-anonymous-contact-details", "POST", COUNCIL_SERVICE, service_pk, CONTACT),
    # Raising cases: choosing the service.
    Row("raise-case", "GET", COUNCIL_ONLY),
    Row("raise-case-for-customer", "GET", COUNCIL_ADA, ada),
    # Queues and referrals.
    Row("queues", "GET", EVERYONE),
    Row("referrals", "GET", EVERYONE),
    Row("e-enablement", "GET", FIGURE_READERS),
    Row("satisfaction", "GET", FIGURE_READERS),
    Row("workforce", "GET", FIGURE_READERS),
    Row("indicators", "GET", FIGURE_READERS),
    # The dashboard: team leaders too, limited to their own teams (tested in test_dashboard).
    Row("insight-dashboard", "GET", TEAM_FIGURE_READERS),
    Row("demand-alerts", "GET", FIGURE_READERS),
    Row("demand-alert", "GET", ALERT_READERS, alert_pk),
    Row("demand-alert-acknowledge", "GET", expect(NOT_ALLOWED), alert_pk),
    Row(
        "queue",
        "GET",
        expect(NOT_FOUND, partner_referral=OK, superuser=OK),
        partner_team_slug,
        label="queue-partner-team",
    ),
    # A file is reached only through the case, or the referral, it belongs to.
    Row(
        "case-attachment-download",
        "GET",
        expect(NOT_FOUND),
        another_cases_attachment,
        label="attachment-of-another-case",
    ),
    Row(
        "referral-attachment",
        "GET",
        expect(NOT_FOUND),
        unshared_attachment,
        label="referral-attachment-not-shared",
    ),
    # Acknowledging is a button: the page takes only POST, whoever asks about whichever case.
    Row("acknowledge-referral", "GET", expect(NOT_ALLOWED), referral_pk),
    *(row for kind in KINDS for row in case_rows(kind)),
    *(row for kind in KINDS for row in application_rows(kind)),
    *(row for kind in KINDS for row in payment_rows(kind)),
    Row("payments-report", "GET", REPORT_READERS),
    Row("payments-report-csv", "GET", REPORT_READERS),
]

# URLs without POST rows, and why: posting to them changes nothing, or it is tested elsewhere.
GET_ONLY = {
    "home": "a search form, sent with GET",
    "sign-in": "signing in is tested in test_access.py",
    "password-change-done": "a page saying it is done",
    "account": "a page; its forms post to their own URLs",
    "knowledge": "a search form, sent with GET",
    "customer": "posting shows the page",
    "customer-subject-access": "GET only (405)",
    "customer-subject-access-download": "GET only (405)",
    "log-contact": "the service is chosen with GET",
    "log-anonymous-contact": "the service is chosen with GET",
    "raise-case": "the service is chosen with GET",
    "raise-case-for-customer": "the service is chosen with GET",
    "queues": "a list of links",
    "e-enablement": "a report",
    "satisfaction": "a report",
    "workforce": "a report",
    "indicators": "a report",
    "insight-dashboard": "a report, its filters sent with GET",
    "demand-alerts": "a list, its filters sent with GET",
    "demand-alert": "acknowledging has its own URL",
    "demand-alert-acknowledge": "who may acknowledge is tested in test_alerts.py",
    "payment": "a page",
    "payments-report": "a report",
    "payments-report-csv": "a download",
    "referrals": "a list of links",
    "case": "GET only (405)",
    "case-attachment-download": "GET only (405)",
    "referral-attachment": "a download",
    "message": "posting shows the page",
}


# Rows whose expected, secure outcome the app does not give yet: (row id, method, role) ->
# what it does instead. Each is marked xfail(strict), so the suite stays green until the app
# is fixed and then fails until the entry is removed.
KNOWN_HOLES: dict[tuple[str, str, str], str] = {}


def _params() -> list[Any]:
    params = []
    for row in ROWS:
        for role in ROLES:
            marks = []
            hole = KNOWN_HOLES.get((row.id, row.method, role))
            if hole:
                marks.append(pytest.mark.xfail(strict=True, reason=hole))
            params.append(pytest.param(row, role, id=f"{row.id}-{row.method}-{role}", marks=marks))
    return params


# The world, built once for the module inside a transaction that is rolled back at the end;
# each test runs in a savepoint inside it, so nothing one test does is seen by the next. Each
# user's session is made once too, expecting the form token that every POST sends.
@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any) -> Any:
    media = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("matrix-media"))
    clock = time_machine.travel(MONDAY_MORNING, tick=False)
    media.enable()
    clock.start()
    atomic = transaction.atomic()
    try:
        with django_db_blocker.unblock():
            atomic.__enter__()
            built = build_world()
            for user in built.everyone():
                built.sessions[user.pk] = _session_for(user)
            built.baseline = fingerprint()
        yield built
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
        clock.stop()
        media.disable()


def _session_for(user: Any) -> str:
    client = Client()
    client.force_login(user)
    session = client.session
    session[OPEN_KEY] = [str(FORM_TOKEN)]
    session.save()
    return session.session_key


def fingerprint() -> tuple[Any, ...]:
    """What a refused request must not change (sessions and the audit log aside)."""
    return (
        list(
            Case.objects.order_by("pk").values_list(
                "pk", "status", "assignee_id", "priority", "team_id", "is_open"
            )
        ),
        CaseEvent.objects.count(),
        Attachment.objects.count(),
        list(Referral.objects.order_by("pk").values_list("pk", "status")),
        list(
            Customer.objects.order_by("pk").values_list(
                "pk", "forenames", "surname", "merged_into_id"
            )
        ),
        Representative.objects.count(),
        Contact.objects.count(),
        Message.objects.count(),
        Refund.objects.count(),
        list(
            User.objects.order_by("pk").values_list(
                "pk", "password", "is_active", "session_generation"
            )
        ),
        Membership.objects.count(),
    )


def signed_in_client(world: World, user: Any) -> Client:
    client = Client()
    if user is not None:
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[user.pk]
    return client


def outcome_of(response: HttpResponse) -> str:
    if response.status_code in (301, 302, 303):
        location = response["Location"]
        return SIGN_IN if location.startswith(reverse("console:sign-in")) else OK
    return {200: OK, 403: FORBIDDEN, 404: NOT_FOUND, 405: NOT_ALLOWED}.get(
        response.status_code, str(response.status_code)
    )


def sensitive_views(user: Any) -> int:
    if user is None:
        return 0
    return AuditEvent.objects.filter(actor=user, action=AuditAction.VIEWED_SENSITIVE).count()


def _close(response: Any) -> None:
    """Close a download's file. A response's close() also announces the end of the request,
    which would close the database connection inside the module's open transaction (on
    PostgreSQL that ends the test run), so that announcement is kept from the database."""
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


@pytest.mark.django_db
@pytest.mark.parametrize(("row", "role"), _params())
def test_access(world: World, row: Row, role: str) -> None:
    expected = row.expected[role]
    user = world.user(role, row.kind)
    client = signed_in_client(world, user)
    url = reverse(f"console:{row.name}", args=row.args(world, row.kind))
    views_before = sensitive_views(user) if row.audited else 0

    if row.method == "POST":
        data = {"form_token": str(FORM_TOKEN), **row.data(world, row.kind)}
        response = client.post(url, data)
    else:
        response = client.get(url)
    _close(response)

    got = outcome_of(response)
    if expected == KEPT:
        assert got == OK, f"{role}: {row.method} {url} gave {response.status_code}"
    elif expected == NOTHING:
        assert got in REFUSED, f"{role}: {row.method} {url} gave {response.status_code}"
    else:
        assert got == expected, f"{role}: {row.method} {url} gave {response.status_code}"
    if row.method == "POST":
        changed = fingerprint() != world.baseline
        if expected == OK:
            assert changed, f"{role}: POST {url} was allowed but changed nothing"
        else:
            assert not changed, f"{role}: POST {url} ({got}) changed the database"
    if row.audited:  # every look at a sensitive case's details is audited, and nothing else
        viewed = sensitive_views(user) - views_before
        if got == OK and row.kind != STANDARD and response.status_code == 200:
            assert viewed == 1, f"{role}: GET {url} showed a sensitive case without auditing it"
        else:
            assert viewed == 0


def test_every_console_url_is_in_the_matrix() -> None:
    patterns = console_urls.urlpatterns
    assert all(isinstance(pattern, URLPattern) for pattern in patterns), "no includes expected"
    names = {pattern.name for pattern in patterns}
    rows_by_method = {
        method: {row.name for row in ROWS if row.method == method} for method in ("GET", "POST")
    }
    assert names - rows_by_method["GET"] == set(), "console URLs without GET rows"
    assert names - rows_by_method["POST"] - set(GET_ONLY) == set(), "URLs without POST rows"
    assert (rows_by_method["GET"] | rows_by_method["POST"] | set(GET_ONLY)) - names == set()
    assert set(GET_ONLY) & rows_by_method["POST"] == set()


def test_every_row_names_every_role_once() -> None:
    ids = [(row.id, row.method) for row in ROWS]
    assert len(ids) == len(set(ids))
    for row in ROWS:
        assert set(row.expected) == set(ROLES), row.id
        assert set(row.expected.values()) <= {OK, KEPT, NOTHING, *REFUSED}, row.id
        assert (row.method == "POST") == (row.data is not None), row.id
    # The sensitive case has every row the standard one has; the safeguarding case its pages.
    sensitive = {(row.name, row.method) for row in ROWS if row.kind == SENSITIVE}
    assert sensitive <= {(row.name, row.method) for row in ROWS if row.kind == STANDARD}
    raising = {"raise-case-details", "raise-case-for-customer-details"}
    pages = {
        (name, method) for name, method in sensitive if method == "GET" and name not in raising
    }
    assert {(row.name, row.method) for row in ROWS if row.kind == SAFEGUARDING} == pages


# The single view: a case the user may not see the details of says only which team has it.
@pytest.mark.django_db
@pytest.mark.parametrize("kind", [SENSITIVE, SAFEGUARDING])
@pytest.mark.parametrize("role", [*COUNCIL, SUPERUSER, *PARTNERS])
def test_the_single_view_shows_a_restricted_case_only_as_its_team(
    world: World, role: str, kind: str
) -> None:
    client = signed_in_client(world, world.user(role, kind))
    case = world.cases[kind]
    exists = f"A case exists with {world.case_team(kind).name}"

    response = client.get(reverse("console:customer", args=[world.ada.reference]))

    html = response.content.decode()
    assert response.status_code == 200
    if role in PARTNERS:  # partner staff learn nothing of the council's cases
        assert case.reference not in html
        assert exists not in html
        assert world.cases[STANDARD].reference not in html
    elif role in SEES[kind]:
        assert case.reference in html
        assert exists not in html
    else:
        assert exists in html
        assert case.reference not in html
        assert world.closed_cases[kind].reference not in html
        assert world.services[kind].name not in html
    if role not in SEES[kind]:
        assert DESCRIPTIONS[kind] not in html


# A queue lists the referrals its team received. The council's managers open every team's
# queue, but not the referrals of sensitive cases they may not see (the referral page is a 404
# to them), so the queue must not list those either.


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role",
    [
        OTHER_TEAM_OFFICER,
        MANAGER,
        ADMINISTRATOR,
        SUPERUSER,
    ],
)
def test_a_queue_lists_only_the_referrals_the_user_may_open(world: World, role: str) -> None:
    client = signed_in_client(world, world.user(role))

    response = client.get(reverse("console:queue", args=["parks"]))

    html = response.content.decode()
    assert response.status_code == 200
    assert world.cases[STANDARD].reference in html
    for kind in (SENSITIVE, SAFEGUARDING):
        may_open = role in (OTHER_TEAM_OFFICER, SUPERUSER)  # the receiving team, and the platform
        assert (world.cases[kind].reference in html) == may_open, kind
        assert (world.services[kind].name in html) == may_open, kind
