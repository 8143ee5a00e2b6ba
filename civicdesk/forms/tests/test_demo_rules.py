"""The demo rule sets against tables of cases taken from the public criteria, with their dates."""

from datetime import date

import pytest

from civicdesk.forms.demo_rules import DEMO_RULES, EXPECTED_ANSWERS
from civicdesk.forms.rules import assess, check_expression, check_rule_set

ON = date(2026, 11, 23)
ADULT = date(1980, 5, 17)
TODDLER = date(2024, 6, 1)  # two years old on ON


def test_every_demo_rule_set_checks_clean_against_its_expected_answers():
    assert set(DEMO_RULES) == set(EXPECTED_ANSWERS)
    for code, definition in DEMO_RULES.items():
        assert check_rule_set(definition, EXPECTED_ANSWERS[code]) == [], code
        assert definition["title"]
        assert definition["source"].startswith("https://www.gov.uk/")


def test_every_expected_answer_is_used_by_its_rules():
    for code, definition in DEMO_RULES.items():
        used = set()
        for entry in definition.get("requirements", []) + definition["rules"]:
            # An expression checked against no names lists every name it uses.
            for problem in check_expression(entry["when"], []):
                used.add(problem.split('"')[1])
        assert used == set(EXPECTED_ANSWERS[code]), code


def blue_badge(**answers):
    return {"lives_in_area": True, "date_of_birth": ADULT, **answers}


@pytest.mark.parametrize(
    ("answers", "outcome", "rule_reason"),
    [
        # Eligible without further assessment.
        (blue_badge(dla_mobility="higher"), "eligible", "higher rate of the mobility"),
        (blue_badge(pip_moving_around=8), "eligible", '"moving around"'),
        (blue_badge(pip_moving_around=12), "eligible", '"moving around"'),
        (
            blue_badge(pip_planning=10, pip_planning_descriptor="e"),
            "eligible",
            "descriptor E",
        ),
        (blue_badge(severely_sight_impaired=True), "eligible", "severely sight impaired"),
        (blue_badge(war_pensioners_mobility_supplement=True), "eligible", "War Pensioners"),
        (
            blue_badge(afcs_tariff_1_to_8=True, afcs_walking_disability_certified=True),
            "eligible",
            "Armed Forces Compensation",
        ),
        # Further assessment.
        (
            blue_badge(drives_regularly=True, arms_disability_cannot_use_meters=True),
            "further_assessment",
            "both arms",
        ),
        (
            blue_badge(
                walking_difficulties=["psychological_distress"], condition_lasts_12_months=True
            ),
            "further_assessment",
            "affecting walking",
        ),
        (
            blue_badge(date_of_birth=TODDLER, child_needs_bulky_equipment=True),
            "further_assessment",
            "bulky medical equipment",
        ),
        (
            blue_badge(date_of_birth=TODDLER, child_needs_vehicle_nearby=True),
            "further_assessment",
            "near a vehicle",
        ),
        # Not eligible.
        (blue_badge(dla_mobility="lower"), "not_eligible", "None of the criteria"),
        (blue_badge(pip_moving_around=6), "not_eligible", "None of the criteria"),
        # 10 points for planning journeys under descriptor D does not count; only E.
        (
            blue_badge(pip_planning=10, pip_planning_descriptor="d"),
            "not_eligible",
            "None of the criteria",
        ),
        (
            blue_badge(afcs_tariff_1_to_8=True, afcs_walking_disability_certified=False),
            "not_eligible",
            "None of the criteria",
        ),
        (
            blue_badge(drives_regularly=False, arms_disability_cannot_use_meters=True),
            "not_eligible",
            "None of the criteria",
        ),
        (
            blue_badge(walking_difficulties=["cannot_walk"], condition_lasts_12_months=False),
            "not_eligible",
            "None of the criteria",
        ),
        # The automatic routes are for people aged 3 or over...
        (
            blue_badge(date_of_birth=TODDLER, dla_mobility="higher"),
            "not_eligible",
            "None of the criteria",
        ),
        # ...and the routes for young children for those under 3.
        (
            blue_badge(child_needs_bulky_equipment=True),
            "not_eligible",
            "None of the criteria",
        ),
        (
            blue_badge(lives_in_area=False, dla_mobility="higher"),
            "not_eligible",
            "live in the council's area",
        ),
    ],
)
def test_blue_badge(answers, outcome, rule_reason):
    assessment = assess(DEMO_RULES["blue-badge"], answers, on=ON)
    assert assessment.outcome == outcome
    assert any(rule_reason in reason for reason in assessment.reasons), assessment.reasons


