"""Factories for cases and the catalogue entries they hang on.

Cases made here skip `raise_case` (no routing, no clocks, no messages): use them where a test
needs a case in an exact state, e.g. for the escalation sweep. Tests of behaviour raise cases
through the service instead.
"""

import factory
from django.utils import timezone

from civicdesk.cases.models import Case, CaseStatus
from civicdesk.cases.services import CASE_PREFIX
from civicdesk.catalogue.models import Priority, RoutingRule, Service, SlaTarget, SlaUnit
from civicdesk.core.references import make_reference
from civicdesk.organisations.models import Organisation
from civicdesk.organisations.tests.factories import OrganisationFactory, TeamFactory
from civicdesk.people.models import Customer
from civicdesk.people.services import create_customer


class PartnerFactory(OrganisationFactory):
    """A partner agency working for a council, e.g. a housing association."""

    name = factory.Sequence(lambda n: f"Partner agency {n}")
    slug = factory.Sequence(lambda n: f"partner-{n}")
    kind = Organisation.Kind.PARTNER
    parent = factory.SubFactory(OrganisationFactory)


class ServiceFactory(factory.django.DjangoModelFactory):
    """A service promising a first response in 4 working hours and resolution in 5 working days."""

    class Meta:
        model = Service

    organisation = factory.SubFactory(OrganisationFactory)
    owning_team = factory.SubFactory(
        TeamFactory, organisation=factory.SelfAttribute("..organisation")
    )
    name = factory.Sequence(lambda n: f"Service {n}")
    slug = factory.Sequence(lambda n: f"service-{n}")
    sla_value = 5
    sla_unit = SlaUnit.WORKING_DAYS
    first_response_value = 4
    first_response_unit = SlaUnit.WORKING_HOURS
    channels = factory.LazyFunction(lambda: ["phone", "web", "email", "face_to_face"])


class SlaTargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SlaTarget

    service = factory.SubFactory(ServiceFactory)
    priority = Priority.URGENT


class RoutingRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoutingRule

    service = factory.SubFactory(ServiceFactory)
    ward = None
    team = factory.SubFactory(
        TeamFactory, organisation=factory.SelfAttribute("..service.organisation")
    )


class CustomerFactory(factory.Factory):
    """A customer registered through `people.services`, so the search keys are right."""

    class Meta:
        model = Customer

    organisation = factory.SubFactory(OrganisationFactory)
    forenames = "Ada"
    surname = factory.Sequence(lambda n: f"Lovelace{n}")
    email = factory.Sequence(lambda n: f"customer{n}@example.com")

    @classmethod
    def _create(cls, model_class, *args, organisation, **fields):
        return create_customer(actor=None, organisation=organisation, **fields)


class CaseFactory(factory.django.DjangoModelFactory):
    """A case in the state the test says, written straight to the table."""

    class Meta:
        model = Case
        skip_postgeneration_save = True

    service = factory.SubFactory(ServiceFactory)
    organisation = factory.SelfAttribute("service.organisation")
    team = factory.SelfAttribute("service.owning_team")
    channel = "phone"
    description = "Black bags dumped by the bins"
    status = CaseStatus.OPEN
    opened_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def with_reference(case, create, extracted, **kwargs):
        if create and not case.reference:
            case.reference = make_reference(CASE_PREFIX, case.pk)
            case.save(update_fields=["reference"])
