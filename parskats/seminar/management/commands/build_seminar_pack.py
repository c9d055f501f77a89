from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError, CommandParser

from parskats.core.commands import LanguageCommand
from parskats.seminar.models import Seminar
from parskats.seminar.pack import write_pack


class Command(LanguageCommand):
    help = "Write a seminar's slide deck (.pptx) and PDF handout into a directory."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("seminar_id", type=int)
        parser.add_argument("--out", required=True, help="Directory for the .pptx and the .pdf (created if missing).")
        parser.add_argument("--base-url", default="", help="The site's address, for links to full stories.")

    def handle(self, *args: object, **options: object) -> None:
        seminar = Seminar.objects.select_related("network").filter(pk=int(str(options["seminar_id"]))).first()
        if seminar is None:
            raise CommandError(f"No seminar with id {options['seminar_id']}.")
        written = write_pack(seminar, Path(str(options["out"])), str(options["base_url"]))
        self.stdout.write(f"{written.pptx}\n{written.pdf}\n")
