"""Portal sign-ins for trying the demo as a resident and as a carer acting for someone.

Made through the same services as a real sign-up (create the account, confirm the address),
so the demo shows what a resident would see: a request to track with an update from the
council, and a neighbour the carer may act for.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction

from civicdesk.cases.intake import submit_request
from civicdesk.cases.models import Case
from civicdesk.cases.services import add_note
from civicdesk.core.demo.loader import DEMO_PASSWORD, DemoCouncil
from civicdesk.organisations.models import Membership, User
from civicdesk.people.accounts import create_account, verification_token, verify_email
from civicdesk.people.models import Customer, PortalAccount, Representative
from civicdesk.people.services import add_representative

PORTAL_URL = "http://127.0.0.1:8000/"
RESIDENT_EMAIL = "resident@example.org"
CARER_EMAIL = "carer@example.org"


@dataclass(frozen=True)
class DemoResidents:
    resident_email: str
    carer_email: str
    reference: str  # the resident's request, to track by reference and email


def _account(council: DemoCouncil, forenames: str, surname: str, email: str) -> PortalAccount:
    found = PortalAccount.objects.filter(user__username=email).select_related("user").first()
    if found is not None:
        return found
    account = create_account(
        organisation=council.organisation,
        forenames=forenames,
        surname=surname,
        email=email,
        password=DEMO_PASSWORD,
        verify_link_for=lambda token: f"{PORTAL_URL}account/verify/{token}/",
        reset_link=f"{PORTAL_URL}account/password-reset/",
    )
    assert account is not None  # checked above that the address has no account
    verify_email(token=verification_token(account))
    return account


@transaction.atomic
def add_demo_residents(*, council: DemoCouncil) -> DemoResidents:
    """The two sign-ins, unless they are there: a resident who reported graffiti that the
    council has booked for removal, and a carer whom staff recorded as acting for a customer."""
    resident = _account(council, "Rosa", "Fielding", RESIDENT_EMAIL)
    case = Case.objects.filter(customer=resident.customer).order_by("pk").first()
    if case is None:
        graffiti = council.services["graffiti"]
        case = submit_request(
            actor=resident.user,
            organisation=council.organisation,
            service=graffiti,
            channel="web",
            description="Tags sprayed across the bus shelter by the library, both panels.",
            answers={"surface": "bus_shelter", "offensive": "no"},
            customer=resident.customer,
            location_description="Bus shelter outside the library on the high street",
        )
        officer = User.objects.filter(
            pk__in=Membership.objects.filter(team=case.team).values("user")
        ).first()
        add_note(
            actor=officer,
            case=case,
            text="Thank you. Our cleansing crew is booked to remove it this week.",
            public=True,
        )
    cared_for = (
        Customer.objects.filter(organisation=council.organisation, address__isnull=False)
        .order_by("pk")
        .first()
    )
    if not Representative.objects.filter(email=CARER_EMAIL).exists() and cared_for:
        # Recorded by staff before the carer signs up: confirming the address links them.
        add_representative(
            actor=None,
            customer=cared_for,
            name="Tom Okafor",
            relationship=Representative.Relationship.CARER,
            consent_given_on=datetime.date.today() - datetime.timedelta(days=30),
            email=CARER_EMAIL,
        )
    _account(council, "Tom", "Okafor", CARER_EMAIL)
    return DemoResidents(RESIDENT_EMAIL, CARER_EMAIL, case.reference)
