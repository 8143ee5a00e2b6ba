"""Performance indicators: formulas, RAG status and the quarterly report on known rollups."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from civicdesk.catalogue.services import create_service
from civicdesk.contacts.services import log_contact
from civicdesk.insight import kpis
from civicdesk.insight import services as rollups
from civicdesk.insight.models import BacklogDay, PerformanceIndicator
from civicdesk.insight.selectors import Filters, backlog, case_figures, contact_figures
from civicdesk.insight.tests.rows import case_month, contact_month

pytestmark = pytest.mark.django_db

OCTOBER = datetime.date(2026, 10, 1)
NOVEMBER = datetime.date(2026, 11, 1)
DECEMBER = datetime.date(2026, 12, 1)


def indicator(council, **fields) -> PerformanceIndicator:
    values = {
        "code": "CC01",
        "name": "First-contact resolution",
        "formula": "100 * resolved_first_time / (contacts - abandoned)",
        "unit": "percent",
        "target": Decimal(80),
        "direction": "higher",
        "period": "monthly",
        **fields,
    }
    return PerformanceIndicator.objects.create(organisation=council, **values)


def contacts_in(council, month, *, resolved, other=0, abandoned=0, **measures) -> None:
    """Monthly contact rows: `resolved` resolved, `other` with a case raised, `abandoned`."""
    for outcome, count in (
        ("resolved", resolved),
        ("case_raised", other),
        ("abandoned", abandoned),
    ):
        if count:
            contact_month(
                organisation=council, month=month, channel="phone", outcome=outcome,
                contacts=count, **(measures if outcome == "resolved" else {}),
            )  # fmt: skip


# --- formulas ---------------------------------------------------------------------------------


def test_every_name_reads_its_figure(council):
    """Each name a formula may use gives the selectors' figure for the period."""
    contact_month(
        organisation=council, month=OCTOBER, channel="phone", outcome="resolved",
        contacts=40, handled_seconds=7200, avoidable=3, chasing=2, identified=30, repeated=4,
        responses=9, rating_total=36, answered_resolved=8, said_resolved=6,
    )  # fmt: skip
    contact_month(
        organisation=council, month=OCTOBER, channel="web", outcome="abandoned", contacts=5
    )
    case_month(
        organisation=council, month=OCTOBER, channel="web", opened=21, resolved=17,
        resolved_in_time=15, cycle_seconds=86_400 * 50, chased=3, chases=5, responses=7,
        rating_total=29, answered_resolved=6, said_resolved=5,
    )  # fmt: skip
    BacklogDay.objects.create(
        organisation=council, day=datetime.date(2026, 10, 31), open=12, overdue=4,
        older_than_week=8, older_than_month=3, older_than_quarter=1,
    )  # fmt: skip
    filters = Filters(start=OCTOBER, end=datetime.date(2026, 10, 31))
    contact = contact_figures(organisation=council, filters=filters)[None]
    case = case_figures(organisation=council, filters=filters)[None]
    open_cases = backlog(organisation=council, filters=filters, on=filters.end)
    sources = {"contacts": contact, "cases": case, "backlog": open_cases}
    kpi = indicator(council, unit="number")

    for name, (source, attribute, description) in kpis.NAMES.items():
        assert str(description)
        kpi.formula = name
        actual = kpis.evaluate(
            kpi, organisation=council, start=filters.start, end=filters.end, today=NOVEMBER
        )
        expected = 31 if source == "period" else getattr(sources[source], attribute)
        assert actual == expected, name
        assert expected != 0, name  # every figure was given a value
    assert {"contact_responses", "case_responses", "backlog_open"} <= set(kpis.NAMES)
    assert "responses" not in kpis.NAMES  # contacts and cases both have it: prefixed


def test_a_formula_is_worked_out_in_decimals():
    values = {"resolved_first_time": 67, "contacts": 90, "abandoned": 6}
    result = kpis.calculate("100 * resolved_first_time / (contacts - abandoned)", values)
    assert kpis.shown(PerformanceIndicator(unit="percent"), result) == Decimal("79.8")
    assert kpis.calculate("-contacts + +2.5", values) == Decimal("-87.5")
    assert kpis.calculate("(contacts - abandoned) * 2 / 4", values) == 42
    assert kpis.calculate("contacts", {}) == 0  # a figure with no rows is 0


@pytest.mark.parametrize(
    "formula",
    [
        "contacts / 0",
        "100 * resolved / (opened - opened)",
        "1 / identified",
        "(1 / contacts) * 0",  # no data anywhere makes the whole formula no data
    ],
)
def test_division_by_zero_is_no_data(formula):
    assert kpis.formula_problems(formula) == []
    assert kpis.calculate(formula, {"opened": 4, "resolved": 2}) is None


