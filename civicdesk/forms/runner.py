"""Running a form: which pages and questions show, a Django form per page, and the answers.

Answers are stored as JSON (see `PageForm.cleaned_answers`); conditions and eligibility rules
see them typed (`typed_answers`). A page or question shows when its `show_if` holds on the
answers to questions shown before it, so a changed answer that hides a page also hides
everything that depended on that page's answers.
"""

import datetime
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import dateformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from civicdesk.cases.uploads import ALLOWED_TYPES, describe_types
from civicdesk.catalogue.questions import MAX_NUMBER
from civicdesk.forms.fields import DatePartsField, normalise_uk_phone
from civicdesk.forms.models import FormPage, FormQuestion, FormVersion, QuestionKind

MAX_FILE_BYTES = 10 * 1024 * 1024
# What a file question takes, of the types a case may hold: its refusals name these alone.
EVIDENCE_TYPES = ("pdf", "jpeg", "png")
FILE_TYPES = {extension for kind in EVIDENCE_TYPES for extension in ALLOWED_TYPES[kind][1]}
EMPTY = (None, "", [], {})


# Pages and questions shown.


def _pages(version: FormVersion) -> list[FormPage]:
    cached = getattr(version, "_runner_pages", None)
    if cached is None:
        cached = list(version.pages.prefetch_related("questions").order_by("number"))
        version._runner_pages = cached
    return cached


def _questions(version: FormVersion) -> list[FormQuestion]:
    return [question for page in _pages(version) for question in page.questions.all()]


def _holds(expression: str, answers: Mapping[str, Any], on: datetime.date) -> bool:
    if not expression.strip():
        return True
    from civicdesk.forms.rules import condition_holds

    try:
        return bool(condition_holds(expression, answers, on=on))
    except Exception:  # a condition that cannot be decided hides what it guards
        return False


def _walk(
    version: FormVersion, answers: Mapping[str, Any], on: datetime.date
) -> Iterator[tuple[FormPage, bool, list[FormQuestion]]]:
    """Each page, whether it shows, and its questions that show, in order."""
    typed = typed_answers(version, answers)
    seen: dict[str, Any] = {question.code: None for question in _questions(version)}
    for page in _pages(version):
        page_shows = _holds(page.show_if, seen, on)
        shown = []
        for question in page.questions.all():
            if _holds(question.show_if, seen, on):
                shown.append(question)
                if page_shows and question.code in typed:
                    seen[question.code] = typed[question.code]
        yield page, page_shows, shown


def visible_pages(version: FormVersion, answers: Mapping[str, Any], *, on: datetime.date):
    """The pages of `version` that show with these answers, in order."""
    return [page for page, shows, _shown in _walk(version, answers, on) if shows]


def visible_questions(
    page: FormPage, answers: Mapping[str, Any], *, on: datetime.date
) -> list[FormQuestion]:
    """The questions on `page` that show with these answers."""
    for candidate, _shows, shown in _walk(page.version, answers, on):
        if candidate.pk == page.pk:
            return shown
    return []


def next_page(
    version: FormVersion,
    answers: Mapping[str, Any],
    *,
    on: datetime.date,
    after: FormPage | None,
) -> FormPage | None:
    """The page after `after` (the first page if None); None means check your answers.

    If answers just saved on `after` show a required question on that same page that is not
    answered yet, `after` itself is returned, to ask it.
    """
    if after is not None:
        for page, shows, shown in _walk(version, answers, on):
            if page.pk == after.pk and shows and _unanswered(shown, answers):
                return page
    for page in visible_pages(version, answers, on=on):
        if after is None or page.number > after.number:
            return page
    return None


def previous_page(
    version: FormVersion,
    answers: Mapping[str, Any],
    *,
    on: datetime.date,
    before: FormPage | None,
) -> FormPage | None:
    """The page before `before` (the last page if None, from check your answers); None at
    the start."""
    earlier = [
        page
        for page in visible_pages(version, answers, on=on)
        if before is None or page.number < before.number
    ]
    return earlier[-1] if earlier else None


def _shown_codes(version: FormVersion, answers: Mapping[str, Any], on: datetime.date) -> set:
    return {
        question.code
        for _page, shows, shown in _walk(version, answers, on)
        if shows
        for question in shown
    }


