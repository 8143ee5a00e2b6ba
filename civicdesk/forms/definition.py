"""Checking a form definition before it is published: every problem, in plain English."""

import re

from django.utils.translation import gettext as _

from civicdesk.forms.models import FormVersion, QuestionKind
from civicdesk.forms.selectors import rules_in_force

CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
CHOICE_KINDS = {QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE}


def _where(page, question=None) -> str:
    if question is None:
        return _("Page %(number)s (%(title)s)") % {"number": page.number, "title": page.title}
    return _("Page %(number)s, question %(code)s") % {
        "number": page.number,
        "code": question.code or question.label,
    }


def _check_choices(where: str, choices: object) -> list[str]:
    if not isinstance(choices, list) or not choices:
        return [_("%(where)s: add the choices") % {"where": where}]
    problems = []
    seen: set[str] = set()
    for choice in choices:
        key = str(choice.get("key", "")).strip() if isinstance(choice, dict) else ""
        label = str(choice.get("label", "")).strip() if isinstance(choice, dict) else ""
        if not key or not label:
            problems.append(_("%(where)s: every choice needs a key and a label") % {"where": where})
        elif key in seen:
            problems.append(
                _("%(where)s: the choice key %(key)s is used twice") % {"where": where, "key": key}
            )
        seen.add(key)
    return problems


def _check_condition(where: str, expression: str, known: list[str]) -> list[str]:
    from civicdesk.forms.rules import check_expression

    return [
        _("%(where)s: the condition does not check: %(problem)s")
        % {"where": where, "problem": problem}
        for problem in check_expression(expression, known)
    ]


def check_version(version: FormVersion) -> list[str]:
    """Every problem with the definition of `version`; an empty list if it can be published."""
    problems: list[str] = []
    pages = list(version.pages.prefetch_related("questions").order_by("number", "pk"))
    if not pages:
        problems.append(_("The form has no pages. Add at least one page with a question."))
    if version.fee_pence is not None and version.fee_pence < 0:
        problems.append(_("The fee cannot be less than zero."))
    if version.grant_valid_for_days is not None and version.grant_valid_for_days <= 0:
        problems.append(_("How long a grant lasts must be at least 1 day, or left empty."))

    seen_numbers: set[int] = set()
    seen_codes: dict[str, int] = {}
    asked: list[str] = []  # codes asked so far, in order
    for page in pages:
        where = _where(page)
        if page.number in seen_numbers:
            problems.append(_("%(where)s: another page has the same number") % {"where": where})
        seen_numbers.add(page.number)
        if page.show_if.strip():
            problems += _check_condition(where, page.show_if, list(asked))
        questions = list(page.questions.all())
        if not questions:
            problems.append(_("%(where)s has no questions") % {"where": where})
        for question in questions:
            at = _where(page, question)
            code = question.code
            if not CODE.match(code or ""):
                problems.append(
                    _(
                        "%(where)s: the code must start with a letter and use only letters, "
                        "digits and underscores"
                    )
                    % {"where": at}
                )
            elif code in seen_codes:
                problems.append(
                    _("%(where)s: the code is already used on page %(page)s")
                    % {"where": at, "page": seen_codes[code]}
                )
            if question.kind not in QuestionKind.values:
                problems.append(_("%(where)s: choose what kind of question it is") % {"where": at})
            if question.kind in CHOICE_KINDS:
                problems += _check_choices(at, question.choices)
            if (
                question.minimum is not None
                and question.maximum is not None
                and question.minimum > question.maximum
            ):
                problems.append(
                    _("%(where)s: the minimum is more than the maximum") % {"where": at}
                )
            if question.show_if.strip():
                problems += _check_condition(at, question.show_if, list(asked))
            if code:
                seen_codes.setdefault(code, page.number)
                asked.append(code)

    if version.eligibility_code:
        problems += _check_eligibility(version, list(seen_codes))
    return problems


def _check_eligibility(version: FormVersion, codes: list[str]) -> list[str]:
    from civicdesk.forms.rules import check_rule_set

    rules = rules_in_force(version.form.organisation, version.eligibility_code)
    if rules is None:
        return [
            _("No eligibility rules called %(code)s are published")
            % {"code": version.eligibility_code}
        ]
    return [
        _("The eligibility rules %(code)s: %(problem)s")
        % {"code": version.eligibility_code, "problem": problem}
        for problem in check_rule_set(rules.definition, codes)
    ]