def test_blue_badge_descriptor_e_is_dated_from_30_august_2019():
    answers = blue_badge(pip_planning=10, pip_planning_descriptor="e")
    rules = DEMO_RULES["blue-badge"]
    assert assess(rules, answers, on=date(2019, 8, 29)).outcome == "not_eligible"
    assert assess(rules, answers, on=date(2019, 8, 30)).outcome == "eligible"


def test_blue_badge_automatic_beats_further_assessment():
    answers = blue_badge(
        dla_mobility="higher", walking_difficulties=["cannot_walk"], condition_lasts_12_months=True
    )
    assessment = assess(DEMO_RULES["blue-badge"], answers, on=ON)
    assert assessment.outcome == "eligible"
    assert any("affecting walking" in note for note in assessment.notes)


@pytest.mark.parametrize(
    ("born", "on", "outcome"),
    [
        (date(1955, 3, 1), ON, "eligible"),  # 66 in 2021
        (date(1960, 4, 5), date(2026, 4, 5), "eligible"),  # the last to get it at 66
        (date(1960, 4, 5), date(2026, 4, 4), "not_eligible"),
        (date(1960, 4, 6), date(2026, 4, 6), "not_eligible"),  # 66 and 1 month
        (date(1960, 4, 6), date(2026, 5, 6), "eligible"),
        (date(1960, 12, 31), date(2027, 9, 29), "not_eligible"),
        (date(1960, 12, 31), date(2027, 9, 30), "eligible"),
        (date(1961, 3, 6), date(2028, 3, 5), "not_eligible"),  # 67
        (date(1961, 3, 6), date(2028, 3, 6), "eligible"),
        (date(1952, 7, 1), date(2014, 9, 5), "not_eligible"),  # a woman's pension age, 1995 table
        (date(1952, 7, 1), date(2014, 9, 6), "eligible"),
        (ADULT, ON, "not_eligible"),
    ],
)
def test_older_persons_bus_pass(born, on, outcome):
    answers = {"lives_in_area": True, "date_of_birth": born}
    assert assess(DEMO_RULES["older-persons-bus-pass"], answers, on=on).outcome == outcome


def test_older_persons_bus_pass_needs_residence_and_a_date_of_birth():
    rules = DEMO_RULES["older-persons-bus-pass"]
    away = {"lives_in_area": False, "date_of_birth": date(1940, 1, 1)}
    assert assess(rules, away, on=ON).reasons == ["You must live in the council's area."]
    assert assess(rules, {"lives_in_area": True}, on=ON).outcome == "not_eligible"


@pytest.mark.parametrize(
    ("answers", "outcome"),
    [
        ({"disability_categories": ["blind_or_partially_sighted"]}, "eligible"),
        ({"disability_categories": ["deaf"]}, "eligible"),
        ({"disability_categories": ["without_speech"]}, "eligible"),
        ({"disability_categories": ["arms"]}, "eligible"),
        ({"disability_categories": ["learning_disability"]}, "eligible"),
        ({"disability_categories": ["walking"], "dla_mobility": "higher"}, "eligible"),
        ({"disability_categories": ["walking"], "pip_moving_around": 8}, "eligible"),
        ({"disability_categories": ["walking"], "pip_moving_around": 4}, "further_assessment"),
        ({"disability_categories": ["walking"]}, "further_assessment"),
        (
            {
                "disability_categories": ["refused_driving_licence"],
                "refusal_for_drugs_or_alcohol": False,
            },
            "eligible",
        ),
        (
            {
                "disability_categories": ["refused_driving_licence"],
                "refusal_for_drugs_or_alcohol": True,
            },
            "not_eligible",
        ),
        ({"disability_categories": []}, "not_eligible"),
        ({}, "not_eligible"),
    ],
)
def test_disabled_persons_bus_pass(answers, outcome):
    assessment = assess(
        DEMO_RULES["disabled-persons-bus-pass"], {"lives_in_area": True, **answers}, on=ON
    )
    assert assessment.outcome == outcome


