"""Composing BS 7666 address parts into the text people read and type.

Kept apart from the models so the importer, the search and the models share one definition of
how "Flat 2, 14A Acacia Avenue" is built and how typed text is compared with stored names.
"""

import re
from typing import Protocol

from civicdesk.places.postcodes import format_postcode


class AddressParts(Protocol):
    """Anything carrying BS 7666 parts under the Address model's names (a model, an import row)."""

    sao_start_number: int | None
    sao_start_suffix: str
    sao_end_number: int | None
    sao_end_suffix: str
    sao_text: str
    pao_start_number: int | None
    pao_start_suffix: str
    pao_end_number: int | None
    pao_end_suffix: str
    pao_text: str
    street_name: str
    locality: str
    town: str
    postcode: str


_APOSTROPHES = re.compile(r"['\u2018\u2019`]")
_NOT_ALPHANUMERIC = re.compile(r"[^A-Z0-9]+")


def normalise_name(text: str) -> str:
    """Upper case, apostrophes dropped, other punctuation as spaces: "St. John's" -> "ST JOHNS".

    Typed text and stored names both go through this, so punctuation never stops a match.
    """
    upper = _APOSTROPHES.sub("", (text or "").upper())
    return _NOT_ALPHANUMERIC.sub(" ", upper).strip()


def number_range(
    start: int | None, start_suffix: str = "", end: int | None = None, end_suffix: str = ""
) -> str:
    """A BS 7666 number with its suffix and range: 14 -> "14", (14, "A") -> "14A", 12-14."""
    if start is None:
        return ""
    text = f"{start}{start_suffix}"
    if end is not None and (end, end_suffix) != (start, start_suffix):
        text += f"-{end}{end_suffix}"
    return text


def addressable_object(text: str, numbers: str) -> str:
    """A SAO or PAO as one phrase: text then numbers ("Flat" + "2" -> "Flat 2").

    Some gazetteers repeat the number inside the text ("FLAT 2" with number 2); it is shown once.
    """
    text = " ".join(text.split())
    if not numbers:
        return text
    if not text:
        return numbers
    if text.upper().split()[-1] == numbers.upper():
        return text
    return f"{text} {numbers}"


def compose_single_line(
    *,
    sao: str,
    pao_text: str,
    pao_numbers: str,
    street_name: str,
    locality: str,
    town: str,
    postcode: str,
) -> str:
    """The address on one line, SAO first: "Flat 2, Rose Court, 14A Acacia Avenue, Town, PC".

    The PAO number sits with the street ("14A Acacia Avenue") as it does on an envelope; a
    locality equal to the town is left out so it is not read out twice.
    """
    street_name = " ".join(street_name.split())
    if pao_numbers:
        street_part = f"{pao_numbers} {street_name}" if street_name else pao_numbers
    else:
        street_part = street_name
    locality = " ".join(locality.split())
    town = " ".join(town.split())
    if locality and locality.casefold() == town.casefold():
        locality = ""
    parts = [sao, " ".join(pao_text.split()), street_part, locality, town]
    if postcode:
        parts.append(format_postcode(postcode))
    return ", ".join(part for part in parts if part)


def sao_of(parts: AddressParts) -> str:
    """The secondary addressable object as read out, e.g. "Flat 2"."""
    numbers = number_range(
        parts.sao_start_number, parts.sao_start_suffix, parts.sao_end_number, parts.sao_end_suffix
    )
    return addressable_object(parts.sao_text, numbers)


def pao_numbers_of(parts: AddressParts) -> str:
    """The primary addressable object's numbers, e.g. "14A" or "12-14"."""
    return number_range(
        parts.pao_start_number, parts.pao_start_suffix, parts.pao_end_number, parts.pao_end_suffix
    )


def single_line_of(parts: AddressParts) -> str:
    """The one-line address of anything with BS 7666 parts."""
    return compose_single_line(
        sao=sao_of(parts),
        pao_text=parts.pao_text,
        pao_numbers=pao_numbers_of(parts),
        street_name=parts.street_name,
        locality=parts.locality,
        town=parts.town,
        postcode=parts.postcode,
    )
