"""`manage.py import_lgsl PATH`: load or refresh the national Local Government Services List.

The file is the esd-standards CSV export (Identifier, Label, Description, ...). Identifiers are
stable, so running it again with a newer list updates labels and adds new services.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from civicdesk.catalogue.services import import_lgsl, read_lgsl_csv


class Command(BaseCommand):
    help = "Import the LGSL services list from an esd-standards CSV file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="The CSV file, e.g. lgsl-services.csv.")

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["path"]
        try:
            rows = read_lgsl_csv(path)
        except FileNotFoundError as error:
            raise CommandError(f"There is no file at {path}.") from error
        except (ValidationError, UnicodeDecodeError) as error:
            raise CommandError(f"{path} is not an LGSL CSV file: {error}") from error
        result = import_lgsl(actor=None, rows=rows)
        skipped = result.skipped or []
        self.stdout.write(
            self.style.SUCCESS(
                f"LGSL imported from {path}: {result.created} new, {result.updated} updated, "
                f"{len(skipped)} skipped."
            )
        )
        for reason in skipped:
            self.stdout.write(f"  skipped {reason}")
        self.stdout.write(
            "Contains the Local Government Services List © LG Inform Plus, Open Government Licence."
        )
