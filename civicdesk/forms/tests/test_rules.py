"""The expression language and the rule-set evaluator: checking, evaluating, never crashing."""

import contextlib
import math
from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from civicdesk.forms.rules import (
    MAX_LENGTH,
    Assessment,
    RuleError,
    assess,
    check_expression,
    check_rule_set,
    condition_holds,
    evaluate,
)

ON = date(2026, 11, 23)
NAMES = ["a", "b", "benefits", "date_of_birth", "dla_mobility", "net_earnings", "y"]


# --- checking -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "expression",
    [
        'age(date_of_birth) >= 3 and dla_mobility == "higher"',
        'a >= 8 or (b >= 10 and dla_mobility == "e")',
        '"universal_credit" in benefits and net_earnings <= 7400',
        "reached_state_pension_age(date_of_birth)",
        'today >= date("2026-09-01")',
        "not answered(a) or count(benefits) > 1",
        "1 < a <= 10",
        "dla_mobility in ['higher', 'lower'] and a not in (1, 2, -3)",
        "-a + 3 - b == 0",
        "a == None or a != True",
        "state_pension_date(date_of_birth) <= today",
        "months_since(date_of_birth) >= 6 and years_since(date_of_birth) < 100",
    ],
)
def test_good_expressions_check_clean(expression):
    assert check_expression(expression, NAMES) == []


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ('__import__("os")', 'Unknown function "__import__"'),
        ("().__class__", "Attribute access"),
        ('open("x")', 'Unknown function "open"'),
        ("[x for x in y]", "Comprehensions"),
        ("a.b", "Attribute access"),
        ("a[0]", "Indexing"),
        ("lambda: 1", "lambda"),
        ("age(date_of_birth=a)", "Keyword arguments"),
        ("age(a, b)", "takes exactly one value"),
        ("age(a)(b)", "may be called, by name"),
        ('f"{a}"', "f-strings"),
        ("(y := 1)", '":="'),
        ("a if b else y", "Conditional expressions"),
        ("{1: 2}", "Dictionaries"),
        ("{1, 2}", "Sets"),
        ("a * 2", '"*" is not allowed'),
        ("a ** 2", '"**" is not allowed'),
        ("a / 2", '"/" is not allowed'),
        ("~a", '"~" is not allowed'),
        ("a is None", '"is" is not allowed'),
        ("b'x' == a", "Only text, numbers"),
        ("a == 1j", "Only text, numbers"),
        ("a in [b, 1]", "fixed values"),
        ("_secret == 1", 'beginning with "_"'),
        ('date("31/12/2026") < today', "date() needs a date"),
        ("dla_mobilty == 'higher'", 'Unknown answer "dla_mobilty"'),
        ("age >= 3", '"age" is a function'),
        ("a >=", "not written correctly"),
        ("a == 1; b", "not written correctly"),
        ("*a", "not written correctly"),
        ("a" * (MAX_LENGTH + 1), "too long"),
        ("not " * 40 + "a", "nested too deeply"),
        ("(" * 230 + "a" + ")" * 230, "too many nested parentheses"),
    ],
)
def test_bad_expressions_are_refused_with_a_clear_message(expression, expected):
    problems = check_expression(expression, NAMES)
    assert problems, expression
    assert any(expected in problem for problem in problems), problems
    if not expected.startswith(("Unknown answer", '"age"')):
        # The shape is wrong, so it cannot be evaluated at all.
        with pytest.raises(RuleError):
            evaluate(expression, {}, on=ON)
    # Refused or unknown, a condition simply does not hold.
    assert condition_holds(expression, {"a": 1}, on=ON) is False


def test_the_position_is_given():
    [problem] = check_expression("a == 1 and b.c", NAMES)
    assert "at character 12" in problem


def test_a_condition_that_stops_short_says_so():
    [problem] = check_expression("a +", NAMES)
    assert problem == "The condition is not written correctly: invalid syntax (at the end)."


def test_names_are_only_checked_against_known_names_when_given():
    assert check_expression("anything_at_all == 1", None) == []
    assert check_expression("anything_at_all == 1", []) == [
        'Unknown answer "anything_at_all" in the condition.'
    ]


def test_a_non_text_condition_is_refused():
    assert check_expression(42, NAMES)  # type: ignore[arg-type]
    assert check_expression(["a"], NAMES)  # type: ignore[arg-type]


