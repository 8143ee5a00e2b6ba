"""Factories for a fictitious borough's gazetteer.

UPRNs start at 990,000,000,000 and USRNs at 99,000,000, ranges no real address or street uses;
postcodes are in the invented KM area.
"""

import factory

from civicdesk.organisations.tests.factories import OrganisationFactory
from civicdesk.places.models import Address, Street, Ward

_TREES = ("Acacia", "Beech", "Cedar", "Damson", "Elm", "Hazel", "Larch", "Maple", "Rowan", "Yew")
_KINDS = ("Avenue", "Road", "Close", "Lane", "Gardens", "Crescent", "Way", "Grove")


class WardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ward
        django_get_or_create = ("organisation", "name")

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Ward {n}")


class StreetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Street

    usrn = factory.Sequence(lambda n: 99_000_000 + n)
    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(
        lambda n: f"{_TREES[n % len(_TREES)]} {_KINDS[n // len(_TREES) % len(_KINDS)]}"
    )
    town = "Kingsmere"


class AddressFactory(factory.django.DjangoModelFactory):
    """A house on a street; `single_line` and the postcode forms are derived on save."""

    class Meta:
        model = Address

    uprn = factory.Sequence(lambda n: 990_000_000_000 + n)
    organisation = factory.SubFactory(OrganisationFactory)
    street = factory.SubFactory(StreetFactory, organisation=factory.SelfAttribute("..organisation"))
    street_name = factory.LazyAttribute(
        lambda address: address.street.name if address.street else ""
    )
    locality = factory.LazyAttribute(
        lambda address: address.street.locality if address.street else ""
    )
    town = factory.LazyAttribute(
        lambda address: address.street.town if address.street else "Kingsmere"
    )
    pao_start_number = factory.Sequence(lambda n: n % 200 + 1)
    postcode = "KM1 2AB"
