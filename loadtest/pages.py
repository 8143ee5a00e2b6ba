"""Reading the forms on a page and answering them as a person would, so that the scenarios follow
the pages as they are (a new question or step needs no change here).

Only what the GOV.UK-style forms of CivicDesk use: inputs, radios, checkboxes, selects and
textareas. The page's own form is the first that posts inside <main>: the header's "Sign out"
is a post form too.
"""

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin

TEXT_TYPES = {"text", "email", "tel", "number", "search", "password", "date", "url"}


@dataclass
class Form:
    action: str
    method: str
    in_main: bool
    values: dict[str, str] = field(default_factory=dict)  # hidden, text and textareas
    types: dict[str, str] = field(default_factory=dict)  # the input type of each text field
    choices: dict[str, list[str]] = field(default_factory=dict)  # radios and selects
    chosen: dict[str, str] = field(default_factory=dict)  # what is selected already
    boxes: dict[str, list[str]] = field(default_factory=dict)  # checkboxes
    files: list[str] = field(default_factory=list)


class _FormReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._textarea: str | None = None
        self._in_main = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {key: value or "" for key, value in attrs}
        if tag == "main":
            self._in_main = True
        elif tag == "form":
            method = found.get("method", "get").lower()
            self._form = Form(found.get("action", ""), method, self._in_main)
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and found.get("name"):
            self._input(self._form, found)
        elif tag == "select" and found.get("name"):
            self._select = found["name"]
            self._form.choices.setdefault(self._select, [])
        elif tag == "option" and self._select is not None:
            self._form.choices[self._select].append(found.get("value", ""))
            if "selected" in found:
                self._form.chosen[self._select] = found.get("value", "")
        elif tag == "textarea" and found.get("name"):
            self._textarea = found["name"]
            self._form.values[self._textarea] = ""
            self._form.types[self._textarea] = "textarea"

    @staticmethod
    def _input(form: Form, found: dict[str, str]) -> None:
        name, kind, value = found["name"], found.get("type", "text").lower(), found.get("value", "")
        if kind == "radio":
            form.choices.setdefault(name, []).append(value)
            if "checked" in found:
                form.chosen[name] = value
        elif kind == "checkbox":
            form.boxes.setdefault(name, []).append(value)
        elif kind == "file":
            form.files.append(name)
        elif kind == "hidden" or kind in TEXT_TYPES:
            form.values[name] = value
            form.types[name] = kind

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea is not None:
            self._form.values[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "main":
            self._in_main = False
        elif tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def post_form(html: str, page_url: str) -> Form | None:
    """The page's form (the first inside <main> that posts), its action made absolute."""
    reader = _FormReader()
    reader.feed(html)
    for form in reader.forms:
        if form.method == "post" and form.in_main:
            form.action = urljoin(page_url, form.action or page_url)
            return form
    return None


def answer(form: Form, answers: dict[str, str]) -> dict[str, str | list[str]]:
    """What a person fills in: `answers` where they fit, what the page chose already, otherwise
    the first real choice (not a "Select an address" placeholder), the first box of each group,
    and in each empty box what `answers` gives for its type ("type:text", say)."""
    data: dict[str, str | list[str]] = {}
    for name, value in form.values.items():
        if name in answers:
            data[name] = answers[name]
        elif value or form.types[name] == "hidden":
            data[name] = value
        else:
            data[name] = answers.get(f"type:{form.types[name]}", "")
    for name, options in form.choices.items():
        if name in answers:
            data[name] = answers[name]
        elif form.chosen.get(name):
            data[name] = form.chosen[name]
        elif real := [option for option in options if option]:
            data[name] = real[0]
    for name, options in form.boxes.items():
        data[name] = [answers[name]] if name in answers else options[:1]
    return data


def encode(data: dict[str, str | list[str]]) -> list[tuple[str, str]]:
    """Form fields as pairs to send, a checkbox group giving one pair per ticked box."""
    pairs: list[tuple[str, str]] = []
    for name, value in data.items():
        pairs += [(name, item) for item in value] if isinstance(value, list) else [(name, value)]
    return pairs
