"""A small, safe expression language for form conditions and eligibility rules.

Conditions ("show this page if ...") and eligibility rules are written by administrators as
expressions such as::

    age(date_of_birth) >= 3 and dla_mobility == "higher"
    "universal_credit" in benefits and net_earnings <= 7400
    reached_state_pension_age(date_of_birth)

An expression is parsed with `ast.parse(..., mode="eval")` and evaluated by walking a whitelist
of node types here; nothing is ever passed to eval, exec or compile. Names are answer codes
(`today` is the day of evaluation); the only calls are the functions in `FUNCTIONS`.

Evaluation never raises anything but `RuleError`, whatever the answers hold: comparisons
between mismatched types (or with a missing answer, which is None) are false, and `!=` true;
numbers compare across int, float and Decimal; a text answer holding an ISO date compares as a
date where the other side is a date.

A rule set (`EligibilityRules.definition`) is a dict::

    {"default": {"outcome": "not_eligible", "reason": "None of the criteria is met."},
     "requirements": [{"id": "resident", "when": "lives_in_area == True",
                       "reason": "You must live in the council's area."}],
     "rules": [{"id": "dla", "outcome": "eligible", "when": "...", "reason": "...",
                "from": "2019-08-30", "until": None}]}

`assess` applies it: any requirement that is false gives not_eligible; then, of the rules in
force on the day, the strongest outcome matched wins (eligible > further_assessment >
not_eligible); nothing matched gives the default. A rule that cannot be evaluated sends the
application to a person (further_assessment) instead of failing.
"""

from __future__ import annotations

import ast
import functools
import math
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from civicdesk.forms import pension_age

__all__ = [
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "OUTCOMES",
    "Assessment",
    "RuleError",
    "assess",
    "check_expression",
    "check_rule_set",
    "condition_holds",
    "evaluate",
]

MAX_LENGTH = 500
MAX_DEPTH = 20
# Outcomes from the strongest to the weakest.
ELIGIBLE = "eligible"
FURTHER_ASSESSMENT = "further_assessment"
NOT_ELIGIBLE = "not_eligible"
OUTCOMES = (ELIGIBLE, FURTHER_ASSESSMENT, NOT_ELIGIBLE)
_STRENGTH = {ELIGIBLE: 2, FURTHER_ASSESSMENT: 1, NOT_ELIGIBLE: 0}

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_MAX_VALUE_DEPTH = 50


class RuleError(Exception):
    """A condition or rule set that cannot be evaluated; the message says why."""


# --- values -------------------------------------------------------------------------------


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _is_nan(value: Any) -> bool:
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, Decimal):
        return value.is_nan()
    return False


def _as_decimal(value: int | float | Decimal) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        # The shortest text of the float, so that 0.1 equals Decimal("0.1").
        return Decimal(repr(value))
    return Decimal(value)


