"""Rendering Open311 answers as XML (declared UTF-8) or JSON.

An answer is built once as plain data: a list of dicts, whose values are strings, numbers,
booleans, datetimes, None, or lists of dicts (rendered as a wrapper element holding one
element per item, named by `ITEM_NAMES`). JSON drops the XML root and gives the list itself.
"""

import datetime
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any
from xml.sax.saxutils import escape

from django.http import HttpResponse
from django.utils import timezone

FORMATS = ("xml", "json")
XML_CONTENT_TYPE = "text/xml; charset=utf-8"
JSON_CONTENT_TYPE = "application/json; charset=utf-8"
XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'

# The element for each item of a nested list, by the list's name.
ITEM_NAMES = {
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}

_SCALARS = frozenset({str, int, float, bool, type(None), datetime.datetime})
# Characters XML 1.0 does not allow, even escaped.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def w3c(moment: datetime.datetime | None) -> str:
    """A W3C date and time with the offset, in the council's time zone: 2026-11-23T14:30:00Z."""
    if moment is None:
        return ""
    text = moment.astimezone(timezone.get_default_timezone()).replace(microsecond=0).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _text(value: Any) -> str:
    """The text of an element, before escaping."""
    if value is None:
        return ""
    kind = type(value)
    if kind is str:
        return _NOT_XML.sub("", value)
    if kind is bool:
        return "true" if value else "false"
    if kind is datetime.datetime:
        return w3c(value)
    return _NOT_XML.sub("", str(value))


def _escaped(text: str) -> str:
    return escape(text) if "&" in text or "<" in text or ">" in text else text


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return w3c(value)
    if isinstance(value, Mapping):
        return {key: _json_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_value(item) for item in value]
    return value


def _write(out: list[str], name: str, value: Any) -> None:
    """Append `value` as the element `name`. Written as text rather than through ElementTree:
    a page of a thousand requests is 17,000 elements, and building the tree was most of it."""
    if type(value) in _SCALARS:
        text = _text(value)
        out.append(f"<{name}>{_escaped(text)}</{name}>" if text else f"<{name} />")
    elif isinstance(value, list | tuple):
        item_name = ITEM_NAMES.get(name, name.rstrip("s"))
        out.append(f"<{name}>")
        for item in value:
            if isinstance(item, Mapping):
                out.append(f"<{item_name}>")
                _write_all(out, item)
                out.append(f"</{item_name}>")
            else:
                _write(out, item_name, item)
        out.append(f"</{name}>")
    elif isinstance(value, Mapping):
        out.append(f"<{name}>")
        _write_all(out, value)
        out.append(f"</{name}>")
    else:
        text = _text(value)
        out.append(f"<{name}>{_escaped(text)}</{name}>" if text else f"<{name} />")


def _write_all(out: list[str], data: Mapping[str, Any]) -> None:
    for name, value in data.items():
        _write(out, name, value)


def to_xml(root: str, item: str | None, data: Sequence[Mapping[str, Any]] | Mapping) -> bytes:
    out = [XML_DECLARATION, f"<{root}>"]
    if item is None:
        _write_all(out, data)  # type: ignore[arg-type]
    else:
        for entry in data:
            out.append(f"<{item}>")
            _write_all(out, entry)
            out.append(f"</{item}>")
    out.append(f"</{root}>")
    return "".join(out).encode("utf-8")


def render(
    fmt: str,
    data: Sequence[Mapping[str, Any]] | Mapping[str, Any],
    *,
    root: str,
    item: str | None,
    status: int = 200,
) -> HttpResponse:
    """`data` as `root` holding one `item` per entry (XML), or as a JSON list.

    With `item` None, `data` is one mapping: the root's children in XML, an object in JSON.
    """
    if fmt == "json":
        body = json.dumps(_json_value(data), ensure_ascii=False).encode("utf-8")
        return HttpResponse(body, status=status, content_type=JSON_CONTENT_TYPE)
    return HttpResponse(to_xml(root, item, data), status=status, content_type=XML_CONTENT_TYPE)


def render_errors(fmt: str, status: int, messages: Sequence[str]) -> HttpResponse:
    """The spec's error list: one error per message, each with the HTTP status as its code."""
    errors = [{"code": status, "description": message} for message in messages]
    return render(
        fmt if fmt in FORMATS else "xml", errors, root="errors", item="error", status=status
    )
