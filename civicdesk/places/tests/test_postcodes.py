import pytest

from civicdesk.places.postcodes import format_postcode, is_valid_postcode, normalise_postcode


@pytest.mark.parametrize(
    ("typed", "normalised", "formatted"),
    [
        ("km12ab", "KM12AB", "KM1 2AB"),
        ("KM1 2AB", "KM12AB", "KM1 2AB"),
        ("  km1   2ab ", "KM12AB", "KM1 2AB"),
        ("sw1a1aa", "SW1A1AA", "SW1A 1AA"),
        ("M1 1AE", "M11AE", "M1 1AE"),
        ("b338th", "B338TH", "B33 8TH"),
        ("cr2-6xh", "CR26XH", "CR2 6XH"),
        ("gir 0aa", "GIR0AA", "GIR 0AA"),
    ],
)
def test_valid_postcodes_are_normalised_and_formatted(typed, normalised, formatted):
    assert normalise_postcode(typed) == normalised
    assert format_postcode(typed) == formatted
    assert is_valid_postcode(typed)


@pytest.mark.parametrize(
    "text", ["", "KM1", "KM1 2A", "12 ABC", "KM1 AAB", "KMM1 2AB", "KM1 2AB X", "not a postcode"]
)
def test_invalid_postcodes_are_rejected_and_left_recognisable(text):
    assert not is_valid_postcode(text)
    assert format_postcode(text) == " ".join(text.upper().split())


def test_normalise_tolerates_none_like_empty():
    assert normalise_postcode("") == ""
