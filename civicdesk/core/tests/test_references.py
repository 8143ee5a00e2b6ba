import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civicdesk.core.references import (
    ALPHABET,
    CHECK_ALPHABET,
    InvalidReference,
    looks_like_reference,
    make_reference,
    parse_reference,
)

quick = settings(max_examples=60, database=None)

prefixes = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=4)
numbers = st.integers(min_value=0, max_value=32**13 - 1)
widths = st.integers(min_value=6, max_value=8)
# What a misheard or mistyped character is read as.
EQUIVALENT = {"0": "0O", "1": "1IL"}


def split(reference: str) -> tuple[str, str, str]:
    prefix, rest = reference.split("-")
    return prefix, rest[:-1], rest[-1]


def test_known_reference():
    assert make_reference("CUS", 1234) == "CUS-00016JD"
    assert parse_reference("CUS-00016JD") == ("CUS", 1234)


@quick
@given(prefixes, numbers, widths)
def test_round_trip(prefix, number, width):
    assert parse_reference(make_reference(prefix, number, width)) == (prefix, number)


@quick
@given(prefixes, numbers)
def test_every_single_wrong_character_in_the_number_is_caught(prefix, number):
    prefix, body, check = split(make_reference(prefix, number))
    for position, original in enumerate(body):
        for replacement in ALPHABET + "OIL":
            if replacement in EQUIVALENT.get(original, original):
                continue
            typed = f"{prefix}-{body[:position]}{replacement}{body[position + 1 :]}{check}"
            assert not looks_like_reference(typed), typed


@quick
@given(prefixes, numbers)
def test_every_swap_of_neighbours_in_the_number_is_caught(prefix, number):
    prefix, body, check = split(make_reference(prefix, number))
    for position in range(len(body) - 1):
        first, second = body[position], body[position + 1]
        if first == second:
            continue
        swapped = body[:position] + second + first + body[position + 2 :]
        assert not looks_like_reference(f"{prefix}-{swapped}{check}"), swapped


@quick
@given(prefixes, numbers)
def test_every_wrong_check_character_is_caught(prefix, number):
    prefix, body, check = split(make_reference(prefix, number))
    for wrong in CHECK_ALPHABET:
        if wrong != check:
            assert not looks_like_reference(f"{prefix}-{body}{wrong}")


@pytest.mark.parametrize(
    "typed",
    [
        "cus-00016jd",
        "CUS 00016J D",
        "  cus - 000 16j d ",
        "CUS-OO016JD",
        "CUS O0016JD",
        "CUS00016JD",
        "CUS\u201300016JD",  # an en dash pasted from a letter
    ],
)
def test_tolerant_parsing(typed):
    assert parse_reference(typed) == ("CUS", 1234)


@pytest.mark.parametrize("one", ["I", "i", "L", "l"])
def test_i_and_l_are_read_as_one(one):
    reference = make_reference("CAS", 32**2 + 33)  # CAS-000111 and its check character
    assert "0111" in reference
    assert parse_reference(reference.replace("111", f"1{one}1")) == ("CAS", 32**2 + 33)


def test_misread_check_character():
    number = 37 * 66  # a multiple of 37 has the check character "0", easily read as "O"
    reference = make_reference("CUS", number)
    assert reference.endswith("0")
    assert parse_reference(reference[:-1] + "o") == ("CUS", number)


def test_a_space_after_the_prefix_keeps_a_misread_leading_zero_in_the_number():
    number = 32**6 + 5  # eight characters at width 8, starting with a zero
    reference = make_reference("CAS", number, width=8)
    typed = reference.replace("CAS-0", "CAS O")
    assert parse_reference(typed) == ("CAS", number)


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "CUS",
        "CUS-",
        "C-00016JD",  # prefix too short
        "CUSTO-00016JD",  # prefix too long
        "CUS-0016JD",  # number too short
        "CUS-00U16JD",  # U is only a check character
        "CUS-00016J",  # no check character
        "CUS-00016JDD",
        "CUS-00016J#",
        "12-00016JD",
    ],
)
def test_malformed_references_are_rejected(typed):
    with pytest.raises(InvalidReference):
        parse_reference(typed)
    assert not looks_like_reference(typed)


def test_invalid_reference_is_a_value_error():
    assert issubclass(InvalidReference, ValueError)


@pytest.mark.parametrize(
    ("prefix", "number", "width"),
    [
        ("cus", 1, 6),  # parse_reference would read it back as "CUS"
        ("C", 1, 6),
        ("CUSTO", 1, 6),
        ("CUS", -1, 6),
        ("CUS", 32**13, 6),  # fourteen characters
        ("CUS", 1, 14),
        ("CUS", 1, 5),
    ],
)
def test_unreadable_references_are_never_made(prefix, number, width):
    with pytest.raises(ValueError):
        make_reference(prefix, number, width)
