import datetime

import pytest

from civicdesk.organisations.models import Organisation, Role
from civicdesk.organisations.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    TeamFactory,
    UserFactory,
)
from civicdesk.people import matching
from civicdesk.people.selectors import possible_duplicates, search_customers
from civicdesk.people.services import add_representative, create_customer, merge_customers
from civicdesk.places.tests.factories import AddressFactory


def make(council, forenames, surname, **fields):
    return create_customer(
        actor=None, organisation=council, forenames=forenames, surname=surname, **fields
    )


def names(matches):
    return [f"{m.customer.forenames} {m.customer.surname}" for m in matches]


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Jon Smyth", "John Smith"),
        ("Katherine Clark", "Catherine Clarke"),
        ("Steven Philips", "Stephen Phillips"),
        ("Mohamed Khan", "Muhammad Khan"),
    ],
)
def test_misspelt_names_find_the_customer_first(council, agent, typed, stored):
    forenames, surname = stored.split()
    make(council, forenames, surname)
    make(council, "Joan", "Smithers")
    make(council, "Sarah", "Jones")

    assert names(search_customers(user=agent, query=typed))[0] == stored


def test_exact_spelling_ranks_above_sound_alikes(council, agent):
    make(council, "John", "Smyth")
    make(council, "John", "Smith")
    make(council, "Jon", "Smith")

    assert names(search_customers(user=agent, query="John Smith")) == [
        "John Smith",
        "Jon Smith",
        "John Smyth",
    ]


def test_surname_alone_and_a_partly_typed_surname(council, agent):
    make(council, "Amy", "Okonkwo")
    make(council, "Ben", "Okafor")

    assert names(search_customers(user=agent, query="okonkwo")) == ["Amy Okonkwo"]
    assert set(names(search_customers(user=agent, query="Oka"))) == {"Ben Okafor"}


def test_names_given_surname_first(council, agent):
    make(council, "Priya", "Patel")

    assert names(search_customers(user=agent, query="Patel, Priya")) == ["Priya Patel"]
    assert names(search_customers(user=agent, query="Patel Priya")) == ["Priya Patel"]


def test_phone_email_and_reference(council, agent):
    customer = make(
        council, "Wiktoria", "Nowak", mobile="07700 900123", email="W.Nowak@Example.com"
    )

    assert names(search_customers(user=agent, query="+44 7700 900123")) == ["Wiktoria Nowak"]
    assert names(search_customers(user=agent, query="w.nowak@example.com ")) == ["Wiktoria Nowak"]
    assert names(search_customers(user=agent, query=customer.reference.lower())) == [
        "Wiktoria Nowak"
    ]
    assert search_customers(user=agent, query="07700 900999") == []


def test_postcode_alone_and_with_a_name(council, agent):
    here = AddressFactory(organisation=council, postcode="KM1 2AB")
    elsewhere = AddressFactory(organisation=council, postcode="KM9 9ZZ")
    make(council, "Aoife", "Byrne", address=here)
    make(council, "Liam", "Byrne", address=elsewhere)

    assert names(search_customers(user=agent, query="km12ab")) == ["Aoife Byrne"]
    assert names(search_customers(user=agent, query="Byrne KM1 2AB")) == ["Aoife Byrne"]


def test_merged_records_are_left_out_but_their_reference_finds_the_survivor(council, agent):
    survivor = make(council, "Grace", "Mensah")
    duplicate = make(council, "Grace", "Mensah")
    merge_customers(actor=agent, survivor=survivor, duplicate=duplicate)

    assert [m.customer.pk for m in search_customers(user=agent, query="Grace Mensah")] == [
        survivor.pk
    ]
    assert [m.customer.pk for m in search_customers(user=agent, query=duplicate.reference)] == [
        survivor.pk
    ]


def test_staff_of_another_council_find_nothing(council, agent):
    make(council, "Tom", "Evans")
    other = OrganisationFactory(name="Elsewhere", slug="elsewhere")
    outsider = MembershipFactory(team=TeamFactory(organisation=other)).user

    assert search_customers(user=outsider, query="Tom Evans") == []


def test_partner_staff_find_only_the_customers_they_represent(council, agent):
    advice = OrganisationFactory(
        name="Citizens Advice", slug="ca", kind=Organisation.Kind.PARTNER, parent=council
    )
    adviser = MembershipFactory(team=TeamFactory(organisation=advice), role=Role.OFFICER).user
    represented = make(council, "Tom", "Evans")
    make(council, "Tim", "Evans")
    add_representative(
        actor=agent,
        customer=represented,
        name="A. Adviser",
        relationship="advice_agency",
        partner_organisation=advice,
        consent_given_on=represented.created_at.date(),
    )

    assert names(search_customers(user=adviser, query="Evans")) == ["Tom Evans"]


def test_staff_without_a_team_and_anonymous_users_find_nothing(council):
    make(council, "Tom", "Evans")

    assert search_customers(user=UserFactory(), query="Evans") == []


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("07700 900123", "07700900123"),
        ("+44 (0)7700 900123", "07700900123"),
        ("0044 7700 900123", "07700900123"),
        ("+353 1 555 0100", "+35315550100"),
    ],
)
def test_phone_normalisation(typed, expected):
    assert matching.normalise_phone(typed) == expected


def test_name_folding_removes_accents_and_punctuation():
    assert matching.fold("Ó'Brían-Smith") == "obrian smith"
    assert matching.name_key("Smyth") == matching.name_key("Smith")


def test_a_slip_that_changes_the_surnames_sound_still_finds_the_customer(council, agent):
    make(council, "John", "Smith")
    make(council, "Jane", "Smith")

    assert names(search_customers(user=agent, query="John Smtih"))[0] == "John Smith"


def test_possible_duplicates_need_a_close_name_and_the_same_birthday_or_home(council, agent):
    home = AddressFactory(organisation=council, postcode="KM1 2AB")
    born = datetime.date(1980, 5, 17)
    same_birthday = make(council, "Olu", "Adeyemi", date_of_birth=born)
    same_home = make(council, "Olu", "Adeyemi", address=home)
    make(council, "Olu", "Adeyemi", date_of_birth=datetime.date(1990, 1, 1))
    make(council, "Ola", "Adams", date_of_birth=born)

    found = possible_duplicates(
        user=agent, forenames="Olu", surname="Adeyemi", date_of_birth=born, postcode="km1 2ab"
    )

    assert {c.pk for c in found} == {same_birthday.pk, same_home.pk}
