"""How customers are found again: normalised names, phonetic keys, phones and emails.

Agents hear names over the phone, so search matches on sound (metaphone keys stored on each
customer and indexed) and then ranks the few candidates by spelling similarity. Every key is
computed here, so the stored keys and the typed query are always normalised the same way.
"""

import re
import unicodedata

import jellyfish

_NOT_LETTERS = re.compile(r"[^a-z ]+")
_NOT_DIGITS = re.compile(r"\D+")


def fold(text: str) -> str:
    """Lower case, no accents, letters and single spaces: "Ó'Brían-Smith" -> "obrian smith"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    letters = _NOT_LETTERS.sub("", ascii_text.lower().replace("-", " "))
    return " ".join(letters.split())


def name_key(name: str) -> str:
    """The metaphone of a name with its spaces removed: Smith and Smyth both give "SM0"."""
    folded = fold(name).replace(" ", "")
    return jellyfish.metaphone(folded)[:20] if folded else ""


def first_name(forenames: str) -> str:
    """The forename people are searched by: the first of several."""
    parts = fold(forenames).split()
    return parts[0] if parts else ""


def normalise_phone(text: str) -> str:
    """UK numbers in one form: "+44 (0)7700 900123" and "07700900123" both give "07700900123"."""
    digits = _NOT_DIGITS.sub("", text)
    if text.strip().startswith("+") or digits.startswith("00"):
        digits = digits.removeprefix("00")
        if digits.startswith("440"):
            digits = "0" + digits[3:]
        elif digits.startswith("44"):
            digits = "0" + digits[2:]
        else:
            return "+" + digits  # an overseas number, kept international
    return digits[:20]


def normalise_email(text: str) -> str:
    return text.strip().lower()


def similarity(typed: str, stored: str) -> float:
    """Spelling similarity between 0 and 1 (Jaro-Winkler favours shared beginnings)."""
    if not typed or not stored:
        return 0.0
    if typed == stored:
        return 1.0
    if stored.startswith(typed):  # an agent typing a name before it is finished
        return 0.9 + 0.1 * len(typed) / len(stored)
    return jellyfish.jaro_winkler_similarity(typed, stored)
