"""Human-friendly reference numbers with a check character.

A reference is a prefix, a number in Crockford base 32 (no I, L, O or U, so nothing is misread
over the phone) and Crockford's check character, the number modulo 37. Because 37 is prime and
larger than any digit, the check catches every single wrong character and every swap of two
neighbouring characters in the number.
"""

import re

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CHECK_ALPHABET = ALPHABET + "*~$=U"  # Crockford's 37 check symbols
MAX_BODY_LENGTH = 13
_MISREAD = str.maketrans({"O": "0", "I": "1", "L": "1"})
# Dashes that word processors and email clients put in place of a typed hyphen.
_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2212", "-"))
_PREFIX = re.compile(r"[A-Z]{2,4}")
# A hyphen or a space after the prefix says where the number starts, so "CUS O00123 X" read over
# the phone keeps the prefix "CUS" rather than becoming "CUSO". Without one, the prefix is the
# longest run of two to four letters that leaves at least six characters for the number.
_SEPARATED = re.compile(r"^([A-Z]{2,4})(?:\s*-\s*|\s+)(.+)$")
_COMPACT = re.compile(rf"^([A-Z]{{2,4}})([0-9A-Z]{{6,{MAX_BODY_LENGTH}}})([0-9A-Z*~$=])$")
_BODY_AND_CHECK = re.compile(rf"^([0-9A-Z]{{6,{MAX_BODY_LENGTH}}})([0-9A-Z*~$=])$")


class InvalidReference(ValueError):
    """The text is not a well-formed reference or its check character is wrong."""


def _encode(number: int, width: int) -> str:
    digits = []
    while number:
        number, remainder = divmod(number, 32)
        digits.append(ALPHABET[remainder])
    return "".join(reversed(digits)).rjust(width, "0")


def _check_character(number: int) -> str:
    return CHECK_ALPHABET[number % 37]


def make_reference(prefix: str, number: int, width: int = 6) -> str:
    """`make_reference("CUS", 1234)` gives "CUS-00016JD": prefix, number, check character.

    Refuses anything `parse_reference` could not read back, so every reference issued round-trips.
    """
    if not _PREFIX.fullmatch(prefix):
        raise ValueError("A reference prefix is two to four capital letters.")
    if number < 0:
        raise ValueError("Reference numbers are positive.")
    body = _encode(number, width)
    if not 6 <= len(body) <= MAX_BODY_LENGTH:
        raise ValueError(f"A reference number is 6 to {MAX_BODY_LENGTH} characters long.")
    return f"{prefix}-{body}{_check_character(number)}"


def _decode(body: str, check: str) -> int | None:
    """The number, or None if the body has a character outside the alphabet or fails the check."""
    body = body.translate(_MISREAD)
    if any(character not in ALPHABET for character in body):
        return None
    number = 0
    for character in body:
        number = number * 32 + ALPHABET.index(character)
    return number if _check_character(number) == check.translate(_MISREAD) else None


def parse_reference(text: str) -> tuple[str, int]:
    """Return (prefix, number) for a typed reference, forgiving case, spaces and misread letters."""
    cleaned = text.strip().upper().translate(_DASHES)
    separated = _SEPARATED.match(cleaned)
    if separated:
        prefix, rest = separated.groups()
        match = _BODY_AND_CHECK.match(re.sub(r"\s", "", rest))
        number = _decode(*match.groups()) if match else None
    else:
        match = _COMPACT.match(re.sub(r"\s", "", cleaned))
        if not match:
            raise InvalidReference(text)
        prefix, body, check = match.groups()
        number = _decode(body, check)
    if number is None:
        raise InvalidReference(text)
    return prefix, number


def looks_like_reference(text: str) -> bool:
    """Whether the text reads as a valid reference, e.g. to route a search box straight to it."""
    try:
        parse_reference(text)
    except InvalidReference:
        return False
    return True