def _as_date(value: Any) -> date | None:
    """A date from a date, a datetime or an ISO date text (YYYY-MM-DD); otherwise None."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _normalise(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, tuple):
        return list(value)
    return value


def _truthy(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if _is_number(value):
        return not _is_nan(value) and value != 0
    if isinstance(value, str | list | tuple | dict | set | frozenset):
        return len(value) > 0
    return isinstance(value, date)


def _equal(left: Any, right: Any, depth: int = 0) -> bool:
    if depth > _MAX_VALUE_DEPTH:
        return False
    if left is None or right is None:
        return left is None and right is None
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left is right
    if _is_number(left) and _is_number(right):
        if _is_nan(left) or _is_nan(right):
            return False
        return _as_decimal(left) == _as_decimal(right)
    if isinstance(left, date) or isinstance(right, date):
        left_date, right_date = _as_date(left), _as_date(right)
        return left_date is not None and right_date is not None and left_date == right_date
    if isinstance(left, str) and isinstance(right, str):
        return left == right
    if isinstance(left, list | tuple) and isinstance(right, list | tuple):
        return len(left) == len(right) and all(
            _equal(a, b, depth + 1) for a, b in zip(left, right, strict=True)
        )
    return False


def _order(left: Any, right: Any) -> int | None:
    """-1, 0 or 1 comparing two values of the same kind; None when they do not compare."""
    if left is None or right is None or isinstance(left, bool) or isinstance(right, bool):
        return None
    pair: tuple[Any, Any] | None = None
    if _is_number(left) and _is_number(right):
        if _is_nan(left) or _is_nan(right):
            return None
        pair = (_as_decimal(left), _as_decimal(right))
    elif isinstance(left, date) or isinstance(right, date):
        left_date, right_date = _as_date(left), _as_date(right)
        if left_date is None or right_date is None:
            return None
        pair = (left_date, right_date)
    elif isinstance(left, str) and isinstance(right, str):
        pair = (left, right)
    if pair is None:
        return None
    a, b = pair
    return (a > b) - (a < b)


def _contains(container: Any, item: Any) -> bool | None:
    if isinstance(container, list | tuple):
        return any(_equal(item, element) for element in container)
    if isinstance(container, str) and isinstance(item, str):
        return item in container
    return None


def _compare(op: ast.cmpop, left: Any, right: Any) -> bool:
    if isinstance(op, ast.Eq):
        return _equal(left, right)
    if isinstance(op, ast.NotEq):
        return not _equal(left, right)
    if isinstance(op, ast.In | ast.NotIn):
        found = _contains(right, left)
        if found is None:
            return isinstance(op, ast.NotIn)
        return found if isinstance(op, ast.In) else not found
    order = _order(left, right)
    if order is None:
        return False
    if isinstance(op, ast.Lt):
        return order < 0
    if isinstance(op, ast.LtE):
        return order <= 0
    if isinstance(op, ast.Gt):
        return order > 0
    if isinstance(op, ast.GtE):
        return order >= 0
    raise RuleError(_("That comparison is not allowed."))


def _arithmetic(op: ast.operator, left: Any, right: Any) -> Any:
    if not (_is_number(left) and _is_number(right)):
        return None
    if isinstance(left, int) and isinstance(right, int):
        return left + right if isinstance(op, ast.Add) else left - right
    if isinstance(left, Decimal) or isinstance(right, Decimal):
        left, right = _as_decimal(left), _as_decimal(right)
    return left + right if isinstance(op, ast.Add) else left - right


# --- functions ----------------------------------------------------------------------------


def _whole_years(since: Any, on: date) -> int | None:
    start = _as_date(since)
    if start is None or start > on:
        return None
    # A birthday on 29 February comes on 1 March in other years.
    return on.year - start.year - ((on.month, on.day) < (start.month, start.day))


def _whole_months(since: Any, on: date) -> int | None:
    start = _as_date(since)
    if start is None or start > on:
        return None
    return (on.year - start.year) * 12 + (on.month - start.month) - (on.day < start.day)


def _date(value: Any, on: date) -> date | None:
    return _as_date(value) if isinstance(value, str) else None


def _reached_state_pension_age(value: Any, on: date) -> bool | None:
    born = _as_date(value)
    if born is None:
        return None
    try:
        return pension_age.state_pension_age_on(born, on)
    except (ValueError, OverflowError):
        return None


def _state_pension_date(value: Any, on: date) -> date | None:
    born = _as_date(value)
    if born is None:
        return None
    try:
        return pension_age.state_pension_date(born)
    except (ValueError, OverflowError):
        return None


def _answered(value: Any, on: date) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return value.strip() != ""
    if isinstance(value, list | tuple | dict | set | frozenset):
        return len(value) > 0
    return True


def _count(value: Any, on: date) -> int | None:
    if value is None or value == "":
        return 0
    if isinstance(value, list | tuple):
        return len(value)
    return None


# name -> (function of (value, evaluation date), what it does, for messages and the admin).
FUNCTIONS: dict[str, tuple[Callable[[Any, date], Any], str]] = {
    "age": (_whole_years, "whole years since a date of birth"),
    "years_since": (_whole_years, "whole years since a date"),
    "months_since": (_whole_months, "whole months since a date"),
    "date": (_date, 'a date written as text, e.g. date("2026-09-01")'),
    "reached_state_pension_age": (
        _reached_state_pension_age,
        "whether someone born on a date has reached State Pension age",
    ),
    "state_pension_date": (_state_pension_date, "the day someone reaches State Pension age"),
    "answered": (_answered, "whether a question was answered"),
    "count": (_count, "how many choices were ticked"),
}


# --- checking -----------------------------------------------------------------------------


def _where(node: ast.AST) -> str:
    column = getattr(node, "col_offset", None)
    line = getattr(node, "lineno", 1)
    if column is None:
        return ""
    if line and line > 1:
        return _(" (line %(line)s, character %(column)s)") % {"line": line, "column": column + 1}
    return _(" (at character %(column)s)") % {"column": column + 1}


_REFUSED: dict[type, str] = {
    ast.Attribute: 'Attribute access (such as "a.b") is not allowed',
    ast.Subscript: 'Indexing (such as "a[0]") is not allowed',
    ast.Slice: 'Slicing (such as "a[1:2]") is not allowed',
    ast.Lambda: "Defining functions (lambda) is not allowed",
    ast.ListComp: 'Comprehensions ("for ... in ...") are not allowed',
    ast.SetComp: 'Comprehensions ("for ... in ...") are not allowed',
    ast.DictComp: 'Comprehensions ("for ... in ...") are not allowed',
    ast.GeneratorExp: 'Comprehensions ("for ... in ...") are not allowed',
    ast.JoinedStr: "f-strings are not allowed",
    ast.FormattedValue: "f-strings are not allowed",
    ast.NamedExpr: 'Assignment (":=") is not allowed',
    ast.IfExp: 'Conditional expressions ("x if y else z") are not allowed',
    ast.Dict: "Dictionaries are not allowed",
    ast.Set: "Sets are not allowed",
    ast.Starred: 'Unpacking (such as "*x") is not allowed',
    ast.Await: '"await" is not allowed',
    ast.Yield: '"yield" is not allowed',
    ast.YieldFrom: '"yield" is not allowed',
}

_OPERATOR_TEXT = {
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.Pow: "**",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.BitAnd: "&",
    ast.MatMult: "@",
    ast.Invert: "~",
    ast.UAdd: "+",
    ast.Is: "is",
    ast.IsNot: "is not",
}

_ALLOWED_COMPARE = (ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn)


def _is_fixed_value(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return _allowed_constant(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return isinstance(node.operand, ast.Constant) and _is_number(node.operand.value)
    return False


def _allowed_constant(value: Any) -> bool:
    return value is None or isinstance(value, bool | int | float | str)


class _Checker:
    """Walks a parsed expression and lists everything that is not allowed in it."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.names: list[tuple[str, ast.AST]] = []

    def refuse(self, message: str, node: ast.AST) -> None:
        self.problems.append(message + _where(node) + ".")

    def visit(self, node: ast.AST, depth: int = 0) -> None:
        if depth > MAX_DEPTH:
            raise RecursionError
        refused = _REFUSED.get(type(node))
        if refused is not None:
            self.refuse(_(refused), node)
            return
        if isinstance(node, ast.BoolOp):
            for value in node.values:
                self.visit(value, depth + 1)
        elif isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, ast.Not | ast.USub):
                self.refuse(
                    _('The operator "%(op)s" is not allowed')
                    % {"op": _OPERATOR_TEXT.get(type(node.op), "?")},
                    node,
                )
                return
            self.visit(node.operand, depth + 1)
        elif isinstance(node, ast.BinOp):
            if not isinstance(node.op, ast.Add | ast.Sub):
                self.refuse(
                    _('The operator "%(op)s" is not allowed; only + and - may be used on numbers')
                    % {"op": _OPERATOR_TEXT.get(type(node.op), "?")},
                    node,
                )
                return
            self.visit(node.left, depth + 1)
            self.visit(node.right, depth + 1)
        elif isinstance(node, ast.Compare):
            for op in node.ops:
                if not isinstance(op, _ALLOWED_COMPARE):
                    self.refuse(
                        _('The comparison "%(op)s" is not allowed; use == or != instead')
                        % {"op": _OPERATOR_TEXT.get(type(op), "?")},
                        node,
                    )
            self.visit(node.left, depth + 1)
            for comparator in node.comparators:
                self.visit(comparator, depth + 1)
        elif isinstance(node, ast.Constant):
            if not _allowed_constant(node.value):
                self.refuse(
                    _("Only text, numbers, True, False and None may be written as values"), node
                )
        elif isinstance(node, ast.Name):
            if node.id.startswith("_"):
                self.refuse(_('Names beginning with "_" are not allowed'), node)
            elif node.id != "today":
                self.names.append((node.id, node))
        elif isinstance(node, ast.List | ast.Tuple):
            if not all(_is_fixed_value(element) for element in node.elts):
                self.refuse(
                    _("A list may hold only fixed values (text, numbers, True, False or None)"),
                    node,
                )
        elif isinstance(node, ast.Call):
            self.visit_call(node, depth)
        else:
            self.refuse(
                _('"%(kind)s" is not allowed in a condition') % {"kind": type(node).__name__},
                node,
            )

    def visit_call(self, node: ast.Call, depth: int) -> None:
        if not isinstance(node.func, ast.Name):
            self.refuse(
                _("Only these functions may be called, by name: %(names)s")
                % {"names": ", ".join(FUNCTIONS)},
                node,
            )
            return
        name = node.func.id
        if name not in FUNCTIONS:
            self.refuse(
                _('Unknown function "%(name)s"; the functions are: %(names)s')
                % {"name": name, "names": ", ".join(FUNCTIONS)},
                node,
            )
            return
        if node.keywords:
            self.refuse(
                _('Keyword arguments are not allowed in a call to "%(name)s"') % {"name": name},
                node,
            )
            return
        if len(node.args) != 1:
            self.refuse(
                _('The function "%(name)s" takes exactly one value, not %(count)s')
                % {"name": name, "count": len(node.args)},
                node,
            )
            return
        argument = node.args[0]
        if name == "date" and not (
            isinstance(argument, ast.Constant)
            and isinstance(argument.value, str)
            and _as_date(argument.value) is not None
        ):
            self.refuse(_('date() needs a date written as text, such as date("2026-09-01")'), node)
            return
        self.visit(argument, depth + 1)


