"""UK postcodes: one normal form for storing and comparing, one for showing.

People type postcodes in any case and spacing ("km12ab", "KM1  2AB"); comparing the normal form
(upper case, no spaces) makes them all find the same addresses.
"""

import re

# The shapes Royal Mail uses: outward code A9, A99, AA9, AA99, A9A or AA9A, then inward 9AA.
# Letters are not restricted by position, so invented demo postcodes of the right shape pass.
_POSTCODE = re.compile(r"^(?:[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}|GIR0AA)$")
_NOT_ALPHANUMERIC = re.compile(r"[^A-Z0-9]")


def normalise_postcode(text: str) -> str:
    """Upper case with spaces and punctuation removed: "km1 2ab" -> "KM12AB"."""
    return _NOT_ALPHANUMERIC.sub("", (text or "").upper())


def is_valid_postcode(text: str) -> bool:
    """Whether the text has the shape of a full UK postcode, ignoring case and spacing."""
    return bool(_POSTCODE.match(normalise_postcode(text)))


def format_postcode(text: str) -> str:
    """The display form "KM1 2AB"; text that is not a postcode is only trimmed and upper-cased.

    Leaving bad input recognisable (rather than empty) lets an officer see what was entered.
    """
    normalised = normalise_postcode(text)
    if _POSTCODE.match(normalised):
        return f"{normalised[:-3]} {normalised[-3:]}"
    return " ".join((text or "").upper().split())