# --- evaluating -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "answers", "holds"),
    [
        ("", {}, True),
        ("   ", {}, True),
        ("a == 1", {"a": 1}, True),
        ("a == 1", {"a": Decimal("1.0")}, True),
        ("a == 0.1", {"a": Decimal("0.1")}, True),
        ("a < 7400.5", {"a": Decimal("7400.25")}, True),
        ("a <= 7400", {"a": 7400.0}, True),
        ("a == 1", {"a": True}, False),  # yes/no answers are not numbers
        ("a == True", {"a": True}, True),
        ("a == True", {"a": 1}, False),
        ("a == 'x'", {}, False),  # a missing answer is None
        ("a != 'x'", {}, True),
        ("a < 3", {}, False),
        ("a >= 3", {}, False),
        ("a == None", {}, True),
        ("a == None", {"a": 0}, False),
        ("a < 3", {"a": "2"}, False),  # mismatched types do not compare
        ("a != 3", {"a": "3"}, True),
        ("a < 3", {"a": float("nan")}, False),
        ("a == a", {"a": float("nan")}, False),
        ("a >= 0", {"a": Decimal("NaN")}, False),
        ("a >= 0", {"a": Decimal("sNaN")}, False),
        ("a > 1", {"a": float("inf")}, True),
        ("a > 1", {"a": 10**400}, True),
        ("a + 1 > 2", {"a": 2}, True),
        ("a + 1 > 2", {"a": None}, False),
        ("a - 0.5 == 1.5", {"a": Decimal(2)}, True),
        ("-a == -2", {"a": 2}, True),
        ("-a == -2", {"a": "2"}, False),
        ("'x' in a", {"a": ["x", "y"]}, True),
        ("'x' in a", {"a": ("x",)}, True),
        ("'z' in a", {"a": ["x", "y"]}, False),
        ("'x' in a", {"a": None}, False),
        ("'x' not in a", {"a": None}, True),
        ("'x' not in a", {"a": ["y"]}, True),
        ("a in ['higher', 'lower']", {"a": "lower"}, True),
        ("a in ['higher', 'lower']", {"a": ["lower"]}, False),
        ("a in [1, 2]", {"a": Decimal("2")}, True),
        ("1 < a < 3", {"a": 2}, True),
        ("1 < a < 3", {"a": 3}, False),
        ("a and b", {"a": True, "b": "yes"}, True),
        ("a and b", {"a": True, "b": ""}, False),
        ("a or b", {"a": [], "b": 0}, False),
        ("not a", {"a": None}, True),
        ("a > date('2026-01-01')", {"a": date(2026, 6, 1)}, True),
        ("a > date('2026-01-01')", {"a": "2026-06-01"}, True),  # ISO text compares as a date
        ("a > date('2026-01-01')", {"a": datetime(2026, 6, 1, 9, 30)}, True),
        ("a > date('2026-01-01')", {"a": "June"}, False),
        ("a == b", {"a": "2026-06-01", "b": date(2026, 6, 1)}, True),
        ("a < today", {"a": date(2026, 11, 22)}, True),
        ("a < today", {"a": date(2026, 11, 23)}, False),
        ("age(a) >= 3", {"a": date(2023, 11, 23)}, True),
        ("age(a) >= 3", {"a": date(2023, 11, 24)}, False),
        ("age(a) == 2", {"a": "2024-02-29"}, True),
        ("age(a) >= 0", {"a": date(2027, 1, 1)}, False),  # not born yet: no age
        ("age(a) >= 3", {"a": "not a date"}, False),
        ("age(a) >= 3", {"a": 3}, False),
        ("years_since(a) == 10", {"a": date(2016, 11, 23)}, True),
        ("months_since(a) == 11", {"a": date(2025, 12, 23)}, True),
        ("months_since(a) == 10", {"a": date(2025, 12, 24)}, True),
        ("reached_state_pension_age(a)", {"a": date(1959, 1, 1)}, True),
        ("reached_state_pension_age(a)", {"a": date(1960, 12, 31)}, False),
        ("reached_state_pension_age(a)", {"a": None}, False),
        ("reached_state_pension_age(a)", {"a": date(9999, 1, 1)}, False),
        ("state_pension_date(a) == date('2027-09-30')", {"a": date(1960, 12, 31)}, True),
        ("answered(a)", {"a": "  "}, False),
        ("answered(a)", {"a": []}, False),
        ("answered(a)", {"a": 0}, True),
        ("answered(a)", {"a": False}, True),
        ("count(a) == 2", {"a": ["x", "y"]}, True),
        ("count(a) == 0", {}, True),
        ("count(a) == 1", {"a": "x"}, False),
    ],
)
def test_evaluation(expression, answers, holds):
    assert condition_holds(expression, answers, on=ON) is holds


