"""Filling in Notify-style templates: ((placeholder)) and optional ((placeholder??text)).

The syntax is GOV.UK Notify's, so the wording kept here can be pasted into Notify for the live
backend. Output is plain text: nothing is escaped or interpreted here, because an email body is
text and whoever shows it (a page, an email client) escapes it for its own medium.

One difference from Notify: Notify shows optional text only for "yes", "true", "1", "show" or
"include"; here any value that is not blank and not a clear "no" ("no", "false", "0", "off",
"exclude") shows it, so ((name??...)) can test whether a name was given. Templates meant for
Notify itself should test yes/no flags only.
"""

import re
from collections.abc import Iterable, Mapping
from typing import Any

# Notify allows no brackets inside a placeholder, so optional text cannot hold another one.
_PLACEHOLDER = re.compile(r"\(\(([^()]+?)\)\)")
_SPACE_BEFORE_NEWLINE = re.compile(r"[ \t]+\n")
_BLANK_LINES = re.compile(r"\n{3,}")
_NEGATIVE = {"no", "n", "false", "0", "off", "exclude"}


class TemplateError(ValueError):
    """The template cannot be filled in as it stands."""


class MissingPersonalisation(TemplateError):
    """The template names placeholders the personalisation does not give."""

    def __init__(self, missing: Iterable[str]) -> None:
        self.missing = sorted(set(missing))
        names = ", ".join(f"(({name}))" for name in self.missing)
        super().__init__(f"Missing personalisation: {names}")


def _key(name: str) -> str:
    """Notify matches names ignoring case, spaces, hyphens and underscores."""
    return re.sub(r"[\s_-]", "", name).lower()


def _split(inner: str) -> tuple[str, str | None]:
    """ "name" -> ("name", None); "name??text" -> ("name", "text")."""
    name, marker, text = inner.partition("??")
    return name.strip(), (text if marker else None)


def placeholder_names(text: str) -> list[str]:
    """Every placeholder a text uses, optional ones included, in order of first use."""
    seen: dict[str, str] = {}
    for match in _PLACEHOLDER.finditer(text or ""):
        name, _text = _split(match.group(1))
        seen.setdefault(_key(name), name)
    return list(seen.values())


def is_shown(value: Any) -> bool:
    """Whether a value switches optional text on (see the module's note on Notify)."""
    if value is None or value is False:
        return False
    text = str(value).strip()
    return bool(text) and text.lower() not in _NEGATIVE


def _tidy(text: str) -> str:
    """Optional lines left empty should not leave gaps: trailing spaces go, blank runs shrink."""
    text = _SPACE_BEFORE_NEWLINE.sub("\n", text.replace("\r\n", "\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()


def render(text: str, *, personalisation: Mapping[str, Any]) -> str:
    """Fill in every placeholder in one pass, so values are never read as template syntax.

    Raises MissingPersonalisation naming every placeholder without a value (an empty string is
    a value: it is the caller's way to say "none").
    """
    values = {_key(str(name)): value for name, value in personalisation.items()}
    missing = [name for name in placeholder_names(text) if _key(name) not in values]
    if missing:
        raise MissingPersonalisation(missing)

    def fill(match: re.Match[str]) -> str:
        name, optional_text = _split(match.group(1))
        value = values[_key(name)]
        if optional_text is not None:
            return optional_text if is_shown(value) else ""
        return "" if value is None else str(value).strip()  # as Notify trims values

    return _tidy(_PLACEHOLDER.sub(fill, text or ""))
