"""Performance indicators: formulas over the rollups, their targets and a quarterly report.

A formula is arithmetic over named figures of a period, such as::

    100 * resolved_first_time / (contacts - abandoned)

It may use numbers, the names in `NAMES`, + - * / and brackets; nothing else. The eligibility
rule language of `forms.rules` does not fit: it allows only + and - on numbers (no * or /) and
brings comparisons, lists and calls a formula must not have, so this module has its own small
evaluator. A formula is parsed with `ast.parse(..., mode="eval")` and evaluated by walking a
whitelist of node types; nothing is passed to eval, exec or compile. Values are Decimals; a
division by zero gives None ("no data") rather than an error.

The council's year starts in April: quarter 1 of year 2026 is April to June 2026, quarter 4 is
January to March 2027.
"""

import ast
import datetime
import functools
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, DivisionByZero, InvalidOperation, localcontext

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from civicdesk.insight.models import PerformanceIndicator
from civicdesk.insight.selectors import (
    CaseFigures,
    ContactFigures,
    Filters,
    backlog,
    case_figures,
    contact_figures,
)
from civicdesk.organisations.models import Organisation

MAX_LENGTH = 500
MAX_DEPTH = 30

# Fields that contacts and cases both have: their names take a contact_ or case_ prefix.
_SHARED = ("responses", "rating_total", "answered_resolved", "said_resolved")

# name -> (source, attribute, what it is). Sources: contacts, cases, backlog, period.
NAMES: dict[str, tuple[str, str, str]] = {
    "contacts": ("contacts", "contacts", gettext_lazy("contacts logged")),
    "handled_seconds": ("contacts", "handled_seconds", gettext_lazy("seconds spent on contacts")),
    "avoidable": ("contacts", "avoidable", gettext_lazy("avoidable contacts")),
    "chasing": ("contacts", "chasing", gettext_lazy("contacts chasing a case")),
    "identified": (
        "contacts",
        "identified",
        gettext_lazy("contacts with a known customer and service (where a repeat can be seen)"),
    ),
    "repeated": (
        "contacts",
        "repeated",
        gettext_lazy("of those, contacts followed by another about the same service"),
    ),
    "contact_responses": ("contacts", "responses", gettext_lazy("survey answers about contacts")),
    "contact_rating_total": (
        "contacts",
        "rating_total",
        gettext_lazy("total of the ratings given to contacts (1 to 5 each)"),
    ),
    "contact_answered_resolved": (
        "contacts",
        "answered_resolved",
        gettext_lazy('contact surveys that answered "was it resolved?"'),
    ),
    "contact_said_resolved": (
        "contacts",
        "said_resolved",
        gettext_lazy("contact surveys that said it was resolved"),
    ),
    "resolved_first_time": (
        "contacts",
        "resolved_first_time",
        gettext_lazy("contacts the agent logged as resolved"),
    ),
    "resolved_and_necessary": (
        "contacts",
        "resolved_and_necessary",
        gettext_lazy("contacts logged as resolved that were not avoidable"),
    ),
    "abandoned": ("contacts", "abandoned", gettext_lazy("abandoned contacts")),
    "opened": ("cases", "opened", gettext_lazy("cases opened")),
    "resolved": ("cases", "resolved", gettext_lazy("cases resolved")),
    "resolved_in_time": (
        "cases",
        "resolved_in_time",
        gettext_lazy("cases resolved within their target time"),
    ),
    "cycle_seconds": (
        "cases",
        "cycle_seconds",
        gettext_lazy("seconds from opening to resolution, over the cases resolved"),
    ),
    "chased": ("cases", "chased", gettext_lazy("resolved cases the customer chased")),
    "chases": ("cases", "chases", gettext_lazy("chases on the resolved cases")),
    "case_responses": ("cases", "responses", gettext_lazy("survey answers about cases")),
    "case_rating_total": (
        "cases",
        "rating_total",
        gettext_lazy("total of the ratings given to cases (1 to 5 each)"),
    ),
    "case_answered_resolved": (
        "cases",
        "answered_resolved",
        gettext_lazy('case surveys that answered "was it resolved?"'),
    ),
    "case_said_resolved": (
        "cases",
        "said_resolved",
        gettext_lazy("case surveys that said it was resolved"),
    ),
    "backlog_open": ("backlog", "open", gettext_lazy("open cases at the end of the period")),
    "backlog_overdue": (
        "backlog",
        "overdue",
        gettext_lazy("open cases past their target time at the end of the period"),
    ),
    "backlog_older_than_week": (
        "backlog",
        "older_than_week",
        gettext_lazy("open cases 7 or more days old at the end of the period"),
    ),
    "backlog_older_than_month": (
        "backlog",
        "older_than_month",
        gettext_lazy("open cases 28 or more days old at the end of the period"),
    ),
    "backlog_older_than_quarter": (
        "backlog",
        "older_than_quarter",
        gettext_lazy("open cases 91 or more days old at the end of the period"),
    ),
    "days": ("period", "days", gettext_lazy("days in the period")),
}