def test_evaluate_returns_values():
    assert evaluate("a + 1", {"a": 1}, on=ON) == 2
    assert evaluate("today", {}, on=ON) == ON
    assert evaluate("age(a)", {"a": date(2000, 11, 24)}, on=ON) == 25
    assert evaluate("a", {"a": (1, 2)}, on=ON) == [1, 2]


def test_evaluation_failures_are_rule_errors():
    # Decimal arithmetic that overflows the context is reported, not raised as is.
    huge = Decimal("9e999999")
    with pytest.raises(RuleError):
        evaluate("a + a", {"a": huge}, on=ON)
    assert condition_holds("a + a > 0", {"a": huge}, on=ON) is False
    with pytest.raises(RuleError):
        evaluate("a == 1", {"a": 1}, on="2026-01-01")  # type: ignore[arg-type]


# --- rule sets ------------------------------------------------------------------------------

RULES = {
    "default": {"outcome": "not_eligible", "reason": "None of the criteria is met."},
    "requirements": [
        {"id": "resident", "when": "resident == True", "reason": "You must live here."}
    ],
    "rules": [
        {"id": "gold", "outcome": "eligible", "when": "score >= 10", "reason": "Ten or more."},
        {
            "id": "silver",
            "outcome": "further_assessment",
            "when": "score >= 5",
            "reason": "Five or more.",
        },
        {"id": "bronze", "outcome": "not_eligible", "when": "score >= 1", "reason": "Some."},
        {
            "id": "new",
            "outcome": "eligible",
            "when": "bonus == True",
            "reason": "A new route.",
            "from": "2026-09-01",
            "until": None,
        },
        {
            "id": "old",
            "outcome": "eligible",
            "when": "legacy == True",
            "reason": "An old route.",
            "from": None,
            "until": "2026-09-01",
        },
    ],
}


@pytest.mark.parametrize(
    ("answers", "on", "outcome", "reasons"),
    [
        ({"resident": False, "score": 20}, ON, "not_eligible", ["You must live here."]),
        ({"score": 20}, ON, "not_eligible", ["You must live here."]),
        ({"resident": True, "score": 20}, ON, "eligible", ["Ten or more."]),
        ({"resident": True, "score": 7}, ON, "further_assessment", ["Five or more."]),
        ({"resident": True, "score": 2}, ON, "not_eligible", ["Some."]),
        ({"resident": True, "score": 0}, ON, "not_eligible", ["None of the criteria is met."]),
        ({"resident": True, "bonus": True}, date(2026, 8, 31), "not_eligible", None),
        ({"resident": True, "bonus": True}, date(2026, 9, 1), "eligible", ["A new route."]),
        ({"resident": True, "legacy": True}, date(2026, 8, 31), "eligible", ["An old route."]),
        ({"resident": True, "legacy": True}, date(2026, 9, 1), "not_eligible", None),
        (
            {"resident": True, "score": 20, "bonus": True},
            ON,
            "eligible",
            ["Ten or more.", "A new route."],
        ),
    ],
)
def test_assess(answers, on, outcome, reasons):
    assessment = assess(RULES, answers, on=on, code="demo", version=3)
    assert assessment.outcome == outcome
    if reasons is not None:
        assert assessment.reasons == reasons
    assert assessment.rules_code == "demo"
    assert assessment.rules_version == 3
    assert assessment.on == on


def test_other_matched_rules_are_notes():
    assessment = assess(RULES, {"resident": True, "score": 12}, on=ON)
    assert assessment.reasons == ["Ten or more."]
    assert assessment.notes == ["Five or more.", "Some."]


