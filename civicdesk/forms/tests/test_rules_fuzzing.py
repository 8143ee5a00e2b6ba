"""The eligibility evaluator against random expressions, answers and rule sets: it evaluates or
raises its own RuleError, never anything else; an expression that checks clean evaluates on
any answers a form can give without even that; and the size limits keep every expression quick.

test_rules.py holds the examples; this file adds grammar with the constructs the language
refuses, answers typed as the form runner types them, whole rule sets, and the limits."""

import time
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from civicdesk.api.tests.fuzzing import fuzz_settings
from civicdesk.forms.rules import (
    FUNCTIONS,
    MAX_DEPTH,
    MAX_LENGTH,
    OUTCOMES,
    RuleError,
    assess,
    check_expression,
    check_rule_set,
    condition_holds,
    evaluate,
)

NAMES = ["points", "born", "blind", "rate", "benefits", "home", "name", "earnings"]

# Answers as forms.runner.typed_answers gives them: Decimal numbers (within the runner's
# limit), dates, booleans, texts, choice lists and addresses; or missing.
FORM_ANSWERS = st.dictionaries(
    st.sampled_from(NAMES),
    st.one_of(
        st.decimals(min_value=-(10**15) + 1, max_value=10**15 - 1, allow_nan=False),
        st.dates(),
        st.booleans(),
        st.text(max_size=20),
        st.sampled_from(["higher", "2026-02-29", "2024-02-29", "0001-01-01", "9999-12-31"]),
        st.lists(st.sampled_from(["uc", "pc", "dla"]), max_size=3),
        st.fixed_dictionaries({"uprn": st.none(), "text": st.text(max_size=10)}),
    ),
)
# Anything at all, as a broken or tampered store might hold.
ANY_VALUE = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(),
        st.decimals(),
        st.text(max_size=10),
        st.dates(),
        st.datetimes(),
        st.binary(max_size=5),
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.tuples(children),
        st.dictionaries(st.text(max_size=3), children, max_size=2),
        st.frozensets(st.integers(), max_size=2),
    ),
    max_leaves=8,
)
ANY_ANSWERS = st.one_of(st.dictionaries(st.sampled_from(NAMES), ANY_VALUE), ANY_VALUE)

LEAVES = st.one_of(
    st.sampled_from([*NAMES, "today", "unknown", "_private", "__import__", "True", "None"]),
    st.integers(-(10**30), 10**30).map(str),
    st.floats(allow_nan=False).map(repr),
    st.sampled_from(['"higher"', "'uc'", "'\\x00'", '"2026-09-01"', 'b"x"', "1j", "...", "1e999"]),
    st.sampled_from(['date("2026-09-01")', 'date("2026-02-30")', "[1, 'a', None]", "(-2,)"]),
)


