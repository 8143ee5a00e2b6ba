"""The demo council's e-forms, built through the services as an administrator would.

Each form collects the answers its eligibility rules use (`forms.demo_rules.EXPECTED_ANSWERS`),
and each is published with its rules (`forms.demo_rules.DEMO_RULES`) published first.
"""

from typing import Any

from civicdesk.catalogue.models import Service
from civicdesk.forms import services
from civicdesk.forms.demo_rules import DEMO_RULES
from civicdesk.forms.models import Form, QuestionKind
from civicdesk.forms.selectors import published_version, rules_in_force
from civicdesk.organisations.models import Organisation

K = QuestionKind
YES_NO_AREA = {
    "code": "lives_in_area",
    "kind": K.YES_NO,
    "label": "Do you live in the borough?",
    "hint": "Your council tax is paid to this council.",
}
ADDRESS = {"code": "home_address", "kind": K.ADDRESS, "label": "Your home address"}
NAME = {"code": "full_name", "kind": K.TEXT, "label": "Full name", "maximum": 200}
BIRTH = {
    "code": "date_of_birth",
    "kind": K.DATE,
    "label": "Date of birth",
    "hint": "For example, 27 3 1958",
    "minimum": -120,
    "maximum": 0,
}
EMAIL = {"code": "email", "kind": K.EMAIL, "label": "Email address"}
PHONE = {"code": "phone", "kind": K.PHONE, "label": "Phone number", "required": False}
PHOTO = {
    "code": "photo",
    "kind": K.FILE,
    "label": "A photo of your face",
    "hint": "Like a passport photo: a JPG or PNG smaller than 10MB.",
}
DLA = {
    "code": "dla_mobility",
    "kind": K.SINGLE_CHOICE,
    "label": "Which rate of the Disability Living Allowance (DLA) mobility component do you get?",
    "choices": [("higher", "Higher rate"), ("lower", "Lower rate"), ("none", "I do not get it")],
}
PIP_MOVING = {
    "code": "pip_moving_around",
    "kind": K.NUMBER,
    "label": "PIP points for moving around",
    "hint": "On your PIP decision letter. Enter 0 if you do not get PIP.",
    "minimum": 0,
    "maximum": 12,
}


def _yes_no(code: str, label: str, **extra: Any) -> dict[str, Any]:
    return {"code": code, "kind": K.YES_NO, "label": label, **extra}


# Each form: (service slug, rules code, title, summary, fee in pence, days a grant lasts, pages);
# each page: (title, show_if, questions).
NO_AUTOMATIC_ROUTE = (
    'dla_mobility != "higher" and severely_sight_impaired == False '
    "and war_pensioners_mobility_supplement == False and afcs_tariff_1_to_8 == False"
)