@pytest.mark.parametrize(
    ("unit", "value", "shown"),
    [
        ("percent", Decimal("79.96"), Decimal("80.0")),
        ("number", Decimal("4.25"), Decimal("4.3")),
        ("days", Decimal("9.94999"), Decimal("9.9")),
        ("seconds", Decimal("245.5"), Decimal("246")),
    ],
)
def test_each_unit_is_shown_to_its_precision(unit, value, shown):
    assert kpis.shown(PerformanceIndicator(unit=unit), value) == shown


@pytest.mark.parametrize(
    ("formula", "message"),
    [
        ("100 * (contacts - abandoned", "The formula is not written correctly"),
        ("contacts +", "not written correctly (at the end)"),
        ("", "Enter a formula."),
        ("fcr * 100", 'Unknown name "fcr" (at character 1)'),
        ("responses / 2", 'Unknown name "responses"'),
        ("contacts ** 2", "Only + - * / and brackets"),
        ("contacts // 2", "Only + - * / and brackets"),
        ("contacts % 2", "Only + - * / and brackets"),
        ("~contacts", "Only + - * / and brackets"),
        ("contacts > 2", "Only numbers, the names of figures"),
        ("'100' * 2", "Only numbers and the names of figures"),
        ("True + contacts", "Only numbers and the names of figures"),
        ("1e999 * contacts", "too large"),
        ("x" * 501, "too long"),
        ("1" + " + (1" * 40 + ")" * 40, "brackets inside brackets"),
    ],
)
def test_bad_formulas_are_refused_with_a_reason(formula, message):
    problems = kpis.formula_problems(formula)
    assert any(message in problem for problem in problems), problems
    with pytest.raises(ValidationError):
        kpis.validate_formula(formula)
    with pytest.raises(kpis.FormulaError):
        kpis.calculate(formula, {})


@pytest.mark.parametrize(
    "formula",
    [
        "__import__('os').system('touch pwned')",
        "open('/etc/passwd')",
        "contacts.__class__",
        "().__class__.__bases__[0]",
        "(lambda: 1)()",
        "[c for c in ()]",
        "eval('1')",
        "__builtins__",
        "contacts if contacts else 1",
        "(contacts := 1)",
        "f'{contacts}'",
        "contacts; 1",
        "import os",
    ],
)
def test_no_code_can_run(formula, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert kpis.formula_problems(formula)
    with pytest.raises(kpis.FormulaError):
        kpis.calculate(formula, {"contacts": 1})
    assert not list(tmp_path.iterdir())


def test_unknown_names_and_functions_are_named_in_the_message():
    problems = kpis.formula_problems("len(contacts) + fcr")
    assert problems == [
        "Functions may not be called (at character 1).",
        'Unknown name "fcr" (at character 17). The names are listed under the formula.',
    ]


def test_the_model_refuses_a_bad_formula_and_a_negative_tolerance(council):
    kpi = PerformanceIndicator(
        organisation=council, code="CC09", name="Broken", formula="contacts ** 2",
        target=Decimal(1), amber_tolerance=Decimal(-1),
    )  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        kpi.full_clean()
    assert "formula" in refused.value.message_dict
    kpi.formula = "contacts * 2"
    with pytest.raises(ValidationError) as refused:
        kpi.full_clean()
    assert list(refused.value.message_dict) == ["amber_tolerance"]
    kpi.amber_tolerance = None
    kpi.full_clean()


# --- RAG --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actual", "status"),
    [
        (Decimal(92), "green"),
        (Decimal(80), "green"),
        (Decimal("79.96"), "green"),  # shown as 80.0: the page and the status agree
        (Decimal("79.94"), "amber"),
        (Decimal(75), "amber"),  # exactly the tolerance off
        (Decimal("74.96"), "amber"),
        (Decimal("74.9"), "red"),
        (0, "red"),
        (None, None),
    ],
)
def test_rag_when_higher_is_better(actual, status):
    kpi = PerformanceIndicator(
        unit="percent", target=Decimal(80), direction="higher", amber_tolerance=Decimal(5)
    )
    assert kpis.rag(kpi, actual) == status


@pytest.mark.parametrize(
    ("actual", "status"),
    [
        (Decimal(12), "green"),
        (Decimal(20), "green"),
        (Decimal("20.04"), "green"),
        (Decimal("20.1"), "amber"),
        (Decimal(23), "amber"),
        (Decimal("23.1"), "red"),
        (Decimal(60), "red"),
    ],
)
def test_rag_when_lower_is_better(actual, status):
    kpi = PerformanceIndicator(
        unit="percent", target=Decimal(20), direction="lower", amber_tolerance=Decimal(3)
    )
    assert kpis.rag(kpi, actual) == status