def _parse(expression: str) -> tuple[ast.Expression | None, tuple[str, ...], tuple[str, ...]]:
    """(tree, problems, answer names used) for an expression; tree is None if it is refused."""
    # Cached per language, since the problems are translated.
    return _parse_cached(expression, get_language())


@functools.lru_cache(maxsize=2048)
def _parse_cached(
    expression: str, language: str | None
) -> tuple[ast.Expression | None, tuple[str, ...], tuple[str, ...]]:
    if not isinstance(expression, str):
        return None, (_("A condition must be text."),), ()
    if len(expression) > MAX_LENGTH:
        return (
            None,
            (
                _("The condition is too long: at most %(max)s characters (it has %(count)s).")
                % {"max": MAX_LENGTH, "count": len(expression)},
            ),
            (),
        )
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError as error:
        where = _(" (at the end)")
        if error.offset and 0 < error.offset <= len(expression.strip()):
            where = _(" (at character %(column)s)") % {"column": error.offset}
        detail = (error.msg or "").rstrip(".")
        return (
            None,
            (
                _("The condition is not written correctly: %(detail)s") % {"detail": detail}
                + where
                + ".",
            ),
            (),
        )
    except (ValueError, RecursionError, MemoryError, OverflowError):
        return None, (_("The condition is not written correctly."),), ()
    checker = _Checker()
    try:
        checker.visit(tree.body)
    except RecursionError:
        return (
            None,
            (
                _("The condition is nested too deeply (at most %(max)s levels).")
                % {"max": MAX_DEPTH},
            ),
            (),
        )
    names = tuple(dict.fromkeys(name for name, _node in checker.names))
    if checker.problems:
        return None, tuple(checker.problems), names
    return tree, (), names


