"""Run daily from cron: `manage.py send_reminders` (safe to run again: nothing is sent twice)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from parskats.core.commands import LanguageCommand
from parskats.review.reminders import send_reminders


class Command(LanguageCommand):
    help = (
        "Email reporters whose report is not submitted N days before the deadline and on it, and each "
        "methodologist a digest of new submissions; where areas approve, each area's methodologist before "
        "and on the areas' approval deadline. Never sends the same reminder twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=7, help="Remind this many days before the deadline (7).")
        parser.add_argument("--today", help="Act as if today were this date (YYYY-MM-DD), for catching up.")

    def handle(self, *args: object, **options: Any) -> None:
        today = None
        if options["today"]:
            try:
                today = dt.date.fromisoformat(str(options["today"]))
            except ValueError:
                raise CommandError(f"--today={options['today']!r} is not a date like 2023-02-15.") from None
        days = int(options["days"])
        if days < 1:
            raise CommandError("--days must be 1 or more.")
        sent = send_reminders(today, days)
        self.stdout.write(
            _(
                "Reminders before the deadline: %(before)d; on the deadline: %(deadline)d; digests: %(digests)d; "
                "to areas' methodologists: %(areas)d."
            )
            % {"before": sent.before, "deadline": sent.deadline, "digests": sent.digests, "areas": sent.areas}
        )