def test_the_tolerance_is_five_percent_of_the_target_unless_set():
    days = PerformanceIndicator(unit="days", target=Decimal(10), direction="lower")
    assert days.tolerance == Decimal("0.5")
    assert [kpis.rag(days, Decimal(v)) for v in ("10", "10.5", "10.6")] == [
        "green",
        "amber",
        "red",
    ]
    strict = PerformanceIndicator(
        unit="number", target=Decimal(4), direction="higher", amber_tolerance=Decimal(0)
    )
    assert [kpis.rag(strict, Decimal(v)) for v in ("4", "3.9")] == ["green", "red"]


# --- quarters and the report ------------------------------------------------------------------


def test_the_councils_year_starts_in_april():
    assert kpis.quarter_dates(2026, 1) == (datetime.date(2026, 4, 1), datetime.date(2026, 6, 30))
    assert kpis.quarter_dates(2026, 3) == (OCTOBER, datetime.date(2026, 12, 31))
    assert kpis.quarter_dates(2026, 4) == (datetime.date(2027, 1, 1), datetime.date(2027, 3, 31))
    assert kpis.quarter_of(datetime.date(2026, 4, 1)) == (2026, 1)
    assert kpis.quarter_of(datetime.date(2027, 3, 31)) == (2026, 4)
    assert kpis.quarter_of(datetime.date(2026, 11, 23)) == (2026, 3)
    with pytest.raises(ValueError):
        kpis.quarter_dates(2026, 5)


def test_the_quarter_report_on_known_rollups(council):
    fcr = indicator(council, amber_tolerance=Decimal(5), order=1)
    avoidable = indicator(
        council, code="CC03", name="Avoidable contact", formula="100 * avoidable / contacts",
        target=Decimal(20), direction="lower", period="quarterly", order=2,
    )  # fmt: skip
    backlog_kpi = indicator(
        council, code="CS09", name="Open cases", formula="backlog_open", unit="number",
        target=Decimal(100), direction="lower", period="annual", order=3,
    )  # fmt: skip
    indicator(council, code="ZZ99", name="Retired", formula="contacts", is_active=False)
    # Q3 2026: October 85 of 100 answered resolved, November 78 of 100, December 60 of 100.
    contacts_in(council, OCTOBER, resolved=85, other=15, abandoned=10, avoidable=17)
    contacts_in(council, NOVEMBER, resolved=78, other=22, avoidable=30)
    contacts_in(council, DECEMBER, resolved=60, other=40, avoidable=10)
    # The same quarter a year before: 70 of 100.
    contacts_in(council, datetime.date(2025, 11, 1), resolved=70, other=30, avoidable=40)
    # Outside both quarters: ignored.
    contacts_in(council, datetime.date(2026, 9, 1), resolved=1, other=99)
    contacts_in(council, datetime.date(2027, 1, 1), resolved=1, other=99)
    BacklogDay.objects.create(organisation=council, day=datetime.date(2026, 12, 31), open=90)
    BacklogDay.objects.create(organisation=council, day=datetime.date(2025, 12, 31), open=130)

    report = kpis.quarter_report(
        organisation=council, year=2026, quarter=3, today=datetime.date(2027, 2, 1)
    )

    assert (report.start, report.end, report.complete) == (
        OCTOBER,
        datetime.date(2026, 12, 31),
        True,
    )
    assert report.label == "Quarter 3, 2026 to 27"
    assert [row.indicator for row in report.rows] == [fcr, avoidable, backlog_kpi]
    first, second, third = report.rows
    assert first.actual == Decimal("74.3")  # 223 of 300 answered
    assert first.status == "red"  # 5.7 short of the target, beyond the tolerance of 5
    assert [(m.month, m.actual, m.status) for m in first.months] == [
        (OCTOBER, Decimal("85.0"), "green"),
        (NOVEMBER, Decimal("78.0"), "amber"),
        (DECEMBER, Decimal("60.0"), "red"),
    ]
    assert (first.last_year, first.last_year_status) == (Decimal("70.0"), "red")
    assert first.change == Decimal("4.3")
    assert second.actual == Decimal("18.4") and second.status == "green"  # 57 of 310
    assert second.months == [] and second.last_year == Decimal("40.0")
    assert second.last_year_status == "red"
    assert third.actual == 90 and third.status == "green"  # the backlog on 31 December
    assert third.last_year == 130 and third.last_year_status == "red"
    assert third.year_to_date == 90