def check_expression(expression: str, known_names: Collection[str] | None) -> list[str]:
    """Everything wrong with a condition, in plain English; [] when it is fine.

    With `known_names` (the answer codes of the form), names that are not among them are
    reported too; with None, only the shape of the expression is checked.
    """
    try:
        _tree, problems, names = _parse(expression)
    except TypeError:
        return [_("A condition must be text.")]
    messages = list(problems)
    if known_names is not None:
        known = set(known_names)
        for name in names:
            if name not in known:
                if name in FUNCTIONS:
                    messages.append(
                        _(
                            '"%(name)s" is a function: write it with brackets, such as '
                            "%(name)s(date_of_birth)."
                        )
                        % {"name": name}
                    )
                else:
                    messages.append(
                        _('Unknown answer "%(name)s" in the condition.') % {"name": name}
                    )
    return messages


# --- evaluation ---------------------------------------------------------------------------


class _Evaluator:
    def __init__(self, answers: Mapping[str, Any], on: date) -> None:
        self.answers = answers
        self.on = on

    def value(self, node: ast.AST) -> Any:
        if isinstance(node, ast.BoolOp):
            if isinstance(node.op, ast.And):
                return all(_truthy(self.value(v)) for v in node.values)
            return any(_truthy(self.value(v)) for v in node.values)
        if isinstance(node, ast.UnaryOp):
            operand = self.value(node.operand)
            if isinstance(node.op, ast.Not):
                return not _truthy(operand)
            return -operand if _is_number(operand) else None
        if isinstance(node, ast.BinOp):
            return _arithmetic(node.op, self.value(node.left), self.value(node.right))
        if isinstance(node, ast.Compare):
            left = self.value(node.left)
            for op, comparator in zip(node.ops, node.comparators, strict=True):
                right = self.value(comparator)
                if not _compare(op, left, right):
                    return False
                left = right
            return True
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            if node.id == "today":
                return self.on
            return _normalise(self.answers.get(node.id))
        if isinstance(node, ast.List | ast.Tuple):
            return [self.value(element) for element in node.elts]
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            function = FUNCTIONS[node.func.id][0]
            return function(self.value(node.args[0]), self.on)
        raise RuleError(_("This condition cannot be evaluated."))


