"""Load a council's addresses from CSV into the gazetteer (see `Command.help` for the layouts)."""

import argparse
import json
import textwrap
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from civicdesk.organisations.models import Organisation
from civicdesk.places import importers
from civicdesk.places.services import (
    DEFAULT_BATCH_SIZE,
    AddressRow,
    ImportResult,
    upsert_addresses,
)

_REQUIRED = ", ".join(importers.LLPG_COLUMNS[name] for name in importers.LLPG_REQUIRED)
_OPTIONAL = ", ".join(
    column for name, column in importers.LLPG_COLUMNS.items() if name not in importers.LLPG_REQUIRED
)
_LLPG_LAYOUT = textwrap.fill(
    "The LLPG extract is a CSV with a header row and one address (LPI) per line. "
    f"Required columns: {_REQUIRED}. Optional columns: {_OPTIONAL}. Header names are matched "
    "ignoring case. X_COORDINATE and Y_COORDINATE are British National Grid easting and "
    "northing; OS Open UPRN's coordinates, where found, replace the extract's.",
    width=92,
)
_FIELDS = textwrap.fill(
    ", ".join(importers.FIELDS), width=92, initial_indent=" " * 6, subsequent_indent=" " * 6
)
HELP = f"""\
Import addresses into the gazetteer of one organisation. Re-importing a file updates the
addresses it already holds (matched by UPRN) and never duplicates them.

Layouts (--format):

  os-open-uprn  --address-file ADDRESSES.csv --uprn-file OS_OPEN_UPRN.csv
      The council's LLPG extract (layout below) joined by UPRN to OS Open UPRN for
      coordinates. OS Open UPRN's header must be exactly
      {",".join(importers.OS_OPEN_UPRN_COLUMNS)}
      The national file is streamed and only this extract's UPRNs are kept.

  llpg  --address-file ADDRESSES.csv
      The LLPG extract on its own.

  generic  --file X.csv --mapping "uprn=Property Ref,postcode=Post Code,..."
           (or --mapping-file mapping.json holding {{"uprn": "Property Ref", ...}})
      Any CSV with a header row; the mapping names the column for each of our fields:
{_FIELDS}.
      Every mapped column must be in the header; only uprn must be mapped.

{_LLPG_LAYOUT}

Every address needs a UPRN (up to 12 digits), a PAO (number or text) and a street name; a
postcode, if given, must be a UK postcode. Bad rows are reported by line number and skipped.
The command fails only if a file cannot be read or its header lacks required columns.
"""


