"""`manage.py api_token USERNAME NAME`: issue a key for an integration and print it once."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from civicdesk.api.services import issue_api_token


class Command(BaseCommand):
    help = "Issue a JSON API key acting as a member of staff, and print it (shown only once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="The member of staff the key acts as.")
        parser.add_argument("name", help="What the key is for, e.g. the system using it.")

    def handle(self, *args, username: str, name: str, **options) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user called {username!r}.")
        try:
            token, key = issue_api_token(actor=None, user=user, name=name)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stderr.write(f"Token {token.prefix}… for {username}: copy the key now.")
        self.stdout.write(key)
