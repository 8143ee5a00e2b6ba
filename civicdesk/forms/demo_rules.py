"""The demo councils' eligibility rule sets, written as data from the public criteria.

`EXPECTED_ANSWERS` is the contract with the demo forms (`forms.demo`): for each rule set, the
answer codes its expressions use and the type and values each answer must have. Answers arrive
typed, as the form runner stores them:

- yes/no questions give ``True`` or ``False``;
- date questions give a ``datetime.date`` (an ISO date string also works);
- number questions give an ``int`` (or ``Decimal``) in whole pounds or points;
- single-choice questions give the chosen key (a ``str``);
- multiple-choice questions give a ``list`` of the chosen keys (``[]`` when none);
- a question that was not shown or not answered is missing (``None``).

Every rule records the date it took effect ("from") and, where it has ended, the first date it
no longer applies ("until"). Sources are the GOV.UK pages in each rule set's "source".
"""

from typing import Any

EXPECTED_ANSWERS: dict[str, dict[str, str]] = {
    "blue-badge": {
        "lives_in_area": "yes/no (bool): lives in the council's area",
        "date_of_birth": "date: the applicant's date of birth",
        "dla_mobility": (
            'single choice (str): rate of the DLA mobility component, one of "higher", "lower", '
            '"none"'
        ),
        "pip_moving_around": (
            'number (int, 0 to 12): PIP points for the "moving around" activity; 0 if no PIP'
        ),
        "pip_planning": (
            'number (int, 0 to 12): PIP points for "planning and following journeys"; 0 if no PIP'
        ),
        "pip_planning_descriptor": (
            'single choice (str): the descriptor scored for "planning and following journeys", '
            'one of "a", "b", "c", "d", "e", "f", "none"'
        ),
        "severely_sight_impaired": "yes/no (bool): registered severely sight impaired (blind)",
        "war_pensioners_mobility_supplement": (
            "yes/no (bool): receives War Pensioners' Mobility Supplement"
        ),
        "afcs_tariff_1_to_8": (
            "yes/no (bool): received a lump sum under tariff levels 1 to 8 of the Armed Forces "
            "Compensation Scheme"
        ),
        "afcs_walking_disability_certified": (
            "yes/no (bool): certified as having a permanent and substantial disability causing "
            "inability to walk or very considerable difficulty walking (asked if "
            "afcs_tariff_1_to_8)"
        ),
        "drives_regularly": "yes/no (bool): drives a vehicle regularly",
        "arms_disability_cannot_use_meters": (
            "yes/no (bool): has a severe disability in both arms and cannot operate all or some "
            "types of parking meter (asked if drives_regularly)"
        ),
        "child_needs_bulky_equipment": (
            "yes/no (bool): a child under 3 who must always be accompanied by bulky medical "
            "equipment which cannot be carried around without great difficulty"
        ),
        "child_needs_vehicle_nearby": (
            "yes/no (bool): a child under 3 who must always be kept near a motor vehicle to be "
            "treated there or taken quickly to treatment"
        ),
        "walking_difficulties": (
            "multiple choice (list of str): any of "
            '"cannot_walk", "very_considerable_difficulty", "psychological_distress", '
            '"risk_of_serious_harm"; [] for none'
        ),
        "condition_lasts_12_months": (
            "yes/no (bool): the walking difficulty is expected to last at least 12 months"
        ),
    },
    "older-persons-bus-pass": {
        "lives_in_area": "yes/no (bool): lives in the council's area",
        "date_of_birth": "date: the applicant's date of birth",
    },
    "disabled-persons-bus-pass": {
        "lives_in_area": "yes/no (bool): lives in the council's area",
        "disability_categories": (
            "multiple choice (list of str): any of "
            '"blind_or_partially_sighted", "deaf", "without_speech", "walking", "arms", '
            '"learning_disability", "refused_driving_licence"; [] for none'
        ),
        "dla_mobility": (
            'single choice (str): rate of the DLA mobility component, one of "higher", "lower", '
            '"none" (asked if "walking" is chosen)'
        ),
        "pip_moving_around": (
            'number (int, 0 to 12): PIP points for "moving around"; 0 if no PIP (asked if '
            '"walking" is chosen)'
        ),
        "refusal_for_drugs_or_alcohol": (
            "yes/no (bool): the driving licence was (or would be) refused because of persistent "
            'misuse of drugs or alcohol (asked if "refused_driving_licence" is chosen)'
        ),
    },
    "free-school-meals": {
        "benefits": (
            "multiple choice (list of str): what the parent or carer gets, any of "
            '"income_support", "income_based_jsa", "income_related_esa", "asylum_support", '
            '"pension_credit_guarantee", "child_tax_credit", "working_tax_credit", '
            '"working_tax_credit_run_on", "universal_credit"; [] for none'
        ),
        "annual_income": (
            "number (int, pounds a year): household gross income as assessed by HMRC for tax "
            'credits (asked if "child_tax_credit" is chosen)'
        ),
        "net_earnings": (
            "number (int, pounds a year): net earned income of the Universal Credit household "
            '(take-home pay, not counting benefits) (asked if "universal_credit" is chosen)'
        ),
    },
}