def prune(version: FormVersion, answers: Mapping[str, Any], *, on: datetime.date) -> dict:
    """The answers without those to questions that no longer show."""
    codes = {question.code for question in _questions(version)}
    shown = _shown_codes(version, answers, on)
    return {code: value for code, value in answers.items() if code not in codes or code in shown}


def _unanswered(questions: list[FormQuestion], answers: Mapping[str, Any]) -> bool:
    return any(q.required and answers.get(q.code) in EMPTY for q in questions)


def missing(
    version: FormVersion, answers: Mapping[str, Any], *, on: datetime.date
) -> list[FormPage]:
    """Pages that show with a required question unanswered; submit only when empty."""
    return [
        page
        for page, shows, shown in _walk(version, answers, on)
        if shows and _unanswered(shown, answers)
    ]


# Answers in words and typed.


@dataclass(frozen=True)
class AnswerRow:
    page: FormPage
    question: FormQuestion
    answer: str  # in words, for check your answers and the officer's view
    change_page: int  # the number of the page to go back to to change it


def _choice_label(question: FormQuestion, key: Any) -> str:
    for choice in question.choices or []:
        if str(choice.get("key")) == str(key):
            return str(choice.get("label", key))
    return str(key)


def answer_in_words(question: FormQuestion, value: Any) -> str:
    if value in EMPTY:
        return _("Not given")
    kind = question.kind
    if kind == QuestionKind.YES_NO:
        return _("Yes") if value is True or value == "yes" else _("No")
    if kind == QuestionKind.SINGLE_CHOICE:
        return _choice_label(question, value)
    if kind == QuestionKind.MULTIPLE_CHOICE:
        return ", ".join(_choice_label(question, key) for key in value)
    if kind == QuestionKind.DATE:
        try:
            return dateformat.format(datetime.date.fromisoformat(str(value)), "j F Y")
        except ValueError:
            return str(value)
    if kind == QuestionKind.ADDRESS and isinstance(value, dict):
        return str(value.get("text", ""))
    if kind == QuestionKind.FILE:
        items = value if isinstance(value, list) else [value]
        names = [
            str(item.get("name") or item.get("original_name") or "")
            if isinstance(item, dict)
            else str(item)
            for item in items
        ]
        return ", ".join(name for name in names if name)
    return str(value)


def answer_rows(
    version: FormVersion, answers: Mapping[str, Any], *, on: datetime.date
) -> list[AnswerRow]:
    """One row per question shown, in order, with the answer in words."""
    return [
        AnswerRow(
            page=page,
            question=question,
            answer=answer_in_words(question, answers.get(question.code)),
            change_page=page.number,
        )
        for page, shows, shown in _walk(version, answers, on)
        if shows
        for question in shown
    ]


def _typed(kind: str, value: Any) -> Any:
    if value in (None, ""):
        return None
    if kind == QuestionKind.DATE:
        if isinstance(value, datetime.date):
            return value
        return datetime.date.fromisoformat(str(value))
    if kind == QuestionKind.NUMBER:
        number = Decimal(str(value))
        if not number.is_finite():
            raise ValueError(value)
        return number
    if kind == QuestionKind.YES_NO:
        return value if isinstance(value, bool) else str(value).lower() in ("yes", "true")
    return value


