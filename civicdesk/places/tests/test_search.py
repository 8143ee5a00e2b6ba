import pytest

from civicdesk.places.models import Address
from civicdesk.places.search import Number, Query, parse_query, rank_key


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14 acacia av", Query(pao=Number(14), words=("ACACIA", "AV"))),
        ("14a Acacia Avenue", Query(pao=Number(14, "A"), words=("ACACIA", "AVENUE"))),
        (
            "flat 2 14 acacia avenue",
            Query(pao=Number(14), sao=Number(2), words=("ACACIA", "AVENUE")),
        ),
        (
            "14 acacia avenue flat 2",
            Query(pao=Number(14), sao=Number(2), words=("ACACIA", "AVENUE")),
        ),
        ("2/14 Acacia Avenue", Query(pao=Number(14), sao=Number(2), words=("ACACIA", "AVENUE"))),
        ("12-14 acacia avenue", Query(pao=Number(12), words=("ACACIA", "AVENUE"))),
        ("Rose Cottage", Query(words=("ROSE", "COTTAGE"))),
        ("St. John's Rd", Query(words=("ST", "JOHNS", "RD"))),
        ("km1 2ab", Query(postcode="KM12AB")),
        (
            "14 acacia avenue KM12AB",
            Query(postcode="KM12AB", pao=Number(14), words=("ACACIA", "AVENUE")),
        ),
        ("990000000001", Query(uprn=990000000001)),
        ("", Query()),
    ],
)
def test_parse_query(text, expected):
    assert parse_query(text) == expected


def test_rank_prefers_exact_number_then_suffix_then_range_then_flats():
    query = parse_query("14 acacia avenue")

    def address(**parts) -> Address:
        return Address(street_name="Acacia Avenue", town="Kingsmere", **parts)

    exact = address(pao_start_number=14)
    flat = address(pao_start_number=14, sao_text="Flat", sao_start_number=1)
    suffixed = address(pao_start_number=14, pao_start_suffix="A")
    ranged = address(pao_start_number=12, pao_end_number=16)
    other = address(pao_start_number=15)
    ranked = sorted([other, ranged, suffixed, flat, exact], key=lambda a: rank_key(a, query))
    assert ranked == [exact, flat, suffixed, ranged, other]
