"""Checking and showing the answers to a service's own questions.

The portal, the console, Open311 and the JSON API all send answers here, so a request is
checked the same way whichever road it came by. Answers are kept on the case by question code:
plain strings, numbers, ISO 8601 dates and times, and choice keys.
"""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from civicdesk.catalogue.models import QuestionType, Service, ServiceQuestion

MAX_LENGTHS = {QuestionType.STRING: 500, QuestionType.TEXT: 4000}
# More than any count or measure a request needs, and exact as a float. Beyond it "1e5000"
# would be kept as a 5,001-digit integer that JSON cannot write, and "1e9999999" would take
# minutes to become one.
MAX_NUMBER = Decimal(10) ** 15


def questions_for(service: Service) -> list[ServiceQuestion]:
    """The service's active questions, in the order they are asked."""
    return [question for question in service.questions.all() if question.is_active]


def _values(raw: Any) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, str):
        return [raw]
    if isinstance(raw, Iterable):
        return [str(item) for item in raw]
    return [str(raw)]


def _clean_one(question: ServiceQuestion, raw: Any) -> Any:
    """The answer in the form it is kept, or None when none was given; ValueError when wrong."""
    values = [value.strip() for value in _values(raw) if value is not None and value.strip()]
    if not values:
        return None
    keys = {str(choice.get("key")) for choice in question.choices}
    if question.datatype == QuestionType.MULTIPLE_CHOICE:
        unknown = [value for value in values if value not in keys]
        if unknown:
            raise ValueError(_("Select from the list for “%(prompt)s”."))
        return list(dict.fromkeys(values))
    value = values[0]
    if len(values) > 1:
        raise ValueError(_("Give one answer to “%(prompt)s”."))
    if question.datatype == QuestionType.SINGLE_CHOICE:
        if value not in keys:
            raise ValueError(_("Select from the list for “%(prompt)s”."))
        return value
    if question.datatype == QuestionType.NUMBER:
        try:
            number = Decimal(value.replace(",", ""))
        except InvalidOperation:
            raise ValueError(_("“%(prompt)s” must be a number.")) from None
        if not number.is_finite():
            raise ValueError(_("“%(prompt)s” must be a number."))
        if number.copy_abs() >= MAX_NUMBER:
            raise ValueError(_("“%(prompt)s” must be a smaller number."))
        return int(number) if number == number.to_integral_value() else float(number)
    if question.datatype == QuestionType.DATETIME:
        try:
            moment = datetime.datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(
                _("“%(prompt)s” must be a date and time, like 2026-11-23T14:30.")
            ) from None
        return moment.isoformat()
    limit = MAX_LENGTHS.get(question.datatype, MAX_LENGTHS[QuestionType.STRING])
    if len(value) > limit:
        raise ValueError(_("“%(prompt)s” must be %(limit)s characters or fewer."))
    return value


def clean_answers(service: Service, raw: Mapping[str, Any]) -> dict[str, Any]:
    """The answers to keep, keyed by question code, in the questions' order.

    Raises ValidationError with one message per question code that is missing or wrong.
    Answers to questions the service does not ask are left out.
    """
    answers: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for question in questions_for(service):
        params = {"prompt": question.prompt, "limit": MAX_LENGTHS.get(question.datatype, 500)}
        try:
            value = _clean_one(question, raw.get(question.code))
        except ValueError as error:
            errors[question.code] = str(error) % params
            continue
        if value is None:
            if question.required:
                errors[question.code] = (
                    _("Select an answer for “%(prompt)s”.")
                    if question.has_choices
                    else _("Answer “%(prompt)s”.")
                ) % params
            continue
        answers[question.code] = value
    if errors:
        raise ValidationError(errors)
    return answers


@dataclass(frozen=True)
class Answer:
    code: str
    prompt: str
    text: str


# Kept beside the answers to link a case to what it came from (an application), not answers.
LINKS = frozenset({"application"})


def answers_in_words(service: Service, attributes: Mapping[str, Any]) -> list[Answer]:
    """The answers kept on a case as the resident would read them: choice names, not keys.

    Answers to questions since withdrawn are still shown, under their code.
    """
    shown: list[Answer] = []
    seen: set[str] = set()
    for question in service.questions.all():
        if question.code not in attributes:
            continue
        seen.add(question.code)
        names = {str(choice.get("key")): str(choice.get("name")) for choice in question.choices}
        value = attributes[question.code]
        values = value if isinstance(value, list) else [value]
        text = ", ".join(names.get(str(item), str(item)) for item in values)
        shown.append(Answer(question.code, question.prompt, text))
    for code, value in attributes.items():
        if code not in seen and code not in LINKS:
            text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
            shown.append(Answer(code, code.replace("_", " ").strip().capitalize(), text))
    return shown