# Decimal places shown, and compared with the target, for each unit.
PLACES = {"percent": 1, "number": 1, "days": 1, "seconds": 0}

GREEN, AMBER, RED = "green", "amber", "red"


# --- formulas ---------------------------------------------------------------------------------


class FormulaError(ValueError):
    """A formula that is not allowed; `problems` says why, in plain English."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(" ".join(problems))
        self.problems = problems


_OPERATORS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}


def _where(node: ast.AST) -> str:
    column = getattr(node, "col_offset", None)
    return "" if column is None else _(" (at character %(column)s)") % {"column": column + 1}


def _check(node: ast.AST, problems: list[str], names: list[str], depth: int = 0) -> None:
    if depth > MAX_DEPTH:
        raise RecursionError
    if isinstance(node, ast.BinOp):
        if type(node.op) not in _OPERATORS:
            problems.append(
                _("Only + - * / and brackets may be used%(where)s.") % {"where": _where(node)}
            )
            return
        _check(node.left, problems, names, depth + 1)
        _check(node.right, problems, names, depth + 1)
    elif isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, ast.USub | ast.UAdd):
            problems.append(
                _("Only + - * / and brackets may be used%(where)s.") % {"where": _where(node)}
            )
            return
        _check(node.operand, problems, names, depth + 1)
    elif isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            problems.append(
                _("Only numbers and the names of figures may be used%(where)s.")
                % {"where": _where(node)}
            )
        elif not Decimal(repr(value)).is_finite():
            problems.append(_("That number is too large%(where)s.") % {"where": _where(node)})
    elif isinstance(node, ast.Name):
        if node.id not in NAMES:
            problems.append(
                _('Unknown name "%(name)s"%(where)s. The names are listed under the formula.')
                % {"name": node.id, "where": _where(node)}
            )
        names.append(node.id)
    elif isinstance(node, ast.Call):
        problems.append(_("Functions may not be called%(where)s.") % {"where": _where(node)})
    elif isinstance(node, ast.Attribute):
        problems.append(
            _('Dots (such as "a.b") may not be used%(where)s.') % {"where": _where(node)}
        )
    else:
        problems.append(
            _("Only numbers, the names of figures, + - * / and brackets may be used%(where)s.")
            % {"where": _where(node)}
        )


def _parse(text: str) -> tuple[ast.expr | None, tuple[str, ...], frozenset[str]]:
    """(the expression, problems, the names it uses); no expression when there are problems."""
    # Cached per language, since the problems are translated.
    return _parse_cached(text.strip(), get_language())


@functools.lru_cache(maxsize=512)
def _parse_cached(
    text: str, language: str | None
) -> tuple[ast.expr | None, tuple[str, ...], frozenset[str]]:
    if not text:
        return None, (_("Enter a formula."),), frozenset()
    if len(text) > MAX_LENGTH:
        return (
            None,
            (_("The formula is too long: at most %(max)s characters.") % {"max": MAX_LENGTH},),
            frozenset(),
        )
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as error:
        where = _(" (at the end)")
        if error.offset and 0 < error.offset <= len(text):
            where = _(" (at character %(column)s)") % {"column": error.offset}
        return (
            None,
            (_("The formula is not written correctly%(where)s.") % {"where": where},),
            frozenset(),
        )
    except (ValueError, RecursionError, MemoryError, OverflowError):
        return None, (_("The formula is not written correctly."),), frozenset()
    problems: list[str] = []
    names: list[str] = []
    try:
        _check(tree.body, problems, names)
    except RecursionError:
        return None, (_("The formula has too many brackets inside brackets."),), frozenset()
    if problems:
        return None, tuple(problems), frozenset(names)
    return tree.body, (), frozenset(names)


def formula_problems(text: str) -> list[str]:
    """Everything wrong with a formula; [] when it is fine."""
    if not isinstance(text, str):
        return [_("Enter a formula.")]
    return list(_parse(text)[1])


def validate_formula(text: str) -> None:
    """Raise ValidationError with every problem of a formula (for forms and `clean`)."""
    problems = formula_problems(text)
    if problems:
        raise ValidationError(problems, code="invalid_formula")


def _value(node: ast.expr, values: dict[str, Decimal]) -> Decimal | None:
    if isinstance(node, ast.Constant):
        return Decimal(repr(node.value))
    if isinstance(node, ast.Name):
        return values[node.id]
    if isinstance(node, ast.UnaryOp):
        operand = _value(node.operand, values)
        if operand is None:
            return None
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BinOp):
        left, right = _value(node.left, values), _value(node.right, values)
        if left is None or right is None:
            return None
        if isinstance(node.op, ast.Add):
            return left + right
        if isinstance(node.op, ast.Sub):
            return left - right
        if isinstance(node.op, ast.Mult):
            return left * right
        if isinstance(node.op, ast.Div):
            return None if right == 0 else left / right
    raise FormulaError([_("The formula cannot be evaluated.")])


def calculate(text: str, values: dict[str, int | Decimal]) -> Decimal | None:
    """The value of a formula over named figures; None when it divides by zero.

    Raises FormulaError for a formula that is not allowed.
    """
    tree, problems, names = _parse(text if isinstance(text, str) else "")
    if tree is None:
        raise FormulaError(list(problems))
    numbers = {name: Decimal(values.get(name) or 0) for name in names}
    with localcontext() as context:
        context.prec = 28
        try:
            result = _value(tree, numbers)
        except (DivisionByZero, InvalidOperation, ArithmeticError):
            return None
    return result if result is None or result.is_finite() else None


def names_used(text: str) -> frozenset[str]:
    return _parse(text)[2] if isinstance(text, str) else frozenset()


# --- evaluating an indicator --------------------------------------------------------------


def figures_for(
    names: frozenset[str],
    *,
    organisation: Organisation,
    filters: Filters,
    today: datetime.date | None = None,
    read: dict | None = None,
) -> dict[str, int]:
    """The named figures for a period, reading only the rollups the names need. `read` keeps
    what was read for a report's other indicators over the same period."""
    sources = {NAMES[name][0] for name in names if name in NAMES}
    values: dict[str, int] = {}
    read = {} if read is None else read
    on = min(filters.end, today or timezone.localdate())
    readers = {
        "contacts": lambda: contact_figures(organisation=organisation, filters=filters).get(
            None, ContactFigures()
        ),
        "cases": lambda: case_figures(organisation=organisation, filters=filters).get(
            None, CaseFigures()
        ),
        "backlog": lambda: backlog(organisation=organisation, filters=filters, on=on),
    }
    for source in sources & set(readers):
        if (source, filters, on) not in read:
            read[(source, filters, on)] = readers[source]()
    contacts = read.get(("contacts", filters, on), ContactFigures())
    cases = read.get(("cases", filters, on), CaseFigures())
    open_cases = read.get(("backlog", filters, on))
    for name in names:
        source, attribute, _text = NAMES[name]
        if source == "contacts":
            values[name] = getattr(contacts, attribute)
        elif source == "cases":
            values[name] = getattr(cases, attribute)
        elif source == "backlog":
            values[name] = getattr(open_cases, attribute)
        else:
            values[name] = (filters.end - filters.start).days + 1
    return values


