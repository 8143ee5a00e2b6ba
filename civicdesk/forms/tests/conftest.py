"""Fixtures for the forms app: a service, an administrator and a small conditional form."""

import datetime

import pytest

from civicdesk.catalogue.services import create_service
from civicdesk.forms import services
from civicdesk.forms.models import QuestionKind
from civicdesk.organisations.tests.factories import UserFactory

TODAY = datetime.date(2026, 11, 23)


@pytest.fixture
def administrator(db):
    return UserFactory(username="formadmin", is_staff=True, is_superuser=True)


@pytest.fixture
def service(council, administrator):
    return create_service(actor=administrator, organisation=council, name="Blue Badge")


@pytest.fixture
def form(council, service, administrator):
    return services.create_form(
        actor=administrator, organisation=council, service=service, title="Apply for a badge"
    )


@pytest.fixture
def draft(form):
    return form.versions.get(number=1)


@pytest.fixture
def conditional(administrator, draft):
    """Three pages: about you; PIP points only if they get PIP; contact details."""
    about = services.add_page(actor=administrator, version=draft, title="About you")
    services.add_question(
        actor=administrator, page=about, code="full_name", kind=QuestionKind.TEXT, label="Full name"
    )
    services.add_question(
        actor=administrator,
        page=about,
        code="gets_pip",
        kind=QuestionKind.YES_NO,
        label="Do you get PIP?",
    )
    pip = services.add_page(
        actor=administrator, version=draft, title="PIP", show_if="gets_pip == True"
    )
    services.add_question(
        actor=administrator,
        page=pip,
        code="pip_points",
        kind=QuestionKind.NUMBER,
        label="PIP points",
        minimum=0,
        maximum=12,
    )
    contact = services.add_page(actor=administrator, version=draft, title="Contact")
    services.add_question(
        actor=administrator,
        page=contact,
        code="email",
        kind=QuestionKind.EMAIL,
        label="Email address",
        required=False,
    )
    return draft
