"""Factories for templates and messages; customers come from `people.services.create_customer`."""

import factory

from civicdesk.notify.models import (
    DeliveryStatus,
    Message,
    MessageChannel,
    MessageEvent,
    MessageTemplate,
)
from civicdesk.organisations.tests.factories import OrganisationFactory


class MessageTemplateFactory(factory.django.DjangoModelFactory):
    """An email acknowledgement for every service, unless told otherwise; one per kind, as the
    unique constraint allows."""

    class Meta:
        model = MessageTemplate
        django_get_or_create = ("organisation", "service", "event", "channel", "easy_read")

    organisation = factory.SubFactory(OrganisationFactory)
    service = None
    event = MessageEvent.ACKNOWLEDGEMENT
    channel = MessageChannel.EMAIL
    easy_read = False
    subject = factory.LazyAttribute(
        lambda template: "" if template.channel == MessageChannel.SMS else "Received ((reference))"
    )
    body = "Hello((name?? ))((name)), we have your request ((reference)) about ((service))."


class MessageFactory(factory.django.DjangoModelFactory):
    """An email to a customer, created and not yet sent."""

    class Meta:
        model = Message

    organisation = factory.SubFactory(OrganisationFactory)
    customer = None
    event = MessageEvent.ACKNOWLEDGEMENT
    template = factory.SubFactory(
        MessageTemplateFactory, organisation=factory.SelfAttribute("..organisation")
    )
    channel = MessageChannel.EMAIL
    recipient = "ada@example.org"
    about_reference = "CAS-000001"
    personalisation = factory.LazyFunction(
        lambda: {"name": "Ada", "reference": "CAS-000001", "service": "Bins"}
    )
    subject = "Received CAS-000001"
    body = "Hello Ada, we have your request CAS-000001 about Bins."
    status = DeliveryStatus.CREATED