def test_a_quarter_under_way_is_to_date(council):
    fcr = indicator(council)
    contacts_in(council, OCTOBER, resolved=9, other=1)
    report = kpis.quarter_report(organisation=council, year=2026, quarter=3, today=NOVEMBER)
    assert report.complete is False
    (row,) = report.rows
    assert row.indicator == fcr and row.actual == Decimal("90.0")
    assert [(m.actual, m.started) for m in row.months] == [
        (Decimal("90.0"), True),
        (None, True),  # no contacts yet: no data
        (None, False),
    ]
    assert row.last_year is None and row.status == "green"


def test_an_indicator_for_one_service_counts_only_its_figures(council):
    bins = create_service(actor=None, organisation=council, name="Missed bin")
    tax = create_service(actor=None, organisation=council, name="Council Tax")
    kpi = indicator(council, service=bins)
    for service, outcome in ((bins, "resolved"), (bins, "case_raised"), (tax, "case_raised")):
        contact_month(
            organisation=council, month=OCTOBER, channel="phone", outcome=outcome,
            service=service, contacts=5,
        )  # fmt: skip
    actual = kpis.evaluate(kpi, organisation=council, start=OCTOBER, end=DECEMBER)
    assert actual == 50


def test_the_report_agrees_with_the_raw_contacts(council, agent):
    """Contacts logged and rolled up through the real services give the same figure."""
    kpi = indicator(council)
    service = create_service(actor=None, organisation=council, name="Missed bin")
    moment = datetime.datetime(2026, 5, 12, 10, 0, tzinfo=datetime.UTC)  # Q1 2026
    for outcome in ("resolved", "resolved", "resolved", "case_raised", "abandoned"):
        log_contact(
            actor=agent, organisation=council, channel="phone", outcome=outcome,
            service=service, started_at=moment,
        )  # fmt: skip
    rollups.rebuild(organisation=council)

    report = kpis.quarter_report(organisation=council, year=2026, quarter=1)

    (row,) = report.rows
    assert row.indicator == kpi
    assert row.actual == Decimal("75.0")  # 3 of the 4 answered
    assert [m.actual for m in row.months] == [None, Decimal("75.0"), None]


def test_the_demo_indicators_are_installed_once_and_all_work(council):
    first = kpis.install_demo_indicators(organisation=council)
    assert len(first) == 6
    units = {kpi.unit for kpi in first}
    assert {"percent", "days", "number"} <= units
    edited = first[0]
    edited.target = Decimal(85)
    edited.save(update_fields=["target"])

    again = kpis.install_demo_indicators(organisation=council)

    assert [kpi.pk for kpi in again] == [kpi.pk for kpi in first]
    assert PerformanceIndicator.objects.filter(organisation=council).count() == 6
    assert PerformanceIndicator.objects.get(pk=edited.pk).target == 85  # left as edited
    for kpi in again:
        kpi.full_clean()
        assert kpis.names_used(kpi.formula)
    report = kpis.quarter_report(organisation=council, year=2026, quarter=3)
    assert len(report.rows) == 6
    assert all(row.actual is None and row.status is None for row in report.rows)


def test_the_admin_checks_the_formula(client, council, django_user_model):
    admin_user = django_user_model.objects.create_superuser("root", "root@example.org", "pw-1234")
    client.force_login(admin_user)
    url = "/admin/insight/performanceindicator/add/"
    form = {
        "organisation": council.pk, "code": "CC07", "name": "Chasing", "is_active": "on",
        "order": 0, "formula": "100 * chasing / contact", "unit": "percent",
        "period": "monthly", "target": "5", "direction": "lower", "amber_tolerance": "",
    }  # fmt: skip
    assert "resolved_first_time" in client.get(url).content.decode()  # the names, as help

    page = client.post(url, form).content.decode()

    assert "Unknown name &quot;contact&quot; (at character 17)" in page
    assert not PerformanceIndicator.objects.exists()
    form["formula"] = " 100 * chasing / contacts "
    assert client.post(url, form).status_code == 302
    saved = PerformanceIndicator.objects.get()
    assert saved.formula == "100 * chasing / contacts" and saved.tolerance == Decimal("0.25")


def test_a_formula_broken_around_the_checks_shows_as_no_data(council):
    kpi = indicator(council)
    PerformanceIndicator.objects.filter(pk=kpi.pk).update(formula="__import__('os')")
    contacts_in(council, OCTOBER, resolved=5)
    (row,) = kpis.quarter_report(organisation=council, year=2026, quarter=3).rows
    assert row.actual is None and row.status is None
