"""Who a message can reach: email addresses, UK mobile numbers and postal addresses.

Both Notify clients check recipients the way Notify does before anything is sent, so a bad
number or address fails here with a clear reason instead of at Notify with a 400.
"""

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from civicdesk.places.models import Address
from civicdesk.places.postcodes import format_postcode, is_valid_postcode

MIN_ADDRESS_LINES = 3
MAX_ADDRESS_LINES = 7
ADDRESS_KEYS = [f"address_line_{number}" for number in range(1, MAX_ADDRESS_LINES + 1)]

_PHONE_CHARACTERS = re.compile(r"^[+\d\s().-]+$")


class InvalidRecipient(ValueError):
    """The email address, phone number or postal address cannot receive a message.

    The message names the problem, never the recipient, so it can be stored and logged.
    """


def normalise_email(text: str) -> str:
    """The address trimmed, or InvalidRecipient if it is not an email address."""
    address = (text or "").strip()
    try:
        validate_email(address)
    except ValidationError as error:
        raise InvalidRecipient("email_address Not a valid email address") from error
    return address


def normalise_uk_mobile(text: str) -> str:
    """A UK mobile number in the form 07700900123, from any common way of writing it.

    "+44 7700 900123", "0044 7700-900123", "(07700) 900 123" and "447700900123" are all
    accepted. Landlines and international numbers cannot receive our text messages.
    """
    raw = (text or "").strip()
    if not raw:
        raise InvalidRecipient("phone_number Enter a mobile number")
    if not _PHONE_CHARACTERS.match(raw):
        raise InvalidRecipient("phone_number Must not contain letters or symbols")
    digits = re.sub(r"\D", "", raw)
    if raw.startswith("+") or digits.startswith("00"):
        digits = digits.removeprefix("00")
        if not digits.startswith("44"):
            raise InvalidRecipient("phone_number Not a UK mobile number")
    if digits.startswith("44") and len(digits) > 11:
        digits = digits[2:].removeprefix("0")  # "+44 (0)7700 ..." writes the 0 as well
    national = digits.removeprefix("0")
    if len(national) < 10:
        raise InvalidRecipient("phone_number Not enough digits")
    if len(national) > 10:
        raise InvalidRecipient("phone_number Too many digits")
    if not national.startswith("7"):
        raise InvalidRecipient("phone_number Not a UK mobile number: landlines cannot get texts")
    return "0" + national


def is_uk_mobile(text: str) -> bool:
    try:
        normalise_uk_mobile(text)
    except InvalidRecipient:
        return False
    return True


def address_lines(*, name: str, address: Address) -> list[str]:
    """The lines of a letter's address block: the name, then the address, the postcode last.

    At most seven, as Notify allows: name, flat, building, number and street, locality, town,
    postcode. A locality that repeats the town is left out.
    """
    street = " ".join(part for part in (address.pao_numbers, address.street_name.strip()) if part)
    town = " ".join(address.town.split())
    locality = " ".join(address.locality.split())
    if locality.casefold() == town.casefold():
        locality = ""
    parts = [" ".join(name.split()), address.sao, " ".join(address.pao_text.split()), street]
    lines = [part for part in [*parts, locality, town] if part]
    return [*lines, format_postcode(address.postcode)]


def validate_address_lines(lines: list[str]) -> list[str]:
    """Notify's rules for a letter: 3 to 7 lines, the first two with letters or digits, and a
    real UK postcode on the last. Returns the lines without blanks."""
    lines = [" ".join(line.split()) for line in lines if line and line.strip()]
    if len(lines) < MIN_ADDRESS_LINES:
        raise InvalidRecipient("Address must be at least 3 lines")
    if len(lines) > MAX_ADDRESS_LINES:
        raise InvalidRecipient("Address must be no more than 7 lines")
    if not all(any(character.isalnum() for character in line) for line in lines[:2]):
        raise InvalidRecipient(
            "The first 2 lines of the address must both include at least one alphanumeric character"
        )
    if not is_valid_postcode(lines[-1]):
        raise InvalidRecipient("Last line of address must be a real UK postcode")
    return lines


def letter_personalisation_lines(personalisation: dict[str, str]) -> list[str]:
    """The address lines a letter's personalisation carries, checked."""
    return validate_address_lines([str(personalisation.get(key) or "") for key in ADDRESS_KEYS])
