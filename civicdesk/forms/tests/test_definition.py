import pytest

from civicdesk.forms import services
from civicdesk.forms.definition import check_version
from civicdesk.forms.models import FormPage, FormQuestion, QuestionKind


def _problems(version):
    return " | ".join(check_version(version))


def test_a_good_definition_has_no_problems(conditional):
    assert check_version(conditional) == []


def test_no_pages(draft):
    assert "no pages" in _problems(draft)


def test_a_page_without_questions(administrator, draft):
    services.add_page(actor=administrator, version=draft, title="Empty")
    assert "Page 1 (Empty) has no questions" in _problems(draft)


def test_duplicate_codes(conditional):
    # Duplicate page numbers are also refused by the database (form_page_number).
    FormQuestion.objects.filter(code="email").update(code="full_name")
    problems = _problems(conditional)
    assert "question full_name: the code is already used on page 1" in problems


def test_codes_must_be_answer_names(administrator, conditional):
    FormQuestion.objects.filter(code="email").update(code="1st-email")
    assert "question 1st-email: the code must start with a letter" in _problems(conditional)


@pytest.mark.parametrize(
    ("choices", "message"),
    [
        ([], "add the choices"),
        ([{"key": "a", "label": "A"}, {"key": "a", "label": "B"}], "the choice key a is used"),
        ([{"key": "", "label": "A"}], "every choice needs a key and a label"),
    ],
)
def test_choice_questions(administrator, conditional, choices, message):
    page = conditional.pages.get(number=3)
    question = services.add_question(
        actor=administrator, page=page, code="rate", kind=QuestionKind.SINGLE_CHOICE, label="Rate"
    )
    FormQuestion.objects.filter(pk=question.pk).update(choices=choices)
    assert f"Page 3, question rate: {message}" in _problems(conditional)


def test_minimum_above_maximum(conditional):
    FormQuestion.objects.filter(code="pip_points").update(minimum=10, maximum=2)
    assert "question pip_points: the minimum is more than the maximum" in _problems(conditional)


def test_a_condition_must_check_and_use_earlier_answers(conditional):
    FormPage.objects.filter(number=2, version=conditional).update(show_if="gets_pip ==")
    FormQuestion.objects.filter(code="full_name").update(show_if="email == 'x'")
    problems = _problems(conditional)
    assert "Page 2 (PIP): the condition does not check" in problems
    assert "Page 1, question full_name: the condition does not check" in problems


def test_a_later_question_on_the_same_page_may_not_be_used(conditional):
    FormQuestion.objects.filter(code="full_name").update(show_if="gets_pip == True")
    assert "question full_name: the condition does not check" in _problems(conditional)
    FormQuestion.objects.filter(code="full_name").update(show_if="")
    FormQuestion.objects.filter(code="gets_pip").update(show_if="full_name != ''")
    assert check_version(conditional) == []


def test_fee_below_zero(conditional):
    conditional.fee_pence = -1
    assert "The fee cannot be less than zero" in _problems(conditional)


def test_eligibility_rules_must_be_published_and_use_the_form_answers(
    administrator, council, conditional
):
    conditional.eligibility_code = "badge"
    assert "No eligibility rules called badge are published" in _problems(conditional)
    rules = services.save_rules(
        actor=administrator,
        organisation=council,
        code="badge",
        title="Badge",
        definition={
            "rules": [
                {"id": "dla", "outcome": "eligible", "when": "dla == 'higher'", "reason": "DLA"}
            ]
        },
    )
    services.publish_rules(actor=administrator, rules=rules)
    problems = _problems(conditional)
    assert "The eligibility rules badge:" in problems
    assert "dla" in problems


def test_publishing_refuses_a_broken_definition_with_the_messages(administrator, draft):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        services.publish_version(actor=administrator, version=draft)
    assert any("no pages" in message for message in refused.value.messages)
    draft.refresh_from_db()
    assert draft.status == "draft"
