"""A small borough for the cases tests: a streets team, a fly-tipping service, a customer at an
address in a ward, a partner agency, and a second council next door.

Time is frozen (time-machine, not ticking) wherever a test asks for `clock`; every moment is
written as London wall-clock time with `london(...)`.
"""

from collections.abc import Callable
from typing import Any

import pytest

from civicdesk.cases import services
from civicdesk.cases.models import Case
from civicdesk.catalogue.models import Sensitivity
from civicdesk.notify.models import MessageChannel, MessageEvent
from civicdesk.notify.services import create_template
from civicdesk.organisations.models import Organisation, Role, Team
from civicdesk.organisations.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    TeamFactory,
    UserFactory,
)
from civicdesk.places.tests.factories import AddressFactory, WardFactory

from .factories import CustomerFactory, PartnerFactory, ServiceFactory
from .support import Clock


@pytest.fixture
def clock(time_machine: Any) -> Clock:
    """Starts on Monday 2 March 2026 at 10:00, an ordinary working morning."""
    frozen = Clock(time_machine)
    frozen(2026, 3, 2, 10)
    return frozen


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def streets_team(council: Organisation) -> Team:
    return TeamFactory(organisation=council, name="Street cleansing", slug="street-cleansing")


@pytest.fixture
def team_leader(streets_team: Team) -> Any:
    return MembershipFactory(team=streets_team, role=Role.TEAM_LEADER).user


@pytest.fixture
def officer(streets_team: Team) -> Any:
    return MembershipFactory(team=streets_team, role=Role.OFFICER).user


@pytest.fixture
def service(council: Organisation, streets_team: Team) -> Any:
    """Fly-tipping: first response in 4 working hours, resolved in 5 working days."""
    return ServiceFactory(
        organisation=council, owning_team=streets_team, name="Fly-tipping", slug="fly-tipping"
    )


@pytest.fixture
def ward(council: Organisation) -> Any:
    return WardFactory(organisation=council, name="Riverside")


@pytest.fixture
def address(council: Organisation, ward: Any) -> Any:
    return AddressFactory(
        organisation=council, ward=ward, latitude="51.500000", longitude="-0.100000"
    )


@pytest.fixture
def customer(council: Organisation) -> Any:
    return CustomerFactory(organisation=council, forenames="Ada", surname="Okafor")


@pytest.fixture
def partner(council: Organisation) -> Organisation:
    return PartnerFactory(parent=council, name="Kingsmere Homes", slug="kingsmere-homes")


@pytest.fixture
def partner_team(partner: Organisation) -> Team:
    return TeamFactory(
        organisation=partner,
        name="Tenancy support",
        slug="tenancy-support",
        referral_acknowledge_hours=4,
        referral_complete_days=3,
    )


@pytest.fixture
def partner_officer(partner_team: Team) -> Any:
    return MembershipFactory(team=partner_team, role=Role.OFFICER).user


@pytest.fixture
def other_council(db: Any) -> Organisation:
    return OrganisationFactory(name="Eastwick District Council", slug="eastwick")


@pytest.fixture
def superuser(db: Any) -> Any:
    return UserFactory(is_superuser=True, is_staff=True)


@pytest.fixture
def sensitive_service(council: Organisation) -> Any:
    """Homelessness: owned by housing options, with the safeguarding hub entitled too."""
    housing = TeamFactory(organisation=council, name="Housing options", slug="housing-options")
    hub = TeamFactory(organisation=council, name="Safeguarding hub", slug="safeguarding-hub")
    service = ServiceFactory(
        organisation=council,
        owning_team=housing,
        name="Homelessness",
        slug="homelessness",
        sensitivity=Sensitivity.SENSITIVE,
    )
    service.entitled_teams.add(hub)
    return service


@pytest.fixture
def raise_(council: Organisation, service: Any) -> Callable[..., Case]:
    """Raise a case as the system, fly-tipping by phone unless the test says otherwise."""

    def raise_case(**fields: Any) -> Case:
        fields.setdefault("actor", None)
        fields.setdefault("organisation", council)
        fields.setdefault("service", service)
        fields.setdefault("description", "Black bags dumped by the bins")
        fields.setdefault("channel", "phone")
        return services.raise_case(**fields)

    return raise_case


@pytest.fixture
def message_templates(council: Organisation) -> None:
    """Email wording for every event, so customers with an email address and staff get one."""
    for event in (MessageEvent.ACKNOWLEDGEMENT, MessageEvent.UPDATE, MessageEvent.CLOSURE):
        create_template(
            actor=None,
            organisation=council,
            event=event,
            channel=MessageChannel.EMAIL,
            subject="Your request ((reference))",
            body="Dear ((name)), your ((service)) request is ((status)). ((update))",
        )
    for event in (MessageEvent.SLA_WARNING, MessageEvent.REFERRAL):
        create_template(
            actor=None,
            organisation=council,
            event=event,
            channel=MessageChannel.EMAIL,
            subject="Cases for ((team))",
            body="((name)), these need attention: ((reference))",
        )