DEMO_FORMS: list[tuple[str, str, str, str, int, int | None, list[tuple[str, str, list]]]] = [
    (
        "blue-badge",
        "blue-badge",
        "Apply for a Blue Badge",
        "A Blue Badge lets you park closer to where you need to go. It costs £10 and lasts up "
        "to 3 years. You will need a photo and proof of any benefits you get.",
        1000,
        3 * 365,
        [
            ("Where you live", "", [YES_NO_AREA, ADDRESS]),
            ("About you", "", [NAME, BIRTH, EMAIL, PHONE]),
            ("Disability Living Allowance", "", [DLA]),
            (
                "Personal Independence Payment",
                "",
                [_yes_no("gets_pip", "Do you get Personal Independence Payment (PIP)?")],
            ),
            (
                "Your PIP points",
                "gets_pip == True",
                [
                    PIP_MOVING,
                    {
                        "code": "pip_planning",
                        "kind": K.NUMBER,
                        "label": "PIP points for planning and following journeys",
                        "minimum": 0,
                        "maximum": 12,
                    },
                    {
                        "code": "pip_planning_descriptor",
                        "kind": K.SINGLE_CHOICE,
                        "label": "Which descriptor were you scored for planning and following "
                        "journeys?",
                        "hint": "The letter on your PIP decision letter.",
                        "choices": [(key, key.upper()) for key in "abcdef"]
                        + [("none", "I do not know")],
                    },
                ],
            ),
            (
                "Other benefits and conditions",
                "",
                [
                    _yes_no(
                        "severely_sight_impaired",
                        "Are you registered as severely sight impaired (blind)?",
                    ),
                    _yes_no(
                        "war_pensioners_mobility_supplement",
                        "Do you get War Pensioners' Mobility Supplement?",
                    ),
                    _yes_no(
                        "afcs_tariff_1_to_8",
                        "Did you get a lump sum from the Armed Forces Compensation Scheme at "
                        "tariff levels 1 to 8?",
                    ),
                    _yes_no(
                        "afcs_walking_disability_certified",
                        "Have you been certified as having a permanent and substantial "
                        "disability that makes walking very difficult?",
                        show_if="afcs_tariff_1_to_8 == True",
                    ),
                ],
            ),
            (
                "Driving",
                "",
                [
                    _yes_no("drives_regularly", "Do you drive a vehicle regularly?"),
                    _yes_no(
                        "arms_disability_cannot_use_meters",
                        "Do you have a severe disability in both arms that means you cannot "
                        "use some types of parking meter?",
                        show_if="drives_regularly == True",
                    ),
                ],
            ),
            (
                "Children under 3",
                "",
                [
                    _yes_no(
                        "child_needs_bulky_equipment",
                        "Is the badge for a child under 3 who must always have bulky medical "
                        "equipment with them?",
                        hint="Answer no if the badge is not for a child under 3.",
                    ),
                    _yes_no(
                        "child_needs_vehicle_nearby",
                        "Is the badge for a child under 3 who must always be kept near a "
                        "vehicle for treatment?",
                        hint="Answer no if the badge is not for a child under 3.",
                    ),
                ],
            ),
            (
                "Walking",
                NO_AUTOMATIC_ROUTE,
                [
                    {
                        "code": "walking_difficulties",
                        "kind": K.MULTIPLE_CHOICE,
                        "label": "Which of these describe your walking?",
                        "hint": "Select all that apply.",
                        "required": False,
                        "choices": [
                            ("cannot_walk", "I cannot walk at all"),
                            ("very_considerable_difficulty", "Walking is very difficult"),
                            ("psychological_distress", "Walking causes me very great distress"),
                            ("risk_of_serious_harm", "Walking puts me or others at serious risk"),
                        ],
                    },
                    _yes_no(
                        "condition_lasts_12_months",
                        "Is your difficulty walking expected to last at least 12 months?",
                    ),
                ],
            ),
            (
                "Evidence",
                "",
                [
                    PHOTO,
                    {
                        "code": "proof_of_benefit",
                        "kind": K.FILE,
                        "label": "Proof of your benefits",
                        "hint": "Your DLA, PIP or other award letter, if you have one.",
                        "required": False,
                    },
                ],
            ),
        ],
    ),
    (
        "older-persons-bus-pass",
        "older-persons-bus-pass",
        "Apply for an older person's bus pass",
        "Free off-peak bus travel from State Pension age. You will need a photo.",
        0,
        5 * 365,
        [
            ("Where you live", "", [YES_NO_AREA, ADDRESS]),
            ("About you", "", [NAME, BIRTH, EMAIL, PHONE]),
            ("Your photo", "", [PHOTO]),
        ],
    ),
    (
        "disabled-persons-bus-pass",
        "disabled-persons-bus-pass",
        "Apply for a disabled person's bus pass",
        "Free off-peak bus travel for eligible disabled people. You will need a photo and "
        "evidence of your disability.",
        0,
        3 * 365,
        [
            ("Where you live", "", [YES_NO_AREA, ADDRESS]),
            ("About you", "", [NAME, BIRTH, EMAIL, PHONE]),
            (
                "Your disability",
                "",
                [
                    {
                        "code": "disability_categories",
                        "kind": K.MULTIPLE_CHOICE,
                        "label": "Which of these apply to you?",
                        "hint": "Select all that apply.",
                        "choices": [
                            ("blind_or_partially_sighted", "I am blind or partially sighted"),
                            ("deaf", "I am profoundly or severely deaf"),
                            ("without_speech", "I cannot speak"),
                            ("walking", "I find walking very difficult"),
                            ("arms", "I cannot use both arms"),
                            ("learning_disability", "I have a learning disability"),
                            (
                                "refused_driving_licence",
                                "I would be refused a driving licence on medical grounds",
                            ),
                        ],
                    }
                ],
            ),
            ("Walking", '"walking" in disability_categories', [DLA, PIP_MOVING]),
            (
                "Driving licence",
                '"refused_driving_licence" in disability_categories',
                [
                    _yes_no(
                        "refusal_for_drugs_or_alcohol",
                        "Was your licence refused, or would it be, because of persistent misuse "
                        "of drugs or alcohol?",
                    )
                ],
            ),
            (
                "Evidence",
                "",
                [
                    PHOTO,
                    {
                        "code": "evidence",
                        "kind": K.FILE,
                        "label": "Evidence of your disability",
                        "hint": "For example, a certificate of visual impairment or an award "
                        "letter.",
                    },
                ],
            ),
        ],
    ),
    (
        "free-school-meals",
        "free-school-meals",
        "Apply for free school meals",
        "Children in families on certain benefits can get free school meals.",
        0,
        None,
        [
            ("About you", "", [NAME, EMAIL, PHONE, ADDRESS]),
            (
                "Your child",
                "",
                [
                    {"code": "child_name", "kind": K.TEXT, "label": "Child's full name"},
                    {
                        "code": "child_date_of_birth",
                        "kind": K.DATE,
                        "label": "Child's date of birth",
                        "minimum": -20,
                        "maximum": 0,
                    },
                    {"code": "school", "kind": K.TEXT, "label": "School name"},
                    {
                        "code": "other_children",
                        "kind": K.LONG_TEXT,
                        "label": "Other children to apply for",
                        "hint": "Their names, dates of birth and schools.",
                        "required": False,
                    },
                ],
            ),
            (
                "Your benefits",
                "",
                [
                    {
                        "code": "benefits",
                        "kind": K.MULTIPLE_CHOICE,
                        "label": "Which of these do you get?",
                        "hint": "Select all that apply.",
                        "required": False,
                        "choices": [
                            ("income_support", "Income Support"),
                            ("income_based_jsa", "Income-based Jobseeker's Allowance"),
                            (
                                "income_related_esa",
                                "Income-related Employment and Support Allowance",
                            ),
                            (
                                "asylum_support",
                                "Support under part 6 of the Immigration and Asylum Act 1999",
                            ),
                            ("pension_credit_guarantee", "The guarantee element of Pension Credit"),
                            ("child_tax_credit", "Child Tax Credit"),
                            ("working_tax_credit", "Working Tax Credit"),
                            ("working_tax_credit_run_on", "Working Tax Credit run-on"),
                            ("universal_credit", "Universal Credit"),
                        ],
                    }
                ],
            ),
            (
                "Household income",
                '"child_tax_credit" in benefits',
                [
                    {
                        "code": "annual_income",
                        "kind": K.NUMBER,
                        "label": "Household income for the year, in pounds",
                        "hint": "As assessed by HMRC for tax credits.",
                        "minimum": 0,
                    }
                ],
            ),
            (
                "Your earnings",
                '"universal_credit" in benefits',
                [
                    {
                        "code": "net_earnings",
                        "kind": K.NUMBER,
                        "label": "Household take-home pay for the year, in pounds",
                        "hint": "Earnings after tax, not counting benefits.",
                        "minimum": 0,
                    }
                ],
            ),
            (
                "Evidence",
                "",
                [
                    {
                        "code": "proof_of_benefit",
                        "kind": K.FILE,
                        "label": "Proof of your benefits",
                        "hint": "An award letter or a screenshot of your Universal Credit account.",
                        "required": False,
                    }
                ],
            ),
        ],
    ),
]