def evaluate(expression: str, answers: Mapping[str, Any], *, on: date) -> Any:
    """The value of an expression on the answers on the day `on`; raises only RuleError."""
    try:
        tree, problems, _names = _parse(expression)
    except TypeError as error:
        raise RuleError(_("A condition must be text.")) from error
    if tree is None:
        raise RuleError(" ".join(problems))
    if not isinstance(on, date):
        raise RuleError(_("The day of evaluation must be a date."))
    if isinstance(on, datetime):
        on = on.date()
    if not isinstance(answers, Mapping):
        answers = {}
    try:
        return _Evaluator(answers, on).value(tree.body)
    except RuleError:
        raise
    except Exception as error:  # Anything else from odd answers becomes a RuleError.
        raise RuleError(
            _("The condition could not be evaluated on these answers (%(kind)s).")
            % {"kind": type(error).__name__}
        ) from error


def condition_holds(expression: str, answers: Mapping[str, Any], *, on: date) -> bool:
    """Whether a form condition holds; an empty condition holds, a broken one does not."""
    if expression is None or (isinstance(expression, str) and not expression.strip()):
        return True
    try:
        return _truthy(evaluate(expression, answers, on=on))
    except RuleError:
        return False
    except Exception:  # Defensive: a condition never breaks a form.
        return False