def test_as_json():
    assessment = assess(RULES, {"resident": True, "score": 12}, on=ON, code="x", version=2)
    assert assessment.as_json() == {
        "outcome": "eligible",
        "reasons": ["Ten or more."],
        "notes": ["Five or more.", "Some."],
        "rules": "x",
        "version": 2,
        "on": "2026-11-23",
    }
    assert isinstance(assessment, Assessment)


def test_a_rule_that_cannot_be_evaluated_sends_it_to_a_person():
    definition = {
        "rules": [
            {"id": "sum", "outcome": "eligible", "when": "a + a > 1", "reason": "Big."},
            {"id": "low", "outcome": "not_eligible", "when": "b == 1", "reason": "Low."},
        ]
    }
    huge = Decimal("9e999999")
    assessment = assess(definition, {"a": huge, "b": 1}, on=ON)
    assert assessment.outcome == "further_assessment"
    assert any('Rule "sum" could not be evaluated' in note for note in assessment.notes)
    assessment = assess(definition, {"a": huge}, on=ON)
    assert assessment.outcome == "further_assessment"
    assert "a person needs to look" in assessment.reasons[0]


def test_a_requirement_that_cannot_be_evaluated_sends_it_to_a_person():
    definition = {
        "requirements": [{"id": "r", "when": "a + a > 1", "reason": "Must be big."}],
        "rules": [{"id": "x", "outcome": "eligible", "when": "True", "reason": "Yes."}],
    }
    assessment = assess(definition, {"a": Decimal("9e999999")}, on=ON)
    assert assessment.outcome == "further_assessment"
    assert assessment.reasons == ["Must be big."]
    assert 'Requirement "r" could not be checked' in assessment.notes[0]


def test_a_broken_rule_set_raises_rule_error():
    with pytest.raises(RuleError, match="outcome"):
        assess({"rules": [{"id": "x", "when": "a", "reason": "r"}]}, {}, on=ON)


def test_a_good_rule_set_checks_clean():
    assert check_rule_set(RULES) == []
    assert check_rule_set(RULES, ["resident", "score", "bonus", "legacy"]) == []


@pytest.mark.parametrize(
    ("definition", "expected"),
    [
        ([], "must be a JSON object"),
        ({"rules": []}, "has no rules"),
        ({"rules": {}}, '"rules" must be a list'),
        ({"rulez": [], "rules": []}, '"rulez" is not part of a rule set'),
        ({"default": "no", "rules": []}, "The default must be an object"),
        ({"default": {"outcome": "maybe", "reason": "r"}}, "default outcome must be one of"),
        ({"default": {"outcome": "eligible"}}, "default needs a reason"),
        ({"rules": ["x"]}, "The rule at position 1 has no id"),
        (
            {"rules": [{"outcome": "eligible", "when": "score > 1", "reason": "r"}]},
            "The rule at position 1 has no id",
        ),
        (
            {"rules": [{"id": "a", "outcome": "yes", "when": "score > 1", "reason": "r"}]},
            'Rule "a": the outcome must be one of',
        ),
        (
            {"rules": [{"id": "a", "outcome": "eligible", "when": "score > 1"}]},
            'Rule "a": give a reason',
        ),
        (
            {"rules": [{"id": "a", "outcome": "eligible", "when": "", "reason": "r"}]},
            'Rule "a": give a condition',
        ),
        (
            {"rules": [{"id": "a", "outcome": "eligible", "when": "scor > 1", "reason": "r"}]},
            'Rule "a": Unknown answer "scor"',
        ),
        (
            {"rules": [{"id": "a", "outcome": "eligible", "when": "score.x", "reason": "r"}]},
            'Rule "a": Attribute access',
        ),
        (
            {
                "rules": [
                    {"id": "a", "outcome": "eligible", "when": "score > 1", "reason": "r"},
                    {"id": "a", "outcome": "eligible", "when": "score > 2", "reason": "r"},
                ]
            },
            'Rule "a": another rule has the same id',
        ),
        (
            {
                "rules": [
                    {
                        "id": "a",
                        "outcome": "eligible",
                        "when": "score > 1",
                        "reason": "r",
                        "from": "1 April 2018",
                    }
                ]
            },
            'Rule "a": "from" must be a date',
        ),
        (
            {
                "rules": [
                    {
                        "id": "a",
                        "outcome": "eligible",
                        "when": "score > 1",
                        "reason": "r",
                        "from": "2026-09-01",
                        "until": "2026-09-01",
                    }
                ]
            },
            'Rule "a": "until" must be after "from"',
        ),
        (
            {
                "rules": [
                    {"id": "a", "outcome": "eligible", "when": "score > 1", "reason": "r", "x": 1}
                ]
            },
            'Rule "a": "x" is not a setting',
        ),
        (
            {
                "requirements": [{"id": "r", "when": "resident = True", "reason": "r"}],
                "rules": [{"id": "a", "outcome": "eligible", "when": "score > 1", "reason": "r"}],
            },
            'Requirement "r": The condition is not written correctly',
        ),
    ],
)
def test_bad_rule_sets_are_refused_with_the_rule_named(definition, expected):
    problems = check_rule_set(definition, ["score", "resident"])
    assert any(expected in problem for problem in problems), problems


