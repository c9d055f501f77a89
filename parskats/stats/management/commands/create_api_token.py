from django.core.management.base import BaseCommand, CommandError, CommandParser

from parskats.accounts.models import User
from parskats.stats.models import issue_token


class Command(BaseCommand):
    help = "Issue an API token for a user (printed once; only its hash is stored)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--name", default="API")

    def handle(self, *args: object, **options: str) -> None:
        user = User.objects.filter(email__iexact=options["email"]).first()
        if user is None:
            raise CommandError(f"No user with the email {options['email']}.")
        _token, raw = issue_token(user, options["name"])
        self.stdout.write(raw)
