"""Fixtures for messages: a council with the default templates, customers and a service."""

from collections.abc import Callable
from typing import Any

import pytest

from civicdesk.catalogue.models import Service
from civicdesk.catalogue.services import create_service
from civicdesk.notify.demo import install_demo_templates
from civicdesk.notify.models import MessageTemplate
from civicdesk.people.models import Customer
from civicdesk.people.services import create_customer
from civicdesk.places.tests.factories import AddressFactory

CALLBACK_TOKEN = "callback-token-for-tests"


@pytest.fixture(autouse=True)
def _notify_settings(settings: Any) -> None:
    """The simulator, and a callback token, whatever the environment says."""
    settings.CIVICDESK_NOTIFY_BACKEND = "simulator"
    settings.CIVICDESK_NOTIFY_API_KEY = ""
    settings.CIVICDESK_NOTIFY_BASE_URL = "https://api.notifications.service.gov.uk"
    settings.CIVICDESK_NOTIFY_CALLBACK_TOKEN = CALLBACK_TOKEN


@pytest.fixture
def templates(council: Any) -> list[MessageTemplate]:
    return install_demo_templates(actor=None, organisation=council)


@pytest.fixture
def service(council: Any) -> Service:
    return create_service(actor=None, organisation=council, name="Fly-tipping")


@pytest.fixture
def address(council: Any) -> Any:
    return AddressFactory(
        organisation=council, sao_text="Flat 2", pao_start_number=14, postcode="KM1 2AB"
    )


@pytest.fixture
def make_customer(council: Any) -> Callable[..., Customer]:
    def make(forenames: str = "Ada", surname: str = "Lovelace", **fields: Any) -> Customer:
        return create_customer(
            actor=None, organisation=council, forenames=forenames, surname=surname, **fields
        )

    return make


@pytest.fixture
def personalisation() -> dict[str, str]:
    """What the cases app passes for a customer's message."""
    return {
        "name": "Ada Lovelace",
        "reference": "CAS-000042",
        "service": "Fly-tipping",
        "location": "Acacia Avenue",
        "status": "In progress",
        "update": "",
        "due": "14 December 2026",
        "url": "",
    }
