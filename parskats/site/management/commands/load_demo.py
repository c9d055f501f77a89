import datetime as dt

from django.core.management.base import CommandError, CommandParser

from parskats.core.commands import LanguageCommand
from parskats.site.demo import DEMO_PASSWORD, demo_today, demo_years, load_demo


class Command(LanguageCommand):
    help = "Load the demo network (Valka region, 2019 to last year; fictional figures). Safe to run again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--today", help="the day taken as today, YYYY-MM-DD (default: PARSKATS_DEMO_TODAY or the real date)"
        )

    def handle(self, *args: object, **options: object) -> None:
        try:
            today = dt.date.fromisoformat(str(options["today"])) if options.get("today") else demo_today()
        except ValueError:
            raise CommandError(f"--today {options['today']!r} is not a date as YYYY-MM-DD.") from None
        accounts = load_demo(today)
        years = demo_years(today)
        self.stdout.write(
            f"Demo network loaded, {years[0]}–{years[-1]}, {years[-1]} open for reports "
            "(every figure and person in it is invented)."
        )
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for account in accounts:
            self.stdout.write(f"  {account.email:<28} {account.description}")
        self.stdout.write("  <library-code>@example.org  the reporter of each other library")
