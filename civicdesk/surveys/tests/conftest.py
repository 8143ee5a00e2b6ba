"""Fixtures for surveys: a service, survey templates, customers and a way to log contacts."""

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from civicdesk.cases.models import CaseStatus
from civicdesk.cases.tests.factories import CaseFactory, CustomerFactory, ServiceFactory
from civicdesk.catalogue.models import Sensitivity
from civicdesk.contacts.models import Contact
from civicdesk.contacts.services import log_contact
from civicdesk.notify.models import MessageChannel, MessageEvent
from civicdesk.notify.tests.factories import MessageTemplateFactory
from civicdesk.organisations.models import Role
from civicdesk.organisations.tests.factories import MembershipFactory
from civicdesk.surveys.models import SurveySettings


@pytest.fixture
def now() -> datetime.datetime:
    return timezone.now()


@pytest.fixture
def service(council):
    return ServiceFactory(organisation=council, name="Bulky waste collection")


@pytest.fixture
def safeguarding(council):
    return ServiceFactory(
        organisation=council, name="Adult safeguarding", sensitivity=Sensitivity.SAFEGUARDING
    )


@pytest.fixture
def survey_templates(council):
    return [
        MessageTemplateFactory(
            organisation=council,
            event=MessageEvent.SURVEY,
            channel=MessageChannel.EMAIL,
            subject="How did we do?",
            body="Hello((name?? ))((name)), tell us about ((service)): ((url)) until ((due))",
        ),
        MessageTemplateFactory(
            organisation=council,
            event=MessageEvent.SURVEY,
            channel=MessageChannel.SMS,
            subject="",
            body="How did we do? ((url))",
        ),
    ]


@pytest.fixture
def every_one(council) -> SurveySettings:
    """Sample everything, so that a test decides who is left out by its exclusions alone."""
    return SurveySettings.objects.create(
        organisation=council, contact_sample_percent=100, case_sample_percent=100
    )


@pytest.fixture
def make_customer(council) -> Callable[..., Any]:
    def make(**fields: Any) -> Any:
        return CustomerFactory(organisation=council, **fields)

    return make


@pytest.fixture
def make_contact(council, service, now) -> Callable[..., Contact]:
    def make(customer: Any, *, ended: datetime.timedelta | None = None, **fields: Any) -> Contact:
        ended_at = now - (ended or datetime.timedelta(hours=1))
        fields.setdefault("service", service)
        fields.setdefault("channel", "phone")
        fields.setdefault("outcome", "resolved")
        return log_contact(
            actor=None,
            organisation=council,
            customer=customer,
            started_at=ended_at - datetime.timedelta(minutes=5),
            ended_at=ended_at,
            **fields,
        )

    return make


@pytest.fixture
def make_case(council, service, now) -> Callable[..., Any]:
    def make(customer: Any, *, resolved: datetime.timedelta | None = None, **fields: Any) -> Any:
        resolved_at = now - (resolved or datetime.timedelta(hours=1))
        fields.setdefault("service", service)
        return CaseFactory(
            customer=customer,
            status=CaseStatus.RESOLVED,
            is_open=False,
            opened_at=resolved_at - datetime.timedelta(days=3),
            resolved_at=resolved_at,
            **fields,
        )

    return make


@pytest.fixture
def manager(contact_centre):
    return MembershipFactory(team=contact_centre, role=Role.MANAGER).user