_OVER_2 = "age(date_of_birth) >= 3"
_RESIDENT = {
    "id": "resident",
    "when": "lives_in_area == True",
    "reason": "You must live in the council's area.",
}

# Each rule set is a definition for `forms.rules` (default, requirements, rules) with its
# "title" and "source" alongside, which `check_rule_set` accepts and `assess` ignores.
DEMO_RULES: dict[str, dict[str, Any]] = {
    # DfT "Blue Badge: can I get one?" and the local authority guidance, criteria as extended
    # on 30 August 2019 (PIP descriptor E, psychological distress, risk of serious harm).
    # "More than two years old" is read, as GOV.UK does, as aged 3 or over.
    "blue-badge": {
        "title": "Blue Badge eligibility (England)",
        "source": "https://www.gov.uk/government/publications/blue-badge-can-i-get-one",
        "default": {
            "outcome": "not_eligible",
            "reason": "None of the criteria for a Blue Badge is met.",
        },
        "requirements": [_RESIDENT],
        "rules": [
            {
                "id": "dla-higher-mobility",
                "outcome": "eligible",
                "when": f'{_OVER_2} and dla_mobility == "higher"',
                "reason": "Gets the higher rate of the mobility component of DLA.",
                "from": "2019-08-30",
                "until": None,
            },
            {
                "id": "pip-moving-around",
                "outcome": "eligible",
                "when": f"{_OVER_2} and pip_moving_around >= 8",
                "reason": 'Scored 8 points or more for "moving around" in PIP.',
                "from": "2019-08-30",
                "until": None,
            },
            {
                "id": "pip-planning-journeys-e",
                "outcome": "eligible",
                "when": (f'{_OVER_2} and pip_planning >= 10 and pip_planning_descriptor == "e"'),
                "reason": (
                    'Scored 10 points for descriptor E of "planning and following journeys" '
                    "in PIP (overwhelming psychological distress)."
                ),
                "from": "2019-08-30",
                "until": None,
            },
            {
                "id": "severely-sight-impaired",
                "outcome": "eligible",
                "when": f"{_OVER_2} and severely_sight_impaired == True",
                "reason": "Registered severely sight impaired (blind).",
                "from": "2019-08-30",
                "until": None,
            },
            {
                "id": "war-pensioners-mobility-supplement",
                "outcome": "eligible",
                "when": f"{_OVER_2} and war_pensioners_mobility_supplement == True",
                "reason": "Gets War Pensioners' Mobility Supplement.",
                "from": "2019-08-30",
                "until": None,
            },
            {
                "id": "armed-forces-compensation",
                "outcome": "eligible",
                "when": (
                    f"{_OVER_2} and afcs_tariff_1_to_8 == True "
                    "and afcs_walking_disability_certified == True"
                ),
                "reason": (
                    "Armed Forces Compensation Scheme lump sum at tariff 1 to 8, certified as a "
                    "permanent and substantial disability affecting walking."
                ),
                "from": "2019-08-30",
                "until": None,
            },
            {
                "id": "arms-parking-meters",
                "outcome": "further_assessment",
                "when": (
                    f"{_OVER_2} and drives_regularly == True "
                    "and arms_disability_cannot_use_meters == True"
                ),
                "reason": (
                    "Drives regularly with a severe disability in both arms and cannot use "
                    "parking meters: needs further assessment."
                ),
                "from": "2019-08-30",
                "until": None,
            },
            {
                "id": "walking-difficulty",
                "outcome": "further_assessment",
                "when": (
                    f"{_OVER_2} and condition_lasts_12_months == True and count("
                    "walking_difficulties) > 0"
                ),
                "reason": (
                    "An enduring and substantial disability affecting walking (inability, very "
                    "considerable difficulty or distress, or risk of serious harm): needs "
                    "further assessment."
                ),
                "from": "2019-08-30",
                "until": None,
            },
            {
                "id": "child-bulky-equipment",
                "outcome": "further_assessment",
                "when": "age(date_of_birth) < 3 and child_needs_bulky_equipment == True",
                "reason": (
                    "A child under 3 who must always have bulky medical equipment with them: "
                    "needs further assessment."
                ),
                "from": "2019-08-30",
                "until": None,
            },
            {
                "id": "child-near-vehicle",
                "outcome": "further_assessment",
                "when": "age(date_of_birth) < 3 and child_needs_vehicle_nearby == True",
                "reason": (
                    "A child under 3 who must always be kept near a vehicle for treatment: "
                    "needs further assessment."
                ),
                "from": "2019-08-30",
                "until": None,
            },
        ],
    },
    # ENCTS (Concessionary Bus Travel Act 2007, from 1 April 2008): free off-peak bus travel
    # from the State Pension age of a woman born on the same day (see forms.pension_age).
    "older-persons-bus-pass": {
        "title": "Older person's bus pass (England)",
        "source": "https://www.gov.uk/apply-for-elderly-person-bus-pass",
        "default": {
            "outcome": "not_eligible",
            "reason": "You have not reached State Pension age yet.",
        },
        "requirements": [_RESIDENT],
        "rules": [
            {
                "id": "state-pension-age",
                "outcome": "eligible",
                "when": "reached_state_pension_age(date_of_birth)",
                "reason": "Has reached State Pension age.",
                "from": "2008-04-01",
                "until": None,
            }
        ],
    },
    # ENCTS eligible disabled people (Transport Act 2000, s.146), from 1 April 2008.
    "disabled-persons-bus-pass": {
        "title": "Disabled person's bus pass (England)",
        "source": "https://www.gov.uk/apply-for-disabled-bus-pass",
        "default": {
            "outcome": "not_eligible",
            "reason": "None of the disabilities that give a bus pass applies.",
        },
        "requirements": [_RESIDENT],
        "rules": [
            {
                "id": "blind-or-partially-sighted",
                "outcome": "eligible",
                "when": '"blind_or_partially_sighted" in disability_categories',
                "reason": "Blind or partially sighted.",
                "from": "2008-04-01",
                "until": None,
            },
            {
                "id": "deaf",
                "outcome": "eligible",
                "when": '"deaf" in disability_categories',
                "reason": "Profoundly or severely deaf.",
                "from": "2008-04-01",
                "until": None,
            },
            {
                "id": "without-speech",
                "outcome": "eligible",
                "when": '"without_speech" in disability_categories',
                "reason": "Without speech.",
                "from": "2008-04-01",
                "until": None,
            },
            {
                "id": "walking-with-mobility-award",
                "outcome": "eligible",
                "when": (
                    '"walking" in disability_categories and '
                    '(dla_mobility == "higher" or pip_moving_around >= 8)'
                ),
                "reason": (
                    "A disability that seriously affects walking, shown by the higher rate of "
                    'DLA mobility or 8 points or more for "moving around" in PIP.'
                ),
                "from": "2008-04-01",
                "until": None,
            },
            {
                "id": "walking",
                "outcome": "further_assessment",
                "when": '"walking" in disability_categories',
                "reason": (
                    "A disability with a substantial and long-term effect on walking: needs "
                    "further assessment."
                ),
                "from": "2008-04-01",
                "until": None,
            },
            {
                "id": "arms",
                "outcome": "eligible",
                "when": '"arms" in disability_categories',
                "reason": "No arms, or long-term loss of the use of both arms.",
                "from": "2008-04-01",
                "until": None,
            },
            {
                "id": "learning-disability",
                "outcome": "eligible",
                "when": '"learning_disability" in disability_categories',
                "reason": "A learning disability.",
                "from": "2008-04-01",
                "until": None,
            },
            {
                "id": "refused-driving-licence",
                "outcome": "eligible",
                "when": (
                    '"refused_driving_licence" in disability_categories '
                    "and refusal_for_drugs_or_alcohol == False"
                ),
                "reason": (
                    "Would be refused a driving licence on health grounds (Road Traffic Act "
                    "1988, section 92)."
                ),
                "from": "2008-04-01",
                "until": None,
            },
            {
                "id": "refused-driving-licence-misuse",
                "outcome": "not_eligible",
                "when": (
                    '"refused_driving_licence" in disability_categories '
                    "and refusal_for_drugs_or_alcohol == True"
                ),
                "reason": (
                    "A driving licence refused because of drug or alcohol misuse does not give "
                    "a bus pass."
                ),
                "from": "2008-04-01",
                "until": None,
            },
        ],
    },
    # DfE "Free school meals: guidance for local authorities": the Universal Credit earnings
    # threshold from 1 April 2018 (SI 2018/148) until the end of August 2026; from 1 September
    # 2026 every child in a Universal Credit household. The other qualifying benefits are
    # long-standing and carry no start date here.
    "free-school-meals": {
        "title": "Free school meals (England)",
        "source": "https://www.gov.uk/apply-free-school-meals",
        "default": {
            "outcome": "not_eligible",
            "reason": "No qualifying benefit is received.",
        },
        "requirements": [],
        "rules": [
            {
                "id": "income-support",
                "outcome": "eligible",
                "when": '"income_support" in benefits',
                "reason": "Gets Income Support.",
                "from": None,
                "until": None,
            },
            {
                "id": "income-based-jsa",
                "outcome": "eligible",
                "when": '"income_based_jsa" in benefits',
                "reason": "Gets income-based Jobseeker's Allowance.",
                "from": None,
                "until": None,
            },
            {
                "id": "income-related-esa",
                "outcome": "eligible",
                "when": '"income_related_esa" in benefits',
                "reason": "Gets income-related Employment and Support Allowance.",
                "from": None,
                "until": None,
            },
            {
                "id": "asylum-support",
                "outcome": "eligible",
                "when": '"asylum_support" in benefits',
                "reason": "Gets support under Part VI of the Immigration and Asylum Act 1999.",
                "from": None,
                "until": None,
            },
            {
                "id": "pension-credit-guarantee",
                "outcome": "eligible",
                "when": '"pension_credit_guarantee" in benefits',
                "reason": "Gets the guarantee element of Pension Credit.",
                "from": None,
                "until": None,
            },
            {
                "id": "child-tax-credit",
                "outcome": "eligible",
                "when": (
                    '"child_tax_credit" in benefits and "working_tax_credit" not in benefits '
                    "and annual_income <= 16190"
                ),
                "reason": (
                    "Gets Child Tax Credit without Working Tax Credit, with a household income "
                    "of £16,190 a year or less."
                ),
                "from": None,
                "until": None,
            },
            {
                "id": "working-tax-credit-run-on",
                "outcome": "eligible",
                "when": '"working_tax_credit_run_on" in benefits',
                "reason": "Gets Working Tax Credit run-on.",
                "from": None,
                "until": None,
            },
            {
                "id": "universal-credit-low-earnings",
                "outcome": "eligible",
                "when": '"universal_credit" in benefits and net_earnings <= 7400',
                "reason": (
                    "Gets Universal Credit with net earned income of £7,400 a year or less."
                ),
                "from": "2018-04-01",
                "until": "2026-09-01",
            },
            {
                "id": "universal-credit-earnings-unknown",
                "outcome": "further_assessment",
                "when": '"universal_credit" in benefits and not answered(net_earnings)',
                "reason": (
                    "Gets Universal Credit but the household's earnings are not known: check "
                    "them against the £7,400 threshold."
                ),
                "from": "2018-04-01",
                "until": "2026-09-01",
            },
            {
                "id": "universal-credit",
                "outcome": "eligible",
                "when": '"universal_credit" in benefits',
                "reason": "Gets Universal Credit (every Universal Credit household qualifies).",
                "from": "2026-09-01",
                "until": None,
            },
        ],
    },
}
