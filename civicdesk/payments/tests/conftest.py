"""Fixtures for the payments tests: a council, a fee-paying service, a customer, staff."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from civicdesk.cases.tests.factories import ServiceFactory
from civicdesk.organisations.models import Role
from civicdesk.organisations.tests.factories import MembershipFactory, TeamFactory
from civicdesk.payments import hooks
from civicdesk.payments.models import Payment
from civicdesk.payments.services import start_payment
from civicdesk.people.services import create_customer

SUCCESS_CARD = "4000058260000005"
DECLINED_CARD = "4000000000000002"
ERROR_CARD = "4000000000000119"


@pytest.fixture
def service(council: Any) -> Any:
    return ServiceFactory(organisation=council, name="Blue Badge", slug="blue-badge")


@pytest.fixture
def customer(council: Any) -> Any:
    return create_customer(
        actor=None, organisation=council, forenames="Ada", surname="Lovelace",
        email="ada@example.org",
    )  # fmt: skip


@pytest.fixture
def team(council: Any) -> Any:
    return TeamFactory(organisation=council, name="Parking", slug="parking")


@pytest.fixture
def staff(team: Any) -> Callable[[str], Any]:
    def make(role: str) -> Any:
        return MembershipFactory(team=team, role=role).user

    return make


@pytest.fixture
def team_leader(staff: Callable[[str], Any]) -> Any:
    return staff(Role.TEAM_LEADER)


@pytest.fixture
def manager(staff: Callable[[str], Any]) -> Any:
    return staff(Role.MANAGER)


@pytest.fixture
def finished_calls() -> Iterator[list[tuple[str, str]]]:
    """Every call of the "test" purpose's handler: (reference, status)."""
    calls: list[tuple[str, str]] = []

    def handler(payment: Payment) -> None:
        calls.append((payment.reference, payment.status))

    hooks.register("test", handler)
    yield calls
    hooks.unregister("test", handler)


@pytest.fixture
def start(council: Any, service: Any, customer: Any) -> Callable[..., Payment]:
    def make(*, amount_pence: int = 1000, base: str = "http://testserver", **extra: Any) -> Payment:
        arguments: dict[str, Any] = {
            "actor": None,
            "organisation": council,
            "amount_pence": amount_pence,
            "description": "Blue Badge application fee",
            "return_url_for": lambda secret: f"{base}/payments/return/{secret}/",
            "customer": customer,
            "service": service,
            "purpose": "test",
            "purpose_reference": "42",
            "email": "ada@example.org",
            **extra,
        }
        return start_payment(**arguments)

    return make


def card(number: str = SUCCESS_CARD, **extra: str) -> dict[str, str]:
    return {
        "card_number": number,
        "expiry": "12/39",
        "name": "Ada Lovelace",
        "security_code": "123",
        **extra,
    }
