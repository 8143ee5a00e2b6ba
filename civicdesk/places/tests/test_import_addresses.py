"""The import_addresses command, on small files written for each test."""

import csv
import json
import re
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from civicdesk.core.models import AuditEvent
from civicdesk.organisations.tests.factories import OrganisationFactory
from civicdesk.places.models import Address, Street, Ward

pytestmark = pytest.mark.django_db

LLPG_HEADER = [
    "UPRN", "PARENT_UPRN", "SAO_START_NUMBER", "SAO_START_SUFFIX", "SAO_END_NUMBER",
    "SAO_END_SUFFIX", "SAO_TEXT", "PAO_START_NUMBER", "PAO_START_SUFFIX", "PAO_END_NUMBER",
    "PAO_END_SUFFIX", "PAO_TEXT", "USRN", "STREET_DESCRIPTOR", "LOCALITY", "TOWN_NAME",
    "POSTCODE", "WARD", "CLASSIFICATION_CODE", "LOGICAL_STATUS",
]  # fmt: skip
OS_HEADER = ["UPRN", "X_COORDINATE", "Y_COORDINATE", "LATITUDE", "LONGITUDE"]


def llpg_row(uprn: int, **values: object) -> dict[str, object]:
    return {
        "UPRN": uprn,
        "PAO_START_NUMBER": 14,
        "USRN": 99_500_001,
        "STREET_DESCRIPTOR": "Acacia Avenue",
        "TOWN_NAME": "Kingsmere",
        "POSTCODE": "KM1 2AB",
        "WARD": "Abbey",
        "CLASSIFICATION_CODE": "RD04",
        "LOGICAL_STATUS": 1,
        **values,
    }


def write_csv(path, header, rows, encoding="utf-8"):
    with path.open("w", newline="", encoding=encoding) as file:
        writer = csv.writer(file)
        writer.writerow(header)
        for row in rows:
            writer.writerow(
                [row.get(column, "") for column in header] if isinstance(row, dict) else row
            )
    return path


@pytest.fixture
def council():
    return OrganisationFactory()


@pytest.fixture
def llpg_file(tmp_path):
    return write_csv(
        tmp_path / "ADDRESSES.csv",
        LLPG_HEADER,
        [
            llpg_row(990_000_000_001),
            llpg_row(990_000_000_002, SAO_TEXT="Flat", SAO_START_NUMBER=2, PAO_START_SUFFIX="a"),
            llpg_row(
                990_000_000_003, PAO_START_NUMBER="", PAO_TEXT="Rose Cottage", POSTCODE="km12ab"
            ),
        ],
    )


@pytest.fixture
def os_file(tmp_path):
    return write_csv(
        tmp_path / "OS_OPEN_UPRN.csv",
        OS_HEADER,
        [
            [10001, "100000.00", "200000.00", "51.000000", "-1.000000"],
            [990_000_000_001, "450123.45", "200456.78", "51.4826", "-1.125"],
            [20002, "not checked", "because", "not", "ours"],
            [990_000_000_002, "450124.00", "two hundred", "51.4827", "-1.126"],
            [30003, "300000.00", "100000.00", "52.000000", "-2.000000"],
        ],
    )


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_addresses", *args, "--no-progress", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_os_open_uprn_layout_joins_coordinates_by_uprn(council, llpg_file, os_file):
    out, err = run(
        "--organisation", "kingsmere", "--format", "os-open-uprn",
        "--address-file", str(llpg_file), "--uprn-file", str(os_file),
    )  # fmt: skip

    assert "Created 3, updated 0, unchanged 0, skipped 0" in out
    assert "OS Open UPRN: 2 addresses had no coordinates there" in out
    assert "1 bad rows skipped." in out
    assert "OS_OPEN_UPRN.csv line 5: Y_COORDINATE 'two hundred' is not a number" in err
    first = Address.objects.get(uprn=990_000_000_001)
    assert (first.easting, first.northing) == (Decimal("450123.45"), Decimal("200456.78"))
    assert (first.latitude, first.longitude) == (Decimal("51.482600"), Decimal("-1.125000"))
    assert first.ward.name == "Abbey"
    assert first.classification == "RD04"
    flat = Address.objects.get(uprn=990_000_000_002)
    assert flat.single_line == "Flat 2, 14A Acacia Avenue, Kingsmere, KM1 2AB"
    assert flat.easting is None
    cottage = Address.objects.get(uprn=990_000_000_003)
    assert cottage.single_line == "Rose Cottage, Acacia Avenue, Kingsmere, KM1 2AB"
    assert Street.objects.get().name == "Acacia Avenue"
    assert AuditEvent.objects.count() == 1


