import pytest

from civicdesk.notify.recipients import (
    InvalidRecipient,
    address_lines,
    normalise_uk_mobile,
    validate_address_lines,
)
from civicdesk.places.tests.factories import AddressFactory


@pytest.mark.parametrize(
    "written",
    [
        "07700900123",
        "07700 900123",
        "07700 900 123",
        "(07700) 900-123",
        "+44 7700 900123",
        "+44 (0)7700 900123",
        "0044 7700 900123",
        "447700900123",
        " 07700.900.123 ",
    ],
)
def test_uk_mobiles_in_the_ways_people_write_them(written):
    assert normalise_uk_mobile(written) == "07700900123"


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        ("01632 960123", "landlines cannot get texts"),
        ("020 7946 0123", "landlines cannot get texts"),
        ("+33 6 12 34 56 78", "Not a UK mobile number"),
        ("07700 90012", "Not enough digits"),
        ("07700 9001234", "Too many digits"),
        ("07700 ABC 123", "Must not contain letters"),
        ("", "Enter a mobile number"),
    ],
)
def test_numbers_that_cannot_get_a_text_say_why_without_repeating_the_number(written, reason):
    with pytest.raises(InvalidRecipient) as raised:
        normalise_uk_mobile(written)
    assert reason in str(raised.value)
    if written:
        assert written not in str(raised.value)


@pytest.mark.django_db
def test_a_letter_is_addressed_name_first_and_postcode_last():
    address = AddressFactory(
        sao_text="Flat 2", pao_text="Rose Court", pao_start_number=14, pao_start_suffix="A",
        street__name="Acacia Avenue", street__locality="Elmfield", postcode="km12ab",
    )  # fmt: skip

    lines = address_lines(name="Ms Ada Lovelace", address=address)

    assert lines == [
        "Ms Ada Lovelace", "Flat 2", "Rose Court", "14A Acacia Avenue", "Elmfield", "Kingsmere",
        "KM1 2AB",
    ]  # fmt: skip
    assert validate_address_lines(lines) == lines


@pytest.mark.django_db
def test_a_locality_that_repeats_the_town_is_left_out():
    address = AddressFactory(pao_start_number=3, street__name="Elm Road", postcode="KM1 2AB")
    address.locality = "KINGSMERE"
    assert address_lines(name="Ada Lovelace", address=address) == [
        "Ada Lovelace", "3 Elm Road", "Kingsmere", "KM1 2AB",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("lines", "reason"),
    [
        (["Ada Lovelace", "KM1 2AB"], "at least 3 lines"),
        ([str(n) + " line" for n in range(7)] + ["KM1 2AB"], "no more than 7 lines"),
        (["Ada Lovelace", "1 Acacia Avenue", "Kingsmere"], "real UK postcode"),
        (["Ada Lovelace", "---", "Kingsmere", "KM1 2AB"], "alphanumeric"),
    ],
)
def test_letters_need_three_to_seven_lines_ending_in_a_postcode(lines, reason):
    with pytest.raises(InvalidRecipient, match=reason):
        validate_address_lines(lines)


def test_blank_lines_do_not_count():
    assert validate_address_lines(["Ada", "", "1 Elm Road", "  ", "KM1 2AB"]) == [
        "Ada", "1 Elm Road", "KM1 2AB",
    ]  # fmt: skip
