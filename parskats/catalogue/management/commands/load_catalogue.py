from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from parskats.catalogue.loader import CatalogueError, load_catalogue, manifests
from parskats.core.commands import LanguageCommand


class Command(LanguageCommand):
    help = "Load or update a survey catalogue from its TOML manifest (default: every manifest in catalogue/data)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("manifests", nargs="*", type=Path)

    def handle(self, *args: object, **options: Any) -> None:
        for manifest in options["manifests"] or manifests():
            try:
                result = load_catalogue(Path(manifest))
            except CatalogueError as exc:
                raise CommandError(f"{manifest} was not loaded:\n{exc}") from None
            self.stdout.write(
                f"{result.survey.code}: {result.created} created, {result.updated} updated, "
                f"{result.unchanged} unchanged."
            )