def test_reimport_updates_and_never_duplicates(council, tmp_path, llpg_file, os_file):
    args = [
        "--organisation", "kingsmere", "--format", "os-open-uprn",
        "--address-file", str(llpg_file), "--uprn-file", str(os_file),
    ]  # fmt: skip
    run(*args)
    out, _ = run(*args)
    assert "Created 0, updated 0, unchanged 3, skipped 0" in out

    write_csv(llpg_file, LLPG_HEADER, [llpg_row(990_000_000_001, PAO_START_NUMBER=16)])
    out, _ = run(*args)

    assert "Created 0, updated 1, unchanged 0" in out
    assert Address.objects.count() == 3
    assert Address.objects.get(uprn=990_000_000_001).single_line.startswith("16 Acacia Avenue")


def test_llpg_layout_alone_keeps_coordinates_it_does_not_carry(council, llpg_file, os_file):
    run(
        "--organisation", "kingsmere", "--format", "os-open-uprn",
        "--address-file", str(llpg_file), "--uprn-file", str(os_file),
    )  # fmt: skip
    out, _ = run(
        "--organisation", "kingsmere", "--format", "llpg", "--address-file", str(llpg_file)
    )
    assert "unchanged 3" in out
    assert Address.objects.get(uprn=990_000_000_001).easting == Decimal("450123.45")


def test_generic_layout_with_a_mapping(council, tmp_path):
    path = write_csv(
        tmp_path / "export.csv",
        ["Property Ref", "House", "Road", "Post Code", "Town", "East", "North"],
        [
            ["990000000101", "3", "Elm Road", "km2 3cd", "Kingsmere", "450000.5", "200000"],
            ["990000000102", "Old Mill", "Elm Road", "KM2 3CD", "Kingsmere", "", ""],
        ],
    )
    mapping = "uprn=Property Ref,pao_text=House,street_name=Road,postcode=Post Code,town=Town"
    out, err = run(
        "--organisation", "kingsmere", "--format", "generic", "--file", str(path),
        "--mapping", mapping + ",easting=East,northing=North",
    )  # fmt: skip

    assert "Created 2" in out
    assert err == ""
    three = Address.objects.get(uprn=990_000_000_101)
    assert three.single_line == "3, Elm Road, Kingsmere, KM2 3CD"  # "3" mapped as text
    assert three.easting == Decimal("450000.50")
    assert Address.objects.get(uprn=990_000_000_102).street is None
    assert "The file has no USRN column" in out


def test_generic_layout_with_a_mapping_file(council, tmp_path):
    path = write_csv(
        tmp_path / "export.csv",
        ["ref", "no", "street", "usrn"],
        [["990000000201", "7", "Birch Way", "99500009"]],
    )
    mapping_file = tmp_path / "mapping.json"
    mapping_file.write_text(
        json.dumps(
            {"uprn": "ref", "pao_start_number": "NO", "street_name": "street", "usrn": "usrn"}
        )
    )
    out, _ = run(
        "--organisation", "kingsmere", "--format", "generic",
        "--file", str(path), "--mapping-file", str(mapping_file),
    )  # fmt: skip
    assert "Created 1" in out
    address = Address.objects.get()
    assert (address.street.usrn, address.single_line) == (99_500_009, "7 Birch Way")


