"""Fixtures shared by every app's tests."""

import pytest

from civicdesk.organisations.models import Role
from civicdesk.organisations.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    TeamFactory,
)


@pytest.fixture
def council(db):
    return OrganisationFactory()


@pytest.fixture
def contact_centre(council):
    return TeamFactory(
        organisation=council, name="Contact centre", slug="contact-centre", is_contact_centre=True
    )


@pytest.fixture
def agent(contact_centre):
    return MembershipFactory(team=contact_centre, role=Role.AGENT).user
