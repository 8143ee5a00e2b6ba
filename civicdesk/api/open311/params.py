"""Reading Open311 parameters: W3C dates, numbers, comma lists and attribute[code] fields.

Each reader raises `Problem` with the HTTP status and a message for the client, so every bad
input becomes a 400 (or 403/404) in the spec's error format rather than a server error.
"""

import datetime
import json
import re
from collections.abc import Mapping

from django.http import QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

EARLIEST_YEAR, LATEST_YEAR = 1900, 2200
MAX_PAGE = 100_000
_ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")
_OFFSET_WITH_SPACE = re.compile(r" (\d\d(?::?\d\d)?)$")


class Problem(Exception):
    """A request the server will not carry out: the status and the messages for the client."""

    def __init__(self, status: int, *messages: str, retry_after: int | None = None) -> None:
        super().__init__(*messages)
        self.status = status
        self.messages = list(messages)
        self.retry_after = retry_after


def text(params: QueryDict, name: str) -> str:
    """A parameter's value, trimmed, without NUL characters; empty counts as absent."""
    return params.get(name, "").replace("\x00", "").strip()


def limited(params: QueryDict, name: str, limit: int) -> str:
    value = text(params, name)
    if len(value) > limit:
        raise Problem(
            400,
            _("%(name)s must be %(limit)s characters or fewer.") % {"name": name, "limit": limit},
        )
    return value


def w3c_datetime(params: QueryDict, name: str) -> datetime.datetime | None:
    """A W3C date and time (2026-11-23T14:30:00Z, ...+01:00) or date; naive ones are local."""
    value = text(params, name)
    if not value:
        return None
    # A "+" in a query string arrives as a space when the client did not encode it.
    value = _OFFSET_WITH_SPACE.sub(r"+\1", value)
    error = Problem(
        400,
        _("%(name)s must be a W3C date and time, like 2026-11-23T14:30:00Z.") % {"name": name},
    )
    try:
        moment = parse_datetime(value)
        if moment is None:
            day = parse_date(value)
            if day is None:
                raise error
            moment = datetime.datetime.combine(day, datetime.time())
        if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
            raise error
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        moment.astimezone(datetime.UTC)
    except (ValueError, OverflowError):
        raise error from None
    return moment


def coordinate(params: QueryDict, name: str, bound: float) -> float | None:
    value = text(params, name)
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        number = float("nan")
    if not -bound <= number <= bound:  # also false for NaN
        raise Problem(
            400,
            _("%(name)s must be a number between -%(bound)s and %(bound)s.")
            % {"name": name, "bound": int(bound)},
        )
    return number


def whole_number(params: QueryDict, name: str, default: int, most: int) -> int:
    """A positive whole number; above `most` counts as `most`."""
    value = text(params, name)
    if not value:
        return default
    if not value.isascii() or not value.isdigit() or int(value) < 1:
        raise Problem(400, _("%(name)s must be a whole number, 1 or more.") % {"name": name})
    return min(int(value), most)


def comma_list(params: QueryDict, name: str, limit: int = 100) -> list[str]:
    values = [item.strip() for item in text(params, name).split(",")]
    values = [item for item in values if item]
    if len(values) > limit:
        raise Problem(
            400, _("Give up to %(limit)s values in %(name)s.") % {"limit": limit, "name": name}
        )
    return values


def attributes(params: QueryDict) -> dict[str, str | list[str]]:
    """Answers from `attribute[code]=value` and, for lists, repeated `attribute[code][]=value`."""
    answers: dict[str, str | list[str]] = {}
    for key in params:
        match = _ATTRIBUTE.match(key)
        if not match:
            continue
        code, many = match.group(1), bool(match.group(2))
        values = [value.replace("\x00", "") for value in params.getlist(key)]
        earlier = answers.get(code)
        if earlier is not None:
            earlier_values = earlier if isinstance(earlier, list) else [earlier]
            answers[code] = earlier_values + values
        elif many or len(values) > 1:
            answers[code] = values
        else:
            answers[code] = values[0] if values else ""
    return answers


def normalised(fields: Mapping[str, object]) -> str:
    """A stable text of a request's content, for recognising the same request sent again."""
    return json.dumps(fields, sort_keys=True, ensure_ascii=True, default=str)