def typed_answers(version: FormVersion, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers as conditions and rules take them: dates as datetime.date, numbers as
    Decimal. Answers that cannot be read are left out (as if not given)."""
    kinds = {question.code: question.kind for question in _questions(version)}
    typed: dict[str, Any] = {}
    for code, value in answers.items():
        try:
            result = _typed(kinds.get(code, ""), value)
        except (ValueError, TypeError, InvalidOperation):
            continue
        if result is not None:
            typed[code] = result
    return typed


# A Django form for one page.


def _noun(question: FormQuestion) -> str | None:
    """The label as a noun for error messages ("Date of birth" -> "date of birth"), or None
    when the label is a question."""
    label = question.label.strip()
    if not label or label.endswith("?"):
        return None
    if len(label) > 1 and label[1].isupper():  # an acronym, e.g. "PIP points"
        return label
    return label[0].lower() + label[1:]


def _subject(question: FormQuestion) -> str:
    noun = _noun(question)
    if noun:
        return noun[0].upper() + noun[1:]
    if question.kind == QuestionKind.DATE:
        return _("The date")
    if question.kind == QuestionKind.NUMBER:
        return _("The number")
    return _("The answer")


def _required_message(question: FormQuestion) -> str:
    noun = _noun(question)
    kind = question.kind
    if kind == QuestionKind.YES_NO:
        return _("Select yes or no")
    if kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE, QuestionKind.FILE):
        if noun:
            return _("Select %(noun)s") % {"noun": noun}
        return {
            QuestionKind.SINGLE_CHOICE: _("Select an option"),
            QuestionKind.MULTIPLE_CHOICE: _("Select at least one option"),
            QuestionKind.FILE: _("Select a file"),
        }[kind]
    if noun:
        return _("Enter %(noun)s") % {"noun": noun}
    return {
        QuestionKind.DATE: _("Enter a date"),
        QuestionKind.NUMBER: _("Enter a number"),
        QuestionKind.EMAIL: _("Enter an email address"),
        QuestionKind.PHONE: _("Enter a phone number"),
        QuestionKind.ADDRESS: _("Enter a postcode"),
    }.get(kind, _("Enter your answer"))


def _years_from(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class PageForm(forms.Form):
    """The visible questions of one page. Fields are named by question code; an address
    question adds `<code>__postcode` and `<code>__manual`."""

    use_required_attribute = False

    def __init__(
        self,
        *args: Any,
        page: FormPage,
        questions: list[FormQuestion],
        answers: Mapping[str, Any],
        on: datetime.date,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.page = page
        self.questions = questions
        self.on = on
        self.answers = answers
        self.hidden_now: set[str] = set()
        self.organisation_id = page.version.form.organisation_id
        self._addresses: dict[str, dict[str, Any]] = {}
        for question in questions:
            self._add_field(question, answers.get(question.code))

    # Building fields.

    def _add_field(self, question: FormQuestion, value: Any) -> None:
        label = (
            question.label
            if question.required
            else _("%(label)s (optional)") % {"label": question.label}
        )
        common = {
            "label": label,
            "required": question.required,
            "help_text": question.hint,
            "error_messages": {"required": _required_message(question)},
        }
        kind = question.kind
        code = question.code
        choices = [(str(c.get("key")), str(c.get("label"))) for c in question.choices or []]
        initial = value
        if kind == QuestionKind.LONG_TEXT:
            field: forms.Field = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), **common)
        elif kind == QuestionKind.NUMBER:
            field = forms.CharField(
                widget=forms.TextInput(
                    attrs={"inputmode": "decimal", "class": "govuk-input--width-10"}
                ),
                **common,
            )
        elif kind == QuestionKind.DATE:
            field = DatePartsField(noun=_noun(question) or _("the date"), **common)
        elif kind == QuestionKind.YES_NO:
            field = forms.ChoiceField(
                choices=[("yes", _("Yes")), ("no", _("No"))],
                widget=forms.RadioSelect(attrs={"class": "govuk-radios--inline"}),
                **common,
            )
            initial = None if value is None else ("yes" if value in (True, "yes") else "no")
        elif kind == QuestionKind.SINGLE_CHOICE:
            field = forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
            field.error_messages["invalid_choice"] = _required_message(question)
        elif kind == QuestionKind.MULTIPLE_CHOICE:
            field = forms.MultipleChoiceField(
                choices=choices, widget=forms.CheckboxSelectMultiple, **common
            )
            field.error_messages["invalid_choice"] = _required_message(question)
        elif kind == QuestionKind.EMAIL:
            field = forms.CharField(
                widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
                **common,
            )
        elif kind == QuestionKind.PHONE:
            field = forms.CharField(
                widget=forms.TextInput(
                    attrs={"type": "tel", "autocomplete": "tel", "class": "govuk-input--width-20"}
                ),
                **common,
            )
        elif kind == QuestionKind.FILE:
            common["required"] = question.required and value in EMPTY
            common["help_text"] = question.hint or _("A PDF, JPG or PNG file smaller than 10MB")
            field = forms.FileField(**common)
            initial = None
        elif kind == QuestionKind.ADDRESS:
            self._add_address(question, value, common)
            return
        else:
            field = forms.CharField(**common)
        field.label_size = "m"
        self.fields[code] = field
        if initial not in (None, ""):
            self.initial[code] = initial

    def _add_address(self, question: FormQuestion, value: Any, common: dict[str, Any]) -> None:
        from civicdesk.places.selectors import address_by_uprn, addresses_for_postcode

        code = question.code
        postcode = self.data.get(f"{code}__postcode", "") if self.is_bound else ""
        if not self.is_bound and isinstance(value, dict):
            if value.get("uprn"):
                try:
                    postcode = address_by_uprn(uprn=value["uprn"]).postcode
                except Exception:
                    postcode = ""
                self.initial[code] = str(value["uprn"])
            else:
                self.initial[f"{code}__manual"] = value.get("text", "")
            self.initial[f"{code}__postcode"] = postcode
        postcode_field = forms.CharField(
            label=common["label"],
            required=False,
            max_length=20,
            help_text=question.hint or _("Enter the postcode, then select the address"),
            widget=forms.TextInput(
                attrs={"class": "govuk-input--width-10", "autocomplete": "postal-code"}
            ),
        )
        postcode_field.label_size = "m"
        addresses = (
            list(addresses_for_postcode(organisation_id=self.organisation_id, postcode=postcode))
            if postcode
            else []
        )
        found = ngettext("%(count)s address found", "%(count)s addresses found", len(addresses))
        choose = forms.ChoiceField(
            label=_("Select the address"),
            required=False,
            choices=[("", found % {"count": len(addresses)})]
            + [(str(address.uprn), address.single_line) for address in addresses],
            error_messages={"invalid_choice": _("Select the address")},
            # Nothing to choose from until a postcode is looked up.
            widget=forms.Select if addresses else forms.HiddenInput,
        )
        self._addresses[code] = {str(address.uprn): address for address in addresses}
        manual = forms.CharField(
            label=_("If the address is not listed, enter it here"),
            required=False,
            max_length=300,
            widget=forms.Textarea(attrs={"rows": 3}),
        )
        self.fields[f"{code}__postcode"] = postcode_field
        self.fields[code] = choose
        self.fields[f"{code}__manual"] = manual

    # Validation.

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for question in self.questions:
            code = question.code
            if code in self.errors:
                continue
            value = cleaned.get(code)
            try:
                cleaned[code] = self._clean_answer(question, value)
            except ValidationError as error:
                self.add_error(code, error)
                cleaned.pop(code, None)
        if any(question.show_if for question in self.questions):
            self._hide_questions_now_hidden(cleaned)
        return cleaned

    def _hide_questions_now_hidden(self, cleaned: dict[str, Any]) -> None:
        """A question shown because of an earlier answer on this page is not asked (nor its
        errors shown) if that answer was just changed to hide it."""
        merged = dict(self.answers)
        for question in self.questions:
            if question.code not in self.errors and question.kind != QuestionKind.FILE:
                merged[question.code] = cleaned.get(question.code)
        still = {question.pk for question in visible_questions(self.page, merged, on=self.on)}
        for question in self.questions:
            if question.pk in still:
                continue
            self.hidden_now.add(question.code)
            cleaned.pop(question.code, None)
            for name in (question.code, f"{question.code}__postcode", f"{question.code}__manual"):
                self.errors.pop(name, None)

    def _clean_answer(self, question: FormQuestion, value: Any) -> Any:
        kind = question.kind
        subject = _subject(question)
        low, high = question.minimum, question.maximum
        if kind == QuestionKind.ADDRESS:
            return self._clean_address(question, value)
        if value in EMPTY:
            return [] if kind == QuestionKind.MULTIPLE_CHOICE else None
        if kind in (QuestionKind.TEXT, QuestionKind.LONG_TEXT):
            value = value.strip()
            if high is not None and len(value) > high:
                raise ValidationError(
                    _("%(subject)s must be %(count)s characters or fewer")
                    % {"subject": subject, "count": high}
                )
            if low is not None and len(value) < low:
                raise ValidationError(
                    _("%(subject)s must be %(count)s characters or more")
                    % {"subject": subject, "count": low}
                )
            return value
        if kind == QuestionKind.NUMBER:
            try:
                number = Decimal(value.strip().replace(",", "").removeprefix("£"))
                if not number.is_finite():
                    raise InvalidOperation
            except InvalidOperation:
                raise ValidationError(
                    _("%(subject)s must be a number") % {"subject": subject}
                ) from None
            # Past 28 digits a whole number cannot be written out to keep (1e100 was a 500).
            if number.copy_abs() >= MAX_NUMBER:
                raise ValidationError(
                    _("%(subject)s must be a smaller number") % {"subject": subject}
                )
            if low is not None and number < low:
                raise ValidationError(
                    _("%(subject)s must be %(number)s or more")
                    % {"subject": subject, "number": low}
                )
            if high is not None and number > high:
                raise ValidationError(
                    _("%(subject)s must be %(number)s or less")
                    % {"subject": subject, "number": high}
                )
            return (
                str(number.quantize(Decimal(1))) if number == number.to_integral() else str(number)
            )
        if kind == QuestionKind.DATE:
            if high is not None and value > _years_from(self.on, high):
                if high == 0:
                    raise ValidationError(
                        _("%(subject)s must be in the past") % {"subject": subject}
                    )
                raise ValidationError(
                    _("%(subject)s must be on or before %(date)s")
                    % {
                        "subject": subject,
                        "date": dateformat.format(_years_from(self.on, high), "j F Y"),
                    }
                )
            if low is not None and value < _years_from(self.on, low):
                if low == 0:
                    raise ValidationError(
                        _("%(subject)s must be today or in the future") % {"subject": subject}
                    )
                raise ValidationError(
                    _("%(subject)s must be on or after %(date)s")
                    % {
                        "subject": subject,
                        "date": dateformat.format(_years_from(self.on, low), "j F Y"),
                    }
                )
            return value.isoformat()
        if kind == QuestionKind.YES_NO:
            return value == "yes"
        if kind == QuestionKind.EMAIL:
            value = value.strip()
            try:
                forms.EmailField().clean(value)
            except ValidationError:
                raise ValidationError(
                    _("Enter an email address in the correct format, like name@example.com")
                ) from None
            return value
        if kind == QuestionKind.PHONE:
            if normalise_uk_phone(value) is None:
                raise ValidationError(
                    _("Enter a phone number, like 01632 960 001 or 07700 900 982")
                )
            return value.strip()
        if kind == QuestionKind.FILE:
            return self._check_file(value)
        return value

    def _check_file(self, upload: UploadedFile) -> UploadedFile:
        name = (upload.name or "").lower()
        if not any(name.endswith(suffix) for suffix in FILE_TYPES):
            raise ValidationError(
                _("The selected file must be a %s") % describe_types(EVIDENCE_TYPES)
            )
        if upload.size > MAX_FILE_BYTES:
            raise ValidationError(_("The selected file must be smaller than 10MB"))
        if upload.size == 0:
            raise ValidationError(_("The selected file is empty"))
        return upload

    def _clean_address(self, question: FormQuestion, uprn: Any) -> dict[str, Any] | None:
        from civicdesk.places.postcodes import is_valid_postcode, normalise_postcode

        code = question.code
        postcode = (self.cleaned_data.get(f"{code}__postcode") or "").strip()
        manual = (self.cleaned_data.get(f"{code}__manual") or "").strip()
        if uprn:
            address = self._addresses.get(code, {}).get(str(uprn))
            if address is None:
                raise ValidationError(_("Select the address"))
            return {"uprn": address.uprn, "text": address.single_line}
        if manual:
            return {"uprn": None, "text": manual}
        if postcode:
            if not is_valid_postcode(normalise_postcode(postcode)):
                self.add_error(f"{code}__postcode", _("Enter a full UK postcode, like KM1 2AB"))
                return None
            if self._addresses.get(code):
                raise ValidationError(_("Select the address"))
            self.add_error(
                f"{code}__manual",
                _("No addresses were found for that postcode. Enter the address."),
            )
            return None
        if question.required:
            self.add_error(f"{code}__postcode", _required_message(question))
        return None

    # Results.

    def cleaned_answers(self) -> dict[str, Any]:
        """This page's answers in their stored form (files are in `uploaded_files`)."""
        return {
            question.code: self.cleaned_data.get(question.code)
            for question in self.questions
            if question.kind != QuestionKind.FILE and question.code not in self.hidden_now
        }

    def uploaded_files(self) -> dict[str, list[UploadedFile]]:
        """The files chosen on this page, by question code; the journey stores them."""
        files: dict[str, list[UploadedFile]] = {}
        for question in self.questions:
            if question.code in self.hidden_now:
                continue
            if question.kind == QuestionKind.FILE and self.cleaned_data.get(question.code):
                files[question.code] = [self.cleaned_data[question.code]]
        return files


def page_form(
    page: FormPage,
    answers: Mapping[str, Any],
    *,
    on: datetime.date,
    data: Any = None,
    files: Any = None,
) -> PageForm:
    """A Django form for the questions of `page` that show, filled in from `answers`."""
    return PageForm(
        data,
        files,
        page=page,
        questions=visible_questions(page, answers, on=on),
        answers=answers,
        on=on,
    )
