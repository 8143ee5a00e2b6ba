from decimal import Decimal

import pytest

from civicdesk.core.models import AuditAction, AuditEvent
from civicdesk.organisations.tests.factories import OrganisationFactory
from civicdesk.places.models import Address, Street, Ward
from civicdesk.places.services import AddressRow, upsert_addresses
from civicdesk.places.tests.factories import AddressFactory, StreetFactory, WardFactory

pytestmark = pytest.mark.django_db


def row(uprn: int, **parts) -> AddressRow:
    defaults = {
        "pao_start_number": uprn % 100,
        "usrn": 99_500_001,
        "street_name": "Acacia Avenue",
        "town": "Kingsmere",
        "postcode": "KM1 2AB",
        "ward": "Abbey",
    }
    return AddressRow(uprn=uprn, **{**defaults, **parts})


def test_creates_addresses_streets_and_wards_with_one_audit_entry():
    council = OrganisationFactory()
    rows = [row(990_000_000_000 + n) for n in range(1, 6)]
    rows.append(row(990_000_000_010, usrn=99_500_002, street_name="Elm Road", ward="Castle"))

    result = upsert_addresses(organisation=council, rows=rows, source="test.csv", batch_size=4)

    assert (result.created, result.updated, result.unchanged, result.skipped) == (6, 0, 0, 0)
    assert (result.streets_created, result.wards_created) == (2, 2)
    address = Address.objects.get(uprn=990_000_000_001)
    assert address.single_line == "1 Acacia Avenue, Kingsmere, KM1 2AB"
    assert address.postcode_normalised == "KM12AB"
    assert address.street.name_normalised == "ACACIA AVENUE"
    assert address.ward.name == "Abbey"
    event = AuditEvent.objects.get()
    assert event.action == AuditAction.IMPORTED
    assert event.organisation_id == council.pk
    assert event.detail["created"] == 6
    assert "test.csv" in event.summary


def test_reimport_updates_in_place_and_counts_unchanged_rows():
    council = OrganisationFactory()
    upsert_addresses(organisation=council, rows=[row(990_000_000_001), row(990_000_000_002)])

    result = upsert_addresses(
        organisation=council,
        rows=[row(990_000_000_001), row(990_000_000_002, pao_start_suffix="A")],
    )

    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert Address.objects.count() == 2
    changed = Address.objects.get(uprn=990_000_000_002)
    assert changed.single_line.startswith("2A Acacia Avenue")
    assert AuditEvent.objects.count() == 2


def test_a_repeated_uprn_is_written_once():
    council = OrganisationFactory()
    result = upsert_addresses(
        organisation=council,
        rows=[row(990_000_000_001), row(990_000_000_001, pao_text="Rose Cottage")],
    )
    assert result.created == 1
    assert Address.objects.get().pao_text == "Rose Cottage"


def test_uprns_held_by_another_organisation_are_left_alone():
    other = OrganisationFactory(slug="elsewhere", name="Elsewhere Council")
    theirs = AddressFactory(organisation=other, pao_start_number=9)
    council = OrganisationFactory()

    result = upsert_addresses(organisation=council, rows=[row(theirs.uprn), row(990_000_000_077)])

    assert result.conflicting_uprns == (theirs.uprn,)
    assert (result.created, result.skipped) == (1, 1)
    theirs.refresh_from_db()
    assert (theirs.organisation, theirs.pao_start_number) == (other, 9)


def test_fields_the_source_lacks_keep_their_stored_values():
    council = OrganisationFactory()
    coordinates = {"easting": Decimal("450000.12"), "northing": Decimal("200000.34")}
    upsert_addresses(
        organisation=council, rows=[row(990_000_000_001, locality="Upper End", **coordinates)]
    )

    result = upsert_addresses(
        organisation=council,
        rows=[row(990_000_000_001, pao_start_number=3)],
        fields={"uprn", "pao_start_number", "usrn", "street_name", "town", "postcode", "ward"},
    )

    assert result.updated == 1
    address = Address.objects.get()
    assert address.easting == Decimal("450000.12")
    assert address.locality == "Upper End"
    assert address.single_line == "3 Acacia Avenue, Upper End, Kingsmere, KM1 2AB"
    assert Street.objects.get().locality == "Upper End"  # not the second import's to clear


def test_renames_this_councils_streets_but_not_anothers():
    council = OrganisationFactory()
    other = OrganisationFactory(slug="elsewhere", name="Elsewhere Council")
    ours = StreetFactory(organisation=council, name="Old Name")
    theirs = StreetFactory(organisation=other, name="Border Road")

    result = upsert_addresses(
        organisation=council,
        rows=[
            row(990_000_000_001, usrn=ours.usrn, street_name="New Name"),
            row(990_000_000_002, usrn=theirs.usrn, street_name="Border Rd"),
        ],
    )

    assert result.streets_updated == 1
    ours.refresh_from_db()
    theirs.refresh_from_db()
    assert (ours.name, ours.name_normalised) == ("New Name", "NEW NAME")
    assert theirs.name == "Border Road"
    assert Address.objects.get(uprn=990_000_000_002).street == theirs


def test_wards_are_found_by_name_ignoring_case():
    council = OrganisationFactory()
    abbey = WardFactory(organisation=council, name="Abbey")
    result = upsert_addresses(organisation=council, rows=[row(990_000_000_001, ward="ABBEY ")])
    assert result.wards_created == 0
    assert Address.objects.get().ward == abbey
    assert Ward.objects.count() == 1


def test_rows_are_consumed_lazily_one_batch_at_a_time():
    council = OrganisationFactory()
    stored_when_read: list[int] = []

    def rows():
        for n in range(1, 8):
            stored_when_read.append(Address.objects.count())
            yield row(990_000_000_000 + n)

    result = upsert_addresses(organisation=council, rows=rows(), batch_size=3)

    assert result.created == 7
    # Rows 4-6 are read only after rows 1-3 are written, and row 7 after rows 4-6.
    assert stored_when_read == [0, 0, 0, 3, 3, 3, 6]
