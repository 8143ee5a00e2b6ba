import pytest

from civicdesk.places.models import Address, Street
from civicdesk.places.tests.factories import AddressFactory, StreetFactory

BASE = {"street_name": "Acacia Avenue", "town": "Kingsmere", "postcode": "km12ab"}


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        ({"pao_start_number": 14}, "14 Acacia Avenue, Kingsmere, KM1 2AB"),
        (
            {"pao_start_number": 14, "pao_start_suffix": "A"},
            "14A Acacia Avenue, Kingsmere, KM1 2AB",
        ),
        (
            {"pao_start_number": 12, "pao_end_number": 14},
            "12-14 Acacia Avenue, Kingsmere, KM1 2AB",
        ),
        (
            {
                "pao_start_number": 12,
                "pao_start_suffix": "A",
                "pao_end_number": 12,
                "pao_end_suffix": "C",
            },
            "12A-12C Acacia Avenue, Kingsmere, KM1 2AB",
        ),
        ({"pao_text": "Rose Cottage"}, "Rose Cottage, Acacia Avenue, Kingsmere, KM1 2AB"),
        (
            {
                "sao_text": "Flat",
                "sao_start_number": 2,
                "pao_start_number": 14,
                "pao_start_suffix": "A",
            },
            "Flat 2, 14A Acacia Avenue, Kingsmere, KM1 2AB",
        ),
        (
            {"sao_text": "Flat 2", "sao_start_number": 2, "pao_start_number": 14},
            "Flat 2, 14 Acacia Avenue, Kingsmere, KM1 2AB",
        ),
        (
            {"sao_start_number": 3, "pao_text": "Rose Court", "pao_start_number": 10},
            "3, Rose Court, 10 Acacia Avenue, Kingsmere, KM1 2AB",
        ),
        (
            {"sao_text": "Basement Flat", "pao_start_number": 7, "locality": "Upper Kingsmere"},
            "Basement Flat, 7 Acacia Avenue, Upper Kingsmere, Kingsmere, KM1 2AB",
        ),
        (
            {"pao_start_number": 7, "locality": "KINGSMERE"},
            "7 Acacia Avenue, Kingsmere, KM1 2AB",
        ),
        ({"pao_text": "Land at", "postcode": ""}, "Land at, Acacia Avenue, Kingsmere"),
    ],
)
def test_single_line_composes_bs7666_parts(parts, expected):
    address = Address(**{**BASE, **parts})
    address.refresh_derived_fields()
    assert address.single_line == expected


def test_derived_postcode_forms():
    address = Address(**BASE, pao_start_number=1)
    address.refresh_derived_fields()
    assert (address.postcode, address.postcode_normalised) == ("KM1 2AB", "KM12AB")


def test_an_invalid_postcode_is_kept_but_cannot_be_looked_up():
    address = Address(**{**BASE, "postcode": "k1 abc"}, pao_start_number=1)
    address.refresh_derived_fields()
    assert (address.postcode, address.postcode_normalised) == ("K1 ABC", "")


@pytest.mark.django_db
def test_save_keeps_derived_fields_in_step_even_with_update_fields():
    address = AddressFactory(pao_start_number=3, street__name="Elm Road", postcode="km12ab")
    assert address.single_line == "3 Elm Road, Kingsmere, KM1 2AB"
    address.pao_start_number = 5
    address.postcode = "km3 4cd"
    address.save(update_fields=["pao_start_number", "postcode"])
    address.refresh_from_db()
    assert address.single_line == "5 Elm Road, Kingsmere, KM3 4CD"
    assert address.postcode_normalised == "KM34CD"


@pytest.mark.django_db
def test_street_name_is_normalised_for_lookups():
    street = StreetFactory(name="St. John's  Road")
    assert street.name_normalised == "ST JOHNS ROAD"
    street.name = "Queen\u2019s Walk"  # a typographic apostrophe
    street.save(update_fields=["name"])
    street.refresh_from_db()
    assert Street.objects.get(usrn=street.usrn).name_normalised == "QUEENS WALK"
