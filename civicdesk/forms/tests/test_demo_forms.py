import pytest

from civicdesk.catalogue.services import create_service
from civicdesk.forms import rules, runner
from civicdesk.forms.demo import DEMO_FORMS, install_demo_forms
from civicdesk.forms.demo_rules import DEMO_RULES, EXPECTED_ANSWERS
from civicdesk.forms.models import QuestionKind
from civicdesk.forms.selectors import published_version, rules_in_force
from civicdesk.forms.tests.conftest import TODAY

SAMPLE = {
    QuestionKind.TEXT: "Ada",
    QuestionKind.LONG_TEXT: "More",
    QuestionKind.NUMBER: "4",
    QuestionKind.DATE: "1950-03-07",
    QuestionKind.YES_NO: True,
    QuestionKind.EMAIL: "ada@example.org",
    QuestionKind.PHONE: "07700 900982",
    QuestionKind.ADDRESS: {"uprn": None, "text": "1 High Street"},
    QuestionKind.FILE: ["photo.jpg"],
}


@pytest.fixture(scope="module")
def demo_forms(django_db_setup, django_db_blocker):
    from civicdesk.organisations.tests.factories import OrganisationFactory, UserFactory

    with django_db_blocker.unblock():
        from django.db import transaction

        with transaction.atomic():
            council = OrganisationFactory()
            actor = UserFactory(username="demoformsadmin")
            for slug, *_ in DEMO_FORMS:
                create_service(actor=actor, organisation=council, name=slug, slug=slug)
            forms = install_demo_forms(actor=actor, organisation=council)
            again = install_demo_forms(actor=actor, organisation=council)
            yield council, forms, again
            transaction.set_rollback(True)


def _answers(version):
    answers = {}
    for page in runner._pages(version):
        for question in page.questions.all():
            if question.kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE):
                key = question.choices[0]["key"]
                answers[question.code] = key if question.kind == "single_choice" else [key]
            else:
                answers[question.code] = SAMPLE[question.kind]
    return answers


@pytest.mark.django_db
def test_the_demo_forms_publish_and_feed_their_rules(demo_forms):
    council, forms, again = demo_forms
    assert len(forms) == 4 and set(again) == set(forms)
    for form in forms.values():
        version = published_version(form)
        assert version is not None and version.number == 1
        codes = {q.code for page in runner._pages(version) for q in page.questions.all()}
        code = next(rules_code for slug, rules_code, *_ in DEMO_FORMS if slug == form.service.slug)
        assert set(EXPECTED_ANSWERS[code]) <= codes, code
        answers = runner.prune(version, _answers(version), on=TODAY)
        assert runner.missing(version, answers, on=TODAY) == []
        if code in DEMO_RULES:
            assert version.eligibility_code == code
            rule_set = rules_in_force(council, code)
            verdict = rules.assess(
                rule_set.definition,
                runner.typed_answers(version, answers),
                on=TODAY,
                code=code,
                version=rule_set.version,
            )
            assert verdict.outcome in rules.OUTCOMES


@pytest.mark.django_db
def test_the_blue_badge_asks_about_walking_only_without_an_automatic_route(demo_forms):
    _council, forms, _again = demo_forms
    version = published_version(forms["apply-for-a-blue-badge"])
    answers = _answers(version)
    answers.update(
        dla_mobility="none",
        severely_sight_impaired=False,
        war_pensioners_mobility_supplement=False,
        afcs_tariff_1_to_8=False,
    )
    titles = [page.title for page in runner.visible_pages(version, answers, on=TODAY)]
    assert "Walking" in titles
    answers["dla_mobility"] = "higher"
    titles = [page.title for page in runner.visible_pages(version, answers, on=TODAY)]
    assert "Walking" not in titles
    assert "walking_difficulties" not in runner.prune(version, answers, on=TODAY)


def _verdict(council, version, answers):
    answers = runner.prune(version, answers, on=TODAY)
    rule_set = rules_in_force(council, version.eligibility_code)
    typed = runner.typed_answers(version, answers)
    return rules.assess(rule_set.definition, typed, on=TODAY).outcome


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("slug", "changes", "outcome"),
    [
        ("apply-for-a-blue-badge", {"dla_mobility": "higher"}, rules.ELIGIBLE),
        ("apply-for-a-blue-badge", {"lives_in_area": False}, rules.NOT_ELIGIBLE),
        ("apply-for-an-older-persons-bus-pass", {"date_of_birth": "1950-03-07"}, rules.ELIGIBLE),
        (
            "apply-for-an-older-persons-bus-pass",
            {"date_of_birth": "1990-03-07"},
            rules.NOT_ELIGIBLE,
        ),
        (
            "apply-for-free-school-meals",
            {"benefits": ["universal_credit"], "net_earnings": "5000"},
            rules.ELIGIBLE,
        ),
        (
            "apply-for-free-school-meals",
            {"benefits": [], "net_earnings": "25000"},  # since September 2026 any UC qualifies
            rules.NOT_ELIGIBLE,
        ),
        (
            "apply-for-a-disabled-persons-bus-pass",
            {"disability_categories": ["blind_or_partially_sighted"]},
            rules.ELIGIBLE,
        ),
    ],
)
def test_demo_answers_reach_the_rules_as_they_expect(demo_forms, slug, changes, outcome):
    council, forms, _again = demo_forms
    version = published_version(forms[slug])
    answers = {
        **_answers(version),
        "lives_in_area": True,
        "dla_mobility": "none",
        "gets_pip": False,
        "severely_sight_impaired": False,
        "war_pensioners_mobility_supplement": False,
        "afcs_tariff_1_to_8": False,
        "drives_regularly": False,
        "child_needs_bulky_equipment": False,
        "child_needs_vehicle_nearby": False,
        "walking_difficulties": [],
        "benefits": [],
        "disability_categories": [],
        **changes,
    }
    assert _verdict(council, version, answers) == outcome
