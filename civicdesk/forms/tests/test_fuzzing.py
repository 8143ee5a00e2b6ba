"""Whatever a resident sends to a page of a form (any text, numbers and dates of any size,
repeated or missing fields, control characters, NUL bytes, files of any kind), the answer is the
page again with a GOV.UK error summary, or the next step; and whatever the page lets through
can be checked, sent and assessed against the eligibility rules. Never a server error."""

import datetime
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from civicdesk.api.tests.fuzzing import fuzz_settings
from civicdesk.cases.tests.images import jpeg, png
from civicdesk.forms import applications, runner, services
from civicdesk.forms.models import Application, ApplicationStatus, Form, QuestionKind
from civicdesk.forms.rules import OUTCOMES
from civicdesk.forms.tests.applying import *  # noqa: F403 (the fixtures)
from civicdesk.places.tests.factories import AddressFactory

pytestmark = pytest.mark.django_db

SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
RULES = {
    "requirements": [{"id": "named", "when": "answered(name)", "reason": "Give your name."}],
    "rules": [
        {
            "id": "older",
            "outcome": "eligible",
            "when": "age(born) >= 65 or reached_state_pension_age(born)",
            "reason": "You have reached State Pension age.",
        },
        {
            "id": "points",
            "outcome": "eligible",
            "when": "points + extra >= 8 and blind == True and meters != False",
            "reason": "You score 8 points or more.",
        },
        {
            "id": "benefits",
            "outcome": "further_assessment",
            "when": "'uc' in benefits or count(benefits) > 1 or rate == 'higher'",
            "reason": "A person needs to look at your benefits.",
        },
        {
            "id": "moving",
            "outcome": "further_assessment",
            "when": "moving > today and months_since(born) < 1200 and home != None",
            "reason": "A person needs to look at your move.",
        },
    ],
    "default": {"outcome": "not_eligible", "reason": "None of the criteria is met."},
}


@pytest.fixture
def address(council: Any) -> Any:
    return AddressFactory(organisation=council, postcode="KM1 2AB")


@pytest.fixture
def everything(council: Any, badge_service: Any, templates: None, address: Any) -> Form:
    """A form asking one question of every kind, a page shown by an answer, and rules that
    read every answer."""
    rules = services.save_rules(
        actor=None, organisation=council, code="fuzz", title="Fuzz", definition=RULES
    )
    services.publish_rules(actor=None, rules=rules)
    form = services.create_form(
        actor=None,
        organisation=council,
        service=badge_service,
        title="Apply for everything",
        slug="everything",
        eligibility_code="fuzz",
    )
    draft = form.versions.get(number=1)
    about = services.add_page(actor=None, version=draft, title="About you")
    more = services.add_page(actor=None, version=draft, title="More", show_if="blind == True")

    def ask(page: Any, code: str, kind: str, label: str, **extra: Any) -> None:
        services.add_question(actor=None, page=page, code=code, kind=kind, label=label, **extra)

    ask(about, "name", QuestionKind.TEXT, "Full name", maximum=40)
    ask(about, "story", QuestionKind.LONG_TEXT, "Tell us more", required=False)
    ask(about, "points", QuestionKind.NUMBER, "PIP points", minimum=0, maximum=12)
    ask(about, "extra", QuestionKind.NUMBER, "Other points", required=False)
    ask(about, "born", QuestionKind.DATE, "Date of birth", minimum=-120, maximum=0)
    ask(about, "moving", QuestionKind.DATE, "Moving date", required=False)
    ask(about, "blind", QuestionKind.YES_NO, "Are you blind?")
    ask(about, "rate", QuestionKind.SINGLE_CHOICE, "Rate", choices=[("higher", "Higher")])
    ask(about, "benefits", QuestionKind.MULTIPLE_CHOICE, "Benefits", required=False,
        choices=[("uc", "Universal Credit"), ("pc", "Pension Credit")])  # fmt: skip
    ask(about, "email", QuestionKind.EMAIL, "Email address", required=False)
    ask(about, "phone", QuestionKind.PHONE, "Phone number", required=False)
    ask(about, "home", QuestionKind.ADDRESS, "Address", required=False)
    ask(about, "photo", QuestionKind.FILE, "Photo", required=False)
    ask(more, "meters", QuestionKind.YES_NO, "Can you use meters?", show_if="points >= 8")
    services.publish_version(actor=None, version=draft)
    return form


