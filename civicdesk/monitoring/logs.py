"""Structured logs without personal data.

Loaded by the LOGGING setting before the apps are ready, so nothing here imports a model.
Three pieces, all attached to the log handler in settings:
- `RequestContextFilter` puts the request id and route name of the request being answered on
  every record logged while answering it;
- `RedactPersonalData` is the safety net: email addresses, UK phone numbers and postcodes in
  any message or traceback become placeholders, and a request's path (which may hold a
  customer's reference) becomes its route name;
- `JsonFormatter` writes each record as one line of JSON.
"""

import contextvars
import datetime
import json
import logging
import re
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# +44 or 0044 (with an optional "(0)") or a leading 0, then 9 or 10 more digits that may be
# grouped by spaces, hyphens or brackets: 07700 900123, +44 (0)20 7946 0018, (0161) 496 0000.
UK_PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)44[\s-]?(?:\(0\)[\s-]?)?|\(?0)(?:[\s)-]{0,2}\d){9,10}(?!\w)"
)
# Outward code (A9, A99, A9A, AA9, AA99, AA9A), an optional space, inward code (9AA).
UK_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}\b", re.IGNORECASE)


def redact(text: str) -> str:
    """`text` with email addresses, UK phone numbers and postcodes replaced."""
    text = EMAIL.sub("[email]", text)
    text = UK_PHONE.sub("[phone]", text)
    return UK_POSTCODE.sub("[postcode]", text)


@dataclass
class RequestContext:
    request_id: str
    route: str | None = None


_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "civicdesk_request", default=None
)


def begin_request(request: HttpRequest, request_id: str) -> contextvars.Token:
    context = RequestContext(request_id=request_id)
    # Django logs a refusal ("Not Found: ...") after the middleware has returned, so the
    # request carries its context too.
    request.log_context = context
    return _current.set(context)


def set_route(route: str) -> None:
    context = _current.get()
    if context is not None:
        context.route = route


def end_request(token: contextvars.Token) -> None:
    _current.reset(token)


class RequestContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        context = _current.get() or getattr(getattr(record, "request", None), "log_context", None)
        if isinstance(context, RequestContext):
            record.__dict__.setdefault("request_id", context.request_id)
            record.__dict__.setdefault("route", context.route)
        return True


class RedactPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return True  # a malformed call: the handler reports it without the arguments
        request = getattr(record, "request", None)
        if isinstance(request, HttpRequest) and len(request.path) > 1:
            # Django logs refusals as "Not Found: <path>", with the path unicode-escaped.
            placeholder = getattr(record, "route", None) or "[path]"
            path = request.path
            for form in (request.get_full_path(), path, path.encode("unicode_escape").decode()):
                message = message.replace(form, placeholder)
        record.msg, record.args = redact(message), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


# Written when present, in this order, after time, level, logger and message.
FIELDS = ("request_id", "route", "status", "duration_ms", "user_id", "organisation_id")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for field in FIELDS:
            value = getattr(record, field, None)
            if value is not None:
                line[field] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = record.stack_info
        return json.dumps(line, ensure_ascii=False, default=str)