# --- rule sets ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Assessment:
    """The verdict of a rule set on an application's answers, with its reasons."""

    outcome: str
    reasons: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    rules_code: str = ""
    rules_version: int = 0
    on: date | None = None

    def as_json(self) -> dict:
        """The verdict as stored in `Application.assessment`."""
        return {
            "outcome": self.outcome,
            "reasons": list(self.reasons),
            "notes": list(self.notes),
            "rules": self.rules_code,
            "version": self.rules_version,
            "on": self.on.isoformat() if self.on else None,
        }


_DEFAULT = {"outcome": NOT_ELIGIBLE, "reason": "None of the criteria is met."}
_TOP_KEYS = {"default", "requirements", "rules", "title", "source", "description"}
_REQUIREMENT_KEYS = {"id", "when", "reason", "from", "until"}
_RULE_KEYS = {"id", "outcome", "when", "reason", "from", "until"}


def _text(value: Any) -> bool:
    return isinstance(value, str) and value.strip() != ""


def _day(value: Any) -> date | None:
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _check_entry(
    entry: Any, label: str, keys: set[str], known_names: Collection[str] | None, *, rule: bool
) -> list[str]:
    if not isinstance(entry, Mapping):
        return [
            _("%(label)s must be an object with an id, a condition and a reason.")
            % {"label": label}
        ]
    problems: list[str] = []
    for key in entry:
        if key not in keys:
            problems.append(
                _('%(label)s: "%(key)s" is not a setting a rule may have (use %(keys)s).')
                % {"label": label, "key": key, "keys": ", ".join(sorted(keys))}
            )
    if rule and entry.get("outcome") not in OUTCOMES:
        problems.append(
            _('%(label)s: the outcome must be one of %(outcomes)s, not "%(value)s".')
            % {"label": label, "outcomes": ", ".join(OUTCOMES), "value": entry.get("outcome")}
        )
    if not _text(entry.get("reason")):
        problems.append(
            _("%(label)s: give a reason, shown to the officer and the applicant.")
            % {"label": label}
        )
    when = entry.get("when")
    if not _text(when):
        problems.append(_("%(label)s: give a condition (when).") % {"label": label})
    else:
        for message in check_expression(when, known_names):
            problems.append(_("%(label)s: %(message)s") % {"label": label, "message": message})
    starts, ends = entry.get("from"), entry.get("until")
    start_day, end_day = _day(starts), _day(ends)
    if starts is not None and start_day is None:
        problems.append(
            _('%(label)s: "from" must be a date written as YYYY-MM-DD, or null.') % {"label": label}
        )
    if ends is not None and end_day is None:
        problems.append(
            _('%(label)s: "until" must be a date written as YYYY-MM-DD, or null.')
            % {"label": label}
        )
    if start_day and end_day and end_day <= start_day:
        problems.append(_('%(label)s: "until" must be after "from".') % {"label": label})
    return problems


def check_rule_set(
    definition: Mapping[str, Any], known_names: Collection[str] | None = None
) -> list[str]:
    """Every problem with a rule set, each naming the rule; [] when it is fine."""
    if not isinstance(definition, Mapping):
        return [_("The rules must be a JSON object with requirements, rules and a default.")]
    problems: list[str] = []
    for key in definition:
        if key not in _TOP_KEYS:
            problems.append(
                _('"%(key)s" is not part of a rule set (use default, requirements and rules).')
                % {"key": key}
            )
    default = definition.get("default", _DEFAULT)
    if not isinstance(default, Mapping):
        problems.append(_("The default must be an object with an outcome and a reason."))
    else:
        if default.get("outcome") not in OUTCOMES:
            problems.append(
                _('The default outcome must be one of %(outcomes)s, not "%(value)s".')
                % {"outcomes": ", ".join(OUTCOMES), "value": default.get("outcome")}
            )
        if not _text(default.get("reason")):
            problems.append(_("The default needs a reason."))
        for key in default:
            if key not in {"outcome", "reason"}:
                problems.append(
                    _('The default: "%(key)s" is not allowed (use outcome and reason).')
                    % {"key": key}
                )
    seen: set[str] = set()
    sections = (("requirements", _REQUIREMENT_KEYS, False), ("rules", _RULE_KEYS, True))
    count = 0
    for section, keys, is_rule in sections:
        entries = definition.get(section, [])
        if not isinstance(entries, list):
            problems.append(_('"%(section)s" must be a list.') % {"section": section})
            continue
        count += len(entries) if is_rule else 0
        for position, entry in enumerate(entries, start=1):
            ident = entry.get("id") if isinstance(entry, Mapping) else None
            if _text(ident):
                kind = _("Requirement") if not is_rule else _("Rule")
                label = f'{kind} "{ident}"'
                if ident in seen:
                    problems.append(
                        _("%(label)s: another rule has the same id.") % {"label": label}
                    )
                seen.add(ident)
            else:
                kind = _("requirement") if not is_rule else _("rule")
                label = _("The %(kind)s at position %(position)s") % {
                    "kind": kind,
                    "position": position,
                }
                problems.append(_("%(label)s has no id.") % {"label": label})
            problems.extend(_check_entry(entry, label, keys, known_names, rule=is_rule))
    if count == 0 and not problems:
        problems.append(_("The rule set has no rules: add at least one."))
    return problems