RULE_TITLES = {
    "blue-badge": "Blue Badge eligibility",
    "older-persons-bus-pass": "Older person's bus pass eligibility",
    "disabled-persons-bus-pass": "Disabled person's bus pass eligibility",
    "free-school-meals": "Free school meals eligibility",
}


def install_demo_forms(*, actor: Any, organisation: Organisation) -> dict[str, Form]:
    """Publish the demo rules and forms; return the forms by slug. Safe to run again.

    The forms' services come from the demo catalogue; a form whose service is missing is
    skipped.
    """

    for code, definition in DEMO_RULES.items():
        if rules_in_force(organisation, code) is None:
            rules = services.save_rules(
                actor=actor,
                organisation=organisation,
                code=code,
                title=RULE_TITLES.get(code, code),
                definition=definition,
                source=str(definition.get("source", "")),
            )
            services.publish_rules(actor=actor, rules=rules)
    made: dict[str, Form] = {}
    for service_slug, rules_code, title, summary, fee, days, pages in DEMO_FORMS:
        service = Service.objects.filter(organisation=organisation, slug=service_slug).first()
        if service is None:
            continue
        form = Form.objects.filter(organisation=organisation, service=service).first()
        if form is None:
            form = services.create_form(
                actor=actor,
                organisation=organisation,
                service=service,
                title=title,
                summary=summary,
                fee_pence=fee,
                grant_valid_for_days=days,
                eligibility_code=rules_code if rules_code in DEMO_RULES else "",
            )
        made[form.slug] = form
        if published_version(form) is not None:
            continue
        draft = form.versions.get(number=1)
        for page_title, show_if, questions in pages:
            page = services.add_page(actor=actor, version=draft, title=page_title, show_if=show_if)
            for question in questions:
                services.add_question(actor=actor, page=page, **question)
        services.publish_version(actor=actor, version=draft)
    return made