def test_disabled_persons_bus_pass_needs_residence():
    answers = {"lives_in_area": False, "disability_categories": ["deaf"]}
    assessment = assess(DEMO_RULES["disabled-persons-bus-pass"], answers, on=ON)
    assert assessment.outcome == "not_eligible"


BEFORE = date(2026, 8, 31)
AFTER = date(2026, 9, 1)


@pytest.mark.parametrize(
    ("answers", "on", "outcome"),
    [
        ({"benefits": ["income_support"]}, BEFORE, "eligible"),
        ({"benefits": ["income_based_jsa"]}, BEFORE, "eligible"),
        ({"benefits": ["income_related_esa"]}, AFTER, "eligible"),
        ({"benefits": ["asylum_support"]}, AFTER, "eligible"),
        ({"benefits": ["pension_credit_guarantee"]}, AFTER, "eligible"),
        ({"benefits": ["working_tax_credit_run_on"]}, BEFORE, "eligible"),
        ({"benefits": ["child_tax_credit"], "annual_income": 16190}, BEFORE, "eligible"),
        ({"benefits": ["child_tax_credit"], "annual_income": 16191}, BEFORE, "not_eligible"),
        (
            {"benefits": ["child_tax_credit", "working_tax_credit"], "annual_income": 12000},
            BEFORE,
            "not_eligible",
        ),
        ({"benefits": ["working_tax_credit"]}, BEFORE, "not_eligible"),
        # Universal Credit: the £7,400 net earnings threshold until 31 August 2026...
        ({"benefits": ["universal_credit"], "net_earnings": 7400}, BEFORE, "eligible"),
        ({"benefits": ["universal_credit"], "net_earnings": 0}, BEFORE, "eligible"),
        ({"benefits": ["universal_credit"], "net_earnings": 7401}, BEFORE, "not_eligible"),
        ({"benefits": ["universal_credit"], "net_earnings": 9000}, BEFORE, "not_eligible"),
        ({"benefits": ["universal_credit"]}, BEFORE, "further_assessment"),
        # ...and every Universal Credit household from 1 September 2026.
        ({"benefits": ["universal_credit"], "net_earnings": 9000}, AFTER, "eligible"),
        ({"benefits": ["universal_credit"], "net_earnings": 40000}, AFTER, "eligible"),
        ({"benefits": ["universal_credit"]}, AFTER, "eligible"),
        # The threshold came in on 1 April 2018.
        (
            {"benefits": ["universal_credit"], "net_earnings": 7000},
            date(2018, 3, 31),
            "not_eligible",
        ),
        ({"benefits": ["universal_credit"], "net_earnings": 7000}, date(2018, 4, 1), "eligible"),
        ({"benefits": []}, AFTER, "not_eligible"),
        ({}, AFTER, "not_eligible"),
    ],
)
def test_free_school_meals(answers, on, outcome):
    assert assess(DEMO_RULES["free-school-meals"], answers, on=on).outcome == outcome


def test_free_school_meals_reasons_name_the_threshold():
    answers = {"benefits": ["universal_credit"], "net_earnings": 5000}
    assessment = assess(DEMO_RULES["free-school-meals"], answers, on=BEFORE, code="fsm", version=1)
    assert assessment.reasons == [
        "Gets Universal Credit with net earned income of £7,400 a year or less."
    ]
    assert assessment.as_json()["rules"] == "fsm"
