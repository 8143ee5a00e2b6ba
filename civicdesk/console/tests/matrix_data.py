"""The borough the access matrix runs against (test_access_matrix.py), built once per module.

Kingsmere Borough Council has a contact centre, three back-office teams each working one kind
of case, a team entitled to the sensitive service, a team with nothing to do with any of the
cases, and a management team. Kingsmere Homes is a partner agency of the council with two
teams, one of which has been sent a referral of every case. Eastwick District Council next door
has its own manager. Ada Okafor has three open cases (standard, sensitive and safeguarding) and
three closed ones; each open one has an attachment, a referral to the partner sharing that
attachment, a referral to the parks team, and the acknowledgement she was sent. Kingsmere Homes
represents her. Ben Okafor is a duplicate record of her that nobody represents.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile

from civicdesk.cases.models import Attachment, Case, Referral
from civicdesk.cases.referrals import refer_case
from civicdesk.cases.services import add_attachment, close_case, raise_case
from civicdesk.cases.tests import images
from civicdesk.catalogue.models import Sensitivity, Service
from civicdesk.catalogue.services import create_service
from civicdesk.notify.models import Message, MessageChannel, MessageEvent
from civicdesk.notify.services import create_template
from civicdesk.organisations.models import Organisation, Role, Team
from civicdesk.organisations.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    TeamFactory,
    UserFactory,
)
from civicdesk.people.models import Customer, PortalAccount, Representative
from civicdesk.people.services import add_representative, create_customer

LONDON = ZoneInfo("Europe/London")
MONDAY_MORNING = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=LONDON)
PNG = images.png(640, 480)  # a photo's header, as small as a PNG can be

# The kinds of case each case row runs against.
STANDARD = "standard"
SENSITIVE = "sensitive"
SAFEGUARDING = "safeguarding"
KINDS = (STANDARD, SENSITIVE, SAFEGUARDING)

# Who asks. "officer" and "team_leader" are of the team working the case of the row's kind;
# everyone else is the same person whatever the kind.
ANONYMOUS = "anonymous"
AGENT = "agent"  # contact centre
OFFICER = "officer"  # back office, the case's team
OTHER_TEAM_OFFICER = "other_team_officer"  # back office, a team with nothing to do with it
ENTITLED_OFFICER = "entitled_officer"  # the team entitled to the sensitive service (only)
TEAM_LEADER = "team_leader"  # the case's team
MANAGER = "manager"  # of the council, in a team not entitled to any sensitive service
ADMINISTRATOR = "administrator"  # likewise
SUPERUSER = "superuser"  # the platform's, a member of no organisation
PARTNER_REFERRAL = "partner_referral"  # partner agency team sent every case's referral
PARTNER_NO_REFERRAL = "partner_no_referral"  # the same partner agency, another team
OTHER_COUNCIL = "other_council"  # a manager at the council next door
RESIDENT = "resident"  # Ada's own portal account, email confirmed: no staff membership
ROLES = (
    ANONYMOUS,
    AGENT,
    OFFICER,
    OTHER_TEAM_OFFICER,
    ENTITLED_OFFICER,
    TEAM_LEADER,
    MANAGER,
    ADMINISTRATOR,
    SUPERUSER,
    PARTNER_REFERRAL,
    PARTNER_NO_REFERRAL,
    OTHER_COUNCIL,
    RESIDENT,
)
CASE_TEAM_ROLES = (OFFICER, TEAM_LEADER)


@dataclass
class World:
    council: Organisation
    partner: Organisation
    other_council: Organisation
    teams: dict[str, Team]  # by slug
    staff: dict[str, Any]  # role -> user, for the roles that do not depend on the kind
    case_team_staff: dict[str, dict[str, Any]]  # kind -> role -> user
    services: dict[str, Service]  # by kind
    ada: Customer  # has the cases; represented by the partner agency
    ben: Customer  # a duplicate of Ada; represented by nobody
    cases: dict[str, Case] = field(default_factory=dict)
    closed_cases: dict[str, Case] = field(default_factory=dict)
    attachments: dict[str, Attachment] = field(default_factory=dict)
    referrals: dict[str, Referral] = field(default_factory=dict)  # to the partner's team
    parks_referrals: dict[str, Referral] = field(default_factory=dict)  # to a council team
    messages: dict[str, Message] = field(default_factory=dict)
    # Filled in by the test module: a signed-in session for each user, and what the database
    # holds before any test runs.
    sessions: dict[int, str] = field(default_factory=dict)
    baseline: Any = None

    def user(self, role: str, kind: str = STANDARD) -> Any:
        if role == ANONYMOUS:
            return None
        if role in CASE_TEAM_ROLES:
            return self.case_team_staff[kind][role]
        return self.staff[role]

    def everyone(self) -> list[Any]:
        return [
            *self.staff.values(),
            *(user for by_role in self.case_team_staff.values() for user in by_role.values()),
        ]

    def case_team(self, kind: str) -> Team:
        return self.services[kind].owning_team


def _member(team: Team, role: str, first_name: str, last_name: str) -> Any:
    user = UserFactory(first_name=first_name, last_name=last_name)
    return MembershipFactory(team=team, role=role, user=user).user


def _team(organisation: Organisation, name: str, slug: str, **fields: Any) -> Team:
    return TeamFactory(organisation=organisation, name=name, slug=slug, **fields)


def build_world() -> World:
    council = OrganisationFactory()
    partner = OrganisationFactory(
        name="Kingsmere Homes",
        slug="kingsmere-homes",
        kind=Organisation.Kind.PARTNER,
        parent=council,
    )
    other_council = OrganisationFactory(name="Eastwick District Council", slug="eastwick")
    teams = {
        team.slug: team
        for team in (
            _team(council, "Contact centre", "contact-centre", is_contact_centre=True),
            _team(council, "Street cleansing", "street-cleansing"),
            _team(council, "Community safety", "community-safety"),
            _team(council, "Safeguarding hub", "safeguarding-hub"),
            _team(council, "Housing options", "housing-options"),
            _team(council, "Parks", "parks"),
            _team(council, "Corporate services", "corporate-services"),
            _team(partner, "Tenancy support", "tenancy-support"),
            _team(partner, "Floating support", "floating-support"),
            _team(other_council, "Street scene", "street-scene"),
        )
    }
    staff = {
        AGENT: _member(teams["contact-centre"], Role.AGENT, "Ali", "Agent"),
        OTHER_TEAM_OFFICER: _member(teams["parks"], Role.OFFICER, "Pat", "Parks"),
        ENTITLED_OFFICER: _member(teams["housing-options"], Role.OFFICER, "Hana", "Housing"),
        MANAGER: _member(teams["corporate-services"], Role.MANAGER, "Mo", "Manager"),
        ADMINISTRATOR: _member(teams["corporate-services"], Role.ADMINISTRATOR, "Adi", "Admin"),
        SUPERUSER: UserFactory(
            first_name="Sue", last_name="Super", is_superuser=True, is_staff=True
        ),
        PARTNER_REFERRAL: _member(teams["tenancy-support"], Role.OFFICER, "Tess", "Tenancy"),
        PARTNER_NO_REFERRAL: _member(teams["floating-support"], Role.OFFICER, "Flo", "Floating"),
        OTHER_COUNCIL: _member(teams["street-scene"], Role.MANAGER, "Eve", "Eastwick"),
    }
    case_teams = {
        STANDARD: teams["street-cleansing"],
        SENSITIVE: teams["community-safety"],
        SAFEGUARDING: teams["safeguarding-hub"],
    }
    case_team_staff = {
        kind: {
            OFFICER: _member(team, Role.OFFICER, "Olu", f"Officer {kind}"),
            TEAM_LEADER: _member(team, Role.TEAM_LEADER, "Lena", f"Leader {kind}"),
        }
        for kind, team in case_teams.items()
    }
    services = {
        STANDARD: create_service(
            actor=None,
            organisation=council,
            name="Fly-tipping",
            owning_team=case_teams[STANDARD],
            sla_value=5,
        ),
        SENSITIVE: create_service(
            actor=None,
            organisation=council,
            name="Anti-social behaviour",
            owning_team=case_teams[SENSITIVE],
            sensitivity=Sensitivity.SENSITIVE,
            sla_value=5,
        ),
        SAFEGUARDING: create_service(
            actor=None,
            organisation=council,
            name="Adult safeguarding concern",
            owning_team=case_teams[SAFEGUARDING],
            sensitivity=Sensitivity.SAFEGUARDING,
            sla_value=1,
        ),
    }
    services[SENSITIVE].entitled_teams.add(teams["housing-options"])
    create_template(
        actor=None,
        organisation=council,
        event=MessageEvent.ACKNOWLEDGEMENT,
        channel=MessageChannel.EMAIL,
        subject="Your request ((reference))",
        body="Dear ((name)), your ((service)) request is ((status)). ((update))",
    )
    ada = create_customer(
        actor=None, organisation=council, forenames="Ada", surname="Okafor", email="ada@example.org"
    )
    ben = create_customer(actor=None, organisation=council, forenames="Ben", surname="Okafor")
    add_representative(
        actor=None,
        customer=ada,
        name="Kingsmere Homes tenancy support",
        relationship=Representative.Relationship.ADVICE_AGENCY,
        consent_given_on=MONDAY_MORNING.date(),
        partner_organisation=partner,
    )
    world = World(
        council=council,
        partner=partner,
        other_council=other_council,
        teams=teams,
        staff=staff,
        case_team_staff=case_team_staff,
        services=services,
        ada=ada,
        ben=ben,
    )
    for kind in KINDS:
        _add_cases(world, kind)
    world.staff[RESIDENT] = _resident(council, ada)
    return world


def _resident(council: Organisation, customer: Customer) -> Any:
    """Ada's portal account, as created on the portal, with the password the others have."""
    user = UserFactory(
        username="ada@example.org", email="ada@example.org", first_name="Ada", last_name="Okafor"
    )
    PortalAccount.objects.create(
        organisation=council, user=user, customer=customer, email_verified_at=MONDAY_MORNING
    )
    return user


