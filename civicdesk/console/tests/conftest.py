"""Fixtures for the agent's desktop: people and services."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from civicdesk.catalogue.models import Service
from civicdesk.catalogue.services import create_service
from civicdesk.organisations.models import Role
from civicdesk.organisations.tests.factories import MembershipFactory, TeamFactory
from civicdesk.people.models import Customer
from civicdesk.people.services import create_customer


@pytest.fixture
def agent_client(client: Client, agent: Any) -> Client:
    client.force_login(agent)
    return client


@pytest.fixture
def make_customer(council: Any) -> Callable[..., Customer]:
    def make(forenames: str = "John", surname: str = "Smith", **fields: Any) -> Customer:
        return create_customer(
            actor=None, organisation=council, forenames=forenames, surname=surname, **fields
        )

    return make


@pytest.fixture
def make_service(council: Any) -> Callable[..., Service]:
    def make(name: str, **fields: Any) -> Service:
        return create_service(actor=None, organisation=council, name=name, **fields)

    return make


@pytest.fixture
def housing_team(council: Any) -> Any:
    return TeamFactory(organisation=council, name="Housing options", slug="housing-options")


@pytest.fixture
def housing_officer(housing_team: Any) -> Any:
    """A member of the team entitled to see homelessness contacts."""
    return MembershipFactory(team=housing_team, role=Role.OFFICER).user