def _grow(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Every construct, allowed or not, so that the checker's refusals are tried too."""
    operators = ["and", "or", "==", "!=", "<", "<=", ">", ">=", "in", "not in", "is", "+",
                 "-", "*", "/", "//", "%", "**", "<<", "&", "|", "@"]  # fmt: skip
    functions = [*FUNCTIONS, "eval", "open", "len"]
    return st.one_of(
        st.tuples(children, st.sampled_from(operators), children).map(" ".join),
        children.map(lambda c: f"not {c}"),
        children.map(lambda c: f"-{c}"),
        children.map(lambda c: f"~{c}"),
        children.map(lambda c: f"({c})"),
        children.map(lambda c: f"[{c}, {c}]"),
        children.map(lambda c: f"{c}.real"),
        children.map(lambda c: f"{c}[0]"),
        children.map(lambda c: f"lambda: {c}"),
        children.map(lambda c: f"[x for x in {c}]"),
        children.map(lambda c: f"{{{c}: 1}}"),
        children.map(lambda c: f"f'{{{c}}}'"),
        st.tuples(st.sampled_from(functions), children).map(lambda p: f"{p[0]}({p[1]})"),
        st.tuples(st.sampled_from(functions), children).map(lambda p: f"{p[0]}({p[1]}, {p[1]})"),
        st.tuples(children, children, children).map(lambda p: f"{p[0]} if {p[1]} else {p[2]}"),
    )


def _grow_allowed(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Only what the language allows, so that most of these check clean."""
    operators = ["and", "or", "==", "!=", "<", "<=", ">", ">=", "in", "not in", "+", "-"]
    return st.one_of(
        st.tuples(children, st.sampled_from(operators), children).map(" ".join),
        children.map(lambda c: f"not {c}"),
        children.map(lambda c: f"-{c}"),
        children.map(lambda c: f"({c})"),
        st.tuples(st.sampled_from(sorted(set(FUNCTIONS) - {"date"})), children).map(
            lambda p: f"{p[0]}({p[1]})"
        ),
    )


EXPRESSIONS = st.one_of(st.recursive(LEAVES, _grow, max_leaves=12), st.text(max_size=40))
ALLOWED = st.recursive(LEAVES, _grow_allowed, max_leaves=12)


@fuzz_settings(300)
@given(expression=EXPRESSIONS, answers=ANY_ANSWERS, on=st.dates())
def test_any_expression_on_any_answers_evaluates_or_raises_a_rule_error(
    expression: str, answers: Any, on: date
) -> None:
    problems = check_expression(expression, NAMES)
    assert all(isinstance(problem, str) and problem for problem in problems)
    try:
        evaluate(expression, answers, on=on)
    except RuleError as error:
        assert str(error)
    assert condition_holds(expression, answers, on=on) in (True, False)


@fuzz_settings(300)
@given(expression=ALLOWED, answers=FORM_ANSWERS, on=st.dates())
def test_a_clean_expression_evaluates_on_any_answers_a_form_gives(
    expression: str, answers: dict[str, Any], on: date
) -> None:
    """Evaluation turns anything unexpected into a RuleError, which would hide a bug: here,
    an expression that checks clean must not need that on answers a form can give."""
    if check_expression(expression, [*NAMES, "unknown"]):
        return
    evaluate(expression, answers, on=on)


RULE_ENTRY = st.fixed_dictionaries(
    {"id": st.one_of(st.sampled_from(["a", "b", "c"]), st.text(max_size=3))},
    optional={
        "outcome": st.one_of(st.sampled_from(OUTCOMES), st.text(max_size=5)),
        "when": st.one_of(EXPRESSIONS, st.integers()),
        "reason": st.one_of(st.just("Because."), st.text(max_size=5), st.none()),
        "from": st.one_of(st.none(), st.dates().map(date.isoformat), st.text(max_size=10)),
        "until": st.one_of(st.none(), st.dates().map(date.isoformat), st.integers()),
        "other": ANY_VALUE,
    },
)
RULE_SETS = st.one_of(
    st.fixed_dictionaries(
        {},
        optional={
            "default": st.one_of(
                st.fixed_dictionaries({"outcome": st.sampled_from(OUTCOMES), "reason": st.text()}),
                ANY_VALUE,
            ),
            "requirements": st.one_of(st.lists(RULE_ENTRY, max_size=3), ANY_VALUE),
            "rules": st.one_of(st.lists(RULE_ENTRY, max_size=4), ANY_VALUE),
            "title": st.text(max_size=5),
        },
    ),
    ANY_VALUE,
)


@fuzz_settings(300)
@given(definition=RULE_SETS, answers=ANY_ANSWERS, on=st.dates())
def test_any_rule_set_is_checked_and_assessed_or_refused(
    definition: Any, answers: Any, on: date
) -> None:
    problems = check_rule_set(definition, NAMES)
    assert all(isinstance(problem, str) and problem for problem in problems)
    try:
        assessment = assess(definition, answers, on=on)
    except RuleError as error:
        assert str(error)
    else:
        assert assessment.outcome in OUTCOMES and assessment.reasons
        assessment.as_json()


# The limits that keep evaluation quick, at their edges.

AT_THE_LIMITS = [
    "9" * MAX_LENGTH,
    "-" * (MAX_LENGTH - 1) + "1",
    "not " * 120 + "blind",
    "(" * 240 + "1" + ")" * 240,
    " or ".join(["blind"] * 55),
    "points == " * 45 + "points",
    "1 + " * 120 + "1",
    f"[{', '.join(['1'] * 120)}] == [{', '.join(['1'] * 120)}]"[:MAX_LENGTH],
    "'" + "a" * (MAX_LENGTH - 14) + "' in name",
    "age(" * MAX_DEPTH + "born" + ")" * MAX_DEPTH,
    "'uc' in benefits and " * 23 + "True",
]


@pytest.mark.parametrize("expression", AT_THE_LIMITS)
def test_an_expression_at_the_limits_is_quick_to_check_and_evaluate(expression: str) -> None:
    assert len(expression) <= MAX_LENGTH
    answers = {
        "points": Decimal("999999999999999"),
        "born": date(1950, 3, 7),
        "blind": True,
        "name": "a" * 10_000,
        "benefits": ["pc"] * 1000,
    }
    started = time.perf_counter()
    for day in (date(1, 1, 1), date(2026, 11, 23), date(9999, 12, 31)):
        check_expression(expression, NAMES)
        condition_holds(expression, answers, on=day)
    # Each takes well under a millisecond; a second means something has gone quadratic.
    assert time.perf_counter() - started < 1.0


def test_one_character_over_the_limit_is_refused_unread() -> None:
    assert check_expression("1" * (MAX_LENGTH + 1), NAMES) == [
        f"The condition is too long: at most {MAX_LENGTH} characters (it has {MAX_LENGTH + 1})."
    ]