def evaluate(
    indicator: PerformanceIndicator,
    *,
    organisation: Organisation,
    start: datetime.date,
    end: datetime.date,
    today: datetime.date | None = None,
    read: dict | None = None,
) -> Decimal | None:
    """The indicator's actual value over the local days [start, end]; None when there is no
    data to divide by (or the formula is broken)."""
    if not isinstance(indicator.formula, str):
        return None
    tree, _problems, names = _parse(indicator.formula)
    if tree is None:
        return None
    filters = Filters(
        start=start, end=end, service_id=indicator.service_id, team_id=indicator.team_id
    )
    values = figures_for(names, organisation=organisation, filters=filters, today=today, read=read)
    return calculate(indicator.formula, values)


def shown(indicator: PerformanceIndicator, value: Decimal | None) -> Decimal | None:
    """The value rounded as it is shown (and compared with the target)."""
    if value is None:
        return None
    places = PLACES.get(indicator.unit, 1)
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def rag(indicator: PerformanceIndicator, actual: Decimal | float | int | None) -> str | None:
    """green on or better than target; amber worse by no more than the tolerance; red beyond.

    The actual value is rounded as it is shown first, so that the status agrees with the page.
    """
    if actual is None:
        return None
    value = shown(indicator, Decimal(str(actual)))
    target = Decimal(indicator.target)
    shortfall = (
        target - value
        if indicator.direction == PerformanceIndicator.Direction.HIGHER
        else value - target
    )
    if shortfall <= 0:
        return GREEN
    if shortfall <= indicator.tolerance:
        return AMBER
    return RED