DESCRIPTIONS = {
    STANDARD: "Mattress and black bags dumped behind the garages",
    SENSITIVE: "Neighbour at number 14 shouting threats through the letterbox every night",
    SAFEGUARDING: "Care worker worried that Ada is being financially exploited by a lodger",
}


def _add_cases(world: World, kind: str) -> None:
    leader = world.user(TEAM_LEADER, kind)
    service = world.services[kind]

    def raise_one(description: str) -> Case:
        return raise_case(
            actor=world.staff[AGENT],
            organisation=world.council,
            service=service,
            customer=world.ada,
            description=description,
            channel="phone",
            location_description="Garages behind Acacia Avenue",
        )

    case = raise_one(DESCRIPTIONS[kind])
    attachment = add_attachment(
        actor=leader, case=case, upload=SimpleUploadedFile("photo.png", PNG, "image/png")
    )
    world.cases[kind] = case
    world.attachments[kind] = attachment
    world.referrals[kind] = refer_case(
        actor=leader,
        case=case,
        to_team=world.teams["tenancy-support"],
        scope="Please visit the tenant and report back",
        attachments=[attachment],
    )
    world.parks_referrals[kind] = refer_case(
        actor=leader,
        case=case,
        to_team=world.teams["parks"],
        scope="Please check the park's cameras",
    )
    closed = raise_one(f"Earlier: {DESCRIPTIONS[kind]}")
    world.closed_cases[kind] = close_case(
        actor=leader, case=closed, resolution_code="done", message="All sorted"
    )
    world.messages[kind] = Message.objects.get(
        about_reference=case.reference, event=MessageEvent.ACKNOWLEDGEMENT
    )
    for record in (case, world.closed_cases[kind]):
        record.refresh_from_db()
