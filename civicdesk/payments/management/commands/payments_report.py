"""`manage.py payments_report --date YYYY-MM-DD [--organisation SLUG] [--output FILE]`: the
daily reconciliation report as CSV."""

import csv
import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from civicdesk.organisations.models import Organisation
from civicdesk.payments.selectors import daily_report, report_csv_rows


class Command(BaseCommand):
    help = "Write the day's payments by service and status as CSV."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--date", help="YYYY-MM-DD; yesterday if left out")
        parser.add_argument("--organisation", help="the council's slug; the only one if left out")
        parser.add_argument("--output", help="a file to write; standard output if left out")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["date"]:
            try:
                day = datetime.date.fromisoformat(options["date"])
            except ValueError as error:
                raise CommandError("Give the date as YYYY-MM-DD.") from error
        else:
            day = timezone.localdate() - datetime.timedelta(days=1)
        councils = Organisation.objects.filter(kind=Organisation.Kind.COUNCIL)
        if options["organisation"]:
            councils = councils.filter(slug=options["organisation"])
        found = list(councils[:2])
        if len(found) != 1:
            raise CommandError(
                "Name the council with --organisation."
                if found
                else "There is no council with that slug."
            )
        lines = report_csv_rows(daily_report(organisation=found[0], day=day))
        if options["output"]:
            with open(options["output"], "w", newline="", encoding="utf-8") as handle:
                csv.writer(handle).writerows(lines)
            self.stderr.write(f"Wrote {len(lines) - 2} lines to {options['output']}.")
        else:
            csv.writer(self.stdout).writerows(lines)
