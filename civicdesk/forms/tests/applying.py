"""Fixtures for the application tests (test_applications, test_decisions, test_letters).

A small Blue Badge form: about you (name, whether they get PIP), PIP points (only with PIP),
a photo, and the council's email address for the form; £10, lasting three years, with rules
that find 8 or more PIP points eligible and send anything else to further assessment.
"""

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from civicdesk.cases.tests.factories import ServiceFactory
from civicdesk.cases.tests.images import png
from civicdesk.forms import applications, services
from civicdesk.forms.models import Application, EligibilityRules, Form, QuestionKind
from civicdesk.notify.demo import install_demo_templates
from civicdesk.organisations.models import Role
from civicdesk.organisations.tests.factories import MembershipFactory, TeamFactory, UserFactory
from civicdesk.people.models import PortalAccount
from civicdesk.people.services import create_customer

__all__ = [
    "_media",
    "badge_service",
    "colleague",
    "customer",
    "form",
    "officer",
    "paid_form",
    "resident",
    "sent",
    "started",
    "team",
    "templates",
]

PNG = png(600, 800)
RULES = {
    "rules": [
        {
            "id": "pip_points",
            "outcome": "eligible",
            "when": "pip_points >= 8",
            "reason": "You get 8 points or more for moving around in PIP.",
        }
    ],
    "default": {
        "outcome": "further_assessment",
        "reason": "None of the automatic criteria is met: a person needs to look.",
    },
}


def photo(name: str = "face.png", content: bytes = PNG) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, "image/png")


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def team(council: Any) -> Any:
    return TeamFactory(organisation=council, name="Parking services", slug="parking-services")


@pytest.fixture
def badge_service(council: Any, team: Any) -> Any:
    return ServiceFactory(
        organisation=council, owning_team=team, name="Blue Badges", slug="blue-badges"
    )


@pytest.fixture
def officer(team: Any) -> Any:
    return MembershipFactory(team=team, role=Role.OFFICER).user


@pytest.fixture
def colleague(council: Any) -> Any:
    """An officer of another team of the same council."""
    other = TeamFactory(organisation=council, name="Waste", slug="waste")
    return MembershipFactory(team=other, role=Role.OFFICER).user


@pytest.fixture
def templates(council: Any) -> None:
    install_demo_templates(actor=None, organisation=council)


@pytest.fixture
def customer(council: Any) -> Any:
    return create_customer(
        actor=None,
        organisation=council,
        forenames="Ada",
        surname="Lovelace",
        email="ada@example.org",
        preferred_channel="email",
    )


@pytest.fixture
def resident(council: Any, customer: Any) -> Any:
    user = UserFactory(username="ada@example.org", email="ada@example.org")
    PortalAccount.objects.create(organisation=council, user=user, customer=customer)
    return user


def build_form(council: Any, service: Any, *, fee_pence: int = 0) -> Form:
    admin = UserFactory(is_superuser=True, is_staff=True)
    if not EligibilityRules.objects.filter(organisation=council, code="badge").exists():
        rules = services.save_rules(
            actor=admin, organisation=council, code="badge", title="Badge", definition=RULES
        )
        services.publish_rules(actor=admin, rules=rules)
    form = services.create_form(
        actor=admin,
        organisation=council,
        service=service,
        title="Apply for a Blue Badge",
        slug=f"badge-{fee_pence}",
        fee_pence=fee_pence,
        grant_valid_for_days=1095,
        eligibility_code="badge",
    )
    draft = form.versions.get(number=1)
    about = services.add_page(actor=admin, version=draft, title="About you")
    services.add_question(
        actor=admin, page=about, code="full_name", kind=QuestionKind.TEXT, label="Full name"
    )
    services.add_question(
        actor=admin, page=about, code="gets_pip", kind=QuestionKind.YES_NO, label="PIP?"
    )
    pip = services.add_page(
        actor=admin, version=draft, title="Your PIP points", show_if="gets_pip == True"
    )
    services.add_question(
        actor=admin,
        page=pip,
        code="pip_points",
        kind=QuestionKind.NUMBER,
        label="PIP points",
        minimum=0,
        maximum=12,
    )
    evidence = services.add_page(actor=admin, version=draft, title="Your photo")
    services.add_question(
        actor=admin, page=evidence, code="photo", kind=QuestionKind.FILE, label="Photo"
    )
    services.publish_version(actor=admin, version=draft)
    return form


@pytest.fixture
def form(council: Any, badge_service: Any) -> Form:
    return build_form(council, badge_service)


@pytest.fixture
def paid_form(council: Any, badge_service: Any) -> Form:
    return build_form(council, badge_service, fee_pence=1000)


def pages(application: Application) -> list[Any]:
    return list(application.form_version.pages.order_by("number"))


def fill_in(application: Application, *, actor: Any, points: int = 10) -> Application:
    about, pip, evidence = pages(application)
    applications.save_answers(
        actor=actor,
        application=application,
        page=about,
        answers={"full_name": "Ada Lovelace", "gets_pip": True},
    )
    applications.save_answers(
        actor=actor, application=application, page=pip, answers={"pip_points": points}
    )
    return applications.save_answers(
        actor=actor,
        application=application,
        page=evidence,
        answers={},
        files={"photo": [photo()]},
    )


@pytest.fixture
def started(form: Form, customer: Any, resident: Any, templates: None) -> Application:
    return applications.start_application(
        actor=resident, form=form, customer=customer, channel="web"
    )


@pytest.fixture
def sent(started: Application, resident: Any) -> Application:
    fill_in(started, actor=resident)
    return applications.submit_application(actor=resident, application=started)