def test_bad_rows_are_reported_by_line_and_skipped(council, tmp_path):
    path = write_csv(
        tmp_path / "ADDRESSES.csv",
        LLPG_HEADER,
        [
            llpg_row(990_000_000_001),  # line 2, good
            llpg_row("99O000000002"),  # line 3
            llpg_row(1_234_567_890_123),  # line 4
            llpg_row(990_000_000_005, POSTCODE="KM1 2"),  # line 5
            llpg_row(990_000_000_006, PAO_START_NUMBER="", PAO_TEXT=""),  # line 6
            llpg_row(990_000_000_007, STREET_DESCRIPTOR=""),  # line 7
            llpg_row(990_000_000_001),  # line 8, repeated
            ["990000000009", "short"],  # line 9
            llpg_row(990_000_000_010, PAO_START_NUMBER="14.5"),  # line 10
            llpg_row(990_000_000_011, LOGICAL_STATUS="2"),  # line 11
            llpg_row(""),  # line 12
            llpg_row(990_000_000_013, USRN="123456789"),  # line 13
            llpg_row(990_000_000_014, PAO_START_SUFFIX="1"),  # line 14
            llpg_row(990_000_000_015, PAO_TEXT="Rose Cottage"),  # line 15, good
        ],
    )
    with path.open("a") as file:
        file.write("\n")  # a blank line is not a row

    out, err = run("--organisation", "kingsmere", "--format", "llpg", "--address-file", str(path))

    assert "Created 2, updated 0, unchanged 0, skipped 12 (12 bad rows" in out
    for expected in [
        "ADDRESSES.csv line 3: UPRN '99O000000002' is not a whole number",
        "line 4: UPRN '1234567890123' has more than 12 digits",
        "line 5: POSTCODE 'KM1 2' is not a valid UK postcode",
        "line 6: the primary addressable object is missing (PAO_START_NUMBER or PAO_TEXT)",
        "line 7: STREET_DESCRIPTOR is missing",
        "line 8: UPRN 990000000001 appears again (first on line 2)",
        "line 9: expected 20 fields, found 2",
        "line 10: PAO_START_NUMBER '14.5' is not a whole number",
        "line 11: LOGICAL_STATUS '2' is not 1, 3, 6 or 8",
        "line 12: UPRN is missing",
        "line 13: USRN '123456789' has more than 8 digits",
        "line 14: PAO_START_SUFFIX '1' is not one or two letters",
    ]:
        assert expected in err
    assert set(Address.objects.values_list("uprn", flat=True)) == {
        990_000_000_001,
        990_000_000_015,
    }


def test_coordinates_that_are_not_numbers_skip_the_row(council, tmp_path):
    path = write_csv(
        tmp_path / "x.csv",
        ["id", "no", "street", "lat", "lon"],
        [
            ["990000000001", "1", "Elm Road", "51.5", "west"],
            ["990000000002", "2", "Elm Road", "NaN", "0"],
        ],
    )
    mapping = "uprn=id,pao_start_number=no,street_name=street,latitude=lat,longitude=lon"
    out, err = run(
        "--organisation", "kingsmere", "--format", "generic", "--file", str(path),
        "--mapping", mapping,
    )  # fmt: skip
    assert "skipped 2" in out
    assert "x.csv line 2: lon 'west' is not a number; skipped." in err
    assert "x.csv line 3: lat 'NaN' is not a number; skipped." in err


def test_bad_row_listing_is_capped_but_all_are_counted(council, tmp_path):
    path = write_csv(tmp_path / "a.csv", LLPG_HEADER, [llpg_row(f"x{n}") for n in range(5)])
    out, err = run(
        "--organisation", "kingsmere", "--format", "llpg", "--address-file", str(path),
        "--max-reported", "2",
    )  # fmt: skip
    assert err.count("is not a whole number") == 2
    assert "... and 3 more bad rows not listed." in err
    assert "skipped 5 (5 bad rows" in out


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (
            ["UPRN", "STREET_DESCRIPTOR"],
            "has no column(s) PAO_START_NUMBER, PAO_TEXT, USRN, TOWN_NAME, POSTCODE.",
        ),
        ([], "is empty"),
    ],
)
def test_a_header_without_required_columns_fails(council, tmp_path, header, message):
    path = tmp_path / "ADDRESSES.csv"
    path.write_text(",".join(header) + ("\n" if header else ""))
    with pytest.raises(CommandError, match=re.escape(message)):
        run("--organisation", "kingsmere", "--format", "llpg", "--address-file", str(path))
    assert not Address.objects.exists()


