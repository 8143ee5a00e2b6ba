"""Issue an Open311 API key: `manage.py open311_client NAME [--organisation SLUG]`."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from civicdesk.api.open311.services import issue_client
from civicdesk.organisations.models import Organisation


class Command(BaseCommand):
    help = "Create an Open311 client and print its new API key (shown only this once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="The client's name, e.g. FixMyStreet.")
        parser.add_argument(
            "--organisation", help="The council's slug; needed when there is more than one."
        )
        parser.add_argument("--rate-limit", type=int, default=60, help="Calls a minute.")

    def handle(self, *args, name: str, organisation: str | None, rate_limit: int, **options):
        if not name.strip():
            raise CommandError("Give the client a name.")
        if rate_limit < 1:
            raise CommandError("The rate limit must be 1 or more.")
        councils = Organisation.objects.filter(kind=Organisation.Kind.COUNCIL)
        if organisation:
            council = councils.filter(slug=organisation).first()
            if council is None:
                raise CommandError(f"There is no council {organisation!r}.")
        else:
            found = list(councils[:2])
            if len(found) != 1:
                raise CommandError("Give the council with --organisation SLUG.")
            council = found[0]
        client, key = issue_client(
            actor=None, organisation=council, name=name, rate_limit_per_minute=rate_limit
        )
        self.stderr.write(f"Open311 client {client.name} for {council.name}. Its key:")
        self.stdout.write(key)
