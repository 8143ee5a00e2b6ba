"""Understanding what an agent types into an address search, and ranking the candidates.

Pure functions, no database: the selector gathers a few hundred candidates through indexes
(UPRN, postcode, street) and these decide their order. "Flat 2 14a Acacia Av KM1 2AB" becomes
an SAO number 2, a PAO number 14A, the words ACACIA and AV, and a postcode.
"""

import re
from dataclasses import dataclass

from civicdesk.places.bs7666 import normalise_name
from civicdesk.places.models import Address
from civicdesk.places.postcodes import is_valid_postcode, normalise_postcode

# Words that introduce a secondary addressable object's number ("flat 2", "unit 4").
SAO_WORDS = frozenset(
    {"FLAT", "FLT", "APARTMENT", "APT", "UNIT", "ROOM", "SUITE", "STUDIO", "MAISONETTE"}
)
# Street types: they say little about which street is meant, so they never pick candidates.
STREET_TYPES = frozenset(
    {
        "ROAD", "STREET", "AVENUE", "LANE", "CLOSE", "DRIVE", "WAY", "GARDENS", "CRESCENT",
        "GROVE", "PLACE", "COURT", "TERRACE", "SQUARE", "HILL", "PARK", "GREEN", "WALK", "ROW",
        "VIEW", "RISE", "MEWS", "PARADE", "GATE", "END", "THE",
    }
)  # fmt: skip
ABBREVIATIONS = {
    "RD": "ROAD", "ST": "STREET", "AVE": "AVENUE", "AV": "AVENUE", "LN": "LANE", "CL": "CLOSE",
    "DR": "DRIVE", "GDNS": "GARDENS", "CRES": "CRESCENT", "GR": "GROVE", "GRO": "GROVE",
    "PL": "PLACE", "CT": "COURT", "TER": "TERRACE", "TERR": "TERRACE", "SQ": "SQUARE",
    "PK": "PARK", "GRN": "GREEN", "WLK": "WALK", "PDE": "PARADE",
}  # fmt: skip

_RANGE = re.compile(r"\b(\d+[A-Za-z]?)\s*-\s*\d+[A-Za-z]?\b")
_NUMBER = re.compile(r"^(\d{1,4})([A-Z]{0,2})$")
_UPRN = re.compile(r"^\d{1,12}$")


@dataclass(frozen=True, slots=True)
class Number:
    value: int
    suffix: str = ""


@dataclass(frozen=True, slots=True)
class Query:
    """What was typed, taken apart. `words` exclude numbers, "flat"-like words and postcodes."""

    uprn: int | None = None
    postcode: str = ""
    pao: Number | None = None
    sao: Number | None = None
    words: tuple[str, ...] = ()


def parse_query(text: str) -> Query:
    """Take typed text apart into a UPRN, postcode, PAO and SAO numbers and words.

    A number after "flat", "unit" and the like is the SAO; otherwise the last number is the PAO
    and one before it the SAO ("2 14 acacia avenue"). A range such as "12-14" counts by its start.
    """
    text = (text or "").strip()
    if _UPRN.match(text):
        return Query(uprn=int(text))
    tokens = normalise_name(_RANGE.sub(r"\1", text)).split()
    postcode = ""
    for i, token in enumerate(tokens):
        pair = token + (tokens[i + 1] if i + 1 < len(tokens) else "")
        if i + 1 < len(tokens) and is_valid_postcode(pair):
            postcode, tokens = normalise_postcode(pair), tokens[:i] + tokens[i + 2 :]
            break
        if is_valid_postcode(token):
            postcode, tokens = normalise_postcode(token), tokens[:i] + tokens[i + 1 :]
            break
    hinted: list[Number] = []
    plain: list[Number] = []
    words: list[str] = []
    previous = ""
    for token in tokens:
        match = _NUMBER.match(token)
        if match:
            number = Number(int(match[1]), match[2])
            (hinted if previous in SAO_WORDS else plain).append(number)
        elif token not in SAO_WORDS:
            words.append(token)
        previous = token
    sao = hinted[0] if hinted else None
    pao = plain[-1] if plain else None
    if sao is None and len(plain) > 1:
        sao = plain[-2]
    return Query(postcode=postcode, pao=pao, sao=sao, words=tuple(words))


def word_matches(typed: str, word: str) -> bool:
    """Whether a typed word stands for a stored one: a prefix ("av") or an abbreviation ("rd")."""
    return word.startswith(typed) or ABBREVIATIONS.get(typed) == word


def is_street_type(typed: str) -> bool:
    """Whether a typed word could only be (the start of) a street type such as "Avenue"."""
    return typed in ABBREVIATIONS or any(kind.startswith(typed) for kind in STREET_TYPES)


def count_matched(typed: tuple[str, ...], text: str) -> int:
    """How many typed words find a word in the (normalised) text."""
    words = text.split()
    return sum(1 for t in typed if any(word_matches(t, w) for w in words))


def _address_words(address: Address) -> list[str]:
    parts = (address.sao_text, address.pao_text, address.street_name, address.locality)
    return normalise_name(" ".join((*parts, address.town))).split()


def _same(value: int | None, suffix: str, number: Number) -> bool:
    return value == number.value and suffix.upper() == number.suffix


def rank_key(address: Address, query: Query) -> tuple:
    """Sort key, best first: every word found, then the PAO number, then the SAO, then the
    address's place in a walk down the street."""
    words = _address_words(address)
    misses = sum(1 for typed in query.words if not any(word_matches(typed, w) for w in words))
    pao, sao = query.pao, query.sao
    has_sao = address.sao_start_number is not None or bool(address.sao_text)
    if pao is None or _same(address.pao_start_number, address.pao_start_suffix, pao):
        pao_rank = 0
    elif address.pao_start_number == pao.value:
        pao_rank = 1
    elif (
        address.pao_start_number is not None
        and address.pao_end_number is not None
        and address.pao_start_number <= pao.value <= address.pao_end_number
    ):
        pao_rank = 2
    elif sao is None and address.pao_start_number is None and address.sao_start_number == pao.value:
        pao_rank = 3  # "2 Rose Court": the number was the flat's
    else:
        pao_rank = 4
    if sao is None:
        sao_rank = 1 if has_sao else 0
    elif _same(address.sao_start_number, address.sao_start_suffix, sao) or (
        f"{sao.value}{sao.suffix}" in normalise_name(address.sao_text).split()
    ):
        sao_rank = 0
    elif address.sao_start_number == sao.value:
        sao_rank = 1
    else:
        sao_rank = 2
    return (misses, pao_rank, sao_rank, *natural_key(address))


def natural_key(address: Address) -> tuple:
    """Street, then house number (numbered before named), then flat, as `NATURAL_ORDER` does."""
    return (
        address.street_name.upper(),
        address.pao_start_number is None,
        address.pao_start_number or 0,
        address.pao_start_suffix,
        address.pao_text.upper(),
        address.sao_start_number is not None,
        address.sao_start_number or 0,
        address.sao_start_suffix,
        address.sao_text.upper(),
        address.uprn,
    )
