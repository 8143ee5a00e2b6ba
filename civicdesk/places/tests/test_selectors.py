import pytest

from civicdesk.organisations.tests.factories import OrganisationFactory
from civicdesk.places.models import Address
from civicdesk.places.selectors import (
    address_by_uprn,
    addresses_for_postcode,
    search_addresses,
)
from civicdesk.places.tests.factories import AddressFactory, StreetFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def borough():
    """A few streets of Kingsmere with houses, flats and a named cottage."""
    council = OrganisationFactory()
    acacia = StreetFactory(organisation=council, name="Acacia Avenue")
    close = StreetFactory(organisation=council, name="Acacia Close")
    elm = StreetFactory(organisation=council, name="Elm Road")
    rose_lane = StreetFactory(organisation=council, name="Rose Lane")
    made = {}

    def add(key, street, postcode="KM1 2AB", **parts):
        parts.setdefault("pao_start_number", None)
        made[key] = AddressFactory(organisation=council, street=street, postcode=postcode, **parts)

    for number in (12, 13, 15, 16):
        add(f"acacia {number}", acacia, pao_start_number=number)
    add("acacia 14", acacia, pao_start_number=14)
    add("acacia 14A", acacia, pao_start_number=14, pao_start_suffix="A")
    add("flat 1", acacia, pao_start_number=14, sao_text="Flat", sao_start_number=1)
    add("flat 2", acacia, pao_start_number=14, sao_text="Flat", sao_start_number=2)
    add("cottage", acacia, pao_text="Rose Cottage")
    add("close 14", close, postcode="KM1 2AD", pao_start_number=14)
    add("elm 14", elm, postcode="KM2 3CD", pao_start_number=14)
    add("rose lane 2", rose_lane, postcode="KM2 3CE", pao_start_number=2)
    add("court", elm, postcode="KM2 3CD", pao_text="Rose Court", pao_start_number=20)
    add("court flat 2", elm, postcode="KM2 3CD", pao_text="Rose Court", sao_start_number=2)
    add("court flat 3", elm, postcode="KM2 3CD", pao_text="Rose Court", sao_start_number=3)
    made["council"] = council
    return made


def search(borough, text, **kwargs) -> list[Address]:
    return search_addresses(organisation_id=borough["council"].pk, text=text, **kwargs)


def test_addresses_for_postcode_however_typed_in_walking_order(borough):
    found = list(addresses_for_postcode(organisation_id=borough["council"].pk, postcode="km12ab"))
    assert [a.single_line.split(", Kingsmere")[0] for a in found] == [
        "12 Acacia Avenue",
        "13 Acacia Avenue",
        "14 Acacia Avenue",
        "Flat 1, 14 Acacia Avenue",
        "Flat 2, 14 Acacia Avenue",
        "14A Acacia Avenue",
        "15 Acacia Avenue",
        "16 Acacia Avenue",
        "Rose Cottage, Acacia Avenue",
    ]


def test_addresses_for_postcode_is_empty_for_nonsense_and_other_councils(borough):
    council = borough["council"].pk
    assert not addresses_for_postcode(organisation_id=council, postcode="not one").exists()
    other = OrganisationFactory(slug="elsewhere", name="Elsewhere")
    assert not addresses_for_postcode(organisation_id=other.pk, postcode="KM1 2AB").exists()


def test_address_by_uprn(borough):
    cottage = borough["cottage"]
    assert address_by_uprn(uprn=cottage.uprn) == cottage
    assert address_by_uprn(uprn=f" {cottage.uprn} ") == cottage
    for missing in (1, "abc", "1234567890123"):
        with pytest.raises(Address.DoesNotExist):
            address_by_uprn(uprn=missing)


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("14 acacia av", "acacia 14"),
        ("14 Acacia Avenue", "acacia 14"),
        ("14A acacia", "acacia 14A"),
        ("flat 2 14 acacia avenue", "flat 2"),
        ("14 acacia avenue flat 2", "flat 2"),
        ("2/14 acacia avenue", "flat 2"),
        ("Rose Cottage", "cottage"),
        ("rose cottage acacia avenue", "cottage"),
        ("2 rose court", "court flat 2"),
        ("14 elm rd", "elm 14"),
        ("14 acacia close", "close 14"),
        ("14 acacia av kingsmere", "acacia 14"),
        ("14 acacia avenue km1 2ab", "acacia 14"),
        ("KM2 3CE", "rose lane 2"),
    ],
)
def test_free_text_search_puts_the_best_match_first(borough, text, first):
    assert search(borough, text)[0] == borough[first]


def test_exact_number_and_street_rank_above_partial_matches(borough):
    found = search(borough, "14 acacia")
    keys = {address.uprn: key for key, address in borough.items() if key != "council"}
    assert [keys[address.uprn] for address in found] == [
        "acacia 14",
        "close 14",
        "flat 1",
        "flat 2",
        "acacia 14A",
    ]


def test_search_by_uprn_and_its_limits(borough):
    council = borough["council"]
    assert search(borough, str(borough["elm 14"].uprn)) == [borough["elm 14"]]
    assert len(search(borough, "acacia avenue", limit=3)) == 3
    assert search(borough, "") == []
    assert search(borough, "flat 2") == []
    assert search(borough, "nowhere at all") == []
    other = OrganisationFactory(slug="elsewhere", name="Elsewhere")
    assert search_addresses(organisation_id=other.pk, text="14 acacia avenue") == []
    assert search_addresses(organisation_id=other.pk, text=str(borough["elm 14"].uprn)) == []
    assert council.pk != other.pk


def test_search_runs_a_bounded_number_of_queries(borough, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        search(borough, "14 acacia avenue")
    with django_assert_max_num_queries(3):
        search(borough, "rose cottage")
    with django_assert_max_num_queries(1):
        search(borough, "KM1 2AB")