# --- the quarterly report -----------------------------------------------------------------


def quarter_dates(year: int, quarter: int) -> tuple[datetime.date, datetime.date]:
    """First and last day of a quarter of the council's year (year 2026 = April 2026 to
    March 2027)."""
    if quarter not in (1, 2, 3, 4):
        raise ValueError("quarter must be 1 to 4")
    first_month = 4 + 3 * (quarter - 1)
    start = datetime.date(year + (first_month > 12), (first_month - 1) % 12 + 1, 1)
    following = _add_months(start, 3)
    return start, following - datetime.timedelta(days=1)


def quarter_of(day: datetime.date) -> tuple[int, int]:
    """(council year, quarter) of a day."""
    months_since_april = (day.month - 4) % 12
    year = day.year if day.month >= 4 else day.year - 1
    return year, months_since_april // 3 + 1


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class MonthResult:
    month: datetime.date
    actual: Decimal | None
    status: str | None
    started: bool


@dataclass(frozen=True)
class IndicatorResult:
    indicator: PerformanceIndicator
    actual: Decimal | None
    status: str | None
    last_year: Decimal | None
    last_year_status: str | None
    months: list[MonthResult] = field(default_factory=list)
    year_to_date: Decimal | None = None
    year_to_date_status: str | None = None

    @property
    def change(self) -> Decimal | None:
        if self.actual is None or self.last_year is None:
            return None
        return self.actual - self.last_year


@dataclass(frozen=True)
class QuarterReport:
    year: int
    quarter: int
    start: datetime.date
    end: datetime.date
    complete: bool  # the quarter is over
    rows: list[IndicatorResult]

    @property
    def label(self) -> str:
        return _("Quarter %(quarter)s, %(first)s to %(second)s") % {
            "quarter": self.quarter,
            "first": self.year,
            "second": str(self.year + 1)[-2:],
        }


