from django.core.management.base import CommandError, CommandParser

from parskats.accounts.models import User
from parskats.audit.models import AuditEntry
from parskats.core.commands import LanguageCommand
from parskats.network.models import Network
from parskats.stats.tokens import TokenRefused, create_token


class Command(LanguageCommand):
    help = "Issue an API token of a network for a person (printed once; only its hash is stored)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--network", required=True, help="the network's slug; the token works for it only")
        parser.add_argument("--name", default="API")

    def handle(self, *args: object, **options: str) -> None:
        user = User.objects.filter(email__iexact=options["email"]).first()
        if user is None:
            raise CommandError(f"No user with the email {options['email']}.")
        network = Network.objects.filter(slug=options["network"]).first()
        if network is None:
            raise CommandError(f"No network “{options['network']}”.")
        try:
            _token, raw = create_token(None, network, options["name"], owner=user, channel=AuditEntry.Channel.ADMIN)
        except TokenRefused as error:
            raise CommandError(str(error)) from None
        self.stdout.write(raw)
