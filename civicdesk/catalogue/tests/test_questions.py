"""A service's own questions: checking answers for every channel, and showing them in words."""

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from civicdesk.cases.tests.factories import ServiceFactory
from civicdesk.catalogue.models import QuestionType, ServiceQuestion
from civicdesk.catalogue.questions import answers_in_words, clean_answers, questions_for
from civicdesk.catalogue.services import add_question

pytestmark = pytest.mark.django_db

COLOURS = [{"key": "red", "name": "Red"}, {"key": "blue", "name": "Blue"}]


@pytest.fixture
def service(council: Any) -> Any:
    service = ServiceFactory(organisation=council)
    add_question(
        actor=None,
        service=service,
        code="colour",
        prompt="Colour?",
        datatype=QuestionType.SINGLE_CHOICE,
        required=True,
        choices=COLOURS,
    )
    add_question(
        actor=None,
        service=service,
        code="also",
        prompt="Also?",
        datatype=QuestionType.MULTIPLE_CHOICE,
        choices=COLOURS,
    )
    add_question(
        actor=None, service=service, code="count", prompt="How many?", datatype=QuestionType.NUMBER
    )
    add_question(
        actor=None, service=service, code="when", prompt="When?", datatype=QuestionType.DATETIME
    )
    add_question(
        actor=None, service=service, code="reg", prompt="Registration", datatype=QuestionType.STRING
    )
    return service  # fmt: skip


def test_answers_are_kept_in_their_own_form(service):
    answers = clean_answers(
        service,
        {"colour": "red", "also": ["blue", "red", "blue"], "count": "1,200",
         "when": "2026-11-23T14:30", "reg": "  AB12 CDE ", "unasked": "x"},
    )  # fmt: skip
    assert answers == {
        "colour": "red",
        "also": ["blue", "red"],
        "count": 1200,
        "when": "2026-11-23T14:30:00",
        "reg": "AB12 CDE",
    }


def test_decimal_numbers_stay_decimal(service):
    assert clean_answers(service, {"colour": "red", "count": "2.5"})["count"] == 2.5


@pytest.mark.parametrize(
    ("raw", "code", "words"),
    [
        ({}, "colour", "Select an answer"),
        ({"colour": "green"}, "colour", "Select from the list"),
        ({"colour": ["red", "blue"]}, "colour", "Give one answer"),
        ({"colour": "red", "also": ["green"]}, "also", "Select from the list"),
        ({"colour": "red", "count": "lots"}, "count", "must be a number"),
        ({"colour": "red", "count": "NaN"}, "count", "must be a number"),
        ({"colour": "red", "when": "next Tuesday"}, "when", "must be a date and time"),
        ({"colour": "red", "reg": "x" * 501}, "reg", "500 characters or fewer"),
    ],
)
def test_wrong_answers_are_refused_by_question(service, raw, code, words):
    with pytest.raises(ValidationError) as error:
        clean_answers(service, raw)
    assert words in error.value.message_dict[code][0]


def test_withdrawn_questions_are_not_asked(service):
    ServiceQuestion.objects.filter(code="colour").update(is_active=False)
    service.refresh_from_db()
    assert "colour" not in [question.code for question in questions_for(service)]
    assert clean_answers(service, {}) == {}


def test_answers_in_words_use_choice_names_and_keep_old_answers(service):
    shown = answers_in_words(service, {"colour": "red", "also": ["blue"], "gone": "kept"})
    assert [(a.prompt, a.text) for a in shown] == [
        ("Colour?", "Red"),
        ("Also?", "Blue"),
        ("Gone", "kept"),
    ]


@pytest.mark.parametrize(
    ("datatype", "choices", "message"),
    [
        (QuestionType.SINGLE_CHOICE, [], "Give the choices as a list."),
        (QuestionType.SINGLE_CHOICE, [{"key": "a"}], "Each choice needs a key and a name."),
        (QuestionType.MULTIPLE_CHOICE, COLOURS + COLOURS[:1], "Each choice needs its own key."),
        (QuestionType.STRING, COLOURS, "Only list questions have choices."),
    ],
)
def test_a_broken_question_is_refused(service, datatype, choices, message):
    with pytest.raises(ValidationError) as error:
        add_question(actor=None, service=service, code="broken", prompt="Broken?",
                     datatype=datatype, choices=choices)  # fmt: skip
    assert message in error.value.message_dict["choices"]


answers = st.dictionaries(
    st.sampled_from(["colour", "also", "count", "when", "reg", "other"]),
    st.one_of(st.text(max_size=30), st.lists(st.text(max_size=10), max_size=3), st.none()),
)


# The service is only read, so sharing it between examples is safe.
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw=answers)
def test_any_answers_are_either_kept_or_refused_with_messages(service, raw):
    try:
        cleaned = clean_answers(service, raw)
    except ValidationError as error:
        assert error.message_dict
    else:
        assert set(cleaned) <= {"colour", "also", "count", "when", "reg"}