class Command(BaseCommand):
    help = HELP

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.formatter_class = argparse.RawDescriptionHelpFormatter
        return parser

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organisation", required=True, help="The organisation's slug.")
        parser.add_argument(
            "--format", required=True, choices=["os-open-uprn", "llpg", "generic"], dest="layout"
        )
        parser.add_argument("--address-file", type=Path, help="The LLPG extract (CSV).")
        parser.add_argument("--uprn-file", type=Path, help="OS Open UPRN (CSV).")
        parser.add_argument("--file", type=Path, help="A CSV for --format generic.")
        parser.add_argument("--mapping", help='For generic: "field=Column,field=Column".')
        parser.add_argument("--mapping-file", type=Path, help="For generic: a JSON object.")
        parser.add_argument(
            "--encoding",
            default=importers.DEFAULT_ENCODING,
            help="Text encoding of the files (default UTF-8; e.g. cp1252 for older exports).",
        )
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)
        parser.add_argument(
            "--max-reported",
            type=int,
            default=1000,
            help="List at most this many bad rows (all are counted).",
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bars.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            organisation = Organisation.objects.get(slug=options["organisation"])
        except Organisation.DoesNotExist:
            raise CommandError(
                f"No organisation has the slug {options['organisation']!r}."
            ) from None
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        self.options = options
        # Bad rows by file name: the address file's are skipped addresses, OS Open UPRN's are
        # coordinates not used.
        self.bad_rows: dict[str, int] = {}
        self.progress_file = getattr(self.stderr, "_out", self.stderr)
        try:
            address_file, coordinates, source = self._open_source(options)
            self.without_coordinates = 0
            with address_file:
                provided = set(address_file.provided_fields)
                if coordinates is not None:
                    provided |= {"easting", "northing", "latitude", "longitude"}
                result = upsert_addresses(
                    organisation=organisation,
                    rows=self._rows(address_file, coordinates),
                    source=source,
                    fields=provided,
                    batch_size=options["batch_size"],
                )
        except importers.ImportFileError as error:
            raise CommandError(str(error)) from error
        uprn_file = options["uprn_file"].name if coordinates is not None else ""
        self._summarise(result, address_file.path.name, uprn_file)
        if "usrn" not in provided:
            self.stdout.write(
                "The file has no USRN column, so its addresses are on no street: search finds "
                "them by postcode, UPRN or building name, not by street."
            )

    def _open_source(
        self, options: dict[str, Any]
    ) -> tuple[importers.AddressFile, dict[int, importers.Coordinates] | None, str]:
        encoding = options["encoding"]
        layout = options["layout"]
        if layout == "generic":
            if options["file"] is None:
                raise CommandError("--format generic needs --file.")
            mapping = self._mapping(options)
            importers.check_mapping(mapping)
            address_file = importers.AddressFile(
                options["file"], mapping=mapping, encoding=encoding
            )
            return address_file, None, options["file"].name
        if options["address_file"] is None:
            raise CommandError(f"--format {layout} needs --address-file.")
        address_file = importers.AddressFile.llpg(options["address_file"], encoding=encoding)
        if layout == "llpg":
            return address_file, None, options["address_file"].name
        if options["uprn_file"] is None:
            raise CommandError("--format os-open-uprn needs --uprn-file.")
        # The extract's UPRNs (a borough's worth) are held; the national file is only streamed.
        with address_file:
            wanted = set(address_file.uprns())
        uprn_name = options["uprn_file"].name
        coordinates = importers.read_os_open_uprn(
            options["uprn_file"],
            wanted=wanted,
            on_error=lambda line, reason: self._report(uprn_name, line, reason),
            progress=lambda lines: self._bar(lines, "Scanning OS Open UPRN", total=None),
            encoding=encoding,
        )
        source = f"{options['address_file'].name} with {uprn_name}"
        return address_file, coordinates, source

    def _mapping(self, options: dict[str, Any]) -> dict[str, str]:
        if (options["mapping"] is None) == (options["mapping_file"] is None):
            raise CommandError("--format generic needs one of --mapping or --mapping-file.")
        if options["mapping"] is not None:
            return importers.parse_mapping(options["mapping"])
        try:
            mapping = json.loads(options["mapping_file"].read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CommandError(f"Cannot read the mapping file: {error}") from error
        if not isinstance(mapping, dict) or not all(
            isinstance(key, str) and isinstance(value, str) for key, value in mapping.items()
        ):
            raise CommandError('The mapping file must hold one object: {"field": "Column"}.')
        return mapping

    def _rows(
        self,
        address_file: importers.AddressFile,
        coordinates: dict[int, importers.Coordinates] | None,
    ) -> Iterator[AddressRow]:
        name = address_file.path.name
        total = _count_lines(address_file.path)
        for line, row in self._bar(address_file, "Importing addresses", total=total):
            if isinstance(row, str):
                self._report(name, line, row)
                continue
            if coordinates is not None:
                found = coordinates.get(row.uprn)
                if found is None:
                    self.without_coordinates += 1
                else:
                    row = replace(
                        row,
                        easting=found.easting,
                        northing=found.northing,
                        latitude=found.latitude,
                        longitude=found.longitude,
                    )
            yield row

    def _bar(self, iterable: Any, description: str, *, total: int | None) -> Any:
        return tqdm(
            iterable,
            desc=description,
            total=total,
            unit=" rows",
            mininterval=0.5,
            file=self.progress_file,
            disable=self.options["no_progress"],
        )

    def _report(self, file_name: str, line: int, reason: str) -> None:
        self.bad_rows[file_name] = self.bad_rows.get(file_name, 0) + 1
        if sum(self.bad_rows.values()) <= self.options["max_reported"]:
            with tqdm.external_write_mode(file=self.progress_file):
                self.stderr.write(f"{file_name} line {line}: {reason}; skipped.")

    def _summarise(self, result: ImportResult, address_file: str, uprn_file: str) -> None:
        unlisted = sum(self.bad_rows.values()) - self.options["max_reported"]
        if unlisted > 0:
            self.stderr.write(f"... and {unlisted} more bad rows not listed.")
        if result.conflicting_uprns:
            shown = ", ".join(str(uprn) for uprn in result.conflicting_uprns[:20])
            more = len(result.conflicting_uprns) - 20
            self.stderr.write(
                f"Left alone, held by another organisation: {shown}"
                + (f" and {more} more" if more > 0 else "")
            )
        bad = self.bad_rows.get(address_file, 0)
        self.stdout.write(
            f"Created {result.created}, updated {result.updated}, unchanged {result.unchanged}, "
            f"skipped {bad + result.skipped} ({bad} bad rows, "
            f"{result.skipped} held by another organisation)."
        )
        self.stdout.write(
            f"Streets: {result.streets_created} created, {result.streets_updated} updated. "
            f"Wards: {result.wards_created} created."
        )
        if uprn_file:
            bad = self.bad_rows.get(uprn_file, 0)
            self.stdout.write(
                f"OS Open UPRN: {self.without_coordinates} addresses had no coordinates there "
                f"(not listed, or on a bad row); {bad} bad rows skipped."
            )


def _count_lines(path: Path) -> int | None:
    """Data lines in the file, for the progress bar's total (records spanning lines aside)."""
    try:
        with path.open("rb") as file:
            lines = sum(chunk.count(b"\n") for chunk in iter(lambda: file.read(1 << 20), b""))
    except OSError:
        return None
    return max(lines - 1, 0)
