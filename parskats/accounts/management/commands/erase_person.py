"""manage.py erase_person EMAIL: empty everything held about a person, on their request (GDPR)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from parskats.accounts.erasure import NothingToErase, erase_person
from parskats.core.commands import LanguageCommand


class Command(LanguageCommand):
    help = "Erase a person's data on request (GDPR art. 17): account, roles, tokens, guest entries, invitations."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument(
            "--audit-too",
            action="store_true",
            help="Also replace the person's name in the audit trail with a pseudonym (kept by default).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            done = erase_person(None, options["email"], audit_too=options["audit_too"])
        except NothingToErase as error:
            raise CommandError(str(error)) from None
        if done.account is not None:
            self.stdout.write(f"Account {done.account} emptied: name, email and password removed, logged out.")
        for what, count in done.counts.items():
            self.stdout.write(f"{what}: {count}")
        if done.account is not None and not options["audit_too"]:
            self.stdout.write("The audit trail keeps the name at the time of each change (--audit-too replaces it).")