# What a resident (or a script) might send: a good page with a few answers changed, dropped,
# repeated or replaced by something nasty, and perhaps a file.

NASTY = st.one_of(
    st.text(max_size=20),
    st.sampled_from(
        [
            "", " ", "\x00", "a\x00b", "\x1b[2J", "\u202eevil", "<script>alert(1)</script>",
            "1e100", "-1e5000", "9e999999999", "1e-999999999", "NaN", "-Infinity", "-0",
            "\uff11\uff12", "\u0661\u0662", "1_0", "£5", "1,000", "0x10", "0000", "29", "2",
            "13", "99999999999999999999", "x" * 100_000,
        ]
    ),
)  # fmt: skip
GOOD_PAGE = {
    "name": "Ada Lovelace",
    "points": "8",
    "born_0": "7",
    "born_1": "3",
    "born_2": "1950",
    "blind": "no",
    "rate": "higher",
    "benefits": ["uc"],
    "action": "continue",
}


def answer(*good: str) -> st.SearchStrategy[Any]:
    """Another good answer or a nasty one, given once or repeated; None drops the field."""
    value = st.one_of(st.sampled_from(good), NASTY)
    return st.one_of(value, st.none(), st.lists(value, min_size=2, max_size=3))


FIELDS = {
    "name": answer("Ада Лавлейс", "O'Brien"),
    "story": answer("I cannot walk far."),
    "points": answer("0", "12", " 9 ", "10.0"),
    "extra": answer("1", "-3", "0.5"),
    "born_0": answer("29"),
    "born_1": answer("2"),
    "born_2": answer("2000", "1900"),
    "moving_0": answer("1"),
    "moving_1": answer("12"),
    "moving_2": answer("2027", "1999"),
    "blind": answer("yes"),
    "rate": answer("lower"),
    "benefits": answer("pc"),
    "email": answer("ada@example.org"),
    "phone": answer("07700 900 982", "+44 7700 900982"),
    "home__postcode": answer("KM1 2AB", "km12ab"),
    "home": answer("__uprn__"),
    "home__manual": answer("1 New Road"),
    "action": answer("save", "find"),
    "remove": NASTY,
    "csrfmiddlewaretoken": NASTY,
    "customer": NASTY,
}
CHANGES = st.lists(
    st.sampled_from(sorted(FIELDS)).flatmap(lambda name: st.tuples(st.just(name), FIELDS[name])),
    max_size=4,
).map(dict)
UPLOADS = st.sampled_from(
    [
        None,
        ("face.png", png(600, 800), "image/png"),
        ("face.jpg", jpeg(600, 800), "image/jpeg"),
        ("letter.pdf", PDF, "application/pdf"),
        ("bomb.png", png(100_000, 100_000), "image/png"),
        ("face.png", SVG, "image/png"),
        ("face.svg", SVG, "image/svg+xml"),
        ("face.jpg", PDF, "image/jpeg"),
        ("empty.png", b"", "image/png"),
        ("../../etc/passwd.png", png(10, 10), "image/png"),
        ("a\x00b\x07.png", png(10, 10), "image/png"),
        ("x" * 300 + ".pdf", PDF, "application/pdf"),
        ("big.pdf", PDF + b"0" * (10 * 1024 * 1024), "application/pdf"),
    ]
)


def sendable(value: Any, uprn: str) -> Any:
    """As a browser would send it: UTF-8 (no lone surrogates), the address's real UPRN."""
    if isinstance(value, list):
        return [sendable(item, uprn) for item in value]
    return value.encode("utf-8", "replace").decode("utf-8").replace("__uprn__", uprn)


def post_data(changes: dict[str, Any], upload: Any, uprn: str) -> dict[str, Any]:
    fields = {**GOOD_PAGE, **changes}
    data = {name: sendable(value, uprn) for name, value in fields.items() if value is not None}
    if upload is not None:
        name, content, content_type = upload
        data["photo"] = SimpleUploadedFile(name, content, content_type)
    return data