def quarter_report(
    *,
    organisation: Organisation,
    year: int,
    quarter: int,
    today: datetime.date | None = None,
) -> QuarterReport:
    """Every active indicator for a quarter of the council's year, with last year's."""
    today = today or timezone.localdate()
    start, end = quarter_dates(year, quarter)
    last_start, last_end = quarter_dates(year - 1, quarter)
    indicators = (
        PerformanceIndicator.objects.filter(organisation=organisation, is_active=True)
        .select_related("service", "team")
        .order_by("order", "code")
    )
    rows = []
    read: dict = {}  # indicators over the same period and scope share what was read
    for indicator in indicators:
        # A formula saved around the checks evaluates to None: shown as no data, not wrong.
        def value(first: datetime.date, last: datetime.date, *, kpi=indicator) -> Decimal | None:
            return shown(
                kpi,
                evaluate(
                    kpi, organisation=organisation, start=first, end=last, today=today, read=read
                ),
            )

        actual = value(start, end)
        last_year = value(last_start, last_end)
        months = []
        if indicator.period == PerformanceIndicator.Period.MONTHLY:
            for offset in range(3):
                first = _add_months(start, offset)
                last = _add_months(first, 1) - datetime.timedelta(days=1)
                started = first <= today
                month_value = value(first, last) if started else None
                months.append(MonthResult(first, month_value, rag(indicator, month_value), started))
        year_to_date = None
        if indicator.period == PerformanceIndicator.Period.ANNUAL:
            year_to_date = value(quarter_dates(year, 1)[0], end)
        rows.append(
            IndicatorResult(
                indicator=indicator,
                actual=actual,
                status=rag(indicator, actual),
                last_year=last_year,
                last_year_status=rag(indicator, last_year),
                months=months,
                year_to_date=year_to_date,
                year_to_date_status=rag(indicator, year_to_date),
            )
        )
    return QuarterReport(year, quarter, start, end, end < today, rows)


# --- demo -----------------------------------------------------------------------------------

DEMO_INDICATORS = [
    {
        "code": "CC01",
        "name": "First-contact resolution (agent's outcome)",
        "description": "Answered contacts the agent logged as resolved there and then.",
        "formula": "100 * resolved_first_time / (contacts - abandoned)",
        "unit": "percent",
        "target": Decimal(80),
        "direction": "higher",
        "amber_tolerance": Decimal(5),
        "period": "monthly",
    },
    {
        "code": "CC02",
        "name": "First-contact resolution (no repeat contact)",
        "description": "Contacts from a known customer not followed by another about the same "
        "service within the repeat window.",
        "formula": "100 * (identified - repeated) / identified",
        "unit": "percent",
        "target": Decimal(80),
        "direction": "higher",
        "amber_tolerance": Decimal(5),
        "period": "monthly",
    },
    {
        "code": "CC03",
        "name": "Avoidable contact",
        "description": "Contacts that need not have happened, such as chasing (NI14).",
        "formula": "100 * avoidable / contacts",
        "unit": "percent",
        "target": Decimal(20),
        "direction": "lower",
        "amber_tolerance": Decimal(3),
        "period": "monthly",
    },
    {
        "code": "CS01",
        "name": "Cases resolved in time",
        "description": "Cases resolved within their service's target time.",
        "formula": "100 * resolved_in_time / resolved",
        "unit": "percent",
        "target": Decimal(90),
        "direction": "higher",
        "amber_tolerance": Decimal(5),
        "period": "monthly",
    },
    {
        "code": "CS02",
        "name": "Average time to resolve a case",
        "description": "Calendar days from opening to resolution, for the cases resolved.",
        "formula": "cycle_seconds / resolved / 86400",
        "unit": "days",
        "target": Decimal(10),
        "direction": "lower",
        "amber_tolerance": Decimal(2),
        "period": "quarterly",
    },
    {
        "code": "CS03",
        "name": "Customer satisfaction",
        "description": "Average survey rating from 1 (very dissatisfied) to 5 (very satisfied), "
        "for contacts and cases together.",
        "formula": "(contact_rating_total + case_rating_total) "
        "/ (contact_responses + case_responses)",
        "unit": "number",
        "target": Decimal(4),
        "direction": "higher",
        "amber_tolerance": Decimal("0.3"),
        "period": "quarterly",
    },
]


@transaction.atomic
def install_demo_indicators(*, organisation: Organisation) -> list[PerformanceIndicator]:
    """The demo council's indicators; run again, it adds what is missing and changes nothing an
    administrator has edited."""
    installed = []
    for order, definition in enumerate(DEMO_INDICATORS, start=1):
        fields = {key: value for key, value in definition.items() if key != "code"}
        indicator, _created = PerformanceIndicator.objects.get_or_create(
            organisation=organisation,
            code=definition["code"],
            defaults={**fields, "order": order * 10},
        )
        installed.append(indicator)
    return installed
