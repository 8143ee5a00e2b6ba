import pytest

from civicdesk.notify.templating import (
    MissingPersonalisation,
    is_shown,
    placeholder_names,
    render,
)


def test_placeholders_are_filled_in():
    text = render("Hello ((name)), your reference is ((reference)).", personalisation={
        "name": "Ada", "reference": "CAS-000001",
    })  # fmt: skip
    assert text == "Hello Ada, your reference is CAS-000001."


def test_every_missing_placeholder_is_named_in_the_error():
    with pytest.raises(MissingPersonalisation) as raised:
        render("((name)) ((reference)) ((due??soon)) ((name))", personalisation={})

    assert raised.value.missing == ["due", "name", "reference"]
    assert str(raised.value) == "Missing personalisation: ((due)), ((name)), ((reference))"


def test_optional_content_shows_only_for_a_value_that_says_yes():
    template = "Hello((name?? ))((name)),"
    assert render(template, personalisation={"name": "Ada"}) == "Hello Ada,"
    assert render(template, personalisation={"name": ""}) == "Hello,"
    assert render(template, personalisation={"name": "   "}) == "Hello,"
    flag = "Note((large_print?? in large print))."
    assert render(flag, personalisation={"large_print": "yes"}) == "Note in large print."
    assert render(flag, personalisation={"large_print": "no"}) == "Note."
    assert render(flag, personalisation={"large_print": "False"}) == "Note."


@pytest.mark.parametrize("value", ["yes", "Ada", "1", "show", True])
def test_values_that_switch_optional_content_on(value):
    assert is_shown(value)


@pytest.mark.parametrize("value", ["", " ", None, False, "no", "NO", "false", "0", "off"])
def test_values_that_leave_it_off(value):
    assert not is_shown(value)


def test_names_match_as_notify_matches_them():
    text = render(
        "((First Name)) ((first_name)) ((FIRST-NAME))", personalisation={"first name": "A"}
    )
    assert text == "A A A"


def test_values_are_plain_text_never_markup_or_more_placeholders():
    text = render(
        "Hello ((name)), about ((service)).",
        personalisation={"name": "<b>Ada</b> & co", "service": "((reference))"},
    )
    assert text == "Hello <b>Ada</b> & co, about ((reference))."


def test_empty_optional_lines_leave_no_gap():
    body = "Hello,\n\n((location??Where: ))((location))\n\n((due??By: ))((due))\n\nThanks"
    assert render(body, personalisation={"location": "", "due": ""}) == "Hello,\n\nThanks"
    assert render(body, personalisation={"location": "Elm Road", "due": ""}) == (
        "Hello,\n\nWhere: Elm Road\n\nThanks"
    )


def test_text_that_is_not_a_placeholder_is_left_alone():
    assert render("(a) ((unclosed and )) ((", personalisation={"unclosed and ": "x"}) == (
        "(a) x (("
    )
    assert render("", personalisation={}) == ""


def test_placeholder_names_in_order_of_first_use():
    assert placeholder_names("((b)) ((a??x)) ((B)) ((c))") == ["b", "a", "c"]
