import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from civicdesk.cases.tests.images import jpeg
from civicdesk.forms import runner, services
from civicdesk.forms.models import QuestionKind
from civicdesk.forms.tests.conftest import TODAY
from civicdesk.places.tests.factories import AddressFactory


def _titles(pages):
    return [page.title for page in pages]


def test_conditional_pages_come_and_go(conditional):
    version = conditional
    assert _titles(runner.visible_pages(version, {}, on=TODAY)) == ["About you", "Contact"]
    answers = {"full_name": "Ada", "gets_pip": True}
    assert _titles(runner.visible_pages(version, answers, on=TODAY)) == [
        "About you",
        "PIP",
        "Contact",
    ]
    first = runner.next_page(version, answers, on=TODAY, after=None)
    second = runner.next_page(version, answers, on=TODAY, after=first)
    assert second.title == "PIP"
    assert runner.previous_page(version, answers, on=TODAY, before=second) == first
    assert runner.previous_page(version, answers, on=TODAY, before=None).title == "Contact"
    assert runner.next_page(version, answers, on=TODAY, after=second) == second  # unanswered
    assert _titles(runner.missing(version, answers, on=TODAY)) == ["PIP"]
    answers["pip_points"] = "9"
    assert runner.missing(version, answers, on=TODAY) == []
    last = runner.next_page(version, answers, on=TODAY, after=second)
    assert last.title == "Contact"
    assert runner.next_page(version, answers, on=TODAY, after=last) is None
    answers["gets_pip"] = False
    assert runner.next_page(version, answers, on=TODAY, after=first).title == "Contact"
    assert runner.prune(version, {**answers, "other": 1}, on=TODAY) == {
        "full_name": "Ada",
        "gets_pip": False,
        "other": 1,
    }


def test_answer_rows_and_typed_answers(conditional):
    answers = {"full_name": "Ada", "gets_pip": True, "pip_points": "8.5"}
    rows = runner.answer_rows(conditional, answers, on=TODAY)
    assert [(row.question.code, row.answer, row.change_page) for row in rows] == [
        ("full_name", "Ada", 1),
        ("gets_pip", "Yes", 1),
        ("pip_points", "8.5", 2),
        ("email", "Not given", 3),
    ]
    typed = runner.typed_answers(conditional, answers)
    assert typed["pip_points"] == Decimal("8.5")
    assert runner.typed_answers(conditional, {"pip_points": "lots"}) == {}


@pytest.fixture
def every_kind(administrator, draft):
    page = services.add_page(actor=administrator, version=draft, title="Everything")

    def ask(code, kind, label, **extra):
        services.add_question(
            actor=administrator, page=page, code=code, kind=kind, label=label, **extra
        )

    ask("name", QuestionKind.TEXT, "Full name", maximum=10)
    ask("story", QuestionKind.LONG_TEXT, "Tell us more", required=False)
    ask("points", QuestionKind.NUMBER, "PIP points", minimum=0, maximum=12)
    ask("born", QuestionKind.DATE, "Date of birth", minimum=-120, maximum=0)
    ask("blind", QuestionKind.YES_NO, "Are you blind?")
    ask(
        "rate",
        QuestionKind.SINGLE_CHOICE,
        "Rate",
        choices=[("higher", "Higher"), ("lower", "Lower")],
    )
    ask("benefits", QuestionKind.MULTIPLE_CHOICE, "Benefits", choices=[("uc", "UC"), ("pc", "PC")])
    ask("email", QuestionKind.EMAIL, "Email address")
    ask("phone", QuestionKind.PHONE, "Phone number")
    ask("photo", QuestionKind.FILE, "Photo")
    return page


def _errors(form):
    return {name: list(errors) for name, errors in form.errors.items()}


def test_every_kind_refuses_empty_answers(every_kind):
    form = runner.page_form(every_kind, {}, on=TODAY, data={})
    assert not form.is_valid()
    assert _errors(form) == {
        "name": ["Enter full name"],
        "points": ["Enter PIP points"],
        "born": ["Enter date of birth"],
        "blind": ["Select yes or no"],
        "rate": ["Select rate"],
        "benefits": ["Select benefits"],
        "email": ["Enter email address"],
        "phone": ["Enter phone number"],
        "photo": ["Select photo"],
    }