def shows_errors_or_moves_on(response: Any, action: Any) -> None:
    """The page again with a GOV.UK error summary (or the addresses found), or a redirect."""
    if response.status_code == 200:
        text = response.content.decode()
        if action != "find":
            assert "govuk-error-summary" in text and "There is a problem" in text, text[:3000]
    else:
        assert response.status_code == 302, response.content[:3000]


@pytest.fixture
def resident_client(resident: Any) -> Client:
    client = Client()
    client.force_login(resident)
    return client


@fuzz_settings(60)
@given(changes=CHANGES, upload=UPLOADS, meters=answer("yes", "no"))
def test_a_page_answers_any_post_with_errors_or_the_next_step(
    resident_client: Client, everything: Form, customer: Any, resident: Any, address: Any,
    changes: dict[str, Any], upload: Any, meters: Any,
) -> None:  # fmt: skip
    application = applications.start_application(
        actor=resident, form=everything, customer=customer, channel="web"
    )
    page = reverse("portal:apply-page", args=[everything.slug, application.pk, 1])
    response = resident_client.post(page, post_data(changes, upload, str(address.uprn)))
    shows_errors_or_moves_on(response, changes.get("action", "continue"))
    more = reverse("portal:apply-page", args=[everything.slug, application.pk, 2])
    if response.get("Location") == more:
        data = {} if meters is None else {"meters": sendable(meters, "")}
        shows_errors_or_moves_on(resident_client.post(more, data), "continue")
    check = reverse("portal:apply-check", args=[everything.slug, application.pk])
    assert resident_client.get(check).status_code in (200, 302)
    sent = resident_client.post(check)
    assert sent.status_code in (302, 400), sent.content[:3000]
    application.refresh_from_db()
    if application.status == ApplicationStatus.SUBMITTED:
        assert application.assessment["outcome"] in OUTCOMES
        assert resident_client.get(sent["Location"]).status_code == 200


# Answers as the runner stores them, but with any content it lets through (which is never a
# NUL or a lone surrogate: form fields refuse the one, and request parsing replaces the other).

TEXT = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"))
STORED_NASTY = st.one_of(TEXT, NASTY.filter(lambda text: "\x00" not in text))

STORED = st.fixed_dictionaries(
    {},
    optional={
        "name": TEXT,
        "story": st.one_of(st.none(), TEXT),
        "points": st.one_of(st.integers().map(str), st.decimals().map(str), STORED_NASTY),
        "extra": st.one_of(st.none(), st.decimals(allow_nan=False).map(str), STORED_NASTY),
        "born": st.one_of(st.dates().map(datetime.date.isoformat), STORED_NASTY),
        "moving": st.one_of(st.none(), st.dates().map(datetime.date.isoformat), STORED_NASTY),
        "blind": st.booleans(),
        "rate": st.one_of(st.just("higher"), STORED_NASTY),
        "benefits": st.lists(st.one_of(st.sampled_from(["uc", "pc"]), STORED_NASTY), max_size=3),
        "email": st.one_of(st.none(), STORED_NASTY),
        "phone": st.one_of(st.none(), STORED_NASTY),
        "home": st.one_of(
            st.none(),
            st.fixed_dictionaries({"uprn": st.none(), "text": TEXT}),
            st.fixed_dictionaries({"uprn": st.integers(1, 10**12), "text": STORED_NASTY}),
        ),
        "meters": st.booleans(),
    },
)


@fuzz_settings(60)
@given(answers=STORED)
def test_stored_answers_of_any_content_are_shown_checked_sent_and_assessed(
    everything: Form, customer: Any, resident: Any, answers: dict[str, Any]
) -> None:
    application = applications.start_application(
        actor=resident, form=everything, customer=customer, channel="web"
    )
    about, more = application.form_version.pages.order_by("number")
    today = datetime.date(2026, 11, 23)
    for page in (about, more):
        application = applications.save_answers(
            actor=resident, application=application, page=page, answers=answers
        )
    rows = runner.answer_rows(application.form_version, application.answers, on=today)
    assert all(isinstance(row.answer, str) for row in rows)
    if not applications.problems(application, on=today):
        sent = applications.submit_application(actor=resident, application=application)
        assert sent.assessment["outcome"] in OUTCOMES
        assert Application.objects.get(pk=sent.pk).case_id is not None