# --- properties -----------------------------------------------------------------------------

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**30, max_value=10**400),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.sampled_from([Decimal("sNaN"), Decimal("9e999999"), Decimal("-9e999999"), math.inf]),
    st.text(max_size=20),
    st.sampled_from(["higher", "universal_credit", "2026-09-01", "2026-02-30", "0", ""]),
    st.dates(),
    st.datetimes(),
)
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.tuples(children, children),
        st.dictionaries(st.text(max_size=5), children, max_size=3),
    ),
    max_leaves=12,
)
answers_strategy = st.dictionaries(st.sampled_from([*NAMES, "score", "resident"]), values)

_leaf = st.one_of(
    st.sampled_from([*NAMES, "today"]),
    st.integers(-(10**6), 10**6).map(str),
    st.sampled_from(["0.5", "7400", "True", "False", "None", '"higher"', "'universal_credit'"]),
    st.sampled_from(['date("2026-09-01")', "[1, 'a', None]", "('x', -2)"]),
)


def _combine(children):
    functions = [
        "age",
        "years_since",
        "months_since",
        "reached_state_pension_age",
        "state_pension_date",
        "answered",
        "count",
    ]
    return st.one_of(
        st.tuples(children, st.sampled_from(["and", "or"]), children).map(" ".join),
        st.tuples(
            children,
            st.sampled_from(["==", "!=", "<", "<=", ">", ">=", "in", "not in"]),
            children,
        ).map(" ".join),
        st.tuples(children, st.sampled_from(["+", "-"]), children).map(" ".join),
        children.map(lambda c: f"not {c}"),
        children.map(lambda c: f"-{c}"),
        children.map(lambda c: f"({c})"),
        st.tuples(st.sampled_from(functions), children).map(lambda p: f"{p[0]}({p[1]})"),
    )


expressions = st.recursive(_leaf, _combine, max_leaves=10)
PROPERTY = settings(
    max_examples=150,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@PROPERTY
@given(expression=expressions, answers=answers_strategy, on=st.dates())
def test_grammar_expressions_check_clean_or_are_refused_and_never_crash(expression, answers, on):
    problems = check_expression(expression, NAMES)
    if not problems:
        # Clean expressions evaluate; the only failure allowed is a RuleError.
        with contextlib.suppress(RuleError):
            evaluate(expression, answers, on=on)
    assert condition_holds(expression, answers, on=on) in (True, False)


@PROPERTY
@given(expression=st.text(max_size=60), answers=answers_strategy)
def test_any_text_is_checked_or_refused_and_never_crashes(expression, answers):
    problems = check_expression(expression, NAMES)
    assert isinstance(problems, list)
    assert all(isinstance(problem, str) and problem for problem in problems)
    assert condition_holds(expression, answers, on=ON) in (True, False)


@PROPERTY
@given(answers=answers_strategy, on=st.dates())
def test_assess_never_raises_on_any_answers(answers, on):
    assessment = assess(RULES, answers, on=on)
    assert assessment.outcome in ("eligible", "further_assessment", "not_eligible")
    assert assessment.reasons
    assessment.as_json()


@PROPERTY
@given(answers=st.one_of(st.none(), st.lists(values), values))
def test_assess_survives_answers_that_are_not_a_mapping(answers):
    assert assess(RULES, answers, on=ON).outcome == "not_eligible"  # type: ignore[arg-type]