def test_every_kind_refuses_wrong_answers(every_kind):
    data = {
        "name": "A name far too long",
        "points": "13",
        "born_0": "1",
        "born_1": "1",
        "born_2": "2030",
        "blind": "maybe",
        "rate": "top",
        "benefits": ["uc", "xx"],
        "email": "not-an-email",
        "phone": "12345",
    }
    photo = SimpleUploadedFile("photo.exe", b"MZ")
    form = runner.page_form(every_kind, {}, on=TODAY, data=data, files={"photo": photo})
    assert not form.is_valid()
    errors = _errors(form)
    assert errors["name"] == ["Full name must be 10 characters or fewer"]
    assert errors["points"] == ["PIP points must be 12 or less"]
    assert errors["born"] == ["Date of birth must be in the past"]
    assert "blind" in errors and "rate" in errors and "benefits" in errors
    assert errors["email"][0].startswith("Enter an email address in the correct format")
    assert errors["phone"][0].startswith("Enter a phone number, like")
    assert errors["photo"] == ["The selected file must be a PDF, JPG or PNG"]
    form = runner.page_form(
        every_kind, {}, on=TODAY, data={**data, "born_0": "31", "born_1": "2", "born_2": "1990"}
    )
    form.is_valid()
    assert form.errors["born"] == ["Date of birth must be a real date"]
    form = runner.page_form(every_kind, {}, on=TODAY, data={**data, "born_1": ""})
    form.is_valid()
    assert form.errors["born"] == ["Date of birth must include a month"]


def test_every_kind_gives_answers_in_their_stored_form(every_kind):
    data = {
        "name": " Ada ",
        "points": "8",
        "born_0": "7",
        "born_1": "3",
        "born_2": "1950",
        "blind": "no",
        "rate": "higher",
        "benefits": ["uc", "pc"],
        "email": "ada@example.org",
        "phone": "+44 7700 900 982",
    }
    photo = SimpleUploadedFile("me.jpg", jpeg(600, 800), content_type="image/jpeg")
    form = runner.page_form(every_kind, {}, on=TODAY, data=data, files={"photo": photo})
    assert form.is_valid(), form.errors
    assert form.cleaned_answers() == {
        "name": "Ada",
        "story": None,
        "points": "8",
        "born": "1950-03-07",
        "blind": False,
        "rate": "higher",
        "benefits": ["uc", "pc"],
        "email": "ada@example.org",
        "phone": "+44 7700 900 982",
    }
    assert [f.name for f in form.uploaded_files()["photo"]] == ["me.jpg"]
    typed = runner.typed_answers(every_kind.version, form.cleaned_answers())
    assert typed["born"] == datetime.date(1950, 3, 7)
    assert typed["points"] == Decimal(8)
    # Shown again with the stored answers; a file already given need not be given again.
    again = runner.page_form(every_kind, {**form.cleaned_answers(), "photo": ["me.jpg"]}, on=TODAY)
    html = again.as_div()
    assert 'name="born_2"' in html and 'value="1950"' in html
    assert "govuk-date-input" in html and "govuk-radios" in html
    assert not again.fields["photo"].required


def test_address_from_a_postcode(administrator, council, draft):
    address = AddressFactory(organisation=council)
    page = services.add_page(actor=administrator, version=draft, title="Address")
    services.add_question(
        actor=administrator, page=page, code="home", kind=QuestionKind.ADDRESS, label="Address"
    )
    form = runner.page_form(page, {}, on=TODAY, data={})
    assert not form.is_valid()
    assert form.errors["home__postcode"] == ["Enter address"]
    found = runner.page_form(page, {}, on=TODAY, data={"home__postcode": address.postcode})
    assert not found.is_valid()
    assert found.errors["home"] == ["Select the address"]
    assert address.single_line in found.as_div()
    chosen = runner.page_form(
        page, {}, on=TODAY, data={"home__postcode": address.postcode, "home": str(address.uprn)}
    )
    assert chosen.is_valid(), chosen.errors
    assert chosen.cleaned_answers() == {"home": {"uprn": address.uprn, "text": address.single_line}}
    manual = runner.page_form(page, {}, on=TODAY, data={"home__manual": "1 New Road"})
    assert manual.is_valid()
    assert manual.cleaned_answers() == {"home": {"uprn": None, "text": "1 New Road"}}


def test_a_question_shown_by_an_answer_on_the_same_page(administrator, draft):
    page = services.add_page(actor=administrator, version=draft, title="Driving")
    services.add_question(
        actor=administrator, page=page, code="drives", kind=QuestionKind.YES_NO, label="Drive?"
    )
    services.add_question(
        actor=administrator,
        page=page,
        code="meters",
        kind=QuestionKind.YES_NO,
        label="Can you use meters?",
        show_if="drives == True",
    )
    form = runner.page_form(page, {}, on=TODAY, data={"drives": "yes"})
    assert list(form.fields) == ["drives"]
    assert form.is_valid()
    answers = form.cleaned_answers()
    # Saved: the same page again, now asking the question the answer revealed.
    assert runner.next_page(draft, answers, on=TODAY, after=page) == page
    form = runner.page_form(page, answers, on=TODAY, data={"drives": "no"})
    assert list(form.fields) == ["drives", "meters"]
    assert form.is_valid(), form.errors  # "meters" is no longer asked, so not required
    assert form.cleaned_answers() == {"drives": False}
    assert runner.next_page(draft, form.cleaned_answers(), on=TODAY, after=page) is None