def test_a_mapping_naming_absent_columns_fails(council, tmp_path):
    path = write_csv(tmp_path / "x.csv", ["Ref", "Street"], [["990000000001", "Elm Road"]])
    with pytest.raises(CommandError, match=r"x\.csv has no column"):
        run(
            "--organisation", "kingsmere", "--format", "generic", "--file", str(path),
            "--mapping", "uprn=Ref,street_name=Road",
        )  # fmt: skip


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ("uprn=Ref,flavour=Street", "Unknown field"),
        ("street_name=Street", "must say which column holds the UPRN"),
        ("uprn", "Mapping entries look like field=Column"),
    ],
)
def test_bad_mappings_fail(council, tmp_path, mapping, message):
    path = write_csv(tmp_path / "x.csv", ["Ref", "Street"], [["990000000001", "Elm Road"]])
    with pytest.raises(CommandError, match=message):
        run(
            "--organisation", "kingsmere", "--format", "generic", "--file", str(path),
            "--mapping", mapping,
        )  # fmt: skip


def test_an_os_open_uprn_file_with_another_header_fails(council, llpg_file, tmp_path):
    wrong = write_csv(tmp_path / "os.csv", ["UPRN", "EASTING", "NORTHING"], [[1, 2, 3]])
    with pytest.raises(CommandError, match="is not OS Open UPRN"):
        run(
            "--organisation", "kingsmere", "--format", "os-open-uprn",
            "--address-file", str(llpg_file), "--uprn-file", str(wrong),
        )  # fmt: skip


def test_unreadable_files_fail_and_change_nothing(council, tmp_path):
    with pytest.raises(CommandError, match="Cannot open"):
        run(
            "--organisation", "kingsmere", "--format", "llpg",
            "--address-file", str(tmp_path / "missing.csv"),
        )  # fmt: skip
    # Far enough into the file that some batches are written before the bad byte is met.
    rows = [llpg_row(990_000_000_000 + n) for n in range(1, 400)]
    rows.append(llpg_row(990_000_000_400, PAO_TEXT="Caf\u00e9 Royal"))
    latin = write_csv(tmp_path / "latin.csv", LLPG_HEADER, rows, encoding="cp1252")
    with pytest.raises(CommandError, match=r"latin\.csv could not be read after line \d+.*cp1252"):
        run(
            "--organisation", "kingsmere", "--format", "llpg", "--address-file", str(latin),
            "--batch-size", "50",
        )  # fmt: skip
    assert not Address.objects.exists()  # the whole import rolled back
    assert not AuditEvent.objects.exists()

    out, _ = run(
        "--organisation", "kingsmere", "--format", "llpg", "--address-file", str(latin),
        "--encoding", "cp1252",
    )  # fmt: skip
    assert "Created 400" in out
    assert Address.objects.get(uprn=990_000_000_400).pao_text == "Caf\u00e9 Royal"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--organisation", "nowhere", "--format", "llpg", "--address-file", "a.csv"], "slug"),
        (["--organisation", "kingsmere", "--format", "llpg"], "needs --address-file"),
        (["--organisation", "kingsmere", "--format", "generic", "--file", "a.csv"], "--mapping"),
        (
            ["--organisation", "kingsmere", "--format", "os-open-uprn", "--address-file", "a.csv"],
            "needs --uprn-file",
        ),
    ],
)
def test_missing_options_fail_clearly(council, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_the_progress_bar_counts_rows_on_stderr(council, llpg_file):
    out, err = StringIO(), StringIO()
    call_command(
        "import_addresses", "--organisation", "kingsmere", "--format", "llpg",
        "--address-file", str(llpg_file), stdout=out, stderr=err,
    )  # fmt: skip
    assert "Importing addresses" in err.getvalue()
    assert "3/3" in err.getvalue()
    assert "Importing" not in out.getvalue()
    assert Ward.objects.get().name == "Abbey"