def _in_force(entry: Mapping[str, Any], on: date) -> bool:
    start, end = _day(entry.get("from")), _day(entry.get("until"))
    return (start is None or start <= on) and (end is None or end > on)


def assess(
    definition: Mapping[str, Any],
    answers: Mapping[str, Any],
    *,
    on: date,
    code: str = "",
    version: int = 0,
) -> Assessment:
    """Apply a rule set to an application's answers on the day `on`.

    Raises RuleError only if the rule set itself is broken (check it with `check_rule_set`
    before saving); anything about the answers is reported in the assessment instead.
    """
    problems = check_rule_set(definition)
    if problems:
        raise RuleError(" ".join(problems))
    if isinstance(on, datetime):
        on = on.date()
    if not isinstance(answers, Mapping):
        answers = {}

    def make(outcome: str, reasons: list[str], notes: list[str]) -> Assessment:
        return Assessment(outcome, reasons, notes, code, version, on)

    failed: list[str] = []
    unknown: list[str] = []
    notes: list[str] = []
    for requirement in definition.get("requirements", []):
        if not _in_force(requirement, on):
            continue
        try:
            holds = _truthy(evaluate(requirement["when"], answers, on=on))
        except RuleError as error:
            unknown.append(requirement["reason"])
            notes.append(
                _('Requirement "%(id)s" could not be checked: %(error)s')
                % {"id": requirement["id"], "error": error}
            )
            continue
        if not holds:
            failed.append(requirement["reason"])
    if failed:
        return make(NOT_ELIGIBLE, failed, notes)
    if unknown:
        return make(FURTHER_ASSESSMENT, unknown, notes)

    matched: list[Mapping[str, Any]] = []
    broken = False
    for rule in definition.get("rules", []):
        if not _in_force(rule, on):
            continue
        try:
            holds = _truthy(evaluate(rule["when"], answers, on=on))
        except RuleError as error:
            broken = True
            notes.append(
                _('Rule "%(id)s" could not be evaluated: %(error)s')
                % {"id": rule["id"], "error": error}
            )
            continue
        if holds:
            matched.append(rule)
    if not matched:
        if broken:
            return make(
                FURTHER_ASSESSMENT,
                [_("Some of the criteria could not be checked, so a person needs to look.")],
                notes,
            )
        default = definition.get("default", _DEFAULT)
        return make(default["outcome"], [default["reason"]], notes)
    outcome = max((rule["outcome"] for rule in matched), key=_STRENGTH.__getitem__)
    if broken and _STRENGTH[outcome] < _STRENGTH[FURTHER_ASSESSMENT]:
        outcome = FURTHER_ASSESSMENT
    reasons = [rule["reason"] for rule in matched if rule["outcome"] == outcome]
    others = [rule["reason"] for rule in matched if rule["outcome"] != outcome]
    if not reasons:
        reasons = [_("Some of the criteria could not be checked, so a person needs to look.")]
    return make(outcome, reasons, others + notes)
