"""Fixtures for the portal's tests: a council with services the public can use."""

import io
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from civicdesk.catalogue.models import QuestionType, RequestKind, Sensitivity, Service
from civicdesk.catalogue.services import add_question, create_service, set_public_details
from civicdesk.organisations.tests.factories import TeamFactory
from civicdesk.places.models import Address
from civicdesk.places.tests.factories import AddressFactory, StreetFactory, WardFactory

# The smallest PNG there is: one transparent pixel.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def png(name: str = "wall.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


@dataclass(frozen=True)
class Catalogue:
    graffiti: Service
    council_tax: Service
    bulky: Service
    library: Service
    hidden: Service
    safeguarding: Service
    home: Address
    other: Address


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def catalogue(council) -> Catalogue:
    waste = TeamFactory(organisation=council, name="Street cleansing", slug="street-cleansing")
    graffiti = create_service(
        actor=None,
        organisation=council,
        name="Graffiti removal",
        description="Removing graffiti from council property.",
        keywords="tagging, spray paint",
        owning_team=waste,
        sla_value=5,
    )
    set_public_details(
        actor=None,
        service=graffiti,
        request_kind=RequestKind.PROBLEM,
        allows_anonymous=True,
        group="Streets",
        how_online="Report it online with a photo.",
        how_by_phone="Call 0300 123 4567.",
    )
    add_question(
        actor=None,
        service=graffiti,
        code="surface",
        prompt="What is the graffiti on?",
        datatype=QuestionType.SINGLE_CHOICE,
        required=True,
        choices=[
            {"key": "wall", "name": "A wall"},
            {"key": "bus_shelter", "name": "A bus shelter"},
        ],
    )
    add_question(
        actor=None,
        service=graffiti,
        code="offensive",
        prompt="Is it offensive?",
        datatype=QuestionType.SINGLE_CHOICE,
        choices=[{"key": "yes", "name": "Yes"}, {"key": "no", "name": "No"}],
    )
    council_tax = create_service(
        actor=None, organisation=council, name="Council Tax bills", owning_team=waste
    )
    set_public_details(
        actor=None, service=council_tax, request_kind=RequestKind.ENQUIRY, group="Council Tax"
    )
    bulky = create_service(
        actor=None, organisation=council, name="Bulky waste", owning_team=waste, sla_value=10
    )
    set_public_details(actor=None, service=bulky, request_kind=RequestKind.PROBLEM)
    add_question(
        actor=None, service=bulky, code="items", prompt="What items?",
        datatype=QuestionType.MULTIPLE_CHOICE, required=True,
        choices=[{"key": "sofa", "name": "Sofa"}, {"key": "fridge", "name": "Fridge"}],
    )  # fmt: skip
    add_question(
        actor=None, service=bulky, code="count", prompt="How many?", datatype=QuestionType.NUMBER
    )
    add_question(
        actor=None, service=bulky, code="seen", prompt="When did you see it?",
        datatype=QuestionType.DATETIME,
    )  # fmt: skip
    add_question(
        actor=None, service=bulky, code="notes", prompt="Anything else?",
        datatype=QuestionType.TEXT,
    )  # fmt: skip
    library = create_service(actor=None, organisation=council, name="Libraries", owning_team=waste)
    hidden = create_service(actor=None, organisation=council, name="Internal audit")
    set_public_details(actor=None, service=hidden, is_public=False)
    safeguarding = create_service(
        actor=None,
        organisation=council,
        name="Adult safeguarding",
        owning_team=waste,
        sensitivity=Sensitivity.SAFEGUARDING,
    )
    set_public_details(actor=None, service=safeguarding, request_kind=RequestKind.ENQUIRY)
    ward = WardFactory(organisation=council, name="Riverside")
    street = StreetFactory(organisation=council, name="Acacia Avenue")
    home = AddressFactory(
        organisation=council, street=street, ward=ward, postcode="KM1 2AB", pao_start_number=12
    )
    AddressFactory(
        organisation=council, street=street, ward=ward, postcode="KM1 2AB", pao_start_number=14
    )
    other = AddressFactory(
        organisation=council, street=street, ward=ward, postcode="KM4 7QT", pao_start_number=3
    )
    return Catalogue(graffiti, council_tax, bulky, library, hidden, safeguarding, home, other)


def image_bytes() -> io.BytesIO:
    return io.BytesIO(PNG)
